//! The revocation stores (issue 15): one conformance suite run over `MemoryStore` and
//! `RedisStore` (`conformance.rs`), races within one process and between two
//! (`concurrency.rs`), Redis failing, slow or restarted (`faults.rs`), and what only Redis has:
//! TTLs, key layout, error messages (`redis.rs`); and the guard over Redis, as a fleet of two
//! servers and through an outage (`guard.rs`); two servers whose clocks differ by the tolerated
//! skew, and epochs across a restart that lost them (`clock_skew.rs`); `MemoryStore`'s
//! per-namespace maps and their sweep, through the trait and a guard (`memory_namespaces.rs`).
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
mod memory_namespaces;
mod redis;
mod skew_attacks;

use typed_cookies_testkit::redis_store::{
    admin, connect, connect_moving_time, fresh, runtime, NOW,
};
