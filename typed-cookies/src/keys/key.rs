//! [`Key`]: a master secret of at least 32 bytes, and [`KeyId`], its public one-way fingerprint.

use std::fmt;

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use hkdf::Hkdf;
use rand::RngCore as _;
use sha2::Sha256;
use zeroize::{ZeroizeOnDrop, Zeroizing};

use crate::keys::KeyError;
use crate::wire::KEY_ID_LEN;

/// Shortest accepted key, in bytes.
pub const MIN_KEY_LEN: usize = 32;
/// Fewest distinct byte values a key may have; 32 random bytes have this many with overwhelming
/// probability, while `"aaaa…"` or a repeated short pattern do not.
const MIN_DISTINCT_BYTES: usize = 8;
/// Longest run of one byte value a key may have. In `n` random bytes a run of 8 starts at a
/// given position with probability 256^-7 ≈ 1.4e-17, so anywhere in a 32-byte key with
/// probability below 25 × 256^-7 ≈ 3.6e-16 (4.0e-15 for a 256-byte key): generated keys never
/// hit it, while zero padding, a truncated buffer or a filled array do.
const MAX_RUN: usize = 7;
/// HKDF info for key ids.
const KEY_ID_INFO: &[u8] = b"typed-cookies/v1/key-id";

/// A master key: at least 32 bytes of secret, zeroized on drop.
///
/// Its [`Debug`] shows only its [`KeyId`]. The master key never seals anything itself: every
/// namespace (salt × mode × codec) gets its own HKDF-SHA256 subkey.
///
/// ```
/// use typed_cookies::Key;
/// let key = Key::generate();
/// let again = Key::from_base64(&key.to_base64()).unwrap();
/// assert_eq!(key.id(), again.id());
/// assert!(!format!("{key:?}").contains(&key.to_base64()));
/// ```
#[derive(Clone, ZeroizeOnDrop)]
pub struct Key {
    material: Box<[u8]>,
    #[zeroize(skip)]
    id: KeyId,
}

impl Key {
    /// A new random 32-byte key from the operating system's generator.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; MIN_KEY_LEN]);
        rand::rngs::OsRng.fill_bytes(bytes.as_mut());
        Self::from_bytes(bytes.as_ref()).expect("32 random bytes are a valid key")
    }

    /// A key from raw bytes: at least 32, and not an obvious non-random pattern.
    ///
    /// Refused as plainly not random: fewer than 8 distinct byte values
    /// ([`KeyError::LowEntropy`]), a run of 8 or more equal bytes ([`KeyError::RepeatedByte`]),
    /// and material that is all printable ASCII or ASCII whitespace ([`KeyError::Text`]: a
    /// passphrase, or a base64 or hex key passed as raw bytes instead of decoded). Random keys
    /// practically never trip these: 32 random bytes are all text (99 of 256 values) with
    /// probability (99/256)^32 ≈ 6.3e-14, and hold such a run with probability below 3.6e-16.
    ///
    /// ```
    /// use typed_cookies::{Key, KeyError};
    /// assert_eq!(Key::from_bytes(&[7; 16]).unwrap_err(), KeyError::TooShort { len: 16 });
    /// assert_eq!(Key::from_bytes(&[7; 32]).unwrap_err(), KeyError::LowEntropy);
    /// assert_eq!(
    ///     Key::from_bytes(b"correct horse battery staple, longer").unwrap_err(),
    ///     KeyError::Text
    /// );
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        check_random_looking(bytes)?;
        Ok(Self {
            material: bytes.into(),
            id: KeyId::of(bytes),
        })
    }

    /// A key from base64 text (standard or URL-safe alphabet, padding optional, surrounding
    /// whitespace ignored), as printed by [`Key::to_base64`]. Text that starts or ends with a
    /// quote is [`KeyError::Quoted`].
    ///
    /// The decoded bytes only ever live in one buffer, wiped when this returns, whichever
    /// alphabet the text turns out to use.
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        // Quotes kept from a `.env` file (`APP_KEYS="k1,k2"` splits into `"k1` and `k2"`):
        // never base64, so say what they are rather than "not base64".
        if text.starts_with(['"', '\'']) || text.ends_with(['"', '\'']) {
            return Err(KeyError::Quoted);
        }
        // `openssl rand -hex 32` is valid base64 too, and would silently decode to 48 bytes of
        // 16 distinct values. A real base64 key of 44 characters is all hex digits with
        // probability (16/64)^43, about 10^-26: refuse instead of guessing.
        if text.len() >= 32 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(KeyError::Hex);
        }
        let mut buf = Zeroizing::new(vec![0u8; base64::decoded_len_estimate(text.len())]);
        let len = LENIENT_STANDARD
            .decode_slice(text, &mut buf[..])
            .or_else(|_| LENIENT_URL_SAFE.decode_slice(text, &mut buf[..]))
            .map_err(|_| KeyError::InvalidBase64)?;
        Self::from_bytes(&buf[..len])
    }

    /// The key material as standard base64, for storing a generated key in a secret store.
    /// This is the one method that exposes the secret; treat its output as the key itself.
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.material)
    }

    /// The key's public id (travels in every sealed value's header).
    pub fn id(&self) -> KeyId {
        self.id
    }

    pub(crate) fn material(&self) -> &[u8] {
        &self.material
    }
}

