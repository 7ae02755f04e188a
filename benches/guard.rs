//! What the stolen-cookie defences cost per open, against the stateless open of the same
//! session, on the in-process store: client binding (a SHA-256 of the bound parts), a
//! revocation check (one store read), and replay detection (a read and an atomic rotation, plus
//! the reseal of the renewed value). With the `redis` feature, the same revocable open over a
//! real `redis-server` on loopback (testkit's `RedisServer`), and throughput: sessions opened
//! per second by 64 concurrent tasks — stateless, revocable over the memory store, revocable
//! over one Redis, and revocable over one Redis with the near cache (`NearCachedStore`, issue
//! 28: answers cached in the process, invalidated by Redis). The store alone is in
//! `benches/store.rs`.
//!
//! `cargo bench --features redis --bench guard`; under `cargo test --benches` each runs once,
//! untimed.

#![allow(missing_docs)] // `criterion_group!` writes an undocumented `pub fn`

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use serde::{Deserialize, Serialize};
use typed_cookies::guard::{ClientContext, Guard};
use typed_cookies::store::MemoryStore;
use typed_cookies::{Key, KeyRing, SealedCookie};
use typed_cookies_testkit::poll_ready as run;

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-plain",
    salt = "bench.guard.plain.v1",
    max_age = "8h",
    encrypt
)]
struct Plain {
    user_id: u64,
    csrf: String,
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-bound",
    salt = "bench.guard.bound.v1",
    max_age = "8h",
    encrypt,
    bind = "user_agent, ip"
)]
struct Bound {
    user_id: u64,
    csrf: String,
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-revocable",
    salt = "bench.guard.revocable.v1",
    max_age = "8h",
    encrypt,
    revocable
)]
struct Revocable {
    user_id: u64,
    csrf: String,
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-replay",
    salt = "bench.guard.replay.v1",
    max_age = "8h",
    encrypt,
    replay = "5s"
)]
struct Replay {
    user_id: u64,
    csrf: String,
}

fn defences(c: &mut Criterion) {
    let keys = KeyRing::new(Key::generate());
    let guard = Guard::new(MemoryStore::new());
    let ctx = ClientContext::new()
        .user_agent("Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0")
        .ip("198.51.100.20".parse().unwrap());
    let csrf = "f3a9c2d4e5b6a7980112233445566778".to_string();
    let mut group = c.benchmark_group("guard/open");

    let plain = Plain {
        user_id: 42,
        csrf: csrf.clone(),
    }
    .seal(&keys)
    .unwrap();
    group.bench_function("stateless", |b| {
        b.iter(|| black_box(Plain::open(&keys, black_box(&plain)).unwrap()))
    });

    let bound = run(guard.issue(
        &keys,
        &Bound {
            user_id: 42,
            csrf: csrf.clone(),
        },
        None,
        &ctx,
    ))
    .unwrap();
    group.bench_function("bound (user agent + ip)", |b| {
        b.iter(|| {
            black_box(run(guard.open::<Bound>(&keys, black_box(bound.value()), &ctx)).unwrap())
        })
    });

    let revocable = run(guard.issue(
        &keys,
        &Revocable {
            user_id: 42,
            csrf: csrf.clone(),
        },
        Some("user:42"),
        &ctx,
    ))
    .unwrap();
    group.bench_function("revocable (memory store)", |b| {
        b.iter(|| {
            black_box(
                run(guard.open::<Revocable>(&keys, black_box(revocable.value()), &ctx)).unwrap(),
            )
        })
    });

    // Each open rotates: the next iteration presents the renewed value, as a browser would.
    let issued = run(guard.issue(&keys, &Replay { user_id: 42, csrf }, None, &ctx)).unwrap();
    let mut current = issued.value().to_string();
    group.bench_function("replay (memory store, renews every open)", |b| {
        b.iter(|| {
            let checked = run(guard.open::<Replay>(&keys, &current, &ctx)).unwrap();
            let renewed = checked.renewed().unwrap();
            current = renewed["__Host-replay=".len()..]
                .split(';')
                .next()
                .unwrap()
                .to_string();
        })
    });
    group.finish();
}

