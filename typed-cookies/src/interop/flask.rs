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
//! Markup as a string. To write those Python types back, wrap the fields in the types of
//! [`tag`] ([`tag::Tuple`], [`tag::Bytes`], [`tag::Uuid`], [`tag::DateTime`], [`tag::Markup`]);
//! they read the untagged forms too.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
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
    /// ```
    /// let s = typed_cookies::interop::flask::Serializer::untimed("k");
    /// assert!(s.seal(&[1, 2, 3]).unwrap().starts_with("WzEsMiwzXQ.")); // base64("[1,2,3]")
    /// ```
    pub fn seal<T: Serialize + ?Sized>(&self, value: &T) -> Result<String, SealError> {
        let ser = |e: serde_json::Error| SealError::Serialize {
            reason: e.to_string(),
        };
        let data = if self.tagged {
            let value = tag_value(serde_json::to_value(value).map_err(ser)?);
            json::to_vec(&value, true).map_err(ser)?
        } else {
            json::to_vec(value, false).map_err(ser)?
        };
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
            let value = untag_value(value).ok_or_else(payload_mismatch::<T>)?;
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

/// Marks the one key of an object that a [`tag`] wrapper wrote, so the escaping pass tells it
/// from a user dict whose only key happens to be a tag.
const TAG_MARK: &str = "\u{0}typed-cookies/flask-tag:";

/// The tags of Flask's `TaggedJSONSerializer`.
const TAGS: [&str; 6] = [" di", " t", " b", " m", " u", " d"];

fn single(key: String, value: Value) -> Value {
    let mut map = Map::new();
    map.insert(key, value);
    Value::Object(map)
}

/// Flask's `TaggedJSONSerializer.tag` over plain JSON plus the [`tag`] wrappers' marks.
fn tag_value(value: Value) -> Value {
    match value {
        Value::Object(map) if map.len() == 1 => {
            let Some((key, inner)) = map.into_iter().next() else {
                return Value::Object(Map::new());
            };
            if let Some(real) = key.strip_prefix(TAG_MARK) {
                single(real.to_owned(), tag_value(inner))
            } else if TAGS.contains(&key.as_str()) {
                single(
                    " di".to_owned(),
                    single(format!("{key}__"), tag_value(inner)),
                )
            } else {
                single(key, tag_value(inner))
            }
        }
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, tag_value(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(tag_value).collect()),
        other => other,
    }
}

/// Flask's `TaggedJSONSerializer._untag_scan` (children first), turning each tag into the
/// plain JSON a Rust type reads. `None` where Flask's `to_python` would raise.
fn untag_value(value: Value) -> Option<Value> {
    match value {
        Value::Object(map) => {
            let mut map = map
                .into_iter()
                .map(|(k, v)| Some((k, untag_value(v)?)))
                .collect::<Option<Map<String, Value>>>()?;
            if map.len() != 1 {
                return Some(Value::Object(map));
            }
            let key = map.keys().next()?.clone();
            if !TAGS.contains(&key.as_str()) {
                return Some(Value::Object(map));
            }
            let inner = map.remove(&key)?;
            match key.as_str() {
                " t" | " m" => Some(inner),
                " b" => {
                    use base64::Engine as _;
                    let text = inner.as_str()?;
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(text)
                        .ok()?;
                    Some(Value::Array(bytes.into_iter().map(Value::from).collect()))
                }
                " u" => {
                    let id = parse_uuid(inner.as_str()?)?;
                    Some(Value::String(format_uuid(id)))
                }
                " d" => {
                    let at = parse_http_date(inner.as_str()?)?;
                    Some(Value::String(format_rfc3339(at)?))
                }
                // " di"
                _ => {
                    let Value::Object(escaped) = inner else {
                        return None;
                    };
                    let (k, v) = escaped.into_iter().next()?;
                    // Flask writes `key + "__"`; anything else is not its escape (and cutting
                    // two bytes off could split a character).
                    Some(single(k.strip_suffix("__")?.to_owned(), v))
                }
            }
        }
        Value::Array(items) => Some(Value::Array(
            items.into_iter().map(untag_value).collect::<Option<_>>()?,
        )),
        other => Some(other),
    }
}

fn parse_uuid(text: &str) -> Option<u128> {
    // Python's UUID() accepts the hex with or without hyphens, braces and a urn prefix.
    let text = text.strip_prefix("urn:").unwrap_or(text);
    let text = text.strip_prefix("uuid:").unwrap_or(text);
    let hex: String = text
        .chars()
        .filter(|c| !matches!(c, '{' | '}' | '-'))
        .collect();
    if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u128::from_str_radix(&hex, 16).ok()
}

fn format_uuid(id: u128) -> String {
    let h = format!("{id:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn format_rfc3339(at: time::OffsetDateTime) -> Option<String> {
    at.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// werkzeug's `http_date`: `Wed, 21 Oct 2015 07:28:00 GMT` (UTC, whole seconds).
fn format_http_date(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[at.weekday().number_days_from_monday() as usize],
        at.day(),
        MONTHS[at.month() as usize - 1],
        at.year(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// The IMF-fixdate werkzeug writes (`Wed, 21 Oct 2015 07:28:00 GMT`); the weekday is not
/// checked, as `email.utils` does not.
fn parse_http_date(text: &str) -> Option<time::OffsetDateTime> {
    let (_, rest) = text.split_once(", ")?;
    let mut parts = rest.split(' ');
    let day: u8 = parts.next()?.parse().ok()?;
    let month = parts.next()?;
    let month = MONTHS.iter().position(|m| *m == month)? as u8 + 1;
    let year: i32 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':').map(|p| p.parse::<u8>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    if !matches!(parts.next()?, "GMT" | "UTC" | "+0000") || parts.next().is_some() {
        return None;
    }
    let date =
        time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()?;
    let time = time::Time::from_hms(h, m, s).ok()?;
    Some(time::PrimitiveDateTime::new(date, time).assume_utc())
}

/// Wrappers that write the Python types of Flask's tagged JSON — tuple, bytes, UUID,
/// datetime, Markup — and read them back (in their untagged form, as [`Serializer::open`]
/// hands them over). Outside a Flask session ([`session`]) they serialize as one-key objects
/// with an internal marker and are of no use.
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use typed_cookies::interop::flask::{self, tag};
///
/// #[derive(Serialize, Deserialize)]
/// struct Session {
///     #[serde(rename = "_flashes")]
///     flashes: Vec<tag::Tuple<(String, String)>>, // Python: [("message", "Saved")]
///     avatar: tag::Bytes,                          // Python: b"\x89PNG"
/// }
///
/// let s = flask::session("k");
/// let cookie = s.seal(&Session {
///     flashes: vec![tag::Tuple(("message".into(), "Saved".into()))],
///     avatar: tag::Bytes(b"\x89PNG".to_vec()),
/// }).unwrap();
/// let back: Session = s.open(&cookie).unwrap();
/// assert_eq!(back.flashes[0].0 .1, "Saved");
/// assert_eq!(back.avatar.0, b"\x89PNG");
/// ```
pub mod tag {
    use super::*;

    fn marked<S: serde::Serializer, T: Serialize + ?Sized>(
        serializer: S,
        tag: &str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(&format!("{TAG_MARK}{tag}"), value)?;
        map.end()
    }

    /// A Python `tuple` (`{" t": […]}`); wrap a Rust tuple, array or `Vec`. Reads a JSON
    /// array.
    ///
    /// ```
    /// use typed_cookies::interop::flask::{self, tag::Tuple};
    /// let s = flask::session("k");
    /// let v = s.seal(&Tuple((1, "a"))).unwrap();
    /// assert_eq!(s.open::<(u8, String)>(&v).unwrap(), (1, "a".to_owned()));
    /// ```
    #[derive(Debug, Clone, PartialEq, Eq, Default)]
    pub struct Tuple<T>(pub T);

    impl<T: Serialize> Serialize for Tuple<T> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            marked(serializer, " t", &self.0)
        }
    }

    impl<'de, T: Deserialize<'de>> Deserialize<'de> for Tuple<T> {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            T::deserialize(deserializer).map(Tuple)
        }
    }

    /// Python `bytes` (`{" b": "<standard base64>"}`). Reads a JSON array of byte values.
    ///
    /// ```
    /// use typed_cookies::interop::flask::{self, tag::Bytes};
    /// let s = flask::session("k");
    /// let v = s.seal(&Bytes(vec![0, 255])).unwrap();
    /// assert_eq!(s.open::<Bytes>(&v).unwrap(), Bytes(vec![0, 255]));
    /// assert_eq!(s.open::<Vec<u8>>(&v).unwrap(), [0, 255]);
    /// ```
    #[derive(Debug, Clone, PartialEq, Eq, Default)]
    pub struct Bytes(pub Vec<u8>);

    impl Serialize for Bytes {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            use base64::Engine as _;
            let text = base64::engine::general_purpose::STANDARD.encode(&self.0);
            marked(serializer, " b", &text)
        }
    }

    impl<'de> Deserialize<'de> for Bytes {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            Vec::<u8>::deserialize(deserializer).map(Bytes)
        }
    }

    /// A Python `uuid.UUID` (`{" u": "<32 hex digits>"}`). Reads the hyphenated string.
    ///
    /// ```
    /// use typed_cookies::interop::flask::{self, tag::Uuid};
    /// let s = flask::session("k");
    /// let v = s.seal(&Uuid(0x1234)).unwrap();
    /// assert_eq!(s.open::<String>(&v).unwrap(), "00000000-0000-0000-0000-000000001234");
    /// assert_eq!(s.open::<Uuid>(&v).unwrap(), Uuid(0x1234));
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct Uuid(pub u128);

    impl Serialize for Uuid {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            marked(serializer, " u", &format!("{:032x}", self.0))
        }
    }

    impl<'de> Deserialize<'de> for Uuid {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let text = String::deserialize(deserializer)?;
            parse_uuid(&text)
                .map(Uuid)
                .ok_or_else(|| serde::de::Error::custom("not a UUID"))
        }
    }

    /// A Python `datetime` (`{" d": "Wed, 21 Oct 2015 07:28:00 GMT"}`, whole seconds, UTC).
    /// Reads an RFC 3339 string.
    ///
    /// ```
    /// use typed_cookies::interop::flask::{self, tag::DateTime};
    /// use typed_cookies::time::OffsetDateTime;
    /// let s = flask::session("k");
    /// let at = OffsetDateTime::from_unix_timestamp(1_445_412_480).unwrap();
    /// let v = s.seal(&DateTime(at)).unwrap();
    /// assert_eq!(s.open::<String>(&v).unwrap(), "2015-10-21T07:28:00Z");
    /// assert_eq!(s.open::<DateTime>(&v).unwrap(), DateTime(at));
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct DateTime(pub time::OffsetDateTime);

    impl Serialize for DateTime {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            marked(serializer, " d", &format_http_date(self.0))
        }
    }

    impl<'de> Deserialize<'de> for DateTime {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let text = String::deserialize(deserializer)?;
            time::OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339)
                .map(DateTime)
                .map_err(serde::de::Error::custom)
        }
    }

    /// A `markupsafe.Markup` string (`{" m": "…"}`). Reads a string.
    ///
    /// ```
    /// use typed_cookies::interop::flask::{self, tag::Markup};
    /// let s = flask::session("k");
    /// let v = s.seal(&Markup("<b>hi</b>".into())).unwrap();
    /// assert_eq!(s.open::<Markup>(&v).unwrap().0, "<b>hi</b>");
    /// ```
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
    pub struct Markup(pub String);

    impl Serialize for Markup {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            marked(serializer, " m", &self.0)
        }
    }

    impl<'de> Deserialize<'de> for Markup {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            String::deserialize(deserializer).map(Markup)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tagging_escapes_user_dicts_like_flask() {
        // TaggedJSONSerializer().dumps({"x": {" t": 1}})
        let out = tag_value(json!({"x": {" t": 1}}));
        assert_eq!(out, json!({"x": {" di": {" t__": 1}}}));
        assert_eq!(untag_value(out).unwrap(), json!({"x": {" t": 1}}));
    }

    #[test]
    fn untags_flask_values() {
        let v = json!({
            "t": {" t": [1, {" b": "AAE="}]},
            "u": {" u": "12345678123456781234567812345678"},
            "d": {" d": "Wed, 21 Oct 2015 07:28:00 GMT"},
            "m": {" m": "<b>"},
        });
        assert_eq!(
            untag_value(v).unwrap(),
            json!({
                "t": [1, [0, 1]],
                "u": "12345678-1234-5678-1234-567812345678",
                "d": "2015-10-21T07:28:00Z",
                "m": "<b>",
            })
        );
        assert_eq!(untag_value(json!({" b": "!!"})), None);
        assert_eq!(untag_value(json!({" d": "yesterday"})), None);
        assert_eq!(untag_value(json!({" di": 3})), None);
        assert_eq!(untag_value(json!({" di": {"x": 1}})), None);
        // A key ending inside a multi-byte character is refused, not cut (was a panic).
        assert_eq!(untag_value(json!({" di": {"€": 1}})), None);
        assert_eq!(
            untag_value(json!({" di": {"€__": 1}})),
            Some(json!({"€": 1}))
        );
    }

    #[test]
    fn http_dates_round_trip() {
        let at = datetime(1_445_412_480);
        assert_eq!(format_http_date(at), "Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(parse_http_date(&format_http_date(at)), Some(at));
    }
}
