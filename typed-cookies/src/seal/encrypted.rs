//! Encrypted mode: `body = nonce(12, random) ‖ AES-256-GCM-SIV(subkey, nonce, payload, aad = header [‖ binding]) ‖ tag(16)`.
//!
//! Encryption and decryption happen in place in the caller's buffer: no copy of the plaintext
//! is made.

use aes_gcm_siv::aead::AeadInPlace;
use aes_gcm_siv::{Nonce, Tag};
use rand::RngCore as _;

use crate::keys::subkeys::Cipher;
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
/// (`buf[..header_len]`) is the associated data. `false` only if the payload exceeds
/// AES-GCM-SIV's limits (far beyond a cookie).
pub(crate) fn encrypt(
    cipher: &Cipher,
    buf: &mut Vec<u8>,
    header_len: usize,
    binding: Option<&[u8; BINDING_LEN]>,
) -> bool {
    let (head, payload) = buf.split_at_mut(header_len + NONCE_LEN);
    let (header, nonce) = head.split_at(header_len);
    let mut aad_buf = [0u8; HEADER_V2_LEN + BINDING_LEN];
    let aad = associated_data(header, binding, &mut aad_buf);
    match cipher.encrypt_in_place_detached(Nonce::from_slice(nonce), aad, payload) {
        Ok(tag) => {
            buf.extend_from_slice(&tag);
            true
        }
        Err(_) => false,
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
    let (head, ciphertext) = rest.split_at_mut(header_len + NONCE_LEN);
    let (header, nonce) = head.split_at(header_len);
    let mut aad_buf = [0u8; HEADER_V2_LEN + BINDING_LEN];
    let aad = associated_data(header, binding, &mut aad_buf);
    cipher
        .decrypt_in_place_detached(
            Nonce::from_slice(nonce),
            aad,
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
                &(HEADER_LEN + NONCE_LEN..HEADER_LEN + NONCE_LEN + len)
                    .map(|i| i as u8)
                    .collect::<Vec<_>>()[..]
            );
        }
    }
}
