//! The docs' middleware-order advice, run in both frameworks: the binding inserted outside
//! `guarded` binds, inside it fails closed with the same 500 for any cookie; the middleware's
//! refresh stays bound; a binding is per request (a pooled actix-web request keeps none); an
//! anonymous visitor without the binding's header is no server error.

use typed_cookies::guard::AppBinding;
use typed_cookies_testkit::{clocked, ring};

use crate::{AppOnly, NO_BINDING};

mod axum_adapter {
    use super::*;

    use axum::middleware::{from_fn, from_fn_with_state};
    use axum::routing::{get, post};
    use axum::Router;
    use typed_cookies::integrations::axum::guarded;
    use typed_cookies::ManualClock;

    use crate::axum_app::{
        device_binding as device_binding_or_empty, device_binding_if_sent as device_binding, maybe,
        me, sign_in,
    };
    use crate::axum_call as call;
    use crate::axum_guard_state::AppState;

    fn routes() -> Router<AppState> {
        Router::new()
            .route("/sign-in", post(sign_in::<AppOnly>))
            .route("/me", get(me::<AppOnly>))
            .route("/maybe", get(maybe::<AppOnly>))
            .route("/public", get(|| async { "public" }))
    }

    #[derive(Clone, Copy, Debug)]
    enum Order {
        /// `Router::layer(guarded).layer(binding)`: binding outside (the docs).
        RouterBindingOutside,
        /// `Router::layer(binding).layer(guarded)`: binding inside.
        RouterBindingInside,
        /// `ServiceBuilder::new().layer(binding).layer(guarded)`: binding outside (a
        /// ServiceBuilder's *first* layer runs first).
        ServiceBuilderBindingFirst,
        /// `ServiceBuilder::new().layer(guarded).layer(binding)`: "layered after guarded"
        /// in the ServiceBuilder sense, so the binding is inside.
        ServiceBuilderBindingAfter,
        /// No `guarded` middleware: the extractors alone, a setup mistake (500).
        NoGuarded,
        /// As `RouterBindingOutside`, with the docs' binding on every request (empty bytes
        /// without the header).
        RouterAlwaysBinding,
    }

    fn app(order: Order) -> (Router, ManualClock) {
        let (keys, clock) = clocked(&ring());
        let state = AppState::new(keys);
        let guarded = from_fn_with_state(state.clone(), guarded::<AppOnly, AppState>);
        let binding = from_fn(device_binding);
        let router = match order {
            Order::RouterBindingOutside => routes().layer(guarded).layer(binding),
            Order::RouterBindingInside => routes().layer(binding).layer(guarded),
            Order::ServiceBuilderBindingFirst => {
                routes().layer(tower::ServiceBuilder::new().layer(binding).layer(guarded))
            }
            Order::ServiceBuilderBindingAfter => {
                routes().layer(tower::ServiceBuilder::new().layer(guarded).layer(binding))
            }
            Order::NoGuarded => routes().layer(binding),
            Order::RouterAlwaysBinding => routes()
                .layer(guarded)
                .layer(from_fn(device_binding_or_empty)),
        };
        (router.with_state(state), clock)
    }

    async fn sign_in_as(app: &Router, device: &str) -> String {
        let reply = call(app, "POST", "/sign-in", None, Some(device)).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.pair("__Host-app").expect("a session cookie")
    }

    /// The docs' order works, in Router and ServiceBuilder spelling alike.
    #[tokio::test]
    async fn binding_outside_guarded_binds() {
        for order in [
            Order::RouterBindingOutside,
            Order::ServiceBuilderBindingFirst,
        ] {
            let (app, _) = app(order);
            let cookie = sign_in_as(&app, "A").await;
            let me = call(&app, "GET", "/me", Some(&cookie), Some("A")).await;
            assert_eq!(me.answer(), (200, "ann"), "{order:?}");
            let thief = call(&app, "GET", "/me", Some(&cookie), Some("B")).await;
            assert_eq!(thief.status, 401, "{order:?}");
            let maybe = call(&app, "GET", "/maybe", Some(&cookie), Some("B")).await;
            assert_eq!(maybe.answer(), (200, "anonymous"), "{order:?}");
        }
    }

    /// The wrong order fails closed: the `guarded` middleware, running first, finds no
    /// binding and answers 500 for every request on its routes — `ServiceBuilder` included,
    /// where "a later `.layer` runs first" (the docs' rule for `Router::layer`) is reversed.
    #[tokio::test]
    async fn binding_inside_guarded_fails_closed() {
        for order in [
            Order::RouterBindingInside,
            Order::ServiceBuilderBindingAfter,
        ] {
            // A cookie from a correctly ordered app (same fixture keys).
            let (good, _) = app(Order::RouterBindingOutside);
            let (app, _) = app(order);
            let refused = call(&app, "POST", "/sign-in", None, Some("A")).await;
            assert_eq!(refused.answer(), NO_BINDING, "{order:?}");
            let cookie = sign_in_as(&good, "A").await;
            for (uri, cookie) in [("/me", Some(&cookie)), ("/maybe", Some(&cookie))] {
                let reply = call(&app, "GET", uri, cookie.map(String::as_str), Some("A")).await;
                assert_eq!(reply.answer(), NO_BINDING, "{order:?} {uri}");
                assert!(reply.set_cookies.is_empty(), "{:?}", reply.set_cookies);
            }
            // `guarded` wraps every route of the router, public ones included.
            let public = call(&app, "GET", "/public", None, Some("A")).await;
            assert_eq!(public.answer(), NO_BINDING, "{order:?}");
        }
    }

