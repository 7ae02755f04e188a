//! ActiveSupport's `MessageEncryptor` with the JSON serializer: AES-256-GCM (Rails ≥ 5.2) or
//! AES-256-CBC signed with HMAC (older Rails).

use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

use super::cipher::{self, EncKey, KEY_LEN};
use super::metadata::{Expiry, Options};
use super::SecretError;
use crate::clock::Clock;
use crate::error::{OpenError, SealError};
use crate::interop::{check_len, Digest, Secret};

/// The cipher of a [`MessageEncryptor`] (`cipher:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Cipher {
    /// `"aes-256-gcm"`: Rails' default since 5.2 (`use_authenticated_message_encryption`,
    /// `use_authenticated_cookie_encryption`).
    #[default]
    Aes256Gcm,
    /// `"aes-256-cbc"`, encrypt-then-MAC with a `MessageVerifier`: Rails before 5.2.
    Aes256Cbc,
}

/// `ActiveSupport::MessageEncryptor.new(secret, sign_secret, cipher:, digest:, serializer:
/// JSON)`: `encrypt_and_sign` ([`seal`](Self::seal)) and `decrypt_and_verify`
/// ([`open`](Self::open)) with `purpose:`, expiry and `rotate`.
///
/// ```
/// use typed_cookies::interop::rails::{KeyGenerator, MessageEncryptor};
///
/// // key = ActiveSupport::KeyGenerator.new(password).generate_key(salt, 32)
/// let key = KeyGenerator::new("password").unwrap().generate_key("salt", 32).unwrap();
/// let crypt = MessageEncryptor::new(&*key).unwrap().purpose("login");
/// let token = crypt.seal("this is the chair").unwrap(); // data--iv--tag
/// assert_eq!(token.matches("--").count(), 2);
/// assert_eq!(crypt.open::<String>(&token).unwrap(), "this is the chair");
/// ```
#[derive(Clone)]
pub struct MessageEncryptor {
    secret: Secret,
    sign_secret: Option<Secret>,
    cipher: Cipher,
    digest: Digest,
    /// The first seals (built from the four fields above); all open.
    pub(crate) keys: Vec<EncKey>,
    pub(crate) options: Options,
}

impl fmt::Debug for MessageEncryptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("rails::MessageEncryptor")
            .field("keys", &format_args!("<{} redacted>", self.keys.len()))
            .field("cipher", &self.cipher)
            .field("digest", &self.digest)
            .field("purpose", &self.options.purpose)
            .field("expires", &self.options.expires)
            .field("embedded_metadata", &self.options.embedded)
            .finish()
    }
}

impl MessageEncryptor {
    /// `MessageEncryptor.new(secret)` with AES-256-GCM. The secret is the AES key, exactly 32
    /// bytes as OpenSSL requires (derive one with [`KeyGenerator::generate_key`](super::KeyGenerator::generate_key)).
    ///
    /// ```
    /// use typed_cookies::interop::rails::{MessageEncryptor, SecretError};
    /// assert!(MessageEncryptor::new([7u8; 32]).is_ok());
    /// assert_eq!(
    ///     MessageEncryptor::new(b"short").unwrap_err(),
    ///     SecretError::WrongLength { len: 5, expected: 32 }
    /// );
    /// ```
    pub fn new(secret: impl AsRef<[u8]>) -> Result<Self, SecretError> {
        let secret = secret.as_ref();
        if secret.len() != KEY_LEN {
            return Err(SecretError::WrongLength {
                len: secret.len(),
                expected: KEY_LEN,
            });
        }
        let mut this = Self {
            secret: Zeroizing::new(secret.to_vec()),
            sign_secret: None,
            cipher: Cipher::Aes256Gcm,
            digest: Digest::Sha1,
            keys: Vec::with_capacity(1),
            options: Options::default(),
        };
        this.keys.push(this.primary());
        Ok(this)
    }

    /// `cipher:`: [`Cipher::Aes256Gcm`] (default) or [`Cipher::Aes256Cbc`].
    ///
    /// ```
    /// use typed_cookies::interop::rails::{Cipher, MessageEncryptor};
    /// let cbc = MessageEncryptor::new([7u8; 32]).unwrap().cipher(Cipher::Aes256Cbc);
    /// let token = cbc.seal(&1).unwrap(); // base64(data--iv)--hexdigest
    /// assert_eq!(token.matches("--").count(), 1);
    /// assert_eq!(cbc.open::<u8>(&token).unwrap(), 1);
    /// ```
    pub fn cipher(mut self, cipher: Cipher) -> Self {
        self.cipher = cipher;
        self.keys[0] = self.primary();
        self
    }

