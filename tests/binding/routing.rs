//! `Router::nest`, `merge`, `route_layer` against `layer`, and `fallback`, with the docs'
//! device binding and `guarded` for `bind = "app"`: every route keeps the binding or
//! fails closed.

use super::axum_app::*;
use super::*;

const NAME: &str = "__Host-app";

fn fresh_state() -> AppState {
    state(clocked(&ring()).0, ClientIp::Peer)
}

/// A value for device "phone", from a correctly layered app over the same keys.
async fn phone_cookie() -> String {
    let state = fresh_state();
    let app = routes::<AppOnly>()
        .layer(guarded_layer!(AppOnly, state))
        .layer(from_fn(device_binding))
        .with_state(state);
    let reply = call(&app, "POST", "/sign-in", None, "phone").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.pair(NAME).unwrap()
}

/// Runs `app` for `uri` with the phone's cookie and device `device`: the answer, and
/// whether a configuration mistake was logged at `error`.
fn answer(app: &Router, uri: &str, cookie: &str, device: &str) -> ((u16, String), bool) {
    let (reply, logs) = logs_of(|| run(call(app, "GET", uri, Some(cookie), device)));
    let logged = logs.iter().any(|(level, text)| {
        *level == tracing::Level::ERROR && text.contains(NAME) && text.contains("AppBinding")
    });
    ((reply.status, reply.body), logged)
}

fn ok(body: &str) -> ((u16, String), bool) {
    ((200, body.to_owned()), false)
}

fn refused() -> ((u16, String), bool) {
    (
        (401, format!("401 Unauthorized: no valid `{NAME}` cookie\n")),
        false,
    )
}

fn no_binding() -> ((u16, String), bool) {
    ((NO_BINDING.0, NO_BINDING.1.to_owned()), true)
}

/// The 500 of an extractor that no `guarded` middleware covers (`NoGuardLayer`, logged
/// at `error` without mentioning `AppBinding`).
fn no_guarded_layer() -> ((u16, String), bool) {
    ((NO_BINDING.0, NO_BINDING.1.to_owned()), false)
}

/// The binding on the outer router reaches a nested router's `guarded` and a merged
/// router's own `guarded`; a merged router the binding does not wrap, or a nested
/// binding under an outer `guarded`, is a logged 500 — the optional extractor included,
/// which never turns the mistake into "anonymous".
#[test]
fn nest_and_merge_keep_the_binding_or_fail_closed() {
    let cookie = run(phone_cookie());
    let state = fresh_state();

    // Outer binding; `guarded` in the nested router and in a merged router.
    let good: Router = Router::new()
        .nest(
            "/api",
            routes::<AppOnly>().layer(guarded_layer!(AppOnly, state)),
        )
        .merge(
            Router::new()
                .route("/plain/me", get(me::<AppOnly>))
                .route("/plain/maybe", get(maybe::<AppOnly>))
                .layer(guarded_layer!(AppOnly, state)),
        )
        .layer(from_fn(device_binding))
        .with_state(state.clone());
    for uri in ["/api/me", "/plain/me"] {
        assert_eq!(answer(&good, uri, &cookie, "phone"), ok("ann"), "{uri}");
        assert_eq!(answer(&good, uri, &cookie, "laptop"), refused(), "{uri}");
        assert_eq!(answer(&good, uri, &cookie, ""), refused(), "{uri}");
    }
    for uri in ["/api/maybe", "/plain/maybe"] {
        assert_eq!(
            answer(&good, uri, &cookie, "laptop"),
            ok("anonymous"),
            "{uri}"
        );
    }
    // A sign-in under the nest binds to the device too.
    let nested = run(call(&good, "POST", "/api/sign-in", None, "tablet"));
    let tablet = nested.pair(NAME).unwrap();
    assert_eq!(answer(&good, "/plain/me", &tablet, "tablet"), ok("ann"));
    assert_eq!(answer(&good, "/plain/me", &tablet, "phone"), refused());

    // The binding inside the nest, `guarded` outside: everything is a logged 500.
    let inverted: Router = Router::new()
        .nest("/api", routes::<AppOnly>().layer(from_fn(device_binding)))
        .layer(guarded_layer!(AppOnly, state))
        .with_state(state.clone());
    for uri in ["/api/me", "/api/maybe", "/api/public", "/nowhere"] {
        assert_eq!(
            answer(&inverted, uri, &cookie, "phone"),
            no_binding(),
            "{uri}"
        );
    }
    let sign_in = run(call(&inverted, "POST", "/api/sign-in", None, "phone"));
    assert_eq!(sign_in.answer(), NO_BINDING);
    assert!(sign_in.set_cookies.is_empty());

    // A router merged after the binding was layered: its `guarded` finds none.
    let merged_late: Router = routes::<AppOnly>()
        .layer(guarded_layer!(AppOnly, state))
        .layer(from_fn(device_binding))
        .merge(
            Router::new()
                .route("/other/me", get(me::<AppOnly>))
                .route("/other/maybe", get(maybe::<AppOnly>))
                .layer(guarded_layer!(AppOnly, state)),
        )
        .with_state(state);
    assert_eq!(answer(&merged_late, "/me", &cookie, "phone"), ok("ann"));
    for uri in ["/other/me", "/other/maybe"] {
        for device in ["phone", "laptop"] {
            assert_eq!(
                answer(&merged_late, uri, &cookie, device),
                no_binding(),
                "{uri} {device}"
            );
        }
    }
}

