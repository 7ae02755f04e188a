//! Rack's escaping of cookie values (`Rack::Utils.escape`, `URI.encode_www_form_component`):
//! Rails' signed and encrypted values are base64 with `+`, `/` and `=`, which travel as
//! `%2B`, `%2F` and `%3D` in `Set-Cookie` and `Cookie:`.

use std::borrow::Cow;

use crate::error::OpenError;

/// `Rack::Utils.escape(value)`: `*-._`, ASCII letters and digits as they are, space as `+`,
/// every other byte as `%XX` (upper-case hex).
pub(crate) fn escape(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len() + value.len() / 8);
    for &b in value.as_bytes() {
        match b {
            b'*' | b'-' | b'.' | b'_' | b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
    }
    out
}

/// A cookie value as the `Cookie:` header carries it (`%XX` escapes) or already unescaped
/// (a `+` stays `+`: base64, never a space in a Rails value). A `%` without two hex digits
/// after it, or an escape that is not ASCII, is [`OpenError::Malformed`].
pub(crate) fn unescape(value: &str) -> Result<Cow<'_, str>, OpenError> {
    if !value.contains('%') {
        return Ok(Cow::Borrowed(value));
    }
    let bytes = value.as_bytes();
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(OpenError::Malformed)?;
            let hex = std::str::from_utf8(hex).map_err(|_| OpenError::Malformed)?;
            let b = u8::from_str_radix(hex, 16).map_err(|_| OpenError::Malformed)?;
            if !b.is_ascii() || !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                return Err(OpenError::Malformed);
            }
            out.push(char::from(b));
            i += 3;
        } else {
            // Not a `%`: copy the whole run up to the next one.
            let end = value[i..].find('%').map_or(bytes.len(), |n| i + n);
            out.push_str(&value[i..end]);
            i = end;
        }
    }
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_rack() {
        // Rack::Utils.escape("ab+/=--c d*é")
        assert_eq!(escape("ab+/=--c d*é"), "ab%2B%2F%3D--c+d*%C3%A9");
        assert_eq!(unescape("ab%2B%2f%3D--c").unwrap(), "ab+/=--c");
        assert_eq!(unescape("ab+/=").unwrap(), "ab+/=");
        for bad in ["%", "%2", "%zz", "%+1", "a%C3%A9", "%%41"] {
            assert_eq!(unescape(bad), Err(OpenError::Malformed), "{bad}");
        }
    }
}
