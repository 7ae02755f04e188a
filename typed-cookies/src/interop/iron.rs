//! @hapi/iron `Fe26.2` seals and iron-session cookies, read and written byte for byte:
//!
//! - [`Sealer::new`] / [`Sealer::with_id`]: `Iron.seal` / `Iron.unseal` with iron's defaults
//!   (AES-256-CBC for confidentiality, HMAC-SHA256 for integrity, each keyed by
//!   PBKDF2-HMAC-SHA1 of the password over its own random 256-bit salt, 1 iteration),
//!   optional `ttl`, 60 s of clock skew, password ids for rotation;
//! - [`session`]: iron-session's cookie value (v8): an iron seal of the JSON session with
//!   iron-session's defaults (password map, highest id seals, `ttl` 14 days, `~2` suffix).
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use typed_cookies::interop::iron;
//!
//! #[derive(Serialize, Deserialize, PartialEq, Debug)]
//! struct Session { user_id: u64 }
//!
//! let sessions = iron::session([(1, "complex_password_at_least_32_characters_long")]).unwrap();
//! let cookie = sessions.seal(&Session { user_id: 42 }).unwrap();
//! assert!(cookie.starts_with("Fe26.2*1*") && cookie.ends_with("~2"));
//! assert_eq!(sessions.open::<Session>(&cookie).unwrap(), Session { user_id: 42 });
//! ```
//!
//! A seal is `Fe26.2*<password id>*<encryption salt>*<base64url iv>*<base64url ciphertext>*
//! <expiration ms or empty>*<hmac salt>*<base64url HMAC of everything before it>`. Unlike
//! iron, which reads the expiration before checking the HMAC, opening here authenticates first,
//! so a forged value is always [`OpenError::Invalid`] and only an authentic one can be
//! [`OpenError::Expired`].

use std::fmt;

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use rand::RngCore;
use serde::de::DeserializeOwned;
use serde::Serialize;
use time::Duration;
use zeroize::Zeroizing;

use super::Secret;

use super::{b64url_decode, b64url_encode, check_len, datetime, payload_mismatch};
use crate::clock::Clock;
use crate::error::{OpenError, SealError};
use crate::interop::Digest;

/// The prefix of every seal (iron's MAC format version 2).
pub const MAC_PREFIX: &str = "Fe26.2";
/// Iron's and iron-session's minimum password length, in characters.
pub const MIN_PASSWORD_LEN: usize = 32;
/// iron-session's default `ttl`: 14 days.
pub const SESSION_TTL: Duration = Duration::days(14);
/// Iron's `timestampSkewSec`: how long past its expiration a seal still opens.
pub const DEFAULT_SKEW: Duration = Duration::seconds(60);

const SESSION_SUFFIX: &str = "~2";

/// A password that iron would refuse.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PasswordError {
    /// Shorter than [`MIN_PASSWORD_LEN`] characters.
    #[error("iron password is {len} characters long; iron requires at least 32")]
    TooShort {
        /// Its length in characters (UTF-16 units, as JavaScript counts).
        len: usize,
    },
    /// A password id that is not letters, digits and `_` (iron's `/^\w+$/`).
    #[error("iron password id {id:?} must be letters, digits or `_`")]
    InvalidId {
        /// The refused id.
        id: String,
    },
    /// [`session`] was given no password.
    #[error("no password given")]
    Empty,
}