    /// The second argument of `MessageEncryptor.new(secret, sign_secret)`: the HMAC key of
    /// the CBC cipher (without one, the secret signs too, as in Rails). Ignored by AES-GCM.
    ///
    /// ```
    /// use typed_cookies::interop::rails::{Cipher, MessageEncryptor};
    /// let a = MessageEncryptor::new([7u8; 32]).unwrap().cipher(Cipher::Aes256Cbc);
    /// let b = a.clone().sign_secret([9u8; 64]);
    /// assert!(b.open::<u8>(&a.seal(&1).unwrap()).is_err());
    /// ```
    pub fn sign_secret(mut self, sign_secret: impl AsRef<[u8]>) -> Self {
        self.sign_secret = Some(Zeroizing::new(sign_secret.as_ref().to_vec()));
        self.keys[0] = self.primary();
        self
    }

    /// `digest:` of the CBC cipher's HMAC (SHA-1 by default). Ignored by AES-GCM.
    ///
    /// ```
    /// use typed_cookies::interop::{rails::{Cipher, MessageEncryptor}, Digest};
    /// let e = MessageEncryptor::new([7u8; 32]).unwrap().cipher(Cipher::Aes256Cbc).digest(Digest::Sha256);
    /// assert_eq!(e.seal(&1).unwrap().rsplit("--").next().unwrap().len(), 64);
    /// ```
    pub fn digest(mut self, digest: Digest) -> Self {
        self.digest = digest;
        self.keys[0] = self.primary();
        self
    }

    /// An encryptor over keys derived elsewhere (the cookie jar's; all 32-byte AES keys).
    pub(crate) fn from_keys(keys: Vec<EncKey>, options: Options) -> Self {
        let cipher = match keys.first() {
            Some(EncKey::Cbc { .. }) => Cipher::Aes256Cbc,
            _ => Cipher::Aes256Gcm,
        };
        Self {
            secret: Zeroizing::default(),
            sign_secret: None,
            cipher,
            digest: Digest::Sha1,
            keys,
            options,
        }
    }

    fn primary(&self) -> EncKey {
        match self.cipher {
            Cipher::Aes256Gcm => EncKey::Gcm {
                key: self.secret.clone(),
            },
            Cipher::Aes256Cbc => EncKey::Cbc {
                key: self.secret.clone(),
                sign_key: self
                    .sign_secret
                    .clone()
                    .unwrap_or_else(|| self.secret.clone()),
                digest: self.digest,
            },
        }
    }

    /// `rotate`: the keys of `older` (and its own rotations) also open, after this
    /// encryptor's; they never seal. Purpose and expiry stay this encryptor's.
    ///
    /// ```
    /// use typed_cookies::interop::rails::{Cipher, MessageEncryptor};
    /// // crypt.rotate old_secret, cipher: "aes-256-cbc"
    /// let old = MessageEncryptor::new([1u8; 32]).unwrap().cipher(Cipher::Aes256Cbc);
    /// let crypt = MessageEncryptor::new([2u8; 32]).unwrap().rotate(old.clone());
    /// assert_eq!(crypt.open::<u8>(&old.seal(&5).unwrap()).unwrap(), 5);
    /// ```
    pub fn rotate(mut self, older: MessageEncryptor) -> Self {
        self.keys.extend(older.keys);
        self
    }

    /// `purpose:`: sealed messages carry it, and only messages of this purpose open.
    ///
    /// ```
    /// use typed_cookies::interop::rails::MessageEncryptor;
    /// use typed_cookies::OpenError;
    /// let e = MessageEncryptor::new([7u8; 32]).unwrap();
    /// let token = e.clone().purpose("login").seal(&1).unwrap();
    /// assert_eq!(e.clone().purpose("shipping").open::<u8>(&token), Err(OpenError::Invalid));
    /// ```
    pub fn purpose(mut self, purpose: impl Into<String>) -> Self {
        self.options.purpose = Some(purpose.into());
        self
    }

