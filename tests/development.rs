//! Development mode (`KeyRing::with_development_mode`): one production-shaped `__Host-` type
//! for plain-http development on loopback and for production.
//!
//! - off: byte-identical `Set-Cookie`, removal and lookup, whatever the `Host`;
//! - on, loopback request: no `Secure`, no `Partitioned`, no prefix, `SameSite=None` as `Lax`,
//!   removals likewise, read under the unprefixed name only;
//! - on, any other request (other host, no host, forwarded by a proxy): strict, as if off;
//! - the guard (`TYPED_COOKIES_DEV`), and the `warn` logged once per cookie name;
//! - the same through the `http` helpers and the axum `development` middleware (with the
//!   extractors and `refresh`), in process.

use std::sync::Mutex;

use axum::body::{to_bytes, Body};
use axum::extract::State;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{middleware, Router};
use serde::{Deserialize, Serialize};
use tower::ServiceExt;
use typed_cookies::development::{relax_set_cookie, DevelopmentModeError, DEVELOPMENT_MODE_ENV};
use typed_cookies::integrations::axum::{development, refresh, Removal, Sealed, SetCookie};
use typed_cookies::integrations::http as http_adapter;
use typed_cookies::time::Duration;
use typed_cookies::{Key, KeyRing, ManualClock, SealError, SealedCookie};

use typed_cookies_testkit::t0;

/// Every event `f` logs through `tracing` (on this thread), as its level and its fields
/// rendered `name=value`.
fn logs_of(f: impl FnOnce()) -> Vec<typed_cookies_testkit::Event> {
    typed_cookies_testkit::logs_of(f).1
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "tests.development.session.v1",
    max_age = "2h",
    idle = "30m",
    encrypt
)]
struct Session {
    user: String,
}

/// Every attribute development mode touches: prefix, `Secure`, `Partitioned`, `SameSite=None`.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-widget",
    salt = "tests.development.widget.v1",
    max_age = "1h",
    same_site = "none",
    partitioned,
    priority = "low"
)]
struct Widget {
    visitor: u64,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Secure-pref",
    salt = "tests.development.pref.v1",
    max_age = "1h",
    path = "/app"
)]
struct Pref {
    dark: bool,
}

/// Only the log test uses it, so its one warning is not taken by another test.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-logged-once",
    salt = "tests.development.logged-once.v1",
    max_age = "1h"
)]
struct LoggedOnce {
    n: u8,
}

/// Tests that turn development mode on or change `TYPED_COOKIES_DEV` take this lock, so the
/// guard test's changes to the environment never meet another test's `with_development_mode`.
static ENV: Mutex<()> = Mutex::new(());

fn dev_keys() -> KeyRing {
    let _env = ENV.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    KeyRing::new(Key::generate())
        .with_development_mode()
        .expect("development mode in a debug build (is TYPED_COOKIES_DEV=0 set?)")
}

const LOOPBACK: [&str; 7] = [
    "localhost",
    "localhost:3000",
    "LOCALHOST:80",
    "app.localhost:8080",
    "127.0.0.1:3000",
    "127.8.9.10",
    "[::1]:3000",
];

const OTHER: [&str; 8] = [
    "shop.example",
    "localhost.shop.example",
    "127.0.0.1.nip.io",
    "192.168.1.10:3000",
    "0.0.0.0:3000",
    "[::ffff:7f00:1]",
    "localhost:",
    "",
];

/// The part of a `Set-Cookie` after `name=value`.
fn attributes(header: &str) -> &str {
    header.split_once("; ").map_or("", |(_, rest)| rest)
}

fn name(header: &str) -> &str {
    header.split('=').next().unwrap()
}

#[test]
fn off_is_byte_identical_whatever_the_host() {
    let keys = KeyRing::new(Key::generate()).at(t0());
    assert!(!keys.development_mode());
    let session = Session { user: "ann".into() };
    let strict = session.to_set_cookie(&keys).unwrap();
    assert_eq!(
        attributes(&strict),
        "HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=1800; Expires=Thu, 01 Jan 2026 00:30:00 GMT"
    );
    for host in LOOPBACK.iter().chain(&OTHER) {
        let for_host = keys.for_host(host);
        assert!(!for_host.relaxes_cookies());
        let header = session.to_set_cookie(&for_host).unwrap();
        assert_eq!(name(&header), "__Host-sid");
        assert_eq!(attributes(&header), attributes(&strict));
        assert_eq!(Session::removal_for(&for_host), Session::removal());
        let value = session.seal(&keys).unwrap();
        assert_eq!(
            Session::from_cookie_header(&for_host, &format!("__Host-sid={value}")).unwrap(),
            Some(Session { user: "ann".into() })
        );
        assert_eq!(
            Session::from_cookie_header(&for_host, &format!("sid={value}")).unwrap(),
            None
        );
    }
    assert!(!format!("{keys:?}").contains("development"));
}

