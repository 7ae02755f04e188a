//! ActionDispatch's cookie jar settings: the keys a Rails application derives from
//! `secret_key_base` for `cookies.signed`, `cookies.encrypted` and the `CookieStore` session
//! cookie, its `config.action_dispatch` options and rotations.

use std::fmt;
use std::sync::{Arc, OnceLock};

use zeroize::Zeroizing;

use super::cipher::{EncKey, KEY_LEN};
use super::cookie::{EncryptedCookie, SignedCookie};
use super::encryptor::MessageEncryptor;
use super::metadata::Options;
use super::rotation::Rotation;
use super::verifier::MessageVerifier;
use super::{
    KeyGenerator, SecretError, AUTHENTICATED_ENCRYPTED_COOKIE_SALT, ENCRYPTED_COOKIE_SALT,
    ENCRYPTED_SIGNED_COOKIE_SALT, KEY_GENERATOR_ITERATIONS, SIGNED_COOKIE_SALT,
};
use crate::clock::Clock;
use crate::interop::{Digest, Secret};

/// The length of the signed cookies' HMAC key (`generate_key`'s default size).
const SIGN_KEY_LEN: usize = 64;

/// The cookie settings of `config.load_defaults` (the ones that change how cookies are made).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Defaults {
    /// Rails 5.2: AES-256-GCM, no purpose in cookies (`use_cookies_with_metadata = false`),
    /// SHA-1 key generator.
    V5_2,
    /// Rails 6.0: cookies carry their purpose `cookie.NAME`.
    V6_0,
    /// Rails 6.1 (what [`CookieJar::new`] starts from): as 6.0.
    V6_1,
    /// Rails 7.0 and later (7.1, 7.2, 8.0 make cookies the same way): the key generator
    /// hashes with SHA-256 (`key_generator_hash_digest_class`).
    V7_0,
}

/// A Rails application's cookie jar: its `secret_key_base`, the `config.action_dispatch`
/// cookie settings, and rotations. Hands out [`SignedCookie`]s (`cookies.signed[:name]`),
/// [`EncryptedCookie`]s (`cookies.encrypted[:name]`) and the session cookie.
///
/// Starts from Rails 6.1's defaults: keys by PBKDF2-HMAC-SHA1 (1000 iterations) from
/// `secret_key_base`, AES-256-GCM encrypted cookies that also read the AES-256-CBC cookies of
/// Rails < 5.2, HMAC-SHA1 signed cookies, a `cookie.NAME` purpose in every cookie. For a
/// Rails 7 application, [`load_defaults`](Self::load_defaults)`(Defaults::V7_0)`.
///
/// Keys are derived once per jar (and its clones), on first use: build the jar and its
/// cookies at start-up, not per request.
///
/// ```
/// use typed_cookies::interop::rails::CookieJar;
/// use typed_cookies::time::Duration;
///
/// let jar = CookieJar::new("0123456789abcdef".repeat(8)).unwrap()
///     .fallbacks(["an old secret_key_base"]);
/// // cookies.signed[:remember_me] = { value: 42, expires: 2.weeks }
/// let remember = jar.signed("remember_me").expires_in(Duration::weeks(2));
/// let value = remember.seal(&42).unwrap();
/// assert_eq!(remember.open::<u64>(&value).unwrap(), 42);
/// ```
#[derive(Clone)]
pub struct CookieJar {
    secret_key_base: Secret,
    key_generator_digest: Digest,
    iterations: u32,
    signed_cookie_salt: String,
    authenticated_encrypted_cookie_salt: String,
    encrypted_cookie_salt: String,
    encrypted_signed_cookie_salt: String,
    signed_cookie_digest: Digest,
    cookies_digest: Digest,
    authenticated_encryption: bool,
    legacy_cbc: bool,
    with_metadata: bool,
    accept_unpurposed: bool,
    rotations: Vec<Rotation>,
    clock: Clock,
    signed_keys: Arc<OnceLock<Vec<(Secret, Digest)>>>,
    encrypted_keys: Arc<OnceLock<Vec<EncKey>>>,
}

