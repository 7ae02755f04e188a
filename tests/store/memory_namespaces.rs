//! `MemoryStore`'s namespaces (its maps are namespace → id → value), through the public API
//! only: `RevocationStore` calls and a `Guard` over a shared
//! store. Revocations, claims and nonces stay in their namespace and their kind (the empty
//! namespace and look-alike names included); the sweep, driven by writes of expired entries,
//! keeps every live entry of every namespace and lets expired ones be used again; claims and
//! nonce starts that replace an entry, many namespaces, many threads and tokio tasks at once;
//! and a guard's sign-out, sign-out-everywhere, one-time and replay state surviving sweeps.
//!
//! Every `MemoryStore` future is ready when first polled (`poll_ready`); time is passed in
//! (`now`) or moved on the ring's `ManualClock`, never waited for.

use std::sync::{Arc, Barrier};

use serde::{Deserialize, Serialize};
use typed_cookies::guard::{ClientContext, Guard};
use typed_cookies::store::{MemoryStore, RevocationStore, Rotation, SessionId};
use typed_cookies::time::Duration;
use typed_cookies::{KeyRing, ManualClock, OpenError, SealedCookie};
use typed_cookies_testkit::sessions::value_of;
use typed_cookies_testkit::{clocked, poll_ready as run, ring};

use super::NOW;

/// More writes than the store's first sweep threshold (1024 entries), so that at least one
/// sweep runs.
const PAST_A_SWEEP: usize = 3_000;

fn revoked(store: &MemoryStore, ns: &str, id: SessionId, now: i64) -> bool {
    run(store.status(ns, id, None, now)).unwrap().revoked
}

fn claim(store: &MemoryStore, ns: &str, id: SessionId, until: i64, now: i64) -> bool {
    run(store.claim(ns, id, until, now)).unwrap()
}

fn rotate(
    store: &MemoryStore,
    ns: &str,
    id: SessionId,
    presented: u64,
    next: u64,
    now: i64,
) -> Rotation {
    run(store.rotate_nonce(ns, id, presented, next, 5, now + 1_000, now)).unwrap()
}

/// `count` revocations already expired (until `now - 1`) written at `now`, each in a namespace of its
/// own: the writes that grow the store to its sweep and are dropped by it.
fn expired_writes(store: &MemoryStore, label: &str, count: usize, now: i64) {
    for i in 0..count {
        run(store.revoke(&format!("{label}.{i}"), SessionId::generate(), now - 1, now)).unwrap();
    }
}

/// Namespaces a flattened `ns + id` or prefix layout could confuse, the empty one included.
const NAMESPACES: [&str; 7] = ["", "a", "a:", ":a", "a\0", "A", "a.b"];

#[test]
fn each_kind_stays_in_its_namespace_the_empty_one_included() {
    let store = MemoryStore::new();
    let id = SessionId::generate();
    for (i, ns) in NAMESPACES.iter().enumerate() {
        // Revoked in this namespace only: none of the others sees it, before or after.
        run(store.revoke(ns, id, NOW + 100, NOW)).unwrap();
        for (j, other) in NAMESPACES.iter().enumerate() {
            assert_eq!(
                revoked(&store, other, id, NOW),
                j <= i,
                "{ns:?} vs {other:?}"
            );
        }
    }
    // A revocation is not a claim, and a claim in one namespace is not one in another.
    for ns in NAMESPACES {
        assert!(claim(&store, ns, id, NOW + 100, NOW), "{ns:?}");
        assert!(!claim(&store, ns, id, NOW + 100, NOW), "{ns:?}");
    }
    // Nonces: started in "" only; every other namespace has none, of any kind.
    run(store.start_nonce("", id, 7, NOW + 100, NOW)).unwrap();
    assert_eq!(rotate(&store, "a", id, 7, 8, NOW), Rotation::Unknown);
    assert_eq!(rotate(&store, "a\0", id, 7, 8, NOW), Rotation::Unknown);
    assert_eq!(rotate(&store, "", id, 7, 8, NOW), Rotation::Rotated);
    assert_eq!(rotate(&store, "", id, 7, 9, NOW + 1), Rotation::Grace);
    assert_eq!(rotate(&store, "", id, 7, 9, NOW + 10), Rotation::Replayed);
    // Another id in the same namespaces: nothing.
    let other = SessionId::generate();
    for ns in NAMESPACES {
        assert!(!revoked(&store, ns, other, NOW), "{ns:?}");
        assert_eq!(rotate(&store, ns, other, 7, 8, NOW), Rotation::Unknown);
    }
}

