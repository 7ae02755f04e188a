//! Flask's session cookie and itsdangerous' URL-safe serializers, read and written byte for
//! byte:
//!
//! - [`session`]: the `session` cookie of Flask's default `SecureCookieSessionInterface`
//!   (itsdangerous `URLSafeTimedSerializer`, salt `cookie-session`, HMAC key derivation,
//!   HMAC-SHA1, Flask's tagged JSON, `PERMANENT_SESSION_LIFETIME` as max age);
//! - [`Serializer::timed`] / [`Serializer::untimed`]: `URLSafeTimedSerializer` /
//!   `URLSafeSerializer` `dumps` / `loads` with a chosen salt, digest and key derivation.
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use typed_cookies::interop::flask;
//!
//! #[derive(Serialize, Deserialize)]
//! struct Session { user_id: u64, #[serde(rename = "_permanent", default)] permanent: bool }
//!
//! let sessions = flask::session("flask-secret-key");
//! let cookie = sessions.seal(&Session { user_id: 42, permanent: true }).unwrap();
//! assert_eq!(sessions.open::<Session>(&cookie).unwrap().user_id, 42);
//! ```
//!
//! A value is `payload "." base64(timestamp) "." base64(HMAC(derived key, payload "." ts))`
//! (no timestamp for [`Serializer::untimed`]), where `payload` is base64 of the JSON, or `.`
//! and base64 of its zlib compression when that is shorter.
//!
//! **Tagged JSON.** Flask stores Python values JSON lacks as one-key objects: `{" t": […]}`
//! for a tuple, `{" b": "<base64>"}` bytes, `{" u": "<hex>"}` a UUID, `{" d": "<HTTP date>"}`
//! a datetime, `{" m": "…"}` Markup, and escapes a user dict whose only key is a tag as
//! `{" di": {"<key>__": …}}`. Opening a session untags first, so plain Rust types read them:
//! a tuple as a sequence (`Vec`, a Rust tuple), bytes as a sequence of numbers (`Vec<u8>`),
//! a UUID as its hyphenated string, a datetime as an RFC 3339 string (`"2026-03-01T14:00:00Z"`),
//! Markup as a string, an escaped dict as the dict. To write those Python types back, wrap
//! the fields in the types of [`tag`] ([`tag::Tuple`], [`tag::Bytes`], [`tag::Uuid`],
//! [`tag::DateTime`], [`tag::Markup`]); they read the untagged forms too.
//!
//! Only those wrappers make a tag: they ask for it out of band, through the serde type
//! name, not through anything in the data. Every map, struct or enum variant whose only key
//! is one of Flask's tags (`" t"`, `" b"`, `" u"`, `" d"`, `" m"`, `" di"`) is escaped with
//! `" di"` exactly as Flask escapes such a dict, so keys and strings a user chose reach Flask
//! as the same plain `dict` and `str` — never a `Markup` that Jinja would insert unescaped,
//! a tuple, bytes, a UUID or a datetime. Only Flask's default tags are escaped: if the app
//! registers more (`app.session_interface.serializer.register(…)`), a key spelling one of
//! those reaches it unescaped, as that tag.
//!
//! ```
//! use std::collections::BTreeMap;
//! use typed_cookies::interop::flask;
//!
//! let s = flask::session("k");
//! let chosen_by_a_user = BTreeMap::from([(" m", "<script>alert(1)</script>")]);
//! let cookie = s.seal(&BTreeMap::from([("bio", &chosen_by_a_user)])).unwrap();
//! // Flask reads {"bio": {" m": "<script>…"}}: a dict holding a str, not Markup.
//! let back: BTreeMap<String, BTreeMap<String, String>> = s.open(&cookie).unwrap();
//! assert_eq!(back["bio"][" m"], "<script>alert(1)</script>");
//! ```

mod depth;
mod python;
pub mod tag;
mod tagged;
mod untag;

use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use time::Duration;
use zeroize::Zeroizing;

use super::Secret;

use super::{b64url_decode, b64url_encode, check_len, datetime, json, payload_mismatch, zlib};
use crate::clock::Clock;
use crate::error::{OpenError, SealError};
use crate::interop::Digest;

/// Flask's `SESSION_COOKIE_NAME` default.
pub const SESSION_COOKIE_NAME: &str = "session";
/// The salt of Flask's session cookie.
pub const SESSION_SALT: &str = "cookie-session";
/// Flask's `PERMANENT_SESSION_LIFETIME` default: 31 days. Flask checks every session cookie
/// against it, permanent or not.
pub const PERMANENT_SESSION_LIFETIME: Duration = Duration::days(31);
/// itsdangerous' default serializer salt.
pub const DEFAULT_SALT: &str = "itsdangerous";

