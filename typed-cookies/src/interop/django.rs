//! Django's `django.core.signing` and the cookies built on it, read and written byte for byte:
//!
//! - [`Signer`]: `signing.dumps` / `signing.loads` (a `TimestampSigner` over the JSON
//!   serializer, `salt`, `max_age`, `compress=True`, `SECRET_KEY` + `SECRET_KEY_FALLBACKS`,
//!   SHA-256 or the legacy SHA-1), plus the plain-string `sign` / `unsign`;
//! - [`signed_cookie`]: `request.get_signed_cookie` / `response.set_signed_cookie`;
//! - [`session_cookie`]: the `sessionid` cookie of the
//!   `django.contrib.sessions.backends.signed_cookies` session engine.
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use typed_cookies::interop::django;
//!
//! #[derive(Serialize, Deserialize, PartialEq, Debug)]
//! struct Reset { user: u64 }
//!
//! let signer = django::Signer::new("django-insecure-secret").salt("password-reset");
//! let token = signer.seal(&Reset { user: 7 }).unwrap(); // signing.dumps({"user": 7}, salt=…)
//! assert_eq!(signer.open::<Reset>(&token).unwrap(), Reset { user: 7 });
//! ```
//!
//! A value is `base64(json) ":" base62(unix seconds) ":" base64(HMAC(H(salt "signer" secret),
//! base64(json) ":" timestamp))`, with a `.` before the base64 when it is zlib-compressed. As
//! in Django, a timestamp in the future is accepted and `max_age` is checked to the second.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;
use time::Duration;
use zeroize::Zeroizing;

use super::Secret;

use super::{b64url_decode, b64url_encode, check_len, datetime, json, payload_mismatch, zlib};
use crate::clock::Clock;
use crate::error::{OpenError, SealError};
use crate::interop::Digest;

/// `signing.dumps`' default salt.
pub const DEFAULT_SALT: &str = "django.core.signing";
/// `TimestampSigner()`'s default salt (its module and class name): what [`Signer::sign`] and
/// [`Signer::unsign`] use when no [`Signer::salt`] was set.
pub const TIMESTAMP_SIGNER_SALT: &str = "django.core.signing.TimestampSigner";
/// `SESSION_COOKIE_NAME`'s default.
pub const SESSION_COOKIE_NAME: &str = "sessionid";
/// The salt of the `signed_cookies` session engine.
pub const SESSION_SALT: &str = "django.contrib.sessions.backends.signed_cookies";
/// `SESSION_COOKIE_AGE`'s default: two weeks.
pub const SESSION_COOKIE_AGE: Duration = Duration::weeks(2);