impl fmt::Debug for CookieJar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("rails::CookieJar")
            .field("secret_key_base", &"<redacted>")
            .field("key_generator_digest", &self.key_generator_digest)
            .field("iterations", &self.iterations)
            .field("signed_cookie_digest", &self.signed_cookie_digest)
            .field("authenticated_encryption", &self.authenticated_encryption)
            .field("legacy_cbc", &self.legacy_cbc)
            .field("cookies_with_metadata", &self.with_metadata)
            .field("accept_unpurposed", &self.accept_unpurposed)
            .field("rotations", &self.rotations)
            .finish()
    }
}

impl CookieJar {
    /// The jar of an application whose `secret_key_base` is `secret_key_base` (the string as
    /// Rails has it, usually 128 hex characters), with Rails 6.1's defaults. An empty secret
    /// is refused, as Rails refuses it.
    ///
    /// ```
    /// use typed_cookies::interop::rails::{CookieJar, SecretError};
    /// assert!(CookieJar::new("0123456789abcdef".repeat(8)).is_ok());
    /// assert_eq!(CookieJar::new("").unwrap_err(), SecretError::Empty);
    /// ```
    pub fn new(secret_key_base: impl AsRef<[u8]>) -> Result<Self, SecretError> {
        let secret = secret_key_base.as_ref();
        if secret.is_empty() {
            return Err(SecretError::Empty);
        }
        Ok(Self {
            secret_key_base: Zeroizing::new(secret.to_vec()),
            key_generator_digest: Digest::Sha1,
            iterations: KEY_GENERATOR_ITERATIONS,
            signed_cookie_salt: SIGNED_COOKIE_SALT.to_owned(),
            authenticated_encrypted_cookie_salt: AUTHENTICATED_ENCRYPTED_COOKIE_SALT.to_owned(),
            encrypted_cookie_salt: ENCRYPTED_COOKIE_SALT.to_owned(),
            encrypted_signed_cookie_salt: ENCRYPTED_SIGNED_COOKIE_SALT.to_owned(),
            signed_cookie_digest: Digest::Sha1,
            cookies_digest: Digest::Sha1,
            authenticated_encryption: true,
            legacy_cbc: true,
            with_metadata: true,
            accept_unpurposed: false,
            rotations: Vec::new(),
            clock: Clock::system(),
            signed_keys: Arc::default(),
            encrypted_keys: Arc::default(),
        })
    }

    /// Settings change the keys: derive them again on next use.
    fn changed(mut self) -> Self {
        self.signed_keys = Arc::default();
        self.encrypted_keys = Arc::default();
        self
    }

    /// `config.load_defaults`: the cookie settings of that Rails version (key generator
    /// digest, purpose in cookies).
    ///
    /// ```
    /// use typed_cookies::interop::rails::{CookieJar, Defaults};
    /// let secret = "0123456789abcdef".repeat(8);
    /// let v = CookieJar::new(&secret).unwrap().load_defaults(Defaults::V7_0).signed("c").seal(&1).unwrap();
    /// assert!(CookieJar::new(&secret).unwrap().signed("c").open::<u8>(&v).is_err());
    /// ```
    pub fn load_defaults(mut self, defaults: Defaults) -> Self {
        self.with_metadata = defaults != Defaults::V5_2;
        self.key_generator_digest = match defaults {
            Defaults::V7_0 => Digest::Sha256,
            _ => Digest::Sha1,
        };
        self.changed()
    }

