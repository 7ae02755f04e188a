//! Encrypted mode: `body = nonce(12, random) ‖ AES-256-GCM-SIV(subkey, nonce, payload, aad = header) ‖ tag(16)`.
//!
//! Encryption and decryption happen in place in the caller's buffer: no copy of the plaintext
//! is made.
//!
//! Two interchangeable backends compute the AEAD, chosen at build time: RustCrypto's
//! `aes-gcm-siv` (the default, pure Rust) and, with the `aws-lc` feature, `aws-lc-rs`'s
//! `AES_256_GCM_SIV` (AWS-LC's assembly, faster per short message). Both are keyed once per
//! namespace (the [`Cipher`] lives in the subkey cache) and give the same bytes: RFC 8452
//! fixes the algorithm, and the unit tests below seal with one and open with the other.

use rand::RngCore as _;

use crate::seal::BINDING_LEN;
#[cfg(test)]
use crate::wire::format::HEADER_LEN;
use crate::wire::format::{AEAD_TAG_LEN, HEADER_V2_LEN, NONCE_LEN};

#[cfg(feature = "aws-lc")]
use aws_lc as backend;
#[cfg(not(feature = "aws-lc"))]
use rust_crypto as backend;

/// AES-256-GCM-SIV keyed with one namespace's subkey, from the backend this build uses.
pub(crate) type Cipher = backend::Cipher;

/// Keys the AEAD with a 32-byte subkey (once per namespace; the cache keeps the result).
pub(crate) fn new_cipher(key: &[u8; 32]) -> Cipher {
    backend::new(key)
}

/// A fresh random nonce (from the thread-local CSPRNG, seeded by the OS).
pub(crate) fn random_nonce() -> [u8; NONCE_LEN] {
    let mut nonce = [0u8; NONCE_LEN];
    rand::thread_rng().fill_bytes(&mut nonce);
    nonce
}

/// Splits `buf` (header ‖ nonce ‖ payload) into the header, the nonce and the payload.
fn split(buf: &mut [u8], header_len: usize) -> (&[u8], &[u8; NONCE_LEN], &mut [u8]) {
    let (head, payload) = buf.split_at_mut(header_len + NONCE_LEN);
    let (header, nonce) = head.split_at(header_len);
    let nonce = nonce.try_into().expect("NONCE_LEN bytes");
    (header, nonce, payload)
}

/// The associated data: the header, followed by the client binding when there is one (its
/// fixed length keeps the concatenation unambiguous). `header` is at most a v2 header.
fn associated_data<'a>(
    header: &'a [u8],
    binding: Option<&[u8; BINDING_LEN]>,
    buf: &'a mut [u8; HEADER_V2_LEN + BINDING_LEN],
) -> &'a [u8] {
    match binding {
        None => header,
        Some(binding) => {
            buf[..header.len()].copy_from_slice(header);
            buf[header.len()..header.len() + BINDING_LEN].copy_from_slice(binding);
            &buf[..header.len() + BINDING_LEN]
        }
    }
}

/// Encrypts `buf[header_len + NONCE_LEN..]` in place and appends the tag; the header
/// (`buf[..header_len]`), followed by the client binding if any, is the associated data.
/// `false` only if the payload exceeds AES-GCM-SIV's limits (far beyond a cookie).
pub(crate) fn encrypt(
    cipher: &Cipher,
    buf: &mut Vec<u8>,
    header_len: usize,
    binding: Option<&[u8; BINDING_LEN]>,
) -> bool {
    let (header, nonce, payload) = split(buf, header_len);
    let mut aad_buf = [0u8; HEADER_V2_LEN + BINDING_LEN];
    let aad = associated_data(header, binding, &mut aad_buf);
    match backend::seal(cipher, nonce, aad, payload) {
        Some(tag) => {
            buf.extend_from_slice(&tag);
            true
        }
        None => false,
    }
}

/// Decrypts `sealed` (header ‖ nonce ‖ ciphertext ‖ tag) in place; on success the plaintext is
/// `sealed[header_len + NONCE_LEN .. len - AEAD_TAG_LEN]`. The caller guarantees the length.
pub(crate) fn decrypt(
    cipher: &Cipher,
    sealed: &mut [u8],
    header_len: usize,
    binding: Option<&[u8; BINDING_LEN]>,
) -> bool {
    let (rest, tag) = sealed.split_at_mut(sealed.len() - AEAD_TAG_LEN);
    let (header, nonce, ciphertext) = split(rest, header_len);
    let mut aad_buf = [0u8; HEADER_V2_LEN + BINDING_LEN];
    let aad = associated_data(header, binding, &mut aad_buf);
    backend::open(cipher, nonce, aad, ciphertext, tag)
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
    use aes_gcm_siv::aead::{AeadInPlace, KeyInit};
    use aes_gcm_siv::{Aes256GcmSiv, Nonce};

    use super::*;

    const LENGTHS: [usize; 8] = [0, 1, 15, 16, 17, 133, 1000, 4000];

    fn plaintext(len: usize) -> Vec<u8> {
        (HEADER_LEN + NONCE_LEN..HEADER_LEN + NONCE_LEN + len)
            .map(|i| i as u8)
            .collect()
    }

    /// The build's backend against `Aes256GcmSiv` (RustCrypto over the full AES schedule).
    #[test]
    fn backend_gives_the_same_bytes_as_aes256gcmsiv() {
        let key = [0x42u8; 32];
        let ours = new_cipher(&key);
        let reference = Aes256GcmSiv::new_from_slice(&key).unwrap();
        for len in LENGTHS {
            let mut buf: Vec<u8> = (0..HEADER_LEN + NONCE_LEN + len).map(|i| i as u8).collect();
            let mut expected = buf.clone();
            assert!(encrypt(&ours, &mut buf, HEADER_LEN, None));
            let (head, payload) = expected.split_at_mut(HEADER_LEN + NONCE_LEN);
            let (header, nonce) = head.split_at(HEADER_LEN);
            let tag = reference
                .encrypt_in_place_detached(Nonce::from_slice(nonce), header, payload)
                .unwrap();
            expected.extend_from_slice(&tag);
            assert_eq!(buf, expected, "len {len}");
            assert!(decrypt(&ours, &mut buf, HEADER_LEN, None));
            assert_eq!(
                &buf[HEADER_LEN + NONCE_LEN..buf.len() - AEAD_TAG_LEN],
                &plaintext(len)[..]
            );
        }
    }

    /// A changed header (the AAD), nonce, ciphertext or tag byte is refused.
    #[test]
    fn backend_refuses_any_changed_byte() {
        let cipher = new_cipher(&[7u8; 32]);
        let mut sealed: Vec<u8> = (0..HEADER_LEN + NONCE_LEN + 40).map(|i| i as u8).collect();
        assert!(encrypt(&cipher, &mut sealed, HEADER_LEN, None));
        for i in 0..sealed.len() {
            let mut changed = sealed.clone();
            changed[i] ^= 0x01;
            assert!(
                !decrypt(&cipher, &mut changed, HEADER_LEN, None),
                "byte {i}"
            );
        }
        assert!(decrypt(&cipher, &mut sealed, HEADER_LEN, None));
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