const SEP: char = ':';
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Django's `TimestampSigner` with the JSON serializer: `signing.dumps` ([`seal`](Self::seal)),
/// `signing.loads` ([`open`](Self::open)), and `TimestampSigner.sign` / `.unsign` for plain
/// strings ([`sign`](Self::sign), [`unsign`](Self::unsign)).
///
/// Seals with `SECRET_KEY`; opens with it or any of `SECRET_KEY_FALLBACKS`.
///
/// # One salt, one use: `sign` and `open` share a namespace
///
/// In Django, `signing.dumps(obj, salt=S)` *is* `TimestampSigner(salt=S).sign(base64(json))`:
/// both use the key `H(S + "signer" + SECRET_KEY)` and the same `value:timestamp:signature`
/// layout, and `loads` accepts anything `sign` made whose value is base64 JSON. This type
/// follows Django byte for byte (so both sides keep reading each other's values), and so
/// shares the trap: **a string signed with [`sign`](Self::sign) under a salt is a valid
/// [`open`](Self::open) token of that salt for whatever JSON the string encodes.** If users can
/// choose what you `sign` (a user name, an email, a form field) and that salt also `open`s
/// typed values, a user named `eyJ1c2VyIjoxfQ` gets a token for `{"user":1}`. Give plain
/// strings and typed values different salts (`.salt("unsubscribe.email")` for one,
/// `.salt("password-reset")` for the other); Django's `signing.dumps` documentation calls
/// re-using a salt across parts of an application a security risk. The library cannot keep
/// them apart without breaking compatibility with Django. Without [`salt`](Self::salt), they
/// are apart, with Django's defaults: `signing.dumps`' [`DEFAULT_SALT`] for `seal`/`open`,
/// `TimestampSigner()`'s [`TIMESTAMP_SIGNER_SALT`] for `sign`/`unsign`.
///
/// ```
/// use typed_cookies::interop::django;
/// use typed_cookies::time::Duration;
///
/// let old = django::Signer::new("old-secret").salt("invite");
/// let signer = django::Signer::new("new-secret")
///     .fallbacks(["old-secret"])
///     .salt("invite")
///     .max_age(Duration::days(7))
///     .compress(true);
/// let token = old.seal(&vec!["a@example.com"; 20]).unwrap();
/// let emails: Vec<String> = signer.open(&token).unwrap(); // opened by the fallback key
/// assert_eq!(emails.len(), 20);
/// assert!(signer.seal(&emails).unwrap().starts_with('.')); // compressed
/// ```
#[derive(Clone)]
pub struct Signer {
    keys: Vec<Secret>,
    /// `None`: Django's defaults, [`DEFAULT_SALT`] for `seal`/`open` and
    /// [`TIMESTAMP_SIGNER_SALT`] for `sign`/`unsign`.
    salt: Option<String>,
    max_age: Option<Duration>,
    compress: bool,
    digest: Digest,
    clock: Clock,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("django::Signer")
            .field("keys", &format_args!("<{} redacted>", self.keys.len()))
            .field("salt", &self.salt)
            .field("max_age", &self.max_age)
            .field("compress", &self.compress)
            .field("digest", &self.digest)
            .finish()
    }
}

impl Signer {
    /// A signer with `SECRET_KEY` = `secret`, Django's default salts (`signing.dumps`'
    /// [`DEFAULT_SALT`] for [`seal`](Self::seal)/[`open`](Self::open), `TimestampSigner()`'s
    /// [`TIMESTAMP_SIGNER_SALT`] for [`sign`](Self::sign)/[`unsign`](Self::unsign)), no max
    /// age, no compression, SHA-256 and the system clock.
    ///
    /// ```
    /// use typed_cookies::interop::django::Signer;
    /// let signer = Signer::new("s3cr3t");
    /// assert_eq!(signer.unsign(&signer.sign("hello")).unwrap(), "hello");
    /// // Default salts keep signed strings and sealed values apart, as in Django.
    /// let json = "eyJhIjoxfQ"; // base64 of {"a":1}
    /// assert!(signer.open::<serde_json::Value>(&signer.sign(json)).is_err());
    /// ```
    pub fn new(secret: impl AsRef<[u8]>) -> Self {
        Self {
            keys: vec![super::secret(secret)],
            salt: None,
            max_age: None,
            compress: false,
            digest: Digest::Sha256,
            clock: Clock::system(),
        }
    }

    /// `SECRET_KEY_FALLBACKS`: older secrets that still open values (never used to seal).
    /// Replaces any fallbacks set before.
    ///
    /// ```
    /// use typed_cookies::interop::django::Signer;
    /// let value = Signer::new("old").sign("x");
    /// assert_eq!(Signer::new("new").fallbacks(["old"]).unsign(&value).unwrap(), "x");
    /// assert!(Signer::new("new").unsign(&value).is_err());
    /// ```
    pub fn fallbacks<I, S>(mut self, secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        super::set_fallbacks(&mut self.keys, secrets);
        self
    }

    /// The namespace (`salt=`) of every method; a value sealed under one salt never opens
    /// under another. It replaces both defaults, so [`sign`](Self::sign) and
    /// [`open`](Self::open) then share it: see [`Signer`], *One salt, one use*.
    ///
    /// ```
    /// use typed_cookies::interop::django::Signer;
    /// let token = Signer::new("k").salt("a").seal(&1).unwrap();
    /// assert!(Signer::new("k").salt("b").open::<u8>(&token).is_err());
    /// ```
    pub fn salt(mut self, salt: impl Into<String>) -> Self {
        self.salt = Some(salt.into());
        self
    }

    /// The salt of `seal` / `open`.
    fn object_salt(&self) -> &str {
        self.salt.as_deref().unwrap_or(DEFAULT_SALT)
    }

