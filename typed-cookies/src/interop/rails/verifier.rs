//! ActiveSupport's `MessageVerifier` with the JSON serializer: `base64(data)--hexdigest`.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

use super::metadata::{Expiry, Options};
use super::{b64_decode, b64_encode, hex_decode, hex_encode, SecretError};
use crate::clock::Clock;
use crate::error::{OpenError, SealError};
use crate::interop::{check_len, Digest, Secret};

/// `ActiveSupport::MessageVerifier.new(secret, digest:, serializer: JSON)`: signed, readable
/// messages `base64(data)--hex(HMAC(secret, base64(data)))`, with `purpose:`, expiry and
/// `rotate`.
///
/// The secret is used as given, as in Ruby; for `Rails.application.message_verifier(name)`
/// it is `KeyGenerator::new(secret_key_base)?.generate_key(name, 64)?` (that verifier uses
/// Marshal unless the app configures JSON, see the [module](super) docs).
///
/// ```
/// use typed_cookies::interop::{rails::MessageVerifier, Digest};
/// use typed_cookies::time::Duration;
///
/// let old = MessageVerifier::new("old secret").unwrap();
/// let verifier = MessageVerifier::new("new secret").unwrap()
///     .digest(Digest::Sha256)
///     .rotate(old.clone()) // verifier.rotate("old secret", digest: "SHA1")
///     .purpose("unsubscribe")
///     .expires_in(Duration::days(30));
/// let token = old.purpose("unsubscribe").seal(&42).unwrap();
/// assert_eq!(verifier.open::<u64>(&token).unwrap(), 42);
/// ```
#[derive(Clone)]
pub struct MessageVerifier {
    /// `(secret, digest)`; the first signs, all verify.
    pub(crate) keys: Vec<(Secret, Digest)>,
    pub(crate) options: Options,
}

impl fmt::Debug for MessageVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digests: Vec<Digest> = self.keys.iter().map(|(_, d)| *d).collect();
        f.debug_struct("rails::MessageVerifier")
            .field("keys", &format_args!("<{} redacted>", self.keys.len()))
            .field("digests", &digests)
            .field("purpose", &self.options.purpose)
            .field("expires", &self.options.expires)
            .field("embedded_metadata", &self.options.embedded)
            .finish()
    }
}

impl MessageVerifier {
    /// `MessageVerifier.new(secret)` with Rails' default digest, SHA-1, no purpose, no expiry,
    /// Rails ≤ 7.0's metadata layout and the system clock. An empty secret is refused.
    ///
    /// ```
    /// use typed_cookies::interop::rails::{MessageVerifier, SecretError};
    /// let v = MessageVerifier::new("s3Krit").unwrap();
    /// // MessageVerifier.new("s3Krit", serializer: JSON).generate("hi")
    /// assert_eq!(v.seal("hi").unwrap(), "ImhpIg==--c09ad4937336f5761d728dc733221faf9f43184e");
    /// assert_eq!(MessageVerifier::new("").unwrap_err(), SecretError::Empty);
    /// ```
    pub fn new(secret: impl AsRef<[u8]>) -> Result<Self, SecretError> {
        let secret = secret.as_ref();
        if secret.is_empty() {
            return Err(SecretError::Empty);
        }
        Ok(Self {
            keys: vec![(Zeroizing::new(secret.to_vec()), Digest::Sha1)],
            options: Options::default(),
        })
    }

    /// `digest:` of the secret given to [`new`](Self::new): SHA-1 (Rails' default), SHA-256
    /// or SHA-512.
    ///
    /// ```
    /// use typed_cookies::interop::{rails::MessageVerifier, Digest};
    /// let v = MessageVerifier::new("k").unwrap().digest(Digest::Sha256);
    /// assert_eq!(v.seal(&1).unwrap().split("--").nth(1).unwrap().len(), 64);
    /// ```
    pub fn digest(mut self, digest: Digest) -> Self {
        self.keys[0].1 = digest;
        self
    }

