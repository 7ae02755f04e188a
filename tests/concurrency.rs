//! Concurrency: one shared `KeyRing` (three keys) used by 8 threads that seal and open
//! 1,000,000 values in total — four typed cookies (both modes, both codecs) and low-level
//! signers and sealers over 16 salts, created fresh for every value so the subkey cache is
//! populated by all threads at once, from a cold start behind a barrier. Some values are
//! sealed by a ring whose primary is one of the shared ring's fallbacks (rotation in flight).
//!
//! Every value opens to exactly what was sealed, on the sealing thread and — for one value in
//! eight — on another thread (values cross threads through channels). Afterwards the cache is
//! checked against fresh derivations: signed values are deterministic, so the shared ring
//! (whose cache was filled racily) and a fresh ring from the same keys must produce
//! byte-identical values for every namespace used, and each must open the other's.

use std::sync::mpsc;
use std::sync::Barrier;
use std::time::Instant;

use typed_cookies::{Key, KeyRing, OpenError};
use typed_cookies_testkit::{t0 as now, Kind, Payload};

const THREADS: usize = 8;
const TOTAL: usize = 1_000_000;
const PER_THREAD: usize = TOTAL / THREADS;
const SALTS: usize = 16;
/// One value in this many is also opened by the next thread.
const EXCHANGE_EVERY: usize = 8;

/// How a value was made; the same recipe opens it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Recipe {
    SignedJson,
    EncryptedJson,
    SignedPostcard,
    EncryptedPostcard,
    Signer {
        salt: usize,
    },
    Sealer {
        salt: usize,
    },
    /// Sealed by the ring whose primary is the shared ring's first fallback.
    OldSigner {
        salt: usize,
    },
    OldSealer {
        salt: usize,
    },
}

impl Recipe {
    fn for_value(thread: usize, i: usize) -> Self {
        let salt = (thread * 7 + i) % SALTS;
        match i % 8 {
            0 => Recipe::SignedJson,
            1 => Recipe::EncryptedJson,
            2 => Recipe::SignedPostcard,
            3 => Recipe::EncryptedPostcard,
            4 => Recipe::Signer { salt },
            5 => Recipe::Sealer { salt },
            6 if i % 16 == 6 => Recipe::OldSigner { salt },
            6 => Recipe::Signer { salt },
            _ if i % 16 == 7 => Recipe::OldSealer { salt },
            _ => Recipe::Sealer { salt },
        }
    }
}

fn salt(n: usize) -> String {
    format!("concurrency.low-level.{n}")
}

/// Seals with a low-level Sealer made on the spot (racing other threads into the cache).
fn seal(shared: &KeyRing, old: &KeyRing, recipe: Recipe, p: &Payload) -> String {
    let t = now();
    match recipe {
        Recipe::SignedJson => return Kind::SignedJson.seal(&shared.at(t), p),
        Recipe::EncryptedJson => return Kind::EncryptedJson.seal(&shared.at(t), p),
        Recipe::SignedPostcard => return Kind::SignedPostcard.seal(&shared.at(t), p),
        Recipe::EncryptedPostcard => return Kind::EncryptedPostcard.seal(&shared.at(t), p),
        Recipe::Signer { salt: n } => shared.signed(&salt(n)).no_expiry().at(t).seal(p),
        Recipe::Sealer { salt: n } => shared.encrypted(&salt(n)).no_expiry().at(t).seal(p),
        Recipe::OldSigner { salt: n } => old.signed(&salt(n)).no_expiry().at(t).seal(p),
        Recipe::OldSealer { salt: n } => old.encrypted(&salt(n)).no_expiry().at(t).seal(p),
    }
    .unwrap()
}

