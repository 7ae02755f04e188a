//! The AEAD under the encrypted mode: AES-256-GCM-SIV (RFC 8452) keyed with one namespace's
//! 32-byte subkey, from one of two interchangeable backends chosen at build time: RustCrypto's
//! `aes-gcm-siv` (the default, pure Rust) and, with the `aws-lc` feature, `aws-lc-rs`'s
//! `AES_256_GCM_SIV` (AWS-LC's assembly, faster per short message). Both give the same bytes:
//! RFC 8452 fixes the algorithm, and the unit test below seals with one and opens with the
//! other.
//!
//! It sits below `keys` (the subkey cache keys a [`Cipher`] once per namespace) and below the
//! engine (`seal::encrypted` lays the wire format around [`seal`] and [`open`]); it knows
//! nothing of either, only the wire format's nonce and tag lengths.

#[cfg(feature = "aws-lc")]
use aws_lc as backend;
#[cfg(not(feature = "aws-lc"))]
use rust_crypto as backend;

pub(crate) use backend::{open, seal};

/// AES-256-GCM-SIV keyed with one namespace's subkey, from the backend this build uses.
pub(crate) type Cipher = backend::Cipher;

/// Keys the AEAD with a 32-byte subkey (once per namespace; the cache keeps the result).
pub(crate) fn new_cipher(key: &[u8; 32]) -> Cipher {
    backend::new(key)
}

/// RustCrypto's `aes-gcm-siv` (the default backend; in an `aws-lc` build only for the tests
/// that compare the two).
#[cfg(any(not(feature = "aws-lc"), test))]
pub(crate) mod rust_crypto {
    use aes_gcm_siv::aead::{AeadInPlace, KeyInit};
    use aes_gcm_siv::{AesGcmSiv, Nonce, Tag};

    use crate::wire::format::{AEAD_TAG_LEN, NONCE_LEN};

    /// AES-256-GCM-SIV over the encrypt-only AES-256 key schedule. GCM-SIV never runs the block
    /// cipher backwards, and it expands a fresh AES key per message: with `aes::Aes256` (the
    /// `Aes256GcmSiv` alias) that expansion also computed and copied the unused decryption
    /// schedule, about a tenth of an encrypted seal + open. Same algorithm, same bytes.
    pub(crate) type Cipher = AesGcmSiv<aes::Aes256Enc>;

    /// Keys the cipher (expands the AES key schedule, wiped on drop: `aes`'s `zeroize`).
    pub(crate) fn new(key: &[u8; 32]) -> Cipher {
        Cipher::new(key.into())
    }

    /// Encrypts `in_out` in place; the detached tag, or `None` past GCM-SIV's length limit.
    pub(crate) fn seal(
        cipher: &Cipher,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Option<[u8; AEAD_TAG_LEN]> {
        cipher
            .encrypt_in_place_detached(Nonce::from_slice(nonce), aad, in_out)
            .ok()
            .map(Into::into)
    }

    /// Decrypts `in_out` in place; whether `tag` authenticated it (tag compared in constant
    /// time by `aes-gcm-siv`).
    pub(crate) fn open(
        cipher: &Cipher,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        in_out: &mut [u8],
        tag: &[u8],
    ) -> bool {
        cipher
            .decrypt_in_place_detached(Nonce::from_slice(nonce), aad, in_out, Tag::from_slice(tag))
            .is_ok()
    }
}

/// `aws-lc-rs`'s `AES_256_GCM_SIV` (feature `aws-lc`): a [`LessSafeKey`] because the wire
/// format carries its own random nonce, which we draw and hand in; the nonce-sequence key
/// types of `aws-lc-rs` would count nonces we do not need counted.
#[cfg(feature = "aws-lc")]
pub(crate) mod aws_lc {
    use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM_SIV};

    use crate::wire::format::{AEAD_TAG_LEN, NONCE_LEN};

