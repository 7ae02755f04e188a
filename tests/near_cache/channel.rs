//! The invalidation channel cut by Redis: `CLIENT KILL TYPE pubsub` (the feed resubscribes at
//! once), and a user whose channel permission is taken away (`ACL SETUSER … resetchannels`:
//! Redis disconnects its subscribers and refuses to resubscribe them, so the channel stays
//! down). Either way the cache is dropped before it answers again, a revocation made while the
//! channel is down is seen by the next read, and caching resumes once it is back. The worst
//! latency with the channel cut is printed, never asserted.

use std::time::{Duration, Instant};

use typed_cookies::store::{NearCache, RevocationStore, SessionId};
use typed_cookies_testkit::RedisServer;

use super::{admin, fresh, near, percentile, plain, runtime, until, DEADLINE, NOW};

#[test]
fn a_killed_subscription_drops_the_cache_before_it_answers_again() {
    let Some(server) =
        RedisServer::start_or_skip("a_killed_subscription_drops_the_cache_before_it_answers_again")
    else {
        return;
    };
    runtime().block_on(async {
        let url = server.url();
        let (a, b) = (plain(&url).await, near(&url, NearCache::new()).await);
        let mut admin = admin(&server).await;
        let ns = fresh("tests.near_cache.kill");
        let id = SessionId::generate();
        b.status(&ns, id, None, NOW).await.unwrap();
        b.status(&ns, id, None, NOW).await.unwrap();
        assert_eq!(b.stats().hits, 1);

        let flushes = b.stats().flushes;
        let killed: i64 = ::redis::cmd("CLIENT")
            .arg(&["KILL", "TYPE", "pubsub"])
            .query_async(&mut admin)
            .await
            .unwrap();
        assert_eq!(killed, 1, "B's subscriber (A has none)");
        // B noticed (and may already have resubscribed): the entry is gone either way.
        until("B notices the loss", || b.stats().flushes > flushes).await;
        a.revoke(&ns, id, NOW + 60, NOW).await.unwrap();
        assert!(b.status(&ns, id, None, NOW).await.unwrap().revoked);

        // Back and caching again, from an empty cache.
        until("B resubscribes", || b.stats().live).await;
        let other = SessionId::generate();
        let hits = b.stats().hits;
        b.status(&ns, other, None, NOW).await.unwrap();
        b.status(&ns, other, None, NOW).await.unwrap();
        assert_eq!(b.stats().hits, hits + 1);
    });
}

#[test]
fn a_channel_held_down_serves_every_read_from_redis() {
    let Some(server) =
        RedisServer::start_or_skip("a_channel_held_down_serves_every_read_from_redis")
    else {
        return;
    };
    runtime().block_on(async {
        let mut admin = admin(&server).await;
        let acl = |rule: &'static str| {
            let mut cmd = ::redis::cmd("ACL");
            cmd.arg(&["SETUSER", "near", "on", ">near-pass", "~*", "+@all", rule]);
            cmd
        };
        acl("allchannels")
            .query_async::<()>(&mut admin)
            .await
            .unwrap();
        let url = server
            .url()
            .replacen("redis://", "redis://near:near-pass@", 1);
        let (a, b) = (
            plain(&server.url()).await,
            near(&url, NearCache::new()).await,
        );
        assert!(b.stats().live);
        let ns = fresh("tests.near_cache.acl");
        let (id, other) = (SessionId::generate(), SessionId::generate());
        for session in [id, other] {
            b.status(&ns, session, None, NOW).await.unwrap();
            b.status(&ns, session, None, NOW).await.unwrap();
        }
        assert_eq!(b.stats().hits, 2);

        // Channels taken away: Redis drops B's subscriber and refuses it back.
        acl("resetchannels")
            .query_async::<()>(&mut admin)
            .await
            .unwrap();
        until("B's channel is down", || !b.stats().live).await;
        a.revoke(&ns, id, NOW + 60, NOW).await.unwrap();
        let uncached = b.stats().uncached;
        assert!(b.status(&ns, id, None, NOW).await.unwrap().revoked);
        assert!(!b.status(&ns, other, None, NOW).await.unwrap().revoked);
        assert!(!b.status(&ns, other, None, NOW).await.unwrap().revoked);
        let stats = b.stats();
        assert!(!stats.live, "still refused: {stats:?}");
        assert_eq!((stats.uncached - uncached, stats.entries), (3, 0));
        // Its own writes still work (the script's `PUBLISH` is refused, not the write).
        b.revoke(&ns, other, NOW + 60, NOW).await.unwrap();
        assert!(b.status(&ns, other, None, NOW).await.unwrap().revoked);
        b.bump_epoch("user:near", NOW).await.unwrap();

        // Given back: B resubscribes by itself and caches again.
        acl("allchannels")
            .query_async::<()>(&mut admin)
            .await
            .unwrap();
        until("B resubscribes", || b.stats().live).await;
        let (hits, third) = (b.stats().hits, SessionId::generate());
        b.status(&ns, third, None, NOW).await.unwrap();
        b.status(&ns, third, None, NOW).await.unwrap();
        assert_eq!(b.stats().hits, hits + 1);
    });
}

#[test]
fn visibility_with_the_channel_cut_is_reported() {
    const TRIALS: usize = 50;
    let Some(server) = RedisServer::start_or_skip("visibility_with_the_channel_cut_is_reported")
    else {
        return;
    };
    runtime().block_on(async {
        let url = server.url();
        let (a, b) = (plain(&url).await, near(&url, NearCache::new()).await);
        let mut admin = admin(&server).await;
        let ns = fresh("tests.near_cache.cut");
        let mut seen = Vec::with_capacity(TRIALS);
        for _ in 0..TRIALS {
            until("B is live", || b.stats().live).await;
            let id = SessionId::generate();
            b.status(&ns, id, None, NOW).await.unwrap();
            // The channel is cut just before the revocation: its message may be lost; B
            // must still see the revocation once it notices the loss.
            let called = Instant::now();
            ::redis::cmd("CLIENT")
                .arg(&["KILL", "TYPE", "pubsub"])
                .query_async::<i64>(&mut admin)
                .await
                .unwrap();
            a.revoke(&ns, id, NOW + 60, NOW).await.unwrap();
            while !b.status(&ns, id, None, NOW).await.unwrap().revoked {
                assert!(called.elapsed() < DEADLINE, "B never saw the revocation");
                tokio::task::yield_now().await;
            }
            seen.push(called.elapsed());
        }
        seen.sort();
        println!(
            "near cache, revocation visible on the other server with its channel cut just before \
             ({TRIALS} trials, loopback): p50 {:?} p99 {:?} max {:?} (bound: max_age {:?})",
            percentile(&seen, 50.0),
            percentile(&seen, 99.0),
            seen[TRIALS - 1],
            Duration::from_secs(1),
        );
    });
}