/// Opens with the shared ring (which holds the old key as a fallback).
fn open(shared: &KeyRing, recipe: Recipe, value: &str) -> Result<Payload, OpenError> {
    let t = now();
    match recipe {
        Recipe::SignedJson => Kind::SignedJson.open(&shared.at(t), value),
        Recipe::EncryptedJson => Kind::EncryptedJson.open(&shared.at(t), value),
        Recipe::SignedPostcard => Kind::SignedPostcard.open(&shared.at(t), value),
        Recipe::EncryptedPostcard => Kind::EncryptedPostcard.open(&shared.at(t), value),
        Recipe::Signer { salt: n } | Recipe::OldSigner { salt: n } => {
            shared.signed(&salt(n)).no_expiry().at(t).open(value)
        }
        Recipe::Sealer { salt: n } | Recipe::OldSealer { salt: n } => {
            shared.encrypted(&salt(n)).no_expiry().at(t).open(value)
        }
    }
}

/// Value `i` of `thread`: the thread in the high half of `user`, the index in the low half.
fn payload(thread: usize, i: usize) -> Payload {
    Payload {
        user: (thread as u64) << 32 | i as u64,
        name: format!("thread {thread} value {i} ✓"),
        roles: (0..(i % 5)).map(|k| (k * thread).to_string()).collect(),
    }
}

/// What each thread did.
#[derive(Default)]
struct Tally {
    sealed: usize,
    opened_here: usize,
    opened_from_other_thread: usize,
}

