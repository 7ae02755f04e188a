//! The actix-web adapter, in process through `actix_web::test`: the three extractor forms
//! against absent, valid, tampered, expired, wrong-salt, wrong-key, duplicated and malformed
//! cookies; keys from `web::Data<KeyRing>`, a plain `KeyRing`, or missing; exact
//! `Set-Cookie` and removal headers; refusal of an oversize cookie.

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::{HeaderValue, COOKIE, SET_COOKIE};
use actix_web::http::StatusCode;
use actix_web::{test, web, App, HttpResponse};
use serde::{Deserialize, Serialize};
use typed_cookies::integrations::actix::{ResponseBuilderExt, Sealed, SealedRejection};
use typed_cookies::integrations::SetCookieError;
use typed_cookies::time::{Duration, OffsetDateTime};
use typed_cookies::{Key, KeyRing, SealError, SealedCookie};

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "tests.actix.session.v1",
    max_age = "2h",
    encrypt
)]
struct Session {
    user: String,
}

/// Same name and shape as [`Session`], another salt: its values must not open as a `Session`.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "tests.actix.other-purpose.v1",
    max_age = "2h",
    encrypt
)]
struct OtherPurpose {
    user: String,
}

#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(name = "__Host-big", salt = "tests.actix.big.v1", max_age = "1h")]
struct Big {
    blob: String,
}

/// 2023-11-14 22:13:20 UTC.
fn then() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap()
}

async fn strict(Sealed(session): Sealed<Session>) -> String {
    format!("hello {}", session.user)
}

async fn optional(session: Option<Sealed<Session>>) -> String {
    match session {
        Some(Sealed(session)) => format!("some {}", session.user),
        None => "none".to_owned(),
    }
}

async fn result(session: Result<Sealed<Session>, SealedRejection>) -> String {
    match session {
        Ok(Sealed(session)) => format!("ok {}", session.user),
        Err(SealedRejection::Missing { name }) => format!("missing {name}"),
        Err(SealedRejection::Invalid { error, .. }) => format!("invalid {error:?}"),
        Err(other) => format!("other {other}"),
    }
}

async fn login(keys: web::Data<KeyRing>) -> Result<HttpResponse, SetCookieError> {
    Ok(HttpResponse::Ok()
        .sealed_cookie_at(&Session { user: "ann".into() }, &keys, then())?
        .body("welcome"))
}

async fn logout() -> Result<HttpResponse, SetCookieError> {
    Ok(HttpResponse::Ok()
        .remove_sealed_cookie::<Session>()?
        .body("bye"))
}

async fn big(keys: web::Data<KeyRing>) -> Result<HttpResponse, SetCookieError> {
    let big = Big {
        blob: "x".repeat(5000),
    };
    Ok(HttpResponse::Ok()
        .sealed_cookie(&big, &keys)?
        .body("unreachable"))
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/strict", web::get().to(strict))
        .route("/optional", web::get().to(optional))
        .route("/result", web::get().to(result))
        .route("/login", web::post().to(login))
        .route("/logout", web::post().to(logout))
        .route("/big", web::post().to(big));
}

/// An app with `keys` as `web::Data<KeyRing>`.
async fn app(
    keys: KeyRing,
) -> impl Service<actix_http::Request, Response = ServiceResponse, Error = actix_web::Error> {
    test::init_service(App::new().app_data(web::Data::new(keys)).configure(routes)).await
}