/// The message, as `Display` writes it: what a `main` returning this error prints.
impl std::fmt::Debug for PasswordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// `Iron.seal` / `Iron.unseal` with iron's default options.
///
/// The first password seals; [`fallback`](Self::fallback)s only open, found by the id in the
/// seal (`"default"` for a seal without id, as iron does). A sealer made by [`Sealer::new`]
/// has one password and no id, and — like iron given a plain string password — opens seals
/// whatever their id.
///
/// ```
/// use typed_cookies::interop::iron::Sealer;
/// use typed_cookies::time::Duration;
///
/// let old = Sealer::with_id("a", "an_old_password_of_at_least_32_chars_").unwrap();
/// let sealer = Sealer::with_id("b", "a_new_password_of_at_least_32_chars__").unwrap()
///     .fallback("a", "an_old_password_of_at_least_32_chars_").unwrap()
///     .ttl(Duration::hours(1));
/// let seal = old.seal(&[1, 2, 3]).unwrap();
/// assert_eq!(sealer.open::<Vec<u8>>(&seal).unwrap(), [1, 2, 3]);
/// assert!(sealer.seal(&0).unwrap().starts_with("Fe26.2*b*"));
/// ```
#[derive(Clone)]
pub struct Sealer {
    /// `(id, password)`; the first seals.
    passwords: Vec<(String, Secret)>,
    /// One password without id: opens any id.
    any_id: bool,
    ttl: Duration,
    skew: Duration,
    session: bool,
    clock: Clock,
}

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.passwords.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("iron::Sealer")
            .field("password_ids", &ids)
            .field("ttl", &self.ttl)
            .field("skew", &self.skew)
            .field("session", &self.session)
            .finish()
    }
}

fn check_password(password: &str) -> Result<Secret, PasswordError> {
    let len = password.encode_utf16().count();
    if len < MIN_PASSWORD_LEN {
        return Err(PasswordError::TooShort { len });
    }
    Ok(Zeroizing::new(password.as_bytes().to_vec()))
}

fn check_id(id: &str) -> Result<String, PasswordError> {
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(PasswordError::InvalidId { id: id.to_owned() });
    }
    Ok(id.to_owned())
}

/// iron-session's cookie value for its `password` option: a map of numeric ids to
/// passwords (a single string password is `[(1, password)]` there). The highest id seals;
/// all open. `ttl` is iron-session's default of 14 days (set it with [`Sealer::ttl`];
/// `Duration::ZERO` never expires, and iron-session then sets no cookie expiry). Values carry
/// iron-session's `~2` suffix; a seal without it is an iron-session v6/v7 cookie, whose
/// session is its `persistent` field.
///
/// ```
/// use std::collections::BTreeMap;
/// use typed_cookies::interop::iron;
///
/// let old = iron::session([(1, "first_password_that_is_32_chars_long")]).unwrap();
/// let now = iron::session([
///     (2, "second_password_that_is_32_chars_long"),
///     (1, "first_password_that_is_32_chars_long"),
/// ]).unwrap();
/// let cookie = old.seal(&BTreeMap::from([("user", "ada")])).unwrap();
/// let session: BTreeMap<String, String> = now.open(&cookie).unwrap();
/// assert_eq!(session["user"], "ada");
/// assert!(now.seal(&session).unwrap().starts_with("Fe26.2*2*"));
/// ```
pub fn session<I, S>(passwords: I) -> Result<Sealer, PasswordError>
where
    I: IntoIterator<Item = (u32, S)>,
    S: AsRef<str>,
{
    let mut passwords = passwords
        .into_iter()
        .map(|(id, pw)| Ok((id.to_string(), check_password(pw.as_ref())?, id)))
        .collect::<Result<Vec<_>, PasswordError>>()?;
    passwords.sort_by_key(|p| std::cmp::Reverse(p.2));
    passwords.dedup_by(|a, b| a.2 == b.2);
    if passwords.is_empty() {
        return Err(PasswordError::Empty);
    }
    Ok(Sealer {
        passwords: passwords.into_iter().map(|(id, pw, _)| (id, pw)).collect(),
        any_id: false,
        ttl: SESSION_TTL,
        skew: DEFAULT_SKEW,
        session: true,
        clock: Clock::system(),
    })
}

