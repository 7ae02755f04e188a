//! Two app servers (two stores, two connections each) on one real Redis: a revocation or a
//! sign-out everywhere on one reaches the other's near cache. The latency of 1,000 trials is
//! printed (`--nocapture`), never asserted: what is asserted is that every trial's revocation
//! became visible, and that the cache was answering before it (so the invalidation, not a
//! miss, made it visible).

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use typed_cookies::guard::{ClientContext, Guard};
use typed_cookies::store::{NearCache, RevocationStore, SessionId};
use typed_cookies::{Key, KeyRing, OpenError, SealedCookie};
use typed_cookies_testkit::RedisServer;

use super::{fresh, near, percentile, plain, runtime, DEADLINE, NOW};

const TRIALS: usize = 1_000;

#[test]
fn a_revocation_on_one_server_reaches_the_other_servers_cache() {
    let Some(server) =
        RedisServer::start_or_skip("a_revocation_on_one_server_reaches_the_other_servers_cache")
    else {
        return;
    };
    runtime().block_on(async {
        let url = server.url();
        let a = near(&url, NearCache::new()).await;
        let b = near(&url, NearCache::new()).await;
        assert!(a.stats().live && b.stats().live);
        let ns = fresh("tests.near_cache.fleet");
        let mut after_return = Vec::with_capacity(TRIALS);
        let mut from_call = Vec::with_capacity(TRIALS);
        for _ in 0..TRIALS {
            let id = SessionId::generate();
            // Cached on B (the second read is a hit: B answers from memory from here on).
            let hits = b.stats().hits;
            assert!(!b.status(&ns, id, None, NOW).await.unwrap().revoked);
            assert!(!b.status(&ns, id, None, NOW).await.unwrap().revoked);
            assert_eq!(b.stats().hits, hits + 1, "B's answer was cached");

            let called = Instant::now();
            a.revoke(&ns, id, NOW + 3_600, NOW).await.unwrap();
            let returned = Instant::now();
            // `now` never moves: only the invalidation can make B see it.
            while !b.status(&ns, id, None, NOW).await.unwrap().revoked {
                assert!(called.elapsed() < DEADLINE, "B never saw the revocation");
                tokio::task::yield_now().await;
            }
            after_return.push(returned.elapsed());
            from_call.push(called.elapsed());
        }
        after_return.sort();
        from_call.sort();
        println!(
            "near cache, revocation visible on the other server over {TRIALS} trials (loopback): \
             after revoke returned p50 {:?} p99 {:?} max {:?}; from the revoke call p50 {:?} p99 {:?} max {:?}",
            percentile(&after_return, 50.0),
            percentile(&after_return, 99.0),
            after_return[TRIALS - 1],
            percentile(&from_call, 50.0),
            percentile(&from_call, 99.0),
            from_call[TRIALS - 1],
        );
        assert!(b.stats().invalidations >= TRIALS as u64);
    });
}

#[test]
fn plain_and_near_cached_servers_share_one_redis() {
    let Some(server) = RedisServer::start_or_skip("plain_and_near_cached_servers_share_one_redis")
    else {
        return;
    };
    runtime().block_on(async {
        let url = server.url();
        let (a, b) = (plain(&url).await, near(&url, NearCache::new()).await);
        let ns = fresh("tests.near_cache.mixed");
        let (id, subject) = (SessionId::generate(), Some("user:dee"));
        let before = b.status(&ns, id, subject, NOW).await.unwrap();
        assert_eq!(b.status(&ns, id, subject, NOW).await.unwrap(), before);
        assert_eq!(b.stats().hits, 1);

        // A plain store publishes too: its sign-out everywhere and its revocation reach B.
        let epoch = a.bump_epoch("user:dee", NOW).await.unwrap();
        super::until("B drops the epoch", || b.stats().invalidations >= 1).await;
        assert_eq!(b.status(&ns, id, subject, NOW).await.unwrap().epoch, epoch);
        a.revoke(&ns, id, NOW + 60, NOW).await.unwrap();
        super::until("B drops the session", || b.stats().invalidations >= 2).await;
        assert!(b.status(&ns, id, subject, NOW).await.unwrap().revoked);
    });
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "tests.near_cache.guard.v1",
    max_age = "8h",
    encrypt,
    revocable
)]
struct Session {
    user: String,
}

#[test]
fn guards_over_near_cached_stores_see_each_others_sign_outs() {
    let Some(server) =
        RedisServer::start_or_skip("guards_over_near_cached_stores_see_each_others_sign_outs")
    else {
        return;
    };
    runtime().block_on(async {
        let url = server.url();
        let (store_a, store_b) = (
            near(&url, NearCache::new()).await,
            near(&url, NearCache::new().max_age(Duration::from_secs(60))).await,
        );
        let (a, b) = (Guard::new(store_a.clone()), Guard::new(store_b.clone()));
        let keys = KeyRing::new(Key::generate());
        let ctx = ClientContext::new();
        let session = || Session {
            user: "ann".to_owned(),
        };
        let issued = a
            .issue(&keys, &session(), Some("user:ann"), &ctx)
            .await
            .unwrap();
        for _ in 0..3 {
            b.open::<Session>(&keys, issued.value(), &ctx)
                .await
                .unwrap();
        }
        assert!(store_b.stats().hits >= 2, "{:?}", store_b.stats());

        // Signed out on A: refused on B at once (B's answers may live a minute).
        let opened = a
            .open::<Session>(&keys, issued.value(), &ctx)
            .await
            .unwrap();
        a.revoke(&keys, opened.opened()).await.unwrap();
        let refused = async {
            loop {
                match b.open::<Session>(&keys, issued.value(), &ctx).await {
                    Err(OpenError::Revoked) => return,
                    Ok(_) => tokio::task::yield_now().await,
                    Err(other) => panic!("{other:?}"),
                }
            }
        };
        tokio::time::timeout(DEADLINE, refused)
            .await
            .expect("B refuses");

        // Sign out everywhere on B: A refuses the other session.
        let other = a
            .issue(&keys, &session(), Some("user:ann"), &ctx)
            .await
            .unwrap();
        a.open::<Session>(&keys, other.value(), &ctx).await.unwrap();
        a.open::<Session>(&keys, other.value(), &ctx).await.unwrap();
        b.sign_out_everywhere(&keys, "user:ann").await.unwrap();
        let refused = async {
            while a.open::<Session>(&keys, other.value(), &ctx).await.is_ok() {
                tokio::task::yield_now().await;
            }
        };
        tokio::time::timeout(DEADLINE, refused)
            .await
            .expect("A refuses");
        assert_eq!(
            a.open::<Session>(&keys, other.value(), &ctx).await.err(),
            Some(OpenError::Revoked)
        );
    });
}
