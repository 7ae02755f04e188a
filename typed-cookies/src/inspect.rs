//! Looking inside a sealed value without any key: [`inspect`] reads the public header (format
//! version, mode, codec, compression, key id, issued and created times) and, for signed values,
//! the payload bytes — for operators and tools (the `typed-cookies inspect` command), never for deciding
//! anything.
//!
//! **Nothing [`inspect`] returns is authenticated.** Anyone can write a value with any header
//! and any payload; only [`Sealer::open`](crate::Sealer::open) (or a derived type's `open`)
//! with the right keys says whether a value is genuine, fresh and meant for its purpose.
//!
//! **Nor is it safe to print as it is.** The payload is raw bytes its author chose: terminal
//! control sequences (ESC, `\r`, C1 controls such as U+0085) and bidirectional overrides
//! (U+202E) among them. Escape them before showing the payload to a person, as the
//! `typed-cookies inspect` command does.

use time::OffsetDateTime;

use crate::error::OpenError;
use crate::keys::KeyId;
use crate::wire::base64url;
use crate::wire::format::{Header, HeaderError, MAC_LEN};
use crate::wire::{Format, Mode, MAX_COOKIE_LEN};

/// What the header of a sealed value says, and (signed values only) its payload bytes. All of
/// it **unauthenticated**: anyone can write a value with any header and payload; only
/// [`Sealer::open`](crate::Sealer::open) with the right keys says whether a value is genuine.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Inspection {
    /// The format version byte: 1 (created = issued) or 2 (also carries the session's creation
    /// time).
    pub version: u8,
    /// Mode (signed or encrypted) and codec (JSON or postcard).
    pub format: Format,
    /// Whether the payload is raw DEFLATE (format byte bit `0x40`, see `FORMAT.md`): the type
    /// that sealed it declares `compress`.
    pub compressed: bool,
    /// Whether a claims block (session id, epoch, nonce, subject; format byte bit `0x80`)
    /// precedes the payload: the type that sealed it is `revocable`, `one_time` or `replay`.
    pub tracked: bool,
    /// The id of the key the header claims sealed the value.
    pub key_id: KeyId,
    /// When the value claims to have been sealed.
    pub issued_at: OffsetDateTime,
    /// When the session it carries claims to have been created (`issued_at` for version 1).
    pub created_at: OffsetDateTime,
    /// Length of the value as given (base64url characters).
    pub len: usize,
    /// Length of the decoded bytes: header, body (nonce, payload, tag or MAC).
    pub raw_len: usize,
    /// Length of the header in bytes (14 for version 1, 18 for version 2).
    pub header_len: usize,
    /// Length of the payload in bytes as stored, with the claims block of a tracked value (the plaintext's length for encrypted values:
    /// AES-GCM-SIV does not hide it; the deflated length when [`Inspection::compressed`]).
    pub payload_len: usize,
    /// Signed values: the payload bytes, **not verified** (JSON text for the JSON codec,
    /// postcard bytes otherwise), inflated first when compressed (at most
    /// [`MAX_PAYLOAD_LEN`](crate::MAX_PAYLOAD_LEN) bytes). `None` for encrypted values, and
    /// for a compressed payload that does not inflate within that bound. Raw bytes its author
    /// chose: escape control and bidi characters (ESC, `\r`, U+0085, U+202E) before showing
    /// them to a person, as the `typed-cookies inspect` command does.
    pub unverified_payload: Option<Vec<u8>>,
}

