//! Encrypted mode: `body = nonce(12, random) ‖ AES-256-GCM-SIV(subkey, nonce, payload, aad = header) ‖ tag(16)`.
//!
//! Encryption and decryption happen in place in the caller's buffer: no copy of the plaintext
//! is made.
//!
//! The AEAD itself (AES-256-GCM-SIV, keyed once per namespace: the [`Cipher`] lives in the
//! subkey cache) comes from [`crate::aead`], which holds the two interchangeable backends;
//! this module lays the wire format's header, nonce, binding and tag around it.

use rand::RngCore as _;

use crate::aead::{self, Cipher};
use crate::seal::BINDING_LEN;
#[cfg(test)]
use crate::wire::format::HEADER_LEN;
use crate::wire::format::{AEAD_TAG_LEN, HEADER_V2_LEN, NONCE_LEN};

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
    match aead::seal(cipher, nonce, aad, payload) {
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
    aead::open(cipher, nonce, aad, ciphertext, tag)
}

#[cfg(test)]
mod tests {
    use aes_gcm_siv::aead::{AeadInPlace, KeyInit};
    use aes_gcm_siv::{Aes256GcmSiv, Nonce};

    use super::*;
    use crate::aead::new_cipher;

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
}
