//! Runtime salts (`keys.signed_parts(["reset", email])`, the Django-style use) cannot grow
//! the subkey cache without bound or make each new salt slower than the last: the per-salt cost
//! stays flat over 50,000 distinct salts and the cache never holds more than its cap. Nor can
//! long salts: the cache and the sealers keep a 32-byte digest, never the salt, so thousands of
//! distinct 64 KiB salts leave a few hundred bytes each on the heap (counted by the binary's
//! counting allocator).
//!
//! Timing is compared within one run (the late salts against the early ones), by medians of
//! single measurements, so a slow machine or a scheduler hiccup does not decide the outcome.
//! Before the cache was bounded, every new salt copied the whole map: over 10,000 salts the
//! late ones already cost well over 5× the early ones (50,000 took minutes).

use std::time::{Duration, Instant};

use stats_alloc::Region;
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
    let cap = typed_cookies::__private::runtime_salt_cache_cap();
    assert!(
        cap < SALTS / 10,
        "the test must overflow the cache: cap {cap}"
    );
    let mut early = Vec::with_capacity(WINDOW);
    let mut late = Vec::with_capacity(WINDOW);
    for i in 0..SALTS {
        let email = format!("user{i}@example.com");
        let start = Instant::now();
        let signer = keys.signed_parts(["reset", &email]);
        let took = start.elapsed();
        drop(std::hint::black_box(signer));
        if i < WINDOW {
            early.push(took);
        } else if i >= SALTS - WINDOW {
            late.push(took);
        }
        let cached = typed_cookies::__private::runtime_salt_cache_len(&keys);
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
    for i in 0..typed_cookies::__private::runtime_salt_cache_cap() * 2 {
        drop(keys.signed(&format!("filler:{i}")));
    }
    assert_eq!(
        keys.encrypted("invite:42")
            .no_expiry()
            .open::<String>(&first)
            .unwrap(),
        "alice"
    );
    assert!(
        typed_cookies::__private::runtime_salt_cache_len(&keys)
            <= typed_cookies::__private::runtime_salt_cache_cap()
    );
}

/// Heap bytes held now that were not held when `region` started (a reallocation's growth or
/// shrinking is already in the allocated and deallocated counts).
fn held(region: &Region<'_, std::alloc::System>) -> isize {
    let change = region.change();
    change.bytes_allocated as isize - change.bytes_deallocated as isize
}

/// Thousands of distinct 64 KiB salts (which the old cache kept whole: 1024 of them pinned
/// 64 MiB, and every sealer its own copy) leave the ring's cache and the sealers made from them
/// holding a few hundred bytes per salt: each cache entry is keyed by a 32-byte digest, and a
/// sealer keeps the digest too. Also through `signed_parts` and one-time sealers.
#[test]
fn huge_distinct_salts_keep_memory_bounded() {
    const SALT_LEN: usize = 64 * 1024;
    /// Generous per-salt bound (the real cost is a few hundred bytes), far below `SALT_LEN`.
    const PER_SALT: isize = 4 * 1024;
    let _alone = super::HEAVY.lock().unwrap_or_else(|e| e.into_inner());
    let cap = typed_cookies::__private::runtime_salt_cache_cap();
    let count = cap * 2;
    let keys = KeyRing::new(Key::generate());
    let region = Region::new(super::GLOBAL);
    let mut sealers = Vec::with_capacity(2 * count);
    let mut one_time = Vec::with_capacity(count);
    for i in 0..count {
        let mut salt = format!("reset:{i}:");
        salt.extend(std::iter::repeat_n('x', SALT_LEN - salt.len()));
        sealers.push(keys.signed(&salt).no_expiry());
        sealers.push(keys.encrypted_parts(["reset", &salt]).no_expiry());
        one_time.push(
            keys.signed_parts([&salt])
                .one_time(typed_cookies::time::Duration::minutes(1)),
        );
        // The salt is dropped here: nothing may keep a copy.
    }
    assert_eq!(typed_cookies::__private::runtime_salt_cache_len(&keys), cap);
    let with_sealers = held(&region);
    // 2 × count sealers and count one-time sealers, alive, plus the full cache.
    assert!(
        with_sealers < 3 * count as isize * PER_SALT,
        "{with_sealers} bytes held for {count} distinct salts of {SALT_LEN} bytes"
    );
    drop((sealers, one_time));
    let cache_only = held(&region);
    assert!(
        cache_only > 0 && cache_only < cap as isize * PER_SALT,
        "{cache_only} bytes held by a full cache of {cap} salts of {SALT_LEN} bytes"
    );
    println!("{count} salts of {SALT_LEN} bytes: {with_sealers} bytes with their sealers, {cache_only} in the full cache");
}