    /// The salt of `sign` / `unsign`.
    fn string_salt(&self) -> &str {
        self.salt.as_deref().unwrap_or(TIMESTAMP_SIGNER_SALT)
    }

    /// Refuse values signed longer ago than `max_age` (`max_age=`, to the second) with
    /// [`OpenError::Expired`].
    ///
    /// ```
    /// use typed_cookies::interop::django::Signer;
    /// use typed_cookies::time::{Duration, OffsetDateTime};
    /// use typed_cookies::{Clock, ManualClock, OpenError};
    ///
    /// let clock = ManualClock::new(OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap());
    /// let signer = Signer::new("k").max_age(Duration::hours(1)).clock(clock.clone());
    /// let token = signer.seal("hi").unwrap();
    /// clock.advance(Duration::hours(2));
    /// assert!(matches!(signer.open::<String>(&token), Err(OpenError::Expired { .. })));
    /// ```
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// `compress=True`: zlib the JSON when that makes it shorter, marked by a leading `.`.
    /// Opening always accepts both.
    ///
    /// ```
    /// use typed_cookies::interop::django::Signer;
    /// let signer = Signer::new("k").compress(true);
    /// assert!(signer.seal(&"a".repeat(100)).unwrap().starts_with('.'));
    /// assert!(!signer.seal("a").unwrap().starts_with('.')); // too short to gain
    /// ```
    pub fn compress(mut self, compress: bool) -> Self {
        self.compress = compress;
        self
    }

    /// The HMAC's hash (`algorithm=`): SHA-256 by default, [`Digest::Sha1`] for values made
    /// by Django before 3.1.
    ///
    /// ```
    /// use typed_cookies::interop::{django::Signer, Digest};
    /// let legacy = Signer::new("k").digest(Digest::Sha1);
    /// assert!(Signer::new("k").unsign(&legacy.sign("x")).is_err());
    /// ```
    pub fn digest(mut self, digest: Digest) -> Self {
        self.digest = digest;
        self
    }

    /// Where "now" comes from: the signing time and the `max_age` check.
    ///
    /// ```
    /// use typed_cookies::interop::django::Signer;
    /// use typed_cookies::time::OffsetDateTime;
    /// use typed_cookies::Clock;
    /// let at = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
    /// let signer = Signer::new("k").clock(Clock::fixed(at));
    /// assert!(signer.sign("x").starts_with("x:1r31eq:")); // base62(1700000000)
    /// ```
    pub fn clock(mut self, clock: impl Into<Clock>) -> Self {
        self.clock = clock.into();
        self
    }

    /// `signing.dumps(value, key, salt, compress=…)`: JSON (ASCII, compact, as Python writes
    /// it), optionally compressed, signed with a timestamp.
    ///
    /// **Never [`sign`](Self::sign) strings users choose under a salt that seals and opens
    /// typed values**: such a string is a valid token for the JSON it encodes (see
    /// [`Signer`], *One salt, one use*).
    ///
    /// ```
    /// use typed_cookies::interop::django::Signer;
    /// let token = Signer::new("k").seal(&serde_json::json!({"a": 1})).unwrap();
    /// assert!(token.starts_with("eyJhIjoxfQ:")); // base64('{"a":1}')
    /// ```
    pub fn seal<T: Serialize + ?Sized>(&self, value: &T) -> Result<String, SealError> {
        let data = json::to_vec(value, true).map_err(|e| SealError::Serialize {
            reason: e.to_string(),
        })?;
        let mut payload = String::new();
        let compressed = if self.compress {
            Some(zlib::compress(&data)).filter(|c| c.len() + 1 < data.len())
        } else {
            None
        };
        match compressed {
            Some(c) => {
                payload.push('.');
                payload.push_str(&b64url_encode(&c));
            }
            None => payload.push_str(&b64url_encode(&data)),
        }
        Ok(self.sign_with(self.object_salt(), &payload))
    }

