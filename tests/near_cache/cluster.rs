//! The near cache over Redis Cluster (3 primaries, 3 replicas on loopback; testkit's
//! `RedisCluster`): the scripts run on the primary of each key's slot and their `PUBLISH`
//! reaches the feed subscribed on another node, so revocations and sign-outs made on any
//! primary reach the cache.

use typed_cookies::store::{NearCache, RedisStore, RevocationStore, SessionId};
use typed_cookies_testkit::redis_cluster::RedisCluster;

use super::{fresh, runtime, until, NOW};

#[test]
fn revocations_on_every_primary_reach_a_cache_subscribed_on_one_node() {
    let Some(cluster) = RedisCluster::start_or_skip(
        "revocations_on_every_primary_reach_a_cache_subscribed_on_one_node",
    ) else {
        return;
    };
    runtime().block_on(async {
        let a = RedisStore::cluster_builder(cluster.urls())
            .build()
            .await
            .expect("cluster store");
        let b = RedisStore::cluster_builder(cluster.urls())
            .build_near_cached(NearCache::new())
            .await
            .expect("near-cached cluster store");
        assert!(b.stats().live);
        let ns = fresh("tests.near_cache.cluster");
        // Enough sessions and subjects that their keys land on every primary.
        let sessions: Vec<_> = (0..24)
            .map(|i| (SessionId::generate(), format!("user:{i}")))
            .collect();
        for (id, subject) in &sessions {
            b.status(&ns, *id, Some(subject), NOW).await.unwrap();
            b.status(&ns, *id, Some(subject), NOW).await.unwrap();
        }
        assert_eq!(b.stats().hits, sessions.len() as u64);

        for (n, (id, subject)) in sessions.iter().enumerate() {
            let invalidations = b.stats().invalidations;
            if n % 2 == 0 {
                a.revoke(&ns, *id, NOW + 60, NOW).await.unwrap();
                until("B hears of the revocation", || {
                    b.stats().invalidations > invalidations
                })
                .await;
                assert!(
                    b.status(&ns, *id, Some(subject), NOW)
                        .await
                        .unwrap()
                        .revoked
                );
            } else {
                let epoch = a.bump_epoch(subject, NOW).await.unwrap();
                until("B hears of the sign-out", || {
                    b.stats().invalidations > invalidations
                })
                .await;
                assert_eq!(
                    b.status(&ns, *id, Some(subject), NOW).await.unwrap().epoch,
                    epoch
                );
            }
        }
    });
}
