//! The one PHP `serialize()` form read and written here: a string, `s:<byte length>:"<bytes>";`.
//!
//! Laravel's `encrypt($value)` (and `EncryptCookies` with `$serialize = true`) encrypts
//! `serialize($value)` and decrypts with `unserialize()`, which builds any PHP value the bytes
//! describe — objects included, whose magic methods (`__wakeup`, `__destruct`) then run: the
//! "PHP object injection" behind Laravel's known remote-code-execution bugs once an
//! `APP_KEY` leaks. This reader never builds anything: it accepts exactly one string, with a
//! canonical decimal length no longer than the input, and refuses every other form (objects
//! `O:`/`C:`, arrays, numbers, booleans, `null`, references, escaped `S:` strings, trailing
//! bytes).

/// `serialize($bytes)` for a PHP string.
pub(super) fn write(bytes: &[u8]) -> Vec<u8> {
    let mut len = itoa::Buffer::new();
    let len = len.format(bytes.len());
    let mut out = Vec::with_capacity(bytes.len() + len.len() + 6);
    out.extend_from_slice(b"s:");
    out.extend_from_slice(len.as_bytes());
    out.extend_from_slice(b":\"");
    out.extend_from_slice(bytes);
    out.extend_from_slice(b"\";");
    out
}

/// The string inside `s:N:"…";`, or `None` for anything else.
pub(super) fn read(serialized: &[u8]) -> Option<&[u8]> {
    let rest = serialized.strip_prefix(b"s:")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    // 1 to 4 digits: no cookie holds 10 000 bytes; no leading zeros, as PHP writes.
    if digits == 0 || digits > 4 || (digits > 1 && rest[0] == b'0') {
        return None;
    }
    let len = rest[..digits]
        .iter()
        .fold(0usize, |n, d| n * 10 + usize::from(d - b'0'));
    let body = rest[digits..].strip_prefix(b":\"")?;
    let (string, tail) = (body.get(..len)?, body.get(len..)?);
    (tail == b"\";").then_some(string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip() {
        // php -r 'echo serialize("héllo \"x\";");'
        assert_eq!(
            write("héllo \"x\";".as_bytes()),
            b"s:11:\"h\xc3\xa9llo \"x\";\";"
        );
        for s in ["", "a", "héllo \"x\";", "s:1:\"a\";", &"z".repeat(4000)] {
            assert_eq!(read(&write(s.as_bytes())), Some(s.as_bytes()));
        }
    }

    #[test]
    fn everything_else_is_refused() {
        for bad in [
            &b"O:8:\"stdClass\":0:{}"[..],
            b"C:11:\"ArrayObject\":21:{x:i:0;a:0:{};m:a:0:{}}",
            b"a:1:{i:0;s:1:\"a\";}",
            b"i:1;",
            b"b:1;",
            b"N;",
            b"d:1.5;",
            b"S:1:\"\\61\";",
            b"r:1;",
            b"s:1:\"a\";i:1;",
            b"s:1:\"a\"",
            b"s:1:\"ab\";",
            b"s:2:\"a\";",
            b"s:01:\"a\";",
            b"s:+1:\"a\";",
            b"s:-1:\"a\";",
            b"s::\"\";",
            b"s:99999:\"a\";",
            b"s:18446744073709551617:\"a\";",
            b"s:1:'a';",
            b"",
            b"s",
        ] {
            assert_eq!(read(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }
}