    /// `signing.loads(value, key, salt, max_age=…, fallback_keys=…)`, typed: verify (with
    /// the secret or a fallback), check the age, inflate (bounded), decode JSON into `T`.
    ///
    /// **It also opens what [`sign`](Self::sign) made under the same salt** (as Django's
    /// `loads` does): a signed user-chosen string that is base64 JSON opens as that JSON. Keep
    /// the salts of typed values apart from the salts of signed strings (see [`Signer`],
    /// *One salt, one use*).
    ///
    /// ```
    /// use typed_cookies::interop::django::Signer;
    /// use typed_cookies::OpenError;
    /// let signer = Signer::new("k");
    /// let token = signer.seal(&[1, 2, 3]).unwrap();
    /// assert_eq!(signer.open::<Vec<u8>>(&token).unwrap(), [1, 2, 3]);
    /// assert!(matches!(signer.open::<String>(&token), Err(OpenError::PayloadMismatch { .. })));
    /// assert_eq!(signer.open::<Vec<u8>>(&token.replace(':', ";")), Err(OpenError::Malformed));
    /// ```
    pub fn open<T: DeserializeOwned>(&self, value: &str) -> Result<T, OpenError> {
        let payload = self.unsign_with(self.object_salt(), value)?;
        let (compressed, b64) = match payload.strip_prefix('.') {
            Some(rest) => (true, rest),
            None => (false, payload.as_str()),
        };
        let mut data = b64url_decode(b64).ok_or(OpenError::Malformed)?;
        if compressed {
            data = zlib::decompress(&data).ok_or(OpenError::Malformed)?;
        }
        serde_json::from_str(&json::latin1(&data)).map_err(|_| payload_mismatch::<T>())
    }

    /// `TimestampSigner.sign(value)`: `value:timestamp:signature`.
    ///
    /// **Do not sign user-chosen strings under a salt that also [`open`](Self::open)s typed
    /// values**: the result is a valid token of that salt for whatever JSON the string
    /// base64-encodes (Django's `sign` and `dumps` share the key, see [`Signer`], *One salt,
    /// one use*). Give strings a salt of their own.
    ///
    /// ```
    /// let signer = typed_cookies::interop::django::Signer::new("k");
    /// assert!(signer.sign("hello").starts_with("hello:"));
    /// ```
    pub fn sign(&self, value: &str) -> String {
        self.sign_with(self.string_salt(), value)
    }

    /// `TimestampSigner(salt=salt).sign(value)`.
    fn sign_with(&self, salt: &str, value: &str) -> String {
        let mut out = String::with_capacity(value.len() + 60);
        out.push_str(value);
        out.push(SEP);
        out.push_str(&b62_encode(self.clock.unix_now()));
        let sig = self.signature_with_salt(salt, &out);
        out.push(SEP);
        out.push_str(&sig);
        out
    }

    /// `TimestampSigner.unsign(value, max_age=…)`: the signed string, once its signature
    /// (under the secret or a fallback) and age check out.
    ///
    /// It also accepts what [`seal`](Self::seal) made under the same salt (the base64 JSON is
    /// the "string"): use a salt of its own for signed strings (see [`Signer`], *One salt,
    /// one use*).
    ///
    /// ```
    /// use typed_cookies::interop::django::Signer;
    /// use typed_cookies::OpenError;
    /// let signer = Signer::new("k");
    /// let signed = signer.sign("hello");
    /// assert_eq!(signer.unsign(&signed).unwrap(), "hello");
    /// assert_eq!(signer.unsign(&signed.replace("hello", "jello")), Err(OpenError::Invalid));
    /// ```
    pub fn unsign(&self, signed: &str) -> Result<String, OpenError> {
        self.unsign_with(self.string_salt(), signed)
    }

    fn unsign_with(&self, salt: &str, signed: &str) -> Result<String, OpenError> {
        check_len(signed)?;
        let (value, sig) = signed.rsplit_once(SEP).ok_or(OpenError::Malformed)?;
        let tag = b64url_decode(sig).ok_or(OpenError::Invalid)?;
        let authentic = self
            .keys
            .iter()
            .any(|key| self.verify(salt, key, value.as_bytes(), &tag));
        if !authentic {
            return Err(OpenError::Invalid);
        }
        let (value, ts) = value.rsplit_once(SEP).ok_or(OpenError::Malformed)?;
        let ts = b62_decode(ts).ok_or(OpenError::Malformed)?;
        if let Some(max_age) = self.max_age {
            let age = self.clock.unix_now().saturating_sub(ts);
            if age > max_age.whole_seconds() {
                return Err(OpenError::Expired {
                    at: datetime(ts.saturating_add(max_age.whole_seconds())),
                });
            }
        }
        Ok(value.to_owned())
    }