#[test]
fn on_relaxes_loopback_requests_only() {
    let keys = dev_keys().at(t0());
    assert!(keys.development_mode() && !keys.relaxes_cookies());
    assert!(format!("{keys:?}").contains("development: On"), "{keys:?}");
    let widget = Widget { visitor: 7 };
    let strict = widget.to_set_cookie(&keys).unwrap();
    assert_eq!(
        attributes(&strict),
        "HttpOnly; SameSite=None; Partitioned; Secure; Path=/; Max-Age=3600; \
         Expires=Thu, 01 Jan 2026 01:00:00 GMT; Priority=Low"
    );
    for host in LOOPBACK {
        let local = keys.for_host(host);
        assert!(local.relaxes_cookies(), "{host}");
        let header = widget.to_set_cookie(&local).unwrap();
        assert_eq!(name(&header), "widget", "{host}");
        assert_eq!(
            attributes(&header),
            "HttpOnly; SameSite=Lax; Path=/; Max-Age=3600; \
             Expires=Thu, 01 Jan 2026 01:00:00 GMT; Priority=Low"
        );
        // The middleware's rewrite of a strict header gives the same attributes.
        assert_eq!(
            attributes(&relax_set_cookie(&strict).unwrap()),
            attributes(&header)
        );
        assert_eq!(
            Widget::removal_for(&local),
            "widget=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0; \
             Expires=Thu, 01 Jan 1970 00:00:00 GMT; Priority=Low"
        );
        assert_eq!(
            Pref::removal_for(&local),
            "pref=; HttpOnly; SameSite=Lax; Path=/app; Max-Age=0; \
             Expires=Thu, 01 Jan 1970 00:00:00 GMT"
        );
        // Read under the development name only; the value is the same sealed value.
        let value = widget.seal(&keys).unwrap();
        assert_eq!(
            Widget::from_cookie_header(&local, &format!("widget={value}")).unwrap(),
            Some(Widget { visitor: 7 })
        );
        assert_eq!(
            Widget::from_cookie_header(&local, &format!("__Host-widget={value}")).unwrap(),
            None
        );
        // A relaxed ring asked about another host is strict again.
        assert!(!local.for_host("shop.example").relaxes_cookies());
    }
    for host in OTHER {
        let other = keys.for_host(host);
        assert!(!other.relaxes_cookies(), "{host:?}");
        let header = widget.to_set_cookie(&other).unwrap();
        assert_eq!(name(&header), "__Host-widget", "{host:?}");
        assert_eq!(attributes(&header), attributes(&strict), "{host:?}");
        assert_eq!(Widget::removal_for(&other), Widget::removal());
        let value = widget.seal(&keys).unwrap();
        assert_eq!(
            Widget::from_cookie_header(&other, &format!("widget={value}")).unwrap(),
            None,
            "{host:?}"
        );
    }
}

#[test]
fn a_relaxed_value_is_still_authenticated() {
    let keys = dev_keys();
    let local = keys.for_host("localhost");
    let foreign = Session {
        user: "mallory".into(),
    }
    .seal(&KeyRing::new(Key::generate()))
    .unwrap();
    assert!(Session::from_cookie_header(&local, &format!("sid={foreign}")).is_err());
    assert!(Session::from_cookie_header(&local, "sid=AAAA").is_err());
    let real = Session { user: "ann".into() }.seal(&keys).unwrap();
    assert!(matches!(
        Session::from_cookie_header(&local, &format!("sid={real}; sid={real}")),
        Err(typed_cookies::OpenError::DuplicateCookie {
            name: "sid",
            count: 2
        })
    ));
}

