//! `Illuminate\Encryption\Encrypter` (Laravel 8): `encrypt` / `decrypt` of PHP strings,
//! `encryptString` / `decryptString`, and typed values as JSON through either — with
//! previous keys for rotation, which Laravel 8 itself lacks (Laravel 11 added
//! `APP_PREVIOUS_KEYS`).

use std::fmt;

use aes_gcm::aead::generic_array::typenum::Unsigned;
use aes_gcm::aead::generic_array::GenericArray;
use aes_gcm::aead::{AeadInPlace, KeyInit};
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use rand::RngCore;
use serde::de::DeserializeOwned;
use serde::Serialize;
use zeroize::Zeroizing;

use super::envelope::{b64_decode, Envelope};
use super::key::{check_key, parse_app_key};
use super::{serialized, AppKeyError, Cipher, SERIALIZED_STRING};
use crate::error::{OpenError, SealError};
use crate::interop::{check_len, payload_mismatch, Digest, Secret};

/// Laravel's `Encrypter` (`Crypt`, `encrypt()`, `decrypt()`), byte for byte.
///
/// Encrypts with the `APP_KEY`; decrypts with it or any of the
/// [`previous_keys`](Self::previous_keys). Values carry no time: a Laravel encrypted value
/// never expires (its cookie's `Expires` is only the browser's business).
///
/// The methods mirror PHP's:
///
/// | PHP (Laravel 8) | here |
/// |---|---|
/// | `Crypt::encryptString($s)` / `decryptString($v)` | [`encrypt_string`](Self::encrypt_string) / [`decrypt_string`](Self::decrypt_string) |
/// | `Crypt::encrypt($s)` / `decrypt($v)` for a string `$s` | [`encrypt`](Self::encrypt) / [`decrypt`](Self::decrypt) |
/// | `Crypt::encrypt(json_encode($x), $serialize)` / `json_decode(Crypt::decrypt($v, $serialize))` | [`seal`](Self::seal) / [`open`](Self::open), with [`serialize`](Self::serialize) |
///
/// `decrypt` reads **only PHP-serialized strings**: Laravel's `decrypt()` runs `unserialize()`
/// on whatever the key holder encrypted, objects included (PHP object injection); this type
/// never deserializes a PHP object, array or number, and refuses them as
/// [`OpenError::PayloadMismatch`].
///
/// ```
/// use typed_cookies::interop::laravel::{Cipher, Encrypter};
///
/// let app_key = "base64:q2kFjq0yG0aOsdIuKsbZ2VQ3bAbVYc+l0HoUQ8PmBbU=";
/// let crypt = Encrypter::new(app_key, Cipher::Aes256Cbc).unwrap();
/// let value = crypt.encrypt_string("hello").unwrap(); // Crypt::encryptString('hello')
/// assert!(value.starts_with("eyJpdiI6")); // base64 of {"iv":
/// assert_eq!(crypt.decrypt_string(&value).unwrap(), "hello");
/// ```
#[derive(Clone)]
pub struct Encrypter {
    /// The `APP_KEY` first, then the previous keys.
    keys: Vec<Secret>,
    cipher: Cipher,
    serialize: bool,
}

impl fmt::Debug for Encrypter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("laravel::Encrypter")
            .field("keys", &format_args!("<{} redacted>", self.keys.len()))
            .field("cipher", &self.cipher)
            .field("serialize", &self.serialize)
            .finish()
    }
}

impl Encrypter {
    /// `new Encrypter(parseKey(APP_KEY), cipher)`: the `APP_KEY` as in `.env` (`base64:` and
    /// the key's base64, or the raw key), of the length `cipher` needs.
    ///
    /// ```
    /// use typed_cookies::interop::laravel::{AppKeyError, Cipher, Encrypter};
    /// let key16 = "base64:AAECAwQFBgcICQoLDA0ODw==";
    /// assert!(Encrypter::new(key16, Cipher::Aes128Gcm).is_ok());
    /// assert!(matches!(
    ///     Encrypter::new(key16, Cipher::Aes256Cbc),
    ///     Err(AppKeyError::WrongLength { len: 16, expected: 32, .. })
    /// ));
    /// ```
    pub fn new(app_key: &str, cipher: Cipher) -> Result<Self, AppKeyError> {
        Ok(Self {
            keys: vec![parse_app_key(app_key, cipher)?],
            cipher,
            serialize: true,
        })
    }

