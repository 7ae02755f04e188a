//! The axum adapter for guarded types, in process: sign-in through `Guard::issue`, real
//! sign-out (a copy of the cookie kept from before is refused), sign out everywhere, replay
//! detection through the `guarded` middleware (each response renews, an old copy revokes the
//! session), IP binding through `ConnectInfo`, and a store outage (503, not a sign-out); the
//! extractors on a route their `guarded` middleware does not cover (a logged 500), and the
//! `Cookie:` header split at most once for all the middlewares and the extractor of a request.
//! The app installs two types' middlewares as `GuardedLayer`s and one through
//! `from_fn_with_state(state, guarded::<T, _>)`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, Request, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use typed_cookies::guard::{ClientContext, Guard};
use typed_cookies::integrations::axum::{guarded, Guarded, GuardedLayer, Removal};
use typed_cookies::time::Duration;
use typed_cookies::{KeyRing, ManualClock};
use typed_cookies_testkit::{clocked, ring, SwitchableStore};

use crate::axum_guard_state::AppState;
use crate::axum_support::{sign_in, Response};
use crate::{Net, Paranoid, Session, FIREFOX};

fn ctx_of(headers: &axum::http::HeaderMap) -> ClientContext {
    let ua = headers
        .get(header::USER_AGENT)
        .map(|v| v.as_bytes().to_vec());
    ua.map_or_else(ClientContext::new, |ua| ClientContext::new().user_agent(ua))
}

async fn sign_out(State(state): State<AppState>, session: Guarded<Session>) -> impl IntoResponse {
    state
        .guard
        .revoke(&state.keys, session.opened())
        .await
        .unwrap();
    (Removal::<Session>::new(), "bye")
}

async fn everywhere(State(state): State<AppState>, session: Guarded<Session>) -> String {
    let subject = session.opened().subject().unwrap().to_owned();
    state
        .guard
        .sign_out_everywhere(&state.keys, &subject)
        .await
        .unwrap()
        .to_string()
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/sign-in", post(sign_in::<Session>))
        .route("/me", get(|s: Guarded<Session>| async move { format!("hello {}", s.user) }))
        .route(
            "/maybe",
            get(|s: Option<Guarded<Session>>| async move { s.map_or("anonymous".to_owned(), |s| s.user.clone()) }),
        )
        .route("/sign-out", post(sign_out))
        .route("/everywhere", post(everywhere))
        .route(
            "/paranoid/sign-in",
            post(|State(state): State<AppState>| async move {
                state
                    .guard
                    .issue(&state.keys, &Paranoid { user: "ann".into() }, None, &ClientContext::new())
                    .await
            }),
        )
        .route("/paranoid", get(|s: Guarded<Paranoid>| async move { s.user.clone() }))
        // Per route: `Net` binds the peer address, which only these requests carry.
        .route(
            "/net",
            get(|s: Guarded<Net>| async move { s.user.clone() })
                .layer(from_fn_with_state(state.clone(), guarded::<Net, AppState>)),
        )
        .route(
            "/net/sign-in",
            post(|State(state): State<AppState>, ConnectInfo(addr): ConnectInfo<SocketAddr>| async move {
                let ctx = ClientContext::new().ip(addr.ip());
                state.guard.issue(&state.keys, &Net { user: "ann".into() }, None, &ctx).await
            }),
        )
        .route(
            // A common mistake: a hand-built context with the user agent only.
            "/net/sign-in-without-ip",
            post(|State(state): State<AppState>, headers: axum::http::HeaderMap| async move {
                state.guard.issue(&state.keys, &Net { user: "ann".into() }, None, &ctx_of(&headers)).await
            }),
        )
        // Both ways to install a guarded middleware: the tower layer, and the function through
        // `from_fn_with_state` (`/net` above).
        .layer(GuardedLayer::<Paranoid>::new(&state))
        .layer(GuardedLayer::<Session>::new(&state))
        .with_state(state)
}

async fn call(
    app: &Router,
    method: &str,
    uri: &str,
    cookie: Option<&str>,
    ua: &str,
    peer: Option<&str>,
) -> Response {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::USER_AGENT, ua);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let mut request = request.body(Body::empty()).unwrap();
    if let Some(peer) = peer {
        request
            .extensions_mut()
            .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
    }
    crate::axum_support::send(app, request).await
}