async fn call(
    app: &impl Service<actix_http::Request, Response = ServiceResponse, Error = actix_web::Error>,
    request: test::TestRequest,
) -> (StatusCode, Vec<String>, String) {
    let response = test::call_service(app, request.to_request()).await;
    let status = response.status();
    let set_cookies = response
        .headers()
        .get_all(SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let body = String::from_utf8(test::read_body(response).await.to_vec()).unwrap();
    (status, set_cookies, body)
}

/// `GET uri` with these `Cookie:` headers: status and body.
async fn get_with(
    app: &impl Service<actix_http::Request, Response = ServiceResponse, Error = actix_web::Error>,
    uri: &str,
    cookies: &[&[u8]],
) -> (StatusCode, String) {
    let mut request = test::TestRequest::get().uri(uri);
    for cookie in cookies {
        request = request.append_header((COOKIE, HeaderValue::from_bytes(cookie).unwrap()));
    }
    let (status, _, body) = call(app, request).await;
    (status, body)
}

fn cookie_pair(value: &str) -> Vec<u8> {
    format!("__Host-sid={value}").into_bytes()
}

/// Every way a present cookie can be bad: 401 strict, `None` optional, the reason in `Result`.
async fn assert_rejected(
    app: &impl Service<actix_http::Request, Response = ServiceResponse, Error = actix_web::Error>,
    cookies: &[&[u8]],
    expected: &str,
) {
    assert_eq!(
        get_with(app, "/strict", cookies).await,
        (
            StatusCode::UNAUTHORIZED,
            "401 Unauthorized: no valid `__Host-sid` cookie\n".into()
        )
    );
    assert_eq!(
        get_with(app, "/optional", cookies).await,
        (StatusCode::OK, "none".into())
    );
    let (status, text) = get_with(app, "/result", cookies).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text.starts_with(expected),
        "{text:?} should start with {expected:?}"
    );
}

#[actix_web::test]
async fn absent_cookie() {
    let app = app(KeyRing::new(Key::generate())).await;
    assert_eq!(
        get_with(&app, "/strict", &[b"theme=dark"]).await,
        (
            StatusCode::UNAUTHORIZED,
            "401 Unauthorized: no valid `__Host-sid` cookie\n".into()
        )
    );
    assert_eq!(
        get_with(&app, "/strict", &[]).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get_with(&app, "/optional", &[]).await,
        (StatusCode::OK, "none".into())
    );
    assert_eq!(
        get_with(&app, "/result", &[b"a=b"]).await,
        (StatusCode::OK, "missing __Host-sid".into())
    );
}

#[actix_web::test]
async fn valid_cookie_in_any_of_several_cookie_headers() {
    let keys = KeyRing::new(Key::generate());
    let app = app(keys.clone()).await;
    let pair = cookie_pair(&Session { user: "ann".into() }.seal(&keys).unwrap());
    for cookies in [
        vec![pair.as_slice()],
        vec![b"theme=dark".as_slice(), pair.as_slice()],
        vec![b"a=1; b=2".as_slice(), pair.as_slice(), b"c=3".as_slice()],
    ] {
        assert_eq!(
            get_with(&app, "/strict", &cookies).await,
            (StatusCode::OK, "hello ann".into())
        );
        assert_eq!(
            get_with(&app, "/optional", &cookies).await,
            (StatusCode::OK, "some ann".into())
        );
        assert_eq!(
            get_with(&app, "/result", &cookies).await,
            (StatusCode::OK, "ok ann".into())
        );
    }
}

#[actix_web::test]
async fn tampered_expired_wrong_salt_wrong_key_duplicated() {
    let keys = KeyRing::new(Key::generate());
    let app = app(keys.clone()).await;
    let ann = Session { user: "ann".into() };

    let mut tampered = ann.seal(&keys).unwrap().into_bytes();
    let middle = tampered.len() / 2;
    tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_rejected(&app, &[&cookie_pair(&tampered)], "invalid Invalid").await;

    let expired = ann
        .seal_at(&keys, OffsetDateTime::now_utc() - Duration::hours(3))
        .unwrap();
    assert_rejected(&app, &[&cookie_pair(&expired)], "invalid Expired").await;

    let other_purpose = OtherPurpose { user: "ann".into() }.seal(&keys).unwrap();
    assert_rejected(&app, &[&cookie_pair(&other_purpose)], "invalid Invalid").await;

    let foreign = ann.seal(&KeyRing::new(Key::generate())).unwrap();
    assert_rejected(&app, &[&cookie_pair(&foreign)], "invalid UnknownKey").await;

    let pair = cookie_pair(&ann.seal(&keys).unwrap());
    assert_rejected(&app, &[&pair, &pair], "invalid DuplicateCookie").await;
}

