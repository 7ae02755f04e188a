//! The revocation stores (issue 15): one conformance suite run over `MemoryStore` and
//! `RedisStore` (`conformance.rs`), races within one process and between two
//! (`concurrency.rs`), Redis failing, slow or restarted (`faults.rs`), and what only Redis has:
//! TTLs, key layout, error messages (`redis.rs`); and the guard over Redis, as a fleet of two
//! servers and through an outage (`guard.rs`); two servers whose clocks differ by the tolerated
//! skew, and epochs across a restart that lost them (`clock_skew.rs`).
//!
//! Every Redis test starts its own `redis-server` (testkit's `RedisServer`) on a free loopback
//! port; without `redis-server` they fail, naming what to install, unless the run opted out
//! with `TYPED_COOKIES_SKIP_PEERS=1` (never under `CI=true`).
//! Time is passed in (`now`), never waited for.

mod clock_skew;
mod concurrency;
mod conformance;
mod faults;
mod guard;
mod redis;

use std::time::Duration;

use typed_cookies::store::{RedisStore, SessionId};
use typed_cookies_testkit::RedisServer;

/// The `now` of most scenarios (unix seconds, 2026-05-28).
const NOW: i64 = 1_780_000_000;

/// A multi-threaded runtime of two workers (the machine has two cores).
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// A namespace no other test (or earlier run on the same Redis) uses.
fn fresh(label: &str) -> String {
    format!("{label}.{}", SessionId::generate())
}

/// A store on `server` with `timeout` per operation (the replay grace window on Redis's clock,
/// as in production).
async fn connect(server: &RedisServer, timeout: Duration) -> RedisStore {
    RedisStore::builder(server.url())
        .timeout(timeout)
        .build()
        .await
        .expect("connect to the test redis-server")
}

/// [`connect`], with the replay grace window measured on the `now` each call passes: for the
/// scenarios that move time (Redis's own clock cannot be moved). `clock_skew.rs` covers the
/// production mode.
async fn connect_moving_time(server: &RedisServer, timeout: Duration) -> RedisStore {
    RedisStore::builder(server.url())
        .timeout(timeout)
        .callers_clock_for_tests()
        .build()
        .await
        .expect("connect to the test redis-server")
}

/// A plain client of `server`, for what a store never does (pause it, read TTLs).
async fn admin(server: &RedisServer) -> ::redis::aio::MultiplexedConnection {
    ::redis::Client::open(server.url())
        .expect("url")
        .get_multiplexed_async_connection()
        .await
        .expect("admin connection")
}