/// The checks of [`Key::from_bytes`], in the order their errors are reported.
fn check_random_looking(bytes: &[u8]) -> Result<(), KeyError> {
    if bytes.len() < MIN_KEY_LEN {
        return Err(KeyError::TooShort { len: bytes.len() });
    }
    let mut seen = [false; 256];
    bytes.iter().for_each(|&b| seen[usize::from(b)] = true);
    if seen.iter().filter(|&&s| s).count() < MIN_DISTINCT_BYTES {
        return Err(KeyError::LowEntropy);
    }
    let longest_run = bytes
        .chunk_by(|a, b| a == b)
        .map(<[u8]>::len)
        .max()
        .unwrap_or(0);
    if longest_run > MAX_RUN {
        return Err(KeyError::RepeatedByte { run: longest_run });
    }
    if bytes
        .iter()
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
    {
        return Err(KeyError::Text);
    }
    Ok(())
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({})", self.id)
    }
}

const LENIENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const LENIENT_STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
const LENIENT_URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// A key's public identifier: 4 bytes of `HKDF-SHA256(key, info = "typed-cookies/v1/key-id")`.
///
/// One-way: it says which key sealed a value (so opening needs no trial decryption) and nothing
/// about the key. Displayed as 8 hex digits.
///
/// ```
/// use typed_cookies::{Key, KeyRing};
/// let key = Key::generate();
/// let id = key.id();
/// assert_eq!(id.to_string().len(), 8);
/// assert_eq!(format!("{id:?}"), format!("KeyId({id})"));
/// assert_eq!(KeyRing::new(key).key_ids(), vec![id]);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub(crate) [u8; KEY_ID_LEN]);

impl KeyId {
    fn of(material: &[u8]) -> Self {
        let mut id = [0u8; KEY_ID_LEN];
        Hkdf::<Sha256>::new(None, material)
            .expand(KEY_ID_INFO, &mut id)
            .expect("4 bytes is a valid HKDF-SHA256 output length");
        Self(id)
    }

    /// The id as read from a header (unauthenticated until the value verifies).
    pub(crate) const fn from_bytes(bytes: [u8; KEY_ID_LEN]) -> Self {
        Self(bytes)
    }

