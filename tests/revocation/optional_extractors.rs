//! The optional extractors (actix-web's `MaybeGuarded<T>`, axum's `Option<Guarded<T>>`) against
//! refused cookies (revoked, replayed, unbound, duplicated, other types, garbage: `None`, never
//! `Some`), store outages (503 for every tracking kind) and cookie tossing: a planted duplicate
//! makes the documented sign-out fail visibly (400), never a silent no-op.

use std::sync::Arc;

use actix_web::http::header::{COOKIE, USER_AGENT};
use actix_web::http::StatusCode;
use actix_web::middleware::from_fn;
use actix_web::{test as atest, web, App};
use serde::{Deserialize, Serialize};
use typed_cookies::guard::Guard;
use typed_cookies::integrations::actix::guarded;
use typed_cookies::store::MemoryStore;
use typed_cookies::time::Duration;
use typed_cookies::{SealError, SealedCookie};
use typed_cookies_testkit::{clocked, ring, SwitchableStore};

use crate::actix_support::{accounts, call, get, hello, maybe, post, sign_in, sign_out};
use crate::HostA;

/// Unprefixed, so that a sibling subdomain can toss a second cookie of the same name.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "sid",
    salt = "attack.actix.session.v1",
    max_age = "8h",
    domain = "example.com",
    revocable,
    bind = "user_agent",
    encrypt
)]
struct Session {
    user: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-paranoid",
    salt = "attack.actix.paranoid.v1",
    max_age = "8h",
    replay = "5s"
)]
struct Paranoid {
    user: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-ticket",
    salt = "attack.actix.ticket.v1",
    max_age = "8h",
    one_time
)]
struct Ticket {
    user: String,
}

accounts!(Session, Paranoid, Ticket);

const FIREFOX: &str = "Mozilla/5.0 Firefox/140";

macro_rules! actix_app {
    ($keys:expr, $guard:expr) => {
        atest::init_service(
            App::new()
                .app_data(web::Data::new($keys))
                .app_data(web::Data::new($guard))
                .wrap(from_fn(guarded::<Paranoid, _>))
                .wrap(from_fn(guarded::<Session, _>))
                .wrap(from_fn(guarded::<Ticket, _>))
                .route("/sign-in", web::post().to(sign_in::<Session>))
                .route("/me", web::get().to(hello::<Session>))
                .route("/sign-out", web::post().to(sign_out::<Session>))
                .route("/paranoid/sign-in", web::post().to(sign_in::<Paranoid>))
                .route("/paranoid", web::get().to(maybe::<Paranoid>))
                .route("/ticket/issue", web::post().to(sign_in::<Ticket>))
                .route("/ticket", web::get().to(maybe::<Ticket>)),
        )
        .await
    };
}

/// `MaybeGuarded` never lets a refused cookie through as `Some`: a revoked session, an old
/// copy of a replay-detected session (which also revokes the current one), a one-time value
/// used twice, another browser's copy, a cookie sealed for another type, non-UTF-8 and garbage.
#[actix_web::test]
async fn maybe_guarded_refused_cookies_are_none_never_some() {
    let app = actix_app!(ring(), Guard::new(MemoryStore::new()));
    let sid = post(&app, "/sign-in", &[], FIREFOX)
        .await
        .pair("sid")
        .unwrap();
    // Another browser: None, and its "sign-out" revoked nothing.
    let out = post(&app, "/sign-out", &[sid.as_bytes()], "curl/8").await;
    assert_eq!((out.status, out.body.as_str()), (StatusCode::OK, "nothing"));
    let me = get(&app, "/me", &[sid.as_bytes()], FIREFOX).await;
    assert_eq!(me.status, StatusCode::OK);
    // Revoked: None afterwards.
    let out = post(&app, "/sign-out", &[sid.as_bytes()], FIREFOX).await;
    assert_eq!(out.body, "revoked");
    let out = post(&app, "/sign-out", &[sid.as_bytes()], FIREFOX).await;
    assert_eq!(out.body, "nothing");
    // Garbage, non-UTF-8, another type's value under our name.
    let foreign = HostA { text: "x".into() }.seal(&ring()).unwrap();
    for cookie in [
        b"sid=\xff\xfe".to_vec(),
        b"sid=".to_vec(),
        format!("sid={foreign}").into_bytes(),
        format!("\"sid\"={}", &sid[4..]).into_bytes(),
    ] {
        let out = post(&app, "/sign-out", &[&cookie], FIREFOX).await;
        assert_eq!(
            (out.status, out.body.as_str()),
            (StatusCode::OK, "nothing"),
            "{cookie:?}"
        );
    }
    // Replay: rotate once, then present the old copy after the grace window.
    let (keys, clock) = clocked(&ring());
    let app = actix_app!(keys, Guard::new(MemoryStore::new()));
    let first = post(&app, "/paranoid/sign-in", &[], FIREFOX)
        .await
        .pair("__Host-paranoid")
        .unwrap();
    let out = get(&app, "/paranoid", &[first.as_bytes()], FIREFOX).await;
    assert_eq!(out.body, "some ann");
    let second = out.pair("__Host-paranoid").expect("renewed");
    clock.advance(Duration::seconds(6));
    let out = get(&app, "/paranoid", &[first.as_bytes()], FIREFOX).await;
    assert_eq!((out.status, out.body.as_str()), (StatusCode::OK, "none"));
    let out = get(&app, "/paranoid", &[second.as_bytes()], FIREFOX).await;
    assert_eq!(
        out.body, "none",
        "the whole session was revoked by the replay"
    );
    // One-time: Some once, then None.
    let ticket = post(&app, "/ticket/issue", &[], FIREFOX)
        .await
        .pair("__Host-ticket")
        .unwrap();
    let out = get(&app, "/ticket", &[ticket.as_bytes()], FIREFOX).await;
    assert_eq!(out.body, "some ann");
    let out = get(&app, "/ticket", &[ticket.as_bytes()], FIREFOX).await;
    assert_eq!(out.body, "none");
}