#[tokio::test]
async fn sign_out_is_real_a_kept_copy_is_refused() {
    let app = app(AppState::new(ring()));
    let signed_in = call(&app, "POST", "/sign-in", None, FIREFOX, None).await;
    let cookie = signed_in.pair("__Host-sid").expect("a session cookie");
    let me = call(&app, "GET", "/me", Some(&cookie), FIREFOX, None).await;
    assert_eq!((me.status, me.body.as_str()), (StatusCode::OK, "hello ann"));
    // The same cookie from another browser: bound to the user agent.
    let stolen = call(&app, "GET", "/me", Some(&cookie), "curl/8.5", None).await;
    assert_eq!(stolen.status, StatusCode::UNAUTHORIZED);
    let out = call(&app, "POST", "/sign-out", Some(&cookie), FIREFOX, None).await;
    assert_eq!(out.status, StatusCode::OK);
    assert!(
        out.set_cookies
            .iter()
            .any(|c| c.starts_with("__Host-sid=;")),
        "{:?}",
        out.set_cookies
    );
    // The copy kept from before sign-out.
    let replayed = call(&app, "GET", "/me", Some(&cookie), FIREFOX, None).await;
    assert_eq!(replayed.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        replayed.body,
        "401 Unauthorized: no valid `__Host-sid` cookie\n"
    );
    let maybe = call(&app, "GET", "/maybe", Some(&cookie), FIREFOX, None).await;
    assert_eq!(
        (maybe.status, maybe.body.as_str()),
        (StatusCode::OK, "anonymous")
    );
}