/// `route_layer` runs for matched routes only, `layer` for the fallback too:
/// - binding by `layer`, `guarded` by `route_layer`: the fallback's extractors, which no
///   `guarded` covers, are a logged 500 (`NoGuardLayer`);
/// - binding by `route_layer`, `guarded` by `layer`: `guarded` runs before the binding on
///   every request, unknown paths included — all logged 500s;
/// - `guarded` by `layer`, binding by a later `route_layer`: matched routes bind, but
///   every unknown path (the fallback) becomes a logged 500, for any client.
#[test]
fn route_layer_layer_and_the_fallback() {
    let cookie = run(phone_cookie());
    let state = fresh_state();

    let route_guarded: Router = routes::<AppOnly>()
        .route_layer(guarded_layer!(AppOnly, state))
        .fallback(maybe::<AppOnly>)
        .layer(from_fn(device_binding))
        .with_state(state.clone());
    assert_eq!(answer(&route_guarded, "/me", &cookie, "phone"), ok("ann"));
    assert_eq!(answer(&route_guarded, "/me", &cookie, "laptop"), refused());
    for device in ["phone", "laptop"] {
        assert_eq!(
            answer(&route_guarded, "/nowhere", &cookie, device),
            no_guarded_layer()
        );
    }

    let route_bound: Router = routes::<AppOnly>()
        .route_layer(from_fn(device_binding))
        .fallback(maybe::<AppOnly>)
        .layer(guarded_layer!(AppOnly, state))
        .with_state(state.clone());
    for uri in ["/me", "/maybe", "/public", "/nowhere"] {
        assert_eq!(
            answer(&route_bound, uri, &cookie, "phone"),
            no_binding(),
            "{uri}"
        );
    }

    let fallback_unbound: Router = routes::<AppOnly>()
        .layer(guarded_layer!(AppOnly, state))
        .route_layer(from_fn(device_binding))
        .with_state(state.clone());
    assert_eq!(
        answer(&fallback_unbound, "/me", &cookie, "phone"),
        ok("ann")
    );
    assert_eq!(
        answer(&fallback_unbound, "/me", &cookie, "laptop"),
        refused()
    );
    // No cookie at all: still a 500, so any client can make one with any unknown URL.
    let (reply, logs) = logs_of(|| run(call(&fallback_unbound, "GET", "/nowhere", None, "")));
    assert_eq!(reply.answer(), NO_BINDING);
    assert_logged_error(&logs, NAME, "AppBinding");

    // No `guarded` at all, the binding only on matched routes: every extractor is a
    // logged 500 for want of the middleware.
    let bare_fallback: Router = routes::<AppOnly>()
        .route_layer(from_fn(device_binding))
        .fallback(maybe::<AppOnly>)
        .with_state(state);
    assert_eq!(
        answer(&bare_fallback, "/me", &cookie, "phone"),
        no_guarded_layer()
    );
    assert_eq!(
        answer(&bare_fallback, "/nowhere", &cookie, "laptop"),
        no_guarded_layer()
    );
}

/// The binding bytes of a tenant, from the `Host` header (every request gets one).
async fn tenant_binding(mut request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .map(|v| v.as_bytes().to_vec());
    request
        .extensions_mut()
        .insert(AppBinding::new(host.unwrap_or_default()));
    next.run(request).await
}

