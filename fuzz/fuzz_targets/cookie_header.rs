//! Arbitrary bytes as a request's `Cookie:` header, searched for the signed and the encrypted
//! typed cookie. Never panics; whatever is found and opened re-seals and re-opens to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typed_cookies::SealedCookie;
use typed_cookies_fuzz::{keys, now, EncryptedCookie, SignedCookie};

fuzz_target!(|data: &[u8]| {
    let header = String::from_utf8_lossy(data);
    let keys = keys();
    if let Ok(Some(cookie)) = SignedCookie::from_cookie_header(&keys.at(now()), &header) {
        let again = format!("fz_sid={}", cookie.seal(&keys.at(now())).unwrap());
        assert_eq!(
            SignedCookie::from_cookie_header(&keys.at(now()), &again).unwrap(),
            Some(cookie)
        );
    }
    if let Ok(Some(cookie)) = EncryptedCookie::from_cookie_header(&keys.at(now()), &header) {
        let again = format!("fz_enc={}", cookie.seal(&keys.at(now())).unwrap());
        assert_eq!(
            EncryptedCookie::from_cookie_header(&keys.at(now()), &again).unwrap(),
            Some(cookie)
        );
    }
});
