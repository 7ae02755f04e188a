//! Redis killed, paused or restarted: operations fail promptly with a `StoreError` (never
//! hang), the store recovers, and what survives a restart depends on persistence.

use std::time::{Duration, Instant};

use typed_cookies::store::{RedisStore, RevocationStore, SessionId, StoreError};
use typed_cookies_testkit::RedisServer;

use super::{admin, connect, fresh, runtime, NOW};

/// Retries `status` until the store has reconnected to a restarted server: bounded by count,
/// each attempt by the store's timeout.
async fn status_after_restart(
    store: &RedisStore,
    ns: &str,
    id: SessionId,
) -> typed_cookies::store::Status {
    let mut last = None;
    for _ in 0..40 {
        match store.status(ns, id, None, NOW).await {
            Ok(status) => return status,
            Err(e) => last = Some(e),
        }
    }
    panic!("no answer after the restart: {last:?}");
}

/// Every operation, each returning a `StoreError` (or a value) — the operation names.
async fn every_operation(
    store: &RedisStore,
    ns: &str,
    id: SessionId,
) -> Vec<Result<(), StoreError>> {
    vec![
        store.status(ns, id, Some("alice"), NOW).await.map(drop),
        store.revoke(ns, id, NOW + 10, NOW).await,
        store.bump_epoch("alice", NOW).await.map(drop),
        store.claim(ns, id, NOW + 10, NOW).await.map(drop),
        store.start_nonce(ns, id, 1, NOW + 10, NOW).await,
        store
            .rotate_nonce(ns, id, 1, 2, 5, NOW + 10, NOW)
            .await
            .map(drop),
    ]
}

const OPERATIONS: [&str; 6] = [
    "status",
    "revoke",
    "bump_epoch",
    "claim",
    "start_nonce",
    "rotate_nonce",
];

#[test]
fn killed_redis_fails_promptly_then_recovers() {
    let Some(mut server) = RedisServer::start_or_skip("killed_redis_fails_promptly") else {
        return;
    };
    runtime().block_on(async {
        let store = connect(&server, Duration::from_millis(250)).await;
        let ns = fresh("killed");
        let id = SessionId::generate();
        for result in every_operation(&store, &ns, id).await {
            result.expect("works while Redis runs");
        }

        server.stop();
        let started = Instant::now();
        let results = every_operation(&store, &ns, id).await;
        // Six operations, each bounded by the 250 ms timeout (most fail at once: connection
        // refused); generous for a loaded machine, far from a hang.
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        for (result, operation) in results.into_iter().zip(OPERATIONS) {
            let error = result.expect_err("Redis is down");
            assert_eq!(error.operation, operation);
            let message = error.to_string();
            assert!(message.starts_with(&format!(
                "revocation store unavailable during {operation}: "
            )));
            assert!(
                !message.contains(&ns) && !message.contains(&id.to_string()),
                "{message}"
            );
        }

        server.restart().unwrap();
        // Recovers by itself (a persistence-less restart lost everything).
        assert!(!status_after_restart(&store, &ns, id).await.revoked);
        store.revoke(&ns, id, NOW + 10, NOW).await.unwrap();
        assert!(store.status(&ns, id, None, NOW).await.unwrap().revoked);
    });
}

