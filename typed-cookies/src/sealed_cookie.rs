//! [`SealedCookie`]: the trait `#[derive(SealedCookie)]` implements. The derive only supplies
//! [`SealedCookie::CONFIG`]; every behaviour is a default method here, written and tested once.

use serde::de::DeserializeOwned;
use serde::Serialize;
use time::OffsetDateTime;

use crate::config::CookieConfig;
use crate::error::{OpenError, SealError};
use crate::keyring::KeyRing;
use crate::opened::Opened;
use crate::seal::Meta;
use crate::{header, seal};

/// A type that travels as a sealed cookie, with its whole policy in [`SealedCookie::CONFIG`].
///
/// Implement it with `#[derive(SealedCookie)]` and `#[cookie(...)]`, which checks the policy at
/// compile time:
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use typed_cookies::{Key, KeyRing, SealedCookie};
///
/// #[derive(Serialize, Deserialize, SealedCookie, Debug, PartialEq)]
/// #[cookie(name = "__Host-sid", salt = "shop.session.v1", max_age = "2h", encrypt)]
/// struct Session { user_id: u64, csrf: String }
///
/// let keys = KeyRing::new(Key::generate());
/// let session = Session { user_id: 42, csrf: "f3a9".into() };
///
/// let header = session.to_set_cookie(&keys).unwrap();
/// assert!(header.starts_with("__Host-sid="));
/// assert!(header.contains("Max-Age=7200") && header.contains("Secure") && header.contains("HttpOnly"));
///
/// let value = session.seal(&keys).unwrap();
/// assert_eq!(Session::open(&keys, &value).unwrap(), session);
///
/// let request = format!("theme=dark; __Host-sid={value}");
/// assert_eq!(Session::from_cookie_header(&keys, &request).unwrap(), Some(session));
/// assert_eq!(Session::from_cookie_header(&keys, "theme=dark").unwrap(), None);
/// ```
///
/// A browser keeps one cookie per name, `Path` and `Domain`, so two types of one crate that
/// set the same one would overwrite each other: that is a compile error (see
/// `ui-tests/fail/duplicate_cookie_name.rs`). When a new type takes over an old type's cookie
/// on purpose — a new payload under a new salt, during a migration — it says so with
/// `replaces`, and the derive checks at compile time that both really set the same cookie:
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use typed_cookies::SealedCookie;
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-sid", salt = "shop.session.v1", max_age = "2h")]
/// struct OldSession { user_id: u64 }
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-sid", salt = "shop.session.v2", max_age = "2h", encrypt, replaces = "OldSession")]
/// struct Session { user_id: u64, csrf: String }
///
/// assert!(Session::CONFIG.same_browser_cookie(&OldSession::CONFIG));
/// ```
pub trait SealedCookie: Serialize + DeserializeOwned {
    /// The cookie's policy.
    const CONFIG: CookieConfig;

    /// The sealed value (no name, no attributes), sealed now.
    fn seal(&self, keys: &KeyRing) -> Result<String, SealError> {
        seal_unix(self, keys, seal::unix_now())
    }

    /// The sealed value, sealed as if it were `now`.
    fn seal_at(&self, keys: &KeyRing, now: OffsetDateTime) -> Result<String, SealError> {
        seal_unix(self, keys, now.unix_timestamp())
    }

    /// Verifies (or decrypts), checks the age of, and decodes a sealed value, now.
    fn open(keys: &KeyRing, value: &str) -> Result<Self, OpenError> {
        open_unix(keys, value, seal::unix_now()).map(|(value, _)| value)
    }

    /// [`SealedCookie::open`] as if it were `now`.
    fn open_at(keys: &KeyRing, value: &str, now: OffsetDateTime) -> Result<Self, OpenError> {
        open_unix(keys, value, now.unix_timestamp()).map(|(value, _)| value)
    }

    /// [`SealedCookie::open`], also saying when the value was sealed and whether with the
    /// primary key (reseal it if not, or to slide its expiry).
    fn open_with_metadata(keys: &KeyRing, value: &str) -> Result<Opened<Self>, OpenError> {
        open_unix(keys, value, seal::unix_now()).map(|(value, meta)| Opened::new(value, meta))
    }

    /// [`SealedCookie::open_with_metadata`] as if it were `now`.
    fn open_with_metadata_at(
        keys: &KeyRing,
        value: &str,
        now: OffsetDateTime,
    ) -> Result<Opened<Self>, OpenError> {
        open_unix(keys, value, now.unix_timestamp()).map(|(value, meta)| Opened::new(value, meta))
    }

    /// The full `Set-Cookie` header value: `name=value` with `Max-Age`/`Expires` (unless
    /// `no_expiry`), `Path`, `Domain`, `Secure`, `HttpOnly` and `SameSite`.
    fn to_set_cookie(&self, keys: &KeyRing) -> Result<String, SealError> {
        self.to_set_cookie_at(keys, OffsetDateTime::now_utc())
    }

    /// [`SealedCookie::to_set_cookie`] as if it were `now`.
    fn to_set_cookie_at(&self, keys: &KeyRing, now: OffsetDateTime) -> Result<String, SealError> {
        header::set_cookie(&Self::CONFIG, self.seal_at(keys, now)?, now)
    }

    /// The `Set-Cookie` header value that deletes this cookie (same name, `Path` and `Domain`,
    /// `Max-Age=0` and an `Expires` in the past).
    fn removal() -> String {
        header::removal(&Self::CONFIG)
    }

    /// This type's cookie from a request's `Cookie:` header value, opened now: `Ok(None)` when
    /// the header does not hold it, an error when it is invalid, expired, or present twice
    /// ([`OpenError::DuplicateCookie`], see the README on cookie tossing).
    ///
    /// The name matches byte-exactly, as browsers store it: only SP and HTAB around a pair are
    /// trimmed. A look-alike (`"\u{2000}__Host-sid"`, `"__host-sid"`), which a browser treats
    /// as another, unprotected cookie, is never opened as this one and is ignored beside it.
    fn from_cookie_header(keys: &KeyRing, header: &str) -> Result<Option<Self>, OpenError> {
        Self::from_cookie_header_at(keys, header, OffsetDateTime::now_utc())
    }

    /// [`SealedCookie::from_cookie_header`] as if it were `now`.
    fn from_cookie_header_at(
        keys: &KeyRing,
        header: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Self>, OpenError> {
        header::find([header.as_bytes()], Self::CONFIG.name())?
            .map(|value| Self::open_at(keys, value, now))
            .transpose()
    }
}

// The engine works in unix seconds: `seal` and `open` read the clock directly (no
// `OffsetDateTime` calendar conversion there and back), the `_at` twins convert once.

fn seal_unix<T: SealedCookie>(value: &T, keys: &KeyRing, now: i64) -> Result<String, SealError> {
    let config = T::CONFIG;
    keys.cache()
        .with(keys.keys(), &config.namespace(), |subkeys| {
            seal::seal(keys, subkeys, config.format(), value, now)
        })
}

fn open_unix<T: SealedCookie>(
    keys: &KeyRing,
    value: &str,
    now: i64,
) -> Result<(T, Meta), OpenError> {
    let config = T::CONFIG;
    keys.cache()
        .with(keys.keys(), &config.namespace(), |subkeys| {
            seal::open(
                keys,
                subkeys,
                config.format(),
                config.freshness(),
                value,
                now,
            )
        })
}