const SEP: char = '.';

/// How itsdangerous turns the secret key and salt into the HMAC key (`key_derivation=`).
///
/// ```
/// use typed_cookies::interop::flask::{KeyDerivation, Serializer};
/// let s = Serializer::untimed("k").key_derivation(KeyDerivation::Hmac);
/// assert!(Serializer::untimed("k").open::<u8>(&s.seal(&1).unwrap()).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum KeyDerivation {
    /// `"concat"`: `H(salt ‖ secret)`.
    Concat,
    /// `"django-concat"` (itsdangerous' default): `H(salt ‖ "signer" ‖ secret)`.
    #[default]
    DjangoConcat,
    /// `"hmac"` (Flask's session): `HMAC_H(secret, salt)`.
    Hmac,
    /// `"none"`: the secret itself.
    None,
}

/// itsdangerous' `URLSafeTimedSerializer` / `URLSafeSerializer` (and, from [`session`],
/// Flask's session serializer): [`seal`](Self::seal) is `dumps`, [`open`](Self::open) is
/// `loads`.
///
/// ```
/// use typed_cookies::interop::{flask::Serializer, Digest};
/// use typed_cookies::time::Duration;
///
/// let s = Serializer::timed("secret-key").salt("activate").digest(Digest::Sha256)
///     .max_age(Duration::hours(24));
/// let token = s.seal(&("ada@example.com", 7)).unwrap();
/// let (email, id): (String, u32) = s.open(&token).unwrap();
/// assert_eq!((email.as_str(), id), ("ada@example.com", 7));
/// ```
#[derive(Clone)]
pub struct Serializer {
    keys: Vec<Secret>,
    salt: String,
    digest: Digest,
    key_derivation: KeyDerivation,
    timed: bool,
    max_age: Option<Duration>,
    tagged: bool,
    clock: Clock,
}

impl fmt::Debug for Serializer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("flask::Serializer")
            .field("keys", &format_args!("<{} redacted>", self.keys.len()))
            .field("salt", &self.salt)
            .field("digest", &self.digest)
            .field("key_derivation", &self.key_derivation)
            .field("timed", &self.timed)
            .field("max_age", &self.max_age)
            .field("tagged", &self.tagged)
            .finish()
    }
}

/// Flask's session cookie serializer for `SECRET_KEY` = `secret`: timed, salt
/// `cookie-session`, [`KeyDerivation::Hmac`], [`Digest::Sha1`], tagged JSON (ASCII, sorted
/// keys), max age [`PERMANENT_SESSION_LIFETIME`] (change it with [`Serializer::max_age`]).
/// Add `SECRET_KEY_FALLBACKS` with [`Serializer::fallbacks`].
///
/// ```
/// use std::collections::BTreeMap;
/// use typed_cookies::interop::flask;
///
/// let sessions = flask::session("dev").fallbacks(["older-dev"]);
/// let cookie = flask::session("older-dev").seal(&BTreeMap::from([("n", 1)])).unwrap();
/// let session: BTreeMap<String, u32> = sessions.open(&cookie).unwrap();
/// assert_eq!(session["n"], 1);
/// ```
pub fn session(secret: impl AsRef<[u8]>) -> Serializer {
    let mut s = Serializer::timed(secret)
        .salt(SESSION_SALT)
        .key_derivation(KeyDerivation::Hmac)
        .digest(Digest::Sha1)
        .max_age(PERMANENT_SESSION_LIFETIME);
    s.tagged = true;
    s
}

impl Serializer {
    /// `URLSafeTimedSerializer(secret)`: salt `"itsdangerous"`, `django-concat`, SHA-1, a
    /// timestamp in every value, no max age unless [set](Self::max_age).
    ///
    /// ```
    /// let s = typed_cookies::interop::flask::Serializer::timed("k");
    /// assert_eq!(s.open::<String>(&s.seal("hi").unwrap()).unwrap(), "hi");
    /// ```
    pub fn timed(secret: impl AsRef<[u8]>) -> Self {
        Self {
            keys: vec![super::secret(secret)],
            salt: DEFAULT_SALT.to_owned(),
            digest: Digest::Sha1,
            key_derivation: KeyDerivation::DjangoConcat,
            timed: true,
            max_age: None,
            tagged: false,
            clock: Clock::system(),
        }
    }

    /// `URLSafeSerializer(secret)`: like [`timed`](Self::timed) without the timestamp (and
    /// so without expiry).
    ///
    /// ```
    /// let s = typed_cookies::interop::flask::Serializer::untimed("k");
    /// assert_eq!(s.seal(&[1, 2]).unwrap().matches('.').count(), 1);
    /// ```
    pub fn untimed(secret: impl AsRef<[u8]>) -> Self {
        Self {
            timed: false,
            ..Self::timed(secret)
        }
    }