#[test]
fn the_guard_reads_typed_cookies_dev() {
    let _env = ENV.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let before = std::env::var_os(DEVELOPMENT_MODE_ENV);
    let keys = KeyRing::new(Key::generate());
    let with = |value: Option<&str>| {
        match value {
            Some(value) => std::env::set_var(DEVELOPMENT_MODE_ENV, value),
            None => std::env::remove_var(DEVELOPMENT_MODE_ENV),
        }
        keys.with_development_mode()
            .map(|dev| dev.development_mode())
    };
    assert_eq!(with(Some("0")), Err(DevelopmentModeError::Forbidden));
    assert_eq!(with(Some("true")), Err(DevelopmentModeError::BadValue));
    assert_eq!(with(Some("1")), Ok(true));
    // Tests are debug builds: allowed without the variable (a release build refuses; see
    // `development_mode_allowed`'s doc test).
    if cfg!(debug_assertions) {
        assert_eq!(with(None), Ok(true));
    }
    match before {
        Some(value) => std::env::set_var(DEVELOPMENT_MODE_ENV, value),
        None => std::env::remove_var(DEVELOPMENT_MODE_ENV),
    }
    assert!(DevelopmentModeError::ReleaseBuild
        .to_string()
        .contains("TYPED_COOKIES_DEV=1"));
}

#[test]
fn relaxing_is_logged_once_per_cookie_name() {
    let local = dev_keys().for_host("localhost:3000");
    let logs = logs_of(|| {
        for n in 0..3 {
            LoggedOnce { n }.to_set_cookie(&local).unwrap();
        }
        let _ = LoggedOnce::removal_for(&local);
    });
    let warnings: Vec<&String> = logs
        .iter()
        .filter(|(level, text)| {
            *level == tracing::Level::WARN && text.contains("__Host-logged-once")
        })
        .map(|(_, text)| text)
        .collect();
    assert_eq!(warnings.len(), 1, "{logs:?}");
    assert!(
        warnings[0].contains(
            "development mode: cookie `__Host-logged-once` is sent as `logged-once` without Secure"
        ),
        "{warnings:?}"
    );
}

#[test]
fn http_helpers_decide_by_host_and_forwarding_headers() {
    let keys = dev_keys();
    let request = |host: &str, extra: Option<(&'static str, &str)>| {
        let mut headers = HeaderMap::new();
        if !host.is_empty() {
            headers.insert(header::HOST, host.parse().unwrap());
        }
        if let Some((name, value)) = extra {
            headers.insert(name, value.parse().unwrap());
        }
        headers
    };
    let strict = Session { user: "ann".into() }.to_set_cookie(&keys).unwrap();
    for (request, local) in [
        (request("localhost:3000", None), true),
        (request("[::1]", None), true),
        (request("shop.example", None), false),
        (request("", None), false),
        (
            request("localhost", Some(("forwarded", "for=203.0.113.7"))),
            false,
        ),
        (
            request("localhost", Some(("x-forwarded-host", "shop.example"))),
            false,
        ),
        (
            request("localhost", Some(("x-forwarded-proto", "https"))),
            false,
        ),
        (
            request("localhost", Some(("x-real-ip", "203.0.113.7"))),
            false,
        ),
    ] {
        assert_eq!(
            http_adapter::request_keys(&keys, &request).relaxes_cookies(),
            local,
            "{request:?}"
        );
        let mut response = HeaderMap::new();
        response.append(header::SET_COOKIE, strict.parse().unwrap());
        response.append(header::SET_COOKIE, "theme=dark; Path=/".parse().unwrap());
        assert_eq!(
            http_adapter::development(&keys, &request, &mut response),
            local
        );
        let sets: Vec<&str> = response
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert_eq!(sets[1], "theme=dark; Path=/", "untouched, in its place");
        if local {
            assert_eq!(sets[0], relax_set_cookie(&strict).unwrap());
            assert!(sets[0].starts_with("sid=") && !sets[0].contains("Secure"));
        } else {
            assert_eq!(sets[0], strict);
        }
    }
    // Development mode off: the helpers change nothing, even for localhost.
    let off = KeyRing::new(Key::generate());
    let mut response = HeaderMap::new();
    response.append(header::SET_COOKIE, strict.parse().unwrap());
    assert!(!http_adapter::development(
        &off,
        &request("localhost", None),
        &mut response
    ));
    assert_eq!(response[header::SET_COOKIE], strict.as_str());
}