#[test]
fn the_sweep_keeps_every_live_entry_of_every_namespace() {
    let store = MemoryStore::new();
    let live: Vec<(String, SessionId)> = (0..50)
        .map(|i| (format!("live.{i}"), SessionId::generate()))
        .collect();
    for (k, (ns, id)) in live.iter().enumerate() {
        run(store.revoke(ns, *id, NOW + 10_000, NOW)).unwrap();
        assert!(claim(&store, ns, *id, NOW + 10_000, NOW));
        run(store.start_nonce(ns, *id, k as u64, NOW + 10_000, NOW)).unwrap();
    }
    // Live in the empty namespace too.
    let empty = SessionId::generate();
    run(store.revoke("", empty, NOW + 10_000, NOW)).unwrap();
    // Several sweeps, at a later time that is still before every live entry's end.
    expired_writes(&store, "sweep", 4 * PAST_A_SWEEP, NOW + 500);
    for (k, (ns, id)) in live.iter().enumerate() {
        assert!(revoked(&store, ns, *id, NOW + 500), "{ns}");
        assert!(!claim(&store, ns, *id, NOW + 10_000, NOW + 500), "{ns}");
        let k = k as u64;
        assert_eq!(
            rotate(&store, ns, *id, k, k + 1_000, NOW + 500),
            Rotation::Rotated,
            "{ns}"
        );
    }
    assert!(revoked(&store, "", empty, NOW + 500));
}

#[test]
fn after_a_sweep_expired_entries_are_gone_and_can_be_used_again() {
    let store = MemoryStore::new();
    let ids: Vec<SessionId> = (0..PAST_A_SWEEP).map(|_| SessionId::generate()).collect();
    for (i, id) in ids.iter().enumerate() {
        let ns = format!("ns.{}", i % 97);
        assert!(claim(&store, &ns, *id, NOW + 10, NOW));
        run(store.start_nonce(&ns, *id, 1, NOW + 10, NOW)).unwrap();
        run(store.revoke(&ns, *id, NOW + 10, NOW)).unwrap();
    }
    // Later than every entry: writes sweep them all; each is then as if never written.
    expired_writes(&store, "later", PAST_A_SWEEP, NOW + 11);
    for (i, id) in ids.iter().enumerate() {
        let ns = format!("ns.{}", i % 97);
        assert!(!revoked(&store, &ns, *id, NOW + 11));
        assert_eq!(rotate(&store, &ns, *id, 1, 2, NOW + 11), Rotation::Unknown);
        assert!(claim(&store, &ns, *id, NOW + 100, NOW + 11), "{ns}");
        assert!(!claim(&store, &ns, *id, NOW + 100, NOW + 12), "{ns}");
    }
}

#[test]
fn claims_and_nonce_starts_that_replace_an_entry_keep_working_across_sweeps() {
    let store = MemoryStore::new();
    let id = SessionId::generate();
    // One id claimed again and again after each claim expired, its nonce restarted each time:
    // every write replaces the entry (one entry each, whatever the number of writes).
    for step in 0..(2 * PAST_A_SWEEP as i64) {
        let now = NOW + 2 * step;
        assert!(claim(&store, "", id, now, now), "step {step}");
        assert!(!claim(&store, "", id, now, now), "step {step}");
        run(store.start_nonce("", id, step as u64, now + 1, now)).unwrap();
        assert_eq!(
            rotate(&store, "", id, step as u64, u64::MAX, now),
            Rotation::Rotated
        );
    }
    // A live entry written once, among them, survives whatever sweeps those writes caused.
    let kept = SessionId::generate();
    assert!(claim(&store, "kept", kept, i64::MAX, NOW));
    expired_writes(&store, "more", PAST_A_SWEEP, NOW + 10 * PAST_A_SWEEP as i64);
    assert!(!claim(&store, "kept", kept, i64::MAX, i64::MAX - 1));
}

#[test]
fn very_many_namespaces() {
    let store = MemoryStore::new();
    let id = SessionId::generate();
    let namespaces: Vec<String> = (0..20_000).map(|i| format!("tenant-{i}")).collect();
    for (i, ns) in namespaces.iter().enumerate() {
        if i % 2 == 0 {
            run(store.revoke(ns, id, NOW + 100, NOW)).unwrap();
        } else {
            assert!(claim(&store, ns, id, NOW + 100, NOW));
        }
    }
    for (i, ns) in namespaces.iter().enumerate() {
        assert_eq!(revoked(&store, ns, id, NOW + 50), i % 2 == 0, "{ns}");
        // Odd ones were claimed; even ones are claimed now, first.
        assert_eq!(
            claim(&store, ns, id, NOW + 100, NOW + 50),
            i % 2 == 0,
            "{ns}"
        );
    }
    // Huge and odd namespace strings neither panic nor collide.
    let long = "x".repeat(1 << 16);
    let odd = "\u{0}\u{10FFFF}é\n";
    run(store.revoke(&long, id, NOW + 100, NOW)).unwrap();
    assert!(revoked(&store, &long, id, NOW));
    assert!(!revoked(&store, &long[1..], id, NOW));
    assert!(claim(&store, odd, id, NOW + 100, NOW));
    assert!(!claim(&store, odd, id, NOW + 100, NOW));
}

