//! [`Stateless`]: the marker of a cookie type without stolen-cookie defences, the only kind
//! the plain API seals and opens. A guarded type (`revocable`, `bind`, `one_time`, `replay`)
//! lacks it, so handing one to the plain API is a compile error rather than a run-time
//! [`NeedsGuard`](crate::OpenError::NeedsGuard).

use crate::cookie::SealedCookie;

/// A [`SealedCookie`] type that declares no stolen-cookie defence — none of `revocable`,
/// `bind = ".."`, `one_time`, `replay = ".."` — so it is sealed and opened without a
/// [`Guard`](crate::guard::Guard).
///
/// `#[derive(SealedCookie)]` implements it for exactly those types. The plain API requires it:
/// [`SealedCookie::seal`], [`SealedCookie::open`], [`SealedCookie::open_with_metadata`],
/// [`SealedCookie::to_set_cookie`], [`SealedCookie::from_cookie_header`],
/// [`SealedCookie::opened_from_cookie_headers`], and in the framework adapters the `Sealed<T>`
/// and `Opened<T>` extractors, `SetCookie::new`, `CookieHeaders`' open and append methods,
/// `ResponseBuilderExt::sealed_cookie` and the `refresh` middleware. A guarded type goes
/// through the [`Guard`](crate::guard::Guard) instead, and in axum or actix-web through the
/// `Guarded<T>` extractor and the `guarded` middleware (which also refreshes it). What both
/// kinds share needs only [`SealedCookie`]: the removal of the cookie (signing out) and
/// resealing an [`Opened`](crate::Opened) value, which carries its guard's claims.
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use typed_cookies::{Key, KeyRing, SealedCookie, Stateless};
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-prefs", salt = "docs.stateless.prefs.v1", max_age = "7d")]
/// struct Prefs { theme: String }
///
/// fn store<T: Stateless>(value: &T, keys: &KeyRing) -> String {
///     value.to_set_cookie(keys).unwrap()
/// }
///
/// let keys = KeyRing::new(Key::generate());
/// assert!(store(&Prefs { theme: "dark".into() }, &keys).starts_with("__Host-prefs="));
/// ```
///
/// A guarded type does not compile with the plain API (`Session` is not `Stateless`):
///
/// ```compile_fail,E0277
/// use serde::{Deserialize, Serialize};
/// use typed_cookies::{Key, KeyRing, SealedCookie};
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-sid", salt = "docs.stateless.session.v1", max_age = "8h", revocable)]
/// struct Session { user_id: u64 }
///
/// let keys = KeyRing::new(Key::generate());
/// let value = Session { user_id: 7 }.seal(&keys); // error: use a `Guard`
/// ```
///
/// Implementing it by hand for a guarded type only moves the error back to run time: its
/// seals still fail with [`SealError::NeedsGuard`](crate::SealError::NeedsGuard) and its opens
/// with [`OpenError::NeedsGuard`](crate::OpenError::NeedsGuard).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a stateless sealed cookie type, so the plain seal/open API refuses it",
    label = "guarded types (`revocable`, `bind`, `one_time`, `replay`) are sealed and opened only through a `Guard`",
    note = "seal and open `{Self}` with `typed_cookies::guard::Guard` (`Guard::issue`, `Guard::open`); in axum or actix-web extract `Guarded<{Self}>` instead of `Sealed`/`Opened` and install its guarded middleware instead of `refresh` (it also refreshes the session): axum `.layer(GuardedLayer::<{Self}>::new(&state))`, actix-web `.wrap(from_fn(guarded::<{Self}, _>))`",
    note = "`#[derive(SealedCookie)]` implements `Stateless` for each type that declares none of those keys; a type without the derive is not a cookie type at all"
)]
pub trait Stateless: SealedCookie {}