#[tokio::test]
async fn sign_out_everywhere_ends_the_other_devices_sessions() {
    let app = app(AppState::new(ring()));
    let laptop = call(&app, "POST", "/sign-in", None, FIREFOX, None)
        .await
        .pair("__Host-sid")
        .unwrap();
    let phone = call(&app, "POST", "/sign-in", None, "Safari/18", None)
        .await
        .pair("__Host-sid")
        .unwrap();
    assert_eq!(
        call(&app, "GET", "/me", Some(&phone), "Safari/18", None)
            .await
            .status,
        StatusCode::OK
    );
    let bumped = call(&app, "POST", "/everywhere", Some(&laptop), FIREFOX, None).await;
    assert_eq!(bumped.status, StatusCode::OK);
    // The new epoch: the sign-out time in µs on the store's clock (the ring's, for memory).
    assert!(
        bumped.body.parse::<u64>().unwrap() > 1_000_000_000_000_000,
        "{}",
        bumped.body
    );
    for (cookie, ua) in [(&laptop, FIREFOX), (&phone, "Safari/18")] {
        assert_eq!(
            call(&app, "GET", "/me", Some(cookie), ua, None)
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn replay_detection_renews_on_every_response_and_catches_an_old_copy() {
    let (keys, clock): (KeyRing, ManualClock) = clocked(&ring());
    let app = app(AppState::new(keys));
    let first = call(&app, "POST", "/paranoid/sign-in", None, FIREFOX, None)
        .await
        .pair("__Host-paranoid")
        .unwrap();
    let r1 = call(&app, "GET", "/paranoid", Some(&first), FIREFOX, None).await;
    assert_eq!((r1.status, r1.body.as_str()), (StatusCode::OK, "ann"));
    let second = r1.pair("__Host-paranoid").expect("the middleware renews");
    assert_ne!(second, first);
    let r2 = call(&app, "GET", "/paranoid", Some(&second), FIREFOX, None).await;
    let third = r2.pair("__Host-paranoid").expect("renewed again");
    // A thief uses the first value a minute later: refused, the cookie cleared, the session ended.
    clock.advance(Duration::minutes(1));
    let thief = call(&app, "GET", "/paranoid", Some(&first), "curl/8.5", None).await;
    assert_eq!(thief.status, StatusCode::UNAUTHORIZED);
    assert!(thief
        .set_cookies
        .iter()
        .any(|c| c.starts_with("__Host-paranoid=;")));
    let victim = call(&app, "GET", "/paranoid", Some(&third), FIREFOX, None).await;
    assert_eq!(victim.status, StatusCode::UNAUTHORIZED);
}

/// `Guarded<T>` and `Option<Guarded<T>>` on routes that `T`'s `guarded` middleware does not
/// cover: a 500 logged at `error` naming the layer to add, even with a valid cookie — not a
/// 200 that skips the idle renewal, the reseal after a key rotation and the removal of refused
/// cookies.
#[test]
fn guarded_extractors_without_their_middleware_are_a_logged_500() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let state = AppState::new(ring());
    let cookie = runtime
        .block_on(call(
            &app(state.clone()),
            "POST",
            "/sign-in",
            None,
            FIREFOX,
            None,
        ))
        .pair("__Host-sid")
        .unwrap();
    let bare: Router = Router::new()
        .route(
            "/me",
            get(|s: Guarded<Session>| async move { s.user.clone() }),
        )
        .route(
            "/maybe",
            get(|s: Option<Guarded<Session>>| async move {
                s.map_or("none".into(), |s| s.user.clone())
            }),
        )
        .with_state(state);
    for uri in ["/me", "/maybe"] {
        for cookie in [Some(cookie.as_str()), None] {
            let (response, logs) = typed_cookies_testkit::logs_of(|| {
                runtime.block_on(call(&bare, "GET", uri, cookie, FIREFOX, None))
            });
            assert_eq!(
                (response.status, response.body.as_str()),
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "500 Internal Server Error\n"
                ),
                "{uri} {cookie:?}"
            );
            assert!(
                response.set_cookies.is_empty(),
                "{:?}",
                response.set_cookies
            );
            assert!(
                logs.iter()
                    .any(|(level, text)| *level == tracing::Level::ERROR
                        && text.contains("__Host-sid")
                        && text.contains("GuardedLayer::<guard::Session>::new(&state)")
                        && text.contains("guarded::<guard::Session, _>")),
                "{uri}: {logs:?}"
            );
        }
    }
}

/// Two `guarded` middlewares and the extractor read one split of a long `Cookie:` header, and
/// a short one (at most 1 KB) directly: no split at all.
#[tokio::test]
async fn the_cookie_header_is_split_once_for_every_guarded_middleware() {
    let app = app(AppState::new(ring()));
    let cookie = call(&app, "POST", "/sign-in", None, FIREFOX, None)
        .await
        .pair("__Host-sid")
        .unwrap();
    let padding = "p".repeat(1024);
    for (header, splits) in [
        (format!("a=1; {cookie}; b=2"), 0),
        (format!("a=1; {cookie}; b={padding}"), 1),
    ] {
        let before = typed_cookies::integrations::cookie_header_parses();
        let me = call(&app, "GET", "/me", Some(&header), FIREFOX, None).await;
        assert_eq!((me.status, me.body.as_str()), (StatusCode::OK, "hello ann"));
        assert_eq!(
            typed_cookies::integrations::cookie_header_parses() - before,
            splits,
            "{} bytes",
            header.len()
        );
    }
}

#[tokio::test]
async fn a_replay_type_without_its_middleware_is_a_configuration_error() {
    let state = AppState::new(ring());
    let bare: Router = Router::new()
        .route(
            "/paranoid",
            get(|s: Guarded<Paranoid>| async move { s.user.clone() }),
        )
        .with_state(state);
    let response = call(&bare, "GET", "/paranoid", None, FIREFOX, None).await;
    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn ip_binding_uses_the_peer_address_and_refuses_without_one() {
    let app = app(AppState::new(ring()));
    let cookie = call(
        &app,
        "POST",
        "/net/sign-in",
        None,
        FIREFOX,
        Some("198.51.100.7:50000"),
    )
    .await
    .pair("__Host-net")
    .unwrap();
    let same_net = call(
        &app,
        "GET",
        "/net",
        Some(&cookie),
        FIREFOX,
        Some("198.51.100.99:40000"),
    )
    .await;
    assert_eq!(same_net.status, StatusCode::OK);
    let elsewhere = call(
        &app,
        "GET",
        "/net",
        Some(&cookie),
        FIREFOX,
        Some("203.0.113.5:40000"),
    )
    .await;
    assert_eq!(elsewhere.status, StatusCode::UNAUTHORIZED);
    // Served without ConnectInfo: the address is unknown, which is a setup mistake (500), not
    // a value bound to "no address". A spoofed X-Forwarded-For is not read by default.
    let unknown = call(&app, "GET", "/net", Some(&cookie), FIREFOX, None).await;
    assert_eq!(unknown.status, StatusCode::INTERNAL_SERVER_ERROR);
}

/// `bind = "ip"` issued from a context without an IP: refused (`SealError::MissingClientPart`)
/// and answered like any seal failure, a 500 with no cookie and a body that says nothing more
/// — not a 200 whose cookie never opens.
#[tokio::test]
async fn issuing_an_ip_bound_type_without_an_ip_is_a_500_not_a_dead_cookie() {
    let app = app(AppState::new(ring()));
    let response = call(
        &app,
        "POST",
        "/net/sign-in-without-ip",
        None,
        FIREFOX,
        Some("198.51.100.7:50000"),
    )
    .await;
    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        response.body,
        "500 Internal Server Error: could not set a cookie\n"
    );
    assert!(
        response.set_cookies.is_empty(),
        "{:?}",
        response.set_cookies
    );
}

#[tokio::test]
async fn a_store_outage_is_a_503_and_does_not_clear_the_cookie() {
    let store = Arc::new(SwitchableStore::default());
    let app = app(AppState {
        keys: ring(),
        guard: Guard::from_arc(store.clone()),
    });
    let cookie = call(&app, "POST", "/sign-in", None, FIREFOX, None)
        .await
        .pair("__Host-sid")
        .unwrap();
    let paranoid = call(&app, "POST", "/paranoid/sign-in", None, FIREFOX, None)
        .await
        .pair("__Host-paranoid")
        .unwrap();
    store.set_down(true);
    let me = call(&app, "GET", "/me", Some(&cookie), FIREFOX, None).await;
    assert_eq!(me.status, StatusCode::SERVICE_UNAVAILABLE);
    let p = call(&app, "GET", "/paranoid", Some(&paranoid), FIREFOX, None).await;
    assert_eq!(p.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        p.set_cookies.is_empty(),
        "no removal during an outage: {:?}",
        p.set_cookies
    );
    let sign_in = call(&app, "POST", "/sign-in", None, FIREFOX, None).await;
    assert_eq!(
        sign_in.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "issuing needs the store"
    );
    store.set_down(false);
    assert_eq!(
        call(&app, "GET", "/me", Some(&cookie), FIREFOX, None)
            .await
            .status,
        StatusCode::OK
    );
}