    /// An `EVP_AEAD_CTX` keyed once with the subkey (AWS-LC keeps the AES key schedule in it
    /// and wipes the allocation when it is freed, see SECURITY.md "Memory hygiene").
    pub(crate) type Cipher = LessSafeKey;

    /// Keys the cipher.
    pub(crate) fn new(key: &[u8; 32]) -> Cipher {
        LessSafeKey::new(
            UnboundKey::new(&AES_256_GCM_SIV, key).expect("32 bytes is an AES-256 key"),
        )
    }

    /// Encrypts `in_out` in place; the detached tag, or `None` past GCM-SIV's length limit.
    pub(crate) fn seal(
        cipher: &Cipher,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Option<[u8; AEAD_TAG_LEN]> {
        let tag = cipher
            .seal_in_place_separate_tag(Nonce::from(nonce), Aad::from(aad), in_out)
            .ok()?;
        tag.as_ref().try_into().ok()
    }

    /// Decrypts `in_out` in place; whether `tag` authenticated it (AWS-LC compares the tag
    /// in constant time, `CRYPTO_memcmp`).
    pub(crate) fn open(
        cipher: &Cipher,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        in_out: &mut [u8],
        tag: &[u8],
    ) -> bool {
        cipher
            .open_in_place_separate_tag(Nonce::from(nonce), Aad::from(aad), tag, in_out)
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::format::NONCE_LEN;

    const LENGTHS: [usize; 8] = [0, 1, 15, 16, 17, 133, 1000, 4000];

    fn plaintext(len: usize) -> Vec<u8> {
        (0..len).map(|i| i as u8).collect()
    }

    /// Sealed and opened by this build's backend, through the names the engine uses.
    #[test]
    fn seals_and_opens_in_place() {
        let cipher = new_cipher(&[9u8; 32]);
        let nonce = [3u8; NONCE_LEN];
        for len in LENGTHS {
            let mut buf = plaintext(len);
            let tag = seal(&cipher, &nonce, b"aad", &mut buf).unwrap();
            assert!(len == 0 || buf != plaintext(len), "len {len}");
            assert!(!open(&cipher, &nonce, b"other", &mut buf.clone(), &tag));
            assert!(open(&cipher, &nonce, b"aad", &mut buf, &tag));
            assert_eq!(buf, plaintext(len));
        }
    }

    /// Values sealed by either backend open with the other, byte for byte.
    #[cfg(feature = "aws-lc")]
    #[test]
    fn aws_lc_and_rust_crypto_open_each_others_values() {
        let key: [u8; 32] = std::array::from_fn(|i| (i * 7 + 3) as u8);
        let (fast, pure) = (aws_lc::new(&key), rust_crypto::new(&key));
        let nonce: [u8; NONCE_LEN] = std::array::from_fn(|i| 0xa0 + i as u8);
        let aad = [
            1u8, 2, 0x65, 0xe6, 0xb8, 0xb0, 0, 0, 0, 0, 0x69, 0x55, 0xb9, 0,
        ];
        for len in LENGTHS {
            let message = plaintext(len);
            let (mut a, mut b) = (message.clone(), message.clone());
            let tag_a = aws_lc::seal(&fast, &nonce, &aad, &mut a).unwrap();
            let tag_b = rust_crypto::seal(&pure, &nonce, &aad, &mut b).unwrap();
            assert_eq!((&a, tag_a), (&b, tag_b), "len {len}");
            assert!(rust_crypto::open(&pure, &nonce, &aad, &mut a, &tag_a));
            assert!(aws_lc::open(&fast, &nonce, &aad, &mut b, &tag_b));
            assert_eq!((&a, &b), (&message, &message), "len {len}");
            let mut bad = tag_a;
            bad[15] ^= 0x80;
            let mut c = message.clone();
            aws_lc::seal(&fast, &nonce, &aad, &mut c).unwrap();
            assert!(!aws_lc::open(&fast, &nonce, &aad, &mut c.clone(), &bad));
            assert!(!rust_crypto::open(&pure, &nonce, &aad, &mut c, &bad));
        }
    }
}
