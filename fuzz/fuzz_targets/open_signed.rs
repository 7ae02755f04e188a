//! Arbitrary bytes opened as signed values: the low-level signer (as a typed payload and as a
//! `String`) and the typed signed cookie. Never panics; and since signing is deterministic,
//! anything that opens must be exactly what re-sealing its contents produces — an input that
//! opens but differs from that would be a forgery.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typed_cookies::SealedCookie;
use typed_cookies_fuzz::{fallback_key, keys, now, Payload, SignedCookie, LOW_LEVEL_SALT};

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let keys = keys();
    let signer = keys.signed(LOW_LEVEL_SALT).no_expiry();
    if let Ok(opened) = signer.at(now()).open_with_metadata::<Payload>(&input) {
        let again = if opened.sealed_with_primary() {
            signer.at(opened.issued_at()).seal(opened.value()).unwrap()
        } else {
            typed_cookies::KeyRing::new(fallback_key())
                .signed(LOW_LEVEL_SALT)
                .no_expiry()
                .at(opened.issued_at()).seal(opened.value())
                .unwrap()
        };
        assert_eq!(again, input, "opened but is not what we would have sealed");
    }
    let _ = signer.at(now()).open::<String>(&input);
    if let Ok(opened) = SignedCookie::open_with_metadata(&keys.at(now()), &input) {
        if opened.sealed_with_primary() {
            let again = opened.value().seal(&keys.at(opened.issued_at())).unwrap();
            assert_eq!(again, input, "opened but is not what we would have sealed");
        }
    }
});