/// The `Guarded<T>` extractor takes the result `guarded` opened under the `AppBinding`
/// the request had *then*. With a tenant binding outside `guarded` and a device binding
/// added per route (`route_layer`), the device routes would accept a value for any
/// device (the handler's `client_context_of`, and its sign-in, sees the device bytes; the
/// check saw the tenant's): the extractor refuses (a logged 500) when the request's
/// binding is not the one the middleware opened under (this test found it did not).
#[test]
fn a_binding_replaced_after_guarded_ran_is_not_ignored() {
    run(async {
        let state = fresh_state();
        let app: Router = Router::new()
            .route("/sign-in", post(sign_in::<AppOnly>))
            .nest(
                "/device",
                Router::new()
                    .route("/me", get(me::<AppOnly>))
                    .route_layer(from_fn(device_binding)),
            )
            .layer(guarded_layer!(AppOnly, state))
            .layer(from_fn(tenant_binding))
            .with_state(state);
        let tenant = [("host", "shop.example")];
        let signed = send(&app, request("POST", "/sign-in", &tenant, None)).await;
        let cookie = signed.pair(NAME).unwrap();
        let me = send(
            &app,
            request(
                "GET",
                "/device/me",
                &[
                    ("host", "shop.example"),
                    ("cookie", &cookie),
                    ("x-device-id", "laptop-of-the-thief"),
                ],
                None,
            ),
        )
        .await;
        assert_ne!(
            me.answer(),
            (200, "ann"),
            "opened for a device it is not bound to"
        );
    });
}

mod actix_routing {
    //! actix-web: `App::wrap` and `web::scope(..).wrap(..)` orderings with `from_fn`, and the
    //! default service, for `bind = "app"`.

    use super::*;

    use actix_web::body::MessageBody;
    use actix_web::dev::{Service, ServiceResponse};
    use actix_web::http::header::COOKIE;
    use actix_web::middleware::from_fn;
    use actix_web::{test, web, HttpMessage as _};
    use typed_cookies::integrations::actix::{guarded, Guarded, MaybeGuarded};

    const NAME: &str = "__Host-app";

    async fn me(session: Guarded<AppOnly>) -> String {
        session.user.clone()
    }

    async fn maybe(MaybeGuarded(session): MaybeGuarded<AppOnly>) -> String {
        session.map_or("anonymous".to_owned(), |s| s.user.clone())
    }

    /// The docs' binding as a `wrap_fn` (every request gets one, empty without the header),
    /// on an `App` or a `Scope`.
    macro_rules! with_binding {
        ($app:expr) => {
            $app.wrap_fn(|req, srv| {
                let device = req
                    .headers()
                    .get("x-device-id")
                    .map(|v| v.as_bytes().to_vec());
                req.extensions_mut()
                    .insert(AppBinding::new(device.unwrap_or_default()));
                srv.call(req)
            })
        };
    }

    /// `/api/sign-in`, `/api/me`, `/api/maybe` in a scope.
    fn api() -> actix_web::Scope {
        web::scope("/api")
            .route(
                "/sign-in",
                web::post().to(crate::actix_support::sign_in::<AppOnly>),
            )
            .route("/me", web::get().to(me))
            .route("/maybe", web::get().to(maybe))
    }

    macro_rules! base {
        () => {
            crate::actix_support::guarded_app(clocked(&ring()).0)
        };
    }

    async fn call<B: MessageBody>(
        app: &impl Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
        request: test::TestRequest,
        cookie: Option<&str>,
        device: &str,
    ) -> (u16, String, Vec<String>) {
        let mut request = request.insert_header(("x-device-id", device));
        if let Some(cookie) = cookie {
            request = request.insert_header((COOKIE, cookie));
        }
        let reply = actix_support::call(app, request, &[], FIREFOX).await;
        (reply.status.as_u16(), reply.body, reply.set_cookies)
    }

    fn get(uri: &str) -> test::TestRequest {
        test::TestRequest::get().uri(uri)
    }

    fn post(uri: &str) -> test::TestRequest {
        test::TestRequest::post().uri(uri)
    }

