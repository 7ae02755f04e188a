//! The actix-web adapter for guarded types, in process through `actix_web::test`: sign-in
//! through `Guard::issue`, real sign-out (a kept copy is refused) with `MaybeGuarded<T>`,
//! which answers 503 and keeps the cookie when the store is down (where `Option<Guarded<T>>`
//! would be `None`), replay detection through the `guarded` middleware, IP binding from the
//! connection's peer address, an empty subject (500), missing `app_data` (500), the ring
//! and guard registered as plain values (`App::app_data(keys)`) rather than `web::Data`, the
//! extractors on a route their `guarded` middleware does not cover (a logged 500), and the
//! `Cookie:` header split once for all the middlewares and the extractor of a request; a
//! middleware wrapped twice opens once.

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::USER_AGENT;
use actix_web::http::StatusCode;
use actix_web::middleware::from_fn;
use actix_web::{test, web, App, HttpRequest, HttpResponse};
use std::sync::Arc;
use typed_cookies::guard::{ClientContext, Guard};

use typed_cookies::integrations::actix::{guarded, Guarded, MaybeGuarded, ResponseBuilderExt};
use typed_cookies::store::MemoryStore;
use typed_cookies::time::Duration;
use typed_cookies::{KeyRing, SealError};
use typed_cookies_testkit::{clocked, ring, SwitchableStore};

use crate::actix_support::{call, get, hello, post, sign_in, sign_out};
use crate::{Net, Paranoid, Session, FIREFOX};

/// The unsafe form, kept to show what actix does with it: `Option<Guarded<T>>` is `None`
/// during an outage too, so this "signs out" without revoking anything.
async fn sign_out_swallowing(
    session: Option<Guarded<Session>>,
    keys: web::Data<KeyRing>,
    guard: web::Data<Guard>,
) -> HttpResponse {
    if let Some(session) = session {
        if guard.revoke(&keys, session.opened()).await.is_err() {
            return HttpResponse::ServiceUnavailable().body("try again");
        }
    }
    HttpResponse::Ok().removal::<Session>().body("bye")
}

async fn anonymous_sign_in(
    keys: web::Data<KeyRing>,
    guard: web::Data<Guard>,
) -> Result<HttpResponse, SealError> {
    let issued = guard
        .issue(
            &keys,
            &Session { user: "ann".into() },
            Some(""),
            &ClientContext::new(),
        )
        .await?;
    Ok(HttpResponse::Ok().issued(&issued).finish())
}

/// The ring and the guard registered as plain values (`App::app_data(keys)`), which the
/// `web::Data` extractors do not see.
fn plain_app_data(req: &HttpRequest) -> (&KeyRing, &Guard) {
    (
        req.app_data::<KeyRing>()
            .expect("a plain KeyRing in app_data"),
        req.app_data::<Guard>().expect("a plain Guard in app_data"),
    )
}

async fn plain_sign_in(req: HttpRequest) -> Result<HttpResponse, SealError> {
    let (keys, guard) = plain_app_data(&req);
    let ua = req.headers().get(USER_AGENT).map(|v| v.as_bytes().to_vec());
    let ctx = ua.map_or_else(ClientContext::new, |ua| ClientContext::new().user_agent(ua));
    let issued = guard
        .issue(
            keys,
            &Session { user: "ann".into() },
            Some("user:ann"),
            &ctx,
        )
        .await?;
    Ok(HttpResponse::Ok().issued(&issued).finish())
}

async fn plain_sign_out(
    MaybeGuarded(session): MaybeGuarded<Session>,
    req: HttpRequest,
) -> HttpResponse {
    let (keys, guard) = plain_app_data(&req);
    if let Some(session) = session {
        if guard.revoke(keys, session.opened()).await.is_err() {
            return HttpResponse::ServiceUnavailable().body("try again");
        }
    }
    HttpResponse::Ok().removal::<Session>().body("bye")
}

async fn app(
    keys: KeyRing,
) -> impl Service<
    actix_http::Request,
    Response = ServiceResponse<impl MessageBody>,
    Error = actix_web::Error,
