//! Times, JSON and bytes as the command shows them in its text output.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use typed_cookies_cli::escape;

use crate::duration::human;

/// An RFC 3339 time.
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// A time with how long ago (or ahead) it is.
pub fn when(at: OffsetDateTime, now: OffsetDateTime) -> String {
    let d = now - at;
    if d.is_negative() {
        format!("{} (in {}: in the future)", rfc3339(at), human(d))
    } else {
        format!("{} ({} ago)", rfc3339(at), human(d))
    }
}

/// A JSON value as one line of text, its strings' control and bidi characters as JSON
/// escapes: still the same JSON when it is part of a text line.
pub fn json_line(value: &serde_json::Value) -> String {
    escape::json(&value.to_string()).into_owned()
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
