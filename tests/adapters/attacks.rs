//! Attacks on the request layer through the public API, in process (axum through
//! `tower::ServiceExt::oneshot`, actix-web through `actix_web::test`): look-alike and
//! duplicated cookies across several `Cookie:` headers, either side of the extractors' 1 KB
//! direct read and with a split kept by a middleware (also one changed by a later layer, and
//! one left by an earlier request), development mode asked for by requests that are not local
//! (`Host` tricks, forwarding headers, absolute-form URIs, a remote peer), the guarded path
//! with non-UTF-8, oversized, duplicated and wrongly bound values or without its middleware,
//! and what a refusal shows (status, body, logs). A test marked `#[ignore = "finding: …"]`
//! fails today: it states the behaviour that should hold.

use std::net::SocketAddr;

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{COOKIE, HOST, SET_COOKIE, USER_AGENT};
use axum::http::HeaderValue;
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use tower::ServiceExt;
use typed_cookies::guard::{ClientContext, Guard};
use typed_cookies::integrations::axum::{
    cookie_state, development, guarded, refresh, Guarded, Sealed, SealedRejection, SetCookie,
};
use typed_cookies::store::MemoryStore;
use typed_cookies::{Key, KeyRing, SealedCookie};

use crate::adapter_scenarios::{Session, Theme};
use crate::raw_http::padded_header;

// ---------------------------------------------------------------------------------------------
// The apps

/// `GET /result` answers `ok {user}`, `missing {name}` or `invalid {error:?}` for `Session`;
/// `POST /login` sets a session (strict form: the `development` middleware relaxes it).
/// `refresh`: a `refresh::<Theme>` middleware keeps a split of the header before the handler.
/// `between`: a middleware inside it that may change the request's `Cookie:` header.
fn plain_app(keys: KeyRing, refresh_layer: bool, between: Option<Vec<&'static str>>) -> Router {
    let mut app = Router::new()
        .route(
            "/result",
            get(
                |result: Result<Sealed<Session>, SealedRejection>| async move {
                    match result {
                        Ok(Sealed(session)) => format!("ok {}", session.user),
                        Err(SealedRejection::Missing { name }) => format!("missing {name}"),
                        Err(SealedRejection::Invalid { error, .. }) => format!("invalid {error:?}"),
                        Err(other) => format!("other {other}"),
                    }
                },
            ),
        )
        .route(
            "/login",
            post(|State(keys): State<KeyRing>| async move {
                SetCookie::new(&Session { user: "ann".into() }, &keys)
            }),
        );
    if let Some(extra) = between {
        app = app.layer(from_fn(move |mut request: Request, next: Next| {
            let extra = extra.clone();
            async move {
                for value in extra {
                    if value.is_empty() {
                        request.headers_mut().remove(COOKIE);
                    } else {
                        request
                            .headers_mut()
                            .append(COOKIE, HeaderValue::from_str(value).unwrap());
                    }
                }
                next.run(request).await
            }
        }));
    }
    if refresh_layer {
        app = app.layer(from_fn_with_state(keys.clone(), refresh::<Theme, KeyRing>));
    }
    app.layer(from_fn_with_state(keys.clone(), development::<KeyRing>))
        .with_state(keys)
}