#[test]
fn one_winner_per_namespace_among_threads() {
    const THREADS: usize = 16;
    const NSS: usize = 64;
    let store = Arc::new(MemoryStore::new());
    let id = SessionId::generate();
    let barrier = Arc::new(Barrier::new(THREADS));
    let wins: Vec<Vec<bool>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let (store, barrier) = (store.clone(), barrier.clone());
                s.spawn(move || {
                    barrier.wait();
                    // Each thread walks the namespaces from its own start, and writes
                    // expired entries of its own in between (sweeps run under the race).
                    (0..NSS)
                        .map(|k| {
                            let ns = (k + t * 7) % NSS;
                            run(store.revoke(
                                &format!("noise.{t}.{k}"),
                                SessionId::generate(),
                                NOW - 1,
                                NOW,
                            ))
                            .unwrap();
                            (ns, claim(&store, &format!("race.{ns}"), id, NOW + 100, NOW))
                        })
                        .fold(vec![false; NSS], |mut won, (ns, w)| {
                            won[ns] = w;
                            won
                        })
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for ns in 0..NSS {
        let count = wins.iter().filter(|won| won[ns]).count();
        assert_eq!(count, 1, "race.{ns}");
    }
}

#[test]
fn one_rotation_per_nonce_among_tokio_tasks() {
    const TASKS: usize = 32;
    const NSS: usize = 16;
    let rt = super::runtime();
    let store = Arc::new(MemoryStore::new());
    let id = SessionId::generate();
    for ns in 0..NSS {
        run(store.start_nonce(&format!("n{ns}"), id, 1, NOW + 100, NOW)).unwrap();
    }
    let answers: Vec<Vec<Rotation>> = rt.block_on(async {
        let tasks: Vec<_> = (0..TASKS)
            .map(|t| {
                let store = store.clone();
                tokio::spawn(async move {
                    let mut answers = Vec::new();
                    for ns in 0..NSS {
                        let ns = format!("n{ns}");
                        let next = 100 + t as u64;
                        answers.push(
                            store
                                .rotate_nonce(&ns, id, 1, next, 5, NOW + 100, NOW)
                                .await
                                .unwrap(),
                        );
                        tokio::task::yield_now().await;
                    }
                    answers
                })
            })
            .collect();
        let mut all = Vec::new();
        for task in tasks {
            all.push(task.await.unwrap());
        }
        all
    });
    for ns in 0..NSS {
        let rotated = answers
            .iter()
            .filter(|a| a[ns] == Rotation::Rotated)
            .count();
        let grace = answers.iter().filter(|a| a[ns] == Rotation::Grace).count();
        assert_eq!((rotated, grace), (1, TASKS - 1), "n{ns}");
    }
}

// ---------------------------------------------------------------------------------------------
// Through a `Guard` over the same store

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-mn-a",
    salt = "tests.memory-namespaces.a.v1",
    max_age = "8h",
    revocable
)]
struct A {
    user: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-mn-b",
    salt = "tests.memory-namespaces.b.v1",
    max_age = "8h",
    revocable
)]
struct B {
    user: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-mn-once",
    salt = "tests.memory-namespaces.once.v1",
    max_age = "1h",
    one_time
)]
struct Once {
    user: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-mn-rp",
    salt = "tests.memory-namespaces.replay.v1",
    max_age = "8h",
    replay = "5s"
)]
struct Rp {
    user: String,
}

macro_rules! named {
    ($($t:ident),*) => {$(impl $t { fn ann() -> Self { Self { user: "ann".into() } } })*};
}
named!(A, B, Once, Rp);

/// A guard over `store` (shared with the test), keys on a `ManualClock`.
fn guarded(store: &Arc<MemoryStore>) -> (Guard, KeyRing, ManualClock) {
    let (keys, clock) = clocked(&ring());
    (Guard::from_arc(store.clone()), keys, clock)
}

fn unix(clock: &ManualClock) -> i64 {
    clock.now().unix_timestamp()
}