> {
    test::init_service(
        crate::actix_support::guarded_app(keys)
            .wrap(from_fn(guarded::<Paranoid, _>))
            .wrap(from_fn(guarded::<Session, _>))
            .route("/sign-in", web::post().to(sign_in::<Session>))
            .route("/me", web::get().to(hello::<Session>))
            .route("/sign-out", web::post().to(sign_out::<Session>))
            .route("/anonymous-sign-in", web::post().to(anonymous_sign_in))
            .route("/paranoid/sign-in", web::post().to(sign_in::<Paranoid>))
            .route("/paranoid", web::get().to(hello::<Paranoid>))
            // A mistake to survive: `Paranoid`'s middleware wrapped a second time, inside the
            // app-wide one.
            .service(
                web::resource("/paranoid/twice")
                    .wrap(from_fn(guarded::<Paranoid, _>))
                    .route(web::post().to(write_back)),
            )
            .route("/net/sign-in", web::post().to(sign_in::<Net>))
            // Per resource: `Net` binds the peer address, which only these requests carry.
            .service(
                web::resource("/net")
                    .wrap(from_fn(guarded::<Net, _>))
                    .route(web::get().to(hello::<Net>)),
            ),
    )
    .await
}

#[actix_web::test]
async fn sign_out_is_real_a_kept_copy_is_refused() {
    let app = app(ring()).await;
    let cookie = post(&app, "/sign-in", &[], FIREFOX)
        .await
        .pair("__Host-sid")
        .unwrap();
    let me = get(&app, "/me", &[cookie.as_bytes()], FIREFOX).await;
    assert_eq!((me.status, me.body.as_str()), (StatusCode::OK, "hello ann"));
    let stolen = get(&app, "/me", &[cookie.as_bytes()], "curl/8").await;
    assert_eq!(stolen.status, StatusCode::UNAUTHORIZED);
    let out = post(&app, "/sign-out", &[cookie.as_bytes()], FIREFOX).await;
    assert!(out
        .set_cookies
        .iter()
        .any(|c| c.starts_with("__Host-sid=;")));
    let replayed = get(&app, "/me", &[cookie.as_bytes()], FIREFOX).await;
    assert_eq!(replayed.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn replay_detection_renews_and_catches_an_old_copy() {
    let (keys, clock) = clocked(&ring());
    let app = app(keys).await;
    let first = post(&app, "/paranoid/sign-in", &[], FIREFOX)
        .await
        .pair("__Host-paranoid")
        .unwrap();
    let r1 = get(&app, "/paranoid", &[first.as_bytes()], FIREFOX).await;
    assert_eq!((r1.status, r1.body.as_str()), (StatusCode::OK, "hello ann"));
    let second = r1.pair("__Host-paranoid").expect("renewed");
    clock.advance(Duration::minutes(1));
    let thief = get(&app, "/paranoid", &[first.as_bytes()], "curl/8").await;
    assert_eq!(thief.status, StatusCode::UNAUTHORIZED);
    let victim = get(&app, "/paranoid", &[second.as_bytes()], FIREFOX).await;
    assert_eq!(
        victim.status,
        StatusCode::UNAUTHORIZED,
        "the whole session was revoked"
    );
}

/// Writes `Paranoid`'s session back (as a role change would): refused with
/// `SealError::Superseded` (409) when the value the handler holds was renewed meanwhile.
async fn write_back(
    session: Guarded<Paranoid>,
    keys: web::Data<KeyRing>,
) -> Result<HttpResponse, SealError> {
    let mut response = HttpResponse::Ok();
    response.resealed_cookie(session.opened(), &keys)?;
    Ok(response.body(format!("hello {}", session.user)))
}

/// A `replay` type whose middleware is wrapped twice opens once: the handler holds the
/// current value and can write it back (not a 409), one value of the cookie per response,
/// which the next request presents (the inner middleware passes the request on instead of
/// rotating the nonce a second time).
#[actix_web::test]
async fn a_middleware_wrapped_twice_opens_once() {
    let app = app(ring()).await;
    let mut cookie = post(&app, "/paranoid/sign-in", &[], FIREFOX)
        .await
        .pair("__Host-paranoid")
        .unwrap();
    for round in 0..3 {
        let r = post(&app, "/paranoid/twice", &[cookie.as_bytes()], FIREFOX).await;
        assert_eq!(
            (r.status, r.body.as_str()),
            (StatusCode::OK, "hello ann"),
            "round {round}"
        );
        let renewals: Vec<_> = r
            .set_cookies
            .iter()
            .filter(|c| c.starts_with("__Host-paranoid="))
            .collect();
        assert_eq!(renewals.len(), 1, "round {round}: {renewals:?}");
        cookie = r.pair("__Host-paranoid").expect("renewed");
    }
}

#[actix_web::test]
async fn ip_binding_uses_the_peer_address() {
    let app = app(ring()).await;
    let at = |ip: &str| ip.parse::<std::net::SocketAddr>().unwrap();
    let cookie = call(
        &app,
        test::TestRequest::post()
            .uri("/net/sign-in")
            .peer_addr(at("198.51.100.7:5000")),
        &[],
        FIREFOX,
    )
    .await
    .pair("__Host-net")
    .unwrap();
    let same = test::TestRequest::get()
        .uri("/net")
        .peer_addr(at("198.51.100.70:6000"));
    assert_eq!(
        call(&app, same, &[cookie.as_bytes()], FIREFOX).await.status,
        StatusCode::OK
    );
    let other = test::TestRequest::get()
        .uri("/net")
        .peer_addr(at("203.0.113.70:6000"));
    assert_eq!(
        call(&app, other, &[cookie.as_bytes()], FIREFOX)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

/// A sign-out while the revocation store is down: `MaybeGuarded<T>` answers 503 and does not
/// clear the cookie (the session could not be ended, so the user must not be told it was),
/// and once the store is back the same sign-out revokes for real.
#[actix_web::test]
async fn sign_out_during_a_store_outage_is_503_and_keeps_the_cookie() {
    let store = Arc::new(SwitchableStore::default());
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(ring()))
            .app_data(web::Data::new(Guard::from_arc(store.clone())))
            .wrap(from_fn(guarded::<Session, _>))
            .route("/sign-in", web::post().to(sign_in::<Session>))
            .route("/me", web::get().to(hello::<Session>))
            .route("/sign-out", web::post().to(sign_out::<Session>))
            .route("/sign-out-swallowing", web::post().to(sign_out_swallowing)),
    )
    .await;
    let cookie = post(&app, "/sign-in", &[], FIREFOX)
        .await
        .pair("__Host-sid")
        .unwrap();

    store.set_down(true);
    let out = post(&app, "/sign-out", &[cookie.as_bytes()], FIREFOX).await;
    assert_eq!(out.status, StatusCode::SERVICE_UNAVAILABLE, "{}", out.body);
    assert_eq!(out.set_cookies, Vec::<String>::new(), "the cookie is kept");
    // What `Option<Guarded<T>>` would have done instead: `None`, so no revocation was even
    // tried, and a removal with a 200 — a sign-out that did not happen.
    let swallowed = post(&app, "/sign-out-swallowing", &[cookie.as_bytes()], FIREFOX).await;
    assert_eq!(swallowed.status, StatusCode::OK);
    assert!(swallowed
        .set_cookies
        .iter()
        .any(|c| c.starts_with("__Host-sid=;")));

    store.set_down(false);
    let me = get(&app, "/me", &[cookie.as_bytes()], FIREFOX).await;
    assert_eq!(me.status, StatusCode::OK, "the session was never revoked");
    let out = post(&app, "/sign-out", &[cookie.as_bytes()], FIREFOX).await;
    assert_eq!((out.status, out.body.as_str()), (StatusCode::OK, "revoked"));
    assert!(out
        .set_cookies
        .iter()
        .any(|c| c.starts_with("__Host-sid=;")));
    let me = get(&app, "/me", &[cookie.as_bytes()], FIREFOX).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
}

/// `MaybeGuarded<T>` is `None` without a cookie and for a refused one (another browser's):
/// the handler runs, there is nothing to revoke.
#[actix_web::test]
async fn maybe_guarded_is_none_for_a_missing_or_refused_cookie() {
    let app = app(ring()).await;
    let cookie = post(&app, "/sign-in", &[], FIREFOX)
        .await
        .pair("__Host-sid")
        .unwrap();
    for (cookies, ua) in [(&[][..], FIREFOX), (&[cookie.as_bytes()][..], "curl/8")] {
        let out = post(&app, "/sign-out", cookies, ua).await;
        assert_eq!((out.status, out.body.as_str()), (StatusCode::OK, "nothing"));
    }
    // The other browser's "sign-out" revoked nothing: the owner is still signed in.
    let me = get(&app, "/me", &[cookie.as_bytes()], FIREFOX).await;
    assert_eq!(me.status, StatusCode::OK);
}

/// An empty subject is a programming mistake: a logged 500, no cookie.
#[actix_web::test]
async fn an_empty_subject_is_a_500() {
    let app = app(ring()).await;
    let response = post(&app, "/anonymous-sign-in", &[], FIREFOX).await;
    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(response.set_cookies.is_empty());
}

/// The extractors find a ring and a guard registered as plain values, not only as
/// `web::Data`: the whole sign-in, guarded request, sign-out, refused copy flow.
#[actix_web::test]
async fn a_plain_key_ring_and_guard_in_app_data() {
    let app = test::init_service(
        App::new()
            .app_data(ring())
            .app_data(Guard::new(MemoryStore::new()))
            .wrap(from_fn(guarded::<Session, _>))
            .route("/sign-in", web::post().to(plain_sign_in))
            .route("/me", web::get().to(hello::<Session>))
            .route("/sign-out", web::post().to(plain_sign_out)),
    )
    .await;
    let sign_in = post(&app, "/sign-in", &[], FIREFOX).await;
    assert_eq!(sign_in.status, StatusCode::OK, "{}", sign_in.body);
    let cookie = sign_in.pair("__Host-sid").unwrap();
    let me = get(&app, "/me", &[cookie.as_bytes()], FIREFOX).await;
    assert_eq!((me.status, me.body.as_str()), (StatusCode::OK, "hello ann"));
    let out = post(&app, "/sign-out", &[cookie.as_bytes()], FIREFOX).await;
    assert_eq!((out.status, out.body.as_str()), (StatusCode::OK, "bye"));
    assert!(out
        .set_cookies
        .iter()
        .any(|c| c.starts_with("__Host-sid=;")));
    let replayed = get(&app, "/me", &[cookie.as_bytes()], FIREFOX).await;
    assert_eq!(replayed.status, StatusCode::UNAUTHORIZED, "revoked");
}

#[actix_web::test]
async fn no_guard_in_app_data_is_a_500() {
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(ring()))
            .wrap(from_fn(guarded::<Session, _>))
            .route("/me", web::get().to(hello::<Session>)),
    )
    .await;
    let response = get(&app, "/me", &[b"__Host-sid=x"], FIREFOX).await;
    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
}

