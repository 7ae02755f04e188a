//! The whole-server benchmark: one axum 0.8 handler that reads a session (a ~110-byte
//! struct), increments a counter in it and writes it back, served one of these ways:
//!
//! | variant | session |
//! |---|---|
//! | `none` | no session: the baseline (the same route and body, nothing read or written) |
//! | `none-set-cookie` | the baseline plus a fixed `Set-Cookie` as long as typed-cookies' (a control: what sending the header costs) |
//! | `seal-open-in-handler` | the baseline plus the micro-benchmark's seal + open of the session in the handler, no cookie read or written (what the cryptography costs inside a server) |
//! | `typed-cookies` | an encrypted typed-cookies cookie: the `Opened<T>` extractor, then `SetCookie::resealed` (keeps the creation time) |
//! | `typed-cookies-refresh` | the same, with the lifecycle refresh middleware on the router (`RefreshLayer`) |
//! | `typed-cookies-refresh-fn` | the same with the `refresh` function through `from_fn_with_state` |
//! | `typed-cookies-revocable-redis` | a revocable typed-cookies session: the `Guarded<T>` extractor checks its id in a `RedisStore` (`REDIS_URL`) on every request |
//! | `typed-cookies-revocable-near` | the same over the store with its near cache (`build_near_cached`): the answer kept in the process, invalidated by Redis, at most 1 s old |
//! | `typed-cookies-revocable-memory` | a control: the same guard over the in-process `MemoryStore` (what the guard's path costs without any store round trip) |
//! | `typed-cookies-guarded` | the guarded path alone: a revocable session over a `MemoryStore`, read by its `GuardedLayer` and `Guarded<T>`, nothing written back (compared with `micro-guard`; see `revocable_memory`) |
//! | `typed-cookies-guarded-fn` | the same with the middleware installed as the `guarded` function through `from_fn_with_state` |
//! | `layer-control` | a control: no cookie at all, but the guarded path's shape in axum (a tower layer like `GuardedLayer` hands a value through the request's extensions to the handler's last-argument extractor); its gap to `none` is axum's share (see `layer_control`) |
//! | `private-jar` | axum-extra's `PrivateCookieJar` + `serde_json` |
//! | `tower-sessions` | tower-sessions with its in-memory store (session id cookie) |
//! | `tower-sessions-redis` | tower-sessions with `tower-sessions-redis-store` (fred) at `REDIS_URL` |
//!
//! `bench-server VARIANT PORT [WORKERS]` serves `GET /` (the handler) and `GET /login` (a new
//! session, its `Set-Cookie`) on `127.0.0.1:PORT` with a multi-thread tokio runtime of
//! `WORKERS` threads (default 1); `bench-server micro|micro-adapter ROUNDS` times the
//! typed-cookies work in-process (see the `micro` module), `bench-server micro-guard ROUNDS`
//! the revocable type's `Guard::open` (see `revocable_memory`).
//! `scripts/server-bench.sh` builds it in release and drives it with `wrk`; see BENCHMARKS.md.

mod layer_control;
mod micro;
mod revocable_memory;
mod session;
mod stateful;
mod stateless;

use axum::http::HeaderValue;
use axum::routing::get;
use axum::{middleware, Router};
use axum_extra::extract::cookie::Key as JarKey;
use tower_sessions::{Expiry, SessionManagerLayer, SessionStore};
use typed_cookies::guard::Guard;
use typed_cookies::integrations::axum::{refresh, GuardedLayer, RefreshLayer};
use typed_cookies::{Key, KeyRing, SealedCookie};

use crate::session::Session;

/// tower-sessions' layer over `store`: not `Secure` (plain HTTP), `SameSite=Lax`, two hours
/// of inactivity.
fn ts_layer<S: SessionStore + Clone>(store: S) -> SessionManagerLayer<S> {
    SessionManagerLayer::new(store)
        .with_secure(false)
        .with_same_site(tower_sessions::cookie::SameSite::Lax)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::hours(2),
        ))
}

/// `REDIS_URL`, which the Redis variants need.
fn redis_url() -> Result<String, String> {
    std::env::var("REDIS_URL").map_err(|_| "set REDIS_URL for this variant".to_string())
}

