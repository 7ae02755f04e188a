//! Attacks on `bind = "app"` (the `AppBinding` in a request's extensions) through the public
//! API only: a value bound to app bytes A must never open with app bytes B (or none) by any
//! path — `Guard::open*`, a reseal, a replay renewal, the adapters' extractors and `guarded`
//! middleware; the context digest must separate its parts unambiguously; a stolen copy with
//! the wrong bytes must not burn a one-time token or revoke a replay session; the
//! middleware-order advice of the docs is checked in both frameworks by running it.
//!
//! The review found two weaknesses, fixed since and kept here as regressions: `Debug` of an
//! opened value printed the binding's digest, and the docs' example middleware inserted a
//! binding only when the client sent its header (a client-chosen 500).

use serde::{Deserialize, Serialize};
use typed_cookies::guard::{AppBinding, ClientContext, Guard};
use typed_cookies::store::MemoryStore;
use typed_cookies::{KeyRing, OpenError, SealError, SealedCookie, Stateless};
use typed_cookies_testkit::{clocked, ring};

mod actix_support;
mod axum_guard_state;
mod axum_support;

#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-app",
    salt = "tests.app-binding-attacks.app.v1",
    max_age = "8h",
    idle = "1h",
    encrypt,
    revocable,
    bind = "app"
)]
struct AppOnly {
    user: String,
}

#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-ua-app",
    salt = "tests.app-binding-attacks.ua-app.v1",
    max_age = "8h",
    bind = "user_agent, app"
)]
struct UaApp {
    user: String,
}

#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-replay",
    salt = "tests.app-binding-attacks.replay.v1",
    max_age = "8h",
    encrypt,
    replay = "5s",
    bind = "app"
)]
struct AppReplay {
    user: String,
}

#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-invite",
    salt = "tests.app-binding-attacks.invite.v1",
    max_age = "1h",
    one_time,
    bind = "app"
)]
struct AppInvite {
    team: String,
}

/// A careless user's hand-written `Stateless` for a bound type: the plain API compiles for it.
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-plain",
    salt = "tests.app-binding-attacks.plain.v1",
    max_age = "1h",
    bind = "app"
)]
struct CarelessPlain {
    user: String,
}

impl Stateless for CarelessPlain {}

fn app(bytes: &str) -> ClientContext {
    ClientContext::new().app(AppBinding::new(bytes))
}

fn ann() -> AppOnly {
    AppOnly { user: "ann".into() }
}

/// The binding digest as FORMAT.md defines it, for `bind = "app"` alone.
fn app_digest(bytes: &[u8]) -> [u8; 32] {
    use sha2::{Digest as _, Sha256};
    let mut hash = Sha256::new();
    hash.update(b"typed-cookies client binding v1\0");
    hash.update(b"a");
    hash.update([1]);
    hash.update((bytes.len() as u64).to_be_bytes());
    hash.update(bytes);
    hash.finalize().into()
}

mod guard_api {
    use super::*;

    #[tokio::test]
    async fn bytes_b_never_open_a_value_bound_to_a_nor_does_a_missing_binding() {
        let keys = ring();
        let guard = Guard::new(MemoryStore::new());
        let issued = guard
            .issue(&keys, &ann(), Some("user:ann"), &app("device-A"))
            .await
            .unwrap();
        let value = issued.value();
        assert_eq!(
            guard
                .open::<AppOnly>(&keys, value, &app("device-A"))
                .await
                .unwrap()
                .value()
                .user,
            "ann"
        );
        for thief in [
            app("device-B"),
            app("device-A\0"),
            app("device-a"),
            app(""),
            ClientContext::new(),
            // Other parts do not stand in for the app bytes.
            ClientContext::new().user_agent("device-A"),
            ClientContext::new().user_agent("device-A").app("device-B"),
        ] {
            assert_eq!(
                guard.open::<AppOnly>(&keys, value, &thief).await.err(),
                Some(OpenError::Invalid),
                "{thief:?}"
            );
        }
        let header = format!("__Host-app={value}");
        assert_eq!(
            guard
                .open_from_cookie_headers::<AppOnly>(&keys, [header.as_bytes()], &app("device-B"))
                .await
                .err(),
            Some(OpenError::Invalid)
        );
    }