/// What came back: status, `Set-Cookie`s, body.
async fn send(app: &Router, request: axum::http::Request<Body>) -> (u16, Vec<String>, String) {
    let response: Response = app.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let set_cookies = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect();
    let body = to_bytes(response.into_body(), 1 << 16).await.unwrap();
    (
        status,
        set_cookies,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

/// `GET /result` with these `Cookie:` header values (raw bytes, one header each).
async fn result_of(app: &Router, cookies: &[&[u8]]) -> String {
    let mut request = axum::http::Request::get("/result")
        .header(HOST, "shop.example")
        .body(Body::empty())
        .unwrap();
    for cookie in cookies {
        request
            .headers_mut()
            .append(COOKIE, HeaderValue::from_bytes(cookie).unwrap());
    }
    send(app, request).await.2
}

fn ring() -> KeyRing {
    KeyRing::new(Key::generate())
}

fn sealed(keys: &KeyRing, user: &str) -> String {
    Session { user: user.into() }.seal(keys).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Cookie lookup

/// Either side of the extractors' 1 KB direct read, with and without a split kept by a
/// middleware, in one header or two: the session opens alone, a second copy is always refused
/// (cookie tossing), whichever copy is valid.
#[tokio::test]
async fn duplicates_are_refused_on_both_sides_of_the_direct_read_limit() {
    let keys = ring();
    let ann = format!("__Host-sid={}", sealed(&keys, "ann"));
    let mallory = format!("__Host-sid={}", sealed(&keys, "mallory"));
    for refresh_layer in [false, true] {
        let app = plain_app(keys.clone(), refresh_layer, None);
        for len in [200, 1023, 1024, 1025, 4096] {
            let one = padded_header(std::slice::from_ref(&ann), len);
            assert_eq!(result_of(&app, &[one.as_bytes()]).await, "ok ann", "{len}");
            let two = padded_header(&[ann.clone(), mallory.clone()], len);
            assert!(
                result_of(&app, &[two.as_bytes()])
                    .await
                    .starts_with("invalid DuplicateCookie"),
                "{len} {refresh_layer}"
            );
            // The same across two headers: the first short, the second making up the length.
            let second = padded_header(std::slice::from_ref(&mallory), len - ann.len());
            for cookies in [[&ann, &second], [&second, &ann]] {
                let cookies: Vec<&[u8]> = cookies.iter().map(|c| c.as_bytes()).collect();
                assert!(
                    result_of(&app, &cookies)
                        .await
                        .starts_with("invalid DuplicateCookie"),
                    "{len} {refresh_layer} across headers"
                );
            }
            // A copy with an invalid value beside the real one is still a duplicate.
            let planted = padded_header(&[ann.clone(), "__Host-sid=AAAA".into()], len);
            assert!(result_of(&app, &[planted.as_bytes()])
                .await
                .starts_with("invalid DuplicateCookie"));
        }
    }
}

/// Look-alike names, empty pieces, whitespace, quotes and non-UTF-8 bytes, on the direct read
/// and on a kept split: only the byte-exact name is ours, SP/HTAB around it are trimmed.
#[tokio::test]
async fn look_alikes_quotes_and_raw_bytes_on_both_read_paths() {
    let keys = ring();
    let value = sealed(&keys, "ann");
    for refresh_layer in [false, true] {
        let app = plain_app(keys.clone(), refresh_layer, None);
        for pad in [0, 1100] {
            let padding = format!("; pad={}", "p".repeat(pad));
            let ask = |text: String| {
                let app = app.clone();
                let padding = padding.clone();
                async move {
                    let header = format!("{text}{padding}").into_bytes();
                    result_of(&app, &[&header]).await
                }
            };
            for look_alike in [
                "__host-sid",
                "__Host-sid",
                "__Host-sid\u{2000}",
                "sid",
                "Host-sid",
                "__Host-sid2",
                "x__Host-sid",
                "__Host-Sid",
                "__Secure-sid",
            ] {
                let answer = ask(format!("{look_alike}={value}")).await;
                if look_alike == "__Host-sid" {
                    assert_eq!(answer, "ok ann");
                } else {
                    assert_eq!(answer, "missing __Host-sid", "{look_alike:?}");
                }
            }
            assert_eq!(ask(format!(";; ; __Host-sid={value};;")).await, "ok ann");
            assert_eq!(ask(format!(" \t__Host-sid \t= {value} \t")).await, "ok ann");
            assert_eq!(
                ask(format!("__Host-sid=\"{value}\"")).await,
                "invalid Malformed"
            );
            assert_eq!(
                ask(format!("=__Host-sid={value}")).await,
                "missing __Host-sid"
            );
            // A nameless piece carrying our name as its value is no second copy.
            assert_eq!(
                ask(format!("__Host-sid={value}; =__Host-sid=x")).await,
                "ok ann"
            );
            let mut raw = b"__Host-sid=\xff\xfe".to_vec();
            raw.extend_from_slice(padding.as_bytes());
            assert_eq!(result_of(&app, &[&raw]).await, "invalid Malformed");
            let mut raw = format!("\u{a0}__Host-sid={value}; __Host-sid={value}").into_bytes();
            raw.push(0xff);
            raw.extend_from_slice(padding.as_bytes());
            assert_eq!(result_of(&app, &[&raw]).await, "invalid Malformed");
        }
    }
}

/// A layer between a middleware that kept the split and the extractor changes the header: the
/// extractor reads the change (a planted second copy is a duplicate; a removed header leaves
/// no session), never the split kept before it.
#[tokio::test]
async fn a_header_changed_after_the_split_was_kept_is_read_again() {
    let keys = ring();
    let ann = format!("__Host-sid={}", sealed(&keys, "ann"));
    let planted: &'static str =
        Box::leak(format!("__Host-sid={}", sealed(&keys, "mallory")).into_boxed_str());
    for len in [300, 2000] {
        let header = padded_header(std::slice::from_ref(&ann), len);
        let tossed = plain_app(keys.clone(), true, Some(vec![planted]));
        assert!(result_of(&tossed, &[header.as_bytes()])
            .await
            .starts_with("invalid DuplicateCookie"));
        let removed = plain_app(keys.clone(), true, Some(vec![""]));
        assert_eq!(
            result_of(&removed, &[header.as_bytes()]).await,
            "missing __Host-sid"
        );
        let replaced = plain_app(keys.clone(), true, Some(vec!["", planted]));
        assert_eq!(
            result_of(&replaced, &[header.as_bytes()]).await,
            "ok mallory"
        );
    }
}

/// actix-web pools its requests: a split kept for one request (by `refresh`) is never the
/// next request's, with or without a `Cookie:` header of its own.
#[actix_web::test]
async fn actix_a_kept_split_never_reaches_the_next_request() {
    use actix_web::middleware::from_fn;
    use actix_web::{test, web, App};
    use typed_cookies::integrations::actix;

    let keys = ring();
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(keys.clone()))
            .wrap(from_fn(actix::refresh::<Theme, _>))
            .route(
                "/",
                web::get().to(|session: Option<actix::Sealed<Session>>| async move {
                    session.map_or("none".to_owned(), |s| s.0.user)
                }),
            ),
    )
    .await;
    let long = padded_header(&[format!("__Host-sid={}", sealed(&keys, "ann"))], 2000);
    let short = format!("__Host-sid={}", sealed(&keys, "bob"));
    for _ in 0..3 {
        let request = test::TestRequest::get()
            .uri("/")
            .insert_header((COOKIE.as_str(), long.as_str()))
            .to_request();
        let body = test::call_and_read_body(&app, request).await;
        assert_eq!(body, "ann");
        let request = test::TestRequest::get().uri("/").to_request();
        assert_eq!(test::call_and_read_body(&app, request).await, "none");
        let request = test::TestRequest::get()
            .uri("/")
            .insert_header((COOKIE.as_str(), short.as_str()))
            .to_request();
        assert_eq!(test::call_and_read_body(&app, request).await, "bob");
    }
}

// ---------------------------------------------------------------------------------------------
// Development mode

fn dev_ring() -> KeyRing {
    ring().with_development_mode().unwrap()
}

/// A request to `uri` with these headers (a name may repeat), and a TCP peer when given.
fn dev_request(
    method: &str,
    uri: &str,
    headers: &[(&str, &[u8])],
    peer: Option<&str>,
) -> axum::http::Request<Body> {
    let mut request = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::empty())
        .unwrap();
    for (name, value) in headers {
        request.headers_mut().append(
            axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_bytes(value).unwrap(),
        );
    }
    if let Some(peer) = peer {
        request
            .extensions_mut()
            .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
    }
    request
}

