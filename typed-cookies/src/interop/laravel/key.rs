//! Laravel's ciphers and keys: the four `config('app.cipher')` values the `Encrypter` supports,
//! and `APP_KEY` as `EncryptionServiceProvider::parseKey` reads it (`base64:` and the key's
//! base64, or the raw key), checked against the cipher's key length as
//! `Encrypter::supported` does.

use std::fmt;
use std::str::FromStr;

use zeroize::Zeroizing;

use crate::interop::Secret;

/// One of the ciphers of Laravel 8's `Encrypter` (`config/app.php` `'cipher'`).
///
/// ```
/// use typed_cookies::interop::laravel::Cipher;
/// assert_eq!(Cipher::default(), Cipher::Aes256Cbc); // config/app.php's default
/// assert_eq!("aes-256-gcm".parse::<Cipher>().unwrap(), Cipher::Aes256Gcm);
/// assert_eq!(Cipher::Aes128Cbc.key_len(), 16);
/// assert_eq!(Cipher::Aes256Gcm.to_string(), "AES-256-GCM");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Cipher {
    /// `AES-128-CBC` with an HMAC-SHA256 `mac` (the `Encrypter` constructor's default).
    Aes128Cbc,
    /// `AES-256-CBC` with an HMAC-SHA256 `mac`: `config/app.php`'s default.
    #[default]
    Aes256Cbc,
    /// `AES-128-GCM`: the 16-byte GCM tag in the envelope's `tag`, no `mac`.
    Aes128Gcm,
    /// `AES-256-GCM`: the 16-byte GCM tag in the envelope's `tag`, no `mac`.
    Aes256Gcm,
}

impl Cipher {
    /// The key length it needs, in bytes (16 or 32).
    pub fn key_len(self) -> usize {
        match self {
            Cipher::Aes128Cbc | Cipher::Aes128Gcm => 16,
            Cipher::Aes256Cbc | Cipher::Aes256Gcm => 32,
        }
    }

    /// The IV length (`openssl_cipher_iv_length`): 16 bytes for CBC, 12 for GCM.
    pub fn iv_len(self) -> usize {
        if self.is_aead() {
            12
        } else {
            16
        }
    }

    /// Whether it authenticates itself (GCM: a `tag`) rather than with the `mac`.
    pub fn is_aead(self) -> bool {
        matches!(self, Cipher::Aes128Gcm | Cipher::Aes256Gcm)
    }

    /// Its name as `config/app.php` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Cipher::Aes128Cbc => "AES-128-CBC",
            Cipher::Aes256Cbc => "AES-256-CBC",
            Cipher::Aes128Gcm => "AES-128-GCM",
            Cipher::Aes256Gcm => "AES-256-GCM",
        }
    }
}

impl fmt::Display for Cipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Cipher {
    type Err = AppKeyError;

    /// A cipher name, in any case (Laravel lower-cases it). An unknown name is
    /// [`AppKeyError::UnknownCipher`], whose message lists the four names and never repeats
    /// the input (which may be an `APP_KEY` passed in the wrong place).
    fn from_str(name: &str) -> Result<Self, AppKeyError> {
        [
            Cipher::Aes128Cbc,
            Cipher::Aes256Cbc,
            Cipher::Aes128Gcm,
            Cipher::Aes256Gcm,
        ]
        .into_iter()
        .find(|c| c.name().eq_ignore_ascii_case(name))
        .ok_or(AppKeyError::UnknownCipher)
    }
}

/// An `APP_KEY` (or cipher name) that Laravel would refuse. The messages never contain the key.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AppKeyError {
    /// Empty: Laravel's `MissingAppKeyException`.
    #[error("no application encryption key has been specified (APP_KEY is empty)")]
    Missing,
    /// `base64:` followed by something that is not standard base64.
    #[error("APP_KEY starts with `base64:` but the rest is not valid base64")]
    InvalidBase64,
    /// The key is not as long as the cipher needs (Laravel: "Unsupported cipher or incorrect
    /// key length").
    #[error("the key is {len} bytes long but {cipher} needs {expected}; `php artisan key:generate --show` makes one (`base64:` and 44 characters for a 32-byte key)")]
    WrongLength {
        /// The cipher it was given for.
        cipher: Cipher,
        /// Its length in bytes (after base64 decoding).
        len: usize,
        /// What the cipher needs.
        expected: usize,
    },
    /// A cipher name other than Laravel's four. The name given is not kept: it could be the
    /// `APP_KEY` itself, passed where the cipher goes.
    #[error("unsupported cipher; Laravel's are AES-128-CBC, AES-256-CBC, AES-128-GCM and AES-256-GCM (config/app.php 'cipher', any case)")]
    UnknownCipher,
}