/// Parses the public parts of a sealed value without any key. Refuses what
/// [`Sealer::open`](crate::Sealer::open) refuses before authentication: more than
/// [`MAX_COOKIE_LEN`] characters ([`OpenError::TooLarge`]), not strict unpadded base64url or
/// too short for its header and tag ([`OpenError::Malformed`]), an unknown version
/// ([`OpenError::UnknownVersion`]) or format byte ([`OpenError::Malformed`]).
///
/// The result is **unauthenticated**: a forged value inspects just as well as a genuine one.
///
/// ```
/// use typed_cookies::{inspect, Codec, Key, KeyRing, Mode};
/// use typed_cookies::time::Duration;
///
/// let keys = KeyRing::new(Key::generate());
/// let value = keys.signed("shop.cart").max_age(Duration::hours(1)).seal(&[3, 4]).unwrap();
///
/// let seen = inspect(&value).unwrap();
/// assert_eq!((seen.version, seen.format.mode, seen.format.codec), (1, Mode::Signed, Codec::Json));
/// assert_eq!(seen.key_id, keys.primary().id());
/// assert_eq!(seen.unverified_payload.as_deref(), Some(&b"[3,4]"[..]));
///
/// let secret = keys.encrypted("shop.cart").max_age(Duration::hours(1)).seal(&[3, 4]).unwrap();
/// assert_eq!(inspect(&secret).unwrap().unverified_payload, None);
/// assert!(inspect("not a sealed value").is_err());
/// ```
pub fn inspect(value: &str) -> Result<Inspection, OpenError> {
    if value.len() > MAX_COOKIE_LEN {
        return Err(OpenError::TooLarge {
            len: value.len(),
            max: MAX_COOKIE_LEN,
        });
    }
    let mut raw = Vec::new();
    base64url::decode_into(value.as_bytes(), &mut raw).map_err(|()| OpenError::Malformed)?;
    let (header, header_len) = Header::parse(&raw).map_err(|e| match e {
        HeaderError::UnknownVersion(version) => OpenError::UnknownVersion { version },
        HeaderError::UnknownFormat | HeaderError::Truncated => OpenError::Malformed,
    })?;
    let overhead = header.format.overhead();
    if raw.len() < header_len + overhead {
        return Err(OpenError::Malformed);
    }
    let payload_len = raw.len() - header_len - overhead;
    let unverified_payload = match header.format.mode {
        Mode::Signed => {
            let mut body = &raw[header_len..raw.len() - MAC_LEN];
            if header.claims {
                // The claims block is not payload; a value whose block does not parse shows none.
                body = crate::wire::claims::Claims::parse(body)
                    .map_or(&[][..], |(_, len)| &body[len..]);
            }
            if header.compressed {
                crate::seal::compress::inflate(body, <[u8]>::to_vec).ok()
            } else {
                Some(body.to_vec())
            }
        }
        Mode::Encrypted => None,
    };
    Ok(Inspection {
        version: raw[0],
        format: header.format,
        compressed: header.compressed,
        tracked: header.claims,
        key_id: KeyId::from_bytes(header.key_id),
        issued_at: datetime(header.issued_at),
        created_at: datetime(header.created_at),
        len: value.len(),
        raw_len: raw.len(),
        header_len,
        payload_len,
        unverified_payload,
    })
}