/// Whether the app treated the request as local: its login is relaxed (`sid=`, no `Secure`)
/// and the unprefixed name is read; else both are strict. Panics on a mixture.
async fn relaxed(
    app: &Router,
    keys: &KeyRing,
    uri: &str,
    headers: &[(&str, &[u8])],
    peer: Option<&str>,
) -> bool {
    let (_, set_cookies, _) = send(
        app,
        dev_request("POST", &uri.replace("/result", "/login"), headers, peer),
    )
    .await;
    let relaxed_set = set_cookies[0].starts_with("sid=") && !set_cookies[0].contains("Secure");
    let strict_set =
        set_cookies[0].starts_with("__Host-sid=") && set_cookies[0].contains("; Secure");
    let cookie = format!("sid={}", sealed(keys, "ann"));
    let mut with_cookie: Vec<(&str, &[u8])> = headers.to_vec();
    with_cookie.push(("cookie", cookie.as_bytes()));
    let (_, _, body) = send(app, dev_request("GET", uri, &with_cookie, peer)).await;
    let relaxed_read = body == "ok ann";
    assert!(
        (relaxed_set && relaxed_read) || (strict_set && !relaxed_read),
        "{uri} {headers:?}: Set-Cookie {set_cookies:?}, read {body:?}"
    );
    relaxed_read
}

