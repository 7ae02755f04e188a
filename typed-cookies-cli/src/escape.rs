//! What the command prints never reaches the terminal raw when it could act on it: the
//! characters of [`is_unsafe`] — C0 and C1 controls (ESC sequences, `\r`, `\n`, U+0085), DEL,
//! the bidirectional overrides, embeddings, isolates and marks (U+202A–U+202E,
//! U+2066–U+2069, U+200E, U+200F, U+061C) and the line and paragraph separators
//! (U+2028, U+2029) — are written as escapes. A sealed value's payload, a foreign session's
//! claims and a `Set-Cookie` line's name all come from whoever wrote them; unescaped, they
//! could rewrite what is on screen (clear it, move the cursor, reorder a line).
//!
//! Plain text gets Rust's `\u{202e}` form ([`text`]); JSON gets JSON's own `\u202e` escape
//! ([`json`]), so it stays the same JSON value. Everything else, backslashes included, is
//! left as it is.

use std::borrow::Cow;

/// Whether `c` is escaped before it is printed.
pub fn is_unsafe(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{61c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// `s` with every [`is_unsafe`] character as `\u{..}` (lowercase hex, as Rust writes it).
///
/// ```
/// use typed_cookies_cli::escape;
/// assert_eq!(escape::text("a\u{1b}[2Jb\u{202e}c"), "a\\u{1b}[2Jb\\u{202e}c");
/// assert_eq!(escape::text("plain \\ text ✓"), "plain \\ text ✓");
/// ```
pub fn text(s: &str) -> Cow<'_, str> {
    escape_with(s, |c, out| out.extend(c.escape_unicode()))
}

/// Serialized JSON with every [`is_unsafe`] character as a JSON `\uXXXX` escape: the same
/// JSON value, terminal-safe. (Such characters can only occur inside JSON strings, where
/// that escape means the character itself; all of them are in the Basic Multilingual Plane.)
///
/// ```
/// use typed_cookies_cli::escape;
/// let serialized = serde_json::json!({"name": "\u{202e}evil\u{85}"}).to_string();
/// let printed = escape::json(&serialized);
/// assert_eq!(printed, r#"{"name":"\u202eevil\u0085"}"#);
/// assert_eq!(
///     serde_json::from_str::<serde_json::Value>(&printed).unwrap()["name"],
///     "\u{202e}evil\u{85}"
/// );
/// ```
pub fn json(s: &str) -> Cow<'_, str> {
    escape_with(s, |c, out| {
        out.push_str(&format!("\\u{:04x}", u32::from(c)));
    })
}

fn escape_with(s: &str, escape: impl Fn(char, &mut String)) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_unsafe(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi_and_nothing_else() {
        for c in [
            '\0', '\t', '\n', '\r', '\u{1b}', '\u{7f}', '\u{80}', '\u{85}', '\u{9b}', '\u{9f}',
            '\u{61c}', '\u{200e}', '\u{200f}', '\u{2028}', '\u{2029}', '\u{202a}', '\u{202e}',
            '\u{2066}', '\u{2069}',
        ] {
            assert!(is_unsafe(c), "{c:?}");
            let escaped = text(&c.to_string()).into_owned();
            assert_eq!(escaped, format!("\\u{{{:x}}}", u32::from(c)));
            let escaped = json(&c.to_string()).into_owned();
            assert_eq!(escaped, format!("\\u{:04x}", u32::from(c)));
        }
        for c in [
            ' ', '~', '\\', '"', '\u{a0}', 'é', '\u{200b}', '\u{200d}', '\u{2027}', '\u{202f}',
            '\u{2065}', '\u{206a}', '✓', '😀',
        ] {
            assert!(!is_unsafe(c), "{c:?}");
            assert!(matches!(text(&c.to_string()), Cow::Borrowed(_)));
        }
    }
}