    /// `new Encrypter($key, cipher)` with the raw key bytes (what `Encrypter::generateKey`
    /// returns and `getKey()` gives back).
    ///
    /// ```
    /// use typed_cookies::interop::laravel::{Cipher, Encrypter};
    /// let crypt = Encrypter::from_bytes(&[7; 32], Cipher::Aes256Gcm).unwrap();
    /// assert_eq!(crypt.decrypt(&crypt.encrypt("x").unwrap()).unwrap(), "x");
    /// assert!(Encrypter::from_bytes(&[7; 31], Cipher::Aes256Gcm).is_err());
    /// ```
    pub fn from_bytes(key: &[u8], cipher: Cipher) -> Result<Self, AppKeyError> {
        Ok(Self {
            keys: vec![check_key(Zeroizing::new(key.to_vec()), cipher)?],
            cipher,
            serialize: true,
        })
    }

    /// Older `APP_KEY`s (same cipher) that still decrypt, never encrypt; replaces any given
    /// before. Laravel 8.83's `Encrypter` has no such list (Laravel 11's `previous_keys` /
    /// `APP_PREVIOUS_KEYS` is the same idea): this is for the Rust side of a migration only.
    /// A CBC value's `mac` picks the key (no trial decryption); a GCM value is tried under
    /// each key in order, as Laravel 11 does.
    ///
    /// ```
    /// use typed_cookies::interop::laravel::{Cipher, Encrypter};
    /// let old = "base64:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    /// let new = "base64:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
    /// let value = Encrypter::new(old, Cipher::Aes256Cbc).unwrap().encrypt("hi").unwrap();
    /// let crypt = Encrypter::new(new, Cipher::Aes256Cbc).unwrap().previous_keys([old]).unwrap();
    /// assert_eq!(crypt.decrypt(&value).unwrap(), "hi");
    /// assert!(Encrypter::new(new, Cipher::Aes256Cbc).unwrap().decrypt(&value).is_err());
    /// ```
    pub fn previous_keys<I, S>(mut self, app_keys: I) -> Result<Self, AppKeyError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let previous = app_keys
            .into_iter()
            .map(|k| parse_app_key(k.as_ref(), self.cipher))
            .collect::<Result<Vec<_>, _>>()?;
        self.keys.truncate(1);
        self.keys.extend(previous);
        Ok(self)
    }

    /// Whether [`seal`](Self::seal) and [`open`](Self::open) go through PHP's `serialize()`
    /// (the `$serialize` argument of `encrypt` / `decrypt`; `true` by default, as there). With
    /// `true` the JSON is a PHP string (`s:N:"{…}";`), what `encrypt(json_encode($x))` makes;
    /// with `false` it is the bare JSON, what `encryptString(json_encode($x))` makes.
    ///
    /// ```
    /// use typed_cookies::interop::laravel::{Cipher, Encrypter};
    /// let crypt = Encrypter::from_bytes(&[7; 32], Cipher::Aes256Cbc).unwrap();
    /// let raw = crypt.clone().serialize(false).seal(&[1, 2]).unwrap();
    /// assert_eq!(crypt.decrypt_string(&raw).unwrap(), "[1,2]");
    /// assert_eq!(crypt.decrypt(&crypt.seal(&[1, 2]).unwrap()).unwrap(), "[1,2]");
    /// ```
    pub fn serialize(mut self, serialize: bool) -> Self {
        self.serialize = serialize;
        self
    }

    /// The cipher.
    ///
    /// ```
    /// use typed_cookies::interop::laravel::{Cipher, Encrypter};
    /// let crypt = Encrypter::from_bytes(&[7; 16], Cipher::Aes128Cbc).unwrap();
    /// assert_eq!(crypt.cipher(), Cipher::Aes128Cbc);
    /// ```
    pub fn cipher(&self) -> Cipher {
        self.cipher
    }

    /// The current key (`getKey()`).
    pub(super) fn key(&self) -> &[u8] {
        &self.keys[0]
    }

    /// The key [`decrypt_bytes`](Self::decrypt_bytes) named by its index.
    pub(super) fn key_at(&self, index: usize) -> &[u8] {
        self.keys.get(index).unwrap_or(&self.keys[0])
    }

    /// `encryptString($value)`: the bytes as they are, no `serialize()`.
    ///
    /// ```
    /// use typed_cookies::interop::laravel::{Cipher, Encrypter};
    /// let crypt = Encrypter::from_bytes(&[7; 32], Cipher::Aes256Gcm).unwrap();
    /// let a = crypt.encrypt_string("same").unwrap();
    /// assert_ne!(a, crypt.encrypt_string("same").unwrap()); // a fresh random IV each time
    /// ```
    pub fn encrypt_string(&self, value: &str) -> Result<String, SealError> {
        self.encrypt_bytes(value.as_bytes())
    }

    /// `decryptString($payload)`: the plaintext as it is (it must be UTF-8 here).
    ///
    /// ```
    /// use typed_cookies::interop::laravel::{Cipher, Encrypter};
    /// use typed_cookies::OpenError;
    /// let crypt = Encrypter::from_bytes(&[7; 32], Cipher::Aes256Cbc).unwrap();
    /// let other = Encrypter::from_bytes(&[8; 32], Cipher::Aes256Cbc).unwrap();
    /// let value = crypt.encrypt_string("hello").unwrap();
    /// assert_eq!(other.decrypt_string(&value), Err(OpenError::Invalid)); // "The MAC is invalid."
    /// assert_eq!(crypt.decrypt_string("eyJpdiI6"), Err(OpenError::Malformed));
    /// ```
    pub fn decrypt_string(&self, payload: &str) -> Result<String, OpenError> {
        let (plaintext, _) = self.decrypt_bytes(payload)?;
        utf8(plaintext)
    }

    /// `encrypt($value)` of a PHP string: `serialize($value)` encrypted, so PHP's
    /// `decrypt()` returns the string.
    ///
    /// ```
    /// use typed_cookies::interop::laravel::{Cipher, Encrypter};
    /// let crypt = Encrypter::from_bytes(&[7; 32], Cipher::Aes256Cbc).unwrap();
    /// let value = crypt.encrypt("héllo").unwrap();
    /// assert_eq!(crypt.decrypt_string(&value).unwrap(), "s:6:\"héllo\";");
    /// ```
    pub fn encrypt(&self, value: &str) -> Result<String, SealError> {
        self.encrypt_bytes(&Zeroizing::new(serialized::write(value.as_bytes())))
    }

    /// `decrypt($payload)` when the value is a PHP string: the string inside
    /// `s:N:"…";`. Any other serialized PHP value (an object, array, number…) is refused
    /// with [`OpenError::PayloadMismatch`] and never deserialized.
    ///
    /// ```
    /// use typed_cookies::interop::laravel::{Cipher, Encrypter};
    /// use typed_cookies::OpenError;
    /// let crypt = Encrypter::from_bytes(&[7; 32], Cipher::Aes256Cbc).unwrap();
    /// assert_eq!(crypt.decrypt(&crypt.encrypt("x").unwrap()).unwrap(), "x");
    /// // encrypt(new stdClass) in PHP:
    /// let object = crypt.encrypt_string("O:8:\"stdClass\":0:{}").unwrap();
    /// assert!(matches!(crypt.decrypt(&object), Err(OpenError::PayloadMismatch { .. })));
    /// ```
    pub fn decrypt(&self, payload: &str) -> Result<String, OpenError> {
        let (plaintext, _) = self.decrypt_bytes(payload)?;
        utf8(Zeroizing::new(unserialize(&plaintext)?.to_vec()))
    }

    /// A typed value as JSON (`json_encode`), encrypted as PHP's `encrypt(json_encode($x))`
    /// (or `encryptString(…)` when not [`serialize`](Self::serialize)).
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use typed_cookies::interop::laravel::{Cipher, Encrypter};
    /// let crypt = Encrypter::from_bytes(&[7; 32], Cipher::Aes256Cbc).unwrap();
    /// let value = crypt.seal(&BTreeMap::from([("theme", "dark")])).unwrap();
    /// assert_eq!(crypt.decrypt(&value).unwrap(), r#"{"theme":"dark"}"#);
    /// ```
    pub fn seal<T: Serialize + ?Sized>(&self, value: &T) -> Result<String, SealError> {
        let json = Zeroizing::new(serde_json::to_vec(value).map_err(|e| SealError::Serialize {
            reason: e.to_string(),
        })?);
        if self.serialize {
            self.encrypt_bytes(&Zeroizing::new(serialized::write(&json)))
        } else {
            self.encrypt_bytes(&json)
        }
    }

    /// A typed value from its JSON, encrypted as [`seal`](Self::seal) does: decrypt,
    /// unwrap the PHP string when [`serialize`](Self::serialize), decode into `T`.
    ///
    /// ```
    /// use typed_cookies::interop::laravel::{Cipher, Encrypter};
    /// use typed_cookies::OpenError;
    /// let crypt = Encrypter::from_bytes(&[7; 32], Cipher::Aes256Cbc).unwrap();
    /// let value = crypt.encrypt(r#"{"id":7}"#).unwrap(); // encrypt(json_encode(['id' => 7]))
    /// assert_eq!(crypt.open::<serde_json::Value>(&value).unwrap()["id"], 7);
    /// assert!(matches!(crypt.open::<Vec<u8>>(&value), Err(OpenError::PayloadMismatch { .. })));
    /// ```
    pub fn open<T: DeserializeOwned>(&self, payload: &str) -> Result<T, OpenError> {
        let (plaintext, _) = self.decrypt_bytes(payload)?;
        let json = if self.serialize {
            unserialize(&plaintext)?
        } else {
            &plaintext[..]
        };
        serde_json::from_slice(json).map_err(|_| payload_mismatch::<T>())
    }

    /// `openssl_encrypt` under the current key with a fresh random IV, in Laravel's envelope.
    pub(super) fn encrypt_bytes(&self, plaintext: &[u8]) -> Result<String, SealError> {
        let key = self.key();
        let mut iv = [0u8; 16];
        let iv = &mut iv[..self.cipher.iv_len()];
        rand::rngs::OsRng.fill_bytes(iv);
        let (ciphertext, mac, tag) = match self.cipher {
            Cipher::Aes128Cbc | Cipher::Aes256Cbc => {
                let ciphertext = match self.cipher {
                    Cipher::Aes128Cbc => cbc_encrypt::<aes::Aes128>(key, iv, plaintext),
                    _ => cbc_encrypt::<aes::Aes256>(key, iv, plaintext),
                };
                let iv_b64 = super::envelope::b64_encode(iv);
                let value_b64 = super::envelope::b64_encode(&ciphertext);
                let mac =
                    hex(&Digest::Sha256.hmac(key, &[iv_b64.as_bytes(), value_b64.as_bytes()]));
                (ciphertext, mac, Vec::new())
            }
            Cipher::Aes128Gcm | Cipher::Aes256Gcm => {
                let mut buffer = plaintext.to_vec();
                let tag = match self.cipher {
                    Cipher::Aes128Gcm => gcm_encrypt::<aes_gcm::Aes128Gcm>(key, iv, &mut buffer),
                    _ => gcm_encrypt::<aes_gcm::Aes256Gcm>(key, iv, &mut buffer),
                };
                (buffer, String::new(), tag)
            }
        };
        let out = Envelope::write(iv, &ciphertext, &mac, &tag);
        if out.len() > crate::MAX_COOKIE_LEN {
            return Err(SealError::TooLarge {
                len: out.len(),
                max: crate::MAX_COOKIE_LEN,
            });
        }
        Ok(out)
    }

    /// `decrypt($payload, false)`: the plaintext, and the index of the key that opened it.
    pub(super) fn decrypt_bytes(
        &self,
        payload: &str,
    ) -> Result<(Zeroizing<Vec<u8>>, usize), OpenError> {
        check_len(payload)?;
        let envelope = Envelope::parse(payload, self.cipher)?;
        if let Some(tag) = envelope.tag {
            let ciphertext = b64_decode(&envelope.value_b64).ok_or(OpenError::Malformed)?;
            for (index, key) in self.keys.iter().enumerate() {
                let mut buffer = Zeroizing::new(ciphertext.clone());
                let opened = match self.cipher {
                    Cipher::Aes128Gcm => {
                        gcm_decrypt::<aes_gcm::Aes128Gcm>(key, &envelope.iv, &tag, &mut buffer)
                    }
                    _ => gcm_decrypt::<aes_gcm::Aes256Gcm>(key, &envelope.iv, &tag, &mut buffer),
                };
                if opened {
                    return Ok((buffer, index));
                }
            }
            return Err(OpenError::Invalid);
        }
        // CBC: hash_equals(hash_hmac('sha256', $iv . $value, $key), $mac), in constant time,
        // over the fields' text; the MAC names the key.
        let mac = unhex(&envelope.mac).ok_or(OpenError::Invalid)?;
        let parts = [envelope.iv_b64.as_bytes(), envelope.value_b64.as_bytes()];
        let (index, key) = self
            .keys
            .iter()
            .enumerate()
            .find(|(_, key)| Digest::Sha256.verify(key, &parts, &mac))
            .ok_or(OpenError::Invalid)?;
        // Authentic from here on: only a holder of the key can reach what follows.
        let ciphertext = b64_decode(&envelope.value_b64).ok_or(OpenError::Malformed)?;
        let plaintext = match self.cipher {
            Cipher::Aes128Cbc => cbc_decrypt::<aes::Aes128>(key, &envelope.iv, &ciphertext),
            _ => cbc_decrypt::<aes::Aes256>(key, &envelope.iv, &ciphertext),
        };
        Ok((plaintext.ok_or(OpenError::Invalid)?, index))
    }
}