    /// `config.active_support.key_generator_hash_digest_class`: SHA-1 up to Rails 6.1,
    /// SHA-256 with Rails 7.0's defaults.
    ///
    /// ```
    /// use typed_cookies::interop::{rails::{CookieJar, Defaults}, Digest};
    /// let a = CookieJar::new("k").unwrap().key_generator_digest(Digest::Sha256);
    /// let b = CookieJar::new("k").unwrap().load_defaults(Defaults::V7_0);
    /// assert_eq!(b.signed("c").open::<u8>(&a.signed("c").seal(&1).unwrap()).unwrap(), 1);
    /// ```
    pub fn key_generator_digest(mut self, digest: Digest) -> Self {
        self.key_generator_digest = digest;
        self.changed()
    }

    /// The key generator's iterations (1000 in every Rails application).
    ///
    /// ```
    /// use typed_cookies::interop::rails::CookieJar;
    /// let a = CookieJar::new("k").unwrap().iterations(2);
    /// assert!(CookieJar::new("k").unwrap().signed("c").open::<u8>(&a.signed("c").seal(&1).unwrap()).is_err());
    /// ```
    pub fn iterations(mut self, iterations: u32) -> Self {
        self.iterations = iterations.max(1);
        self.changed()
    }

    /// `config.action_dispatch.signed_cookie_digest` (SHA-1 by default).
    ///
    /// ```
    /// use typed_cookies::interop::{rails::CookieJar, Digest};
    /// let jar = CookieJar::new("k").unwrap().signed_cookie_digest(Digest::Sha256);
    /// assert_eq!(jar.signed("c").seal(&1).unwrap().rsplit("--").next().unwrap().len(), 64);
    /// ```
    pub fn signed_cookie_digest(mut self, digest: Digest) -> Self {
        self.signed_cookie_digest = digest;
        self.changed()
    }

    /// `config.action_dispatch.cookies_digest`: the HMAC digest of legacy AES-256-CBC cookies
    /// read by an AES-GCM jar (SHA-1 by default).
    ///
    /// ```
    /// use typed_cookies::interop::{rails::CookieJar, Digest};
    /// let jar = CookieJar::new("k").unwrap().cookies_digest(Digest::Sha256);
    /// assert!(format!("{jar:?}").contains("CookieJar"));
    /// ```
    pub fn cookies_digest(mut self, digest: Digest) -> Self {
        self.cookies_digest = digest;
        self.changed()
    }

    /// `config.action_dispatch.use_authenticated_cookie_encryption`: `true` (Rails ≥ 5.2)
    /// encrypts with AES-256-GCM; `false` writes the AES-256-CBC + HMAC-SHA1 cookies of
    /// older Rails. Both are read either way, as Rails reads them.
    ///
    /// ```
    /// use typed_cookies::interop::rails::CookieJar;
    /// let old = CookieJar::new("k").unwrap().authenticated_encryption(false);
    /// let v = old.encrypted("c").seal(&1).unwrap();
    /// assert_eq!(v.matches("--").count(), 1); // base64(data--iv)--hmac
    /// assert_eq!(CookieJar::new("k").unwrap().encrypted("c").open::<u8>(&v).unwrap(), 1);
    /// ```
    pub fn authenticated_encryption(mut self, on: bool) -> Self {
        self.authenticated_encryption = on;
        self.changed()
    }

    /// Whether an AES-GCM jar also reads legacy AES-256-CBC cookies (on, as in Rails while
    /// `encrypted_cookie_salt` and `encrypted_signed_cookie_salt` are set). Turn it off once
    /// no such cookie can be left.
    ///
    /// ```
    /// use typed_cookies::interop::rails::CookieJar;
    /// let v = CookieJar::new("k").unwrap().authenticated_encryption(false).encrypted("c").seal(&1).unwrap();
    /// let jar = CookieJar::new("k").unwrap().legacy_cbc(false);
    /// assert!(jar.encrypted("c").open::<u8>(&v).is_err());
    /// ```
    pub fn legacy_cbc(mut self, on: bool) -> Self {
        self.legacy_cbc = on;
        self.changed()
    }