#[actix_web::test]
async fn malformed_and_huge_headers_never_yield_a_session() {
    let app = app(KeyRing::new(Key::generate())).await;
    for garbage in [
        b"__Host-sid".as_slice(),
        b";;;;",
        b"=; =x; =",
        b"\xff\xfe\xfd",
    ] {
        assert_eq!(
            get_with(&app, "/strict", &[garbage]).await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            get_with(&app, "/optional", &[garbage]).await,
            (StatusCode::OK, "none".into())
        );
    }
    assert_rejected(&app, &[b"__Host-sid="], "invalid Malformed").await;
    assert_rejected(&app, &[b"__Host-sid=\xff\xfe"], "invalid Malformed").await;
    let huge = cookie_pair(&"A".repeat(64 * 1024));
    assert_rejected(&app, &[&huge], "invalid TooLarge").await;
}

#[actix_web::test]
async fn keys_from_plain_app_data_or_missing() {
    let keys = KeyRing::new(Key::generate());
    let pair = cookie_pair(&Session { user: "ann".into() }.seal(&keys).unwrap());

    let plain = test::init_service(App::new().app_data(keys.clone()).configure(routes)).await;
    assert_eq!(
        get_with(&plain, "/strict", &[&pair]).await,
        (StatusCode::OK, "hello ann".into())
    );

    let none = test::init_service(App::new().configure(routes)).await;
    assert_eq!(
        get_with(&none, "/strict", &[&pair]).await,
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "500 Internal Server Error\n".into()
        )
    );
    assert_eq!(
        get_with(&none, "/optional", &[&pair]).await,
        (StatusCode::OK, "none".into())
    );
    assert_eq!(
        get_with(&none, "/result", &[&pair]).await,
        (
            StatusCode::OK,
            "other no KeyRing in app_data: register one with `App::new().app_data(web::Data::new(keys))`".into()
        )
    );
}

#[actix_web::test]
async fn exact_set_cookie_and_removal_headers() {
    let keys = KeyRing::new(Key::generate());
    let app = app(keys.clone()).await;

    let (status, set_cookies, body) = call(&app, test::TestRequest::post().uri("/login")).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "welcome"));
    assert_eq!(set_cookies.len(), 1);
    let (pair, attributes) = set_cookies[0].split_once("; ").unwrap();
    assert_eq!(
        attributes,
        "HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=7200; Expires=Wed, 15 Nov 2023 00:13:20 GMT"
    );
    let value = pair.strip_prefix("__Host-sid=").unwrap();
    assert_eq!(
        Session::open_at(&keys, value, then()).unwrap(),
        Session { user: "ann".into() }
    );

    let (status, set_cookies, body) = call(&app, test::TestRequest::post().uri("/logout")).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "bye"));
    assert_eq!(
        set_cookies,
        ["__Host-sid=; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"]
    );
}

#[actix_web::test]
async fn oversize_cookie_is_refused_with_a_500() {
    let keys = KeyRing::new(Key::generate());
    let app = app(keys.clone()).await;
    let (status, set_cookies, body) = call(&app, test::TestRequest::post().uri("/big")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(set_cookies.is_empty());
    assert_eq!(body, "500 Internal Server Error: could not set a cookie\n");

    let err = HttpResponse::Ok()
        .sealed_cookie(
            &Big {
                blob: "x".repeat(5000),
            },
            &keys,
        )
        .err()
        .expect("refused");
    assert!(
        matches!(err, SetCookieError::Seal(SealError::TooLarge { max: 4096, len }) if len > 4096),
        "{err:?}"
    );
}