impl Sealer {
    /// One password (at least 32 characters), no id, no `ttl`: `Iron.seal(obj, password,
    /// Iron.defaults)`.
    ///
    /// ```
    /// use typed_cookies::interop::iron::{PasswordError, Sealer};
    /// let sealer = Sealer::new("some_not_random_password_that_is_also_long_enough").unwrap();
    /// assert!(sealer.seal("x").unwrap().starts_with("Fe26.2**"));
    /// assert_eq!(Sealer::new("short").unwrap_err(), PasswordError::TooShort { len: 5 });
    /// ```
    pub fn new(password: impl AsRef<str>) -> Result<Self, PasswordError> {
        Ok(Self {
            passwords: vec![(String::new(), check_password(password.as_ref())?)],
            any_id: true,
            ttl: Duration::ZERO,
            skew: DEFAULT_SKEW,
            session: false,
            clock: Clock::system(),
        })
    }

    /// A password with an id (`{ id, secret }`): seals name it, and opening looks it up.
    ///
    /// ```
    /// use typed_cookies::interop::iron::Sealer;
    /// let s = Sealer::with_id("k2", "some_not_random_password_that_is_also_long_enough").unwrap();
    /// assert!(s.seal("x").unwrap().starts_with("Fe26.2*k2*"));
    /// assert!(Sealer::with_id("k-2", "some_not_random_password_that_is_also_long_enough").is_err());
    /// ```
    pub fn with_id(id: impl AsRef<str>, password: impl AsRef<str>) -> Result<Self, PasswordError> {
        Ok(Self {
            passwords: vec![(check_id(id.as_ref())?, check_password(password.as_ref())?)],
            any_id: false,
            ..Self::new(password)?
        })
    }

    /// Another password that opens seals naming `id` (never used to seal). Use `"default"`
    /// for seals made without an id.
    ///
    /// ```
    /// use typed_cookies::interop::iron::Sealer;
    /// let pw = "some_not_random_password_that_is_also_long_enough";
    /// let seal = Sealer::new(pw).unwrap().seal(&1).unwrap();
    /// let s = Sealer::with_id("new", "another_password_that_is_long_enough_too").unwrap();
    /// assert!(s.open::<u8>(&seal).is_err());
    /// assert_eq!(s.fallback("default", pw).unwrap().open::<u8>(&seal).unwrap(), 1);
    /// ```
    pub fn fallback(
        mut self,
        id: impl AsRef<str>,
        password: impl AsRef<str>,
    ) -> Result<Self, PasswordError> {
        let id = check_id(id.as_ref())?;
        let password = check_password(password.as_ref())?;
        if self.any_id {
            // The single id-less password now answers for "default" only.
            self.any_id = false;
            if let Some(first) = self.passwords.first_mut() {
                if first.0.is_empty() {
                    first.0 = "default".to_owned();
                }
            }
        }
        self.passwords.push((id, password));
        Ok(self)
    }