    /// `expires_in:`: sealed messages expire this long after sealing.
    ///
    /// ```
    /// use typed_cookies::interop::rails::MessageEncryptor;
    /// use typed_cookies::time::{Duration, OffsetDateTime};
    /// use typed_cookies::{ManualClock, OpenError};
    /// let clock = ManualClock::new(OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap());
    /// let e = MessageEncryptor::new([7u8; 32]).unwrap().expires_in(Duration::minutes(5)).clock(clock.clone());
    /// let token = e.seal(&1).unwrap();
    /// clock.advance(Duration::minutes(5));
    /// assert!(matches!(e.open::<u8>(&token), Err(OpenError::Expired { .. })));
    /// ```
    pub fn expires_in(mut self, ttl: Duration) -> Self {
        self.options.expires = Some(Expiry::In(ttl));
        self
    }

    /// `expires_at:`: sealed messages expire at `at`.
    ///
    /// ```
    /// use typed_cookies::interop::rails::MessageEncryptor;
    /// use typed_cookies::{time::OffsetDateTime, OpenError};
    /// let e = MessageEncryptor::new([7u8; 32]).unwrap().expires_at(OffsetDateTime::UNIX_EPOCH);
    /// assert!(matches!(e.open::<u8>(&e.seal(&1).unwrap()), Err(OpenError::Expired { .. })));
    /// ```
    pub fn expires_at(mut self, at: OffsetDateTime) -> Self {
        self.options.expires = Some(Expiry::At(at));
        self
    }

    /// Rails 7.1's `use_message_serializer_for_metadata = true` (see
    /// [`MessageVerifier::use_message_serializer_for_metadata`](super::MessageVerifier::use_message_serializer_for_metadata)).
    ///
    /// ```
    /// use typed_cookies::interop::rails::MessageEncryptor;
    /// let e = MessageEncryptor::new([7u8; 32]).unwrap().purpose("p");
    /// let token = e.clone().use_message_serializer_for_metadata(true).seal(&1).unwrap();
    /// assert_eq!(e.open::<u8>(&token).unwrap(), 1);
    /// ```
    pub fn use_message_serializer_for_metadata(mut self, on: bool) -> Self {
        self.options.embedded = on;
        self
    }

    /// Where "now" comes from (`expires_in` and the expiry check).
    ///
    /// ```
    /// use typed_cookies::interop::rails::MessageEncryptor;
    /// use typed_cookies::{time::OffsetDateTime, Clock};
    /// let e = MessageEncryptor::new([7u8; 32]).unwrap().clock(Clock::fixed(OffsetDateTime::UNIX_EPOCH));
    /// assert_eq!(e.open::<u8>(&e.seal(&1).unwrap()).unwrap(), 1);
    /// ```
    pub fn clock(mut self, clock: impl Into<Clock>) -> Self {
        self.options.clock = clock.into();
        self
    }

    /// `encrypt_and_sign(value, purpose:, expires_in:)`: the value's JSON, in the metadata
    /// envelope when there is a purpose or expiry, encrypted under a fresh random IV.
    ///
    /// ```
    /// use typed_cookies::interop::rails::MessageEncryptor;
    /// let e = MessageEncryptor::new([7u8; 32]).unwrap();
    /// assert_ne!(e.seal("x").unwrap(), e.seal("x").unwrap());
    /// ```
    #[doc(alias = "encrypt_and_sign")]
    pub fn seal<T: Serialize + ?Sized>(&self, value: &T) -> Result<String, SealError> {
        let data = self.options.wrap(value)?;
        Ok(cipher::seal(&self.keys[0], &data))
    }

    /// `decrypt_and_verify(message, purpose:)`, typed: decrypt with any key of the message's
    /// cipher, check purpose and expiry, decode the JSON into `T`.
    ///
    /// ```
    /// use typed_cookies::interop::rails::MessageEncryptor;
    /// use typed_cookies::OpenError;
    /// let e = MessageEncryptor::new([7u8; 32]).unwrap();
    /// let token = e.seal("x").unwrap();
    /// assert_eq!(e.open::<String>(&token).unwrap(), "x");
    /// let other = MessageEncryptor::new([8u8; 32]).unwrap();
    /// assert_eq!(other.open::<String>(&token), Err(OpenError::Invalid));
    /// assert_eq!(e.open::<String>("a--b--c--d"), Err(OpenError::Malformed));
    /// ```
    #[doc(alias = "decrypt_and_verify")]
    pub fn open<T: DeserializeOwned>(&self, message: &str) -> Result<T, OpenError> {
        check_len(message)?;
        let data = cipher::open(&self.keys, message)?;
        self.options.unwrap(&data)
    }
}