    /// `config.action_dispatch.use_cookies_with_metadata` (Rails ≥ 6.0): cookies carry the
    /// purpose `cookie.NAME`, so a value cannot be moved to another cookie. With `false`
    /// (Rails 5.2), cookies are written without it and read with or without it, as Rails does.
    ///
    /// ```
    /// use typed_cookies::interop::rails::CookieJar;
    /// let jar = CookieJar::new("k").unwrap().cookies_with_metadata(false);
    /// let v = jar.signed("a").seal(&1).unwrap();
    /// assert_eq!(jar.signed("b").open::<u8>(&v).unwrap(), 1); // no purpose: any name
    /// ```
    pub fn cookies_with_metadata(mut self, on: bool) -> Self {
        self.with_metadata = on;
        self.changed()
    }

    /// Also read cookies without a purpose (written by Rails < 6.0, or with
    /// `use_cookies_with_metadata = false`) under any name, as Rails does. Off by default:
    /// such a value can be moved from one cookie to another, so turn it on only while such
    /// cookies may still be around.
    ///
    /// ```
    /// use typed_cookies::interop::rails::CookieJar;
    /// use typed_cookies::OpenError;
    /// let v = CookieJar::new("k").unwrap().cookies_with_metadata(false).signed("c").seal(&1).unwrap();
    /// assert_eq!(CookieJar::new("k").unwrap().signed("c").open::<u8>(&v), Err(OpenError::Invalid));
    /// let jar = CookieJar::new("k").unwrap().accept_unpurposed(true);
    /// assert_eq!(jar.signed("c").open::<u8>(&v).unwrap(), 1);
    /// ```
    pub fn accept_unpurposed(mut self, on: bool) -> Self {
        self.accept_unpurposed = on;
        self
    }

    /// `config.action_dispatch.signed_cookie_salt` (`"signed cookie"`).
    ///
    /// ```
    /// use typed_cookies::interop::rails::CookieJar;
    /// let a = CookieJar::new("k").unwrap().signed_cookie_salt("custom");
    /// assert!(CookieJar::new("k").unwrap().signed("c").open::<u8>(&a.signed("c").seal(&1).unwrap()).is_err());
    /// ```
    pub fn signed_cookie_salt(mut self, salt: impl Into<String>) -> Self {
        self.signed_cookie_salt = salt.into();
        self.changed()
    }

    /// `config.action_dispatch.authenticated_encrypted_cookie_salt`
    /// (`"authenticated encrypted cookie"`).
    ///
    /// ```
    /// use typed_cookies::interop::rails::CookieJar;
    /// let a = CookieJar::new("k").unwrap().authenticated_encrypted_cookie_salt("custom");
    /// assert!(CookieJar::new("k").unwrap().encrypted("c").open::<u8>(&a.encrypted("c").seal(&1).unwrap()).is_err());
    /// ```
    pub fn authenticated_encrypted_cookie_salt(mut self, salt: impl Into<String>) -> Self {
        self.authenticated_encrypted_cookie_salt = salt.into();
        self.changed()
    }

    /// `config.action_dispatch.encrypted_cookie_salt` (`"encrypted cookie"`, legacy CBC).
    ///
    /// ```
    /// use typed_cookies::interop::rails::CookieJar;
    /// let jar = CookieJar::new("k").unwrap().encrypted_cookie_salt("custom");
    /// assert!(format!("{jar:?}").contains("legacy_cbc: true"));
    /// ```
    pub fn encrypted_cookie_salt(mut self, salt: impl Into<String>) -> Self {
        self.encrypted_cookie_salt = salt.into();
        self.changed()
    }

    /// `config.action_dispatch.encrypted_signed_cookie_salt` (`"signed encrypted cookie"`,
    /// legacy CBC's HMAC key).
    ///
    /// ```
    /// use typed_cookies::interop::rails::CookieJar;
    /// let jar = CookieJar::new("k").unwrap().encrypted_signed_cookie_salt("custom");
    /// assert!(format!("{jar:?}").contains("legacy_cbc: true"));
    /// ```
    pub fn encrypted_signed_cookie_salt(mut self, salt: impl Into<String>) -> Self {
        self.encrypted_signed_cookie_salt = salt.into();
        self.changed()
    }

