//! Reading and writing the signed and sealed values other frameworks make, typed through serde:
//! Django's `signing` and cookies ([`django`], feature `django`), Flask's session cookie and
//! itsdangerous' serializers ([`flask`], feature `flask`), @hapi/iron / iron-session seals
//! ([`iron`], feature `iron`), Rails' signed and encrypted cookies and session (`rails`,
//! feature `rails`), Express's signed cookies and cookie-session (`express`, feature
//! `express`), and Laravel's encrypted cookies (`laravel`, feature `laravel`).
//!
//! These are the foreign formats byte for byte — their key derivations, digests (SHA-1 where
//! the format requires it), timestamps and compression — so a Rust service can share sessions
//! and signed links with the app it replaces. Each is tested against the real library in both
//! directions (`tests/interop_*.rs`).
//!
//! Errors follow the crate's discipline: every signature or decryption failure is the single
//! [`OpenError::Invalid`], an authentic but too old value is
//! [`OpenError::Expired`] with the time it expired, structure that
//! is wrong before authentication is [`OpenError::Malformed`],
//! and an authentic payload that is not the expected type is
//! [`OpenError::PayloadMismatch`]. Inputs longer than
//! [`MAX_COOKIE_LEN`](crate::MAX_COOKIE_LEN) are refused unread, and compressed payloads may
//! inflate to at most [`MAX_INFLATED_LEN`] bytes.

#[cfg(feature = "django")]
pub mod django;
#[cfg(feature = "express")]
pub mod express;
#[cfg(feature = "flask")]
pub mod flask;
#[cfg(feature = "iron")]
pub mod iron;
#[cfg(feature = "laravel")]
pub mod laravel;
#[cfg(feature = "rails")]
pub mod rails;

#[cfg(any(feature = "django", feature = "flask"))]
mod json;
mod mac;
#[cfg(any(feature = "django", feature = "flask"))]
mod zlib;

pub use mac::Digest;

/// The most a compressed Django or itsdangerous payload may inflate to (64 KiB); a value that
/// would inflate further is refused as [`OpenError::Malformed`]
/// without inflating the rest (no zip bombs).
pub const MAX_INFLATED_LEN: usize = 64 * 1024;

use crate::error::OpenError;

/// A foreign secret (Django `SECRET_KEY`, Flask `secret_key`, an iron password), wiped on drop.
type Secret = zeroize::Zeroizing<Vec<u8>>;

/// `secret` as a [`Secret`].
#[cfg(any(feature = "django", feature = "flask"))]
fn secret(secret: impl AsRef<[u8]>) -> Secret {
    zeroize::Zeroizing::new(secret.as_ref().to_vec())
}

/// Keeps the current secret (the first of `keys`) and replaces the fallbacks after it with
/// `fallbacks`, in order: what `SECRET_KEY_FALLBACKS` and itsdangerous' key lists mean.
#[cfg(any(feature = "django", feature = "flask"))]
fn set_fallbacks<I, S>(keys: &mut Vec<Secret>, fallbacks: I)
where
    I: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
{
    keys.truncate(1);
    keys.extend(fallbacks.into_iter().map(secret));
}

/// Refuses input longer than any cookie before looking at it.
fn check_len(value: &str) -> Result<(), OpenError> {
    if value.len() > crate::MAX_COOKIE_LEN {
        return Err(OpenError::TooLarge {
            len: value.len(),
            max: crate::MAX_COOKIE_LEN,
        });
    }
    Ok(())
}

/// Decodes unpadded base64url strictly (canonical trailing bits, no padding).
#[cfg_attr(
    not(any(feature = "django", feature = "flask", feature = "iron")),
    allow(dead_code)
)]
fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()
}

/// Encodes as unpadded base64url, as all three formats do.
#[cfg_attr(
    not(any(feature = "django", feature = "flask", feature = "iron")),
    allow(dead_code)
)]
fn b64url_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The `OffsetDateTime` of unix seconds, saturating at the ends of its range.
#[cfg_attr(
    not(any(feature = "django", feature = "flask", feature = "iron")),
    allow(dead_code)
)]
fn datetime(secs: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(if secs < 0 {
        time::OffsetDateTime::UNIX_EPOCH
    } else {
        time::PrimitiveDateTime::MAX.assume_utc()
    })
}

/// The short name of `T` for [`OpenError::PayloadMismatch`].
fn payload_mismatch<T>() -> OpenError {
    OpenError::PayloadMismatch {
        type_name: std::any::type_name::<T>(),
    }
}