    /// `ttl`: seals expire this long after sealing (`Duration::ZERO`: never, iron's default).
    ///
    /// ```
    /// use typed_cookies::interop::iron::Sealer;
    /// use typed_cookies::time::{Duration, OffsetDateTime};
    /// use typed_cookies::{ManualClock, OpenError};
    /// let clock = ManualClock::new(OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap());
    /// let s = Sealer::new("some_not_random_password_that_is_also_long_enough").unwrap()
    ///     .ttl(Duration::minutes(10)).clock(clock.clone());
    /// let seal = s.seal(&1).unwrap();
    /// assert!(seal.contains("*1700000600000*"));
    /// clock.advance(Duration::minutes(11)); // past ttl + 60 s skew
    /// assert!(matches!(s.open::<u8>(&seal), Err(OpenError::Expired { .. })));
    /// ```
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl.max(Duration::ZERO);
        self
    }

    /// `timestampSkewSec`: how long past its expiration a seal still opens (60 s).
    ///
    /// ```
    /// use typed_cookies::interop::iron::Sealer;
    /// use typed_cookies::time::Duration;
    /// let s = Sealer::new("some_not_random_password_that_is_also_long_enough").unwrap()
    ///     .skew(Duration::ZERO);
    /// assert_eq!(s.open::<u8>(&s.seal(&1).unwrap()).unwrap(), 1);
    /// ```
    pub fn skew(mut self, skew: Duration) -> Self {
        self.skew = skew.max(Duration::ZERO);
        self
    }

    /// Where "now" comes from (the expiration written, and the check).
    ///
    /// ```
    /// use typed_cookies::interop::iron::Sealer;
    /// use typed_cookies::time::{Duration, OffsetDateTime};
    /// use typed_cookies::Clock;
    /// let s = Sealer::new("some_not_random_password_that_is_also_long_enough").unwrap()
    ///     .ttl(Duration::seconds(1)).clock(Clock::fixed(OffsetDateTime::UNIX_EPOCH));
    /// assert!(s.seal(&1).unwrap().contains("*1000*"));
    /// ```
    pub fn clock(mut self, clock: impl Into<Clock>) -> Self {
        self.clock = clock.into();
        self
    }

    /// `Iron.seal(value, password, options)` (iron-session's `sealData` for [`session`]): the
    /// value's JSON, encrypted under fresh random salts and IV.
    ///
    /// ```
    /// use typed_cookies::interop::iron::Sealer;
    /// let s = Sealer::new("some_not_random_password_that_is_also_long_enough").unwrap();
    /// assert_ne!(s.seal("x").unwrap(), s.seal("x").unwrap()); // random salts and IV
    /// ```
    pub fn seal<T: Serialize + ?Sized>(&self, value: &T) -> Result<String, SealError> {
        let json = Zeroizing::new(serde_json::to_vec(value).map_err(|e| SealError::Serialize {
            reason: e.to_string(),
        })?);
        let (id, password) = &self.passwords[0];
        let now_ms = self.clock.unix_now().saturating_mul(1000);

        let enc_salt = random_salt();
        let mut iv = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut iv);
        let key = derive(password, &enc_salt);
        let encrypted = cbc::Encryptor::<aes::Aes256>::new(key.as_slice().into(), &iv.into())
            .encrypt_padded_vec_mut::<Pkcs7>(&json);

        let expiration = if self.ttl.is_positive() {
            let ttl_ms = i64::try_from(self.ttl.whole_milliseconds()).unwrap_or(i64::MAX);
            now_ms.saturating_add(ttl_ms).to_string()
        } else {
            String::new()
        };
        let id = if id == "default" { "" } else { id.as_str() };
        let mut out = format!(
            "{MAC_PREFIX}*{id}*{enc_salt}*{}*{}*{expiration}",
            b64url_encode(&iv),
            b64url_encode(&encrypted)
        );
        let mac_salt = random_salt();
        let mac = Digest::Sha256.hmac(&derive(password, &mac_salt), &[out.as_bytes()]);
        out.push('*');
        out.push_str(&mac_salt);
        out.push('*');
        out.push_str(&b64url_encode(&mac));
        if self.session {
            out.push_str(SESSION_SUFFIX);
            if out.len() > crate::MAX_COOKIE_LEN {
                return Err(SealError::TooLarge {
                    len: out.len(),
                    max: crate::MAX_COOKIE_LEN,
                });
            }
        }
        Ok(out)
    }

    /// `Iron.unseal(seal, password, options)` (iron-session's `unsealData` for [`session`]),
    /// typed: authenticate, check the expiration (with the skew), decrypt, decode into `T`.
    ///
    /// ```
    /// use typed_cookies::interop::iron::Sealer;
    /// use typed_cookies::OpenError;
    /// let s = Sealer::new("some_not_random_password_that_is_also_long_enough").unwrap();
    /// let seal = s.seal(&"secret").unwrap();
    /// assert_eq!(s.open::<String>(&seal).unwrap(), "secret");
    /// let other = Sealer::new("a_different_password_also_32_chars_long").unwrap();
    /// assert_eq!(other.open::<String>(&seal), Err(OpenError::Invalid));
    /// assert_eq!(s.open::<String>("Fe26.2*nope"), Err(OpenError::Malformed));
    /// ```
    pub fn open<T: DeserializeOwned>(&self, sealed: &str) -> Result<T, OpenError> {
        check_len(sealed)?;
        let (sealed, legacy) = if self.session {
            let mut pieces = sealed.split('~');
            let seal = pieces.next().unwrap_or_default();
            // iron-session reads only the first two `~` pieces; anything after a version
            // is never written by it, and refused here.
            match (pieces.next(), pieces.next()) {
                (None, _) => (seal, true),
                (Some("2"), None) => (seal, false),
                _ => return Err(OpenError::Malformed),
            }
        } else {
            (sealed, false)
        };
        let parts: Vec<&str> = sealed.split('*').collect();
        let [prefix, id, enc_salt, iv, encrypted, expiration, mac_salt, mac] = parts[..] else {
            return Err(OpenError::Malformed);
        };
        if prefix != MAC_PREFIX {
            return Err(OpenError::Malformed);
        }
        let expiration: Option<i64> = if expiration.is_empty() {
            None
        } else if expiration.bytes().all(|b| b.is_ascii_digit()) {
            Some(expiration.parse().map_err(|_| OpenError::Malformed)?)
        } else {
            return Err(OpenError::Malformed);
        };

        let password = if self.any_id {
            Some(&self.passwords[0].1)
        } else {
            let wanted = if id.is_empty() { "default" } else { id };
            self.passwords
                .iter()
                .find(|(pid, _)| pid == wanted)
                .map(|(_, pw)| pw)
        };
        // An unknown password id fails like a bad MAC (iron-session treats both alike).
        let password = password.ok_or(OpenError::Invalid)?;
        let tag = b64url_decode(mac).ok_or(OpenError::Invalid)?;
        let mac_base = &sealed[..sealed.len() - mac.len() - mac_salt.len() - 2];
        if !Digest::Sha256.verify(&derive(password, mac_salt), &[mac_base.as_bytes()], &tag) {
            return Err(OpenError::Invalid);
        }

        if let Some(exp_ms) = expiration {
            let now_ms = self.clock.unix_now().saturating_mul(1000);
            let skew_ms = i64::try_from(self.skew.whole_milliseconds()).unwrap_or(i64::MAX);
            if exp_ms <= now_ms.saturating_sub(skew_ms) {
                return Err(OpenError::Expired {
                    at: datetime(exp_ms.div_euclid(1000)),
                });
            }
        }

        let iv = b64url_decode(iv).ok_or(OpenError::Malformed)?;
        let encrypted = b64url_decode(encrypted).ok_or(OpenError::Malformed)?;
        let key = derive(password, enc_salt);
        let decryptor = cbc::Decryptor::<aes::Aes256>::new_from_slices(&key, &iv)
            .map_err(|_| OpenError::Malformed)?;
        let json = Zeroizing::new(
            decryptor
                .decrypt_padded_vec_mut::<Pkcs7>(&encrypted)
                .map_err(|_| OpenError::Malformed)?,
        );
        if legacy {
            // iron-session before v8 kept the session under `persistent`.
            let mut value: serde_json::Value =
                serde_json::from_slice(&json).map_err(|_| payload_mismatch::<T>())?;
            let persistent = value
                .get_mut("persistent")
                .map(serde_json::Value::take)
                .filter(|p| !p.is_null())
                .unwrap_or_else(|| serde_json::Value::Object(Default::default()));
            return T::deserialize(persistent).map_err(|_| payload_mismatch::<T>());
        }
        serde_json::from_slice(&json).map_err(|_| payload_mismatch::<T>())
    }
}

/// 256 random bits in hex, as iron makes its salts.
fn random_salt() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Iron's `generateKey`: PBKDF2-HMAC-SHA1(password, salt as text, 1 iteration, 32 bytes).
fn derive(password: &[u8], salt: &str) -> Secret {
    let mut key = Zeroizing::new(vec![0u8; 32]);
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt.as_bytes(), 1, &mut key);
    key
}
