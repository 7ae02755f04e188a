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
    let signer = keys.signer(LOW_LEVEL_SALT).no_expiry();
    if let Ok(opened) = signer.open_with_metadata_at::<Payload>(&input, now()) {
        let again = if opened.sealed_with_primary() {
            signer.seal_at(opened.value(), opened.issued_at()).unwrap()
        } else {
            typed_cookies::KeyRing::new(fallback_key())
                .signer(LOW_LEVEL_SALT)
                .no_expiry()
                .seal_at(opened.value(), opened.issued_at())
                .unwrap()
        };
        assert_eq!(again, input, "opened but is not what we would have sealed");
    }
    let _ = signer.open_at::<String>(&input, now());
    if let Ok(opened) = SignedCookie::open_with_metadata_at(&keys, &input, now()) {
        if opened.sealed_with_primary() {
            let again = opened.value().seal_at(&keys, opened.issued_at()).unwrap();
            assert_eq!(again, input, "opened but is not what we would have sealed");
        }
    }
});
