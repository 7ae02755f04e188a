//! Arbitrary bytes opened as encrypted values: the low-level sealer and the typed encrypted
//! (postcard) cookie. Never panics; whatever opens re-seals and re-opens to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typed_cookies::SealedCookie;
use typed_cookies_fuzz::{keys, now, EncryptedCookie, Payload, LOW_LEVEL_SALT};

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let keys = keys();
    let sealer = keys.encrypted(LOW_LEVEL_SALT).no_expiry();
    if let Ok(value) = sealer.at(now()).open::<Payload>(&input) {
        let again = sealer.at(now()).seal(&value).unwrap();
        assert_eq!(sealer.at(now()).open::<Payload>(&again).unwrap(), value);
    }
    let _ = sealer.at(now()).open::<String>(&input);
    if let Ok(cookie) = EncryptedCookie::open(&keys.at(now()), &input) {
        let again = cookie.seal(&keys.at(now())).unwrap();
        assert_eq!(
            EncryptedCookie::open(&keys.at(now()), &again).unwrap(),
            cookie
        );
    }
});
