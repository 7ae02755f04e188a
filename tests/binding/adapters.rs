//! `bind = "app"` through the framework adapters: the application inserts an `AppBinding`
//! (here from an `x-device-id` header) into the request's extensions in a middleware of its
//! own; `client_context_of::<T>` at sign-in, the `Guarded<T>` extractor (axum's
//! `Option<Guarded<T>>`, actix-web's `MaybeGuarded<T>`) and the `guarded` middleware bind to
//! it. The same device opens the cookie, another device is refused (401), a request without a
//! binding is a logged 500 (`SealedRejection::NoAppBinding`), and a type that does not bind
//! `app` never needs one.

use serde::{Deserialize, Serialize};
use typed_cookies::guard::AppBinding;
use typed_cookies::integrations::SealedRejection;
use typed_cookies::SealedCookie;
use typed_cookies_testkit::{logs_of, ring};

use crate::actix_support;

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

actix_support::accounts!(Device, Browser);

const NO_BINDING_BODY: &str = "500 Internal Server Error\n";

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

    use axum::middleware::{from_fn, from_fn_with_state};
    use axum::routing::{get, post};
    use axum::Router;
    use typed_cookies::integrations::axum::guarded;

    use crate::axum_app::{device_binding_if_sent as device_binding, maybe, me, sign_in};
    use crate::axum_call as call;
    use crate::axum_guard_state::AppState;

    /// The routes; with `layer`, `Device` goes through the `guarded` middleware (installed
    /// before, so inside, the application's binding middleware); `Browser` always does.
    fn app(layer: bool) -> Router {
        let state = AppState::new(ring());
        let mut router = Router::new()
            .route("/device/sign-in", post(sign_in::<Device>))
            .route("/device", get(me::<Device>))
            .route("/device/maybe", get(maybe::<Device>))
            .route("/browser/sign-in", post(sign_in::<Browser>))
            .route("/browser", get(me::<Browser>));
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
                        && text.contains("guarded::<binding::adapters::Device, _>")),
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
            assert_eq!((me.status, me.body.as_str()), (200, "ann"));
        }
    }
}

mod actix_adapter {
    use super::*;

    use crate::actix_call as call;
    use crate::axum_app::Reply;

    use crate::actix_support::{hello, maybe, sign_in};

    use actix_web::body::MessageBody;
    use actix_web::dev::{Service, ServiceResponse};

    use actix_web::middleware::{from_fn, Condition};
    use actix_web::{test, web, HttpMessage as _};
    use typed_cookies::integrations::actix::guarded;

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
            crate::actix_support::guarded_app(ring())
                .route("/device/sign-in", web::post().to(sign_in::<Device>))
                .route("/device", web::get().to(hello::<Device>))
                .route("/device/maybe", web::get().to(maybe::<Device>))
                .route("/browser/sign-in", web::post().to(sign_in::<Browser>))
                .route("/browser", web::get().to(hello::<Browser>))
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
        assert_eq!((same.status, same.body.as_str()), (200, "hello ann"));
        let maybe = call(&app, get("/device/maybe"), Some(&cookie), Some("device-1")).await;
        assert_eq!((maybe.status, maybe.body.as_str()), (200, "some ann"));

        let other = call(&app, get("/device"), Some(&cookie), Some("device-2")).await;
        assert_eq!(
            (other.status, other.body.as_str()),
            (401, "401 Unauthorized: no valid `__Host-device` cookie\n")
        );
        let maybe = call(&app, get("/device/maybe"), Some(&cookie), Some("device-2")).await;
        assert_eq!((maybe.status, maybe.body.as_str()), (200, "none"));
        if layer {
            // The middleware removes a copy refused for another device, not one refused for
            // want of any bytes (a top-level navigation carries no custom header: removing
            // it then would let any site that links here sign the user out).
            let removed = |r: &Reply| {
                r.set_cookies
                    .iter()
                    .any(|c| c.starts_with("__Host-device=;"))
            };
            assert!(removed(&other), "{:?}", other.set_cookies);
            let none = call(&app, get("/device"), Some(&cookie), Some("")).await;
            assert_eq!(none.status, 401);
            assert!(!removed(&none), "{:?}", none.set_cookies);
            let again = call(&app, get("/device"), Some(&cookie), Some("device-1")).await;
            assert_eq!((again.status, again.body.as_str()), (200, "hello ann"));
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
            assert_eq!((me.status, me.body.as_str()), (200, "hello ann"));
        }
    }
}