    fn verify(&self, salt: &str, key: &[u8], value: &[u8], tag: &[u8]) -> bool {
        let derived = self.derive(salt, key);
        self.digest.verify(&derived, &[value], tag)
    }

    /// Django's `salted_hmac` key: `H(key_salt ‖ secret)` with `key_salt = salt + "signer"`.
    fn derive(&self, salt: &str, key: &[u8]) -> Secret {
        Zeroizing::new(self.digest.hash(&[salt.as_bytes(), b"signer", key]))
    }

    /// `salted_hmac(salt + "signer", value, SECRET_KEY, algorithm)` in base64url.
    fn signature_with_salt(&self, salt: &str, value: &str) -> String {
        let derived = self.derive(salt, &self.keys[0]);
        b64url_encode(&self.digest.hmac(&derived, &[value.as_bytes()]))
    }
}

/// `request.get_signed_cookie(name, salt=…, max_age=…)` and
/// `response.set_signed_cookie(name, value, salt=…)` for one cookie name: see
/// [`signed_cookie`].
#[derive(Clone, Debug)]
pub struct SignedCookie {
    signer: Signer,
    name: String,
    salt: String,
    legacy_salt_fallback: bool,
}

/// Django's signed cookie `name` under `SECRET_KEY` = `secret`, as
/// `response.set_signed_cookie(name, value)` writes it and `request.get_signed_cookie(name)`
/// reads it. Values are strings, as in Django.
///
/// Django keys these with `"django.http.cookies" + SECRET_KEY` and a salt made of the cookie
/// name and the `salt=` argument (`"django.http.cookies.v2:<len>:<salt><name>"` since the
/// Django releases of 2026; `name + salt` before). Like Django with its default
/// `SIGNED_COOKIE_LEGACY_SALT_FALLBACK = True`, opening also accepts the older salt.
///
/// ```
/// use typed_cookies::interop::django;
/// use typed_cookies::time::Duration;
///
/// let cookie = django::signed_cookie("s3cr3t", "theme").salt("ui").max_age(Duration::days(30));
/// let value = cookie.seal("dark");
/// assert_eq!(cookie.open(&value).unwrap(), "dark");
/// assert!(django::signed_cookie("s3cr3t", "other").salt("ui").open(&value).is_err());
/// ```
pub fn signed_cookie(secret: impl AsRef<[u8]>, name: impl Into<String>) -> SignedCookie {
    SignedCookie {
        signer: Signer::new(cookie_key(secret.as_ref())),
        name: name.into(),
        salt: String::new(),
        legacy_salt_fallback: true,
    }
}

fn cookie_key(secret: &[u8]) -> Secret {
    let mut key = Zeroizing::new(b"django.http.cookies".to_vec());
    key.extend_from_slice(secret);
    key
}

impl SignedCookie {
    /// The cookie's name.
    ///
    /// ```
    /// assert_eq!(typed_cookies::interop::django::signed_cookie("k", "theme").name(), "theme");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The `salt=` argument of `set_signed_cookie` / `get_signed_cookie` (empty by default).
    ///
    /// ```
    /// use typed_cookies::interop::django::signed_cookie;
    /// let v = signed_cookie("k", "c").salt("a").seal("x");
    /// assert!(signed_cookie("k", "c").open(&v).is_err());
    /// ```
    pub fn salt(mut self, salt: impl Into<String>) -> Self {
        self.salt = salt.into();
        self
    }

    /// `SECRET_KEY_FALLBACKS`.
    ///
    /// ```
    /// use typed_cookies::interop::django::signed_cookie;
    /// let v = signed_cookie("old", "c").seal("x");
    /// assert_eq!(signed_cookie("new", "c").fallbacks(["old"]).open(&v).unwrap(), "x");
    /// ```
    pub fn fallbacks<I, S>(mut self, secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let keys: Vec<Secret> = secrets
            .into_iter()
            .map(|s| cookie_key(s.as_ref()))
            .collect();
        self.signer = self.signer.fallbacks(keys.iter().map(|k| k.as_slice()));
        self
    }