/// The router of `variant` (connecting to Redis for the Redis variants). Each variant's
/// router state is only what it needs (axum clones the state for every request).
async fn app(variant: &str, keys: KeyRing) -> Result<Router, String> {
    use stateful::*;
    use stateless::*;
    Ok(match variant {
        "none" => Router::new()
            .route("/", get(none_handler))
            .route("/login", get(none_login)),
        "none-set-cookie" => {
            let fixed = Session::new(0)
                .to_set_cookie(&keys)
                .map_err(|e| e.to_string())?;
            let fixed = HeaderValue::from_str(&fixed).map_err(|e| e.to_string())?;
            Router::new()
                .route("/", get(fixed_set_cookie_handler))
                .route("/login", get(none_login))
                .with_state(fixed)
        }
        "seal-open-in-handler" => Router::new()
            .route("/", get(seal_open_handler))
            .route("/login", get(none_login))
            .with_state(SealOpenState {
                keys,
                session: std::sync::Arc::new(Session::new(0)),
            }),
        "typed-cookies" => Router::new()
            .route("/", get(tc_handler))
            .route("/login", get(tc_login))
            .with_state(keys),
        "typed-cookies-refresh" => Router::new()
            .route("/", get(tc_handler))
            .route("/login", get(tc_login))
            .layer(RefreshLayer::<Session>::new(&keys))
            .with_state(keys),
        "typed-cookies-refresh-fn" => Router::new()
            .route("/", get(tc_handler))
            .route("/login", get(tc_login))
            .layer(middleware::from_fn_with_state(
                keys.clone(),
                refresh::<Session, KeyRing>,
            ))
            .with_state(keys),
        "typed-cookies-revocable-redis"
        | "typed-cookies-revocable-near"
        | "typed-cookies-revocable-memory" => {
            let guard = if variant == "typed-cookies-revocable-memory" {
                Guard::new(typed_cookies::store::MemoryStore::new())
            } else if variant == "typed-cookies-revocable-near" {
                let builder = typed_cookies::store::RedisStore::builder(redis_url()?);
                let config = typed_cookies::store::NearCache::new();
                Guard::new(
                    builder
                        .build_near_cached(config)
                        .await
                        .map_err(|e| e.to_string())?,
                )
            } else {
                let builder = typed_cookies::store::RedisStore::builder(redis_url()?);
                Guard::new(builder.build().await.map_err(|e| e.to_string())?)
            };
            let state = TrackedState { keys, guard };
            Router::new()
                .route("/", get(tcr_handler))
                .route("/login", get(tcr_login))
                // `Guarded<T>` takes what this middleware opened (a logged 500 without it).
                .layer(GuardedLayer::<crate::session::RevocableSession>::new(
                    &state,
                ))
                .with_state(state)
        }
        "typed-cookies-guarded" => revocable_memory::router(keys, revocable_memory::Install::Layer),
        "typed-cookies-guarded-fn" => {
            revocable_memory::router(keys, revocable_memory::Install::Function)
        }
        "layer-control" => layer_control::router(),
        "private-jar" => Router::new()
            .route("/", get(jar_handler))
            .route("/login", get(jar_login))
            .with_state(JarKey::generate()),
        "tower-sessions" => Router::new()
            .route("/", get(ts_handler))
            .route("/login", get(ts_login))
            .layer(ts_layer(tower_sessions::MemoryStore::default())),
        "tower-sessions-redis" => {
            use tower_sessions_redis_store::fred::prelude::{ClientLike, Config, Pool};
            use tower_sessions_redis_store::RedisStore;
            let config = Config::from_url(&redis_url()?).map_err(|e| e.to_string())?;
            let pool = Pool::new(config, None, None, None, 6).map_err(|e| e.to_string())?;
            // The connection tasks run on the runtime for as long as the server does.
            let _connections = pool.connect();
            pool.wait_for_connect().await.map_err(|e| e.to_string())?;
            Router::new()
                .route("/", get(ts_handler))
                .route("/login", get(ts_login))
                .layer(ts_layer(RedisStore::new(pool)))
        }
        _ => return Err(format!("unknown variant {variant}")),
    })
}

fn usage() -> ! {
    eprintln!(
        "usage: bench-server none|none-set-cookie|seal-open-in-handler|typed-cookies|typed-cookies-refresh|\
         typed-cookies-revocable-redis|typed-cookies-revocable-near|\
         typed-cookies-revocable-memory|typed-cookies-guarded|typed-cookies-guarded-fn|typed-cookies-refresh-fn|layer-control|private-jar|tower-sessions|tower-sessions-redis PORT [WORKERS]\n       \
         bench-server micro|micro-adapter|micro-guard ROUNDS"
    );
    std::process::exit(2);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(variant), Some(number)) = (args.first(), args.get(1)) else {
        usage()
    };
    let Ok(number) = number.parse::<u32>() else {
        usage()
    };
    if variant == "micro-guard" {
        revocable_memory::run(number);
        return;
    }
    if variant == "micro" || variant == "micro-adapter" {
        micro::run(number, variant == "micro-adapter");
        return;
    }
    let Ok(port) = u16::try_from(number) else {
        usage()
    };
    let workers = args
        .get(2)
        .map_or(1, |w| w.parse().unwrap_or_else(|_| usage()));
    let keys = KeyRing::new(Key::generate());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async move {
        let router = match app(variant, keys).await {
            Ok(router) => router,
            Err(error) => {
                eprintln!("bench-server {variant}: {error}");
                std::process::exit(2);
            }
        };
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("binds the port");
        axum::serve(listener, router).await.expect("serves");
    });
}
