//! The axum adapter, in process through `tower::ServiceExt::oneshot`: the three extractor
//! forms against absent, valid, tampered, expired, wrong-salt, wrong-key, duplicated and
//! malformed cookies; exact `Set-Cookie` and removal headers; refusal of an oversize cookie.

use axum::body::{to_bytes, Body};
use axum::extract::{FromRef, State};
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use tower::ServiceExt;
use typed_cookies::integrations::axum::{RemoveCookie, Sealed, SealedRejection, SetCookie};
use typed_cookies::integrations::SetCookieError;
use typed_cookies::time::{Duration, OffsetDateTime};
use typed_cookies::{Key, KeyRing, OpenError, SealError, SealedCookie};

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "tests.axum.session.v1",
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
    salt = "tests.axum.other-purpose.v1",
    max_age = "2h",
    encrypt
)]
struct OtherPurpose {
    user: String,
}

#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(name = "__Host-big", salt = "tests.axum.big.v1", max_age = "1h")]
struct Big {
    blob: String,
}

/// Router state holding more than the keys: the extractor reaches them through `FromRef`.
#[derive(Clone)]
struct AppState {
    keys: KeyRing,
    greeting: &'static str,
}

impl FromRef<AppState> for KeyRing {
    fn from_ref(state: &AppState) -> KeyRing {
        state.keys.clone()
    }
}

/// 2023-11-14 22:13:20 UTC.
fn then() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap()
}

