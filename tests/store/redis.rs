//! What only `RedisStore` has: the documented key layout, a Redis TTL on every entry but
//! epochs (so memory stays bounded by what is live), prefixes, `Debug` without the URL.

use std::time::Duration;

use typed_cookies::store::{RedisStore, RevocationStore, Rotation, SessionId};
use typed_cookies_testkit::RedisServer;

use super::{admin, fresh, runtime, NOW};

async fn ttl(admin: &mut ::redis::aio::MultiplexedConnection, key: &str) -> i64 {
    ::redis::cmd("TTL")
        .arg(key)
        .query_async(admin)
        .await
        .unwrap()
}

#[test]
fn entries_carry_ttls_and_epochs_do_not() {
    let Some(server) = RedisServer::start_or_skip("entries_carry_ttls") else {
        return;
    };
    runtime().block_on(async {
        let store = RedisStore::builder(server.url())
            .prefix("app")
            .timeout(Duration::from_secs(2))
            .build()
            .await
            .unwrap();
        assert_eq!(store.prefix(), "app");
        assert_eq!(store.timeout(), Duration::from_secs(2));
        let mut admin = admin(&server).await;
        let ns = fresh("ns:with:colons");
        let id = SessionId::generate();
        let entry = |kind: &str| format!("app:{kind}:{}:{ns}:{id}", ns.len());

        store.revoke(&ns, id, NOW + 100, NOW).await.unwrap();
        store.claim(&ns, id, NOW + 200, NOW).await.unwrap();
        store.start_nonce(&ns, id, 1, NOW + 300, NOW).await.unwrap();
        store.bump_epoch("a:b", 0).await.unwrap();
        // until − now + 1 s (within a second or two of the commands above).
        for (kind, expected) in [("rev", 101), ("once", 201), ("nonce", 301)] {
            let left = ttl(&mut admin, &entry(kind)).await;
            assert!((expected - 2..=expected).contains(&left), "{kind}: {left}");
        }
        assert_eq!(ttl(&mut admin, "app:epoch:3:a:b").await, -1, "no expiry");

        // A later revocation extends the TTL, an earlier one leaves it.
        store.revoke(&ns, id, NOW + 1_000, NOW).await.unwrap();
        assert!(ttl(&mut admin, &entry("rev")).await > 900);
        store.revoke(&ns, id, NOW + 10, NOW).await.unwrap();
        assert!(ttl(&mut admin, &entry("rev")).await > 900);
        // A rotation moves the nonce record's TTL to its new `until`.
        store
            .rotate_nonce(&ns, id, 1, 2, 5, NOW + 5_000, NOW)
            .await
            .unwrap();
        assert!(ttl(&mut admin, &entry("nonce")).await > 4_900);
        // An entry already past its `until` still gets a TTL of at least a second, never none.
        let gone = SessionId::generate();
        store.revoke(&ns, gone, NOW - 50, NOW).await.unwrap();
        let key = format!("app:rev:{}:{ns}:{gone}", ns.len());
        assert!((0..=1).contains(&ttl(&mut admin, &key).await));

        // Nothing outside the prefix.
        let keys: Vec<String> = ::redis::cmd("KEYS")
            .arg("*")
            .query_async(&mut admin)
            .await
            .unwrap();
        assert!(keys.iter().all(|k| k.starts_with("app:")), "{keys:?}");
    });
}

/// A nonce record written by an earlier version (`cur`, `prev`, `changed`, `until`: one
/// replaced nonce) is read by this one, a rotation by this one still leaves the fields that
/// version reads, and one by that version after it (which leaves `replaced` stale) is read
/// too: a fleet being upgraded shares one store without ending sessions.
#[test]
fn nonce_records_of_the_earlier_layout_are_read_and_kept_readable() {
    let Some(server) = RedisServer::start_or_skip("nonce_records_of_the_earlier_layout") else {
        return;
    };
    runtime().block_on(async {
        // Time moves through `now` here (an earlier version wrote `changed` on the app's clock).
        let store = RedisStore::builder(server.url())
            .prefix("app")
            .callers_clock_for_tests()
            .build()
            .await
            .unwrap();
        let mut admin = admin(&server).await;
        let ns = fresh("nonce.layout");
        let id = SessionId::generate();
        let key = format!("app:nonce:{}:{ns}:{id}", ns.len());
        let () = ::redis::cmd("HSET")
            .arg(&key)
            .arg(&["cur", "2", "prev", "1", "changed", &NOW.to_string()])
            .arg(&["until", &(NOW + 3_600).to_string()])
            .query_async(&mut admin)
            .await
            .map(|_: i64| ())
            .unwrap();
        let rotate = |presented: u64, next: u64, now: i64| {
            let (store, ns) = (&store, ns.clone());
            async move {
                store
                    .rotate_nonce(&ns, id, presented, next, 5, NOW + 3_600, now)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(rotate(1, 9, NOW + 5).await, Rotation::Grace);
        assert_eq!(rotate(1, 9, NOW + 6).await, Rotation::Replayed);
        assert_eq!(rotate(2, 3, NOW + 6).await, Rotation::Rotated);
        let fields: Vec<Option<String>> = ::redis::cmd("HMGET")
            .arg(&key)
            .arg(&["cur", "prev", "changed"])
            .query_async(&mut admin)
            .await
            .unwrap();
        let expected = ["3", "2", &(NOW + 6).to_string()].map(|f| Some(f.to_owned()));
        assert_eq!(fields, expected);
        // An earlier-version server rotates it next (3 → 4 at NOW + 7): it writes `prev` and
        // `changed` and leaves `replaced` as it was; 3 is still a nonce replaced in the window.
        let () = ::redis::cmd("HSET")
            .arg(&key)
            .arg(&["cur", "4", "prev", "3", "changed", &(NOW + 7).to_string()])
            .query_async(&mut admin)
            .await
            .map(|_: i64| ())
            .unwrap();
        assert_eq!(rotate(3, 9, NOW + 8).await, Rotation::Grace);
        assert_eq!(rotate(2, 9, NOW + 8).await, Rotation::Grace);
        assert_eq!(rotate(4, 5, NOW + 8).await, Rotation::Rotated);
        assert_eq!(rotate(3, 9, NOW + 9).await, Rotation::Grace);
        assert_eq!(rotate(4, 9, NOW + 9).await, Rotation::Grace);
    });
}

#[test]
fn prefixes_separate_applications() {
    let Some(server) = RedisServer::start_or_skip("prefixes_separate_applications") else {
        return;
    };
    runtime().block_on(async {
        let one = RedisStore::builder(server.url()).build().await.unwrap();
        let two = RedisStore::builder(server.url())
            .prefix("other")
            .build()
            .await
            .unwrap();
        assert_eq!(one.prefix(), RedisStore::DEFAULT_PREFIX);
        let ns = fresh("apps");
        let id = SessionId::generate();
        one.revoke(&ns, id, NOW + 10, NOW).await.unwrap();
        assert!(one.claim(&ns, id, NOW + 10, NOW).await.unwrap());
        assert!(!two.status(&ns, id, None, NOW).await.unwrap().revoked);
        assert!(two.claim(&ns, id, NOW + 10, NOW).await.unwrap());
    });
}

#[test]
fn debug_never_shows_the_url() {
    let builder = RedisStore::builder("redis://:hunter2@127.0.0.1:1/").prefix("p");
    let shown = format!("{builder:?}");
    assert!(
        shown.contains("\"p\"") && !shown.contains("hunter2"),
        "{shown}"
    );
}
