//! JSON as Python's `json.dumps(…, separators=(",", ":"))` writes it: compact, and with
//! `ensure_ascii` every non-ASCII character escaped as `\uXXXX` (UTF-16, surrogate pairs
//! for characters beyond the BMP). Django decodes its payload as Latin-1, so anything but
//! ASCII would be read back as mojibake there.

use std::io;

use serde::Serialize;
use serde_json::ser::Formatter;

/// Compact JSON; non-ASCII escaped when `ascii` is set.
pub(crate) fn to_vec<T: Serialize + ?Sized>(value: &T, ascii: bool) -> serde_json::Result<Vec<u8>> {
    if !ascii {
        return serde_json::to_vec(value);
    }
    let mut out = Vec::with_capacity(128);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, AsciiFormatter);
    value.serialize(&mut ser)?;
    Ok(out)
}

/// `CompactFormatter`, escaping every non-ASCII character.
struct AsciiFormatter;

impl Formatter for AsciiFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if c.is_ascii() {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// Bytes decoded as Latin-1 (each byte one character), as Django's serializer reads them.
#[cfg(feature = "django")]
pub(crate) fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_like_python_ensure_ascii() {
        let v = serde_json::json!({"k": "é😀\"a", "n": [1, 2.5]});
        let out = String::from_utf8(super::to_vec(&v, true).unwrap()).unwrap();
        // json.dumps({"k": "é😀\"a", "n": [1, 2.5]}, separators=(",", ":"))
        assert_eq!(out, r#"{"k":"\u00e9\ud83d\ude00\"a","n":[1,2.5]}"#);
    }
}