fn app(keys: KeyRing) -> Router {
    Router::new()
        .route(
            "/strict",
            get(
                |State(state): State<AppState>, Sealed(session): Sealed<Session>| async move {
                    format!("{} {}", state.greeting, session.user)
                },
            ),
        )
        .route(
            "/optional",
            get(|session: Option<Sealed<Session>>| async move {
                match session {
                    Some(Sealed(session)) => format!("some {}", session.user),
                    None => "none".to_owned(),
                }
            }),
        )
        .route(
            "/result",
            get(
                |session: Result<Sealed<Session>, SealedRejection>| async move {
                    match session {
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
                let cookie = SetCookie::new_at(&Session { user: "ann".into() }, &keys, then())?;
                Ok::<_, SetCookieError>((cookie, "welcome"))
            }),
        )
        .route(
            "/logout",
            post(|| async { (RemoveCookie::<Session>::new(), "bye") }),
        )
        .route(
            "/big",
            post(|State(keys): State<KeyRing>| async move {
                let big = Big {
                    blob: "x".repeat(5000),
                };
                Ok::<_, SetCookieError>(
                    (SetCookie::new(&big, &keys)?, "unreachable").into_response(),
                )
            }),
        )
        .with_state(AppState {
            keys,
            greeting: "hello",
        })
}

async fn send(app: &Router, method: &str, uri: &str, cookies: &[&[u8]]) -> (StatusCode, Response) {
    let mut request = Request::builder().method(method).uri(uri);
    for cookie in cookies {
        request = request.header(header::COOKIE, HeaderValue::from_bytes(cookie).unwrap());
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    (response.status(), response)
}

async fn body(response: Response) -> String {
    String::from_utf8(
        to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap()
}

/// Status and body of `GET uri` with these `Cookie:` headers.
async fn get_with(app: &Router, uri: &str, cookies: &[&[u8]]) -> (StatusCode, String) {
    let (status, response) = send(app, "GET", uri, cookies).await;
    (status, body(response).await)
}

fn cookie_pair(value: &str) -> Vec<u8> {
    format!("__Host-sid={value}").into_bytes()
}

#[tokio::test]
async fn absent_cookie() {
    let app = app(KeyRing::new(Key::generate()));
    let (status, text) = get_with(&app, "/strict", &[b"theme=dark"]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(text, "401 Unauthorized: no valid `__Host-sid` cookie\n");
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

#[tokio::test]
async fn valid_cookie_in_any_of_several_cookie_headers() {
    let keys = KeyRing::new(Key::generate());
    let app = app(keys.clone());
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

/// Every way a present cookie can be bad: 401 strict, `None` optional, the reason in `Result`.
async fn assert_rejected(app: &Router, cookies: &[&[u8]], expected: &str) {
    let (status, text) = get_with(app, "/strict", cookies).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{text}");
    assert_eq!(text, "401 Unauthorized: no valid `__Host-sid` cookie\n");
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

#[tokio::test]
async fn tampered_cookie() {
    let keys = KeyRing::new(Key::generate());
    let app = app(keys.clone());
    let value = Session { user: "ann".into() }.seal(&keys).unwrap();
    let mut tampered = value.into_bytes();
    let middle = tampered.len() / 2;
    tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_rejected(&app, &[&cookie_pair(&tampered)], "invalid Invalid").await;
}

#[tokio::test]
async fn expired_cookie() {
    let keys = KeyRing::new(Key::generate());
    let app = app(keys.clone());
    let three_hours_ago = OffsetDateTime::now_utc() - Duration::hours(3);
    let value = Session { user: "ann".into() }
        .seal_at(&keys, three_hours_ago)
        .unwrap();
    assert_rejected(&app, &[&cookie_pair(&value)], "invalid Expired").await;
    // One that is one hour old is still fine.
    let value = Session { user: "ann".into() }
        .seal_at(&keys, OffsetDateTime::now_utc() - Duration::hours(1))
        .unwrap();
    assert_eq!(
        get_with(&app, "/strict", &[&cookie_pair(&value)]).await,
        (StatusCode::OK, "hello ann".into())
    );
}

#[tokio::test]
async fn wrong_salt_and_wrong_key() {
    let keys = KeyRing::new(Key::generate());
    let app = app(keys.clone());
    let other_purpose = OtherPurpose { user: "ann".into() }.seal(&keys).unwrap();
    assert_rejected(&app, &[&cookie_pair(&other_purpose)], "invalid Invalid").await;
    let other_keys = KeyRing::new(Key::generate());
    let foreign = Session { user: "ann".into() }.seal(&other_keys).unwrap();
    assert_rejected(&app, &[&cookie_pair(&foreign)], "invalid UnknownKey").await;
}

#[tokio::test]
async fn duplicated_cookie_even_across_headers() {
    let keys = KeyRing::new(Key::generate());
    let app = app(keys.clone());
    let ann = cookie_pair(&Session { user: "ann".into() }.seal(&keys).unwrap());
    let bob = cookie_pair(&Session { user: "bob".into() }.seal(&keys).unwrap());
    let both = [ann.as_slice(), b"; ".as_slice(), bob.as_slice()].concat();
    assert_rejected(&app, &[&both], "invalid DuplicateCookie").await;
    assert_rejected(&app, &[&ann, &bob], "invalid DuplicateCookie").await;
}

#[tokio::test]
async fn malformed_and_huge_headers_never_yield_a_session() {
    let app = app(KeyRing::new(Key::generate()));
    // Unparsable pieces are skipped: the cookie is absent.
    for garbage in [
        b"__Host-sid".as_slice(),
        b";;;;",
        b"=; =x; =",
        b"\xff\xfe\xfd",
        b"__Host-sid\t; x",
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
    // Present but not a sealed value: invalid.
    assert_rejected(&app, &[b"__Host-sid="], "invalid Malformed").await;
    assert_rejected(&app, &[b"__Host-sid=%%%%"], "invalid Malformed").await;
    assert_rejected(&app, &[b"__Host-sid=\xff\xfe"], "invalid Malformed").await;
    let huge = cookie_pair(&"A".repeat(64 * 1024));
    assert_rejected(&app, &[&huge], "invalid TooLarge").await;
    let many = "x=1; ".repeat(10_000).into_bytes();
    assert_eq!(
        get_with(&app, "/optional", &[&many]).await,
        (StatusCode::OK, "none".into())
    );
}

#[tokio::test]
async fn exact_set_cookie_and_removal_headers() {
    let keys = KeyRing::new(Key::generate());
    let app = app(keys.clone());

    let (status, response) = send(&app, "POST", "/login", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let set_cookies: Vec<_> = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .collect();
    assert_eq!(set_cookies.len(), 1);
    let set_cookie = set_cookies[0].to_str().unwrap();
    let (pair, attributes) = set_cookie.split_once("; ").unwrap();
    assert_eq!(
        attributes,
        "HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=7200; Expires=Wed, 15 Nov 2023 00:13:20 GMT"
    );
    let value = pair.strip_prefix("__Host-sid=").unwrap();
    assert_eq!(
        Session::open_at(&keys, value, then()).unwrap(),
        Session { user: "ann".into() }
    );
    assert_eq!(body(response).await, "welcome");

    let (status, response) = send(&app, "POST", "/logout", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let removals: Vec<_> = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .collect();
    assert_eq!(
        removals,
        [
            "__Host-sid=; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
        ]
    );
}

#[tokio::test]
async fn oversize_cookie_is_refused_with_a_500() {
    let keys = KeyRing::new(Key::generate());
    let app = app(keys.clone());
    let (status, response) = send(&app, "POST", "/big", &[]).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(response.headers().get(header::SET_COOKIE).is_none());
    assert_eq!(
        body(response).await,
        "500 Internal Server Error: could not set a cookie\n"
    );

    // The handler sees the reason.
    let err = SetCookie::new(
        &Big {
            blob: "x".repeat(5000),
        },
        &keys,
    )
    .unwrap_err();
    assert!(
        matches!(err, SetCookieError::Seal(SealError::TooLarge { max: 4096, len }) if len > 4096),
        "{err:?}"
    );
    assert!(err.to_string().contains("4096"), "{err}");
}

#[tokio::test]
async fn rejection_reports_the_open_error() {
    let keys = KeyRing::new(Key::generate());
    let value = Session { user: "ann".into() }
        .seal_at(&keys, OffsetDateTime::now_utc() - Duration::hours(3))
        .unwrap();
    let app = Router::new()
        .route(
            "/",
            get(
                |session: Result<Sealed<Session>, SealedRejection>| async move {
                    let rejection = session.unwrap_err();
                    assert!(matches!(
                        rejection.open_error(),
                        Some(OpenError::Expired { .. })
                    ));
                    assert_eq!(rejection.status(), StatusCode::UNAUTHORIZED);
                    rejection.to_string()
                },
            ),
        )
        .with_state(keys);
    let (status, text) = get_with(&app, "/", &[&cookie_pair(&value)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text.starts_with("cookie `__Host-sid`: cookie value expired at "),
        "{text}"
    );
}

#[test]
fn set_cookie_debug_shows_the_name_not_the_value() {
    let keys = KeyRing::new(Key::generate());
    let cookie = SetCookie::new(&Session { user: "ann".into() }, &keys).unwrap();
    assert_eq!(
        format!("{cookie:?}"),
        r#"SetCookie { name: "__Host-sid", .. }"#
    );
    assert!(cookie
        .header_value()
        .to_str()
        .unwrap()
        .starts_with("__Host-sid="));
}