/// The string inside a serialized PHP string, or the refusal of anything else.
pub(super) fn unserialize(plaintext: &[u8]) -> Result<&[u8], OpenError> {
    serialized::read(plaintext).ok_or(OpenError::PayloadMismatch {
        type_name: SERIALIZED_STRING,
    })
}

/// A plaintext as a `String`.
pub(super) fn utf8(mut bytes: Zeroizing<Vec<u8>>) -> Result<String, OpenError> {
    String::from_utf8(std::mem::take(&mut *bytes)).map_err(|e| {
        zeroize::Zeroize::zeroize(&mut e.into_bytes());
        payload_mismatch::<String>()
    })
}

fn cbc_encrypt<C>(key: &[u8], iv: &[u8], plaintext: &[u8]) -> Vec<u8>
where
    C: cbc::cipher::BlockEncrypt + cbc::cipher::BlockCipher + cbc::cipher::KeyInit,
{
    cbc::Encryptor::<C>::new_from_slices(key, iv)
        .expect("key and IV lengths are checked by the cipher")
        .encrypt_padded_vec_mut::<Pkcs7>(plaintext)
}

fn cbc_decrypt<C>(key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Option<Zeroizing<Vec<u8>>>
where
    C: cbc::cipher::BlockDecrypt + cbc::cipher::BlockCipher + cbc::cipher::KeyInit,
{
    let decryptor = cbc::Decryptor::<C>::new_from_slices(key, iv).ok()?;
    decryptor
        .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
        .ok()
        .map(Zeroizing::new)
}

fn gcm_encrypt<A: AeadInPlace + KeyInit>(key: &[u8], iv: &[u8], buffer: &mut [u8]) -> Vec<u8> {
    let aead = A::new_from_slice(key).expect("the key length is checked by the cipher");
    aead.encrypt_in_place_detached(GenericArray::from_slice(iv), b"", buffer)
        .expect("a cookie-sized plaintext is within GCM's limits")
        .to_vec()
}

/// Whether the tag verified (and `buffer` now holds the plaintext).
fn gcm_decrypt<A: AeadInPlace + KeyInit>(
    key: &[u8],
    iv: &[u8],
    tag: &[u8; 16],
    buffer: &mut [u8],
) -> bool {
    // The envelope's IV and tag lengths were checked against the cipher; checked again here
    // so that no input can reach `from_slice`'s length assertion.
    if iv.len() != A::NonceSize::USIZE || tag.len() != A::TagSize::USIZE {
        return false;
    }
    let Ok(aead) = A::new_from_slice(key) else {
        return false;
    };
    aead.decrypt_in_place_detached(
        GenericArray::from_slice(iv),
        b"",
        buffer,
        GenericArray::from_slice(tag),
    )
    .is_ok()
}

/// Lower-case hex, as PHP's `hash_hmac` writes it.
pub(super) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])
        .map(char::from)
        .collect()
}