/// The `OffsetDateTime` of unix seconds, saturating at the ends of its range (a forged header
/// may hold any `i64`).
fn datetime(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(if secs < 0 {
        time::PrimitiveDateTime::MIN.assume_utc()
    } else {
        time::PrimitiveDateTime::MAX.assume_utc()
    })
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::*;
    use crate::wire::format::{HEADER_LEN, HEADER_V2_LEN, NONCE_LEN};
    use crate::wire::Codec;
    use crate::{Key, KeyRing};

    fn ring_at(secs: i64) -> KeyRing {
        KeyRing::new(Key::from_bytes(&(0u8..32).collect::<Vec<_>>()).unwrap())
            .at(OffsetDateTime::from_unix_timestamp(secs).unwrap())
    }

    #[test]
    fn reads_the_format_md_vector() {
        let seen = inspect("AQFl5riwAAAAAGlVuQB7InVzZXJfaWQiOjQyLCJuYW1lIjoiQWRhIn17XoVslgTBpdLQBuXuW5v3h-Dr-qUH9O3F2rlQ_olBXg").unwrap();
        assert_eq!(seen.version, 1);
        assert_eq!(
            seen.format,
            Format {
                mode: Mode::Signed,
                codec: Codec::Json
            }
        );
        assert_eq!(seen.key_id.to_string(), "65e6b8b0");
        assert_eq!(seen.issued_at.unix_timestamp(), 1_767_225_600);
        assert_eq!(seen.created_at, seen.issued_at);
        assert_eq!(
            seen.unverified_payload.as_deref(),
            Some(&br#"{"user_id":42,"name":"Ada"}"#[..])
        );
        assert_eq!(seen.header_len, HEADER_LEN);
        assert_eq!(seen.raw_len, HEADER_LEN + 27 + MAC_LEN);
        assert_eq!(seen.payload_len, 27);
        assert!(!seen.compressed);

        let postcard =
            inspect("ARJl5riwAAAAAGlVuQCgoaKjpKWmp6ipqquoBjwEyBwiH6GTSYPOhfuSd7ZlMpY").unwrap();
        assert_eq!(
            postcard.format,
            Format {
                mode: Mode::Encrypted,
                codec: Codec::Postcard
            }
        );
        assert_eq!(
            (postcard.payload_len, postcard.unverified_payload),
            (5, None)
        );
    }

    #[test]
    fn shows_compression_and_the_inflated_unverified_payload() {
        // FORMAT.md's compressed vector.
        let seen = inspect("AUFl5riwAAAAAGlVuQCdwiEKACAMQNG7_GwS05onkcEWDBoUk3h37zB4l7N9tW5IyYmpwxGqaRjvA4AJ9DBIHIi8Uoob8F_oGxcyr67FgKJUW7NzN6fOv6dI").unwrap();
        assert!(seen.compressed);
        assert_eq!(seen.format.to_string(), "signed json");
        assert_eq!(seen.payload_len, 44);
        let expected = format!(r#"{{"user_id":42,"name":"{}"}}"#, "Ada".repeat(20));
        assert_eq!(
            seen.unverified_payload.as_deref(),
            Some(expected.as_bytes())
        );
        // A forged compressed value whose payload does not inflate still inspects.
        let mut raw = vec![1u8, 0x41, 1, 2, 3, 4];
        raw.extend_from_slice(&[0; 8]);
        raw.extend_from_slice(b"junk");
        raw.extend_from_slice(&[0; MAC_LEN]);
        let seen = inspect(&base64url::encode(&raw)).unwrap();
        assert!(seen.compressed);
        assert_eq!((seen.payload_len, seen.unverified_payload), (4, None));
    }

    #[test]
    fn reads_a_version_2_header_with_its_creation_time() {
        let sealer = ring_at(1_000_000).signed("t").max_age(Duration::days(1));
        let first = sealer
            .open_with_metadata::<u8>(&sealer.seal(&7u8).unwrap())
            .unwrap();
        let later = ring_at(1_000_600).signed("t").max_age(Duration::days(1));
        let resealed = later.reseal(&first).unwrap();
        let seen = inspect(&resealed).unwrap();
        assert_eq!(seen.version, 2);
        assert_eq!(seen.header_len, HEADER_V2_LEN);
        assert_eq!(seen.issued_at.unix_timestamp(), 1_000_600);
        assert_eq!(seen.created_at.unix_timestamp(), 1_000_000);
        assert_eq!(seen.unverified_payload.as_deref(), Some(&b"7"[..]));
    }

    #[test]
    fn refuses_what_open_refuses_before_authentication() {
        assert_eq!(inspect("AQ=="), Err(OpenError::Malformed));
        assert_eq!(inspect(""), Err(OpenError::Malformed));
        assert_eq!(inspect("a+b/"), Err(OpenError::Malformed));
        assert!(matches!(
            inspect(&"A".repeat(MAX_COOKIE_LEN + 1)),
            Err(OpenError::TooLarge { .. })
        ));
        let mut raw = vec![9u8, 1, 0, 0, 0, 0];
        raw.extend_from_slice(&[0; 8 + MAC_LEN]);
        assert_eq!(
            inspect(&base64url::encode(&raw)),
            Err(OpenError::UnknownVersion { version: 9 })
        );
        raw[0] = 1;
        raw[1] = 0x33;
        assert_eq!(inspect(&base64url::encode(&raw)), Err(OpenError::Malformed));
        // A header without room for the MAC.
        raw[1] = 0x01;
        assert_eq!(
            inspect(&base64url::encode(&raw[..HEADER_LEN + MAC_LEN - 1])),
            Err(OpenError::Malformed)
        );
        assert!(inspect(&base64url::encode(&raw[..HEADER_LEN + MAC_LEN])).is_ok());
    }

    #[test]
    fn forged_times_saturate_instead_of_failing() {
        let mut raw = vec![1u8, 0x02, 1, 2, 3, 4];
        raw.extend_from_slice(&i64::MAX.to_be_bytes());
        raw.extend_from_slice(&[0; NONCE_LEN + 16]);
        let seen = inspect(&base64url::encode(&raw)).unwrap();
        assert_eq!(seen.issued_at, time::PrimitiveDateTime::MAX.assume_utc());
        assert_eq!(seen.payload_len, 0);
    }
}
