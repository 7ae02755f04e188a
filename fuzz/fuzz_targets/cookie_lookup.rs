//! Arbitrary bytes as a `Cookie:` header: the library's lookup of the signed cookie must find
//! exactly what a plain reference splitter finds (names compared byte for byte, only SP and
//! HTAB trimmed), so no look-alike name (Unicode whitespace, case) is ever opened as ours.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    typed_cookies_fuzz::check_lookup(&String::from_utf8_lossy(data));
});
