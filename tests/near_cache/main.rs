//! The near cache of revocation answers (issue 28): `NearCachedStore` over the memory store
//! with the feed driven by hand (`rules.rs`: the age bound on the passed `now`, the insertion
//! race, what is never cached, what messages drop, capacity), and over a real `redis-server`
//! (testkit's `RedisServer`): a revocation on one server reaching another's cache, with its
//! latency over 1,000 trials printed, never asserted (`fleet.rs`), and the invalidation channel
//! cut by Redis (`channel.rs`), and over Redis Cluster (`cluster.rs`).
//!
//! Time is passed in (`now`), never waited for; the Redis tests poll for what another
//! connection does, with a deadline.

mod attacks;
mod channel;
mod cluster;
mod fleet;
mod rules;

use std::time::{Duration, Instant};

use typed_cookies::store::{NearCache, NearCachedStore, RedisStore};
use typed_cookies_testkit::redis_store::{admin, fresh, runtime, NOW};

/// How long a poll for another connection's effect may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(10);

/// A plain store on `url`.
async fn plain(url: &str) -> RedisStore {
    RedisStore::builder(url)
        .build()
        .await
        .expect("connect to the test redis-server")
}

/// A near-cached store on `url` (its subscription confirmed when it returns).
async fn near(url: &str, config: NearCache) -> NearCachedStore<RedisStore> {
    RedisStore::builder(url)
        .build_near_cached(config)
        .await
        .expect("connect to the test redis-server")
}

/// Polls `done` (yielding between tries) until it holds; fails the test after [`DEADLINE`].
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < DEADLINE, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// The `p`-th percentile of sorted `samples`.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