    /// The id's bytes as they appear in the header.
    pub fn to_bytes(self) -> [u8; KEY_ID_LEN] {
        self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_both_alphabets_with_or_without_padding() {
        let key = Key::generate();
        let std = key.to_base64();
        let url = std.replace('+', "-").replace('/', "_");
        for text in [
            std.clone(),
            std.trim_end_matches('=').to_owned(),
            url,
            format!("  {std}\n"),
        ] {
            assert_eq!(Key::from_base64(&text).unwrap().id(), key.id(), "{text}");
        }
    }

    #[test]
    fn refuses_hex_that_would_decode_as_base64() {
        let hex: String = (0..32).map(|i| format!("{:02x}", i * 7 + 3)).collect();
        assert_eq!(Key::from_base64(&hex).unwrap_err(), KeyError::Hex);
        assert!(KeyError::Hex.to_string().contains("hex"));
        // Generated keys never look like hex.
        for _ in 0..10_000 {
            let key = Key::generate();
            assert_eq!(Key::from_base64(&key.to_base64()).unwrap().id(), key.id());
        }
    }

    #[test]
    fn refuses_bad_base64_and_short_keys() {
        assert_eq!(
            Key::from_base64("not base64!").unwrap_err(),
            KeyError::InvalidBase64
        );
        assert_eq!(
            Key::from_base64("").unwrap_err(),
            KeyError::TooShort { len: 0 }
        );
        let short = base64::engine::general_purpose::STANDARD.encode([1u8, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(
            Key::from_base64(&short).unwrap_err(),
            KeyError::TooShort { len: 9 }
        );
    }

    #[test]
    fn refuses_patterned_keys() {
        assert_eq!(Key::from_bytes(&[0; 64]).unwrap_err(), KeyError::LowEntropy);
        assert_eq!(
            Key::from_bytes(&b"abababababababababababababababab"[..]).unwrap_err(),
            KeyError::LowEntropy
        );
    }

    #[test]
    fn refuses_text_as_key_material() {
        for text in [
            &b"correct horse battery staple, longer"[..],
            b"correct horse battery staple, longer\n",
            b"correct horse\tbattery staple,\r\nlonger",
            // A base64 or hex key passed as bytes instead of decoded.
            b"q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k=",
            b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert_eq!(Key::from_bytes(text).unwrap_err(), KeyError::Text);
            let message = KeyError::Text.to_string();
            assert!(message.contains("Key::generate()"), "{message}");
            assert!(message.contains("typed-cookies keygen"), "{message}");
        }
        // One byte outside text is enough (the check only catches the plain mistake).
        let mut almost = b"correct horse battery staple, longer".to_vec();
        almost[3] = 0x80;
        assert!(Key::from_bytes(&almost).is_ok());
    }

    #[test]
    fn refuses_long_runs_of_one_byte() {
        let mut key: Vec<u8> = (0u8..48).map(|i| i.wrapping_mul(37) ^ 0xa5).collect();
        assert!(Key::from_bytes(&key).is_ok());
        // Seven equal bytes in a row: accepted; eight: refused, wherever they are.
        key[10..17].fill(0);
        assert!(Key::from_bytes(&key).is_ok());
        for start in [0, 10, 40] {
            let mut key = key.clone();
            key[start..start + 8].fill(0xff);
            assert_eq!(
                Key::from_bytes(&key).unwrap_err(),
                KeyError::RepeatedByte { run: 8 }
            );
        }
        // A 32-byte secret padded with zeros to 64.
        let mut padded = key[..32].to_vec();
        padded.resize(64, 0);
        assert_eq!(
            Key::from_bytes(&padded).unwrap_err(),
            KeyError::RepeatedByte { run: 32 }
        );
    }

    #[test]
    fn generated_keys_are_always_accepted() {
        // `Key::generate` panics on a refused key; 100,000 random 32-byte keys have a chance
        // of about 6e-9 of tripping any check (see `from_bytes`).
        for _ in 0..100_000 {
            let mut bytes = [0u8; MIN_KEY_LEN];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            assert_eq!(check_random_looking(&bytes), Ok(()));
        }
    }

    #[test]
    fn id_is_stable_and_distinct() {
        let a = Key::from_bytes(&(0u8..32).collect::<Vec<_>>()).unwrap();
        let b = Key::from_bytes(&(1u8..33).collect::<Vec<_>>()).unwrap();
        assert_eq!(
            a.id(),
            Key::from_bytes(&(0u8..32).collect::<Vec<_>>())
                .unwrap()
                .id()
        );
        assert_ne!(a.id(), b.id());
        assert_eq!(a.id().to_string().len(), 8);
    }
}