    /// Adds a [`Rotation`]: cookies made under it still open (they are never made with it),
    /// after the jar's own keys, in the order added.
    ///
    /// ```
    /// use typed_cookies::interop::{rails::{CookieJar, Rotation}, Digest};
    /// let old = CookieJar::new("old").unwrap();
    /// let jar = CookieJar::new("new").unwrap()
    ///     .rotate(Rotation::new().secret_key_base("old"));
    /// let v = old.encrypted("c").seal("x").unwrap();
    /// assert_eq!(jar.encrypted("c").open::<String>(&v).unwrap(), "x");
    /// ```
    pub fn rotate(mut self, rotation: Rotation) -> Self {
        self.rotations.push(rotation);
        self.changed()
    }

    /// Old `secret_key_base` values, each as a [`Rotation`] with the jar's other settings.
    ///
    /// ```
    /// use typed_cookies::interop::rails::CookieJar;
    /// let v = CookieJar::new("old").unwrap().signed("c").seal(&1).unwrap();
    /// assert_eq!(CookieJar::new("new").unwrap().fallbacks(["old"]).signed("c").open::<u8>(&v).unwrap(), 1);
    /// ```
    pub fn fallbacks<I, S>(mut self, secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        self.rotations.extend(
            secrets
                .into_iter()
                .map(|s| Rotation::new().secret_key_base(s)),
        );
        self.changed()
    }

    /// Where "now" comes from (`expires_in` and the expiry check), for every cookie made
    /// from the jar afterwards.
    ///
    /// ```
    /// use typed_cookies::interop::rails::CookieJar;
    /// use typed_cookies::{time::OffsetDateTime, Clock};
    /// let jar = CookieJar::new("k").unwrap().clock(Clock::fixed(OffsetDateTime::UNIX_EPOCH));
    /// assert_eq!(jar.signed("c").open::<u8>(&jar.signed("c").seal(&1).unwrap()).unwrap(), 1);
    /// ```
    pub fn clock(mut self, clock: impl Into<Clock>) -> Self {
        self.clock = clock.into();
        self
    }

    /// `cookies.signed[name]`: readable, signed with HMAC (`base64(data)--hexdigest`).
    ///
    /// ```
    /// use typed_cookies::interop::rails::CookieJar;
    /// let jar = CookieJar::new("k").unwrap();
    /// let v = jar.signed("theme").seal("dark").unwrap();
    /// assert_eq!(jar.signed("theme").open::<String>(&v).unwrap(), "dark");
    /// assert!(jar.signed("other").open::<String>(&v).is_err()); // purpose cookie.theme
    /// ```
    pub fn signed(&self, name: impl Into<String>) -> SignedCookie {
        let keys = self
            .signed_keys
            .get_or_init(|| self.derive_signed())
            .clone();
        let name = name.into();
        SignedCookie {
            verifier: MessageVerifier {
                keys,
                options: self.options(&name),
            },
            name,
        }
    }

    /// `cookies.encrypted[name]`: AES-256-GCM (or legacy CBC), unreadable without the key.
    ///
    /// ```
    /// use typed_cookies::interop::rails::CookieJar;
    /// let jar = CookieJar::new("k").unwrap();
    /// let v = jar.encrypted("discount").seal(&45).unwrap();
    /// assert_eq!(jar.encrypted("discount").open::<u32>(&v).unwrap(), 45);
    /// ```
    pub fn encrypted(&self, name: impl Into<String>) -> EncryptedCookie {
        let keys = self
            .encrypted_keys
            .get_or_init(|| self.derive_encrypted())
            .clone();
        let name = name.into();
        let options = self.options(&name);
        // The key checks of `MessageEncryptor::new` hold: every key is derived at 32 bytes.
        let encryptor = MessageEncryptor::from_keys(keys, options);
        EncryptedCookie { encryptor, name }
    }

