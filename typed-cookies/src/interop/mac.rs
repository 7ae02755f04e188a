//! The hash functions the foreign formats use, behind one enum: plain digests (key
//! derivation), HMAC, and constant-time HMAC verification.

use hmac::{Mac, SimpleHmac};

/// A hash function a foreign format signs with.
///
/// ```
/// use typed_cookies::interop::Digest;
/// assert_eq!(Digest::default(), Digest::Sha256);
/// assert_eq!(Digest::Sha1.output_len(), 20);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Digest {
    /// SHA-1: Flask's session cookie, itsdangerous' default, Django's legacy algorithm.
    /// HMAC-SHA1 is still unbroken as a MAC; use it only where the other side requires it.
    Sha1,
    /// SHA-256: Django's default.
    #[default]
    Sha256,
    /// SHA-512.
    Sha512,
}

impl Digest {
    /// Length of the digest (and of an HMAC tag) in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Digest::Sha1 => 20,
            Digest::Sha256 => 32,
            Digest::Sha512 => 64,
        }
    }

    /// `H(parts[0] ‖ parts[1] ‖ …)`.
    #[cfg_attr(not(any(feature = "django", feature = "flask")), allow(dead_code))]
    pub(crate) fn hash(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: sha2::Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut h = D::new();
            for p in parts {
                h.update(p);
            }
            h.finalize().to_vec()
        }
        match self {
            Digest::Sha1 => run::<sha1::Sha1>(parts),
            Digest::Sha256 => run::<sha2::Sha256>(parts),
            Digest::Sha512 => run::<sha2::Sha512>(parts),
        }
    }

    /// `HMAC_H(key, parts[0] ‖ parts[1] ‖ …)`.
    pub(crate) fn hmac(self, key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
        fn run<D>(key: &[u8], parts: &[&[u8]]) -> Vec<u8>
        where
            D: sha2::Digest + sha2::digest::core_api::BlockSizeUser,
        {
            let mut m = <SimpleHmac<D> as Mac>::new_from_slice(key).expect("HMAC takes any key");
            for p in parts {
                m.update(p);
            }
            m.finalize().into_bytes().to_vec()
        }
        match self {
            Digest::Sha1 => run::<sha1::Sha1>(key, parts),
            Digest::Sha256 => run::<sha2::Sha256>(key, parts),
            Digest::Sha512 => run::<sha2::Sha512>(key, parts),
        }
    }

    /// Whether `tag` is `HMAC_H(key, parts…)`, compared in constant time.
    pub(crate) fn verify(self, key: &[u8], parts: &[&[u8]], tag: &[u8]) -> bool {
        fn run<D>(key: &[u8], parts: &[&[u8]], tag: &[u8]) -> bool
        where
            D: sha2::Digest + sha2::digest::core_api::BlockSizeUser,
        {
            let mut m = <SimpleHmac<D> as Mac>::new_from_slice(key).expect("HMAC takes any key");
            for p in parts {
                m.update(p);
            }
            m.verify_slice(tag).is_ok()
        }
        match self {
            Digest::Sha1 => run::<sha1::Sha1>(key, parts, tag),
            Digest::Sha256 => run::<sha2::Sha256>(key, parts, tag),
            Digest::Sha512 => run::<sha2::Sha512>(key, parts, tag),
        }
    }
}
