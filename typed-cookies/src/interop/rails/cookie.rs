//! One cookie of a Rails cookie jar: `cookies.signed[name]` and `cookies.encrypted[name]` (the
//! session cookie too), sealing and opening values as they travel in `Set-Cookie` and
//! `Cookie:`, escaped as Rack escapes them.

use serde::de::DeserializeOwned;
use serde::Serialize;
use time::{Duration, OffsetDateTime};

use super::encryptor::MessageEncryptor;
use super::escape::{escape, unescape};
use super::metadata::Expiry;
use super::verifier::MessageVerifier;
use crate::error::{OpenError, SealError};
use crate::interop::check_len;

/// `cookies.signed[name]` of a [`CookieJar`](super::CookieJar): see
/// [`CookieJar::signed`](super::CookieJar::signed).
#[derive(Clone, Debug)]
pub struct SignedCookie {
    pub(super) verifier: MessageVerifier,
    pub(super) name: String,
}

/// `cookies.encrypted[name]` (and the session cookie) of a [`CookieJar`](super::CookieJar):
/// see [`CookieJar::encrypted`](super::CookieJar::encrypted).
#[derive(Clone, Debug)]
pub struct EncryptedCookie {
    pub(super) encryptor: MessageEncryptor,
    pub(super) name: String,
}

/// A sealed value escaped for `Set-Cookie`, refused past what browsers keep.
fn cookie_value(sealed: &str) -> Result<String, SealError> {
    let value = escape(sealed);
    if value.len() > crate::MAX_COOKIE_LEN {
        return Err(SealError::TooLarge {
            len: value.len(),
            max: crate::MAX_COOKIE_LEN,
        });
    }
    Ok(value)
}

macro_rules! cookie_methods {
    ($ty:ident, $field:ident, $example:literal) => {
        impl $ty {
            /// The cookie's name.
            ///
            /// ```
            /// let jar = typed_cookies::interop::rails::CookieJar::new("k").unwrap();
            #[doc = concat!("assert_eq!(jar.", $example, "(\"c\").name(), \"c\");")]
            /// ```
            pub fn name(&self) -> &str {
                &self.name
            }

            /// `expires:` of a written cookie (a duration, as `expires: 2.weeks`; for the
            /// session, the store's `expire_after`): the value carries `exp`, and stops opening
            /// then in Rails and here. Set the `Set-Cookie` header's `Max-Age` to match.
            ///
            /// ```
            /// use typed_cookies::interop::rails::CookieJar;
            /// use typed_cookies::time::{Duration, OffsetDateTime};
            /// use typed_cookies::{ManualClock, OpenError};
            /// let clock = ManualClock::new(OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap());
            /// let jar = CookieJar::new("k").unwrap().clock(clock.clone());
            #[doc = concat!("let c = jar.", $example, "(\"c\").expires_in(Duration::hours(1));")]
            /// let v = c.seal(&1).unwrap();
            /// clock.advance(Duration::hours(1));
            /// assert!(matches!(c.open::<u8>(&v), Err(OpenError::Expired { .. })));
            /// ```
            pub fn expires_in(mut self, ttl: Duration) -> Self {
                self.$field.options.expires = Some(Expiry::In(ttl));
                self
            }

            /// `expires:` as a time (`expires: 1.year.from_now`).
            ///
            /// ```
            /// use typed_cookies::interop::rails::CookieJar;
            /// use typed_cookies::{time::OffsetDateTime, OpenError};
            /// let jar = CookieJar::new("k").unwrap();
            #[doc = concat!("let c = jar.", $example, "(\"c\").expires_at(OffsetDateTime::UNIX_EPOCH);")]
            /// assert!(matches!(c.open::<u8>(&c.seal(&1).unwrap()), Err(OpenError::Expired { .. })));
            /// ```
            pub fn expires_at(mut self, at: OffsetDateTime) -> Self {
                self.$field.options.expires = Some(Expiry::At(at));
                self
            }

            /// The cookie value Rails writes for `cookies.<jar>[name] = value`, escaped for
            /// `Set-Cookie` as Rack escapes it. Refused past
            /// [`MAX_COOKIE_LEN`](crate::MAX_COOKIE_LEN) bytes.
            ///
            /// ```
            /// use typed_cookies::interop::rails::CookieJar;
            /// let jar = CookieJar::new("k").unwrap();
            #[doc = concat!("let v = jar.", $example, "(\"c\").seal(&\"x\".repeat(40)).unwrap();")]
            /// assert!(v.contains("%3D") && !v.contains('=')); // base64 padding, escaped
            #[doc = concat!("assert!(jar.", $example, "(\"c\").seal(&\"x\".repeat(4000)).is_err());")]
            /// ```
            pub fn seal<T: Serialize + ?Sized>(&self, value: &T) -> Result<String, SealError> {
                cookie_value(&self.$field.seal(value)?)
            }

            /// What `cookies.<jar>[name]` reads from the cookie's value, typed: the value as the
            /// `Cookie:` header carries it (escaped) or unescaped.
            ///
            /// ```
            /// use typed_cookies::interop::rails::CookieJar;
            /// use typed_cookies::OpenError;
            /// let jar = CookieJar::new("k").unwrap();
            #[doc = concat!("let c = jar.", $example, "(\"c\");")]
            /// let v = c.seal(&[1, 2]).unwrap();
            /// assert_eq!(c.open::<Vec<u8>>(&v).unwrap(), [1, 2]);
            /// assert_eq!(c.open::<Vec<u8>>(&v.replace("%3D", "=")).unwrap(), [1, 2]);
            /// assert_eq!(c.open::<Vec<u8>>("junk"), Err(OpenError::Malformed));
            /// ```
            pub fn open<T: DeserializeOwned>(&self, value: &str) -> Result<T, OpenError> {
                check_len(value)?;
                self.$field.open(&unescape(value)?)
            }
        }
    };
}

cookie_methods!(SignedCookie, verifier, "signed");
cookie_methods!(EncryptedCookie, encryptor, "encrypted");