    /// Without a binding the answer is the same 500 whatever the cookie: no oracle on the
    /// cookie, and nothing set or removed.
    #[tokio::test]
    async fn no_binding_is_the_same_500_for_any_cookie() {
        for order in [Order::RouterBindingOutside, Order::NoGuarded] {
            let (app, _) = app(order);
            let cookie = sign_in_as(&app, "A").await;
            let forged = format!("__Host-app={}", "A".repeat(80));
            for uri in ["/me", "/maybe"] {
                for cookie in [Some(cookie.as_str()), Some(forged.as_str()), None] {
                    let reply = call(&app, "GET", uri, cookie, None).await;
                    assert_eq!(reply.answer(), NO_BINDING, "{order:?} {uri} {cookie:?}");
                    assert!(reply.set_cookies.is_empty());
                }
            }
        }
    }

    /// A refresh by the `guarded` middleware reseals under the request's binding: the new
    /// value does not open on another device.
    #[tokio::test]
    async fn the_middlewares_refresh_stays_bound() {
        let (app, clock) = app(Order::RouterBindingOutside);
        let cookie = sign_in_as(&app, "A").await;
        clock.advance(time::Duration::minutes(40));
        let refreshed = call(&app, "GET", "/me", Some(&cookie), Some("A")).await;
        assert_eq!(refreshed.answer(), (200, "ann"));
        let renewed = refreshed.pair("__Host-app").expect("an idle refresh");
        assert_ne!(renewed, cookie);
        let thief = call(&app, "GET", "/me", Some(&renewed), Some("B")).await;
        assert_eq!(thief.status, 401);
        // The refused copy is removed for the thief, not resealed to B.
        assert!(thief.removes("__Host-app"), "{:?}", thief.set_cookies);
        assert!(thief.pair("__Host-app").is_none());
        let me = call(&app, "GET", "/me", Some(&renewed), Some("A")).await;
        assert_eq!(me.answer(), (200, "ann"));
    }

    /// The docs' middleware binds every request (empty bytes without `x-device-id`): an
    /// anonymous visitor without the header is no 500 (a condition the client chooses, not a
    /// setup mistake), and a device-bound cookie presented without it is refused (401).
    #[tokio::test]
    async fn an_anonymous_visitor_without_the_header_is_not_a_server_error() {
        for order in [Order::RouterAlwaysBinding] {
            let (app, _) = app(order);
            let maybe = call(&app, "GET", "/maybe", None, None).await;
            assert_eq!(maybe.answer(), (200, "anonymous"), "{order:?}");
            let public = call(&app, "GET", "/public", None, None).await;
            assert_eq!(public.answer(), (200, "public"), "{order:?}");
            let cookie = sign_in_as(&app, "A").await;
            let bound = call(&app, "GET", "/me", Some(&cookie), Some("A")).await;
            assert_eq!(bound.answer(), (200, "ann"), "{order:?}");
            let thief = call(&app, "GET", "/me", Some(&cookie), None).await;
            assert_eq!(thief.status, 401, "{order:?}");
            // A sign-in without the header must not issue a value bound to empty bytes
            // (it would open for anyone who sends none).
            let unbound = call(&app, "POST", "/sign-in", None, None).await;
            assert_eq!(unbound.status, 500, "{order:?}");
            assert!(unbound.pair("__Host-app").is_none(), "{order:?}");
            let empty = call(&app, "POST", "/sign-in", None, Some("")).await;
            assert_eq!(empty.status, 500, "{order:?}");
            assert!(empty.pair("__Host-app").is_none(), "{order:?}");
        }
    }

    #[tokio::test]
    async fn the_binding_is_per_request() {
        let (app, _) = app(Order::RouterBindingOutside);
        let cookie = sign_in_as(&app, "A").await;
        let bound = call(&app, "GET", "/me", Some(&cookie), Some("A")).await;
        assert_eq!(bound.status, 200);
        let next = call(&app, "GET", "/me", Some(&cookie), None).await;
        assert_eq!(next.answer(), NO_BINDING);
    }
}

mod actix_adapter {
    use super::*;

    use crate::actix_call as call;

    use actix_web::body::MessageBody;
    use actix_web::dev::{Service, ServiceResponse};

    use actix_web::middleware::{from_fn, Condition};
    use actix_web::{test, web, App, HttpMessage as _};
    use typed_cookies::integrations::actix::{guarded, Guarded, MaybeGuarded};

    async fn me(session: Guarded<AppOnly>) -> String {
        session.user.clone()
    }

    async fn maybe(MaybeGuarded(session): MaybeGuarded<AppOnly>) -> String {
        session.map_or("anonymous".to_owned(), |s| s.user.clone())
    }

