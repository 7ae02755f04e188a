//! The percent-encoding of the `cookie` package that Express and express-session serialize
//! and parse cookies with: `encodeURIComponent` when writing, and when reading
//! `decodeURIComponent` of a value that contains `%`, the value as it is where that throws.

use std::borrow::Cow;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// What `encodeURIComponent` escapes: everything but ASCII letters, digits and `-_.!~*'()`.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// `encodeURIComponent(value)`.
pub(super) fn encode(value: &str) -> String {
    utf8_percent_encode(value, COMPONENT).to_string()
}

/// `cookie.parse`'s `tryDecode(value, decode)`: the value unchanged without `%`, or when
/// `decodeURIComponent` would throw (a `%` not followed by two hex digits, or escapes that
/// are not UTF-8); decoded otherwise.
pub(super) fn decode(value: &str) -> Cow<'_, str> {
    if !value.contains('%') || !escapes_well_formed(value) {
        return Cow::Borrowed(value);
    }
    match percent_decode_str(value).decode_utf8() {
        Ok(decoded) => decoded,
        Err(_) => Cow::Borrowed(value),
    }
}

/// Whether every `%` starts a `%XX` escape (which `percent_decode_str` would otherwise keep
/// as text where `decodeURIComponent` throws).
fn escapes_well_formed(value: &str) -> bool {
    let bytes = value.as_bytes();
    let mut i = 0;
    while let Some(at) = memchr::memchr(b'%', &bytes[i..]) {
        let at = i + at;
        match bytes.get(at + 1..at + 3) {
            Some([a, b]) if a.is_ascii_hexdigit() && b.is_ascii_hexdigit() => i = at + 3,
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_encode_uri_component() {
        // encodeURIComponent("s:j:{\"a\":\"é +/=\"}.x-_!~*'()")
        assert_eq!(
            encode("s:j:{\"a\":\"é +/=\"}.x-_!~*'()"),
            "s%3Aj%3A%7B%22a%22%3A%22%C3%A9%20%2B%2F%3D%22%7D.x-_!~*'()"
        );
        assert_eq!(encode(""), "");
    }

    #[test]
    fn decodes_as_cookie_parse() {
        assert_eq!(decode("s%3Aabc.d%2Be"), "s:abc.d+e");
        assert_eq!(decode("s:abc"), "s:abc");
        assert_eq!(decode("%C3%A9"), "é");
        // decodeURIComponent throws: cookie.parse keeps the value as it is.
        for kept in ["%", "%4", "%zz", "a%4g", "%C3", "%FF", "%ED%A0%80", "100%"] {
            assert_eq!(decode(kept), kept);
        }
        // Decoding happens once (%2541 is "%41", not "A").
        assert_eq!(decode("%2541"), "%41");
    }
}
