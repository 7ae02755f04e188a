//! `bind = "app"` (an `AppBinding` the application puts in a request's extensions), alone and
//! with `"ip"` or `"user_agent"`, through the public API only. A value bound to app bytes A
//! never opens with bytes B (or none) by any path:
//!
//! - `guard_api.rs`: `Guard::open*`, a reseal, a replay renewal; the digest separates its parts;
//!   a thief with other bytes burns no one-time token and revokes no replay session; `Debug`
//!   shows neither the bytes nor the digest;
//! - `adapters.rs`: `client_context_of::<T>` at sign-in, the `Guarded<T>` extractors and the
//!   `guarded` middleware of both frameworks; a request without a binding is a logged 500;
//! - `middleware_order.rs`: the docs' middleware order binds, the reverse fails closed, a
//!   binding is per request, and an anonymous visitor without the header is no server error;
//! - `proxy.rs`: behind a reverse proxy (`ClientIp::ForwardedFor`): client-written
//!   `X-Forwarded-For` entries never bind, a direct client's `X-Forwarded-For` is not believed,
//!   NAT64, Teredo and IPv4-compatible clients are bound by their own /24;
//! - `routing.rs`: axum `nest`, `merge`, `route_layer`, `fallback` and a binding replaced after
//!   `guarded` ran; actix-web `scope` and `wrap` orders and `default_service`;
//! - `ip.rs`: `bind = "ip"` for IPv4 clients seen through IPv6 (mapped, SIIT, compatible,
//!   NAT64, Teredo): bound by their /24, never shared across networks, no flapping;
//! - `development.rs`: development mode relaxes the name, never the binding;
//! - `redis_fleet.rs`: two `Guard`s over one `redis-server`, sign-out on one refused on the other.
//!
//! Time moves only through `typed_cookies_testkit::clocked`'s `ManualClock`.

use std::future::Future;

use serde::{Deserialize, Serialize};
use typed_cookies::guard::{AppBinding, ClientContext, ClientIp, Guard};
use typed_cookies::store::MemoryStore;
use typed_cookies::{KeyRing, ManualClock, OpenError, SealedCookie};
use typed_cookies_testkit::{clocked, logs_of, ring};

use actix_support::Account;

#[path = "../actix_support/mod.rs"]
mod actix_support;
#[path = "../axum_guard_state/mod.rs"]
mod axum_guard_state;
#[path = "../axum_support/mod.rs"]
mod axum_support;

/// Bound to the device and the client's network.
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-appnet",
    salt = "tests.app-binding-setups.app-net.v1",
    max_age = "8h",
    idle = "1h",
    encrypt,
    revocable,
    bind = "app, ip"
)]
struct AppNet {
    user: String,
}

/// Bound to the device only.
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-app",
    salt = "tests.app-binding-setups.app.v1",
    max_age = "8h",
    idle = "1h",
    encrypt,
    revocable,
    bind = "app"
)]
struct AppOnly {
    user: String,
}

actix_support::accounts!(AppNet, AppOnly);

/// Ann's session.
fn ann() -> AppOnly {
    AppOnly { user: "ann".into() }
}

const FIREFOX: &str = "Mozilla/5.0 Firefox/140";
const NO_BINDING: (u16, &str) = (500, "500 Internal Server Error\n");

/// `method uri` through the axum `app` from Firefox, with this `Cookie:` and `x-device-id`.
async fn axum_call(
    app: &axum::Router,
    method: &str,
    uri: &str,
    cookie: Option<&str>,
    device: Option<&str>,
) -> axum_app::Reply {
    use axum::http::header;
    let mut request = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header(header::USER_AGENT, FIREFOX);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    if let Some(device) = device {
        request = request.header("x-device-id", device);
    }
    let body = axum::body::Body::empty();
    let response = axum_support::send(app, request.body(body).unwrap()).await;
    axum_app::Reply {
        status: response.status.as_u16(),
        set_cookies: response.set_cookies,
        body: response.body,
    }
}

/// `request` through the actix-web `app` from Firefox, with this `Cookie:` and `x-device-id`.
async fn actix_call<B: actix_web::body::MessageBody>(
    app: &impl actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    request: actix_web::test::TestRequest,
    cookie: Option<&str>,
    device: Option<&str>,
) -> axum_app::Reply {
    use actix_web::http::header::{COOKIE, USER_AGENT};
    let mut request = request.insert_header((USER_AGENT, FIREFOX));
    if let Some(cookie) = cookie {
        request = request.insert_header((COOKIE, cookie));
    }
    if let Some(device) = device {
        request = request.insert_header(("x-device-id", device));
    }
    let response = actix_support::send(app, request).await;
    axum_app::Reply {
        status: response.status.as_u16(),
        set_cookies: response.set_cookies,
        body: response.body,
    }
}

/// `f` to completion on a fresh current-thread runtime (so `logs_of` sees its events).
fn run<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// A configuration mistake was logged at `error`, naming the cookie and `needle`.
fn assert_logged_error(logs: &[(tracing::Level, String)], name: &str, needle: &str) {
    assert!(
        logs.iter()
            .any(|(level, text)| *level == tracing::Level::ERROR
                && text.contains(name)
                && text.contains(needle)),
        "{logs:?}"
    );
}

/// `guarded::<T>` over an axum `AppState`, as a layer.
macro_rules! guarded_layer {
    ($t:ty, $state:expr) => {
        axum::middleware::from_fn_with_state(
            $state.clone(),
            typed_cookies::integrations::axum::guarded::<$t, crate::axum_guard_state::AppState>,
        )
    };
}

mod adapters;
mod axum_app;
mod development;
mod guard_api;
mod ip;
mod middleware_order;
mod proxy;
mod redis_fleet;
mod routing;
