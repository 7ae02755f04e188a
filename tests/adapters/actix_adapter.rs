//! The actix-web adapter, in process through `actix_web::test`: the shared adapter scenarios
//! (the three extractor forms against absent, valid, tampered, expired, wrong-salt, wrong-key,
//! duplicated and malformed cookies, see `adapter_scenarios`); keys from `web::Data<KeyRing>`,
//! a plain `KeyRing`, or missing; exact `Set-Cookie` and removal headers; refusal of an
//! oversize cookie; the `Cookie:` header split once per request however many middlewares and
//! extractors read it, and a `warn` (once per type) for an `idle` type read without its
//! `refresh` middleware.

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::{HeaderValue, COOKIE};
use actix_web::http::StatusCode;
use actix_web::middleware::from_fn;
use actix_web::{test, web, App, HttpResponse};
use serde::{Deserialize, Serialize};
use typed_cookies::integrations::actix::{refresh, ResponseBuilderExt, Sealed, SealedRejection};
use typed_cookies::{Key, KeyRing, Opened, SealError, SealedCookie};

use crate::actix_support::{send, Response};
use crate::adapter_scenarios;

use adapter_scenarios::{
    cookie_pair, t0, Big, Client, Session, Theme, SESSION_ATTRIBUTES, SESSION_REMOVAL,
};

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

async fn login(keys: web::Data<KeyRing>) -> Result<HttpResponse, SealError> {
    Ok(HttpResponse::Ok()
        .sealed_cookie(&Session { user: "ann".into() }, &keys.at(t0()))?
        .body("welcome"))
}

async fn logout() -> Result<HttpResponse, SealError> {
    Ok(HttpResponse::Ok().removal::<Session>().body("bye"))
}

async fn big(keys: web::Data<KeyRing>) -> Result<HttpResponse, SealError> {
    Ok(HttpResponse::Ok()
        .sealed_cookie(&Big::oversize(), &keys)?
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

/// `GET uri` with these `Cookie:` headers: status and body.
async fn get_with<B: MessageBody>(
    app: &impl Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    uri: &str,
    cookies: &[&[u8]],
) -> (StatusCode, String) {
    let mut request = test::TestRequest::get().uri(uri);
    for cookie in cookies {
        request = request.append_header((COOKIE, HeaderValue::from_bytes(cookie).unwrap()));
    }
    let Response { status, body, .. } = send(app, request).await;
    (status, body)
}

/// An initialised app, as the shared scenarios drive it.
struct ActixClient<S>(S);

impl<S, B> Client for ActixClient<S>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    async fn get(&self, uri: &str, cookies: &[&[u8]]) -> (u16, String) {
        let (status, text) = get_with(&self.0, uri, cookies).await;
        (status.as_u16(), text)
    }
}

async fn client(keys: KeyRing) -> impl Client {
    ActixClient(app(keys).await)
}

adapter_scenarios!(actix_web::test);

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
            "other no KeyRing to open cookies with: give the framework one (axum: router state with `KeyRing: FromRef<S>`; actix-web: `App::new().app_data(web::Data::new(keys))`)".into()
        )
    );
}

#[actix_web::test]
async fn exact_set_cookie_and_removal_headers() {
    let keys = KeyRing::new(Key::generate());
    let app = app(keys.clone()).await;

    let Response {
        status,
        set_cookies,
        body,
    } = send(&app, test::TestRequest::post().uri("/login")).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "welcome"));
    assert_eq!(set_cookies.len(), 1);
    let (pair, attributes) = set_cookies[0].split_once("; ").unwrap();
    assert_eq!(attributes, SESSION_ATTRIBUTES);
    let value = pair.strip_prefix("__Host-sid=").unwrap();
    assert_eq!(
        Session::open(&keys.at(t0()), value).unwrap(),
        Session { user: "ann".into() }
    );

    let Response {
        status,
        set_cookies,
        body,
    } = send(&app, test::TestRequest::post().uri("/logout")).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "bye"));
    assert_eq!(set_cookies, [SESSION_REMOVAL]);
}

