//! [`CookieScope`]: what writing or reading a cookie needs besides the value — the ring that
//! seals and opens it, and the form (name, attributes) the cookie takes in this response.
//!
//! The cookie layer does not know why a form would differ from the declared one: a
//! [`KeyRing`] (or anything that dereferences to one, such as a framework's `State<KeyRing>`
//! or `web::Data<KeyRing>`) writes and reads every cookie exactly as its type declared it; a
//! request's view from the request layer ([`RequestView`](crate::request::RequestView)) may
//! hand back a relaxed form (development mode on a loopback request). The sealed value never
//! depends on the form: namespace, format and lifetime always come from the type itself.

use std::ops::Deref;

use crate::cookie::CookieConfig;
use crate::keys::KeyRing;

/// The keys a cookie is sealed and opened with, and the form its `Set-Cookie` and its name
/// take on one response: a [`KeyRing`] (the form the type declared), anything that
/// dereferences to one (`State<KeyRing>`, `web::Data<KeyRing>`, `Arc<KeyRing>`: the same), or
/// the request layer's [`RequestView`](crate::request::RequestView) of one request. The
/// header methods of [`SealedCookie`](crate::SealedCookie) and the
/// [`Guard`](crate::guard::Guard) take one. Sealed: implemented by this crate only.
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use typed_cookies::{CookieScope, Key, KeyRing, SealedCookie};
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-sid", salt = "docs.scope.v1", max_age = "1h")]
/// struct Session { user_id: u64 }
///
/// let keys = KeyRing::new(Key::generate());
/// assert_eq!(keys.form_of(&Session::CONFIG).name(), "__Host-sid");
/// let shared = std::sync::Arc::new(keys.clone());
/// assert!(Session { user_id: 1 }.to_set_cookie(&shared).unwrap().starts_with("__Host-sid="));
/// ```
pub trait CookieScope: sealed::Sealed {
    /// The ring that seals and opens.
    fn keys(&self) -> &KeyRing;

    /// The form a cookie declared as `declared` takes here: `declared` itself, or (for a
    /// request's view in development mode) its relaxed form. Only the name and the attributes
    /// of the result are used; sealing always follows the declared configuration.
    fn form_of(&self, declared: &CookieConfig) -> CookieConfig;
}

impl CookieScope for KeyRing {
    fn keys(&self) -> &KeyRing {
        self
    }

    fn form_of(&self, declared: &CookieConfig) -> CookieConfig {
        *declared
    }
}

/// A pointer to a scope (`&KeyRing`, `Arc<KeyRing>`, a framework's `State<KeyRing>` or
/// `web::Data<KeyRing>`, `&RequestView`) is that scope.
impl<P> CookieScope for P
where
    P: Deref,
    P::Target: CookieScope,
{
    fn keys(&self) -> &KeyRing {
        (**self).keys()
    }

    fn form_of(&self, declared: &CookieConfig) -> CookieConfig {
        (**self).form_of(declared)
    }
}

pub(crate) mod sealed {
    /// Keeps [`CookieScope`](super::CookieScope) implemented by this crate only.
    pub trait Sealed {}

    impl Sealed for crate::keys::KeyRing {}
    impl<P> Sealed for P
    where
        P: std::ops::Deref,
        P::Target: super::CookieScope,
    {
    }
}