    #[tokio::test]
    async fn a_reseal_keeps_the_binding_it_opened_under() {
        let keys = ring();
        let guard = Guard::new(MemoryStore::new());
        let issued = guard
            .issue(&keys, &ann(), None, &app("device-A"))
            .await
            .unwrap();
        let opened = guard
            .open::<AppOnly>(&keys, issued.value(), &app("device-A"))
            .await
            .unwrap()
            .into_opened();
        let resealed = opened.reseal(&keys).unwrap();
        let set_cookie = opened.to_set_cookie(&keys).unwrap();
        let from_header = set_cookie
            .split(';')
            .next()
            .unwrap()
            .split_once('=')
            .unwrap()
            .1
            .to_owned();
        for value in [resealed, from_header] {
            assert!(guard
                .open::<AppOnly>(&keys, &value, &app("device-A"))
                .await
                .is_ok());
            assert_eq!(
                guard
                    .open::<AppOnly>(&keys, &value, &app("device-B"))
                    .await
                    .err(),
                Some(OpenError::Invalid)
            );
        }
    }

    /// Length-prefixed parts: moving bytes between the user agent and the app bytes, or
    /// turning an empty part into an absent one, changes the digest; empty app bytes are
    /// never issued.
    #[tokio::test]
    async fn the_digest_separates_its_parts() {
        let keys = ring();
        let guard = Guard::stateless();
        let ua_app = |ua: &str, app: &str| ClientContext::new().user_agent(ua).app(app);
        let issued = guard
            .issue(&keys, &UaApp { user: "x".into() }, None, &ua_app("ab", "c"))
            .await
            .unwrap();
        let open = |ctx: ClientContext| {
            let (guard, keys, value) = (guard.clone(), keys.clone(), issued.value().to_owned());
            async move { guard.open::<UaApp>(&keys, &value, &ctx).await.err() }
        };
        assert_eq!(open(ua_app("ab", "c")).await, None);
        for shifted in [
            ua_app("a", "bc"),
            ua_app("abc", ""),
            ua_app("", "abc"),
            ClientContext::new().app("abc"),
            ClientContext::new().app("c"),
            ua_app("ab", "c\0"),
        ] {
            assert_eq!(
                open(shifted.clone()).await,
                Some(OpenError::Invalid),
                "{shifted:?}"
            );
        }

        // Empty app bytes are never issued: a value bound to them would open for anyone who
        // sends none (found by the README trial).
        assert_eq!(
            guard
                .issue(
                    &keys,
                    &UaApp { user: "x".into() },
                    None,
                    &ClientContext::new().app(AppBinding::new("")),
                )
                .await
                .err(),
            Some(SealError::MissingClientPart {
                name: UaApp::CONFIG.name(),
                part: "app"
            })
        );
    }

    #[tokio::test]
    async fn issue_refuses_a_context_without_app_bytes() {
        let keys = ring();
        let guard = Guard::new(MemoryStore::new());
        for ctx in [
            ClientContext::new(),
            ClientContext::new().user_agent("Firefox"),
        ] {
            assert_eq!(
                guard.issue(&keys, &ann(), None, &ctx).await.err(),
                Some(SealError::MissingClientPart {
                    name: "__Host-app",
                    part: "app"
                })
            );
        }
    }

