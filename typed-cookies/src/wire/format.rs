//! The header of a sealed value and the [`Mode`] and [`Format`] it records.
//!
//! ```text
//! value     = base64url_nopad(header ‖ body)
//! header v1 = 0x01 ‖ format (1) ‖ key id (4) ‖ issued-at (8, big-endian i64 unix seconds)
//! header v2 = 0x02 ‖ format (1) ‖ key id (4) ‖ issued-at (8) ‖ age (4, big-endian u32 seconds
//!             from the session's creation to issued-at)
//! ```
//! A fresh value is written as v1 (created = issued); a value resealed later in its session's
//! life carries its creation time as v2. The format byte's bit [`COMPRESSED`] (0x40) says the
//! payload is raw DEFLATE; it is per value, so it lives on the header, not in [`Format`]. See
//! `typed-cookies/FORMAT.md` byte by byte.

use std::fmt;

use crate::wire::claims::CLAIMS_FLAG;
use crate::wire::Codec;

/// Length of a key id in the header (see [`KeyId`](crate::KeyId)).
pub const KEY_ID_LEN: usize = 4;

/// Version of a header without a creation time (created = issued).
pub const VERSION_1: u8 = 1;
/// Version of a header that also records the session's creation time.
pub const VERSION_2: u8 = 2;
/// Length of a v1 header in bytes: the shortest header.
pub const HEADER_LEN: usize = 1 + 1 + KEY_ID_LEN + 8;
/// Length of a v2 header in bytes: the longest header.
pub const HEADER_V2_LEN: usize = HEADER_LEN + 4;
/// Length of an AES-GCM-SIV nonce.
pub const NONCE_LEN: usize = 12;
/// Length of an AES-GCM-SIV tag.
pub const AEAD_TAG_LEN: usize = 16;
/// Length of an HMAC-SHA256 tag.
pub const MAC_LEN: usize = 32;
/// Longest cookie value (and `name=value` pair) we produce or accept, as browsers cap cookies
/// near 4096 bytes.
pub const MAX_COOKIE_LEN: usize = 4096;
/// Longest payload (the codec's output, before compression) a compressing type seals, and the
/// most a compressed payload may inflate to when opened: 4 × [`MAX_COOKIE_LEN`] = 16 KiB. It
/// bounds the memory an authentic but hostile value (a "zip bomb" sealed with a leaked key, or
/// a bug) can make the opener use; sealing refuses a larger payload with
/// [`SealError::TooLarge`](crate::SealError::TooLarge) before compressing it.
pub const MAX_PAYLOAD_LEN: usize = 4 * MAX_COOKIE_LEN;
/// Offset of the format byte in the header.
pub(crate) const FORMAT_OFFSET: usize = 1;
/// Bit of the format byte set when the payload is raw DEFLATE (RFC 1951). Bit 0x80 is
/// reserved for another flag.
pub(crate) const COMPRESSED: u8 = 0x40;

/// Whether a value is signed (readable, tamper-proof) or encrypted (confidential too).
///
/// ```
/// use typed_cookies::{Key, KeyRing, Mode};
/// let keys = KeyRing::new(Key::generate());
/// assert_eq!(keys.signed("a").no_expiry().mode(), Mode::Signed);
/// assert_eq!(keys.encrypted("a").no_expiry().mode(), Mode::Encrypted);
/// assert_eq!(Mode::Encrypted.label(), "encrypted");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// HMAC-SHA256 over header and payload; the payload is readable by anyone holding the cookie.
    Signed,
    /// AES-256-GCM-SIV with a random nonce and the header as associated data.
    Encrypted,
}

impl Mode {
    /// The label used in subkey derivation: `signed` or `encrypted`.
    pub const fn label(self) -> &'static str {
        match self {
            Mode::Signed => "signed",
            Mode::Encrypted => "encrypted",
        }
    }
}

/// Mode and codec together: what the header's format byte records.
///
/// ```
/// use typed_cookies::{Codec, Format, Mode};
/// let format = Format { mode: Mode::Encrypted, codec: Codec::Postcard };
/// assert_eq!(format.to_string(), "encrypted postcard");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Format {
    /// Signed or encrypted.
    pub mode: Mode,
    /// How the payload is encoded.
    pub codec: Codec,
}