    /// Older secrets that still open values (Flask's `SECRET_KEY_FALLBACKS`, the earlier
    /// entries of itsdangerous' key list). Replaces any set before.
    ///
    /// ```
    /// use typed_cookies::interop::flask::Serializer;
    /// let v = Serializer::timed("old").seal(&1).unwrap();
    /// assert_eq!(Serializer::timed("new").fallbacks(["old"]).open::<u8>(&v).unwrap(), 1);
    /// ```
    pub fn fallbacks<I, S>(mut self, secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        super::set_fallbacks(&mut self.keys, secrets);
        self
    }

    /// The salt (namespace).
    ///
    /// ```
    /// use typed_cookies::interop::flask::Serializer;
    /// let v = Serializer::timed("k").salt("a").seal(&1).unwrap();
    /// assert!(Serializer::timed("k").salt("b").open::<u8>(&v).is_err());
    /// ```
    pub fn salt(mut self, salt: impl Into<String>) -> Self {
        self.salt = salt.into();
        self
    }

    /// The HMAC's hash (`digest_method=`; SHA-1 by default, as in itsdangerous).
    ///
    /// ```
    /// use typed_cookies::interop::{flask::Serializer, Digest};
    /// let v = Serializer::timed("k").digest(Digest::Sha256).seal(&1).unwrap();
    /// assert!(Serializer::timed("k").open::<u8>(&v).is_err());
    /// ```
    pub fn digest(mut self, digest: Digest) -> Self {
        self.digest = digest;
        self
    }

    /// The key derivation (`signer_kwargs={"key_derivation": …}`).
    ///
    /// ```
    /// use typed_cookies::interop::flask::{KeyDerivation, Serializer};
    /// let s = Serializer::timed("k").key_derivation(KeyDerivation::Concat);
    /// assert_eq!(s.open::<u8>(&s.seal(&1).unwrap()).unwrap(), 1);
    /// ```
    pub fn key_derivation(mut self, key_derivation: KeyDerivation) -> Self {
        self.key_derivation = key_derivation;
        self
    }

    /// `loads(…, max_age=…)`: refuse timed values older than `max_age` with
    /// [`OpenError::Expired`] and — as itsdangerous does whenever a max age is given — values
    /// signed in the future with [`OpenError::IssuedInFuture`]. Ignored by untimed serializers.
    ///
    /// ```
    /// use typed_cookies::interop::flask::Serializer;
    /// use typed_cookies::time::{Duration, OffsetDateTime};
    /// use typed_cookies::{ManualClock, OpenError};
    /// let clock = ManualClock::new(OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap());
    /// let s = Serializer::timed("k").max_age(Duration::minutes(5)).clock(clock.clone());
    /// let v = s.seal(&1).unwrap();
    /// clock.advance(Duration::minutes(6));
    /// assert!(matches!(s.open::<u8>(&v), Err(OpenError::Expired { .. })));
    /// ```
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Where "now" comes from.
    ///
    /// ```
    /// use typed_cookies::interop::flask::Serializer;
    /// use typed_cookies::{time::OffsetDateTime, Clock};
    /// let s = Serializer::timed("k").clock(Clock::fixed(OffsetDateTime::from_unix_timestamp(1).unwrap()));
    /// assert!(s.seal(&0).unwrap().starts_with("MA.AQ.")); // base64("0"), base64(\x01)
    /// ```
    pub fn clock(mut self, clock: impl Into<Clock>) -> Self {
        self.clock = clock.into();
        self
    }

