//! The contract of `RevocationStore`, as one suite over `&dyn RevocationStore`, run against
//! `MemoryStore` and `RedisStore`.

use typed_cookies::store::{
    MemoryStore, RevocationStore, Rotation, SessionId, Status, MAX_REPLACED_NONCES,
};
use typed_cookies_testkit::RedisServer;

use super::{connect_moving_time, fresh, runtime, NOW};

/// Every behaviour of the trait's docs; `label` names the store in failures. Also run over a
/// Redis Cluster by `tests/cluster/`, which includes this file.
pub(crate) async fn conformance(store: &dyn RevocationStore, label: &str) {
    revoke_and_status(store, label).await;
    revocation_keeps_the_later_expiry(store, label).await;
    namespaces_are_isolated(store, label).await;
    epochs_per_subject(store, label).await;
    claim_once_then_again_after_expiry(store, label).await;
    nonce_rotation(store, label).await;
    every_nonce_replaced_within_grace_counts(store, label).await;
    nonce_records_expire(store, label).await;
    extreme_inputs_never_fail(store, label).await;
}

const NOT_REVOKED: Status = Status {
    revoked: false,
    epoch: 0,
};
const REVOKED: Status = Status {
    revoked: true,
    epoch: 0,
};

async fn status(store: &dyn RevocationStore, ns: &str, id: SessionId, now: i64) -> Status {
    store.status(ns, id, None, now).await.expect("status")
}

async fn revoke_and_status(store: &dyn RevocationStore, label: &str) {
    let ns = fresh("revoke");
    let (id, other) = (SessionId::generate(), SessionId::generate());
    assert_eq!(status(store, &ns, id, NOW).await, NOT_REVOKED, "{label}");
    store.revoke(&ns, id, NOW + 100, NOW).await.unwrap();
    assert_eq!(status(store, &ns, id, NOW).await, REVOKED, "{label}");
    assert_eq!(status(store, &ns, other, NOW).await, NOT_REVOKED, "{label}");
    // Live through its last second (the cookie still opens at `until`), absent after it.
    assert_eq!(status(store, &ns, id, NOW + 100).await, REVOKED, "{label}");
    assert_eq!(
        status(store, &ns, id, NOW + 101).await,
        NOT_REVOKED,
        "{label}"
    );
}

async fn revocation_keeps_the_later_expiry(store: &dyn RevocationStore, label: &str) {
    let ns = fresh("revoke.later");
    let id = SessionId::generate();
    store.revoke(&ns, id, NOW + 100, NOW).await.unwrap();
    store.revoke(&ns, id, NOW + 50, NOW + 1).await.unwrap();
    assert_eq!(status(store, &ns, id, NOW + 80).await, REVOKED, "{label}");
    store.revoke(&ns, id, NOW + 200, NOW + 2).await.unwrap();
    assert_eq!(status(store, &ns, id, NOW + 150).await, REVOKED, "{label}");
    assert_eq!(
        status(store, &ns, id, NOW + 201).await,
        NOT_REVOKED,
        "{label}"
    );
    // An expired revocation can be renewed.
    store.revoke(&ns, id, NOW + 400, NOW + 300).await.unwrap();
    assert_eq!(status(store, &ns, id, NOW + 399).await, REVOKED, "{label}");
}

async fn namespaces_are_isolated(store: &dyn RevocationStore, label: &str) {
    let base = fresh("iso");
    let id = SessionId::generate();
    // Namespaces that a naive `prefix:ns:id` layout could confuse.
    let ns = format!("{base}:a");
    let others = [
        base.clone(),
        format!("{base}:"),
        format!("{base}:a:"),
        format!("{base}:A"),
    ];
    store.revoke(&ns, id, NOW + 100, NOW).await.unwrap();
    assert!(
        store.claim(&ns, id, NOW + 100, NOW).await.unwrap(),
        "{label}"
    );
    store.start_nonce(&ns, id, 7, NOW + 100, NOW).await.unwrap();
    for other in &others {
        assert_eq!(
            status(store, other, id, NOW).await,
            NOT_REVOKED,
            "{label} {other}"
        );
        assert!(
            store.claim(other, id, NOW + 100, NOW).await.unwrap(),
            "{label} {other}"
        );
        assert_eq!(
            store
                .rotate_nonce(other, id, 7, 8, 5, NOW + 100, NOW)
                .await
                .unwrap(),
            Rotation::Unknown,
            "{label} {other}"
        );
    }
    // A claim is not a revocation, nor a nonce record, and the other way round.
    let fresh_ns = fresh("iso.kinds");
    assert!(
        store.claim(&fresh_ns, id, NOW + 100, NOW).await.unwrap(),
        "{label}"
    );
    assert_eq!(
        status(store, &fresh_ns, id, NOW).await,
        NOT_REVOKED,
        "{label}"
    );
    assert_eq!(
        store
            .rotate_nonce(&fresh_ns, id, 1, 2, 5, NOW + 100, NOW)
            .await
            .unwrap(),
        Rotation::Unknown,
        "{label}"
    );
}