    /// `rotate`: the keys of `older` (its secret and digest, and its own rotations) also
    /// verify, after this verifier's; they never sign. Purpose and expiry stay this
    /// verifier's.
    ///
    /// ```
    /// use typed_cookies::interop::rails::MessageVerifier;
    /// let old = MessageVerifier::new("old").unwrap();
    /// let token = old.seal("x").unwrap();
    /// let v = MessageVerifier::new("new").unwrap();
    /// assert!(v.open::<String>(&token).is_err());
    /// assert_eq!(v.rotate(old).open::<String>(&token).unwrap(), "x");
    /// ```
    pub fn rotate(mut self, older: MessageVerifier) -> Self {
        self.keys.extend(older.keys);
        self
    }

    /// `purpose:`: sealed messages carry it, and only messages of this purpose open.
    ///
    /// ```
    /// use typed_cookies::interop::rails::MessageVerifier;
    /// use typed_cookies::OpenError;
    /// let v = MessageVerifier::new("k").unwrap();
    /// let token = v.clone().purpose("login").seal("x").unwrap();
    /// assert_eq!(v.clone().purpose("login").open::<String>(&token).unwrap(), "x");
    /// assert_eq!(v.clone().purpose("shipping").open::<String>(&token), Err(OpenError::Invalid));
    /// assert_eq!(v.open::<String>(&token), Err(OpenError::Invalid));
    /// ```
    pub fn purpose(mut self, purpose: impl Into<String>) -> Self {
        self.options.purpose = Some(purpose.into());
        self
    }

    /// `expires_in:`: sealed messages expire this long after sealing (`exp`, to the
    /// millisecond as Rails writes it). Opening checks any message's `exp`, set or not here.
    ///
    /// ```
    /// use typed_cookies::interop::rails::MessageVerifier;
    /// use typed_cookies::time::{Duration, OffsetDateTime};
    /// use typed_cookies::{ManualClock, OpenError};
    /// let clock = ManualClock::new(OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap());
    /// let v = MessageVerifier::new("k").unwrap().expires_in(Duration::hours(1)).clock(clock.clone());
    /// let token = v.seal("x").unwrap();
    /// clock.advance(Duration::hours(1));
    /// assert!(matches!(v.open::<String>(&token), Err(OpenError::Expired { .. })));
    /// ```
    pub fn expires_in(mut self, ttl: Duration) -> Self {
        self.options.expires = Some(Expiry::In(ttl));
        self
    }

    /// `expires_at:`: sealed messages expire at `at`.
    ///
    /// ```
    /// use typed_cookies::interop::rails::MessageVerifier;
    /// use typed_cookies::time::OffsetDateTime;
    /// let at = OffsetDateTime::from_unix_timestamp(4_102_444_800).unwrap(); // 2100-01-01
    /// let v = MessageVerifier::new("k").unwrap().expires_at(at);
    /// assert_eq!(v.open::<u8>(&v.seal(&1).unwrap()).unwrap(), 1);
    /// ```
    pub fn expires_at(mut self, at: OffsetDateTime) -> Self {
        self.options.expires = Some(Expiry::At(at));
        self
    }

    /// Rails 7.1's `use_message_serializer_for_metadata = true`: purpose and expiry go into
    /// the JSON itself (`{"_rails":{"data":…,"pur":…}}`) instead of a base64'd `message`.
    /// Opening reads both layouts either way.
    ///
    /// ```
    /// use typed_cookies::interop::rails::MessageVerifier;
    /// let v = MessageVerifier::new("k").unwrap().purpose("p");
    /// let token = v.clone().use_message_serializer_for_metadata(true).seal(&1).unwrap();
    /// assert_eq!(v.open::<u8>(&token).unwrap(), 1);
    /// ```
    pub fn use_message_serializer_for_metadata(mut self, on: bool) -> Self {
        self.options.embedded = on;
        self
    }

