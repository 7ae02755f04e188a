//! Durable sign-out (`wait_for_replicas`): on the cluster, a revocation and a sign-out
//! everywhere return once the primary's one replica acknowledged them; asking for two replicas
//! of a primary that has one is a typed `NotReplicated` error after the timeout, through the
//! store and through the guard — with the write applied on the primary all the same; and one
//! `redis-server` without replicas answers the same error.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use typed_cookies::guard::{ClientContext, Guard, SignOutError};
use typed_cookies::store::{NotReplicated, RedisStore, RevocationStore, SessionId};
use typed_cookies::{Key, KeyRing, OpenError, SealedCookie};
use typed_cookies_testkit::redis_cluster::RedisCluster;
use typed_cookies_testkit::RedisServer;

use super::{fresh, runtime, NOW};

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-durable",
    salt = "tests.cluster.durable.session.v1",
    max_age = "8h",
    encrypt,
    revocable
)]
struct Session {
    user: String,
}

fn ann() -> Session {
    Session { user: "ann".into() }
}

async fn durable(urls: Vec<String>, replicas: u32, wait: Duration) -> RedisStore {
    RedisStore::cluster_builder(urls)
        .timeout(Duration::from_secs(2))
        .wait_for_replicas(replicas, wait)
        .build()
        .await
        .expect("connect to the test cluster")
}

#[test]
fn writes_wait_for_the_replica_and_say_when_too_few_acknowledged() {
    let Some(cluster) = RedisCluster::start_or_skip(
        "writes_wait_for_the_replica_and_say_when_too_few_acknowledged",
    ) else {
        return;
    };
    runtime().block_on(async {
        // One replica per primary: waiting for it succeeds.
        let store = durable(cluster.urls(), 1, Duration::from_secs(2)).await;
        assert_eq!(
            store.replicas_waited_for(),
            Some((1, Duration::from_secs(2)))
        );
        let ns = fresh("durable");
        for _ in 0..10 {
            let id = SessionId::generate();
            store.revoke(&ns, id, NOW + 60, NOW).await.unwrap();
            assert!(store.status(&ns, id, None, NOW).await.unwrap().revoked);
        }
        let epoch = store.bump_epoch("user:ann", NOW).await.unwrap();
        assert!(epoch > 0);

        // Two wanted, one there: the typed error after the wait, the write applied anyway.
        let wait = Duration::from_millis(200);
        let greedy = durable(cluster.urls(), 2, wait).await;
        let id = SessionId::generate();
        let started = std::time::Instant::now();
        let error = greedy.revoke(&ns, id, NOW + 60, NOW).await.unwrap_err();
        assert!(
            started.elapsed() >= wait,
            "WAIT waited: {:?}",
            started.elapsed()
        );
        assert_eq!(error.operation, "revoke");
        assert_eq!(
            error.not_replicated(),
            Some(NotReplicated {
                acknowledged: 1,
                wanted: 2
            }),
            "{error}"
        );
        assert!(greedy.status(&ns, id, None, NOW).await.unwrap().revoked);
        let error = greedy.bump_epoch("user:ann", NOW).await.unwrap_err();
        assert_eq!(error.operation, "bump_epoch");
        assert_eq!(error.not_replicated().map(|n| n.acknowledged), Some(1));
        assert!(
            greedy
                .status(&ns, id, Some("user:ann"), NOW)
                .await
                .unwrap()
                .epoch
                > epoch,
            "the epoch moved on the primary"
        );

        // Through the guard: revoke and sign out everywhere carry the same error; the session
        // is refused all the same (the write is on the primary).
        let keys = KeyRing::new(Key::generate());
        let guard = Guard::new(greedy);
        let ctx = ClientContext::new();
        let issued = guard
            .issue(&keys, &ann(), Some("user:bob"), &ctx)
            .await
            .unwrap();
        let opened = guard
            .open::<Session>(&keys, issued.value(), &ctx)
            .await
            .unwrap();
        let error = guard.revoke(&keys, opened.opened()).await.unwrap_err();
        assert_eq!(error.not_replicated().map(|n| n.wanted), Some(2));
        assert_eq!(
            guard
                .open::<Session>(&keys, issued.value(), &ctx)
                .await
                .err(),
            Some(OpenError::Revoked)
        );
        match guard.sign_out_everywhere(&keys, "user:bob").await {
            Err(SignOutError::Store(error)) => {
                assert_eq!(error.not_replicated().map(|n| n.acknowledged), Some(1))
            }
            other => panic!("expected NotReplicated, got {other:?}"),
        }
    });
}

#[test]
fn one_server_without_replicas_answers_not_replicated() {
    let Some(server) =
        RedisServer::start_or_skip("one_server_without_replicas_answers_not_replicated")
    else {
        return;
    };
    runtime().block_on(async {
        let store = RedisStore::builder(server.url())
            .wait_for_replicas(1, Duration::from_millis(50))
            .build()
            .await
            .unwrap();
        let ns = fresh("lonely");
        let id = SessionId::generate();
        let error = store.revoke(&ns, id, NOW + 60, NOW).await.unwrap_err();
        assert_eq!(
            error.not_replicated(),
            Some(NotReplicated {
                acknowledged: 0,
                wanted: 1
            })
        );
        assert_eq!(
            error.to_string(),
            "revocation store unavailable during revoke: applied on the primary but \
             acknowledged by 0 of 1 replicas in time (not durable yet)"
        );
        assert!(store.status(&ns, id, None, NOW).await.unwrap().revoked);
        // Turned off (0 replicas), the same server answers at once.
        let plain = RedisStore::builder(server.url())
            .wait_for_replicas(0, Duration::from_secs(5))
            .build()
            .await
            .unwrap();
        assert_eq!(plain.replicas_waited_for(), None);
        plain.revoke(&ns, id, NOW + 90, NOW).await.unwrap();
        // Other failures are not mistaken for it.
        assert_eq!(
            typed_cookies::store::StoreError {
                operation: "revoke",
                reason: "applied on the primary but acknowledged by +0 of 1 replicas in time \
                         (not durable yet)"
                    .into()
            }
            .not_replicated(),
            None
        );
    });
}