#[test]
fn a_guard_revokes_in_its_type_namespace_only_and_the_sign_out_survives_sweeps() {
    let store = Arc::new(MemoryStore::new());
    let (guard, keys, clock) = guarded(&store);
    let ctx = ClientContext::new();
    let a = run(guard.issue(&keys, &A::ann(), Some("user:ann"), &ctx)).unwrap();
    let b = run(guard.issue(&keys, &B::ann(), Some("user:ann"), &ctx)).unwrap();
    let opened = run(guard.open::<A>(&keys, a.value(), &ctx)).unwrap();
    run(guard.revoke(&keys, opened.opened())).unwrap();
    let id = a.session_id().unwrap();
    // The deny entry is in A's namespace (its salt), not B's, not the empty one.
    let now = unix(&clock);
    assert!(revoked(&store, A::CONFIG.salt(), id, now));
    assert!(!revoked(&store, B::CONFIG.salt(), id, now));
    assert!(!revoked(&store, "", id, now));
    // Sweeps in between (an hour later, other namespaces' entries expired).
    clock.advance(Duration::hours(1));
    expired_writes(&store, "guard.noise", PAST_A_SWEEP, unix(&clock));
    assert_eq!(
        run(guard.open::<A>(&keys, a.value(), &ctx)).err(),
        Some(OpenError::Revoked)
    );
    assert!(run(guard.open::<B>(&keys, b.value(), &ctx)).is_ok());
}

#[test]
fn sign_out_everywhere_ends_every_type_and_sweeps_do_not_undo_it() {
    let store = Arc::new(MemoryStore::new());
    let (guard, keys, clock) = guarded(&store);
    let ctx = ClientContext::new();
    let a = run(guard.issue(&keys, &A::ann(), Some("user:ann"), &ctx)).unwrap();
    let b = run(guard.issue(&keys, &B::ann(), Some("user:ann"), &ctx)).unwrap();
    let bob = run(guard.issue(&keys, &A::ann(), Some("user:bob"), &ctx)).unwrap();
    clock.advance(Duration::seconds(1));
    run(guard.sign_out_everywhere(&keys, "user:ann")).unwrap();
    clock.advance(Duration::minutes(10));
    expired_writes(&store, "everywhere.noise", PAST_A_SWEEP, unix(&clock));
    assert_eq!(
        run(guard.open::<A>(&keys, a.value(), &ctx)).err(),
        Some(OpenError::Revoked)
    );
    assert_eq!(
        run(guard.open::<B>(&keys, b.value(), &ctx)).err(),
        Some(OpenError::Revoked)
    );
    assert!(run(guard.open::<A>(&keys, bob.value(), &ctx)).is_ok());
    // Ann signs in again: the new session opens.
    let again = run(guard.issue(&keys, &A::ann(), Some("user:ann"), &ctx)).unwrap();
    assert!(run(guard.open::<A>(&keys, again.value(), &ctx)).is_ok());
}

#[test]
fn a_one_time_value_stays_used_across_sweeps_and_its_id_is_free_elsewhere() {
    let store = Arc::new(MemoryStore::new());
    let (guard, keys, clock) = guarded(&store);
    let ctx = ClientContext::new();
    let link = run(guard.issue(&keys, &Once::ann(), None, &ctx)).unwrap();
    assert!(run(guard.open::<Once>(&keys, link.value(), &ctx)).is_ok());
    let id = link.session_id().unwrap();
    // The claim is in Once's namespace: the same id is unclaimed in any other.
    assert!(claim(&store, A::CONFIG.salt(), id, NOW + 100, NOW));
    assert!(claim(&store, "", id, NOW + 100, NOW));
    clock.advance(Duration::minutes(30));
    expired_writes(&store, "once.noise", PAST_A_SWEEP, unix(&clock));
    assert_eq!(
        run(guard.open::<Once>(&keys, link.value(), &ctx)).err(),
        Some(OpenError::AlreadyUsed)
    );
    // Other links still open once each.
    let second = run(guard.issue(&keys, &Once::ann(), None, &ctx)).unwrap();
    assert!(run(guard.open::<Once>(&keys, second.value(), &ctx)).is_ok());
    assert_eq!(
        run(guard.open::<Once>(&keys, second.value(), &ctx)).err(),
        Some(OpenError::AlreadyUsed)
    );
}

#[test]
fn replay_nonces_survive_sweeps_and_a_replay_still_ends_the_session() {
    let store = Arc::new(MemoryStore::new());
    let (guard, keys, clock) = guarded(&store);
    let ctx = ClientContext::new();
    let issued = run(guard.issue(&keys, &Rp::ann(), None, &ctx)).unwrap();
    let mut current = issued.value().to_owned();
    let first = current.clone();
    for _ in 0..3 {
        clock.advance(Duration::minutes(1));
        expired_writes(&store, "replay.noise", PAST_A_SWEEP, unix(&clock));
        let checked = run(guard.open::<Rp>(&keys, &current, &ctx)).unwrap();
        current = value_of(checked.renewed().expect("rotated")).to_owned();
    }
    // The first value, minutes later: a replay, which revokes the session.
    assert_eq!(
        run(guard.open::<Rp>(&keys, &first, &ctx)).err(),
        Some(OpenError::Replayed)
    );
    assert_eq!(
        run(guard.open::<Rp>(&keys, &current, &ctx)).err(),
        Some(OpenError::Revoked)
    );
}
