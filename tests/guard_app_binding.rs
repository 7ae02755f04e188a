//! `bind = "app"` through the framework adapters: the application inserts an `AppBinding`
//! (here from an `x-device-id` header) into the request's extensions in a middleware of its
//! own; `client_context_of::<T>` at sign-in, the `Guarded<T>` extractor (axum's
//! `Option<Guarded<T>>`, actix-web's `MaybeGuarded<T>`) and the `guarded` middleware bind to
//! it. The same device opens the cookie, another device is refused (401), a request without a
//! binding is a logged 500 (`SealedRejection::NoAppBinding`), and a type that does not bind
//! `app` never needs one.

use serde::{Deserialize, Serialize};
use typed_cookies::guard::{AppBinding, Guard};
use typed_cookies::integrations::SealedRejection;
use typed_cookies::store::MemoryStore;
use typed_cookies::{KeyRing, SealedCookie};
use typed_cookies_testkit::{logs_of, ring};

mod actix_support;
mod axum_guard_state;
mod axum_support;

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-device",
    salt = "tests.guard-app-binding.device.v1",
    max_age = "8h",
    encrypt,
    revocable,
    bind = "app"
)]
struct Device {
    user: String,
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-browser",
    salt = "tests.guard-app-binding.browser.v1",
    max_age = "8h",
    bind = "user_agent"
)]
struct Browser {
    user: String,
}

const FIREFOX: &str = "Mozilla/5.0 Firefox/140";
const NO_BINDING_BODY: &str = "500 Internal Server Error\n";

/// What a test request sends, and what came back.
struct Response {
    status: u16,
    set_cookies: Vec<String>,
    body: String,
}

impl Response {
    /// `name=value` of the first `Set-Cookie` for `name`.
    fn pair(&self, name: &str) -> Option<String> {
        self.set_cookies
            .iter()
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(|c| c.split(';').next().unwrap().to_owned())
    }
}

/// A `NoAppBinding` rejection was logged at `error`, naming the cookie and the fix.
fn assert_logged_no_app_binding(logs: &[(tracing::Level, String)], name: &str) {
    assert!(
        logs.iter()
            .any(|(level, text)| *level == tracing::Level::ERROR
                && text.contains(name)
                && text.contains("AppBinding")
                && text.contains("extensions")),
        "{logs:?}"
    );
}

#[test]
fn app_binding_debug_does_not_show_the_bytes() {
    let binding = AppBinding::new("device-secret-7f3a");
    let shown = format!("{binding:?}");
    assert!(!shown.contains("7f3a"), "{shown}");
    assert_eq!(binding.clone().as_bytes(), b"device-secret-7f3a");
    let rejection = SealedRejection::NoAppBinding {
        name: "__Host-device",
    };
    assert_eq!(rejection.status(), 500);
    assert_eq!(rejection.body(), NO_BINDING_BODY);
}

mod axum_adapter {
    use super::*;

    use axum::body::Body;
    use axum::extract::{Request, State};
    use axum::http::header;
    use axum::http::request::Parts;
    use axum::middleware::{from_fn, from_fn_with_state, Next};
    use axum::response::{IntoResponse, Response as AxumResponse};
    use axum::routing::{get, post};
    use axum::Router;
    use typed_cookies::guard::Issued;
    use typed_cookies::integrations::axum::{client_context_of, guarded, Guarded};

    use crate::axum_guard_state::AppState;

    /// The application's middleware: the device id header, when there is one, as the binding.
    async fn device_binding(mut request: Request, next: Next) -> AxumResponse {
        if let Some(device) = request.headers().get("x-device-id").cloned() {
            request
                .extensions_mut()
                .insert(AppBinding::new(device.as_bytes()));
        }
        next.run(request).await
    }

    async fn device_sign_in(
        State(state): State<AppState>,
        parts: Parts,
    ) -> Result<Issued, AxumResponse> {
        let client = client_context_of::<Device>(&parts, &state.guard)
            .map_err(IntoResponse::into_response)?;
        let device = Device { user: "ann".into() };
        state
            .guard
            .issue(&state.keys, &device, Some("user:ann"), &client)
            .await
            .map_err(IntoResponse::into_response)
    }

    async fn browser_sign_in(
        State(state): State<AppState>,
        parts: Parts,
    ) -> Result<Issued, AxumResponse> {
        let client = client_context_of::<Browser>(&parts, &state.guard)
            .map_err(IntoResponse::into_response)?;
        let browser = Browser { user: "bo".into() };
        state
            .guard
            .issue(&state.keys, &browser, None, &client)
            .await
            .map_err(IntoResponse::into_response)
    }

