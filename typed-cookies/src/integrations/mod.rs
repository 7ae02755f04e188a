//! Framework adapters, each behind its own feature. The framework files only translate their
//! request and response types to and from the [request layer](crate::request), where what
//! they share — the per-request view, reading cookies from request headers, the rejection, the
//! refresh decision, what gets logged — is written once.
//!
//! | feature | module | what it gives |
//! |---|---|---|
//! | `http` | `integrations::http` | `CookieHeaders` on `http::HeaderMap` (open a sealed cookie, append its `Set-Cookie` or its removal) and `http::refresh` — the base for any framework built on the `http` crate |
//! | `axum` | `integrations::axum` | the `Sealed<T>` and `Opened<T>` extractors (keys from router state), `SetCookie` / `Removal<T>` response parts, the `refresh` middleware |
//! | `actix-web` | `integrations::actix` | the same extractors (keys from `app_data`), `ResponseBuilderExt`, the `refresh` middleware |
//!
//! Every adapter reads cookies the same way: all of a request's `Cookie:` headers are
//! considered (HTTP/2 may split cookies over several), a cookie name present more than once
//! is [`OpenError::DuplicateCookie`], names are compared byte for byte as browsers store
//! them (a look-alike such as `"\u{2000}__Host-sid"` or `"__host-sid"` is another cookie and
//! is ignored), pieces without `=` are skipped, and a value that does not open (or is not
//! UTF-8) is an error — never a panic, never a session. Frameworks without an adapter use the
//! header-string API directly: [`SealedCookie::from_cookie_header`] and
//! [`SealedCookie::to_set_cookie`].
//!
//! **The `Cookie:` header is split once per request.** The first middleware of the axum and
//! actix-web adapters that needs a cookie (or the first extractor, when the header is longer
//! than 1 KB) splits all of the request's `Cookie:` header values into pairs and keeps them in
//! the request's extensions; every later one (each `refresh` and `guarded` middleware, each
//! extractor, whatever the cookie type) looks its name up there, so a request pays for one
//! walk over a long header however many cookie types it reads — one linear pass for a
//! hostile header too. An extractor that finds no split kept and a header of at most 1 KB
//! reads it directly and keeps nothing: walking a short header again costs less than keeping
//! its split. The pairs are the header's *as it is*: a layer between two of them that changes
//! the `Cookie:` header (rare) makes the next one split the changed header again, so each
//! component sees what it would have read from the header itself.
//!
//! **Stateless types only.** `Sealed<T>`, `Opened<T>`, the `Set-Cookie` helpers and the
//! `refresh` middleware take [`Stateless`] types; for a bound or tracked one (`bind`,
//! `revocable`, `one_time`, `replay`) they do not compile — it goes through `Guarded<T>` and
//! the `guarded` middleware, which also refreshes it. Removals take any [`SealedCookie`].
//!
//! **A missing middleware is a setup mistake, said loudly.** `Guarded<T>` (and axum's
//! `Option<Guarded<T>>`, actix-web's `MaybeGuarded<T>`) on a route that `T`'s `guarded`
//! middleware does not cover answers `500` ([`SealedRejection::NoGuardLayer`], logged at
//! `error` with the layer to add): without the middleware, idle sessions would never be
//! renewed (active users signed out after `idle`), values sealed by a fallback key never
//! resealed, refused cookies never cleared. `Sealed<T>` or `Opened<T>` of a type with `idle`
//! or `flash` read where no `refresh` middleware for `T` ran logs a `warn` once per type (the
//! request is served: the value is valid), naming the `refresh::<T, _>` layer to add; a
//! handler that writes the cookie itself is left alone by that middleware, so adding it is
//! also how to silence the warning there.
//!
//! **Refresh.** The `refresh` middleware of each adapter (and `http::refresh`)
//! reseals, on the way out, a cookie that opened but is due ([`Opened::refresh_due`]: sealed
//! by a fallback key, or past the refresh point of its idle window), keeping its creation
//! time, and deletes one that is present but does not open when the type says
//! `clear_invalid` (the default) — except a name present twice (`DuplicateCookie`): a removal
//! can only match our own copy, so it would delete the user's cookie and keep a planted one.
//! During a `replaces` migration, give the refresh middleware to the new type only: the old
//! type's would find new values invalid and clear them. A `flash` type's cookie is deleted by the response to the
//! first request that carries it (read once). A response that sets or removes the cookie itself (the same
//! name, `Path` and `Domain`: one of that name on another path is another cookie) is left
//! alone. It logs (with `tracing`, never the value or key material): at `info`, every value
//! opened with a fallback key, with the type's cookie name and the key id (watch it fall to
//! zero before retiring the key, see SECURITY.md); at `debug`, every refusal with its reason.

#[allow(unused_imports)] // rustdoc links
use crate::cookie::SealedCookie;
use crate::cookie::Stateless;
#[allow(unused_imports)] // rustdoc links
use crate::error::OpenError;
#[allow(unused_imports)] // rustdoc links
use crate::seal::Opened;

#[cfg(feature = "actix-web")]
pub mod actix;
#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "http")]
pub mod http;
#[cfg(all(test, middleware_adapter))]
mod toy;

pub use crate::request::guarded_outcome::Guarded;
pub use crate::request::SealedRejection;

/// How many times this thread has split a request's `Cookie:` header values into pairs (the
/// adapters do it once per request; a test counts). Not part of the API.
#[doc(hidden)]
pub fn cookie_header_parses() -> u64 {
    crate::cookie::cookie_pairs::parses_on_this_thread()
}

/// An opened sealed cookie of type `T`, as a framework extractor: the axum and actix-web
/// adapters implement their extractor traits for it (see each module for what happens when
/// the cookie is absent or does not open). To see the metadata too (when it expires, which
/// key sealed it, whether a refresh is due), extract [`Opened<T>`] instead.
///
/// `T` must be [`Stateless`], on the type itself rather than only on the extractor impls: a
/// handler that takes `Sealed<T>` of a guarded type is then refused at its signature with
/// what to use instead ([`Guarded<T>`]), not with axum's "`Handler<_, _>` is not
/// implemented" on the route.
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use typed_cookies::integrations::Sealed;
/// use typed_cookies::SealedCookie;
///
/// #[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "user", salt = "docs.integrations.sealed.v1", max_age = "1h")]
/// struct User(String);
///
/// let Sealed(user) = Sealed(User("ann".into()));
/// assert_eq!(user.0, "ann");
/// assert_eq!(Sealed(User("bo".into())).into_inner(), User("bo".into()));
/// assert_eq!(Sealed(User("cy".into())).0, User("cy".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed<T: Stateless>(pub T);

impl<T: Stateless> Sealed<T> {
    /// The opened value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: Stateless> std::ops::Deref for Sealed<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}