    /// `get_signed_cookie(…, max_age=…)`.
    ///
    /// ```
    /// use typed_cookies::interop::django::signed_cookie;
    /// use typed_cookies::time::{Duration, OffsetDateTime};
    /// use typed_cookies::{ManualClock, OpenError};
    /// let clock = ManualClock::new(OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap());
    /// let cookie = signed_cookie("k", "c").max_age(Duration::seconds(60)).clock(clock.clone());
    /// let v = cookie.seal("x");
    /// clock.advance(Duration::seconds(61));
    /// assert!(matches!(cookie.open(&v), Err(OpenError::Expired { .. })));
    /// ```
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.signer = self.signer.max_age(max_age);
        self
    }

    /// The HMAC's hash (SHA-256 unless `SIGNING_BACKEND` was changed).
    ///
    /// ```
    /// use typed_cookies::interop::{django::signed_cookie, Digest};
    /// let v = signed_cookie("k", "c").digest(Digest::Sha1).seal("x");
    /// assert!(signed_cookie("k", "c").open(&v).is_err());
    /// ```
    pub fn digest(mut self, digest: Digest) -> Self {
        self.signer = self.signer.digest(digest);
        self
    }

    /// Where "now" comes from.
    ///
    /// ```
    /// use typed_cookies::interop::django::signed_cookie;
    /// use typed_cookies::{time::OffsetDateTime, Clock};
    /// let c = signed_cookie("k", "c").clock(Clock::fixed(OffsetDateTime::UNIX_EPOCH));
    /// assert!(c.seal("x").starts_with("x:0:"));
    /// ```
    pub fn clock(mut self, clock: impl Into<Clock>) -> Self {
        self.signer = self.signer.clock(clock);
        self
    }

    /// `SIGNED_COOKIE_LEGACY_SALT_FALLBACK` (on by default, as in Django): also open cookies
    /// signed with the older `name + salt` salt.
    ///
    /// ```
    /// use typed_cookies::interop::django::signed_cookie;
    /// let c = signed_cookie("k", "c").legacy_salt_fallback(false);
    /// assert_eq!(c.open(&c.seal("x")).unwrap(), "x");
    /// ```
    pub fn legacy_salt_fallback(mut self, on: bool) -> Self {
        self.legacy_salt_fallback = on;
        self
    }

    /// The cookie value `set_signed_cookie(name, value, salt=…)` writes.
    ///
    /// ```
    /// let value = typed_cookies::interop::django::signed_cookie("k", "c").seal("dark");
    /// assert!(value.starts_with("dark:"));
    /// ```
    pub fn seal(&self, value: &str) -> String {
        let mut out = String::with_capacity(value.len() + 60);
        out.push_str(value);
        out.push(SEP);
        out.push_str(&b62_encode(self.signer.clock.unix_now()));
        let sig = self.signer.signature_with_salt(&self.v2_salt(), &out);
        out.push(SEP);
        out.push_str(&sig);
        out
    }

    /// What `get_signed_cookie(name, salt=…, max_age=…)` returns for the cookie's value.
    ///
    /// ```
    /// use typed_cookies::interop::django::signed_cookie;
    /// use typed_cookies::OpenError;
    /// let c = signed_cookie("k", "c");
    /// assert_eq!(c.open(&c.seal("dark").replace("dark", "lite")), Err(OpenError::Invalid));
    /// ```
    pub fn open(&self, value: &str) -> Result<String, OpenError> {
        match self.signer.unsign_with(&self.v2_salt(), value) {
            Err(OpenError::Invalid) if self.legacy_salt_fallback => {
                let legacy = format!("{}{}", self.name, self.salt);
                self.signer.unsign_with(&legacy, value)
            }
            other => other,
        }
    }

    /// `_cookie_signer_salt`: the salt's length (in characters, as Python counts) keeps
    /// `(name, salt)` pairs from colliding.
    fn v2_salt(&self) -> String {
        format!(
            "django.http.cookies.v2:{}:{}{}",
            self.salt.chars().count(),
            self.salt,
            self.name
        )
    }
}