/// The message, as `Display` writes it: what a `main` returning this error prints.
impl std::fmt::Debug for AppKeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// `APP_KEY` as `EncryptionServiceProvider::parseKey` reads it, checked for `cipher`.
pub(super) fn parse_app_key(app_key: &str, cipher: Cipher) -> Result<Secret, AppKeyError> {
    let key = match app_key.strip_prefix("base64:") {
        Some(encoded) => {
            use base64::engine::{general_purpose, DecodePaddingMode, GeneralPurposeConfig};
            use base64::Engine as _;
            // As lenient as PHP's `base64_decode` on what cannot change the bytes: padding
            // optional, unused trailing bits ignored; anything outside the alphabet refused.
            const LENIENT: general_purpose::GeneralPurpose = general_purpose::GeneralPurpose::new(
                &base64::alphabet::STANDARD,
                GeneralPurposeConfig::new()
                    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
                    .with_decode_allow_trailing_bits(true),
            );
            let mut key = Zeroizing::new(Vec::with_capacity(encoded.len()));
            LENIENT
                .decode_vec(encoded.trim(), &mut key)
                .map_err(|_| AppKeyError::InvalidBase64)?;
            key
        }
        None => Zeroizing::new(app_key.as_bytes().to_vec()),
    };
    check_key(key, cipher)
}

/// A raw key of the right length for `cipher`.
pub(super) fn check_key(key: Secret, cipher: Cipher) -> Result<Secret, AppKeyError> {
    if key.is_empty() {
        return Err(AppKeyError::Missing);
    }
    if key.len() != cipher.key_len() {
        return Err(AppKeyError::WrongLength {
            cipher,
            len: key.len(),
            expected: cipher.key_len(),
        });
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_keys_parse_like_laravel() {
        let key = "base64:".to_owned() + &"A".repeat(43) + "=";
        assert_eq!(parse_app_key(&key, Cipher::Aes256Cbc).unwrap().len(), 32);
        // Without its padding, or with unused bits set (hand-made keys PHP reads alike).
        assert_eq!(
            &parse_app_key(&key[..key.len() - 1], Cipher::Aes256Cbc).unwrap()[..],
            &[0; 32]
        );
        let sloppy = "base64:".to_owned() + &"A".repeat(42) + "B=";
        assert_eq!(
            &parse_app_key(&sloppy, Cipher::Aes256Cbc).unwrap()[..],
            &[0; 32]
        );
        assert_eq!(
            parse_app_key(&key, Cipher::Aes128Gcm).unwrap_err(),
            AppKeyError::WrongLength {
                cipher: Cipher::Aes128Gcm,
                len: 32,
                expected: 16
            }
        );
        // A raw 32-character key (Laravel before `base64:` keys).
        let raw = "0123456789abcdef0123456789abcdef";
        assert_eq!(
            &parse_app_key(raw, Cipher::Aes256Gcm).unwrap()[..],
            raw.as_bytes()
        );
        assert_eq!(
            parse_app_key("", Cipher::Aes256Cbc).unwrap_err(),
            AppKeyError::Missing
        );
        assert_eq!(
            parse_app_key("base64:not base64!", Cipher::Aes256Cbc).unwrap_err(),
            AppKeyError::InvalidBase64
        );
        assert_eq!(
            parse_app_key("base64:", Cipher::Aes256Cbc).unwrap_err(),
            AppKeyError::Missing
        );
    }

    #[test]
    fn messages_never_show_the_key() {
        let secret = "super-secret-key-material-0123456";
        let err = parse_app_key(secret, Cipher::Aes256Cbc).unwrap_err();
        assert!(!err.to_string().contains("super-secret"), "{err}");
        assert!(!format!("{err:?}").contains("super-secret"));
    }

    #[test]
    fn cipher_names() {
        for c in [
            Cipher::Aes128Cbc,
            Cipher::Aes256Cbc,
            Cipher::Aes128Gcm,
            Cipher::Aes256Gcm,
        ] {
            assert_eq!(c.name().to_lowercase().parse::<Cipher>().unwrap(), c);
        }
        assert_eq!(
            "aes-256-ctr".parse::<Cipher>(),
            Err(AppKeyError::UnknownCipher)
        );
        // An APP_KEY passed as the cipher name: the message names the ciphers, not the input.
        let key = "base64:q2kFjq0yG0aOsdIuKsbZ2VQ3bAbVYc+l0HoUQ8PmBbU=";
        let err = key.parse::<Cipher>().unwrap_err();
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(!shown.contains("q2kFjq0y"), "{shown}");
        }
        assert!(err.to_string().contains("AES-256-CBC"), "{err}");
    }
}
