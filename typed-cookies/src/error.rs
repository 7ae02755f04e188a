//! The three error types: [`KeyError`] (building keys and rings), [`SealError`] (making a value)
//! and [`OpenError`] (reading one back).
//!
//! Messages say what went wrong and what to do about it. None of them contains key material,
//! plaintext, or anything that would let an attacker tell *why* authentication failed: every
//! signature or decryption failure is the single variant [`OpenError::Invalid`].

use time::OffsetDateTime;

use crate::key::KeyId;
use crate::seal::format::Format;

/// Building a [`Key`](crate::Key) or a [`KeyRing`](crate::KeyRing) failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// Fewer than 32 bytes of key material.
    #[error("key is {len} bytes long; at least 32 bytes of random secret are required (generate one with `Key::generate()`)")]
    TooShort {
        /// Length of the rejected key in bytes.
        len: usize,
    },
    /// The bytes are obviously not random (all equal, or only a handful of distinct values).
    #[error("key material does not look random (too few distinct byte values); generate keys with `Key::generate()`")]
    LowEntropy,
    /// The bytes hold a long run of one value (8 or more in a row: zero padding, a filled
    /// buffer), which random keys practically never do.
    #[error("key material does not look random ({run} equal bytes in a row); generate a key with `Key::generate()` or `cargo run --example keygen`")]
    RepeatedByte {
        /// Length of the longest run.
        run: usize,
    },
    /// The bytes are all printable ASCII or whitespace: a passphrase, or a base64/hex key
    /// passed as raw bytes instead of decoded, not random key material.
    #[error("key material is plain text (a passphrase, or an encoded key not decoded?), not random bytes; generate a key with `Key::generate()` or `cargo run --example keygen` and load its base64 with `Key::from_base64`")]
    Text,
    /// The text is not base64 (standard or URL-safe alphabet, padded or not).
    #[error("key is not valid base64 (standard or URL-safe alphabet expected)")]
    InvalidBase64,
    /// The environment variable is not set or not valid UTF-8.
    #[error("environment variable `{var}` is not set or not UTF-8 (expected comma-separated base64 keys, primary first)")]
    MissingEnv {
        /// Name of the variable.
        var: String,
    },
    /// The environment variable (or key list) holds no key.
    #[error("no key given{}: expected comma-separated base64 keys, primary first", .var.as_deref().map(|v| format!(" in `{v}`")).unwrap_or_default())]
    Empty {
        /// Name of the variable, when the list came from the environment.
        var: Option<String>,
    },
    /// One entry of a key list ([`KeyRing::from_base64_list`](crate::KeyRing::from_base64_list),
    /// [`KeyRing::from_env`](crate::KeyRing::from_env)) is not a valid key. Names the entry by
    /// its position, never by its content.
    #[error("key {position} of {count}{}: {error}", .var.as_deref().map(|v| format!(" in `{v}`")).unwrap_or_default())]
    InList {
        /// Name of the environment variable, when the list came from one.
        var: Option<String>,
        /// 1-based position of the bad entry among the list's non-empty entries.
        position: usize,
        /// Number of non-empty entries in the list.
        count: usize,
        /// What is wrong with the entry.
        error: Box<KeyError>,
    },
    /// Two keys of one ring have the same id (almost surely the same key listed twice).
    #[error("key {id} appears twice in the key ring; list each key once")]
    DuplicateKeyId {
        /// The id that appears twice.
        id: KeyId,
    },
}

/// Sealing a value failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// The sealed value (or the whole `name=value` pair) would not fit in a cookie.
    #[error("sealed cookie would be {len} bytes, over the {max}-byte limit browsers keep; store less in the cookie (or keep it server-side)")]
    TooLarge {
        /// Length the value (or `name=value`) would have had.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The payload could not be serialized.
    #[error("could not serialize the cookie payload: {reason}")]
    Serialize {
        /// What the serializer reported. serde_json's and postcard's own messages describe the
        /// type's shape ("key must be a string"), but a custom `Serialize` impl can return any
        /// message, including payload data: treat it as sensitive. The axum and actix-web
        /// adapters log it at `debug` level only.
        reason: String,
    },
}

/// Opening (verifying, decrypting, checking the age of, and decoding) a value failed.
///
/// Every variant before [`OpenError::Invalid`] is decided on public, unauthenticated structure
/// (length, encoding, the header's version, format and key id), which an attacker already sees.
/// Everything after it is only reported for values that authenticated under our key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The value is longer than any cookie value we would have made; refused before decoding.
    #[error("cookie value is {len} bytes, over the {max}-byte limit; refused unread")]
    TooLarge {
        /// Length of the refused input.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Not base64url, or too short to hold a header and a tag.
    #[error("cookie value is malformed (not a sealed value)")]
    Malformed,
    /// The header names a format version this library does not know.
    #[error("cookie value has unknown format version {version}")]
    UnknownVersion {
        /// The version byte found.
        version: u8,
    },
    /// The value was sealed in another mode or codec than the one it is opened with.
    #[error("cookie value was sealed as {found} but is opened as {expected}")]
    WrongFormat {
        /// What the opener expects.
        expected: Format,
        /// What the header says.
        found: Format,
    },
    /// The key id in the header matches no key of the ring (the key was retired, or the value
    /// comes from elsewhere).
    #[error("cookie value was sealed with key {key_id}, which is not in the key ring")]
    UnknownKey {
        /// The id found in the header.
        key_id: KeyId,
    },
    /// Signature or decryption failed: tampered, forged, or sealed under another salt.
    #[error(
        "cookie value failed authentication (tampered, forged, or sealed for another purpose)"
    )]
    Invalid,
    /// Authentic, but older than its max age.
    #[error("cookie value expired at {}", rfc3339(.at))]
    Expired {
        /// When it expired.
        at: OffsetDateTime,
    },
    /// Authentic, but issued further in the future than the allowed clock skew.
    #[error("cookie value was issued in the future ({}); check the clocks of the servers", rfc3339(.at))]
    IssuedInFuture {
        /// The issued-at time found in the value.
        at: OffsetDateTime,
    },
    /// Authentic, but the payload does not decode as the expected type (the type changed since
    /// the value was sealed).
    #[error("cookie value is authentic but its payload does not decode as `{type_name}`")]
    PayloadMismatch {
        /// The Rust type it was opened as.
        type_name: &'static str,
    },
    /// The request's `Cookie:` header holds this cookie's name more than once (cookie tossing).
    #[error("cookie `{name}` appears {count} times in the Cookie header; refused as ambiguous (a `__Host-` name prevents this)")]
    DuplicateCookie {
        /// The cookie name.
        name: &'static str,
        /// How many times it appears.
        count: usize,
    },
}

/// `2026-03-01T14:00:00Z`, for messages.
fn rfc3339(at: &OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}