    /// The cookie a correctly ordered app issues to the phone.
    async fn phone_cookie() -> String {
        let app = test::init_service(with_binding!(
            base!().service(api().wrap(from_fn(guarded::<AppOnly, _>)))
        ))
        .await;
        let (status, body, set_cookies) = call(&app, post("/api/sign-in"), None, "phone").await;
        assert_eq!(status, 200, "{body}");
        let pair = set_cookies
            .iter()
            .find(|c| c.starts_with(&format!("{NAME}=")))
            .unwrap();
        pair.split(';').next().unwrap().to_owned()
    }

    /// `App`-level binding (registered last, so it runs first), `guarded` on the scope: the
    /// scope binds, and the default service's `MaybeGuarded<T>` (no `guarded` there) is a
    /// 500 for want of the middleware, never "anonymous".
    #[actix_web::test]
    async fn app_binding_outside_a_guarded_scope_and_the_default_service() {
        let cookie = phone_cookie().await;
        let app = test::init_service(with_binding!(base!()
            .service(api().wrap(from_fn(guarded::<AppOnly, _>)))
            .default_service(web::to(maybe))))
        .await;
        let ok = |body: &str| (200, body.to_owned());
        let ans = |(s, b, _): (u16, String, Vec<String>)| (s, b);
        assert_eq!(
            ans(call(&app, get("/api/me"), Some(&cookie), "phone").await),
            ok("ann")
        );
        let thief = call(&app, get("/api/me"), Some(&cookie), "laptop").await;
        assert_eq!(thief.0, 401);
        assert!(thief.2.iter().any(|c| c.starts_with(&format!("{NAME}=;"))));
        assert_eq!(
            ans(call(&app, get("/api/maybe"), Some(&cookie), "laptop").await),
            ok("anonymous")
        );
        for device in ["phone", "laptop", ""] {
            let (status, body) = ans(call(&app, get("/nowhere"), Some(&cookie), device).await);
            assert_eq!((status, body.as_str()), NO_BINDING, "{device}");
        }
    }

    /// `guarded` at `App` level, the binding on the scope: `guarded` runs first and finds
    /// none — a 500 for the scope, its sign-in and the default service alike. Inside one
    /// scope, `.wrap_fn(binding).wrap(guarded)` is the same mistake (the later `wrap` runs
    /// first); `.wrap(guarded).wrap_fn(binding)` binds.
    #[actix_web::test]
    async fn wrong_orders_fail_closed() {
        let cookie = phone_cookie().await;
        let app_guarded = test::init_service(
            base!()
                .service(with_binding!(api()))
                .default_service(web::to(maybe))
                .wrap(from_fn(guarded::<AppOnly, _>)),
        )
        .await;
        for (request, cookie) in [
            (get("/api/me"), Some(cookie.as_str())),
            (get("/api/maybe"), Some(&cookie)),
            (post("/api/sign-in"), None),
            (get("/nowhere"), Some(&cookie)),
        ] {
            let (status, body, set_cookies) = call(&app_guarded, request, cookie, "phone").await;
            assert_eq!((status, body.as_str()), NO_BINDING);
            assert!(set_cookies.is_empty(), "{set_cookies:?}");
        }

        let scope_reversed = test::init_service(
            base!().service(with_binding!(api()).wrap(from_fn(guarded::<AppOnly, _>))),
        )
        .await;
        let (status, body, _) = call(&scope_reversed, get("/api/me"), Some(&cookie), "phone").await;
        assert_eq!((status, body.as_str()), NO_BINDING);

        let scope_docs = test::init_service(
            base!().service(with_binding!(api().wrap(from_fn(guarded::<AppOnly, _>)))),
        )
        .await;
        let (status, body, _) = call(&scope_docs, get("/api/me"), Some(&cookie), "phone").await;
        assert_eq!((status, body.as_str()), (200, "ann"));
        let (status, _, _) = call(&scope_docs, get("/api/me"), Some(&cookie), "laptop").await;
        assert_eq!(status, 401);

        // A default service outside the bound scope: `MaybeGuarded<T>` is a 500, not `None`.
        let unbound_default = test::init_service(
            base!()
                .service(with_binding!(api().wrap(from_fn(guarded::<AppOnly, _>))))
                .default_service(web::to(maybe)),
        )
        .await;
        let (status, body, _) =
            call(&unbound_default, get("/nowhere"), Some(&cookie), "laptop").await;
        assert_eq!((status, body.as_str()), NO_BINDING);
    }
}