    /// The plain API, made to compile by a hand-written `Stateless`, still refuses the type at
    /// run time: it neither seals it unbound nor opens a bound value without the binding.
    #[tokio::test]
    async fn a_hand_written_stateless_does_not_open_bound_values_unbound() {
        let keys = ring();
        let value = CarelessPlain { user: "ann".into() };
        assert_eq!(
            value.seal(&keys).err(),
            Some(SealError::NeedsGuard {
                name: "__Host-plain"
            })
        );
        assert!(value.to_set_cookie(&keys).is_err());
        let issued = Guard::stateless()
            .issue(&keys, &value, None, &app("device-A"))
            .await
            .unwrap();
        let needs_guard = Some(OpenError::NeedsGuard {
            name: "__Host-plain",
        });
        assert_eq!(
            CarelessPlain::open(&keys, issued.value()).err(),
            needs_guard
        );
        assert_eq!(
            CarelessPlain::open_with_metadata(&keys, issued.value()).err(),
            needs_guard
        );
        let header = format!("__Host-plain={}", issued.value());
        assert_eq!(
            CarelessPlain::from_cookie_header(&keys, &header).err(),
            needs_guard
        );
    }

    /// A thief with the wrong app bytes is refused before the store is touched: the one-time
    /// token is not used up, the replay session is neither rotated nor revoked.
    #[tokio::test]
    async fn a_thief_with_other_bytes_burns_nothing() {
        let keys = ring();
        let guard = Guard::new(MemoryStore::new());

        let invite = guard
            .issue(&keys, &AppInvite { team: "t".into() }, None, &app("A"))
            .await
            .unwrap();
        assert_eq!(
            guard
                .open::<AppInvite>(&keys, invite.value(), &app("B"))
                .await
                .err(),
            Some(OpenError::Invalid)
        );
        assert!(guard
            .open::<AppInvite>(&keys, invite.value(), &app("A"))
            .await
            .is_ok());
        // Used: even the right device cannot use it again, nor can the thief.
        assert_eq!(
            guard
                .open::<AppInvite>(&keys, invite.value(), &app("A"))
                .await
                .err(),
            Some(OpenError::AlreadyUsed)
        );
        assert_eq!(
            guard
                .open::<AppInvite>(&keys, invite.value(), &app("B"))
                .await
                .err(),
            Some(OpenError::Invalid)
        );

        let session = guard
            .issue(
                &keys,
                &AppReplay { user: "ann".into() },
                Some("user:ann"),
                &app("A"),
            )
            .await
            .unwrap();
        for _ in 0..3 {
            assert_eq!(
                guard
                    .open::<AppReplay>(&keys, session.value(), &app("B"))
                    .await
                    .err(),
                Some(OpenError::Invalid)
            );
        }
        let checked = guard
            .open::<AppReplay>(&keys, session.value(), &app("A"))
            .await
            .unwrap();
        let renewed = checked.renewed().expect("a replay rotation");
        let renewed = renewed
            .split(';')
            .next()
            .unwrap()
            .split_once('=')
            .unwrap()
            .1;
        // The renewal is bound to A too.
        assert_eq!(
            guard
                .open::<AppReplay>(&keys, renewed, &app("B"))
                .await
                .err(),
            Some(OpenError::Invalid)
        );
        assert!(guard
            .open::<AppReplay>(&keys, renewed, &app("A"))
            .await
            .is_ok());
    }

    #[tokio::test]
    async fn revocation_and_sign_out_everywhere_end_bound_sessions() {
        let keys = ring();
        let guard = Guard::new(MemoryStore::new());
        let first = guard
            .issue(&keys, &ann(), Some("user:ann"), &app("A"))
            .await
            .unwrap();
        let opened = guard
            .open::<AppOnly>(&keys, first.value(), &app("A"))
            .await
            .unwrap();
        guard.revoke(&keys, opened.opened()).await.unwrap();
        assert_eq!(
            guard
                .open::<AppOnly>(&keys, first.value(), &app("A"))
                .await
                .err(),
            Some(OpenError::Revoked)
        );
        let second = guard
            .issue(&keys, &ann(), Some("user:ann"), &app("C"))
            .await
            .unwrap();
        guard.sign_out_everywhere(&keys, "user:ann").await.unwrap();
        assert_eq!(
            guard
                .open::<AppOnly>(&keys, second.value(), &app("C"))
                .await
                .err(),
            Some(OpenError::Revoked)
        );
    }