/// The axum app: login sets the session, logout removes it, `/me` reads it; the refresh
/// middleware and, when `with_layer`, the development middleware outermost.
fn app(keys: KeyRing, with_layer: bool) -> Router {
    let router = Router::new()
        .route(
            "/login",
            post(|State(keys): State<KeyRing>| async move {
                SetCookie::new(&Session { user: "ann".into() }, &keys)
            }),
        )
        .route("/logout", post(|| async { Removal::<Session>::new() }))
        .route(
            "/me",
            get(|session: Option<Sealed<Session>>| async move {
                session.map_or("nobody".to_owned(), |Sealed(s)| s.user)
            }),
        )
        .route(
            "/big",
            post(|State(keys): State<KeyRing>| async move {
                SetCookie::new(
                    &Session {
                        user: "x".repeat(5000),
                    },
                    &keys,
                )
                .map(|_| ())
                .map_err(|e: SealError| e)
            }),
        )
        .layer(middleware::from_fn_with_state(
            keys.clone(),
            refresh::<Session, KeyRing>,
        ));
    let router = if with_layer {
        router.layer(middleware::from_fn_with_state(
            keys.clone(),
            development::<KeyRing>,
        ))
    } else {
        router
    };
    router.with_state(keys)
}

async fn send(app: &Router, method: &str, uri: &str, headers: &[(&str, &str)]) -> Response {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    app.clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

fn set_cookies(response: &Response) -> Vec<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

async fn text(response: Response) -> String {
    String::from_utf8(
        to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap()
}

#[tokio::test]
async fn axum_development_middleware_relaxes_loopback_requests_only() {
    let clock = ManualClock::new(typed_cookies::time::OffsetDateTime::now_utc());
    let keys = dev_keys().with_clock(clock.clone());
    let app = app(keys.clone(), true);

    for host in LOOPBACK {
        let local = [("host", host)];
        let response = send(&app, "POST", "/login", &local).await;
        let sets = set_cookies(&response);
        assert_eq!(sets.len(), 1, "{sets:?}");
        assert!(
            sets[0].starts_with("sid=") && !sets[0].contains("Secure"),
            "{sets:?}"
        );
        assert!(
            sets[0].contains("; HttpOnly; SameSite=Lax; Path=/; Max-Age=1800"),
            "{sets:?}"
        );
        let pair = sets[0].split(';').next().unwrap().to_owned();
        let value = pair.strip_prefix("sid=").unwrap().to_owned();

        let me = |cookie: String| {
            let app = app.clone();
            async move {
                text(send(&app, "GET", "/me", &[("host", host), ("cookie", &cookie)]).await).await
            }
        };
        assert_eq!(me(pair.clone()).await, "ann");
        assert_eq!(me(format!("__Host-sid={value}")).await, "nobody");

        // Refresh under the development name: past half the idle window.
        clock.advance(Duration::minutes(16));
        let response = send(&app, "GET", "/me", &[("host", host), ("cookie", &pair)]).await;
        let sets = set_cookies(&response);
        assert_eq!(sets.len(), 1, "{sets:?}");
        assert!(
            sets[0].starts_with("sid=") && !sets[0].contains("Secure"),
            "{sets:?}"
        );
        // An invalid development cookie is cleared under the development name.
        let response = send(
            &app,
            "GET",
            "/me",
            &[("host", host), ("cookie", "sid=AAAA")],
        )
        .await;
        let sets = set_cookies(&response);
        assert_eq!(sets.len(), 1, "{sets:?}");
        assert!(
            sets[0].starts_with("sid=; ") && sets[0].contains("Max-Age=0"),
            "{sets:?}"
        );

        let response = send(&app, "POST", "/logout", &local).await;
        let sets = set_cookies(&response);
        assert_eq!(sets.len(), 1, "{sets:?}");
        assert!(
            sets[0].starts_with("sid=; ") && !sets[0].contains("Secure"),
            "{sets:?}"
        );
    }

    for headers in [
        vec![("host", "shop.example")],
        vec![],
        vec![("host", "localhost"), ("x-forwarded-for", "203.0.113.7")],
        vec![
            ("host", "localhost"),
            ("forwarded", "for=203.0.113.7;proto=https"),
        ],
    ] {
        let response = send(&app, "POST", "/login", &headers).await;
        let sets = set_cookies(&response);
        assert!(
            sets[0].starts_with("__Host-sid=")
                && sets[0].contains("; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=1800"),
            "{headers:?}: {sets:?}"
        );
        let value = sets[0]
            .split(';')
            .next()
            .unwrap()
            .strip_prefix("__Host-sid=")
            .unwrap();
        let mut with_cookie = headers.clone();
        let strict = format!("__Host-sid={value}");
        with_cookie.push(("cookie", &strict));
        assert_eq!(
            text(send(&app, "GET", "/me", &with_cookie).await).await,
            "ann"
        );
        let relaxed = format!("sid={value}");
        with_cookie.pop();
        with_cookie.push(("cookie", &relaxed));
        assert_eq!(
            text(send(&app, "GET", "/me", &with_cookie).await).await,
            "nobody"
        );
        let response = send(&app, "POST", "/logout", &headers).await;
        assert_eq!(set_cookies(&response), [Session::removal()]);
    }

    // A refused seal is still a 500, relaxed or not.
    let response = send(&app, "POST", "/big", &[("host", "localhost")]).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

/// Revocable, for the guarded extractor's 401 body.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-guarded",
    salt = "tests.development.guarded.v1",
    max_age = "1h",
    revocable
)]
struct GuardedSession {
    user: String,
}

/// README trial: in development mode a loopback request's 401 body named `__Host-sid` while
/// the browser holds (and the extractor reads) `sid`. The body names the cookie expected on
/// that request: the development name on loopback, the type's own name elsewhere — for the
/// plain extractors and for `Guarded<T>` (under its middleware, which it needs).
#[tokio::test]
async fn axum_401_names_the_cookie_expected_on_that_request() {
    use axum::extract::FromRef;
    use typed_cookies::guard::Guard;
    use typed_cookies::integrations::axum::{guarded, Guarded};
    use typed_cookies::store::MemoryStore;

    #[derive(Clone)]
    struct AppState {
        keys: KeyRing,
        guard: Guard,
    }
    impl FromRef<AppState> for KeyRing {
        fn from_ref(state: &AppState) -> KeyRing {
            state.keys.clone()
        }
    }
    impl FromRef<AppState> for Guard {
        fn from_ref(state: &AppState) -> Guard {
            state.guard.clone()
        }
    }
    let state = AppState {
        keys: dev_keys(),
        guard: Guard::new(MemoryStore::new()),
    };
    let plain = Router::new()
        .route(
            "/sealed",
            get(|Sealed(s): Sealed<Session>| async move { s.user }),
        )
        .layer(middleware::from_fn_with_state(
            state.clone(),
            development::<AppState>,
        ))
        .with_state(state.clone());
    let layered = Router::new()
        .route(
            "/guarded",
            get(|s: Guarded<GuardedSession>| async move { s.user.clone() }),
        )
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guarded::<GuardedSession, AppState>,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            development::<AppState>,
        ))
        .with_state(state);
    for (app, uri, strict, relaxed) in [
        (&plain, "/sealed", "__Host-sid", "sid"),
        (&layered, "/guarded", "__Host-guarded", "guarded"),
    ] {
        for (headers, expected) in [
            (vec![("host", "localhost:3000")], relaxed),
            (
                vec![
                    ("host", "localhost:3000"),
                    ("cookie", "sid=AAAA; guarded=AAAA"),
                ],
                relaxed,
            ),
            (vec![("host", "shop.example")], strict),
            (
                vec![("host", "localhost"), ("x-forwarded-for", "203.0.113.7")],
                strict,
            ),
        ] {
            let response = send(app, "GET", uri, &headers).await;
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "{uri} {headers:?}"
            );
            assert_eq!(
                text(response).await,
                format!("401 Unauthorized: no valid `{expected}` cookie\n"),
                "{uri} {headers:?}"
            );
        }
    }
}

