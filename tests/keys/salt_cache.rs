//! Runtime salts (`keys.signed(&format!("reset:{email}"))`, the Django-style use) cannot grow
//! the subkey cache without bound or make each new salt slower than the last: the per-salt cost
//! stays flat over 50,000 distinct salts and the cache never holds more than its cap.
//!
//! Timing is compared within one run (the late salts against the early ones), by medians of
//! single measurements, so a slow machine or a scheduler hiccup does not decide the outcome.
//! Before the cache was bounded, every new salt copied the whole map: over 10,000 salts the
//! late ones already cost well over 5× the early ones (50,000 took minutes).

use std::time::{Duration, Instant};

use typed_cookies::{Key, KeyRing};

const SALTS: usize = 50_000;
const WINDOW: usize = 1_000;
/// Late salts may cost at most this many times the early ones (flat is ~1×).
const MAX_RATIO: f64 = 5.0;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

#[test]
fn many_runtime_salts_cost_flat_time_and_bounded_memory() {
    let _alone = super::HEAVY.lock().unwrap_or_else(|e| e.into_inner());
    let keys = KeyRing::with_fallbacks(Key::generate(), [Key::generate()]).unwrap();
    let cap = KeyRing::__runtime_salt_cache_cap();
    assert!(
        cap < SALTS / 10,
        "the test must overflow the cache: cap {cap}"
    );
    let mut early = Vec::with_capacity(WINDOW);
    let mut late = Vec::with_capacity(WINDOW);
    for i in 0..SALTS {
        let salt = format!("reset:user{i}@example.com");
        let start = Instant::now();
        let signer = keys.signed(&salt);
        let took = start.elapsed();
        drop(std::hint::black_box(signer));
        if i < WINDOW {
            early.push(took);
        } else if i >= SALTS - WINDOW {
            late.push(took);
        }
        let cached = keys.__runtime_salt_cache_len();
        assert!(
            cached <= cap,
            "{cached} runtime salts cached after {} salts, cap {cap}",
            i + 1
        );
    }
    let (early, late) = (median(early), median(late));
    let ratio = late.as_secs_f64() / early.as_secs_f64().max(1e-9);
    assert!(
        ratio < MAX_RATIO,
        "per-salt cost grew {ratio:.1}x: early median {early:?}, late median {late:?}"
    );
}

/// A runtime salt used again soon is served from the cache: the sealer made for it still
/// opens what an earlier one sealed, also after the salt was evicted and derived again.
#[test]
fn evicted_salts_derive_the_same_subkeys_again() {
    let keys = KeyRing::new(Key::generate());
    let first = keys
        .encrypted("invite:42")
        .no_expiry()
        .seal(&"alice")
        .unwrap();
    for i in 0..KeyRing::__runtime_salt_cache_cap() * 2 {
        drop(keys.signed(&format!("filler:{i}")));
    }
    assert_eq!(
        keys.encrypted("invite:42")
            .no_expiry()
            .open::<String>(&first)
            .unwrap(),
        "alice"
    );
    assert!(keys.__runtime_salt_cache_len() <= KeyRing::__runtime_salt_cache_cap());
}