/// The `sessionid` cookie of Django's `signed_cookies` session engine
/// (`SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"`): a [`Signer`] with
/// the engine's salt ([`SESSION_SALT`]), compression, and `SESSION_COOKIE_AGE`'s default of
/// two weeks as `max_age` (change it with [`Signer::max_age`]). The session is a JSON object;
/// open it as a struct of the keys you use (`_auth_user_id`, …) or as a map.
///
/// **Never [`sign`](Signer::sign) user-chosen strings with this signer**: its salt is the
/// session engine's for `sign` as for `open`, so a signed user name that is base64 JSON is a
/// session cookie (`{"_auth_user_id": "1"}`) — the trap described on [`Signer`].
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use typed_cookies::interop::django;
///
/// #[derive(Serialize, Deserialize)]
/// struct DjangoSession {
///     #[serde(rename = "_auth_user_id")]
///     user_id: String,
///     #[serde(default)]
///     cart: Vec<u32>,
/// }
///
/// let sessions = django::session_cookie("django-insecure-secret");
/// let cookie = sessions.seal(&DjangoSession { user_id: "42".into(), cart: vec![3] }).unwrap();
/// let session: DjangoSession = sessions.open(&cookie).unwrap();
/// assert_eq!(session.user_id, "42");
/// ```
pub fn session_cookie(secret: impl AsRef<[u8]>) -> Signer {
    Signer::new(secret)
        .salt(SESSION_SALT)
        .compress(true)
        .max_age(SESSION_COOKIE_AGE)
}

/// Django's `b62_encode`.
fn b62_encode(n: i64) -> String {
    if n == 0 {
        return "0".to_owned();
    }
    let mut digits = Vec::new();
    let mut rest = n.unsigned_abs();
    while rest > 0 {
        digits.push(BASE62[(rest % 62) as usize]);
        rest /= 62;
    }
    if n < 0 {
        digits.push(b'-');
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

/// Django's `b62_decode`; `None` where Django would raise (empty, a foreign character) or
/// the number does not fit.
fn b62_decode(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: i64 = 0;
    for b in digits.bytes() {
        let d = BASE62.iter().position(|&c| c == b)? as i64;
        n = n.checked_mul(62)?.checked_add(d)?;
    }
    Some(if negative { -n } else { n })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base62_matches_django() {
        // signing.b62_encode(1700000000) == '1r31eq'
        assert_eq!(b62_encode(1_700_000_000), "1r31eq");
        assert_eq!(b62_encode(0), "0");
        assert_eq!(b62_encode(-61), "-z");
        for n in [0, 1, 61, 62, 1_700_000_000, -5, i64::MAX, i64::MIN + 1] {
            assert_eq!(b62_decode(&b62_encode(n)), Some(n));
        }
        assert_eq!(b62_decode(""), None);
        assert_eq!(b62_decode("-"), None);
        assert_eq!(b62_decode("a!"), None);
        assert_eq!(b62_decode("zzzzzzzzzzzzzzzzzzzz"), None);
    }

    #[test]
    fn signed_cookie_vector_from_django() {
        // Django 5.2.19, SECRET_KEY="k": response.set_signed_cookie("c", "x") at 1700000000
        let c = signed_cookie("k", "c").clock(Clock::fixed(datetime(1_700_000_000)));
        assert_eq!(
            c.seal("x"),
            "x:1r31eq:xEla1yYMVSQGLA6fu0x8b3tfQUV45pC-yGKzAumleWY"
        );
    }

    #[test]
    fn known_vector_from_django() {
        // Django 5.2: signing.dumps({"a": 1}, key="k") with time.time() = 1700000000
        let signer = Signer::new("k").clock(Clock::fixed(datetime(1_700_000_000)));
        let token = signer.seal(&serde_json::json!({"a": 1})).unwrap();
        assert_eq!(
            token,
            "eyJhIjoxfQ:1r31eq:n_SlnIhB48yIgkf71WUb-3F277vVPwIk18uOUo2EVBs"
        );
    }
}