impl Format {
    /// The header byte: low nibble mode (1 signed, 2 encrypted), high nibble codec (0 JSON,
    /// 1 postcard).
    pub(crate) const fn to_byte(self) -> u8 {
        let mode = match self.mode {
            Mode::Signed => 0x01,
            Mode::Encrypted => 0x02,
        };
        let codec = match self.codec {
            Codec::Json => 0x00,
            Codec::Postcard => 0x10,
        };
        mode | codec
    }

    pub(crate) const fn from_byte(byte: u8) -> Option<Self> {
        let mode = match byte & 0x0f {
            0x01 => Mode::Signed,
            0x02 => Mode::Encrypted,
            _ => return None,
        };
        let codec = match byte & 0xf0 {
            0x00 => Codec::Json,
            0x10 => Codec::Postcard,
            _ => return None,
        };
        Some(Self { mode, codec })
    }

    /// Length of the trailing tag (MAC or AEAD tag).
    pub(crate) const fn tag_len(self) -> usize {
        match self.mode {
            Mode::Signed => MAC_LEN,
            Mode::Encrypted => AEAD_TAG_LEN,
        }
    }

    /// Bytes of the body that are not payload (nonce and tag, or MAC).
    pub(crate) const fn overhead(self) -> usize {
        match self.mode {
            Mode::Signed => MAC_LEN,
            Mode::Encrypted => NONCE_LEN + AEAD_TAG_LEN,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.mode.label(), self.codec.label())
    }
}

/// A parsed header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    pub format: Format,
    /// The payload is raw DEFLATE (format byte bit [`COMPRESSED`]).
    pub compressed: bool,
    pub key_id: [u8; KEY_ID_LEN],
    pub issued_at: i64,
    /// When the session this value carries was first sealed; `issued_at` in a v1 header.
    pub created_at: i64,
    /// A claims block precedes the payload (format-byte bit [`CLAIMS_FLAG`]).
    pub claims: bool,
}

/// Why a header did not parse.
pub(crate) enum HeaderError {
    UnknownVersion(u8),
    UnknownFormat,
    Truncated,
}

impl Header {
    /// Seconds from creation to issue as the v2 header writes them (clamped: a creation time
    /// after the issue time is the issue time; more than `u32::MAX` seconds, about 136 years,
    /// is cut, which only a value that never expires could reach).
    fn age(&self) -> u32 {
        let age = self.issued_at.saturating_sub(self.created_at).max(0);
        u32::try_from(age).unwrap_or(u32::MAX)
    }

    /// Length of this header once written.
    pub fn len(&self) -> usize {
        if self.age() == 0 {
            HEADER_LEN
        } else {
            HEADER_V2_LEN
        }
    }

    /// Appends the header: v1 when created = issued, v2 otherwise.
    pub fn write(&self, out: &mut Vec<u8>) {
        let age = self.age();
        out.push(if age == 0 { VERSION_1 } else { VERSION_2 });
        let compressed = if self.compressed { COMPRESSED } else { 0 };
        let claims = if self.claims { CLAIMS_FLAG } else { 0 };
        out.push(self.format.to_byte() | compressed | claims);
        out.extend_from_slice(&self.key_id);
        out.extend_from_slice(&self.issued_at.to_be_bytes());
        if age != 0 {
            out.extend_from_slice(&age.to_be_bytes());
        }
    }

