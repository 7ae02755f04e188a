//! The store on a cluster: the conformance suite, the hash-tagged key layout (every key of one
//! session on one primary, keys spread over all three), the status read whose two keys live on
//! different primaries, and the start-up errors only a cluster has.

use std::collections::BTreeSet;
use std::time::Duration;

use typed_cookies::store::{RedisStore, RevocationStore, SessionId, Status};
use typed_cookies_testkit::redis_cluster::RedisCluster;

use super::conformance::conformance;
use super::{fresh, on_cluster, runtime, NOW};

#[test]
fn the_store_conforms_on_a_cluster() {
    let Some(cluster) = RedisCluster::start_or_skip("the_store_conforms_on_a_cluster") else {
        return;
    };
    runtime().block_on(async {
        let store = RedisStore::cluster_builder(cluster.urls())
            .timeout(Duration::from_secs(2))
            .callers_clock_for_tests()
            .build()
            .await
            .unwrap();
        assert!(store.is_cluster());
        conformance(&store, "cluster").await;
    });
}

#[test]
fn keys_are_hash_tagged_per_session_and_spread_over_every_primary() {
    let Some(cluster) = RedisCluster::start_or_skip(
        "keys_are_hash_tagged_per_session_and_spread_over_every_primary",
    ) else {
        return;
    };
    runtime().block_on(async {
        let store = on_cluster(&cluster, Duration::from_secs(2)).await;
        let ns = fresh("layout");
        let mut primaries = BTreeSet::new();
        for _ in 0..30 {
            let id = SessionId::generate();
            store.revoke(&ns, id, NOW + 60, NOW).await.unwrap();
            store.claim(&ns, id, NOW + 60, NOW).await.unwrap();
            store.start_nonce(&ns, id, 1, NOW + 60, NOW).await.unwrap();
            let key = |word: &str| format!("typed-cookies:{word}:{{{id}}}:{}:{ns}", ns.len());
            let home = cluster.primary_of(&key("rev")).unwrap();
            // The three entries of one session are on one primary, under the documented keys.
            for word in ["rev", "once", "nonce"] {
                assert_eq!(cluster.primary_of(&key(word)).unwrap(), home);
                let exists = cluster.cli(home, &["exists", &key(word)]).unwrap();
                assert_eq!(exists.trim(), "1", "{word} of {id} on its primary");
            }
            primaries.insert(home);
        }
        assert_eq!(primaries.len(), 3, "30 sessions land on every primary");
    });
}

#[test]
fn status_reads_a_revocation_and_an_epoch_on_two_primaries() {
    let Some(cluster) =
        RedisCluster::start_or_skip("status_reads_a_revocation_and_an_epoch_on_two_primaries")
    else {
        return;
    };
    runtime().block_on(async {
        let store = on_cluster(&cluster, Duration::from_secs(2)).await;
        let ns = fresh("split");
        let subject = "user:ann";
        let epoch_home = cluster
            .primary_of(&format!(
                "typed-cookies:epoch:{{{}:{subject}}}",
                subject.len()
            ))
            .unwrap();
        // A session whose revocation lives on another primary than the subject's epoch.
        let id = std::iter::repeat_with(SessionId::generate)
            .find(|id| cluster.primary_of(&id.to_string()).unwrap() != epoch_home)
            .unwrap();
        let epoch = store.bump_epoch(subject, NOW).await.unwrap();
        assert_eq!(
            store.status(&ns, id, Some(subject), NOW).await.unwrap(),
            Status {
                revoked: false,
                epoch
            }
        );
        store.revoke(&ns, id, NOW + 60, NOW).await.unwrap();
        assert_eq!(
            store.status(&ns, id, Some(subject), NOW).await.unwrap(),
            Status {
                revoked: true,
                epoch
            }
        );
    });
}

#[test]
fn a_cluster_store_refuses_a_braced_prefix_and_an_empty_node_list() {
    runtime().block_on(async {
        let braced = RedisStore::cluster_builder(["redis://127.0.0.1:1/"])
            .prefix("shop{1}")
            .build()
            .await
            .unwrap_err();
        assert_eq!(braced.operation, "connect");
        assert!(braced.reason.contains("may not contain"), "{braced}");
        let none = RedisStore::cluster_builder(Vec::<String>::new())
            .build()
            .await
            .unwrap_err();
        assert!(none.reason.contains("no cluster node"), "{none}");
        // A URL that does not parse is named, never repeated (it may hold a password).
        let bad = RedisStore::cluster_builder(["redis://:hunter2@[::1"])
            .build()
            .await
            .unwrap_err();
        assert!(!bad.to_string().contains("hunter2"), "{bad}");
    });
}
