//! Building forged values, and what refusing a changed one means.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use typed_cookies::OpenError;

/// `base64url_nopad(version ‖ format ‖ key id ‖ issued-at (i64 BE) ‖ body)`: a value built
/// from its documented parts (FORMAT.md), authentic or not.
pub fn forge(version: u8, format: u8, key_id: [u8; 4], issued_at: i64, body: &[u8]) -> String {
    let mut raw = vec![version, format];
    raw.extend_from_slice(&key_id);
    raw.extend_from_slice(&issued_at.to_be_bytes());
    raw.extend_from_slice(body);
    URL_SAFE_NO_PAD.encode(raw)
}

/// Whether `result` is one of the refusals that come at or before authentication: a changed
/// or forged value must never get further (to a payload decoding error, or to a value).
pub fn refused_before_trusting<T>(result: &Result<T, OpenError>) -> bool {
    matches!(
        result,
        Err(OpenError::TooLarge { .. }
            | OpenError::Malformed
            | OpenError::UnknownVersion { .. }
            | OpenError::WrongFormat { .. }
            | OpenError::UnexpectedCompression
            | OpenError::TrackingMismatch { .. }
            | OpenError::UnknownKey { .. }
            | OpenError::Invalid)
    )
}