    /// The routes; with `layer`, `Device` goes through the `guarded` middleware (installed
    /// before, so inside, the application's binding middleware); `Browser` always does.
    fn app(layer: bool) -> Router {
        let state = AppState {
            keys: ring(),
            guard: Guard::new(MemoryStore::new()),
        };
        let mut router = Router::new()
            .route("/device/sign-in", post(device_sign_in))
            .route(
                "/device",
                get(|d: Guarded<Device>| async move { d.user.clone() }),
            )
            .route(
                "/device/maybe",
                get(|d: Option<Guarded<Device>>| async move {
                    d.map_or("anonymous".to_owned(), |d| d.user.clone())
                }),
            )
            .route("/browser/sign-in", post(browser_sign_in))
            .route(
                "/browser",
                get(|b: Guarded<Browser>| async move { b.user.clone() }),
            );
        if layer {
            router = router.layer(from_fn_with_state(
                state.clone(),
                guarded::<Device, AppState>,
            ));
        }
        router = router.layer(from_fn_with_state(
            state.clone(),
            guarded::<Browser, AppState>,
        ));
        router.layer(from_fn(device_binding)).with_state(state)
    }

    async fn call(
        app: &Router,
        method: &str,
        uri: &str,
        cookie: Option<&str>,
        device: Option<&str>,
    ) -> Response {
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::USER_AGENT, FIREFOX);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        if let Some(device) = device {
            request = request.header("x-device-id", device);
        }
        let response = super::axum_support::send(app, request.body(Body::empty()).unwrap()).await;
        Response {
            status: response.status.as_u16(),
            set_cookies: response.set_cookies,
            body: response.body,
        }
    }

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    async fn bound_to_the_device(app: &Router) {
        let signed_in = call(app, "POST", "/device/sign-in", None, Some("device-1")).await;
        assert_eq!(signed_in.status, 200, "{}", signed_in.body);
        let cookie = signed_in.pair("__Host-device").expect("a device cookie");

        let same = call(app, "GET", "/device", Some(&cookie), Some("device-1")).await;
        assert_eq!((same.status, same.body.as_str()), (200, "ann"));
        let maybe = call(app, "GET", "/device/maybe", Some(&cookie), Some("device-1")).await;
        assert_eq!((maybe.status, maybe.body.as_str()), (200, "ann"));

        let other = call(app, "GET", "/device", Some(&cookie), Some("device-2")).await;
        assert_eq!(
            (other.status, other.body.as_str()),
            (401, "401 Unauthorized: no valid `__Host-device` cookie\n")
        );
        let maybe = call(app, "GET", "/device/maybe", Some(&cookie), Some("device-2")).await;
        assert_eq!((maybe.status, maybe.body.as_str()), (200, "anonymous"));
    }

    /// Without `Device`'s `guarded` middleware the extractors are a setup mistake: a logged
    /// 500 naming the layer to add, whatever the binding.
    #[test]
    fn the_extractor_without_its_middleware_is_a_logged_500() {
        let app = app(false);
        for uri in ["/device", "/device/maybe"] {
            let (response, logs) =
                logs_of(|| block_on(call(&app, "GET", uri, None, Some("device-1"))));
            assert_eq!(
                (response.status, response.body.as_str()),
                (500, NO_BINDING_BODY)
            );
            assert!(
                logs.iter()
                    .any(|(level, text)| *level == tracing::Level::ERROR
                        && text.contains("guarded::<guard_app_binding::Device, _>")),
                "{logs:?}"
            );
        }
    }

    #[tokio::test]
    async fn the_guarded_middleware_binds_to_the_requests_app_binding() {
        bound_to_the_device(&app(true)).await;
    }

    #[test]
    fn no_app_binding_is_a_logged_500_at_sign_in_and_open() {
        // Without the layer, `/device` is a 500 for want of it (see above).
        for layer in [true] {
            let app = app(layer);
            let cookie = block_on(call(
                &app,
                "POST",
                "/device/sign-in",
                None,
                Some("device-1"),
            ))
            .pair("__Host-device")
            .unwrap();
            for (method, uri, cookie) in [
                ("POST", "/device/sign-in", None),
                ("GET", "/device", Some(cookie.as_str())),
                ("GET", "/device", None),
                ("GET", "/device/maybe", Some(cookie.as_str())),
            ] {
                let (response, logs) = logs_of(|| block_on(call(&app, method, uri, cookie, None)));
                assert_eq!(
                    (response.status, response.body.as_str()),
                    (500, NO_BINDING_BODY),
                    "{method} {uri} (guarded layer: {layer})"
                );
                assert!(
                    response.set_cookies.is_empty(),
                    "{:?}",
                    response.set_cookies
                );
                assert_logged_no_app_binding(&logs, "__Host-device");
            }
        }
    }

    #[tokio::test]
    async fn a_type_not_bound_to_app_needs_no_app_binding() {
        let app = app(false);
        let cookie = call(&app, "POST", "/browser/sign-in", None, None)
            .await
            .pair("__Host-browser")
            .expect("a browser cookie");
        for device in [None, Some("device-9")] {
            let me = call(&app, "GET", "/browser", Some(&cookie), device).await;
            assert_eq!((me.status, me.body.as_str()), (200, "bo"));
        }
    }
}

