//! [`KeyError`]: why a [`Key`](crate::Key) or a [`KeyRing`](crate::KeyRing) could not be built.
//! Messages name the entry (position, variable) but never echo key material. `Debug` writes
//! the same message as `Display`, so a `main` that returns `Result<_, KeyError>` (or
//! `Box<dyn Error>`) prints the sentence, not the enum.

use std::fmt;

use crate::keys::KeyId;

/// Building a [`Key`](crate::Key) or a [`KeyRing`](crate::KeyRing) failed.
///
/// ```
/// use typed_cookies::{KeyError, KeyRing};
/// assert_eq!(KeyRing::from_base64_list(" , ").unwrap_err(), KeyError::Empty { var: None });
/// let err = KeyRing::from_base64_list("not a key").unwrap_err();
/// assert!(err.to_string().starts_with("key 1 of 1"), "{err}");
/// assert!(!err.to_string().contains("not a key"), "the entry is never echoed");
/// // What `fn main() -> Result<(), Box<dyn Error>>` prints is the message too.
/// assert_eq!(format!("{err:?}"), err.to_string());
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// Fewer than 32 bytes of key material.
    #[error("key is {len} bytes long; at least 32 bytes of random secret are required (make one with `typed-cookies keygen`, or `Key::generate()` in code)")]
    TooShort {
        /// Length of the rejected key in bytes.
        len: usize,
    },
    /// The bytes are obviously not random (all equal, or only a handful of distinct values).
    #[error("key material does not look random (too few distinct byte values); generate a key with `typed-cookies keygen` or `Key::generate()`")]
    LowEntropy,
    /// The bytes hold a long run of one value (8 or more in a row: zero padding, a filled
    /// buffer), which random keys practically never do.
    #[error("key material does not look random ({run} equal bytes in a row); generate a key with `typed-cookies keygen` or `Key::generate()`")]
    RepeatedByte {
        /// Length of the longest run.
        run: usize,
    },
    /// The bytes are all printable ASCII or whitespace: a passphrase, or a base64/hex key
    /// passed as raw bytes instead of decoded, not random key material.
    #[error("key material is plain text (a passphrase, or an encoded key not decoded?), not random bytes; generate a key with `typed-cookies keygen` or `Key::generate()` and load its base64 with `Key::from_base64`")]
    Text,
    /// The text is not base64 (standard or URL-safe alphabet, padded or not).
    #[error("key is not valid base64 (standard or URL-safe alphabet expected)")]
    InvalidBase64,
    /// The text starts or ends with a quote (`"` or `'`), which base64 never holds: quotes
    /// copied from a `.env` file or a shell line into the value itself.
    #[error("the key is wrapped in quotes: remove them (the value must be the bare base64; a `.env` file or a container's env list may keep quotes as part of the value)")]
    Quoted,
    /// The environment variable is not set or not valid UTF-8.
    #[error("environment variable `{var}` (or `{var}_FILE`, a file of keys) is not set or not UTF-8 (expected comma-separated base64 keys, primary first)")]
    MissingEnv {
        /// Name of the variable.
        var: String,
    },
    /// The text is hexadecimal (e.g. `openssl rand -hex 32`): keys are base64, and hex text
    /// would decode as base64 into a different, weaker key.
    #[error("key is hexadecimal text; keys are base64 (make one with `typed-cookies keygen`, `Key::generate()` and `to_base64()`, or `openssl rand -base64 32`)")]
    Hex,
    /// A key file could not be read.
    #[error("cannot read the key file `{path}`: {reason}")]
    File {
        /// The file's path.
        path: String,
        /// Why (the I/O error's kind, e.g. "entity not found").
        reason: String,
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

/// The message, as `Display` writes it: what `main() -> Result<_, KeyError>` prints.
impl fmt::Debug for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