/// `Guarded<T>` and `MaybeGuarded<T>` on routes that `T`'s `guarded` middleware does not
/// cover: a 500 logged at `error` naming the layer to add, even with a valid cookie — not a
/// 200 that skips the idle renewal, the reseal after a key rotation and the removal of refused
/// cookies.
// `test` is actix-web's module here.
#[::core::prelude::v1::test]
fn guarded_extractors_without_their_middleware_are_a_logged_500() {
    let ((), logs) = typed_cookies_testkit::logs_of(|| {
        actix_web::rt::System::new().block_on(async {
            let keys = ring();
            let signed = app(keys.clone()).await;
            let cookie = post(&signed, "/sign-in", &[], FIREFOX)
                .await
                .pair("__Host-sid")
                .unwrap();
            let bare = test::init_service(
                crate::actix_support::guarded_app(keys)
                    .route("/me", web::get().to(hello::<Session>))
                    .route("/sign-out", web::post().to(sign_out::<Session>)),
            )
            .await;
            for request in [
                || test::TestRequest::get().uri("/me"),
                || test::TestRequest::post().uri("/sign-out"),
            ] {
                for cookies in [&[cookie.as_bytes()][..], &[]] {
                    let response = call(&bare, request(), cookies, FIREFOX).await;
                    assert_eq!(
                        (response.status, response.body.as_str()),
                        (
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "500 Internal Server Error\n"
                        )
                    );
                    assert!(
                        response.set_cookies.is_empty(),
                        "{:?}",
                        response.set_cookies
                    );
                }
            }
        })
    });
    let named = logs
        .iter()
        .filter(|(level, text)| {
            *level == tracing::Level::ERROR
                && text.contains("__Host-sid")
                && text.contains("guarded::<guard::Session, _>")
        })
        .count();
    assert_eq!(named, 4, "{logs:?}");
}

/// Three `guarded` middlewares (one per resource) and the extractor read one split of the
/// `Cookie:` header.
#[actix_web::test]
async fn the_cookie_header_is_split_once_for_every_guarded_middleware() {
    let app = app(ring()).await;
    let cookie = post(&app, "/sign-in", &[], FIREFOX)
        .await
        .pair("__Host-sid")
        .unwrap();
    let header = format!("a=1; {cookie}; b=2");
    let before = typed_cookies::integrations::cookie_header_parses();
    let me = get(&app, "/me", &[header.as_bytes()], FIREFOX).await;
    assert_eq!((me.status, me.body.as_str()), (StatusCode::OK, "hello ann"));
    assert_eq!(
        typed_cookies::integrations::cookie_header_parses() - before,
        1
    );
}