async fn epochs_per_subject(store: &dyn RevocationStore, label: &str) {
    let base = fresh("subject");
    let (alice, bob, alice_colon) = (
        format!("{base}:alice"),
        format!("{base}:bob"),
        format!("{base}:alice:"),
    );
    let ns = fresh("epochs");
    let id = SessionId::generate();
    let epoch = |subject: Option<&str>| {
        let ns = ns.clone();
        let subject = subject.map(str::to_owned);
        async move {
            store
                .status(&ns, id, subject.as_deref(), NOW)
                .await
                .unwrap()
                .epoch
        }
    };
    assert_eq!(epoch(Some(&alice)).await, 0, "{label}");
    // max(current + 1, now in µs): a counter while `now` is 0, a time after, never backwards.
    assert_eq!(store.bump_epoch(&alice, 0).await.unwrap(), 1, "{label}");
    assert_eq!(store.bump_epoch(&alice, 0).await.unwrap(), 2, "{label}");
    assert_eq!(epoch(Some(&alice)).await, 2, "{label}");
    assert_eq!(epoch(Some(&bob)).await, 0, "{label}");
    assert_eq!(epoch(Some(&alice_colon)).await, 0, "{label}");
    assert_eq!(epoch(None).await, 0, "{label}");
    assert_eq!(store.bump_epoch(&bob, 0).await.unwrap(), 1, "{label}");
    assert_eq!(epoch(Some(&alice)).await, 2, "{label}");
    let at = NOW as u64 * 1_000_000;
    assert_eq!(store.bump_epoch(&alice, NOW).await.unwrap(), at, "{label}");
    assert_eq!(
        store.bump_epoch(&alice, NOW).await.unwrap(),
        at + 1,
        "{label}"
    );
    assert_eq!(
        store.bump_epoch(&alice, 5).await.unwrap(),
        at + 2,
        "{label}"
    );
    assert_eq!(epoch(Some(&alice)).await, at + 2, "{label}");
    // Times are clamped to what Lua holds exactly in µs (about the year 2255), and to 1970.
    let far = 9_007_199_254 * 1_000_000;
    assert_eq!(
        store.bump_epoch(&bob, i64::MAX).await.unwrap(),
        far,
        "{label}"
    );
    assert_eq!(
        store.bump_epoch(&bob, i64::MIN).await.unwrap(),
        far + 1,
        "{label}"
    );
    // Both answers in one status.
    store.revoke(&ns, id, NOW + 10, NOW).await.unwrap();
    assert_eq!(
        store.status(&ns, id, Some(&alice), NOW).await.unwrap(),
        Status {
            revoked: true,
            epoch: at + 2
        },
        "{label}"
    );
}

async fn claim_once_then_again_after_expiry(store: &dyn RevocationStore, label: &str) {
    let ns = fresh("claim");
    let id = SessionId::generate();
    assert!(
        store.claim(&ns, id, NOW + 100, NOW).await.unwrap(),
        "{label}"
    );
    assert!(
        !store.claim(&ns, id, NOW + 100, NOW).await.unwrap(),
        "{label}"
    );
    assert!(
        !store.claim(&ns, id, NOW + 100, NOW + 50).await.unwrap(),
        "{label}"
    );
    // Through its last second too: the value still opens then.
    assert!(
        !store.claim(&ns, id, NOW + 100, NOW + 100).await.unwrap(),
        "{label}"
    );
    // Once the claim's `until` has passed, the id can be claimed again (once).
    assert!(
        store.claim(&ns, id, NOW + 300, NOW + 101).await.unwrap(),
        "{label}"
    );
    assert!(
        !store.claim(&ns, id, NOW + 300, NOW + 102).await.unwrap(),
        "{label}"
    );
    assert!(
        !store.claim(&ns, id, NOW + 300, NOW + 300).await.unwrap(),
        "{label}"
    );
    // Another id is unaffected.
    assert!(
        store
            .claim(&ns, SessionId::generate(), NOW + 100, NOW)
            .await
            .unwrap(),
        "{label}"
    );
}

