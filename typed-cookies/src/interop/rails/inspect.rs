//! Looking inside a Rails value without any key, for tools (`typed-cookies inspect --rails`):
//! which kind of message it is, and for signed messages the purpose, expiry and payload they
//! claim. **Nothing here is authenticated.**

use serde::Deserialize;
use time::OffsetDateTime;

use super::escape::unescape;
use super::expiry::parse_exp;
use super::{b64_decode, hex_decode};
use crate::error::OpenError;
use crate::interop::{check_len, Digest};

/// What kind of Rails message a value is, by its structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageKind {
    /// `MessageVerifier` / `cookies.signed`: readable. The digest its length suggests.
    Signed {
        /// SHA-1, SHA-256 or SHA-512 by the hex digest's length (`None`: another length).
        digest: Option<Digest>,
    },
    /// AES-256-GCM `MessageEncryptor` / `cookies.encrypted` (Rails ≥ 5.2).
    Aes256Gcm,
    /// AES-256-CBC + HMAC `MessageEncryptor` / `cookies.encrypted` (Rails < 5.2).
    Aes256Cbc,
}

/// The public structure of a Rails value. **Unauthenticated**: anyone can write any of it;
/// only [`MessageVerifier::open`](super::MessageVerifier::open) and the other `open` methods,
/// with the key, say whether it is genuine.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Inspection {
    /// The kind of message.
    pub kind: MessageKind,
    /// Signed messages: the purpose the metadata names (`cookie.NAME` for cookies).
    pub purpose: Option<String>,
    /// Signed messages: the expiry the metadata names.
    pub expires_at: Option<OffsetDateTime>,
    /// Signed messages: the serialized value (JSON, or Ruby Marshal bytes, never parsed
    /// here), as its author wrote it. Escape control and bidi characters before showing it.
    pub unverified_payload: Option<Vec<u8>>,
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "_rails")]
    rails: Inner,
}

#[derive(Deserialize)]
struct Inner {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    data: Option<serde_json::Value>,
    #[serde(default)]
    exp: Option<String>,
    #[serde(default)]
    pur: Option<String>,
}

/// Parses the structure of a Rails signed or encrypted value (escaped or not) without a key.
/// Refuses what the `open` methods refuse before authentication: over
/// [`MAX_COOKIE_LEN`](crate::MAX_COOKIE_LEN) ([`OpenError::TooLarge`]), or not a Rails
/// message at all ([`OpenError::Malformed`]).
///
/// ```
/// use typed_cookies::interop::rails::{self, MessageKind};
/// use typed_cookies::interop::Digest;
///
/// let jar = rails::CookieJar::new("k").unwrap();
/// let seen = rails::inspect(&jar.signed("theme").seal("dark").unwrap()).unwrap();
/// assert_eq!(seen.kind, MessageKind::Signed { digest: Some(Digest::Sha1) });
/// assert_eq!(seen.purpose.as_deref(), Some("cookie.theme"));
/// assert_eq!(seen.unverified_payload.as_deref(), Some(&b"\"dark\""[..]));
/// let secret = rails::inspect(&jar.encrypted("theme").seal("dark").unwrap()).unwrap();
/// assert_eq!((secret.kind, secret.unverified_payload), (MessageKind::Aes256Gcm, None));
/// ```
pub fn inspect(value: &str) -> Result<Inspection, OpenError> {
    check_len(value)?;
    let value = unescape(value)?;
    let parts: Vec<&str> = value.split("--").collect();
    match parts[..] {
        [ciphertext, iv, tag] => {
            let (_, iv, tag) = (
                b64_decode(ciphertext).ok_or(OpenError::Malformed)?,
                b64_decode(iv).ok_or(OpenError::Malformed)?,
                b64_decode(tag).ok_or(OpenError::Malformed)?,
            );
            if iv.len() != 12 || tag.len() != 16 {
                return Err(OpenError::Malformed);
            }
            Ok(Inspection {
                kind: MessageKind::Aes256Gcm,
                purpose: None,
                expires_at: None,
                unverified_payload: None,
            })
        }
        [data, digest] if !data.is_empty() && hex_decode(digest).is_some_and(|d| !d.is_empty()) => {
            let data = b64_decode(data).ok_or(OpenError::Malformed)?;
            if is_cbc_blob(&data) {
                return Ok(Inspection {
                    kind: MessageKind::Aes256Cbc,
                    purpose: None,
                    expires_at: None,
                    unverified_payload: None,
                });
            }
            let digest = match digest.len() {
                40 => Some(Digest::Sha1),
                64 => Some(Digest::Sha256),
                128 => Some(Digest::Sha512),
                _ => None,
            };
            let mut seen = Inspection {
                kind: MessageKind::Signed { digest },
                purpose: None,
                expires_at: None,
                unverified_payload: Some(data.clone()),
            };
            if data.trim_ascii_start().starts_with(b"{") {
                if let Ok(Envelope { rails }) = serde_json::from_slice::<Envelope>(&data) {
                    seen.purpose = rails.pur;
                    seen.expires_at = rails.exp.as_deref().and_then(parse_exp);
                    seen.unverified_payload = match (rails.message, rails.data) {
                        (Some(m), _) => b64_decode(&m),
                        (None, Some(d)) => serde_json::to_vec(&d).ok(),
                        (None, None) => None,
                    };
                }
            }
            Ok(seen)
        }
        _ => Err(OpenError::Malformed),
    }
}

/// `base64(ciphertext)--base64(16-byte IV)`: the signed data of a CBC message.
fn is_cbc_blob(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    let Some((ciphertext, iv)) = text.split_once("--") else {
        return false;
    };
    b64_decode(ciphertext).is_some_and(|c| !c.is_empty() && c.len() % 16 == 0)
        && b64_decode(iv).is_some_and(|iv| iv.len() == 16)
}