#[test]
fn paused_redis_times_out_within_bounds() {
    let Some(server) = RedisServer::start_or_skip("paused_redis_times_out") else {
        return;
    };
    runtime().block_on(async {
        let store = connect(&server, Duration::from_millis(100)).await;
        let ns = fresh("paused");
        let id = SessionId::generate();
        store.revoke(&ns, id, NOW + 10, NOW).await.unwrap();

        let mut admin = admin(&server).await;
        let () = ::redis::cmd("CLIENT")
            .arg("PAUSE")
            .arg(2000)
            .arg("ALL")
            .query_async(&mut admin)
            .await
            .unwrap();
        let started = Instant::now();
        let error = store.status(&ns, id, None, NOW).await.expect_err("paused");
        let took = started.elapsed();
        assert_eq!(
            error,
            StoreError {
                operation: "status",
                reason: "timed out after 100ms".to_owned()
            }
        );
        assert!(took >= Duration::from_millis(100), "{took:?}");
        // Well before the pause ends by itself (2 s).
        assert!(took < Duration::from_millis(1_500), "{took:?}");
        let error = store
            .claim(&ns, id, NOW + 10, NOW)
            .await
            .expect_err("paused");
        assert_eq!(
            error.to_string(),
            "revocation store unavailable during claim: timed out after 100ms"
        );

        // Unpaused, the same connection answers again (late replies are discarded in order).
        let () = ::redis::cmd("CLIENT")
            .arg("UNPAUSE")
            .query_async(&mut admin)
            .await
            .unwrap();
        // The two late replies arrive first; on a loaded machine the first answer may still
        // miss the 100 ms, so a few bounded attempts.
        let mut answer = Err(None);
        for _ in 0..10 {
            match store.status(&ns, id, None, NOW).await {
                Ok(status) => {
                    answer = Ok(status);
                    break;
                }
                Err(e) => answer = Err(Some(e)),
            }
        }
        assert!(answer.expect("answers once unpaused").revoked);
        let fresh_id = SessionId::generate();
        assert!(store.claim(&ns, fresh_id, NOW + 10, NOW).await.unwrap());
        assert!(!store.claim(&ns, fresh_id, NOW + 10, NOW).await.unwrap());
    });
}

/// With `appendonly yes` a revocation survives a crash and restart; without persistence it is
/// lost (as the module docs of `RedisStore` say).
#[test]
fn revocations_survive_a_restart_only_with_persistence() {
    let Some(mut persistent) = RedisServer::start_persistent_or_skip("restart_persistence") else {
        return;
    };
    let Some(mut ephemeral) = RedisServer::start_or_skip("restart_persistence") else {
        return;
    };
    runtime().block_on(async {
        let ns = fresh("restart");
        let id = SessionId::generate();
        let kept = connect(&persistent, Duration::from_secs(2)).await;
        let lost = connect(&ephemeral, Duration::from_secs(2)).await;
        let mut epochs = Vec::new();
        for store in [&kept, &lost] {
            store.revoke(&ns, id, NOW + 3_600, NOW).await.unwrap();
            // A time on Redis's clock (µs): well after 2020.
            let epoch = store.bump_epoch("alice", 0).await.unwrap();
            assert!(epoch > 1_577_836_800_000_000, "{epoch}");
            epochs.push(epoch);
            assert!(store.status(&ns, id, None, NOW).await.unwrap().revoked);
        }

        persistent.restart().unwrap();
        ephemeral.restart().unwrap();

        assert!(
            status_after_restart(&kept, &ns, id).await.revoked,
            "persisted"
        );
        assert_eq!(
            kept.status(&ns, id, Some("alice"), NOW)
                .await
                .unwrap()
                .epoch,
            epochs[0]
        );
        assert!(!status_after_restart(&lost, &ns, id).await.revoked, "lost");
        assert_eq!(
            lost.status(&ns, id, Some("alice"), NOW)
                .await
                .unwrap()
                .epoch,
            0
        );
    });
}

#[test]
fn unreachable_redis_fails_to_build_promptly() {
    runtime().block_on(async {
        // A port nothing listens on: bound, then released.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let started = Instant::now();
        let error = RedisStore::builder(format!("redis://tc-user:hunter2@127.0.0.1:{port}/"))
            .connect_timeout(Duration::from_millis(500))
            .build()
            .await
            .expect_err("nothing listens");
        assert_eq!(error.operation, "connect");
        // Where it tried, never with the URL's credentials.
        let message = error.to_string();
        assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
        assert!(
            !message.contains("hunter2") && !message.contains("tc-user"),
            "{message}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );

        let error = RedisStore::builder("redis://:hunter2@[not a host")
            .build()
            .await
            .expect_err("invalid URL");
        assert_eq!(error.operation, "connect");
        assert!(!error.to_string().contains("hunter2"), "{error}");
    });
}