/// `Host` tricks, forwarding headers and absolute-form URIs never relax a request; loopback
/// hosts (with a port, `[::1]`, `127.0.0.2`, `*.localhost`) do.
#[tokio::test]
async fn development_mode_relaxes_loopback_requests_only() {
    let keys = dev_ring();
    let app = plain_app(keys.clone(), true, None);
    for host in [
        "localhost",
        "localhost:3000",
        "127.0.0.1:8080",
        "[::1]:3000",
        "127.0.0.2",
        "app.localhost",
    ] {
        let host = host.as_bytes();
        assert!(
            relaxed(&app, &keys, "/result", &[("host", host)], None).await,
            "{host:?}"
        );
    }
    for host in [
        "localhost.",
        "localhost.:3000",
        "localhost.evil.example",
        "evil.example",
        "user@localhost",
        "localhost@evil.example",
        "localhost:3000@evil.example",
        "localhost:abc",
        "localhost:123456",
        "127.0.0.1.nip.io",
        "127.1",
        "0x7f.0.0.1",
        "[::ffff:127.0.0.1]",
        "[::1]evil",
        "[::1",
        "::1",
        "localhost%00",
        "local\u{0131}host",
        "",
    ] {
        let bytes = host.as_bytes();
        assert!(
            !relaxed(&app, &keys, "/result", &[("host", bytes)], None).await,
            "{host:?}"
        );
    }
    assert!(!relaxed(&app, &keys, "/result", &[("host", b"localhost\xff")], None).await);
    assert!(!relaxed(&app, &keys, "/result", &[], None).await, "no host");
    for forwarding in [
        "forwarded",
        "x-forwarded-for",
        "x-forwarded-host",
        "x-forwarded-proto",
        "x-real-ip",
        "X-Forwarded-For",
    ] {
        let headers: &[(&str, &[u8])] = &[("host", b"localhost:3000"), (forwarding, b"127.0.0.1")];
        assert!(
            !relaxed(&app, &keys, "/result", headers, None).await,
            "{forwarding}"
        );
    }
    // An absolute-form URI naming another host, or a loopback one with another `Host`.
    let local_host: &[(&str, &[u8])] = &[("host", b"localhost")];
    assert!(!relaxed(&app, &keys, "http://evil.example/result", local_host, None).await);
    let evil_host: &[(&str, &[u8])] = &[("host", b"evil.example")];
    assert!(!relaxed(&app, &keys, "http://localhost/result", evil_host, None).await);
    assert!(
        relaxed(
            &app,
            &keys,
            "http://localhost:3000/result",
            local_host,
            None
        )
        .await
    );
    // A loopback peer does not change a local answer.
    assert!(relaxed(&app, &keys, "/result", local_host, Some("127.0.0.1:5000")).await);
}