#[actix_web::test]
async fn oversize_cookie_is_refused_with_a_500() {
    let keys = KeyRing::new(Key::generate());
    let app = app(keys.clone()).await;
    let Response {
        status,
        set_cookies,
        body,
    } = send(&app, test::TestRequest::post().uri("/big")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(set_cookies.is_empty());
    assert_eq!(body, "500 Internal Server Error: could not set a cookie\n");

    let err = HttpResponse::Ok()
        .sealed_cookie(&Big::oversize(), &keys)
        .err()
        .expect("refused");
    assert!(
        matches!(err, SealError::TooLarge { max: 4096, len } if len > 4096),
        "{err:?}"
    );
}

#[actix_web::test]
async fn a_serializer_message_is_not_logged_at_error_level() {
    adapter_scenarios::assert_serializer_message_not_logged_at_error_level(|error| {
        let response = actix_web::ResponseError::error_response(&error);
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    });
}

async fn both(Sealed(session): Sealed<Session>, theme: Opened<Theme>) -> String {
    format!("{} {}", session.user, theme.value().name)
}

/// `GET /` reading both types, under both types' `refresh` middleware; with `rewrite`, a
/// `wrap_fn` between the middlewares and the handler replaces the request's `Cookie:` header
/// with it (the app of the shared `the_cookie_header_is_split_once_per_request`).
async fn two_types(keys: KeyRing, rewrite: Option<String>) -> impl Client {
    let rewrite = rewrite.map(|value| HeaderValue::from_str(&value).unwrap());
    ActixClient(
        test::init_service(
            App::new()
                .app_data(web::Data::new(keys))
                .route("/", web::get().to(both))
                .wrap_fn(move |mut req, srv| {
                    if let Some(value) = rewrite.clone() {
                        req.headers_mut().insert(COOKIE, value);
                    }
                    srv.call(req)
                })
                .wrap(from_fn(refresh::<Session, _>))
                .wrap(from_fn(refresh::<Theme, _>)),
        )
        .await,
    )
}

/// Only read without a `refresh` middleware, and never elsewhere: the warning is once per type
/// for the whole process.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-lazy",
    salt = "tests.adapters-actix.idle.v1",
    max_age = "8h",
    idle = "30m"
)]
struct IdleSession {
    user: String,
}

/// Only read under its `refresh` middleware.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-lazy-refreshed",
    salt = "tests.adapters-actix.idle-refreshed.v1",
    max_age = "8h",
    idle = "30m"
)]
struct RefreshedIdle {
    user: String,
}

async fn idle(Sealed(session): Sealed<IdleSession>) -> String {
    session.user
}

async fn refreshed_idle(Sealed(session): Sealed<RefreshedIdle>) -> String {
    session.user
}

/// An `idle` type read where no `refresh` middleware for it runs is served, with a `warn`
/// naming the layer to add, once per type; under its middleware, or for a type without
/// `idle`, nothing is logged.
// `test` is actix-web's module here.
#[::core::prelude::v1::test]
fn an_idle_type_read_without_its_refresh_middleware_warns_once() {
    let keys = KeyRing::new(Key::generate());
    let idle_cookie = format!(
        "__Host-lazy={}",
        IdleSession { user: "ann".into() }.seal(&keys).unwrap()
    );
    let refreshed_cookie = format!(
        "__Host-lazy-refreshed={}",
        RefreshedIdle { user: "bo".into() }.seal(&keys).unwrap()
    );
    let session_cookie = cookie_pair(&Session { user: "cy".into() }.seal(&keys).unwrap());
    let (answers, logs) = typed_cookies_testkit::logs_of(|| {
        actix_web::rt::System::new().block_on(async move {
            let app = test::init_service(
                App::new()
                    .app_data(web::Data::new(keys))
                    .route("/idle", web::get().to(idle))
                    .route("/strict", web::get().to(strict))
                    .service(
                        web::resource("/refreshed")
                            .wrap(from_fn(refresh::<RefreshedIdle, _>))
                            .route(web::get().to(refreshed_idle)),
                    ),
            )
            .await;
            let mut answers = Vec::new();
            for (uri, cookie) in [
                ("/idle", idle_cookie.as_bytes()),
                ("/idle", idle_cookie.as_bytes()),
                ("/refreshed", refreshed_cookie.as_bytes()),
                ("/strict", session_cookie.as_slice()),
            ] {
                let (status, body) = get_with(&app, uri, &[cookie]).await;
                answers.push((status.as_u16(), body));
            }
            answers
        })
    });
    let ok = |body: &str| (200, body.to_owned());
    assert_eq!(answers, [ok("ann"), ok("ann"), ok("bo"), ok("hello cy")]);
    let warned: Vec<&String> = logs
        .iter()
        .filter(|(level, _)| *level == tracing::Level::WARN)
        .map(|(_, text)| text)
        .collect();
    assert_eq!(warned.len(), 1, "once, for `IdleSession` only: {warned:?}");
    assert!(
        warned[0].contains("refresh::<adapters::actix_adapter::IdleSession, _>")
            && warned[0].contains("__Host-lazy"),
        "{warned:?}"
    );
}
