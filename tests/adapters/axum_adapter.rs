//! The axum adapter, in process through `tower::ServiceExt::oneshot`: the shared adapter
//! scenarios (the three extractor forms against absent, valid, tampered, expired, wrong-salt,
//! wrong-key, duplicated and malformed cookies, see `adapter_scenarios`), keys through
//! `FromRef`, exact `Set-Cookie` and removal headers, refusal of an oversize cookie; the
//! `Cookie:` header split once per request however many middlewares and extractors read it,
//! and a `warn` (once per type) for an `idle` type read without its `refresh` middleware.

use axum::body::{to_bytes, Body};
use axum::extract::{FromRef, State};
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use tower::ServiceExt;
use typed_cookies::integrations::axum::{refresh, Removal, Sealed, SealedRejection, SetCookie};
use typed_cookies::time::{Duration, OffsetDateTime};
use typed_cookies::{Key, KeyRing, OpenError, Opened, SealError, SealedCookie};

use crate::adapter_scenarios;

use adapter_scenarios::{
    cookie_pair, t0, Big, Client, Session, Theme, SESSION_ATTRIBUTES, SESSION_REMOVAL,
};

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
                let cookie = SetCookie::new(&Session { user: "ann".into() }, &keys.at(t0()))?;
                Ok::<_, SealError>((cookie, "welcome"))
            }),
        )
        .route(
            "/logout",
            post(|| async { (Removal::<Session>::new(), "bye") }),
        )
        .route(
            "/big",
            post(|State(keys): State<KeyRing>| async move {
                Ok::<_, SealError>(
                    (SetCookie::new(&Big::oversize(), &keys)?, "unreachable").into_response(),
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

impl Client for Router {
    async fn get(&self, uri: &str, cookies: &[&[u8]]) -> (u16, String) {
        let (status, text) = get_with(self, uri, cookies).await;
        (status.as_u16(), text)
    }
}

async fn client(keys: KeyRing) -> Router {
    app(keys)
}

adapter_scenarios!(tokio::test);

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
    assert_eq!(attributes, SESSION_ATTRIBUTES);
    let value = pair.strip_prefix("__Host-sid=").unwrap();
    assert_eq!(
        Session::open(&keys.at(t0()), value).unwrap(),
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
    assert_eq!(removals, [SESSION_REMOVAL]);
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
    let err = SetCookie::new(&Big::oversize(), &keys).unwrap_err();
    assert!(
        matches!(err, SealError::TooLarge { max: 4096, len } if len > 4096),
        "{err:?}"
    );
    assert!(err.to_string().contains("4096"), "{err}");
}

#[tokio::test]
async fn rejection_reports_the_open_error() {
    let keys = KeyRing::new(Key::generate());
    let value = Session { user: "ann".into() }
        .seal(&keys.at(OffsetDateTime::now_utc() - Duration::hours(3)))
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

#[test]
fn a_serializer_message_is_not_logged_at_error_level() {
    adapter_scenarios::assert_serializer_message_not_logged_at_error_level(|error| {
        let response = error.into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    });
}

/// `GET /` reading both types, under both types' `refresh` middleware; with `rewrite`, a layer
/// between the middlewares and the handler replaces the request's `Cookie:` header with it
/// (the app of the shared `the_cookie_header_is_split_once_per_request`).
async fn two_types(keys: KeyRing, rewrite: Option<String>) -> Router {
    let mut router = Router::new().route(
        "/",
        get(
            |Sealed(session): Sealed<Session>, theme: Opened<Theme>| async move {
                format!("{} {}", session.user, theme.value().name)
            },
        ),
    );
    if let Some(value) = rewrite {
        let value = HeaderValue::from_str(&value).unwrap();
        router = router.layer(from_fn(move |mut request: Request<Body>, next: Next| {
            request.headers_mut().insert(header::COOKIE, value.clone());
            next.run(request)
        }));
    }
    router
        .layer(from_fn_with_state(
            keys.clone(),
            refresh::<Session, KeyRing>,
        ))
        .layer(from_fn_with_state(keys.clone(), refresh::<Theme, KeyRing>))
        .with_state(keys)
}

/// Only read without a `refresh` middleware, and never elsewhere: the warning is once per type
/// for the whole process.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-idle",
    salt = "tests.adapters-axum.idle.v1",
    max_age = "8h",
    idle = "30m"
)]
struct IdleSession {
    user: String,
}

/// Only read under its `refresh` middleware.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-idle-refreshed",
    salt = "tests.adapters-axum.idle-refreshed.v1",
    max_age = "8h",
    idle = "30m"
)]
struct RefreshedIdle {
    user: String,
}

/// An `idle` type read where no `refresh` middleware for it runs is served, with a `warn`
/// naming the layer to add, once per type; under its middleware, or for a type without
/// `idle`, nothing is logged.
#[test]
fn an_idle_type_read_without_its_refresh_middleware_warns_once() {
    let keys = KeyRing::new(Key::generate());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let warnings = |app: &Router, cookie: &str| {
        let (answer, logs) = typed_cookies_testkit::logs_of(|| {
            runtime.block_on(get_with(app, "/", &[cookie.as_bytes()]))
        });
        let warnings: Vec<String> = logs
            .into_iter()
            .filter(|(level, _)| *level == tracing::Level::WARN)
            .map(|(_, text)| text)
            .collect();
        (answer, warnings)
    };
    let ok = |body: &str| (StatusCode::OK, body.to_owned());

    let bare = Router::new()
        .route(
            "/",
            get(|Sealed(s): Sealed<IdleSession>| async move { s.user }),
        )
        .with_state(keys.clone());
    let idle = IdleSession { user: "ann".into() }.seal(&keys).unwrap();
    let cookie = format!("__Host-idle={idle}");
    let (answer, warned) = warnings(&bare, &cookie);
    assert_eq!(answer, ok("ann"));
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(
        warned[0].contains("refresh::<adapters::axum_adapter::IdleSession, _>")
            && warned[0].contains("__Host-idle")
            && warned[0].contains("idle"),
        "{warned:?}"
    );
    assert_eq!(
        warnings(&bare, &cookie),
        (ok("ann"), vec![]),
        "once per type"
    );

    let covered = Router::new()
        .route(
            "/",
            get(|Sealed(s): Sealed<RefreshedIdle>| async move { s.user }),
        )
        .layer(from_fn_with_state(
            keys.clone(),
            refresh::<RefreshedIdle, KeyRing>,
        ))
        .with_state(keys.clone());
    let refreshed = RefreshedIdle { user: "bo".into() }.seal(&keys).unwrap();
    let cookie = format!("__Host-idle-refreshed={refreshed}");
    assert_eq!(warnings(&covered, &cookie), (ok("bo"), vec![]));

    // `Session` has no `idle`: nothing to renew, nothing to warn about.
    let plain = Router::new()
        .route("/", get(|Sealed(s): Sealed<Session>| async move { s.user }))
        .with_state(keys.clone());
    let session = Session { user: "cy".into() }.seal(&keys).unwrap();
    assert_eq!(
        warnings(&plain, &format!("__Host-sid={session}")),
        (ok("cy"), vec![])
    );
}
