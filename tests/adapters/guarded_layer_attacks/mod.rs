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

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use typed_cookies::guard::{AppBinding, ClientContext, Guard};
use typed_cookies::integrations::axum::{
    cookie_state, guarded, refresh, Guarded, GuardedLayer, Removal, Sealed, SealedRejection,
    SetCookie,
};
use typed_cookies::time::Duration;
use typed_cookies::{KeyRing, ManualClock, SealedCookie};
use typed_cookies_testkit::{clocked, ring, SwitchableStore};

use crate::adapter_scenarios::Session as Plain;

const FIREFOX: &str = "Mozilla/5.0 Firefox/140";

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
// The app state and the two installs

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

/// The two ways to install `T`'s guarded middleware.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Install {
    Layer,
    Function,
}

const INSTALLS: [Install; 2] = [Install::Layer, Install::Function];

/// `router.layer(..)` with `T`'s guarded middleware installed `how`.
fn install<T: SealedCookie + Send + Sync + 'static>(
    router: Router<St>,
    state: &St,
    how: Install,
) -> Router<St> {
    match how {
        Install::Layer => router.layer(GuardedLayer::<T>::new(state)),
        Install::Function => router.layer(from_fn_with_state(state.clone(), guarded::<T, St>)),
    }
}

/// `router.route_layer(..)` with `T`'s guarded middleware installed `how`.
fn route_install<T: SealedCookie + Send + Sync + 'static>(
    router: Router<St>,
    state: &St,
    how: Install,
) -> Router<St> {
    match how {
        Install::Layer => router.route_layer(GuardedLayer::<T>::new(state)),
        Install::Function => {
            router.route_layer(from_fn_with_state(state.clone(), guarded::<T, St>))
        }
    }
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
    serve(install::<T>(routes::<T>(), state, how).with_state(state.clone())).await
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
// A server and a raw HTTP/1.1 client

/// An app served on `127.0.0.1` with `ConnectInfo<SocketAddr>`; stopped when dropped.
struct Server {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(app: Router) -> Server {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    Server { addr, task }
}

/// A response: status (`0` when the connection closed without one), `Set-Cookie`s, body.
#[derive(Debug)]
struct Answer {
    status: u16,
    set_cookies: Vec<String>,
    body: String,
}

impl Answer {
    /// The `Set-Cookie`s of `name` (removals too).
    fn of(&self, name: &str) -> Vec<&str> {
        self.set_cookies
            .iter()
            .filter(|c| c.starts_with(&format!("{name}=")))
            .map(String::as_str)
            .collect()
    }

    /// The removals of `name`.
    fn removals(&self, name: &str) -> usize {
        self.of(name)
            .iter()
            .filter(|c| c.starts_with(&format!("{name}=;")))
            .count()
    }

    /// The `name=value` pair of the last `Set-Cookie` setting `name` (not a removal).
    fn pair(&self, name: &str) -> Option<String> {
        self.of(name)
            .into_iter()
            .rfind(|c| !c.starts_with(&format!("{name}=;")))
            .map(|c| c.split(';').next().unwrap().to_owned())
    }
}

impl Server {
    /// `method path` with `User-Agent: FIREFOX`, one `Cookie:` header per entry of `cookies`
    /// (raw bytes), and `extra` headers.
    async fn send(
        &self,
        method: &str,
        path: &str,
        cookies: &[&[u8]],
        extra: &[(&str, &str)],
    ) -> Answer {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nhost: shop.example\r\nuser-agent: {FIREFOX}\r\n\
             connection: close\r\ncontent-length: 0\r\n"
        )
        .into_bytes();
        for cookie in cookies {
            head.extend_from_slice(b"cookie: ");
            head.extend_from_slice(cookie);
            head.extend_from_slice(b"\r\n");
        }
        for (name, value) in extra {
            head.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        head.extend_from_slice(b"\r\n");
        let mut stream = TcpStream::connect(self.addr).await.unwrap();
        stream.write_all(&head).await.unwrap();
        let mut raw = Vec::new();
        // A panicking handler may reset the connection: whatever came is the answer.
        let _ = stream.read_to_end(&mut raw).await;
        parse(&raw)
    }

    async fn get(&self, path: &str, cookies: &[&str]) -> Answer {
        let cookies: Vec<&[u8]> = cookies.iter().map(|c| c.as_bytes()).collect();
        self.send("GET", path, &cookies, &[]).await
    }

    async fn post(&self, path: &str, cookies: &[&str]) -> Answer {
        let cookies: Vec<&[u8]> = cookies.iter().map(|c| c.as_bytes()).collect();
        self.send("POST", path, &cookies, &[]).await
    }
}

/// An HTTP/1.1 response (`Content-Length` or chunked body).
fn parse(raw: &[u8]) -> Answer {
    let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Answer {
            status: 0,
            set_cookies: vec![],
            body: String::new(),
        };
    };
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let (mut set_cookies, mut chunked) = (vec![], false);
    for line in lines {
        let (name, value) = line.split_once(':').unwrap();
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
        if name == "set-cookie" {
            set_cookies.push(value.to_owned());
        } else if name == "transfer-encoding" && value.eq_ignore_ascii_case("chunked") {
            chunked = true;
        }
    }
    let mut rest = &raw[end + 4..];
    let body = if chunked {
        let mut body = Vec::new();
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size =
                usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap(), 16).unwrap();
            rest = &rest[line_end + 2..];
            if size == 0 {
                break;
            }
            body.extend_from_slice(&rest[..size]);
            rest = &rest[size + 2..];
        }
        body
    } else {
        rest.to_vec()
    };
    Answer {
        status,
        set_cookies,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// `pairs` joined with `; `, then a `pad=` cookie making the value exactly `len` bytes.
fn padded(pairs: &[&str], len: usize) -> String {
    let mut text = pairs.join("; ");
    let rest = len - text.len() - "; pad=".len();
    text.push_str("; pad=");
    text.push_str(&"p".repeat(rest));
    assert_eq!(text.len(), len);
    text
}

mod lookup_and_installs;
mod requests;
mod responses;