    /// `dumps(value)`.
    ///
    /// [`SealError::Serialize`] when the value cannot be written as JSON, when its JSON would
    /// nest deeper than [`open`](Self::open) reads (127 arrays and objects), and, for a Flask
    /// [`session`], when it is not a map or struct (or unit / `None`, an empty session): Flask
    /// could not make its session `dict` of a string, a list or a [`tag`] wrapper, and would
    /// answer 500 to every request carrying the cookie.
    ///
    /// ```
    /// use typed_cookies::interop::flask;
    /// let s = flask::Serializer::untimed("k");
    /// assert!(s.seal(&[1, 2, 3]).unwrap().starts_with("WzEsMiwzXQ.")); // base64("[1,2,3]")
    /// assert!(flask::session("k").seal(&[1, 2, 3]).is_err());
    /// assert!(flask::session("k").seal(&()).is_ok()); // Flask starts an empty session
    /// ```
    pub fn seal<T: Serialize + ?Sized>(&self, value: &T) -> Result<String, SealError> {
        let ser = |e: serde_json::Error| SealError::Serialize {
            reason: e.to_string(),
        };
        let data = if self.tagged {
            let value = tagged::to_session(value).map_err(ser)?;
            json::to_vec(&value, true).map_err(ser)?
        } else {
            json::to_vec(value, false).map_err(ser)?
        };
        let nesting = depth::of(&data);
        if nesting > depth::MAX {
            return Err(SealError::Serialize {
                reason: format!(
                    "the JSON would nest {nesting} arrays and objects deep, over the {} that \
                     `open` reads back (in a Flask session, escaping a dict whose only key \
                     spells a tag adds a level); store flatter data",
                    depth::MAX
                ),
            });
        }
        let mut out = String::with_capacity(data.len() * 4 / 3 + 48);
        match Some(zlib::compress(&data)).filter(|c| c.len() + 1 < data.len()) {
            Some(c) => {
                out.push('.');
                out.push_str(&b64url_encode(&c));
            }
            None => out.push_str(&b64url_encode(&data)),
        }
        if self.timed {
            let now = u64::try_from(self.clock.unix_now()).unwrap_or(0);
            let bytes = now.to_be_bytes();
            let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
            out.push(SEP);
            out.push_str(&b64url_encode(&bytes[first..]));
        }
        let tag = self
            .digest
            .hmac(&self.derive(&self.keys[0]), &[out.as_bytes()]);
        out.push(SEP);
        out.push_str(&b64url_encode(&tag));
        Ok(out)
    }

    /// `loads(value, max_age=…)`, typed: verify under the secret or a fallback, check the
    /// age, inflate (bounded), decode (and, for a Flask session, untag) into `T`.
    ///
    /// ```
    /// use typed_cookies::interop::flask::Serializer;
    /// use typed_cookies::OpenError;
    /// let s = Serializer::timed("k");
    /// let v = s.seal("hi").unwrap();
    /// assert_eq!(s.open::<String>(&v).unwrap(), "hi");
    /// assert_eq!(s.open::<String>(&v.replacen('I', "J", 1)), Err(OpenError::Invalid));
    /// assert_eq!(s.open::<String>("no-dots"), Err(OpenError::Malformed));
    /// ```
    pub fn open<T: DeserializeOwned>(&self, value: &str) -> Result<T, OpenError> {
        check_len(value)?;
        let (signed, sig) = value.rsplit_once(SEP).ok_or(OpenError::Malformed)?;
        let tag = b64url_decode(sig).ok_or(OpenError::Invalid)?;
        let authentic = self.keys.iter().any(|key| {
            self.digest
                .verify(&self.derive(key), &[signed.as_bytes()], &tag)
        });
        if !authentic {
            return Err(OpenError::Invalid);
        }
        let payload = if self.timed {
            let (payload, ts) = signed.rsplit_once(SEP).ok_or(OpenError::Malformed)?;
            let ts = b64url_decode(ts)
                .filter(|b| b.len() <= 8)
                .ok_or(OpenError::Malformed)?;
            let ts = ts.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b));
            let ts = i64::try_from(ts).map_err(|_| OpenError::Malformed)?;
            if let Some(max_age) = self.max_age {
                let age = self.clock.unix_now().saturating_sub(ts);
                if age > max_age.whole_seconds() {
                    return Err(OpenError::Expired {
                        at: datetime(ts.saturating_add(max_age.whole_seconds())),
                    });
                }
                if age < 0 {
                    return Err(OpenError::IssuedInFuture { at: datetime(ts) });
                }
            }
            payload
        } else {
            signed
        };
        let (compressed, b64) = match payload.strip_prefix('.') {
            Some(rest) => (true, rest),
            None => (false, payload),
        };
        let mut data = b64url_decode(b64).ok_or(OpenError::Malformed)?;
        if compressed {
            data = zlib::decompress(&data).ok_or(OpenError::Malformed)?;
        }
        if self.tagged {
            let value: Value =
                serde_json::from_slice(&data).map_err(|_| payload_mismatch::<T>())?;
            let value = untag::untag(value).ok_or_else(payload_mismatch::<T>)?;
            T::deserialize(value).map_err(|_| payload_mismatch::<T>())
        } else {
            serde_json::from_slice(&data).map_err(|_| payload_mismatch::<T>())
        }
    }

    fn derive(&self, secret: &[u8]) -> Secret {
        let salt = self.salt.as_bytes();
        Zeroizing::new(match self.key_derivation {
            KeyDerivation::Concat => self.digest.hash(&[salt, secret]),
            KeyDerivation::DjangoConcat => self.digest.hash(&[salt, b"signer", secret]),
            KeyDerivation::Hmac => self.digest.hmac(secret, &[salt]),
            KeyDerivation::None => secret.to_vec(),
        })
    }
}