    /// The `CookieStore` session cookie `name` (`config.session_store :cookie_store, key:
    /// "_app_session"`; Rails names it `_<app>_session`): the encrypted cookie of that name,
    /// holding the session hash as a JSON object (`session_id`, `_csrf_token`, the
    /// application's keys). Give it Rails' `expire_after` with
    /// [`EncryptedCookie::expires_in`].
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use typed_cookies::interop::rails::CookieJar;
    /// let sessions = CookieJar::new("k").unwrap().session("_app_session");
    /// let v = sessions.seal(&BTreeMap::from([("session_id", "3f…"), ("user_id", "7")])).unwrap();
    /// let session: BTreeMap<String, String> = sessions.open(&v).unwrap();
    /// assert_eq!(session["user_id"], "7");
    /// ```
    pub fn session(&self, name: impl Into<String>) -> EncryptedCookie {
        self.encrypted(name)
    }

    /// The options of cookie `name`: purpose `cookie.NAME`, written when the jar writes
    /// metadata.
    fn options(&self, name: &str) -> Options {
        Options {
            purpose: Some(format!("cookie.{name}")),
            omit_purpose: !self.with_metadata,
            also_unpurposed: self.accept_unpurposed || !self.with_metadata,
            expires: None,
            embedded: false,
            legacy_envelope_only: true,
            clock: self.clock.clone(),
        }
    }

    /// The key generators and signed-cookie digests: the jar's, then each rotation's.
    fn generations(&self) -> Vec<(KeyGenerator, Digest)> {
        let own = Rotation {
            secret_key_base: Some(self.secret_key_base.clone()),
            ..Rotation::default()
        };
        std::iter::once(&own)
            .chain(&self.rotations)
            .filter_map(|r| {
                let secret = r.secret_key_base.as_ref().unwrap_or(&self.secret_key_base);
                let generator = KeyGenerator::new(&secret[..])
                    .ok()?
                    .digest(r.key_generator_digest.unwrap_or(self.key_generator_digest))
                    .iterations(r.iterations.unwrap_or(self.iterations));
                Some((
                    generator,
                    r.signed_cookie_digest.unwrap_or(self.signed_cookie_digest),
                ))
            })
            .collect()
    }

    fn derive_signed(&self) -> Vec<(Secret, Digest)> {
        self.generations()
            .iter()
            .map(|(g, digest)| (g.derive(&self.signed_cookie_salt, SIGN_KEY_LEN), *digest))
            .collect()
    }

    /// AES-GCM keys first when the jar writes AES-GCM, else the CBC keys.
    fn derive_encrypted(&self) -> Vec<EncKey> {
        let generations = self.generations();
        let gcm = generations.iter().map(|(g, _)| EncKey::Gcm {
            key: g.derive(&self.authenticated_encrypted_cookie_salt, KEY_LEN),
        });
        // Rails signs CBC cookies with SHA-1 in a CBC jar, and with `cookies_digest` when an
        // AES-GCM jar reads them.
        let cbc_digest = if self.authenticated_encryption {
            self.cookies_digest
        } else {
            Digest::Sha1
        };
        let cbc = generations.iter().map(|(g, _)| EncKey::Cbc {
            key: g.derive(&self.encrypted_cookie_salt, KEY_LEN),
            sign_key: g.derive(&self.encrypted_signed_cookie_salt, SIGN_KEY_LEN),
            digest: cbc_digest,
        });
        if !self.authenticated_encryption {
            cbc.chain(gcm).collect()
        } else if self.legacy_cbc {
            gcm.chain(cbc).collect()
        } else {
            gcm.collect()
        }
    }
}