async fn nonce_rotation(store: &dyn RevocationStore, label: &str) {
    let ns = fresh("nonce");
    let id = SessionId::generate();
    let until = NOW + 1_000;
    let grace = 5;
    let rotate = |presented: u64, next: u64, now: i64| {
        let ns = ns.clone();
        async move {
            store
                .rotate_nonce(&ns, id, presented, next, grace, until, now)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        rotate(1, 2, NOW).await,
        Rotation::Unknown,
        "{label}: never started"
    );
    // 64-bit nonces, all bits significant (u64::MAX and u64::MAX - 1 differ only in the last).
    let (n1, n2, n3) = (u64::MAX, u64::MAX - 1, 1u64 << 60);
    store.start_nonce(&ns, id, n1, until, NOW).await.unwrap();
    assert_eq!(
        rotate(n2, n3, NOW).await,
        Rotation::Replayed,
        "{label}: never current"
    );
    assert_eq!(rotate(n1, n2, NOW + 10).await, Rotation::Rotated, "{label}");
    // The previous nonce within grace, inclusive of its last second; nothing changes.
    assert_eq!(rotate(n1, n3, NOW + 10).await, Rotation::Grace, "{label}");
    assert_eq!(rotate(n1, n3, NOW + 15).await, Rotation::Grace, "{label}");
    assert_eq!(
        rotate(n1, n3, NOW + 16).await,
        Rotation::Replayed,
        "{label}: grace over"
    );
    // Still n2 current after Grace and Replayed answers.
    assert_eq!(rotate(n2, n3, NOW + 16).await, Rotation::Rotated, "{label}");
    assert_eq!(rotate(n2, 9, NOW + 17).await, Rotation::Grace, "{label}");
    // Two steps back is a replay even within the grace of the last step.
    assert_eq!(rotate(n1, 9, NOW + 17).await, Rotation::Replayed, "{label}");
    assert_eq!(rotate(n3, 4, NOW + 18).await, Rotation::Rotated, "{label}");
    // Starting again forgets the previous nonce.
    store
        .start_nonce(&ns, id, 40, until, NOW + 20)
        .await
        .unwrap();
    assert_eq!(rotate(4, 41, NOW + 20).await, Rotation::Replayed, "{label}");
    assert_eq!(
        rotate(n3, 41, NOW + 20).await,
        Rotation::Replayed,
        "{label}"
    );
    assert_eq!(rotate(40, 41, NOW + 21).await, Rotation::Rotated, "{label}");
    // Zero grace: the previous nonce only within the same second.
    let zero = |presented: u64, now: i64| {
        let ns = ns.clone();
        async move {
            store
                .rotate_nonce(&ns, id, presented, 50, 0, until, now)
                .await
                .unwrap()
        }
    };
    assert_eq!(zero(40, NOW + 21).await, Rotation::Grace, "{label}");
    assert_eq!(zero(40, NOW + 22).await, Rotation::Replayed, "{label}");
}

/// A request held while the page's other requests rotated several times (all within the
/// grace window) is still the user's: every nonce replaced less than `grace` ago counts, each
/// for `grace` seconds from its own replacement; the last [`MAX_REPLACED_NONCES`] are kept.
async fn every_nonce_replaced_within_grace_counts(store: &dyn RevocationStore, label: &str) {
    let ns = fresh("nonce.many");
    let id = SessionId::generate();
    let until = NOW + 3_600;
    let rotate = |presented: u64, next: u64, now: i64| {
        let ns = ns.clone();
        async move {
            store
                .rotate_nonce(&ns, id, presented, next, 5, until, now)
                .await
                .unwrap()
        }
    };
    store.start_nonce(&ns, id, 0, until, NOW).await.unwrap();
    // 0 → 1 at NOW, 1 → 2 at NOW + 1, 2 → 3 at NOW + 2.
    for n in 0..3u64 {
        let at = NOW + i64::try_from(n).unwrap();
        assert_eq!(rotate(n, n + 1, at).await, Rotation::Rotated, "{label}");
    }
    for n in 0..3u64 {
        assert_eq!(
            rotate(n, 99, NOW + 2).await,
            Rotation::Grace,
            "{label}: {n}"
        );
    }
    // Each for five seconds from its own replacement.
    assert_eq!(rotate(0, 99, NOW + 5).await, Rotation::Grace, "{label}");
    assert_eq!(rotate(0, 99, NOW + 6).await, Rotation::Replayed, "{label}");
    assert_eq!(rotate(2, 99, NOW + 7).await, Rotation::Grace, "{label}");
    assert_eq!(rotate(2, 99, NOW + 8).await, Rotation::Replayed, "{label}");
    // A nonce never issued is a replay, and nothing above changed the current one.
    assert_eq!(rotate(7, 99, NOW + 3).await, Rotation::Replayed, "{label}");
    assert_eq!(rotate(3, 4, NOW + 8).await, Rotation::Rotated, "{label}");
    // The newest MAX_REPLACED_NONCES are kept, within one second (the trait allows more; both
    // stores keep exactly that many, which bounds a record a client renewing in a loop grows).
    let max = u64::try_from(MAX_REPLACED_NONCES).unwrap();
    for n in 4..4 + max + 1 {
        assert_eq!(
            rotate(n, n + 1, NOW + 10).await,
            Rotation::Rotated,
            "{label}"
        );
    }
    let oldest_kept = 4 + 1;
    assert_eq!(
        rotate(oldest_kept, 0, NOW + 10).await,
        Rotation::Grace,
        "{label}"
    );
    assert_eq!(
        rotate(4 + max, 0, NOW + 10).await,
        Rotation::Grace,
        "{label}"
    );
    assert_eq!(
        rotate(4, 0, NOW + 10).await,
        Rotation::Replayed,
        "{label}: past the cap"
    );
}

async fn nonce_records_expire(store: &dyn RevocationStore, label: &str) {
    let ns = fresh("nonce.expiry");
    let id = SessionId::generate();
    store.start_nonce(&ns, id, 1, NOW + 10, NOW).await.unwrap();
    let rotate = |presented: u64, next: u64, until: i64, now: i64| {
        let ns = ns.clone();
        async move {
            store
                .rotate_nonce(&ns, id, presented, next, 5, until, now)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        rotate(0, 9, NOW + 10, NOW + 10).await,
        Rotation::Replayed,
        "{label}"
    );
    assert_eq!(
        rotate(1, 2, NOW + 10, NOW + 11).await,
        Rotation::Unknown,
        "{label}: expired"
    );
    // A rotation moves the record's expiry to the `until` it was given.
    let other = SessionId::generate();
    store
        .start_nonce(&ns, other, 1, NOW + 10, NOW)
        .await
        .unwrap();
    let step = |presented: u64, next: u64, until: i64, now: i64| {
        let ns = ns.clone();
        async move {
            store
                .rotate_nonce(&ns, other, presented, next, 5, until, now)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        step(1, 2, NOW + 100, NOW + 5).await,
        Rotation::Rotated,
        "{label}"
    );
    assert_eq!(
        step(2, 3, NOW + 100, NOW + 50).await,
        Rotation::Rotated,
        "{label}"
    );
    assert_eq!(
        step(3, 4, NOW + 100, NOW + 101).await,
        Rotation::Unknown,
        "{label}"
    );
}

async fn extreme_inputs_never_fail(store: &dyn RevocationStore, label: &str) {
    let id = SessionId::generate();
    let odd = ["", ":", "::", "é:ü\u{0}", &"n".repeat(4096)];
    for ns in odd {
        store.revoke(ns, id, NOW + 10, NOW).await.unwrap();
        assert!(status(store, ns, id, NOW).await.revoked, "{label} {ns:?}");
        store
            .bump_epoch(&format!("{ns}{id}"), i64::MAX)
            .await
            .unwrap();
    }
    let ns = fresh("extreme");
    // A value that never expires, and times at the ends of i64.
    store.revoke(&ns, id, i64::MAX, NOW).await.unwrap();
    assert!(status(store, &ns, id, NOW).await.revoked, "{label}");
    for (until, now) in [
        (i64::MIN, i64::MAX),
        (i64::MAX, i64::MIN),
        (0, 0),
        (-5, -10),
    ] {
        let other = SessionId::generate();
        store.revoke(&ns, other, until, now).await.unwrap();
        store.status(&ns, other, Some(""), now).await.unwrap();
        store.claim(&ns, other, until, now).await.unwrap();
        store.start_nonce(&ns, other, 0, until, now).await.unwrap();
        for grace in [i64::MIN, -1, 0, i64::MAX] {
            store
                .rotate_nonce(&ns, other, 0, 1, grace, until, now)
                .await
                .unwrap();
        }
    }
    // A claim of a value that is already past its `until` holds nothing back.
    let late = SessionId::generate();
    assert!(
        store.claim(&ns, late, NOW - 1, NOW).await.unwrap(),
        "{label}"
    );
    assert!(
        store.claim(&ns, late, NOW - 1, NOW).await.unwrap(),
        "{label}"
    );
}

#[test]
fn memory_store_conforms() {
    let store = MemoryStore::new();
    runtime().block_on(conformance(&store, "memory"));
}

#[test]
fn redis_store_conforms() {
    let Some(server) = RedisServer::start_or_skip("redis_store_conforms") else {
        return;
    };
    runtime().block_on(async {
        let store = connect_moving_time(&server, std::time::Duration::from_secs(2)).await;
        conformance(&store, "redis").await;
    });
}
