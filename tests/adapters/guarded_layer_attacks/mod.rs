//! Attacks on axum's guarded middleware over real HTTP: each app is served by `axum::serve` on
//! `127.0.0.1` (with `ConnectInfo<SocketAddr>`) and spoken to by a raw HTTP/1.1 client over a
//! `TcpStream`, so header bytes, repeated `Cookie:` headers and exact lengths reach the server
//! as written. Every scenario runs over both installs, `GuardedLayer::<T>::new(&state)` and
//! `from_fn_with_state(state, guarded::<T, _>)`, to spot a difference between them:
//! duplicates split across headers and across the 1 KB direct read, look-alike names, the
//! middleware installed twice (layer + layer, layer + function), two types' layers in either
//! order, `route_layer` and `layer`, nested routers and fallbacks, a handler or a middleware
//! extracting `Guarded<T>` before the handler, a middleware that rewrites the `Cookie:`
//! header or clones the request, replay renewals and idle reseals written on the way out (and
//! not when the handler sets or removes the cookie), a store outage, a panicking or failing
//! handler, and `bind = "ip"` and `bind = "app"` types. This module holds the types, the
//! app, the two installs and the client; the scenarios are in its three submodules. The
//! review's two findings (a middleware installed twice opened the cookie twice) are fixed;
//! their tests are in `lookup_and_installs.rs`.
//!
//! Time moves only through the ring's `ManualClock`; nothing sleeps.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use typed_cookies::guard::{AppBinding, ClientContext, Guard};
use typed_cookies::integrations::axum::{
    cookie_state, refresh, Guarded, Removal, Sealed, SealedRejection, SetCookie,
};
use typed_cookies::time::Duration;
use typed_cookies::{KeyRing, ManualClock, SealedCookie};
use typed_cookies_testkit::{clocked, ring, SwitchableStore};

use crate::adapter_scenarios::Session as Plain;
use crate::installs::{with_guarded, Install, On, INSTALLS};
use crate::raw_http::{padded_header, serve, Answer, Server, FIREFOX};

// ---------------------------------------------------------------------------------------------
// The types

/// Revocable, bound to the `User-Agent`, idle 10 minutes (due for a reseal after 5).
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-gl",
    salt = "tests.guarded-layer-attacks.session.v1",
    max_age = "8h",
    idle = "10m",
    revocable,
    bind = "user_agent"
)]
struct Sid {
    user: String,
}

/// Replay detection with a 5 s grace window.
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-gl-rp",
    salt = "tests.guarded-layer-attacks.replay.v1",
    max_age = "8h",
    encrypt,
    replay = "5s"
)]
struct Rp {
    user: String,
}

/// Opens once.
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-gl-once",
    salt = "tests.guarded-layer-attacks.once.v1",
    max_age = "1h",
    one_time
)]
struct Once {
    user: String,
}

/// Bound to the peer address.
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-gl-ip",
    salt = "tests.guarded-layer-attacks.ip.v1",
    max_age = "1h",
    bind = "ip"
)]
struct Ip {
    user: String,
}

/// Bound to the application's bytes (here the `X-Device` header, put in the extensions by a
/// middleware of the app's).
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-gl-app",
    salt = "tests.guarded-layer-attacks.app.v1",
    max_age = "1h",
    bind = "app"
)]
struct Device {
    user: String,
}

/// What every type here carries.
trait User: SealedCookie + Send + Sync + 'static {
    fn named(user: &str) -> Self;
    fn user(&self) -> &str;
}

macro_rules! users {
    ($($ty:ident),*) => {$(
        impl User for $ty {
            fn named(user: &str) -> Self {
                Self { user: user.into() }
            }
            fn user(&self) -> &str {
                &self.user
            }
        }
    )*};
}

users!(Sid, Rp, Once, Ip, Device);

// ---------------------------------------------------------------------------------------------
// The app state

#[derive(Clone)]
struct St {
    keys: KeyRing,
    guard: Guard,
}

cookie_state!(St { keys, guard });

/// A state on a `ManualClock`, its store switchable (taken down for outages).
fn state() -> (St, ManualClock, Arc<SwitchableStore>) {
    let (keys, clock) = clocked(&ring());
    let store = Arc::new(SwitchableStore::default());
    let guard = Guard::from_arc(store.clone());
    (St { keys, guard }, clock, store)
}

/// `/me` (`Guarded<T>`: the user), `/maybe` (`Option<Guarded<T>>`: the user or `anonymous`),
/// `/plain` (extracts nothing), `/sign-out` (revokes, removes the cookie), `/reseal` (writes
/// the value back itself), `/fail` (reads the session, answers 500 itself), `/panic`.
fn routes<T: User>() -> Router<St> {
    Router::new()
        .route(
            "/me",
            get(|s: Guarded<T>| async move { s.user().to_owned() }),
        )
        .route(
            "/maybe",
            get(|s: Option<Guarded<T>>| async move {
                s.map_or("anonymous".to_owned(), |s| s.user().to_owned())
            }),
        )
        .route("/plain", get(|| async { "plain" }))
        .route(
            "/sign-out",
            post(|State(st): State<St>, s: Guarded<T>| async move {
                st.guard.revoke(&st.keys, s.opened()).await.unwrap();
                (Removal::<T>::new(), "bye")
            }),
        )
        .route(
            "/reseal",
            post(|State(st): State<St>, s: Guarded<T>| async move {
                SetCookie::resealed(s.opened(), &st.keys).map(|set| (set, "resealed"))
            }),
        )
        .route(
            "/fail",
            get(|s: Guarded<T>| async move {
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("{} broke", s.user()),
                )
            }),
        )
        .route(
            "/panic",
            get(|_s: Guarded<T>| async move {
                if true {
                    panic!("handler panicked on purpose");
                }
                "unreachable"
            }),
        )
}

/// `T`'s routes with its middleware installed `how`, served.
async fn served<T: User>(state: &St, how: Install) -> Server {
    serve(with_guarded::<T, _>(routes::<T>(), state, how, On::Layer).with_state(state.clone()))
        .await
}

/// `T`'s value for Ann (subject `user:ann`) bound to `ctx`, as a `name=value` pair.
async fn issue<T: User>(state: &St, ctx: &ClientContext) -> String {
    let issued = state
        .guard
        .issue(&state.keys, &T::named("ann"), Some("user:ann"), ctx)
        .await
        .unwrap();
    format!("{}={}", T::CONFIG.name(), issued.value())
}

fn firefox() -> ClientContext {
    ClientContext::new().user_agent(FIREFOX)
}

// ---------------------------------------------------------------------------------------------
// Requests (the server and client are `raw_http`)

/// `method path` to `shop.example`, one `Cookie:` header per entry of `cookies` (raw bytes),
/// and `extra` headers.
async fn send(
    server: &Server,
    method: &str,
    path: &str,
    cookies: &[&[u8]],
    extra: &[(&str, &str)],
) -> Answer {
    let extra: Vec<(&str, &[u8])> = extra.iter().map(|(n, v)| (*n, v.as_bytes())).collect();
    server
        .request(method, path, "shop.example", cookies, &extra)
        .await
}

mod lookup_and_installs;
mod requests;
mod responses;
