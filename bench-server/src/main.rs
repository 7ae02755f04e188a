//! The whole-server benchmark: one axum 0.8 handler that reads a session (a ~110-byte struct),
//! increments a counter in it and writes it back, served one of five ways:
//!
//! | variant | session |
//! |---|---|
//! | `none` | no session: the baseline (the same route and body, nothing read or written) |
//! | `typed-cookies` | an encrypted typed-cookies cookie: the `Opened<T>` extractor, then `SetCookie::resealed` (keeps the creation time) |
//! | `typed-cookies-refresh` | the same, with the lifecycle `refresh` middleware on the router |
//! | `private-jar` | axum-extra's `PrivateCookieJar` + `serde_json` |
//! | `tower-sessions` | tower-sessions with its in-memory store (session id cookie) |
//!
//! `bench-server VARIANT PORT [WORKERS]` serves `GET /` (the handler) and `GET /login` (a new
//! session, its `Set-Cookie`) on `127.0.0.1:PORT` with a multi-thread tokio runtime of
//! `WORKERS` threads (default 1); `bench-server micro ROUNDS` times seal + open of the same
//! session type in a loop (ns per round trip), for the ratio the benchmark reports, and
//! `bench-server micro-adapter ROUNDS` the typed-cookies handler's own work (open from a
//! `Cookie:` header, reseal into a `Set-Cookie` header value).
//! `scripts/server-bench.sh` builds it in release and drives it with `wrk`; see BENCHMARKS.md.

use std::time::Instant;

use axum::extract::FromRef;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{middleware, Router};
use axum_extra::extract::cookie::{Cookie, Key as JarKey, PrivateCookieJar, SameSite};
use serde::{Deserialize, Serialize};
use tower_sessions::{Expiry, MemoryStore, SessionManagerLayer};
use typed_cookies::integrations::axum::{refresh, SetCookie};
use typed_cookies::{Key, KeyRing, Opened, SealedCookie};

/// The session: about 110 bytes of JSON. Encrypted, two-hour lifetime, 30-minute idle timeout.
/// Not `Secure` and without a `__Host-` prefix only because the benchmark speaks plain HTTP.
#[derive(Debug, Clone, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "sid",
    salt = "bench-server.session.v1",
    max_age = "2h",
    idle = "30m",
    encrypt,
    secure = false,
    same_site = "lax"
)]
struct Session {
    user_id: u64,
    name: String,
    roles: Vec<String>,
    csrf: String,
    visits: u64,
}

impl Session {
    fn new(user_id: u64) -> Self {
        Self {
            user_id,
            name: "Ada Lovelace".into(),
            roles: vec!["admin".into(), "editor".into()],
            csrf: format!("{user_id:032x}"),
            visits: 0,
        }
    }
}

/// The cookie name of the `private-jar` variant, and the tower-sessions key of the session.
const NAME: &str = "sid";

/// Router state: the typed-cookies key ring and the `PrivateCookieJar` key.
#[derive(Clone)]
struct AppState {
    keys: KeyRing,
    jar_key: JarKey,
}

impl FromRef<AppState> for KeyRing {
    fn from_ref(state: &AppState) -> KeyRing {
        state.keys.clone()
    }
}

impl FromRef<AppState> for JarKey {
    fn from_ref(state: &AppState) -> JarKey {
        state.jar_key.clone()
    }
}

/// A user id per login, so that sessions differ.
fn next_user() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(100_000);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

fn body(visits: u64) -> String {
    format!("visits {visits}\n")
}

// --- none --------------------------------------------------------------------------------

async fn none_handler() -> String {
    body(0)
}

async fn none_login() -> &'static str {
    "no session\n"
}

// --- typed-cookies -----------------------------------------------------------------------

