//! [`RequestView`]: the application's [`KeyRing`] as one request sees it — strict, or relaxed
//! for a loopback request in development mode — and [`KeyRing::for_host`], which makes one.
//!
//! The ring holds keys, subkey cache, clock and the application's development-mode switch;
//! whether *this* request relaxes its cookies is decided here, once per request, and carried
//! by the view to everything that writes or reads a cookie for it (through
//! [`CookieScope`]). The cookie layer only ever sees the form the view hands it.

use crate::cookie::{CookieConfig, CookieScope};
use crate::development::{self, is_loopback_host};
use crate::keys::KeyRing;

/// The key ring as one request sees it: its cookies strict (as their types declare them) or,
/// when the ring is in development mode and the request is local, relaxed — sent without
/// `Secure`, `Partitioned` and their `__Host-`/`__Secure-` prefix, read under the unprefixed
/// name. Pass it wherever a [`CookieScope`] is taken ([`SealedCookie::to_set_cookie`],
/// [`SealedCookie::removal_for`], [`SealedCookie::from_cookie_header`],
/// [`Guard::issue`](crate::guard::Guard::issue), …); [`RequestView::keys`] is the ring itself.
///
/// Made by [`KeyRing::for_host`] (the header-string API) or by an adapter per request.
///
/// ```
/// use typed_cookies::{Key, KeyRing};
/// # std::env::remove_var("TYPED_COOKIES_DEV");
/// let keys = KeyRing::new(Key::generate());
/// assert!(!keys.for_host("localhost").relaxes_cookies()); // development mode is off
/// let dev = keys.with_development_mode().unwrap();
/// assert!(dev.for_host("localhost:3000").relaxes_cookies());
/// assert!(!dev.for_host("shop.example").relaxes_cookies());
/// assert_eq!(dev.for_host("localhost").keys().key_ids(), keys.key_ids());
/// ```
///
/// [`SealedCookie::to_set_cookie`]: crate::SealedCookie::to_set_cookie
/// [`SealedCookie::removal_for`]: crate::SealedCookie::removal_for
/// [`SealedCookie::from_cookie_header`]: crate::SealedCookie::from_cookie_header
#[derive(Clone, Debug)]
pub struct RequestView {
    keys: KeyRing,
    relaxed: bool,
}

impl RequestView {
    /// The view of a request that is strict whatever the ring's development mode.
    pub fn strict(keys: KeyRing) -> Self {
        Self {
            keys,
            relaxed: false,
        }
    }

    /// The view of a request that is `local` (loopback, not forwarded): relaxed when the ring
    /// is in development mode.
    pub(crate) fn new(keys: KeyRing, local: bool) -> Self {
        let relaxed = local && keys.development_mode();
        Self { keys, relaxed }
    }

    /// The ring: seals and opens, its clock is the request's clock.
    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }

    /// The ring, by move.
    pub fn into_keys(self) -> KeyRing {
        self.keys
    }

    /// Whether this request's cookies are relaxed: development mode is on and the request is
    /// local.
    pub fn relaxes_cookies(&self) -> bool {
        self.relaxed
    }

    /// The view of another request, to `host`, with the same ring ([`KeyRing::for_host`]).
    #[must_use]
    pub fn for_host(&self, host: &str) -> Self {
        self.keys.for_host(host)
    }

    /// The name `config`'s cookie is read and written under on this request: its
    /// [development name](CookieConfig::development_name) when relaxed, else its own.
    pub fn cookie_name(&self, config: &CookieConfig) -> &'static str {
        if self.relaxed {
            config.development_name()
        } else {
            config.name()
        }
    }
}

impl CookieScope for RequestView {
    fn keys(&self) -> &KeyRing {
        &self.keys
    }

    fn form_of(&self, declared: &CookieConfig) -> CookieConfig {
        if !self.relaxed {
            return *declared;
        }
        let relaxed = development::relaxed(declared);
        development::warn_once(declared.name(), relaxed.name(), None);
        relaxed
    }
}

impl crate::cookie::scope::sealed::Sealed for RequestView {}

impl KeyRing {
    /// The view of one request whose `Host` header (or URL authority) is `host`: when
    /// development mode is on and `host` is loopback
    /// ([`is_loopback_host`](crate::development::is_loopback_host)), a view whose
    /// `Set-Cookie`s ([`SealedCookie::to_set_cookie`], [`SealedCookie::removal_for`]) are
    /// relaxed and whose reading ([`SealedCookie::from_cookie_header`]) looks for the
    /// unprefixed name; otherwise a strict one. For frameworks without an adapter: the
    /// adapters do this themselves (and also refuse requests that came through a proxy).
    ///
    /// ```
    /// use serde::{Deserialize, Serialize};
    /// use typed_cookies::{Key, KeyRing, SealedCookie};
    ///
    /// #[derive(Serialize, Deserialize, SealedCookie)]
    /// #[cookie(name = "__Host-sid", salt = "docs.for-host.v1", max_age = "1h", encrypt)]
    /// struct Session { user_id: u64 }
    ///
    /// # std::env::remove_var("TYPED_COOKIES_DEV");
    /// let keys = KeyRing::new(Key::generate()).with_development_mode().unwrap();
    /// let local = Session { user_id: 7 }.to_set_cookie(&keys.for_host("127.0.0.1:3000")).unwrap();
    /// assert!(local.starts_with("sid=") && !local.contains("Secure"));
    /// let public = Session { user_id: 7 }.to_set_cookie(&keys.for_host("shop.example")).unwrap();
    /// assert!(public.starts_with("__Host-sid=") && public.contains("; Secure"));
    /// ```
    ///
    /// [`SealedCookie::to_set_cookie`]: crate::SealedCookie::to_set_cookie
    /// [`SealedCookie::removal_for`]: crate::SealedCookie::removal_for
    /// [`SealedCookie::from_cookie_header`]: crate::SealedCookie::from_cookie_header
    #[must_use]
    pub fn for_host(&self, host: &str) -> RequestView {
        RequestView::new(self.clone(), is_loopback_host(host))
    }

    /// Always `false`: a ring is no request's, and relaxing is decided per request — ask the
    /// request's view ([`KeyRing::for_host`], [`RequestView::relaxes_cookies`]). Kept so that
    /// code written when the ring carried the request's state still compiles.
    pub fn relaxes_cookies(&self) -> bool {
        false
    }
}
