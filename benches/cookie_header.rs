//! What reading the `Cookie:` header costs a request through an axum router: the `refresh`
//! middleware and the extractors of one cookie type, of two, and of a guarded type beside a
//! plain one, against the same router without typed-cookies (the baseline: axum and the request
//! itself). Two headers: a realistic one (analytics and preference cookies around the two
//! sealed values, ~0.7 KB) and a hostile one (390 KB of `;` before the same cookies, just under
//! hyper's default limit on a request head), where every component that scans the header again
//! pays for it again.
//!
//! `cargo bench --bench cookie_header --features axum`; under `cargo test --bench cookie_header`
//! each runs once, untimed. Results in BENCHMARKS.md ("The `Cookie:` header, read once").

#![allow(missing_docs)] // `criterion_group!` writes an undocumented `pub fn`

use std::hint::black_box;
use std::time::Duration;

use axum::body::Body;
use axum::extract::FromRef;
use axum::http::header::COOKIE;
use axum::http::{HeaderValue, Request, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::Router;
use criterion::{criterion_group, criterion_main, Criterion};
use serde::{Deserialize, Serialize};
use tower::ServiceExt as _;
use typed_cookies::guard::{ClientContext, Guard};
use typed_cookies::integrations::axum::{guarded, refresh, Guarded, Sealed};
use typed_cookies::store::MemoryStore;
use typed_cookies::{Key, KeyRing, SealedCookie};
use typed_cookies_testkit::poll_ready as run;

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "bench.cookie_header.session.v1",
    max_age = "8h",
    idle = "30m",
    encrypt
)]
struct Session {
    user_id: u64,
    csrf: String,
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-prefs",
    salt = "bench.cookie_header.prefs.v1",
    max_age = "30d"
)]
struct Prefs {
    theme: String,
    lang: String,
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-account",
    salt = "bench.cookie_header.account.v1",
    max_age = "8h",
    encrypt,
    revocable
)]
struct Account {
    user_id: u64,
}

#[derive(Clone)]
struct State {
    keys: KeyRing,
    guard: Guard,
}

impl FromRef<State> for KeyRing {
    fn from_ref(state: &State) -> KeyRing {
        state.keys.clone()
    }
}

impl FromRef<State> for Guard {
    fn from_ref(state: &State) -> Guard {
        state.guard.clone()
    }
}

/// The routers compared, by name: each answers `GET /` with a short body.
fn routers(state: &State) -> Vec<(&'static str, Router)> {
    let baseline = Router::new().route("/", get(|| async { "ok" }));
    let one = Router::new()
        .route(
            "/",
            get(|Sealed(s): Sealed<Session>| async move { black_box(s.user_id).to_string() }),
        )
        .layer(from_fn_with_state(state.clone(), refresh::<Session, State>))
        .with_state(state.clone());
    let two = Router::new()
        .route(
            "/",
            get(
                |Sealed(s): Sealed<Session>, Sealed(p): Sealed<Prefs>| async move {
                    format!("{} {}", black_box(s.user_id), black_box(p.theme))
                },
            ),
        )
        .layer(from_fn_with_state(state.clone(), refresh::<Session, State>))
        .layer(from_fn_with_state(state.clone(), refresh::<Prefs, State>))
        .with_state(state.clone());
    let with_guarded = Router::new()
        .route(
            "/",
            get(
                |a: Guarded<Account>, Sealed(s): Sealed<Session>| async move {
                    format!("{} {}", black_box(a.user_id), black_box(s.user_id))
                },
            ),
        )
        .layer(from_fn_with_state(state.clone(), refresh::<Session, State>))
        .layer(from_fn_with_state(state.clone(), guarded::<Account, State>))
        .with_state(state.clone());
    vec![
        ("baseline (no typed-cookies)", baseline),
        ("refresh + Sealed<T>, one type", one),
        ("two types: 2 refresh + 2 Sealed", two),
        ("guarded + Guarded<T>, refresh + Sealed<T>", with_guarded),
    ]
}

fn call(router: &Router, cookie: &HeaderValue) -> StatusCode {
    let request = Request::builder()
        .uri("/")
        .header(COOKIE, cookie.clone())
        .body(Body::empty())
        .expect("a valid request");
    run(router.clone().oneshot(request))
        .expect("infallible")
        .status()
}

fn cookie_header(c: &mut Criterion) {
    let state = State {
        keys: KeyRing::new(Key::generate()),
        guard: Guard::new(MemoryStore::new()),
    };
    let keys = &state.keys;
    let session = Session {
        user_id: 42,
        csrf: "f3a9c2d4e5b6a7980112233445566778".into(),
    }
    .seal(keys)
    .expect("seals");
    let prefs = Prefs {
        theme: "dark".into(),
        lang: "en-GB".into(),
    }
    .seal(keys)
    .expect("seals");
    let account = run(state.guard.issue(
        keys,
        &Account { user_id: 42 },
        Some("user:42"),
        &ClientContext::new(),
    ))
    .expect("issues");
    let ours = format!(
        "__Host-sid={session}; __Host-prefs={prefs}; __Host-account={}",
        account.value()
    );
    let realistic = format!(
        "_ga=GA1.2.1234567890.1767225600; _gid=GA1.2.987654321.1767225600; theme=dark; \
         {ours}; csrftoken=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4; consent=analytics%3Dno"
    );
    let hostile = format!("{}{ours}", ";".repeat(390 * 1024));
    let headers = [
        (
            "realistic",
            HeaderValue::from_str(&realistic).expect("valid"),
        ),
        (
            "390 KB of ';'",
            HeaderValue::from_str(&hostile).expect("valid"),
        ),
    ];

    let routers = routers(&state);
    for (name, router) in &routers {
        for (header_name, header) in &headers {
            assert_eq!(
                call(router, header),
                StatusCode::OK,
                "{name}, {header_name}"
            );
        }
    }
    for (header_name, header) in &headers {
        let mut group = c.benchmark_group(format!("cookie_header/{header_name}"));
        for (name, router) in &routers {
            group.bench_function(*name, |b| b.iter(|| black_box(call(router, header))));
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500))
        .sample_size(50);
    targets = cookie_header
}
criterion_main!(benches);