mod actix_adapter {
    use super::*;

    use actix_web::body::MessageBody;
    use actix_web::dev::{Service, ServiceResponse};
    use actix_web::http::header::{COOKIE, USER_AGENT};
    use actix_web::middleware::{from_fn, Condition};
    use actix_web::{test, web, App, HttpMessage as _, HttpRequest, HttpResponse};
    use typed_cookies::integrations::actix::{
        client_context_of, guarded, Guarded, MaybeGuarded, ResponseBuilderExt,
    };

    async fn device_sign_in(
        req: HttpRequest,
        keys: web::Data<KeyRing>,
        guard: web::Data<Guard>,
    ) -> Result<HttpResponse, actix_web::Error> {
        let client = client_context_of::<Device>(&req, &guard)?;
        let issued = guard
            .issue(
                &keys,
                &Device { user: "ann".into() },
                Some("user:ann"),
                &client,
            )
            .await?;
        Ok(HttpResponse::Ok().issued(&issued).finish())
    }

    async fn browser_sign_in(
        req: HttpRequest,
        keys: web::Data<KeyRing>,
        guard: web::Data<Guard>,
    ) -> Result<HttpResponse, actix_web::Error> {
        let client = client_context_of::<Browser>(&req, &guard)?;
        let issued = guard
            .issue(&keys, &Browser { user: "bo".into() }, None, &client)
            .await?;
        Ok(HttpResponse::Ok().issued(&issued).finish())
    }

    async fn device(session: Guarded<Device>) -> String {
        session.user.clone()
    }

    async fn device_maybe(MaybeGuarded(session): MaybeGuarded<Device>) -> String {
        session.map_or("anonymous".to_owned(), |s| s.user.clone())
    }

    async fn browser(session: Guarded<Browser>) -> String {
        session.user.clone()
    }

    /// The routes; with `layer`, `Device` goes through the `guarded` middleware (registered
    /// before, so inside, the application's binding `wrap_fn`); `Browser` always does.
    async fn app(
        layer: bool,
    ) -> impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    > {
        test::init_service(
            App::new()
                .app_data(web::Data::new(ring()))
                .app_data(web::Data::new(Guard::new(MemoryStore::new())))
                .route("/device/sign-in", web::post().to(device_sign_in))
                .route("/device", web::get().to(device))
                .route("/device/maybe", web::get().to(device_maybe))
                .route("/browser/sign-in", web::post().to(browser_sign_in))
                .route("/browser", web::get().to(browser))
                .wrap(from_fn(guarded::<Browser, _>))
                .wrap(Condition::new(layer, from_fn(guarded::<Device, _>)))
                // The application's middleware: the device id header, when there is one.
                .wrap_fn(|req, srv| {
                    if let Some(device) = req.headers().get("x-device-id") {
                        let binding = AppBinding::new(device.as_bytes());
                        req.extensions_mut().insert(binding);
                    }
                    srv.call(req)
                }),
        )
        .await
    }

    async fn call<B: MessageBody>(
        app: &impl Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
        request: test::TestRequest,
        cookie: Option<&str>,
        device: Option<&str>,
    ) -> Response {
        let mut request = request.insert_header((USER_AGENT, FIREFOX));
        if let Some(cookie) = cookie {
            request = request.insert_header((COOKIE, cookie));
        }
        if let Some(device) = device {
            request = request.insert_header(("x-device-id", device));
        }
        let response = crate::actix_support::send(app, request).await;
        Response {
            status: response.status.as_u16(),
            set_cookies: response.set_cookies,
            body: response.body,
        }
    }