#[test]
fn eight_threads_one_ring_a_million_values() {
    let (k0, k1, k2) = (Key::generate(), Key::generate(), Key::generate());
    let shared = KeyRing::with_fallbacks(k0.clone(), [k1.clone(), k2.clone()]).unwrap();
    let old = KeyRing::new(k1.clone());
    let barrier = Barrier::new(THREADS);
    let (senders, receivers): (Vec<_>, Vec<_>) = (0..THREADS)
        .map(|_| mpsc::channel::<(Recipe, Payload, String)>())
        .unzip();
    let start = Instant::now();

    let tallies: Vec<Tally> = std::thread::scope(|scope| {
        let mut receivers = receivers.into_iter();
        let handles: Vec<_> = (0..THREADS)
            .map(|thread| {
                // Thread t sends to t + 1 and receives from t - 1.
                let to_next = senders[(thread + 1) % THREADS].clone();
                let from_previous = receivers.next().unwrap();
                // Each thread holds its own clone of the ring: clones share one subkey cache.
                let ring = shared.clone();
                let (old, barrier) = (&old, &barrier);
                scope.spawn(move || {
                    let mut tally = Tally::default();
                    let check = |recipe, expected: &Payload, value: &str| {
                        let opened = open(&ring, recipe, value);
                        assert_eq!(opened.as_ref(), Ok(expected), "{recipe:?}");
                    };
                    barrier.wait();
                    for i in 0..PER_THREAD {
                        let recipe = Recipe::for_value(thread, i);
                        let p = payload(thread, i);
                        let value = seal(&ring, old, recipe, &p);
                        tally.sealed += 1;
                        check(recipe, &p, &value);
                        tally.opened_here += 1;
                        if i % EXCHANGE_EVERY == 0 {
                            to_next.send((recipe, p, value)).unwrap();
                        }
                        while let Ok((recipe, p, value)) = from_previous.try_recv() {
                            assert_ne!((p.user >> 32) as usize, thread);
                            check(recipe, &p, &value);
                            tally.opened_from_other_thread += 1;
                        }
                    }
                    drop(to_next);
                    // Drain what the previous thread still sends until it is done.
                    for (recipe, p, value) in from_previous {
                        check(recipe, &p, &value);
                        tally.opened_from_other_thread += 1;
                    }
                    tally
                })
            })
            .collect();
        drop(senders);
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let elapsed = start.elapsed();

    let sealed: usize = tallies.iter().map(|t| t.sealed).sum();
    let here: usize = tallies.iter().map(|t| t.opened_here).sum();
    let crossed: usize = tallies.iter().map(|t| t.opened_from_other_thread).sum();
    assert_eq!(sealed, TOTAL);
    assert_eq!(here, TOTAL);
    assert_eq!(crossed, THREADS * PER_THREAD.div_ceil(EXCHANGE_EVERY));
    println!(
        "concurrency: {THREADS} threads sealed {sealed} values and opened {} ({crossed} on another thread) in {elapsed:.2?}",
        here + crossed
    );

    // The cache, filled racily, agrees with fresh derivations for every namespace used.
    let fresh = KeyRing::from_base64_list(&format!(
        "{}, {}, {}",
        k0.to_base64(),
        k1.to_base64(),
        k2.to_base64()
    ))
    .unwrap();
    let p = payload(0, 0);
    for n in 0..SALTS {
        let salt = salt(n);
        let ours = shared.signed(&salt).no_expiry().at(now()).seal(&p).unwrap();
        assert_eq!(
            ours,
            fresh.signed(&salt).no_expiry().at(now()).seal(&p).unwrap(),
            "{salt}"
        );
        let theirs = fresh
            .encrypted(&salt)
            .no_expiry()
            .at(now())
            .seal(&p)
            .unwrap();
        assert_eq!(
            shared
                .encrypted(&salt)
                .no_expiry()
                .at(now())
                .open::<Payload>(&theirs),
            Ok(p.clone())
        );
        let ours = shared
            .encrypted(&salt)
            .no_expiry()
            .at(now())
            .seal(&p)
            .unwrap();
        assert_eq!(
            fresh
                .encrypted(&salt)
                .no_expiry()
                .at(now())
                .open::<Payload>(&ours),
            Ok(p.clone())
        );
    }
    for recipe in [Recipe::SignedJson, Recipe::SignedPostcard] {
        assert_eq!(
            seal(&shared, &old, recipe, &p),
            seal(&fresh, &old, recipe, &p)
        );
    }
    for recipe in [Recipe::EncryptedJson, Recipe::EncryptedPostcard] {
        assert_eq!(
            open(&fresh, recipe, &seal(&shared, &old, recipe, &p)),
            Ok(p.clone())
        );
        assert_eq!(
            open(&shared, recipe, &seal(&fresh, &old, recipe, &p)),
            Ok(p.clone())
        );
    }
}

/// Many threads creating Sealers for the *same new* salt at the same instant all get working,
/// interchangeable subkeys (whichever derivation wins the race is the one everyone uses, and
/// they are all equal anyway).
#[test]
fn racing_first_use_of_one_salt_is_consistent() {
    for round in 0..50 {
        let keys = KeyRing::new(Key::generate());
        let barrier = Barrier::new(THREADS);
        let salt = format!("race.{round}");
        let values: Vec<(String, String)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..THREADS)
                .map(|t| {
                    let (keys, barrier, salt) = (&keys, &barrier, &salt);
                    scope.spawn(move || {
                        barrier.wait();
                        let signed = keys.signed(salt).no_expiry().at(now()).seal(&t).unwrap();
                        let sealed = keys.encrypted(salt).no_expiry().at(now()).seal(&t).unwrap();
                        (signed, sealed)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let fresh = KeyRing::from_base64_list(&keys.primary().to_base64()).unwrap();
        for (t, (signed, sealed)) in values.iter().enumerate() {
            assert_eq!(
                *signed,
                fresh.signed(&salt).no_expiry().at(now()).seal(&t).unwrap(),
                "round {round} thread {t}"
            );
            assert_eq!(
                keys.signed(&salt)
                    .no_expiry()
                    .at(now())
                    .open::<usize>(signed),
                Ok(t)
            );
            assert_eq!(
                keys.encrypted(&salt)
                    .no_expiry()
                    .at(now())
                    .open::<usize>(sealed),
                Ok(t)
            );
            assert_eq!(
                fresh
                    .encrypted(&salt)
                    .no_expiry()
                    .at(now())
                    .open::<usize>(sealed),
                Ok(t)
            );
        }
    }
}