#[tokio::test]
async fn axum_off_is_byte_identical_for_loopback_hosts() {
    let keys = KeyRing::new(Key::generate()).at(t0());
    let app = app(keys, true);
    let local = send(&app, "POST", "/login", &[("host", "localhost:3000")]).await;
    let none = send(&app, "POST", "/login", &[]).await;
    let (local, none) = (set_cookies(&local), set_cookies(&none));
    assert_eq!(attributes(&local[0]), attributes(&none[0]));
    assert_eq!(name(&local[0]), "__Host-sid");
    let removal = send(&app, "POST", "/logout", &[("host", "localhost:3000")]).await;
    assert_eq!(set_cookies(&removal), [Session::removal()]);
}

#[test]
fn axum_without_the_middleware_warns_once() {
    let keys = dev_keys();
    let app = app(keys.clone(), false);
    let value = Session { user: "ann".into() }.seal(&keys).unwrap();
    let cookie = format!("sid={value}");
    // A runtime on this thread, so the extractor logs where `logs_of` captures.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let logs = logs_of(|| {
        runtime.block_on(async {
            for _ in 0..2 {
                let response = send(
                    &app,
                    "GET",
                    "/me",
                    &[("host", "localhost"), ("cookie", &cookie)],
                )
                .await;
                assert_eq!(text(response).await, "ann");
            }
            // Without the middleware the handler's Set-Cookie stays strict.
            let response = send(&app, "POST", "/login", &[("host", "localhost")]).await;
            assert!(set_cookies(&response)[0].starts_with("__Host-sid="));
        })
    });
    let warnings = logs
        .iter()
        .filter(|(level, text)| {
            *level == tracing::Level::WARN
                && text.contains("`development` middleware is not installed")
        })
        .count();
    assert_eq!(warnings, 1, "{logs:?}");
}

