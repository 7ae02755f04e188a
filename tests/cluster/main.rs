//! The revocation store on a real Redis Cluster (issue 28): 3 primaries and 3 replicas on
//! loopback (testkit's `RedisCluster`). The whole store conformance suite
//! (`../store/conformance.rs`, shared with the `store` tests) over a cluster store; the key
//! layout's hash tags and the split status read (`store.rs`); two app servers, one cluster
//! (`fleet.rs`); durable writes with `WAIT`, on the cluster and on one server without replicas
//! (`durable.rs`); and a primary killed under load (`failover.rs`).
//!
//! Without `redis-server` or `redis-cli` the tests fail naming what to install, unless the run
//! opted out with `TYPED_COOKIES_SKIP_PEERS=1` (never under `CI=true`). Nothing sleeps to wait
//! for a condition: the cluster's state is polled with a deadline, and times are passed in.

mod attacks;
#[path = "../store/conformance.rs"]
mod conformance;
mod durable;
mod failover;
mod fleet;
mod store;

use typed_cookies_testkit::redis_store::{
    connect_cluster as on_cluster, connect_moving_time, fresh, runtime, NOW,
};
