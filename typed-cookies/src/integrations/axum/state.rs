//! [`CookieState`]: what the `guarded` middleware takes from the router's state (the key ring
//! and the [`Guard`]), with a compile error that names the fix when a state lacks it; and
//! `cookie_state!`, the one line that gives an app state both.

use ::axum::extract::FromRef;

use crate::guard::Guard;
use crate::keys::KeyRing;

/// The router state of an app with guarded cookie types (`bind`, `revocable`, `one_time`,
/// `replay`): where the [`guarded`](super::guarded) middleware finds the [`KeyRing`] and the
/// [`Guard`] for every request.
///
/// Give an app state both with one line, naming the fields that hold them (it implements
/// `FromRef<App>` for `KeyRing` and for `Guard`, so `State<KeyRing>`, the `Sealed<T>`
/// extractor, `refresh` and `development` take the ring from the same state):
///
/// ```
/// use typed_cookies::guard::Guard;
/// use typed_cookies::integrations::axum::{cookie_state, CookieState};
/// use typed_cookies::KeyRing;
///
/// #[derive(Clone)]
/// struct App { keys: KeyRing, guard: Guard, name: &'static str }
/// cookie_state!(App { keys, guard });
///
/// #[derive(Clone)]
/// struct Admin { ring: KeyRing, sessions: Guard }
/// cookie_state!(Admin { keys: ring, guard: sessions }); // other field names
///
/// fn takes_state(_: impl CookieState) {}
/// # use typed_cookies::{store::MemoryStore, Key};
/// # let (keys, guard) = (KeyRing::new(Key::generate()), Guard::new(MemoryStore::new()));
/// takes_state(App { keys: keys.clone(), guard: guard.clone(), name: "shop" });
/// takes_state(Admin { ring: keys, sessions: guard });
/// ```
///
/// Any state with `FromRef` for both (written by hand, or with axum's `#[derive(FromRef)]`)
/// is a `CookieState` already; a state can also implement the trait itself (then the
/// `Sealed<T>` extractor and the `refresh` and `development` middlewares, which take the ring
/// only, still need `impl FromRef<App> for KeyRing`). A state without either is a compile error
/// at `GuardedLayer::<T>::new(&state)` (or the `guarded::<T, App>` line) that says what to
/// add, rather than axum's "`Handler<_, _>` is not implemented" on every route.
#[diagnostic::on_unimplemented(
    message = "the router state `{Self}` does not give typed-cookies a key ring and a guard",
    label = "the `guarded` middleware takes the `KeyRing` and the `Guard` from this state",
    note = "add `typed_cookies::integrations::axum::cookie_state!({Self} {{ keys, guard }});` next to `{Self}`, naming its `KeyRing` and `Guard` fields (`cookie_state!({Self} {{ keys: ring, guard: sessions }})` for other names)",
    note = "or implement `typed_cookies::integrations::axum::CookieState` for `{Self}`, or `axum::extract::FromRef<{Self}>` for both `KeyRing` and `Guard`"
)]
pub trait CookieState {
    /// The key ring that seals and opens the cookies (a cheap clone: reference-counted).
    fn keys(&self) -> KeyRing;

    /// The guard that checks and records revocations, one-time claims and replays (a cheap
    /// clone: reference-counted).
    fn guard(&self) -> Guard;
}

/// Every state with `FromRef` for both, which is what `cookie_state!` writes (and what the
/// `guarded` middleware required before this trait). `do_not_recommend`: a state that lacks
/// one gets the trait's own message (what to add), not "`FromRef<App>` is not implemented for
/// `KeyRing`". Rust 1.82 to 1.84 do not know the attribute and show that second message.
#[allow(unknown_or_malformed_diagnostic_attributes)]
#[diagnostic::do_not_recommend]
impl<S> CookieState for S
where
    KeyRing: FromRef<S>,
    Guard: FromRef<S>,
{
    fn keys(&self) -> KeyRing {
        KeyRing::from_ref(self)
    }

    fn guard(&self) -> Guard {
        Guard::from_ref(self)
    }
}

/// What `cookie_state!` expands to names: axum's `FromRef`, through this crate, so the impls
/// are for the axum version the adapter is built with.
#[doc(hidden)]
pub mod __private {
    pub use ::axum::extract::FromRef;
}

/// Makes a (non-generic) router state struct a [`CookieState`]: implements
/// `axum::extract::FromRef<State>` for [`KeyRing`] and for [`Guard`], cloning the named
/// fields. `cookie_state!(App { keys, guard })` for fields called `keys` and `guard`;
/// `cookie_state!(App { keys: ring, guard: sessions })` for others. See [`CookieState`].
#[doc(hidden)]
#[macro_export]
macro_rules! __typed_cookies_axum_cookie_state {
    ($state:ty { keys: $keys:ident, guard: $guard:ident $(,)? }) => {
        $crate::__typed_cookies_axum_cookie_state_impl!($state, $keys, $guard);
    };
    ($state:ty { keys: $keys:ident, guard $(,)? }) => {
        $crate::__typed_cookies_axum_cookie_state_impl!($state, $keys, guard);
    };
    ($state:ty { keys, guard: $guard:ident $(,)? }) => {
        $crate::__typed_cookies_axum_cookie_state_impl!($state, keys, $guard);
    };
    ($state:ty { keys, guard $(,)? }) => {
        $crate::__typed_cookies_axum_cookie_state_impl!($state, keys, guard);
    };
}

/// The two impls `cookie_state!` writes.
#[doc(hidden)]
#[macro_export]
macro_rules! __typed_cookies_axum_cookie_state_impl {
    ($state:ty, $keys:ident, $guard:ident) => {
        impl $crate::integrations::axum::__private::FromRef<$state> for $crate::KeyRing {
            fn from_ref(state: &$state) -> $crate::KeyRing {
                ::core::clone::Clone::clone(&state.$keys)
            }
        }
        impl $crate::integrations::axum::__private::FromRef<$state> for $crate::guard::Guard {
            fn from_ref(state: &$state) -> $crate::guard::Guard {
                ::core::clone::Clone::clone(&state.$guard)
            }
        }
    };
}