    /// Where "now" comes from (`expires_in` and the expiry check).
    ///
    /// ```
    /// use typed_cookies::interop::rails::MessageVerifier;
    /// use typed_cookies::{time::{Duration, OffsetDateTime}, Clock, OpenError};
    /// let then = MessageVerifier::new("k").unwrap().expires_in(Duration::seconds(1))
    ///     .clock(Clock::fixed(OffsetDateTime::UNIX_EPOCH));
    /// let token = then.seal(&1).unwrap();
    /// assert_eq!(then.open::<u8>(&token).unwrap(), 1);
    /// let now = MessageVerifier::new("k").unwrap(); // the system clock
    /// assert!(matches!(now.open::<u8>(&token), Err(OpenError::Expired { .. })));
    /// ```
    pub fn clock(mut self, clock: impl Into<Clock>) -> Self {
        self.options.clock = clock.into();
        self
    }

    /// `generate(value, purpose:, expires_in:)`: the value's JSON (as `ActiveSupport::JSON`
    /// writes it), in the metadata envelope when there is a purpose or expiry, signed with the
    /// first secret.
    ///
    /// ```
    /// use typed_cookies::interop::rails::MessageVerifier;
    /// let token = MessageVerifier::new("k").unwrap().seal(&[1, 2]).unwrap();
    /// assert!(token.starts_with("WzEsMl0=--")); // base64("[1,2]")
    /// ```
    #[doc(alias = "generate")]
    pub fn seal<T: Serialize + ?Sized>(&self, value: &T) -> Result<String, SealError> {
        let data = self.options.wrap(value)?;
        let (key, digest) = &self.keys[0];
        Ok(sign(key, *digest, &data))
    }

    /// `verified(message, purpose:)`, typed: authenticate with any secret, check purpose and
    /// expiry, decode the JSON into `T`.
    ///
    /// ```
    /// use typed_cookies::interop::rails::MessageVerifier;
    /// use typed_cookies::OpenError;
    /// let v = MessageVerifier::new("k").unwrap();
    /// let token = v.seal("x").unwrap();
    /// assert_eq!(v.open::<String>(&token).unwrap(), "x");
    /// assert_eq!(v.open::<String>(&token.replace("Ing", "Inh")), Err(OpenError::Invalid));
    /// assert_eq!(v.open::<String>("no separator"), Err(OpenError::Malformed));
    /// assert!(matches!(v.open::<u8>(&token), Err(OpenError::PayloadMismatch { .. })));
    /// ```
    #[doc(alias = "verified")]
    pub fn open<T: DeserializeOwned>(&self, message: &str) -> Result<T, OpenError> {
        check_len(message)?;
        let data = verify(self.keys.iter().map(|(k, d)| (&k[..], *d)), message)?;
        self.options.unwrap(&data)
    }
}

/// `"#{base64(data)}--#{hexdigest}"`.
pub(crate) fn sign(key: &[u8], digest: Digest, data: &[u8]) -> String {
    let encoded = b64_encode(data);
    let mac = digest.hmac(key, &[encoded.as_bytes()]);
    let mut out = encoded;
    out.push_str("--");
    out.push_str(&hex_encode(&mac));
    out
}

/// The data of a message signed with one of `keys`: exactly `data--digest`, both non-empty
/// (else [`OpenError::Malformed`]); a digest that none of the keys made is
/// [`OpenError::Invalid`].
pub(crate) fn verify<'k>(
    keys: impl IntoIterator<Item = (&'k [u8], Digest)>,
    message: &str,
) -> Result<Zeroizing<Vec<u8>>, OpenError> {
    let mut parts = message.split("--");
    let (Some(data), Some(digest), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(OpenError::Malformed);
    };
    if data.is_empty() || digest.is_empty() {
        return Err(OpenError::Malformed);
    }
    let tag = hex_decode(digest).ok_or(OpenError::Invalid)?;
    let authentic = keys
        .into_iter()
        .any(|(key, d)| tag.len() == d.output_len() && d.verify(key, &[data.as_bytes()], &tag));
    if !authentic {
        return Err(OpenError::Invalid);
    }
    b64_decode(data)
        .map(Zeroizing::new)
        .ok_or(OpenError::Malformed)
}