    /// Parses the header at the start of `bytes`; returns it and its length.
    pub fn parse(bytes: &[u8]) -> Result<(Self, usize), HeaderError> {
        let len = match bytes.first() {
            None => return Err(HeaderError::Truncated),
            Some(&VERSION_1) => HEADER_LEN,
            Some(&VERSION_2) => HEADER_V2_LEN,
            Some(&other) => return Err(HeaderError::UnknownVersion(other)),
        };
        let bytes = bytes.get(..len).ok_or(HeaderError::Truncated)?;
        let byte = bytes[FORMAT_OFFSET];
        let claims = byte & CLAIMS_FLAG != 0;
        let format = Format::from_byte(byte & !(COMPRESSED | CLAIMS_FLAG))
            .ok_or(HeaderError::UnknownFormat)?;
        let mut key_id = [0u8; KEY_ID_LEN];
        key_id.copy_from_slice(&bytes[2..2 + KEY_ID_LEN]);
        let mut issued_at = [0u8; 8];
        issued_at.copy_from_slice(&bytes[2 + KEY_ID_LEN..HEADER_LEN]);
        let issued_at = i64::from_be_bytes(issued_at);
        let created_at = match bytes.get(HEADER_LEN..HEADER_V2_LEN) {
            Some(age) => {
                let age = u32::from_be_bytes(age.try_into().expect("4 bytes"));
                // A v2 header with age 0 is not what we write: one encoding per value.
                if age == 0 {
                    return Err(HeaderError::UnknownFormat);
                }
                issued_at.saturating_sub(i64::from(age))
            }
            None => issued_at,
        };
        Ok((
            Self {
                format,
                compressed: byte & COMPRESSED != 0,
                key_id,
                issued_at,
                created_at,
                claims,
            },
            len,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_byte_round_trips_and_rejects_unknown() {
        for mode in [Mode::Signed, Mode::Encrypted] {
            for codec in [Codec::Json, Codec::Postcard] {
                let f = Format { mode, codec };
                assert_eq!(Format::from_byte(f.to_byte()), Some(f));
            }
        }
        let known = [0x01, 0x02, 0x11, 0x12];
        for b in 0..=u8::MAX {
            assert_eq!(Format::from_byte(b).is_some(), known.contains(&b), "{b:#x}");
        }
    }

    #[test]
    fn header_round_trips_as_v1_or_v2() {
        let format = Format {
            mode: Mode::Encrypted,
            codec: Codec::Postcard,
        };
        for (created_at, version, len) in
            [(-5, VERSION_1, HEADER_LEN), (-90, VERSION_2, HEADER_V2_LEN)]
        {
            for compressed in [false, true] {
                let h = Header {
                    format,
                    compressed,
                    key_id: [1, 2, 3, 4],
                    issued_at: -5,
                    created_at,
                    claims: compressed,
                };
                let mut out = Vec::new();
                h.write(&mut out);
                assert_eq!((out[0], out.len(), h.len()), (version, len, len));
                let flag = if compressed { COMPRESSED } else { 0 };
                assert_eq!(
                    out[FORMAT_OFFSET],
                    0x12 | flag | if compressed { CLAIMS_FLAG } else { 0 }
                );
                out.extend_from_slice(b"body");
                let (parsed, parsed_len) = Header::parse(&out).ok().unwrap();
                assert_eq!((parsed, parsed_len), (h, len));
                assert!(Header::parse(&out[..len - 1]).is_err());
            }
        }
    }

    #[test]
    fn only_the_compressed_bit_is_accepted_beside_a_known_format() {
        let base = [0x01, 0x02, 0x11, 0x12, 0x41, 0x42, 0x51, 0x52];
        let known: Vec<u8> = base.iter().flat_map(|&b| [b, b | 0x80]).collect();
        for b in 0..=u8::MAX {
            let mut out = vec![VERSION_1, b, 1, 2, 3, 4];
            out.extend_from_slice(&7i64.to_be_bytes());
            let parsed = Header::parse(&out).ok();
            assert_eq!(parsed.is_some(), known.contains(&b), "{b:#x}");
            if let Some((header, _)) = parsed {
                assert_eq!(header.compressed, b & 0x40 != 0);
                assert_eq!(header.claims, b & 0x80 != 0);
                assert_eq!(header.format.to_byte(), b & !0xc0);
            }
        }
    }

    #[test]
    fn header_refuses_a_second_encoding_of_v1() {
        let mut out = vec![VERSION_2, 0x01, 1, 2, 3, 4];
        out.extend_from_slice(&100i64.to_be_bytes());
        out.extend_from_slice(&0u32.to_be_bytes());
        assert!(matches!(
            Header::parse(&out),
            Err(HeaderError::UnknownFormat)
        ));
    }
}
