//! The two layouts of `MessageEncryptor#encrypt_and_sign`: AES-256-GCM
//! (`base64(ciphertext)--base64(iv)--base64(tag)`, no associated data) and AES-256-CBC inside a
//! `MessageVerifier` (`base64(base64(ciphertext)--base64(iv))--hexdigest`), told apart by
//! their number of `--` separators, so a value is only ever tried with keys of its own cipher.

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use rand::RngCore;
use zeroize::Zeroizing;

use super::verifier;
use super::{b64_decode, b64_encode};
use crate::error::OpenError;
use crate::interop::{Digest, Secret};

/// AES-256's key length.
pub(crate) const KEY_LEN: usize = 32;
/// `OpenSSL::Cipher.new("aes-256-gcm").random_iv.bytesize`.
const GCM_IV_LEN: usize = 12;
/// Rails refuses any other tag length (a truncated tag would be forgeable).
const GCM_TAG_LEN: usize = 16;
const CBC_IV_LEN: usize = 16;

/// One encryptor's keys.
#[derive(Clone)]
pub(crate) enum EncKey {
    /// `cipher: "aes-256-gcm"`.
    Gcm {
        /// 32 bytes.
        key: Secret,
    },
    /// `cipher: "aes-256-cbc"`, signed by a `MessageVerifier(sign_key, digest:)`.
    Cbc {
        /// 32 bytes.
        key: Secret,
        /// The HMAC key (`sign_secret`, or the key itself when none was given).
        sign_key: Secret,
        /// The HMAC's digest.
        digest: Digest,
    },
}

/// `encrypt_and_sign` of already wrapped and serialized bytes, with a fresh random IV.
pub(crate) fn seal(key: &EncKey, plaintext: &[u8]) -> String {
    match key {
        EncKey::Gcm { key } => {
            let mut iv = [0u8; GCM_IV_LEN];
            rand::rngs::OsRng.fill_bytes(&mut iv);
            let mut buf = Zeroizing::new(plaintext.to_vec());
            // 32-byte keys are checked when the encryptor is made; a Vec grows as needed.
            let tag = Aes256Gcm::new_from_slice(key)
                .ok()
                .and_then(|c| {
                    c.encrypt_in_place_detached(Nonce::from_slice(&iv), b"", &mut buf)
                        .ok()
                })
                .unwrap_or_default();
            format!(
                "{}--{}--{}",
                b64_encode(&buf),
                b64_encode(&iv),
                b64_encode(&tag)
            )
        }
        EncKey::Cbc {
            key,
            sign_key,
            digest,
        } => {
            let mut iv = [0u8; CBC_IV_LEN];
            rand::rngs::OsRng.fill_bytes(&mut iv);
            let encrypted = cbc::Encryptor::<aes::Aes256>::new_from_slices(key, &iv)
                .map(|c| c.encrypt_padded_vec_mut::<Pkcs7>(plaintext))
                .unwrap_or_default();
            let blob = format!("{}--{}", b64_encode(&encrypted), b64_encode(&iv));
            verifier::sign(sign_key, *digest, blob.as_bytes())
        }
    }
}

/// `decrypt_and_verify` with rotations: the plaintext under the first key that
/// authenticates the message. Structure wrong before authentication (parts, base64, IV or
/// tag length) is [`OpenError::Malformed`]; no key authenticating it is
/// [`OpenError::Invalid`].
pub(crate) fn open(keys: &[EncKey], message: &str) -> Result<Zeroizing<Vec<u8>>, OpenError> {
    let parts: Vec<&str> = message.split("--").collect();
    match parts[..] {
        [ciphertext, iv, tag] => {
            let ciphertext = b64_decode(ciphertext).ok_or(OpenError::Malformed)?;
            let iv = b64_decode(iv).ok_or(OpenError::Malformed)?;
            let tag = b64_decode(tag).ok_or(OpenError::Malformed)?;
            if iv.len() != GCM_IV_LEN || tag.len() != GCM_TAG_LEN {
                return Err(OpenError::Malformed);
            }
            for key in keys {
                let EncKey::Gcm { key } = key else { continue };
                let Ok(cipher) = Aes256Gcm::new_from_slice(key) else {
                    continue;
                };
                let mut buf = Zeroizing::new(ciphertext.clone());
                let nonce = Nonce::from_slice(&iv);
                if cipher
                    .decrypt_in_place_detached(nonce, b"", &mut buf, Tag::from_slice(&tag))
                    .is_ok()
                {
                    return Ok(buf);
                }
            }
            Err(OpenError::Invalid)
        }
        [_, _] => {
            for key in keys {
                let EncKey::Cbc {
                    key,
                    sign_key,
                    digest,
                } = key
                else {
                    continue;
                };
                match verifier::verify([(&sign_key[..], *digest)], message) {
                    // Authentic; a wrong encryption key under the right signing key does not
                    // decrypt, and the next key is tried, as Rails' rotations do.
                    Ok(blob) => {
                        if let Some(plain) = decrypt_cbc(key, &blob) {
                            return Ok(plain);
                        }
                    }
                    Err(OpenError::Invalid) => {}
                    Err(e) => return Err(e),
                }
            }
            // Checked as a signed message with no key: `Malformed` for a broken structure
            // (also with no CBC key at all), `Invalid` otherwise.
            verifier::verify([], message).and(Err(OpenError::Invalid))
        }
        _ => Err(OpenError::Malformed),
    }
}

/// `base64(ciphertext)--base64(iv)` decrypted; `None` for a broken blob or padding.
fn decrypt_cbc(key: &[u8], blob: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let blob = std::str::from_utf8(blob).ok()?;
    let (ciphertext, iv) = blob.split_once("--")?;
    let ciphertext = b64_decode(ciphertext)?;
    let iv = b64_decode(iv)?;
    let decryptor = cbc::Decryptor::<aes::Aes256>::new_from_slices(key, &iv).ok()?;
    decryptor
        .decrypt_padded_vec_mut::<Pkcs7>(&ciphertext)
        .ok()
        .map(Zeroizing::new)
}
