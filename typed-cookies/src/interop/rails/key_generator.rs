//! ActiveSupport's `KeyGenerator`: PBKDF2-HMAC of `secret_key_base` under a salt per use.

use std::fmt;

use zeroize::Zeroizing;

use super::{SecretError, KEY_GENERATOR_ITERATIONS};
use crate::interop::{Digest, Secret};

/// `ActiveSupport::KeyGenerator` as `Rails.application.key_generator` builds it:
/// PBKDF2-HMAC over the secret, [`KEY_GENERATOR_ITERATIONS`] (1000) iterations, SHA-1 (Rails
/// ≤ 6.1) or SHA-256 (Rails 7.0's `key_generator_hash_digest_class`, set with
/// [`digest`](Self::digest)).
///
/// ```
/// use typed_cookies::interop::{rails::KeyGenerator, Digest};
///
/// let keys = KeyGenerator::new("secret_key_base").unwrap();
/// // Rails 6.1: Rails.application.key_generator.generate_key("signed cookie")
/// assert_eq!(keys.generate_key("signed cookie", 64).unwrap().len(), 64);
/// let rails7 = keys.clone().digest(Digest::Sha256);
/// assert_ne!(rails7.generate_key("x", 32), keys.generate_key("x", 32));
/// ```
#[derive(Clone)]
pub struct KeyGenerator {
    secret: Secret,
    iterations: u32,
    digest: Digest,
}

impl fmt::Debug for KeyGenerator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("rails::KeyGenerator")
            .field("secret", &"<redacted>")
            .field("iterations", &self.iterations)
            .field("digest", &self.digest)
            .finish()
    }
}

impl KeyGenerator {
    /// `KeyGenerator.new(secret_key_base, iterations: 1000)` with SHA-1: Rails 6.1's
    /// application key generator. An empty secret is refused.
    ///
    /// ```
    /// use typed_cookies::interop::rails::{KeyGenerator, SecretError};
    /// assert_eq!(KeyGenerator::new("").unwrap_err(), SecretError::Empty);
    /// ```
    pub fn new(secret: impl AsRef<[u8]>) -> Result<Self, SecretError> {
        let secret = secret.as_ref();
        if secret.is_empty() {
            return Err(SecretError::Empty);
        }
        Ok(Self {
            secret: Zeroizing::new(secret.to_vec()),
            iterations: KEY_GENERATOR_ITERATIONS,
            digest: Digest::Sha1,
        })
    }

    /// `hash_digest_class:`: SHA-1 (default, Rails ≤ 6.1), SHA-256 (Rails ≥ 7.0 defaults) or
    /// SHA-512.
    ///
    /// ```
    /// use typed_cookies::interop::{rails::KeyGenerator, Digest};
    /// let sha1 = KeyGenerator::new("s").unwrap();
    /// assert_ne!(sha1.clone().digest(Digest::Sha256).generate_key("x", 8), sha1.generate_key("x", 8));
    /// ```
    pub fn digest(mut self, digest: Digest) -> Self {
        self.digest = digest;
        self
    }

    /// `iterations:` (at least 1; Rails applications use 1000).
    ///
    /// ```
    /// use typed_cookies::interop::rails::KeyGenerator;
    /// let k = KeyGenerator::new("s").unwrap();
    /// assert_ne!(k.clone().iterations(2).generate_key("x", 8), k.generate_key("x", 8));
    /// ```
    pub fn iterations(mut self, iterations: u32) -> Self {
        self.iterations = iterations.max(1);
        self
    }

    /// The largest [`generate_key`](Self::generate_key) size: far over any key Rails
    /// derives (32 or 64 bytes), small enough that asking for it costs milliseconds.
    pub const MAX_KEY_SIZE: usize = 1024;

    /// `generate_key(salt, key_size)`: `key_size` bytes of PBKDF2 (Rails' default size is
    /// 64; encrypted cookies use 32). Wiped when dropped. A size over
    /// [`MAX_KEY_SIZE`](Self::MAX_KEY_SIZE) is [`SecretError::KeySizeTooLarge`].
    ///
    /// ```
    /// use typed_cookies::interop::rails::{KeyGenerator, SecretError};
    /// let k = KeyGenerator::new("s").unwrap();
    /// assert_eq!(k.generate_key("a", 32)?[..], k.generate_key("a", 64)?[..32]);
    /// assert_eq!(
    ///     k.generate_key("a", usize::MAX),
    ///     Err(SecretError::KeySizeTooLarge { len: usize::MAX, max: KeyGenerator::MAX_KEY_SIZE })
    /// );
    /// # Ok::<(), SecretError>(())
    /// ```
    pub fn generate_key(
        &self,
        salt: &str,
        key_size: usize,
    ) -> Result<Zeroizing<Vec<u8>>, SecretError> {
        if key_size > Self::MAX_KEY_SIZE {
            return Err(SecretError::KeySizeTooLarge {
                len: key_size,
                max: Self::MAX_KEY_SIZE,
            });
        }
        Ok(self.derive(salt, key_size))
    }

    /// `key_size` bytes of PBKDF2 under `salt`, for sizes already within
    /// [`MAX_KEY_SIZE`](Self::MAX_KEY_SIZE) (the jar's constant 32 and 64).
    pub(super) fn derive(&self, salt: &str, key_size: usize) -> Zeroizing<Vec<u8>> {
        let key_size = key_size.min(Self::MAX_KEY_SIZE);
        let mut key = Zeroizing::new(vec![0u8; key_size]);
        let (secret, salt, rounds) = (&self.secret[..], salt.as_bytes(), self.iterations);
        match self.digest {
            Digest::Sha1 => pbkdf2::pbkdf2_hmac::<sha1::Sha1>(secret, salt, rounds, &mut key),
            Digest::Sha256 => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(secret, salt, rounds, &mut key),
            Digest::Sha512 => pbkdf2::pbkdf2_hmac::<sha2::Sha512>(secret, salt, rounds, &mut key),
        }
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_openssl_pbkdf2() {
        // ruby -ropenssl -e 'puts OpenSSL::PKCS5.pbkdf2_hmac_sha1("secret", "signed cookie", 1000, 16).unpack1("H*")'
        let k = KeyGenerator::new("secret").unwrap();
        assert_eq!(
            super::super::hex_encode(&k.generate_key("signed cookie", 16).unwrap()),
            SHA1_VECTOR
        );
        // ruby -ropenssl -e 'puts OpenSSL::PKCS5.pbkdf2_hmac("secret", "signed cookie", 1000, 16, "SHA256").unpack1("H*")'
        let k = k.digest(Digest::Sha256);
        assert_eq!(
            super::super::hex_encode(&k.generate_key("signed cookie", 16).unwrap()),
            SHA256_VECTOR
        );
    }

    #[test]
    fn sizes_are_bounded_not_allocated() {
        let k = KeyGenerator::new("secret").unwrap();
        assert_eq!(k.generate_key("x", 0).unwrap().len(), 0);
        let max = KeyGenerator::MAX_KEY_SIZE;
        assert_eq!(k.generate_key("x", max).unwrap().len(), max);
        for len in [max + 1, usize::MAX / 2, usize::MAX] {
            assert_eq!(
                k.generate_key("x", len),
                Err(SecretError::KeySizeTooLarge { len, max })
            );
        }
    }

    const SHA1_VECTOR: &str = "9fbbb48724f139440425161495432824";
    const SHA256_VECTOR: &str = "7ca83a9fb153c46909f9ecbb9774c46f";
}
