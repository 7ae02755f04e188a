//! Arbitrary bytes opened as encrypted values: the low-level sealer and the typed encrypted
//! (postcard) cookie. Never panics; whatever opens re-seals and re-opens to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typed_cookies::SealedCookie;
use typed_cookies_fuzz::{keys, now, EncryptedCookie, Payload, LOW_LEVEL_SALT};

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let keys = keys();
    let sealer = keys.sealer(LOW_LEVEL_SALT).no_expiry();
    if let Ok(value) = sealer.open_at::<Payload>(&input, now()) {
        let again = sealer.seal_at(&value, now()).unwrap();
        assert_eq!(sealer.open_at::<Payload>(&again, now()).unwrap(), value);
    }
    let _ = sealer.open_at::<String>(&input, now());
    if let Ok(cookie) = EncryptedCookie::open_at(&keys, &input, now()) {
        let again = cookie.seal_at(&keys, now()).unwrap();
        assert_eq!(
            EncryptedCookie::open_at(&keys, &again, now()).unwrap(),
            cookie
        );
    }
});