/// Lower-case hex only (PHP's `hash_equals` against `hash_hmac`'s output would refuse
/// upper case too).
pub(super) fn unhex(text: &str) -> Option<Vec<u8>> {
    fn digit(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        }
    }
    let pairs = text.as_bytes().chunks_exact(2);
    if !pairs.remainder().is_empty() {
        return None;
    }
    pairs
        .map(|pair| Some((digit(pair[0])? << 4) | digit(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crypt(cipher: Cipher) -> Encrypter {
        Encrypter::from_bytes(&[7; 32][..cipher.key_len()], cipher).unwrap()
    }

    /// The envelope's JSON of `value`, changed by `edit`, re-encoded.
    fn edit(value: &str, edit: impl Fn(&mut serde_json::Value)) -> String {
        let mut json: serde_json::Value =
            serde_json::from_slice(&b64_decode(value).unwrap()).unwrap();
        edit(&mut json);
        super::super::envelope::b64_encode(json.to_string().as_bytes())
    }

    #[test]
    fn every_cipher_round_trips() {
        for cipher in [
            Cipher::Aes128Cbc,
            Cipher::Aes256Cbc,
            Cipher::Aes128Gcm,
            Cipher::Aes256Gcm,
        ] {
            let c = crypt(cipher);
            for text in ["", "a", "exactly sixteen!", &"é".repeat(100)] {
                assert_eq!(
                    c.decrypt_string(&c.encrypt_string(text).unwrap()).unwrap(),
                    text
                );
                assert_eq!(c.decrypt(&c.encrypt(text).unwrap()).unwrap(), text);
            }
            // A value of one cipher never opens under another with the same key bytes.
            for other in [
                Cipher::Aes128Cbc,
                Cipher::Aes256Cbc,
                Cipher::Aes128Gcm,
                Cipher::Aes256Gcm,
            ] {
                if other != cipher {
                    assert!(crypt(other)
                        .decrypt_string(&c.encrypt_string("x").unwrap())
                        .is_err());
                }
            }
        }
    }

    #[test]
    fn macs_are_exact_lowercase_hex() {
        let c = crypt(Cipher::Aes256Cbc);
        let value = c.encrypt_string("x").unwrap();
        for change in [
            |m: &str| m.to_uppercase(),
            |m: &str| m[..62].to_owned(),
            |m: &str| format!("{m}00"),
            |_: &str| String::new(),
            |m: &str| format!("{}g", &m[..63]),
        ] {
            let bad = edit(&value, |j| {
                let mac = change(j["mac"].as_str().unwrap());
                j["mac"] = mac.into();
            });
            assert_eq!(c.decrypt_string(&bad), Err(OpenError::Invalid));
        }
    }

    #[test]
    fn authentic_but_broken_plaintexts() {
        let c = crypt(Cipher::Aes256Gcm);
        // Not UTF-8, and not a PHP string for `decrypt`.
        let mut value = String::new();
        for (plain, expect_string) in [(&b"\xff\xfe"[..], false), (b"i:5;", true)] {
            let envelope = c.encrypt_bytes(plain).unwrap();
            assert_eq!(c.decrypt_string(&envelope).is_ok(), expect_string);
            assert!(matches!(
                c.decrypt(&envelope),
                Err(OpenError::PayloadMismatch { .. })
            ));
            value = envelope;
        }
        // A ciphertext that is not base64, under a valid GCM tag field: refused before
        // authentication as malformed.
        let bad = edit(&value, |j| j["value"] = "not base64!".into());
        assert_eq!(c.decrypt_string(&bad), Err(OpenError::Malformed));
        // Over the size of any cookie: refused unread.
        assert!(matches!(
            c.decrypt_string(&"A".repeat(crate::MAX_COOKIE_LEN + 1)),
            Err(OpenError::TooLarge { .. })
        ));
        assert!(matches!(
            c.encrypt_string(&"x".repeat(crate::MAX_COOKIE_LEN)),
            Err(SealError::TooLarge { .. })
        ));
    }

    #[test]
    fn debug_shows_no_key() {
        let c = Encrypter::from_bytes(b"0123456789abcdef0123456789abcdef", Cipher::Aes256Cbc)
            .unwrap()
            .previous_keys(["fedcba9876543210fedcba9876543210"])
            .unwrap();
        let debug = format!("{c:?}");
        assert!(debug.contains("<2 redacted>"), "{debug}");
        assert!(
            !debug.contains("0123") && !debug.contains("fedc"),
            "{debug}"
        );
    }
}
