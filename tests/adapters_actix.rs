//! The actix-web adapter, in process through `actix_web::test`: the shared adapter scenarios
//! (the three extractor forms against absent, valid, tampered, expired, wrong-salt, wrong-key,
//! duplicated and malformed cookies, see `adapter_scenarios`); keys from `web::Data<KeyRing>`,
//! a plain `KeyRing`, or missing; exact `Set-Cookie` and removal headers; refusal of an
//! oversize cookie.

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::{HeaderValue, COOKIE};
use actix_web::http::StatusCode;
use actix_web::{test, web, App, HttpResponse};
use typed_cookies::integrations::actix::{ResponseBuilderExt, Sealed, SealedRejection};
use typed_cookies::{Key, KeyRing, SealError, SealedCookie};

#[macro_use]
mod adapter_scenarios;
mod actix_support;

use actix_support::{send, Response};

use adapter_scenarios::{
    cookie_pair, t0, Big, Client, Session, SESSION_ATTRIBUTES, SESSION_REMOVAL,
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
async fn get_with(
    app: &impl Service<actix_http::Request, Response = ServiceResponse, Error = actix_web::Error>,
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

impl<S> Client for ActixClient<S>
where
    S: Service<actix_http::Request, Response = ServiceResponse, Error = actix_web::Error>,
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