    #[test]
    fn debug_and_errors_do_not_show_the_app_bytes() {
        let secret = "device-secret-7f3a";
        let ctx = app(secret);
        assert!(!format!("{ctx:?}").contains("7f3a"));
        assert!(!format!("{:?}", AppBinding::new(secret)).contains("7f3a"));
        let rejection =
            typed_cookies::integrations::SealedRejection::NoAppBinding { name: "__Host-app" };
        assert!(!format!("{rejection} {rejection:?}").contains("7f3a"));
    }

    /// `Checked<T>`, `Opened<T>` (and the adapters' `Guarded<T>`, which wraps it) derive
    /// `Debug` down to the binding digest: an unsalted SHA-256 of the bound parts, the same
    /// in every application using typed-cookies (FORMAT.md). `AppBinding` and `ClientContext`
    /// hide their bytes ("the bytes may identify a device or a person"), but a handler that
    /// logs `?session` writes a stable, cross-application identifier of the device, which a
    /// dictionary (device ids, tenants) or, for `bind = "ip"`, 2^24 hashes invert.
    #[tokio::test]
    async fn debug_of_an_opened_value_does_not_show_the_binding_digest() {
        let keys = ring();
        let guard = Guard::stateless();
        let value = UaApp { user: "x".into() };
        let tenant = ClientContext::new().app("tenant-acme");
        let issued = guard.issue(&keys, &value, None, &tenant).await.unwrap();
        let checked = guard
            .open::<UaApp>(&keys, issued.value(), &tenant)
            .await
            .unwrap();
        let shown = format!("{checked:?}");
        // The digest of `bind = "user_agent, app"` with no user agent and app "tenant-acme".
        use sha2::{Digest as _, Sha256};
        let mut hash = Sha256::new();
        hash.update(b"typed-cookies client binding v1\0");
        hash.update([b'u', 0]);
        hash.update([b'a', 1]);
        hash.update(11u64.to_be_bytes());
        hash.update(b"tenant-acme");
        let digest: [u8; 32] = hash.finalize().into();
        let digest = format!("{digest:?}");
        let digest = digest.trim_start_matches('[').trim_end_matches(']');
        assert!(!shown.contains(digest), "{shown}");
    }

    /// The digest is what `app_digest` computes: the check above is not vacuous.
    #[test]
    fn the_reference_digest_is_formats() {
        assert_ne!(app_digest(b"A"), app_digest(b"B"));
        assert_ne!(app_digest(b""), app_digest(b"\0"));
    }
}

const FIREFOX: &str = "Mozilla/5.0 Firefox/140";
const NO_BINDING: (u16, &str) = (500, "500 Internal Server Error\n");

/// What came back.
struct Reply {
    status: u16,
    set_cookies: Vec<String>,
    body: String,
}

impl Reply {
    fn pair(&self, name: &str) -> Option<String> {
        self.set_cookies
            .iter()
            .find(|c| c.starts_with(&format!("{name}=")) && !c.contains("Max-Age=0"))
            .map(|c| c.split(';').next().unwrap().to_owned())
    }

    fn removes(&self, name: &str) -> bool {
        self.set_cookies
            .iter()
            .any(|c| c.starts_with(&format!("{name}=;")) && c.contains("Max-Age=0"))
    }

    fn answer(&self) -> (u16, &str) {
        (self.status, self.body.as_str())
    }
}

mod axum_adapter {
    use super::*;

    use axum::body::Body;
    use axum::extract::{Request, State};
    use axum::http::header;
    use axum::http::request::Parts;
    use axum::middleware::{from_fn, from_fn_with_state, Next};
    use axum::response::{IntoResponse, Response};
    use axum::routing::{get, post};
    use axum::Router;
    use typed_cookies::guard::Issued;
    use typed_cookies::integrations::axum::{client_context_of, guarded, Guarded};
    use typed_cookies::ManualClock;

    use crate::axum_guard_state::AppState;

    /// A binding only when the client sends `x-device-id` (what the docs warn against: a
    /// request without the header has no binding): shows that no binding fails closed.
    async fn device_binding(mut request: Request, next: Next) -> Response {
        if let Some(device) = request.headers().get("x-device-id").cloned() {
            request
                .extensions_mut()
                .insert(AppBinding::new(device.as_bytes()));
        }
        next.run(request).await
    }