    fn get(uri: &str) -> test::TestRequest {
        test::TestRequest::get().uri(uri)
    }

    fn post(uri: &str) -> test::TestRequest {
        test::TestRequest::post().uri(uri)
    }

    async fn bound_to_the_device(layer: bool) {
        let app = app(layer).await;
        let signed_in = call(&app, post("/device/sign-in"), None, Some("device-1")).await;
        assert_eq!(signed_in.status, 200, "{}", signed_in.body);
        let cookie = signed_in.pair("__Host-device").expect("a device cookie");

        let same = call(&app, get("/device"), Some(&cookie), Some("device-1")).await;
        assert_eq!((same.status, same.body.as_str()), (200, "ann"));
        let maybe = call(&app, get("/device/maybe"), Some(&cookie), Some("device-1")).await;
        assert_eq!((maybe.status, maybe.body.as_str()), (200, "ann"));

        let other = call(&app, get("/device"), Some(&cookie), Some("device-2")).await;
        assert_eq!(
            (other.status, other.body.as_str()),
            (401, "401 Unauthorized: no valid `__Host-device` cookie\n")
        );
        let maybe = call(&app, get("/device/maybe"), Some(&cookie), Some("device-2")).await;
        assert_eq!((maybe.status, maybe.body.as_str()), (200, "anonymous"));
        if layer {
            // The middleware removes a copy refused for another device, not one refused for
            // want of any bytes (a top-level navigation carries no custom header: removing
            // it then would let any site that links here sign the user out).
            let removed = |r: &Response| {
                r.set_cookies
                    .iter()
                    .any(|c| c.starts_with("__Host-device=;"))
            };
            assert!(removed(&other), "{:?}", other.set_cookies);
            let none = call(&app, get("/device"), Some(&cookie), Some("")).await;
            assert_eq!(none.status, 401);
            assert!(!removed(&none), "{:?}", none.set_cookies);
            let again = call(&app, get("/device"), Some(&cookie), Some("device-1")).await;
            assert_eq!((again.status, again.body.as_str()), (200, "ann"));
        }
    }

    /// Without `Device`'s `guarded` middleware the extractors are a setup mistake: a 500.
    #[actix_web::test]
    async fn the_extractor_without_its_middleware_is_a_500() {
        let app = app(false).await;
        for uri in ["/device", "/device/maybe"] {
            let response = call(&app, get(uri), None, Some("device-1")).await;
            assert_eq!(
                (response.status, response.body.as_str()),
                (500, NO_BINDING_BODY)
            );
        }
    }

    #[actix_web::test]
    async fn the_guarded_middleware_binds_to_the_requests_app_binding() {
        bound_to_the_device(true).await;
    }

    // `test` is actix-web's module here.
    #[::core::prelude::v1::test]
    fn no_app_binding_is_a_logged_500_at_sign_in_and_open() {
        let block_on = |future| actix_web::rt::System::new().block_on(future);
        for layer in [false, true] {
            let ((), logs) = logs_of(|| {
                block_on(async move {
                    let app = app(layer).await;
                    let cookie = call(&app, post("/device/sign-in"), None, Some("device-1"))
                        .await
                        .pair("__Host-device")
                        .unwrap();
                    for (request, cookie) in [
                        (post("/device/sign-in"), None),
                        (get("/device"), Some(cookie.as_str())),
                        (get("/device"), None),
                        (get("/device/maybe"), Some(cookie.as_str())),
                    ] {
                        let response = call(&app, request, cookie, None).await;
                        assert_eq!(
                            (response.status, response.body.as_str()),
                            (500, NO_BINDING_BODY),
                            "guarded layer: {layer}"
                        );
                        assert!(
                            response.set_cookies.is_empty(),
                            "{:?}",
                            response.set_cookies
                        );
                    }
                })
            });
            assert_logged_no_app_binding(&logs, "__Host-device");
        }
    }

    #[actix_web::test]
    async fn a_type_not_bound_to_app_needs_no_app_binding() {
        let app = app(false).await;
        let cookie = call(&app, post("/browser/sign-in"), None, None)
            .await
            .pair("__Host-browser")
            .expect("a browser cookie");
        for device in [None, Some("device-9")] {
            let me = call(&app, get("/browser"), Some(&cookie), device).await;
            assert_eq!((me.status, me.body.as_str()), (200, "bo"));
        }
    }
}
