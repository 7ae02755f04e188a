//! Encrypted mode: `body = nonce(12, random) ‖ AES-256-GCM-SIV(subkey, nonce, payload, aad = header) ‖ tag(16)`.
//!
//! Encryption and decryption happen in place in the caller's buffer: no copy of the plaintext
//! is made.

use aes_gcm_siv::aead::AeadInPlace;
use aes_gcm_siv::{Aes256GcmSiv, Nonce, Tag};
use rand::RngCore as _;

use crate::seal::format::{AEAD_TAG_LEN, HEADER_LEN, NONCE_LEN};

/// A fresh random nonce (from the thread-local CSPRNG, seeded by the OS).
pub(crate) fn random_nonce() -> [u8; NONCE_LEN] {
    let mut nonce = [0u8; NONCE_LEN];
    rand::thread_rng().fill_bytes(&mut nonce);
    nonce
}

/// Encrypts `buf[HEADER_LEN + NONCE_LEN..]` in place and appends the tag. `false` only if the
/// payload exceeds AES-GCM-SIV's limits (far beyond a cookie).
pub(crate) fn encrypt(cipher: &Aes256GcmSiv, buf: &mut Vec<u8>) -> bool {
    let (head, payload) = buf.split_at_mut(HEADER_LEN + NONCE_LEN);
    let (header, nonce) = head.split_at(HEADER_LEN);
    match cipher.encrypt_in_place_detached(Nonce::from_slice(nonce), header, payload) {
        Ok(tag) => {
            buf.extend_from_slice(&tag);
            true
        }
        Err(_) => false,
    }
}

/// Decrypts `sealed` (header ‖ nonce ‖ ciphertext ‖ tag) in place; on success the plaintext is
/// `sealed[HEADER_LEN + NONCE_LEN .. len - AEAD_TAG_LEN]`. The caller guarantees the length.
pub(crate) fn decrypt(cipher: &Aes256GcmSiv, sealed: &mut [u8]) -> bool {
    let (rest, tag) = sealed.split_at_mut(sealed.len() - AEAD_TAG_LEN);
    let (head, ciphertext) = rest.split_at_mut(HEADER_LEN + NONCE_LEN);
    let (header, nonce) = head.split_at(HEADER_LEN);
    cipher
        .decrypt_in_place_detached(
            Nonce::from_slice(nonce),
            header,
            ciphertext,
            Tag::from_slice(tag),
        )
        .is_ok()
}