    async fn option(session: Option<Guarded<AppOnly>>) -> String {
        session.map_or("anonymous".to_owned(), |s| s.user.clone())
    }

    /// A binding `wrap_fn` that inserts one only when the `x-device-id` header is there (the
    /// docs bind every request; this shows that no binding fails closed).
    macro_rules! with_binding {
        ($app:expr) => {
            $app.wrap_fn(|req, srv| {
                if let Some(device) = req.headers().get("x-device-id") {
                    let binding = AppBinding::new(device.as_bytes());
                    req.extensions_mut().insert(binding);
                }
                srv.call(req)
            })
        };
    }

    fn base() -> App<
        impl actix_web::dev::ServiceFactory<
            actix_web::dev::ServiceRequest,
            Config = (),
            Response = ServiceResponse,
            Error = actix_web::Error,
            InitError = (),
        >,
    > {
        crate::actix_support::guarded_app(ring())
            .route(
                "/sign-in",
                web::post().to(crate::actix_support::sign_in::<AppOnly>),
            )
            .route("/me", web::get().to(me))
            .route("/maybe", web::get().to(maybe))
            .route("/option", web::get().to(option))
            .route("/public", web::get().to(|| async { "public" }))
    }

    /// The docs' order: `guarded` registered first, the binding after it (so it runs first).
    async fn docs_order(
        layer: bool,
    ) -> impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    > {
        test::init_service(with_binding!(
            base().wrap(Condition::new(layer, from_fn(guarded::<AppOnly, _>)))
        ))
        .await
    }

    /// The reverse: the binding registered first, `guarded` after it (so `guarded` runs first).
    async fn reversed() -> impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    > {
        test::init_service(with_binding!(base()).wrap(from_fn(guarded::<AppOnly, _>))).await
    }

    fn get(uri: &str) -> test::TestRequest {
        test::TestRequest::get().uri(uri)
    }

    async fn sign_in_as<B: MessageBody>(
        app: &impl Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
        device: &str,
    ) -> String {
        let reply = call(
            app,
            test::TestRequest::post().uri("/sign-in"),
            None,
            Some(device),
        )
        .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.pair("__Host-app").expect("a session cookie")
    }

    #[actix_web::test]
    async fn the_docs_order_binds() {
        // Without the layer the extractors are a setup mistake (500), not a binding check.
        for layer in [true] {
            let app = docs_order(layer).await;
            let cookie = sign_in_as(&app, "A").await;
            assert_eq!(
                call(&app, get("/me"), Some(&cookie), Some("A"))
                    .await
                    .answer(),
                (200, "ann")
            );
            assert_eq!(
                call(&app, get("/me"), Some(&cookie), Some("B"))
                    .await
                    .status,
                401
            );
            for uri in ["/maybe", "/option"] {
                assert_eq!(
                    call(&app, get(uri), Some(&cookie), Some("B"))
                        .await
                        .answer(),
                    (200, "anonymous"),
                    "{uri}"
                );
            }
        }
    }

    /// The reverse order fails closed: `guarded` runs first and answers 500 on every route.
    #[actix_web::test]
    async fn the_reverse_order_fails_closed() {
        let good = docs_order(true).await;
        let cookie = sign_in_as(&good, "A").await;
        let app = reversed().await;
        for uri in ["/me", "/maybe", "/option", "/public"] {
            let reply = call(&app, get(uri), Some(&cookie), Some("A")).await;
            assert_eq!(reply.answer(), NO_BINDING, "{uri}");
            assert!(reply.set_cookies.is_empty());
        }
    }

    /// actix-web pools `HttpRequest`s: a binding inserted for one request must not serve the
    /// next one on the same worker.
    #[actix_web::test]
    async fn a_pooled_request_does_not_keep_the_previous_binding() {
        for layer in [true] {
            let app = docs_order(layer).await;
            let cookie = sign_in_as(&app, "A").await;
            for _ in 0..3 {
                let bound = call(&app, get("/me"), Some(&cookie), Some("A")).await;
                assert_eq!(bound.answer(), (200, "ann"));
                let next = call(&app, get("/me"), Some(&cookie), None).await;
                assert_eq!(next.answer(), NO_BINDING, "guarded layer: {layer}");
            }
        }
    }

    /// No binding: the same 500 whatever the cookie (no oracle), and actix-web's
    /// `Option<Guarded<T>>` turns it into `None` (a setup mistake hidden, but nothing opened).
    #[actix_web::test]
    async fn no_binding_opens_nothing() {
        let app = docs_order(false).await;
        let cookie = sign_in_as(&app, "A").await;
        let forged = format!("__Host-app={}", "A".repeat(80));
        for cookie in [Some(cookie.as_str()), Some(forged.as_str()), None] {
            for uri in ["/me", "/maybe"] {
                let reply = call(&app, get(uri), cookie, None).await;
                assert_eq!(reply.answer(), NO_BINDING, "{uri} {cookie:?}");
            }
            let option = call(&app, get("/option"), cookie, None).await;
            assert_eq!(option.answer(), (200, "anonymous"));
        }
    }
}