/// Two `Host` headers, the first loopback: a request no browser sends; a client that sends it
/// must not get the relaxed form (axum and `http` look at the first one only).
#[tokio::test]
async fn development_mode_two_host_headers_are_not_local() {
    let keys = dev_ring();
    let app = plain_app(keys.clone(), true, None);
    for hosts in [["localhost", "evil.example"], ["localhost", "localhost"]] {
        let headers: &[(&str, &[u8])] =
            &[("host", hosts[0].as_bytes()), ("host", hosts[1].as_bytes())];
        assert!(
            !relaxed(&app, &keys, "/result", headers, None).await,
            "{hosts:?}"
        );
    }
}

/// A request from a remote TCP peer (axum's `ConnectInfo`) with `Host: localhost`: not local,
/// as actix-web already decides from its peer address.
#[tokio::test]
async fn development_mode_axum_remote_peer_with_a_loopback_host_is_not_local() {
    let keys = dev_ring();
    let app = plain_app(keys.clone(), true, None);
    let local_host: &[(&str, &[u8])] = &[("host", b"localhost:3000")];
    assert!(!relaxed(&app, &keys, "/result", local_host, Some("192.0.2.7:40000")).await);
}

/// actix-web: a remote peer with `Host: localhost` stays strict; a loopback one is relaxed.
#[actix_web::test]
async fn development_mode_actix_remote_peer_is_not_local() {
    use actix_web::middleware::from_fn;
    use actix_web::{test, web, App, HttpResponse};
    use typed_cookies::integrations::actix::{self, ResponseBuilderExt};

    let keys = dev_ring();
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(keys.clone()))
            .wrap(from_fn(actix::development))
            .route(
                "/login",
                web::post().to(|keys: web::Data<KeyRing>| async move {
                    HttpResponse::Ok()
                        .sealed_cookie(&Session { user: "ann".into() }, keys.get_ref())
                        .map(|b| b.finish())
                }),
            )
            .route(
                "/",
                web::get().to(|session: Option<actix::Sealed<Session>>| async move {
                    session.map_or("none".to_owned(), |s| s.0.user)
                }),
            ),
    )
    .await;
    let cookie = format!("sid={}", sealed(&keys, "ann"));
    for (peer, local) in [
        ("127.0.0.1:5000", true),
        ("192.0.2.7:5000", false),
        ("[::1]:5000", true),
    ] {
        let request = test::TestRequest::post()
            .uri("/login")
            .insert_header(("host", "localhost:3000"))
            .peer_addr(peer.parse().unwrap())
            .to_request();
        let response = test::call_service(&app, request).await;
        let set_cookie = response.headers().get(SET_COOKIE.as_str()).unwrap();
        assert_eq!(set_cookie.as_bytes().starts_with(b"sid="), local, "{peer}");
        let request = test::TestRequest::get()
            .uri("/")
            .insert_header(("host", "localhost:3000"))
            .insert_header((COOKIE.as_str(), cookie.as_str()))
            .peer_addr(peer.parse().unwrap())
            .to_request();
        let body = test::call_and_read_body(&app, request).await;
        assert_eq!(body == "ann", local, "{peer}");
    }
}

// ---------------------------------------------------------------------------------------------
// Guarded types

/// Bound to the browser's `User-Agent`.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-dev",
    salt = "tests.attacks.device.v1",
    max_age = "1h",
    idle = "10m",
    bind = "user_agent"
)]
struct Device {
    user: String,
}

#[derive(Clone)]
struct GuardState {
    keys: KeyRing,
    guard: Guard,
}

cookie_state!(GuardState { keys, guard });

fn guarded_app(state: GuardState, with_layer: bool) -> Router {
    let app = Router::new()
        .route(
            "/me",
            get(|device: Guarded<Device>| async move { device.user.clone() }),
        )
        .route(
            "/maybe",
            get(|device: Option<Guarded<Device>>| async move {
                device.map_or("anonymous".to_owned(), |d| d.user.clone())
            }),
        );
    let app = if with_layer {
        app.layer(from_fn_with_state(
            state.clone(),
            guarded::<Device, GuardState>,
        ))
    } else {
        app
    };
    app.with_state(state)
}