/// Outages are never `None`: a down store, and a `Guard::stateless()` for tracked types, are
/// 503 through `MaybeGuarded` — for a revocable session, a one-time value (not consumed: it
/// works once the store is back) and a replay type behind the `guarded` middleware.
#[actix_web::test]
async fn maybe_guarded_outages_are_503_for_every_tracking_kind() {
    let store = Arc::new(SwitchableStore::default());
    let app = actix_app!(ring(), Guard::from_arc(store.clone()));
    let sid = post(&app, "/sign-in", &[], FIREFOX)
        .await
        .pair("sid")
        .unwrap();
    let ticket = post(&app, "/ticket/issue", &[], FIREFOX)
        .await
        .pair("__Host-ticket")
        .unwrap();
    let paranoid = post(&app, "/paranoid/sign-in", &[], FIREFOX)
        .await
        .pair("__Host-paranoid")
        .unwrap();
    store.set_down(true);
    for (uri, cookie) in [
        ("/sign-out", &sid),
        ("/ticket", &ticket),
        ("/paranoid", &paranoid),
    ] {
        let request = if uri == "/sign-out" {
            atest::TestRequest::post()
        } else {
            atest::TestRequest::get()
        };
        let out = call(&app, request.uri(uri), &[cookie.as_bytes()], FIREFOX).await;
        assert_eq!(
            out.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{uri}: {}",
            out.body
        );
        assert!(out.set_cookies.is_empty(), "{uri}: {:?}", out.set_cookies);
    }
    store.set_down(false);
    let out = get(&app, "/ticket", &[ticket.as_bytes()], FIREFOX).await;
    assert_eq!(out.body, "some ann", "not consumed during the outage");
    let out = post(&app, "/sign-out", &[sid.as_bytes()], FIREFOX).await;
    assert_eq!(out.body, "revoked");

    let stateless = actix_app!(ring(), Guard::stateless());
    let out = post(&stateless, "/sign-out", &[sid.as_bytes()], FIREFOX).await;
    assert_eq!(out.status, StatusCode::SERVICE_UNAVAILABLE);
}

/// Cookie tossing: a sibling subdomain (or any page on the parent domain) plants a second
/// `sid` for `Domain=example.com` and the browser sends both. The lookup refuses the duplicate
/// (`DuplicateCookie`); were `MaybeGuarded` to make that `None`, the documented sign-out would
/// revoke nothing and answer "signed out" while the real session (and any stolen copy) stayed
/// valid. So `MaybeGuarded` rejects the request with 400 (the handler never runs, no cookie is
/// cleared, the body names the cookie and no secret); an absent or refused cookie is `None`.
#[actix_web::test]
async fn cookie_tossing_makes_sign_out_fail_visibly_not_silently() {
    let app = actix_app!(ring(), Guard::new(MemoryStore::new()));
    let sid = post(&app, "/sign-in", &[], FIREFOX)
        .await
        .pair("sid")
        .unwrap();
    let value = &sid["sid=".len()..];
    // The victim's browser sends its own cookie and the planted one (any value, either order,
    // in one `Cookie:` header or two).
    let planted_after = format!("{sid}; sid=planted");
    let planted_before = format!("sid=planted; {sid}");
    let cases: [&[&[u8]]; 3] = [
        &[planted_after.as_bytes()],
        &[planted_before.as_bytes()],
        &[sid.as_bytes(), b"sid=planted"],
    ];
    for cookies in cases {
        let out = post(&app, "/sign-out", cookies, FIREFOX).await;
        assert_eq!(out.status, StatusCode::BAD_REQUEST, "{}", out.body);
        assert!(
            out.body.starts_with("400 Bad Request: ") && out.body.contains("`sid` cookie"),
            "{}",
            out.body
        );
        assert!(!out.body.contains(value) && !out.body.contains("planted"));
        assert!(
            out.set_cookies.is_empty(),
            "nothing cleared: {:?}",
            out.set_cookies
        );
    }
    // The session is still there (the user can clear the planted cookie and sign out), and an
    // absent or refused cookie is still `None`, not 400.
    let me = get(&app, "/me", &[sid.as_bytes()], FIREFOX).await;
    assert_eq!((me.status, me.body.as_str()), (StatusCode::OK, "hello ann"));
    for cookies in [&[][..], &[&b"sid=planted"[..]][..]] {
        let out = post(&app, "/sign-out", cookies, FIREFOX).await;
        assert_eq!((out.status, out.body.as_str()), (StatusCode::OK, "nothing"));
    }
    // With the planted cookie gone, the sign-out revokes for real: the copy no longer works.
    let out = post(&app, "/sign-out", &[sid.as_bytes()], FIREFOX).await;
    assert_eq!((out.status, out.body.as_str()), (StatusCode::OK, "revoked"));
    let me = get(&app, "/me", &[sid.as_bytes()], FIREFOX).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
}

