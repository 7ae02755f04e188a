//! JSON as `ActiveSupport::JSON.encode` writes it: compact, non-ASCII characters as UTF-8,
//! and (with Rails' default `escape_html_entities_in_json`) `<`, `>`, `&`, U+2028 and U+2029
//! escaped as `\u003c`, `\u003e`, `\u0026`, `\u2028`, `\u2029`, so the signed cookies made
//! here are byte for byte the ones Rails makes for the same value and time.

use std::io;

use serde::Serialize;
use serde_json::ser::Formatter;

/// `ActiveSupport::JSON.encode(value)` for the JSON types serde writes (floats aside: Ruby
/// writes `1.0e+20` where serde writes `1e20`; both read back the same).
pub(crate) fn to_vec<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(128);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, RailsFormatter);
    value.serialize(&mut ser)?;
    Ok(out)
}

/// `CompactFormatter`, with ActiveSupport's extra escapes.
struct RailsFormatter;

impl Formatter for RailsFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            let escaped = match c {
                '<' => "\\u003c",
                '>' => "\\u003e",
                '&' => "\\u0026",
                '\u{2028}' => "\\u2028",
                '\u{2029}' => "\\u2029",
                _ => continue,
            };
            writer.write_all(&fragment.as_bytes()[start..i])?;
            writer.write_all(escaped.as_bytes())?;
            start = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_like_active_support() {
        // ActiveSupport::JSON.encode({"k"=>"\u0001\t\n/\u007f\"\\\u2029😀<b>&é\u2028", "n"=>nil, "t"=>true})
        let v = serde_json::json!({"k": "\u{1}\t\n/\u{7f}\"\\\u{2029}😀<b>&é\u{2028}", "n": null, "t": true});
        let out = String::from_utf8(super::to_vec(&v).unwrap()).unwrap();
        assert_eq!(
            out,
            "{\"k\":\"\\u0001\\t\\n/\u{7f}\\\"\\\\\\u2029😀\\u003cb\\u003e\\u0026é\\u2028\",\"n\":null,\"t\":true}"
        );
    }
}