    /// The docs' middleware: every request gets a binding, empty bytes without the header.
    async fn device_binding_or_empty(mut request: Request, next: Next) -> Response {
        let device = request
            .headers()
            .get("x-device-id")
            .map(|v| v.as_bytes().to_vec());
        let binding = AppBinding::new(device.unwrap_or_default());
        request.extensions_mut().insert(binding);
        next.run(request).await
    }

    async fn sign_in(State(state): State<AppState>, parts: Parts) -> Result<Issued, Response> {
        let client = client_context_of::<AppOnly>(&parts, &state.guard)
            .map_err(IntoResponse::into_response)?;
        state
            .guard
            .issue(&state.keys, &ann(), Some("user:ann"), &client)
            .await
            .map_err(IntoResponse::into_response)
    }

    fn routes() -> Router<AppState> {
        Router::new()
            .route("/sign-in", post(sign_in))
            .route(
                "/me",
                get(|s: Guarded<AppOnly>| async move { s.user.clone() }),
            )
            .route(
                "/maybe",
                get(|s: Option<Guarded<AppOnly>>| async move {
                    s.map_or("anonymous".to_owned(), |s| s.user.clone())
                }),
            )
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
        let state = AppState {
            keys,
            guard: Guard::new(MemoryStore::new()),
        };
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

    async fn call(
        app: &Router,
        method: &str,
        uri: &str,
        cookie: Option<&str>,
        device: Option<&str>,
    ) -> Reply {
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
        Reply {
            status: response.status.as_u16(),
            set_cookies: response.set_cookies,
            body: response.body,
        }
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

    /// Found in review: the docs' example middleware used to insert a binding only when the
    /// client sent `x-device-id`, so an anonymous visitor without the header got a 500 logged
    /// at `error` from any route under `guarded`, or using `Option<Guarded<T>>` — a
    /// condition the client chooses, not a setup mistake. The docs now bind every request
    /// (empty bytes without the header): the visitor is anonymous, and a cookie bound to a
    /// device presented without the header is refused as any wrong binding is (401).
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
            // Found by the README trial: a sign-in without the header must not issue a
            // value bound to empty bytes (it would open for anyone who sends none).
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

    use actix_web::body::MessageBody;
    use actix_web::dev::{Service, ServiceResponse};
    use actix_web::http::header::{COOKIE, USER_AGENT};
    use actix_web::middleware::{from_fn, Condition};
    use actix_web::{test, web, App, HttpMessage as _, HttpRequest, HttpResponse};
    use typed_cookies::integrations::actix::{
        client_context_of, guarded, Guarded, MaybeGuarded, ResponseBuilderExt,
    };

    async fn sign_in(
        req: HttpRequest,
        keys: web::Data<KeyRing>,
        guard: web::Data<Guard>,
    ) -> Result<HttpResponse, actix_web::Error> {
        let client = client_context_of::<AppOnly>(&req, &guard)?;
        let issued = guard
            .issue(&keys, &ann(), Some("user:ann"), &client)
            .await?;
        Ok(HttpResponse::Ok().issued(&issued).finish())
    }

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
        App::new()
            .app_data(web::Data::new(ring()))
            .app_data(web::Data::new(Guard::new(MemoryStore::new())))
            .route("/sign-in", web::post().to(sign_in))
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

    async fn call<B: MessageBody>(
        app: &impl Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
        request: test::TestRequest,
        cookie: Option<&str>,
        device: Option<&str>,
    ) -> Reply {
        let mut request = request.insert_header((USER_AGENT, FIREFOX));
        if let Some(cookie) = cookie {
            request = request.insert_header((COOKIE, cookie));
        }
        if let Some(device) = device {
            request = request.insert_header(("x-device-id", device));
        }
        let response = crate::actix_support::send(app, request).await;
        Reply {
            status: response.status.as_u16(),
            set_cookies: response.set_cookies,
            body: response.body,
        }
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