async fn issue(state: &GuardState, user_agent: &str) -> String {
    let ctx = ClientContext::new().user_agent(user_agent);
    let issued = state
        .guard
        .issue(&state.keys, &Device { user: "ann".into() }, None, &ctx)
        .await
        .unwrap();
    format!("__Host-dev={}", issued.value())
}

/// `GET uri` with this `User-Agent` (none for `None`) and these `Cookie:` header values.
fn guarded_request(
    uri: &str,
    user_agent: Option<&str>,
    cookies: &[&[u8]],
) -> axum::http::Request<Body> {
    let mut request = axum::http::Request::get(uri)
        .header(HOST, "shop.example")
        .body(Body::empty())
        .unwrap();
    if let Some(user_agent) = user_agent {
        request
            .headers_mut()
            .insert(USER_AGENT, HeaderValue::from_str(user_agent).unwrap());
    }
    for cookie in cookies {
        request
            .headers_mut()
            .append(COOKIE, HeaderValue::from_bytes(cookie).unwrap());
    }
    request
}

fn guard_state() -> GuardState {
    GuardState {
        keys: ring(),
        guard: Guard::new(MemoryStore::new()),
    }
}

/// A guarded type extracted where its middleware did not run: a 500 (logged at `error`),
/// never a silent "not signed in", for the strict and the optional extractor alike.
#[test]
fn a_missing_guarded_middleware_is_a_logged_500() {
    let state = guard_state();
    let app = guarded_app(state.clone(), false);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let cookie = runtime.block_on(issue(&state, "Firefox"));
    let (answers, logs) = typed_cookies_testkit::logs_of(|| {
        runtime.block_on(async {
            let mut answers = Vec::new();
            for uri in ["/me", "/maybe"] {
                for cookies in [vec![cookie.as_bytes()], vec![]] {
                    let request = guarded_request(uri, Some("Firefox"), &cookies);
                    answers.push(send(&app, request).await);
                }
            }
            answers
        })
    });
    for (status, set_cookies, body) in &answers {
        assert_eq!(*status, 500, "{body}");
        assert!(set_cookies.is_empty());
        assert!(
            !body.contains("guarded"),
            "the body does not explain: {body}"
        );
    }
    let errors = logs
        .iter()
        .filter(|(level, text)| *level == tracing::Level::ERROR && text.contains("guarded::<"))
        .count();
    assert!(errors >= 4, "{logs:?}");
}

/// Refused values on the guarded path (non-UTF-8, oversized, not base64url, another browser's
/// `User-Agent`, none): 401 / anonymous, never a renewed cookie, never a panic.
#[tokio::test]
async fn the_guarded_path_refuses_raw_bytes_oversize_and_other_browsers() {
    let state = guard_state();
    let app = guarded_app(state.clone(), true);
    let good = issue(&state, "Firefox").await;
    let (status, set_cookies, body) = send(
        &app,
        guarded_request("/me", Some("Firefox"), &[good.as_bytes()]),
    )
    .await;
    assert_eq!((status, body.as_str()), (200, "ann"));
    assert!(set_cookies.iter().all(|c| !c.starts_with("__Host-dev=;")));

    let mut non_utf8 = good.clone().into_bytes();
    non_utf8.insert(20, 0xff);
    let huge = format!("__Host-dev={}", "A".repeat(8000));
    let cases: Vec<(Option<&str>, Vec<u8>)> = vec![
        (Some("Firefox"), non_utf8.clone()),
        (Some("Firefox"), b"__Host-dev=\xff\xfe\xfd".to_vec()),
        (Some("Firefox"), huge.into_bytes()),
        (Some("Firefox"), b"__Host-dev=%%%".to_vec()),
        (Some("Firefox"), b"__Host-dev=".to_vec()),
        (Some("Chrome"), good.clone().into_bytes()),
        (Some("Firefox "), good.clone().into_bytes()),
        (None, good.clone().into_bytes()),
    ];
    for (user_agent, cookie) in &cases {
        for (uri, expected) in [("/me", 401), ("/maybe", 200)] {
            let (status, set_cookies, body) =
                send(&app, guarded_request(uri, *user_agent, &[cookie])).await;
            assert_eq!(status, expected, "{user_agent:?} {uri} {body}");
            if uri == "/maybe" {
                assert_eq!(body, "anonymous");
            }
            assert!(
                set_cookies.iter().all(|c| c.starts_with("__Host-dev=;")),
                "only a removal: {set_cookies:?}"
            );
        }
    }
}