async fn tc_handler(
    axum::extract::State(keys): axum::extract::State<KeyRing>,
    mut session: Opened<Session>,
) -> Response {
    session.value_mut().visits += 1;
    let visits = session.value().visits;
    match SetCookie::resealed(&session, &keys) {
        Ok(cookie) => (cookie, body(visits)).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn tc_login(axum::extract::State(keys): axum::extract::State<KeyRing>) -> Response {
    match SetCookie::new(&Session::new(next_user()), &keys) {
        Ok(cookie) => (cookie, "signed in\n").into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

// --- axum-extra PrivateCookieJar + serde_json ----------------------------------------------

/// The same attributes as the typed-cookies cookie: `Path=/`, `HttpOnly`, `SameSite=Lax`,
/// two hours.
fn jar_cookie(session: &Session) -> Option<Cookie<'static>> {
    let json = serde_json::to_string(session).ok()?;
    Some(
        Cookie::build((NAME, json))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .max_age(cookie::time::Duration::hours(2))
            .build(),
    )
}

async fn jar_handler(jar: PrivateCookieJar) -> Response {
    let Some(mut session) = jar
        .get(NAME)
        .and_then(|c| serde_json::from_str::<Session>(c.value()).ok())
    else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    session.visits += 1;
    match jar_cookie(&session) {
        Some(cookie) => (jar.add(cookie), body(session.visits)).into_response(),
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn jar_login(jar: PrivateCookieJar) -> Response {
    match jar_cookie(&Session::new(next_user())) {
        Some(cookie) => (jar.add(cookie), "signed in\n").into_response(),
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

// --- tower-sessions, in-memory store -------------------------------------------------------

async fn ts_handler(session: tower_sessions::Session) -> Response {
    let Ok(Some(mut value)) = session.get::<Session>(NAME).await else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    value.visits += 1;
    match session.insert(NAME, &value).await {
        Ok(()) => body(value.visits).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn ts_login(session: tower_sessions::Session) -> Response {
    match session.insert(NAME, Session::new(next_user())).await {
        Ok(()) => "signed in\n".into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

// --- main ----------------------------------------------------------------------------------

fn app(variant: &str, state: AppState) -> Option<Router> {
    let router = match variant {
        "none" => Router::new()
            .route("/", get(none_handler))
            .route("/login", get(none_login))
            .with_state(state),
        "typed-cookies" => Router::new()
            .route("/", get(tc_handler))
            .route("/login", get(tc_login))
            .with_state(state),
        "typed-cookies-refresh" => Router::new()
            .route("/", get(tc_handler))
            .route("/login", get(tc_login))
            .layer(middleware::from_fn_with_state(
                state.clone(),
                refresh::<Session, AppState>,
            ))
            .with_state(state),
        "private-jar" => Router::new()
            .route("/", get(jar_handler))
            .route("/login", get(jar_login))
            .with_state(state),
        "tower-sessions" => Router::new()
            .route("/", get(ts_handler))
            .route("/login", get(ts_login))
            .layer(
                SessionManagerLayer::new(MemoryStore::default())
                    .with_secure(false)
                    .with_same_site(tower_sessions::cookie::SameSite::Lax)
                    .with_expiry(Expiry::OnInactivity(
                        tower_sessions::cookie::time::Duration::hours(2),
                    )),
            )
            .with_state(state),
        _ => return None,
    };
    Some(router)
}

/// Seal + open of [`Session`] `rounds` times (after a tenth as warm-up); prints ns per round
/// trip. `micro-adapter`: what the typed-cookies handler does per request instead — open with
/// metadata from a request's `Cookie:` header, reseal into a `Set-Cookie` header value.
fn micro(rounds: u32, adapter: bool) {
    use typed_cookies::integrations::http::CookieHeaders as _;
    let keys = KeyRing::new(Key::generate());
    let session = Session::new(next_user());
    let mut request = axum::http::HeaderMap::new();
    let sealed = session.seal(&keys).expect("seals");
    let cookie = format!("theme=dark; sid={sealed}; lang=en");
    request.insert(
        axum::http::header::COOKIE,
        cookie.parse().expect("a header value"),
    );
    let once = || -> u64 {
        if adapter {
            let mut opened = request
                .open_sealed_cookie_with_metadata::<Session>(&keys)
                .expect("opens")
                .expect("present");
            opened.value_mut().visits += 1;
            let header = SetCookie::resealed(&opened, &keys).expect("seals");
            std::hint::black_box(header.header_value().len() as u64)
        } else {
            let sealed = std::hint::black_box(session.seal(&keys).expect("seals"));
            Session::open(&keys, &sealed).expect("opens").visits
        }
    };
    let mut sink = 0u64;
    for _ in 0..rounds / 10 {
        sink += once();
    }
    let start = Instant::now();
    for _ in 0..rounds {
        sink += once();
    }
    let ns = start.elapsed().as_nanos() as f64 / f64::from(rounds);
    std::hint::black_box(sink);
    println!("{ns:.0}");
}

fn usage() -> ! {
    eprintln!(
        "usage: bench-server none|typed-cookies|typed-cookies-refresh|private-jar|tower-sessions PORT [WORKERS]\n       bench-server micro|micro-adapter ROUNDS"
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
    if variant == "micro" || variant == "micro-adapter" {
        micro(number, variant == "micro-adapter");
        return;
    }
    let workers = args
        .get(2)
        .map_or(1, |w| w.parse().unwrap_or_else(|_| usage()));
    let state = AppState {
        keys: KeyRing::new(Key::generate()),
        jar_key: JarKey::generate(),
    };
    let Some(router) = app(variant, state) else {
        usage()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", number as u16))
            .await
            .expect("binds the port");
        axum::serve(listener, router).await.expect("serves");
    });
}