/// The same attack on axum's `Option<Guarded<T>>`, the optional form its docs give for a
/// sign-out: a duplicated name is 400, not `None`, so the handler never runs.
#[tokio::test]
async fn cookie_tossing_makes_an_axum_sign_out_fail_visibly_not_silently() {
    use axum::extract::State;
    use axum::routing::{get, post};
    use tower::ServiceExt as _;
    use typed_cookies::integrations::axum::{client_context_of, Guarded as AxumGuarded, Removal};

    use crate::axum_guard_state::AppState;

    async fn sign_in(
        State(state): State<AppState>,
        request: axum::extract::Request,
    ) -> Result<String, SealError> {
        let (parts, _) = request.into_parts();
        let ctx = client_context_of::<Session>(&parts, &state.guard).unwrap();
        let issued = state
            .guard
            .issue(
                &state.keys,
                &Session { user: "ann".into() },
                Some("ann"),
                &ctx,
            )
            .await?;
        Ok(issued.set_cookie().to_owned())
    }
    async fn sign_out(
        State(state): State<AppState>,
        session: Option<AxumGuarded<Session>>,
    ) -> axum::response::Response {
        use axum::response::IntoResponse as _;
        let had = session.is_some();
        if let Some(session) = session {
            if state
                .guard
                .revoke(&state.keys, session.opened())
                .await
                .is_err()
            {
                return (axum::http::StatusCode::SERVICE_UNAVAILABLE, "try again").into_response();
            }
        }
        (
            Removal::<Session>::new(),
            if had { "revoked" } else { "nothing" },
        )
            .into_response()
    }
    let state = AppState::new(ring());
    let app = axum::Router::new()
        .route("/sign-in", post(sign_in))
        .route("/sign-out", post(sign_out))
        .route(
            "/me",
            get(|s: AxumGuarded<Session>| async move { format!("hello {}", s.user) }),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            typed_cookies::integrations::axum::guarded::<Session, AppState>,
        ))
        .with_state(state);
    let send = |method: &str, uri: &str, cookies: &[&str]| {
        let mut request = axum::http::Request::builder()
            .method(method)
            .uri(uri)
            .header(USER_AGENT.as_str(), FIREFOX);
        for cookie in cookies {
            request = request.header(COOKIE.as_str(), *cookie);
        }
        let request = request.body(axum::body::Body::empty()).unwrap();
        let app = app.clone();
        async move {
            let response = app.oneshot(request).await.unwrap();
            let status = response.status().as_u16();
            let set_cookies = response
                .headers()
                .get_all("set-cookie")
                .iter()
                .map(|v| v.to_str().unwrap().to_owned())
                .collect::<Vec<_>>();
            let body = axum::body::to_bytes(response.into_body(), 1 << 16)
                .await
                .unwrap();
            (
                status,
                set_cookies,
                String::from_utf8(body.to_vec()).unwrap(),
            )
        }
    };
    let (_, _, set_cookie) = send("POST", "/sign-in", &[]).await;
    let sid = set_cookie.split(';').next().unwrap().to_owned();
    let value = &sid["sid=".len()..];
    let planted_after = format!("{sid}; sid=planted");
    let planted_before = format!("sid=planted; {sid}");
    let cases: [&[&str]; 3] = [
        &[&planted_after],
        &[&planted_before],
        &[&sid, "sid=planted"],
    ];
    for cookies in cases {
        let (status, set_cookies, body) = send("POST", "/sign-out", cookies).await;
        assert_eq!(status, 400, "{body}");
        assert!(
            body.starts_with("400 Bad Request: ") && body.contains("`sid` cookie"),
            "{body}"
        );
        assert!(!body.contains(value) && !body.contains("planted"));
        assert!(set_cookies.is_empty(), "nothing cleared: {set_cookies:?}");
    }
    assert_eq!(send("GET", "/me", &[&sid]).await.0, 200, "still signed in");
    for cookies in [&[][..], &["sid=planted"][..]] {
        let (status, _, body) = send("POST", "/sign-out", cookies).await;
        assert_eq!((status, body.as_str()), (200, "nothing"));
    }
    let (status, _, body) = send("POST", "/sign-out", &[&sid]).await;
    assert_eq!((status, body.as_str()), (200, "revoked"));
    assert_eq!(send("GET", "/me", &[&sid]).await.0, 401, "revoked for real");
}
