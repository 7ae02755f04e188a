//! The revocation stores (issue 15): what one `status` (the check a revocable cookie costs per
//! request) and one `claim` cost on `MemoryStore` and on `RedisStore` over loopback, and how
//! many status checks per second one Redis answers with 64 tasks sharing the store's single
//! multiplexed connection.
//!
//! `cargo bench --features redis --bench store` (about half a minute); the Redis part starts
//! its own `redis-server` (testkit's `RedisServer`) and is skipped, with a message, without
//! one (it fails under `CI=true`). Under `cargo test --bench store` every benchmark runs once,
//! untimed (CI does that).

#![allow(missing_docs)] // `criterion_group!` writes an undocumented `pub fn`

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tokio::runtime::Runtime;

use typed_cookies::store::{MemoryStore, RedisStore, RevocationStore, SessionId};
use typed_cookies_testkit::RedisServer;

const NOW: i64 = 1_780_000_000;
const NAMESPACE: &str = "bench.session.v1";
/// Concurrent tasks of the throughput figure.
const TASKS: u64 = 64;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// `status` of a session that is not revoked (the common case) and of one that is, with a
/// subject (so Redis reads both keys), and `claim` of fresh ids.
fn latency(c: &mut Criterion, rt: &Runtime, label: &str, store: &dyn RevocationStore) {
    let live = SessionId::generate();
    let revoked = SessionId::generate();
    rt.block_on(async {
        store
            .revoke(NAMESPACE, revoked, NOW + 3_600, NOW)
            .await
            .unwrap();
        store.bump_epoch("bench-user", 0).await.unwrap();
        // A guard, not a test: the benchmark measures real answers.
        assert!(
            !store
                .status(NAMESPACE, live, Some("bench-user"), NOW)
                .await
                .unwrap()
                .revoked
        );
        assert!(
            store
                .status(NAMESPACE, revoked, None, NOW)
                .await
                .unwrap()
                .revoked
        );
    });
    let mut group = c.benchmark_group("store/status");
    group.bench_function(format!("{label}/live+epoch"), |b| {
        b.iter(|| {
            rt.block_on(store.status(NAMESPACE, black_box(live), Some("bench-user"), NOW))
                .unwrap()
        })
    });
    group.bench_function(format!("{label}/revoked"), |b| {
        b.iter(|| {
            rt.block_on(store.status(NAMESPACE, black_box(revoked), None, NOW))
                .unwrap()
        })
    });
    group.finish();
    // Fresh ids, each claimed once (an id is 16 bytes from a counter; a fresh namespace per
    // run of the benchmark so no earlier run's claims are found). `now` advances a second per
    // thousand claims and each claim lives a minute, so about 60,000 stay live and the rest
    // expire (swept by MemoryStore, dropped by Redis), as in a service: millions of claims
    // kept live would measure a growing map instead.
    let namespace = format!("bench.claim.{}", SessionId::generate());
    let counter = AtomicU64::new(0);
    c.benchmark_group("store/claim").bench_function(label, |b| {
        b.iter(|| {
            let n = counter.fetch_add(1, Ordering::Relaxed);
            let id = SessionId::from_bytes(u128::from(n).to_le_bytes());
            let now = NOW + (n / 1_000) as i64;
            assert!(rt
                .block_on(store.claim(&namespace, id, now + 60, now))
                .unwrap());
        })
    });
}

/// Status checks per second with `TASKS` tasks in flight on one store: each iteration is one
/// check by each of the tasks (criterion reports elements per second).
fn throughput(c: &mut Criterion, rt: &Runtime, label: &str, store: Arc<dyn RevocationStore>) {
    let mut group = c.benchmark_group("store/status-64-tasks");
    group.throughput(Throughput::Elements(TASKS));
    group.bench_function(label, |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let started = Instant::now();
                let tasks: Vec<_> = (0..TASKS)
                    .map(|_| {
                        let store = store.clone();
                        tokio::spawn(async move {
                            let id = SessionId::generate();
                            for _ in 0..iters {
                                store.status(NAMESPACE, id, None, NOW).await.unwrap();
                            }
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await.unwrap();
                }
                started.elapsed()
            })
        })
    });
    group.finish();
}

fn memory(c: &mut Criterion) {
    let rt = runtime();
    let store = Arc::new(MemoryStore::new());
    latency(c, &rt, "memory", &*store);
    throughput(c, &rt, "memory", store);
}

fn redis(c: &mut Criterion) {
    let Some(server) = RedisServer::start_or_skip("benches/store.rs (RedisStore)") else {
        return;
    };
    let rt = runtime();
    let store = rt.block_on(async {
        RedisStore::builder(server.url())
            .timeout(Duration::from_secs(2))
            .build()
            .await
            .expect("connect")
    });
    latency(c, &rt, "redis", &store);
    throughput(c, &rt, "redis", Arc::new(store));
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = memory, redis
}
criterion_main!(benches);
