//! Encrypted mode: `body = nonce(12, random) ‖ AES-256-GCM-SIV(subkey, nonce, payload, aad = header) ‖ tag(16)`.
//!
//! Encryption and decryption happen in place in the caller's buffer: no copy of the plaintext
//! is made.

use aes_gcm_siv::aead::AeadInPlace;
use aes_gcm_siv::{Nonce, Tag};
use rand::RngCore as _;

use crate::keys::subkeys::Cipher;
#[cfg(test)]
use crate::wire::format::HEADER_LEN;
use crate::wire::format::{AEAD_TAG_LEN, NONCE_LEN};

/// A fresh random nonce (from the thread-local CSPRNG, seeded by the OS).
pub(crate) fn random_nonce() -> [u8; NONCE_LEN] {
    let mut nonce = [0u8; NONCE_LEN];
    rand::thread_rng().fill_bytes(&mut nonce);
    nonce
}

/// Encrypts `buf[header_len + NONCE_LEN..]` in place and appends the tag; the header
/// (`buf[..header_len]`) is the associated data. `false` only if the payload exceeds
/// AES-GCM-SIV's limits (far beyond a cookie).
pub(crate) fn encrypt(cipher: &Cipher, buf: &mut Vec<u8>, header_len: usize) -> bool {
    let (head, payload) = buf.split_at_mut(header_len + NONCE_LEN);
    let (header, nonce) = head.split_at(header_len);
    match cipher.encrypt_in_place_detached(Nonce::from_slice(nonce), header, payload) {
        Ok(tag) => {
            buf.extend_from_slice(&tag);
            true
        }
        Err(_) => false,
    }
}

/// Decrypts `sealed` (header ‖ nonce ‖ ciphertext ‖ tag) in place; on success the plaintext is
/// `sealed[header_len + NONCE_LEN .. len - AEAD_TAG_LEN]`. The caller guarantees the length.
pub(crate) fn decrypt(cipher: &Cipher, sealed: &mut [u8], header_len: usize) -> bool {
    let (rest, tag) = sealed.split_at_mut(sealed.len() - AEAD_TAG_LEN);
    let (head, ciphertext) = rest.split_at_mut(header_len + NONCE_LEN);
    let (header, nonce) = head.split_at(header_len);
    cipher
        .decrypt_in_place_detached(
            Nonce::from_slice(nonce),
            header,
            ciphertext,
            Tag::from_slice(tag),
        )
        .is_ok()
}

#[cfg(test)]
mod tests {
    use aes_gcm_siv::aead::KeyInit;
    use aes_gcm_siv::Aes256GcmSiv;

    use super::*;

    #[test]
    fn encrypt_only_schedule_gives_the_same_bytes_as_aes256gcmsiv() {
        let key = [0x42u8; 32];
        let ours = Cipher::new_from_slice(&key).unwrap();
        let reference = Aes256GcmSiv::new_from_slice(&key).unwrap();
        for len in [0usize, 1, 15, 16, 17, 133, 1000] {
            let mut buf: Vec<u8> = (0..HEADER_LEN + NONCE_LEN + len).map(|i| i as u8).collect();
            let mut expected = buf.clone();
            assert!(encrypt(&ours, &mut buf, HEADER_LEN));
            let (head, payload) = expected.split_at_mut(HEADER_LEN + NONCE_LEN);
            let (header, nonce) = head.split_at(HEADER_LEN);
            let tag = reference
                .encrypt_in_place_detached(Nonce::from_slice(nonce), header, payload)
                .unwrap();
            expected.extend_from_slice(&tag);
            assert_eq!(buf, expected, "len {len}");
            assert!(decrypt(&ours, &mut buf, HEADER_LEN));
            assert_eq!(
                &buf[HEADER_LEN + NONCE_LEN..buf.len() - AEAD_TAG_LEN],
                &(HEADER_LEN + NONCE_LEN..HEADER_LEN + NONCE_LEN + len)
                    .map(|i| i as u8)
                    .collect::<Vec<_>>()[..]
            );
        }
    }
}
