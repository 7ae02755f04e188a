//! Arbitrary bytes as a `Set-Cookie` line through `typed-cookies check-set-cookie`'s checker:
//! it never panics (a multi-byte character where a month or digits are looked for once did),
//! and what the command prints of the line — text and JSON — carries no control or bidi
//! character raw, the JSON parses and agrees with the verdict, and a stored cookie's expiry
//! lies within the 400-day cap (`typed_cookies_cli::fuzzing::check_set_cookie`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    typed_cookies_fuzz::check_set_cookie(&String::from_utf8_lossy(data));
});