/// The actix-web `development` middleware: relaxed for a loopback `Host` *and* loopback peer,
/// strict when the peer is remote or a proxy forwarded the request.
#[cfg(feature = "actix-web")]
mod actix {
    use super::{dev_keys, Session};
    use actix_web::http::header::{COOKIE, HOST, SET_COOKIE};
    use actix_web::middleware::from_fn;
    use actix_web::{test, web, App, HttpResponse};
    use typed_cookies::integrations::actix::{development, refresh, ResponseBuilderExt, Sealed};
    use typed_cookies::{KeyRing, SealError, SealedCookie};

    async fn login(keys: web::Data<KeyRing>) -> Result<HttpResponse, SealError> {
        Ok(HttpResponse::Ok()
            .sealed_cookie(&Session { user: "ann".into() }, &keys)?
            .finish())
    }

    async fn me(session: Option<Sealed<Session>>) -> String {
        session.map_or("nobody".into(), |Sealed(s)| s.user)
    }

    #[actix_web::test]
    async fn relaxed_for_local_requests_only() {
        let keys = dev_keys();
        let app = test::init_service(
            App::new()
                .app_data(web::Data::new(keys.clone()))
                .wrap(from_fn(refresh::<Session, _>))
                .wrap(from_fn(development))
                .route("/login", web::post().to(login))
                .route(
                    "/logout",
                    web::post().to(|| async { HttpResponse::Ok().removal::<Session>().finish() }),
                )
                .route("/me", web::get().to(me)),
        )
        .await;
        let local_peer: std::net::SocketAddr = "127.0.0.1:50000".parse().unwrap();
        let remote_peer: std::net::SocketAddr = "203.0.113.7:50000".parse().unwrap();
        let value = Session { user: "ann".into() }.seal(&keys).unwrap();
        for (host, peer, forwarded, local) in [
            ("localhost:3000", local_peer, false, true),
            ("[::1]:3000", local_peer, false, true),
            ("localhost:3000", remote_peer, false, false),
            ("localhost:3000", local_peer, true, false),
            ("shop.example", local_peer, false, false),
        ] {
            let request = |method: test::TestRequest, cookie: Option<String>| {
                let mut request = method.uri("/").insert_header((HOST, host)).peer_addr(peer);
                if forwarded {
                    request = request.insert_header(("x-forwarded-for", "203.0.113.7"));
                }
                if let Some(cookie) = cookie {
                    request = request.insert_header((COOKIE, cookie));
                }
                request
            };
            let set = |response: &actix_web::dev::ServiceResponse| -> Vec<String> {
                response
                    .headers()
                    .get_all(SET_COOKIE)
                    .map(|v| v.to_str().unwrap().to_owned())
                    .collect()
            };
            let response = test::call_service(
                &app,
                request(test::TestRequest::post(), None)
                    .uri("/login")
                    .to_request(),
            )
            .await;
            let sets = set(&response);
            let (name, secure) = if local {
                ("sid=", false)
            } else {
                ("__Host-sid=", true)
            };
            assert!(
                sets[0].starts_with(name),
                "{host} {peer} {forwarded}: {sets:?}"
            );
            assert_eq!(sets[0].contains("; Secure"), secure, "{sets:?}");

            let response = test::call_service(
                &app,
                request(test::TestRequest::post(), None)
                    .uri("/logout")
                    .to_request(),
            )
            .await;
            let sets = set(&response);
            assert!(sets[0].starts_with(&format!("{name}; ")), "{sets:?}");

            let cookie = format!("{name}{value}");
            let response = test::call_service(
                &app,
                request(test::TestRequest::get(), Some(cookie))
                    .uri("/me")
                    .to_request(),
            )
            .await;
            assert_eq!(
                test::read_body(response).await,
                "ann",
                "{host} {peer} {forwarded}"
            );
        }
    }
}