/// Two copies of the guarded cookie (both valid, or one planted): refused, the optional
/// extractor says 400 (not "anonymous"), and nothing is cleared (the removal would only hit
/// the real copy).
#[tokio::test]
async fn the_guarded_path_refuses_duplicates_without_clearing() {
    let state = guard_state();
    let app = guarded_app(state.clone(), true);
    let good = issue(&state, "Firefox").await;
    let other = issue(&state, "Firefox").await;
    let padded = padded_header(std::slice::from_ref(&other), 1500);
    for cookies in [
        vec![good.as_bytes(), other.as_bytes()],
        vec![good.as_bytes(), b"__Host-dev=AAAA".as_slice()],
        vec![good.as_bytes(), padded.as_bytes()],
    ] {
        let (status, set_cookies, _) =
            send(&app, guarded_request("/me", Some("Firefox"), &cookies)).await;
        assert_eq!(status, 401);
        assert!(set_cookies.is_empty(), "{set_cookies:?}");
        let (status, set_cookies, body) =
            send(&app, guarded_request("/maybe", Some("Firefox"), &cookies)).await;
        assert_eq!(status, 400, "{body}");
        assert!(set_cookies.is_empty(), "{set_cookies:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// What a refusal shows

/// A refused cookie's response body names the cookie only, and no log line (at any level)
/// holds the value sent, the plain or the guarded path, the direct read or a kept split.
#[test]
fn refusals_show_neither_the_value_nor_the_reason() {
    let keys = ring();
    let secret = "c2VjcmV0LXRva2VuLWRvLW5vdC1sb2c";
    let foreign = sealed(&ring(), "mallory");
    let state = guard_state();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let (bodies, logs) = typed_cookies_testkit::logs_of(|| {
        runtime.block_on(async {
            let mut bodies = Vec::new();
            for refresh_layer in [false, true] {
                let app = plain_app(keys.clone(), refresh_layer, None);
                for value in [secret, foreign.as_str()] {
                    for pad in [0, 1500] {
                        let header = padded_header(&[format!("__Host-sid={value}")], 200 + pad);
                        let strict = Router::new()
                            .route("/", get(|Sealed(s): Sealed<Session>| async move { s.user }))
                            .with_state(keys.clone());
                        let request = guarded_request("/", None, &[header.as_bytes()]);
                        bodies.push(send(&strict, request).await);
                        bodies.push((0, vec![], result_of(&app, &[header.as_bytes()]).await));
                    }
                }
            }
            let guarded = guarded_app(state.clone(), true);
            for value in [secret, foreign.as_str()] {
                let cookie = format!("__Host-dev={value}");
                let request = guarded_request("/me", Some("Firefox"), &[cookie.as_bytes()]);
                bodies.push(send(&guarded, request).await);
            }
            bodies
        })
    });
    for (status, _, body) in &bodies {
        assert!(!body.contains(secret) && !body.contains(&foreign), "{body}");
        if *status == 401 {
            assert!(
                body.starts_with("401 Unauthorized: no valid `__Host-"),
                "{body}"
            );
            assert!(
                !body.contains("Malformed") && !body.contains("Invalid"),
                "{body}"
            );
        }
    }
    assert!(!logs.is_empty(), "refusals are logged");
    for (_, text) in &logs {
        assert!(!text.contains(secret) && !text.contains(&foreign), "{text}");
    }
}
