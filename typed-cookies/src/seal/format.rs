//! Wire format v1: the 14-byte header and the [`Mode`] and [`Format`] it records.
//!
//! ```text
//! value  = base64url_nopad(header ‖ body)
//! header = version (1) ‖ format (1) ‖ key id (4) ‖ issued-at (8, big-endian i64 unix seconds)
//! ```
//! See `typed-cookies/FORMAT.md` for the byte-by-byte description.

use std::fmt;

use crate::codec::Codec;
use crate::key::{KeyId, KEY_ID_LEN};

/// The only format version this library writes and reads.
pub const VERSION: u8 = 1;
/// Length of the header in bytes.
pub const HEADER_LEN: usize = 1 + 1 + KEY_ID_LEN + 8;
/// Length of an AES-GCM-SIV nonce.
pub const NONCE_LEN: usize = 12;
/// Length of an AES-GCM-SIV tag.
pub const AEAD_TAG_LEN: usize = 16;
/// Length of an HMAC-SHA256 tag.
pub const MAC_LEN: usize = 32;
/// Longest cookie value (and `name=value` pair) we produce or accept, as browsers cap cookies
/// near 4096 bytes.
pub const MAX_COOKIE_LEN: usize = 4096;

/// Whether a value is signed (readable, tamper-proof) or encrypted (confidential too).
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
    pub key_id: KeyId,
    pub issued_at: i64,
}

/// Why a header did not parse.
pub(crate) enum HeaderError {
    UnknownVersion(u8),
    UnknownFormat,
}

impl Header {
    pub fn write(&self, out: &mut Vec<u8>) {
        out.push(VERSION);
        out.push(self.format.to_byte());
        out.extend_from_slice(&self.key_id.0);
        out.extend_from_slice(&self.issued_at.to_be_bytes());
    }

    /// Parses the first [`HEADER_LEN`] bytes of `bytes` (the caller checked the length).
    pub fn parse(bytes: &[u8; HEADER_LEN]) -> Result<Self, HeaderError> {
        if bytes[0] != VERSION {
            return Err(HeaderError::UnknownVersion(bytes[0]));
        }
        let format = Format::from_byte(bytes[1]).ok_or(HeaderError::UnknownFormat)?;
        let mut key_id = [0u8; KEY_ID_LEN];
        key_id.copy_from_slice(&bytes[2..2 + KEY_ID_LEN]);
        let mut issued_at = [0u8; 8];
        issued_at.copy_from_slice(&bytes[2 + KEY_ID_LEN..]);
        Ok(Self {
            format,
            key_id: KeyId(key_id),
            issued_at: i64::from_be_bytes(issued_at),
        })
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
    fn header_round_trips() {
        let h = Header {
            format: Format {
                mode: Mode::Encrypted,
                codec: Codec::Postcard,
            },
            key_id: KeyId([1, 2, 3, 4]),
            issued_at: -5,
        };
        let mut out = Vec::new();
        h.write(&mut out);
        assert_eq!(out.len(), HEADER_LEN);
        let parsed = Header::parse(out.as_slice().try_into().unwrap())
            .ok()
            .unwrap();
        assert_eq!(parsed, h);
    }
}