/// Opens per second with `TASKS` concurrent tasks on a two-worker runtime: one iteration is
/// one round of `TASKS` opens, so criterion's throughput is sessions per second.
#[cfg(feature = "redis")]
fn throughput(c: &mut Criterion) {
    use criterion::Throughput;
    use std::sync::Arc;
    use typed_cookies::store::{NearCache, RedisStore};
    use typed_cookies_testkit::RedisServer;

    const TASKS: u64 = 64;
    let Some(server) = RedisServer::start_or_skip("benches/guard.rs throughput") else {
        return;
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let keys = KeyRing::new(Key::generate());
    let ctx = ClientContext::new();
    let redis =
        rt.block_on(async { Guard::new(RedisStore::builder(server.url()).build().await.unwrap()) });
    let near = rt.block_on(async {
        let store = RedisStore::builder(server.url())
            .build_near_cached(NearCache::new())
            .await
            .unwrap();
        assert!(store.stats().live, "the near cache's channel is live");
        Guard::new(store)
    });
    let memory = Guard::new(MemoryStore::new());
    let csrf = "f3a9c2d4e5b6a7980112233445566778".to_string();
    let plain: Arc<str> = Plain {
        user_id: 42,
        csrf: csrf.clone(),
    }
    .seal(&keys)
    .unwrap()
    .into();
    let session = Revocable { user_id: 42, csrf };
    let on_memory: Arc<str> = run(memory.issue(&keys, &session, Some("user:42"), &ctx))
        .unwrap()
        .value()
        .into();
    let on_redis: Arc<str> = rt
        .block_on(redis.issue(&keys, &session, Some("user:42"), &ctx))
        .unwrap()
        .value()
        .into();
    let on_near: Arc<str> = rt
        .block_on(near.issue(&keys, &session, Some("user:42"), &ctx))
        .unwrap()
        .value()
        .into();
    // A guard, not a test: the Redis-backed value opens.
    assert!(rt
        .block_on(redis.open::<Revocable>(&keys, &on_redis, &ctx))
        .is_ok());

    let mut group = c.benchmark_group("guard/open-64-tasks");
    group.throughput(Throughput::Elements(TASKS));
    let round = |guard: Option<Guard>, value: Arc<str>| {
        let keys = keys.clone();
        let ctx = ctx.clone();
        rt.block_on(async move {
            let tasks: Vec<_> = (0..TASKS)
                .map(|_| {
                    let (keys, ctx, guard, value) =
                        (keys.clone(), ctx.clone(), guard.clone(), value.clone());
                    tokio::spawn(async move {
                        match guard {
                            None => assert!(Plain::open(&keys, &value).is_ok()),
                            Some(guard) => {
                                assert!(guard.open::<Revocable>(&keys, &value, &ctx).await.is_ok())
                            }
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
        })
    };
    group.bench_function("stateless", |b| b.iter(|| round(None, plain.clone())));
    group.bench_function("revocable (memory store)", |b| {
        b.iter(|| round(Some(memory.clone()), on_memory.clone()))
    });
    group.bench_function("revocable (redis, loopback)", |b| {
        b.iter(|| round(Some(redis.clone()), on_redis.clone()))
    });
    group.bench_function("revocable (redis + near cache, loopback)", |b| {
        b.iter(|| round(Some(near.clone()), on_near.clone()))
    });
    group.finish();
    let mut single = c.benchmark_group("guard/open");
    single.bench_function("revocable (redis, loopback, one task)", |b| {
        b.iter(|| {
            rt.block_on(redis.open::<Revocable>(&keys, &on_redis, &ctx))
                .unwrap()
        })
    });
    single.bench_function("revocable (redis + near cache, loopback, one task)", |b| {
        b.iter(|| {
            rt.block_on(near.open::<Revocable>(&keys, &on_near, &ctx))
                .unwrap()
        })
    });
    single.finish();
}

#[cfg(not(feature = "redis"))]
fn throughput(_: &mut Criterion) {}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = defences, throughput
}
criterion_main!(benches);
