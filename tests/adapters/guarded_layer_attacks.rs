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
//! handler, and `bind = "ip"` and `bind = "app"` types. A test marked
//! `#[ignore = "finding: …"]` fails today: it states the behaviour that should hold.
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

// ---------------------------------------------------------------------------------------------
// Cookie lookup

/// One copy of the session opens at any length, either side of the 1 KB direct read (1023,
/// 1024, 1025 bytes in all); a second copy is refused (401, `/maybe` 400, nothing cleared)
/// in one header or two, with one pair before the threshold and one after, whichever is
/// valid, through both installs.
#[tokio::test]
async fn duplicates_across_headers_and_the_direct_read_limit() {
    for how in INSTALLS {
        let (state, _, _) = state();
        let server = served::<Sid>(&state, how).await;
        let ann = issue::<Sid>(&state, &firefox()).await;
        let other = issue::<Sid>(&state, &firefox()).await;
        for len in [300, 1023, 1024, 1025, 3000] {
            let one = padded(&[&ann], len);
            let me = server.get("/me", &[&one]).await;
            assert_eq!((me.status, me.body.as_str()), (200, "ann"), "{how:?} {len}");

            let two = padded(&[&ann, &other], len);
            // The second pair after the padding: one before 1 KB, one after it.
            let far = format!("{}; {other}", padded(&[&ann], len));
            let planted = padded(&[&ann, "__Host-gl=AAAA"], len);
            let second = padded(&[&other], len - ann.len());
            let cases: Vec<Vec<&str>> = vec![
                vec![&two],
                vec![&far],
                vec![&planted],
                vec![&ann, &second],
                vec![&second, &ann],
                vec![&one, &other],
            ];
            for cookies in &cases {
                let me = server.get("/me", cookies).await;
                assert_eq!(me.status, 401, "{how:?} {len} {}", me.body);
                assert!(me.set_cookies.is_empty(), "{how:?} {:?}", me.set_cookies);
                let maybe = server.get("/maybe", cookies).await;
                assert_eq!(maybe.status, 400, "{how:?} {len} {}", maybe.body);
                assert!(maybe.set_cookies.is_empty(), "{:?}", maybe.set_cookies);
            }
        }
    }
}

/// Only the byte-exact name is ours: a valid value under a look-alike name signs nobody in
/// (and is not cleared), and beside the real cookie it is no duplicate.
#[tokio::test]
async fn look_alike_names_neither_sign_in_nor_duplicate() {
    for how in INSTALLS {
        let (state, _, _) = state();
        let server = served::<Sid>(&state, how).await;
        let ann = issue::<Sid>(&state, &firefox()).await;
        let value = ann.strip_prefix("__Host-gl=").unwrap();
        for name in [
            "__host-gl",
            "__Host-gl2",
            "__Host-g",
            "__Host-gl-rp",
            "__Host-GL",
            "Host-gl",
            "__Host-gl\u{a0}",
            "\"__Host-gl\"",
        ] {
            for pad in [0, 1100] {
                let alike = format!("{name}={value}");
                let alone = padded(&[&alike], alike.len() + 6 + pad + 1);
                let me = server.get("/me", &[&alone]).await;
                assert_eq!(me.status, 401, "{how:?} {name:?} {pad}");
                assert!(me.body.contains("no valid"), "{}", me.body);
                assert!(me.set_cookies.is_empty(), "{:?}", me.set_cookies);
                let maybe = server.get("/maybe", &[&alone]).await;
                assert_eq!((maybe.status, maybe.body.as_str()), (200, "anonymous"));
                let beside = padded(&[&alike, &ann], alike.len() + ann.len() + 8 + pad + 1);
                let me = server.get("/me", &[&beside]).await;
                assert_eq!((me.status, me.body.as_str()), (200, "ann"), "{name:?}");
            }
        }
        // SP and HTAB around the name are trimmed: that is the name, and a duplicate.
        let spaced = format!(" \t{ann}");
        let me = server.get("/me", &[&spaced]).await;
        assert_eq!((me.status, me.body.as_str()), (200, "ann"));
        let me = server.get("/me", &[&ann, &spaced]).await;
        assert_eq!(me.status, 401);
    }
}

// ---------------------------------------------------------------------------------------------
// Installed twice, two types, route_layer, nest, fallback

/// `T`'s routes with its middleware installed twice (`outer` around `inner`).
async fn served_twice<T: User>(state: &St, inner: Install, outer: Install) -> Server {
    let router = install::<T>(routes::<T>(), state, inner);
    serve(install::<T>(router, state, outer).with_state(state.clone())).await
}

/// A `one_time` type whose middleware is installed twice (a nested router with its own
/// layer, or the layer and the function): the value opens once, for this request — never a
/// 401 for a value nobody used, its removal sent back. (Found by this review: the inner
/// middleware opened the value again, `AlreadyUsed`; now it passes the request on.)
#[tokio::test]
async fn one_time_under_a_middleware_installed_twice_is_not_burnt() {
    for inner in INSTALLS {
        for outer in INSTALLS {
            let (state, _, _) = state();
            let server = served_twice::<Once>(&state, inner, outer).await;
            let once = issue::<Once>(&state, &ClientContext::new()).await;
            let me = server.get("/me", &[&once]).await;
            assert_eq!(
                (me.status, me.body.as_str()),
                (200, "ann"),
                "{inner:?} in {outer:?}: {me:?}"
            );
            assert_eq!(me.removals("__Host-gl-once"), 0, "{me:?}");
            // Claimed once: the value is spent for the next request.
            let again = server.get("/me", &[&once]).await;
            assert_eq!(again.status, 401, "{inner:?} in {outer:?}: {again:?}");
        }
    }
}

/// A `replay` type whose middleware is installed twice: the handler that writes the session
/// back (a role change) works as under one middleware, and the response carries one value of
/// the cookie. (Found by this review: the nonce rotated twice and the write-back was a 409.)
#[tokio::test]
async fn replay_under_a_middleware_installed_twice_can_write_back() {
    for inner in INSTALLS {
        for outer in INSTALLS {
            let (state, _, _) = state();
            let server = served_twice::<Rp>(&state, inner, outer).await;
            let rp = issue::<Rp>(&state, &ClientContext::new()).await;
            let reseal = server.post("/reseal", &[&rp]).await;
            assert_eq!(reseal.status, 200, "{inner:?} in {outer:?}: {reseal:?}");
            assert_eq!(reseal.of("__Host-gl-rp").len(), 1, "{reseal:?}");
        }
    }
}

/// A revocable, bound type under two middlewares still opens and reseals once (each opens
/// it: two store round trips, no harm to the value).
#[tokio::test]
async fn a_revocable_type_under_a_middleware_installed_twice_opens() {
    for inner in INSTALLS {
        for outer in INSTALLS {
            let (state, clock, _) = state();
            let server = served_twice::<Sid>(&state, inner, outer).await;
            let sid = issue::<Sid>(&state, &firefox()).await;
            clock.advance(Duration::minutes(6));
            let me = server.get("/me", &[&sid]).await;
            assert_eq!(
                (me.status, me.body.as_str()),
                (200, "ann"),
                "{inner:?} {outer:?}"
            );
            assert_eq!(me.of("__Host-gl").len(), 1, "{me:?}");
        }
    }
}

/// Under one middleware, the same two handlers work: the value opens once, a write-back
/// carries one value (the control for the two findings above).
#[tokio::test]
async fn under_one_middleware_one_time_and_replay_work() {
    for how in INSTALLS {
        let (state, _, _) = state();
        let server = served::<Once>(&state, how).await;
        let once = issue::<Once>(&state, &ClientContext::new()).await;
        let me = server.get("/me", &[&once]).await;
        assert_eq!((me.status, me.body.as_str()), (200, "ann"), "{how:?}");
        let again = server.get("/me", &[&once]).await;
        assert_eq!(again.status, 401, "{how:?}");
        assert_eq!(again.removals("__Host-gl-once"), 1);

        let server = served::<Rp>(&state, how).await;
        let rp = issue::<Rp>(&state, &ClientContext::new()).await;
        let reseal = server.post("/reseal", &[&rp]).await;
        assert_eq!((reseal.status, reseal.body.as_str()), (200, "resealed"));
        assert_eq!(reseal.of("__Host-gl-rp").len(), 1, "{reseal:?}");
        let next = reseal.pair("__Host-gl-rp").unwrap();
        let me = server.get("/me", &[&next]).await;
        assert_eq!((me.status, me.body.as_str()), (200, "ann"), "{how:?}");
    }
}

/// Two types' middlewares in either order, each installed either way, on a short and a long
/// header: both open, each gets its own renewal or reseal once.
#[tokio::test]
async fn two_types_in_either_order() {
    for first in INSTALLS {
        for second in INSTALLS {
            for sid_outside in [false, true] {
                let (state, clock, _) = state();
                let both = Router::new().route(
                    "/both",
                    get(|s: Guarded<Sid>, r: Guarded<Rp>| async move {
                        format!("{} {}", s.user, r.user)
                    }),
                );
                let router = if sid_outside {
                    install::<Sid>(install::<Rp>(both, &state, first), &state, second)
                } else {
                    install::<Rp>(install::<Sid>(both, &state, first), &state, second)
                };
                let server = serve(router.with_state(state.clone())).await;
                let sid = issue::<Sid>(&state, &firefox()).await;
                let mut rp = issue::<Rp>(&state, &ClientContext::new()).await;
                clock.advance(Duration::minutes(6));
                for len in [0, 1500] {
                    let header = if len == 0 {
                        format!("{sid}; {rp}")
                    } else {
                        padded(&[&sid, &rp], len)
                    };
                    let answer = server.get("/both", &[&header]).await;
                    let case = format!("{first:?} {second:?} {sid_outside} {len}");
                    assert_eq!(
                        (answer.status, answer.body.as_str()),
                        (200, "ann ann"),
                        "{case}"
                    );
                    assert_eq!(answer.of("__Host-gl-rp").len(), 1, "{case} {answer:?}");
                    assert_eq!(answer.of("__Host-gl").len(), 1, "{case} {answer:?}");
                    rp = answer.pair("__Host-gl-rp").unwrap();
                }
            }
        }
    }
}

/// `route_layer` covers the routes only: a fallback that extracts `Guarded<T>` is then a
/// logged 500 (never a silent "not signed in"); `layer` covers the fallback too. An unknown
/// path under `route_layer` never reaches the guard, so a `one_time` value survives it.
#[tokio::test]
async fn route_layer_layer_and_the_fallback() {
    for how in INSTALLS {
        let (state, _, _) = state();
        let fallback = |s: Option<Guarded<Once>>| async move {
            s.map_or("anonymous".to_owned(), |s| format!("fallback {}", s.user))
        };
        let per_route = route_install::<Once>(routes::<Once>().fallback(fallback), &state, how);
        let server = serve(per_route.with_state(state.clone())).await;
        let once = issue::<Once>(&state, &ClientContext::new()).await;
        let lost = server.get("/nowhere", &[&once]).await;
        assert_eq!(lost.status, 500, "{how:?} {lost:?}");
        assert!(!lost.body.contains("guarded"), "{}", lost.body);
        let me = server.get("/me", &[&once]).await;
        assert_eq!((me.status, me.body.as_str()), (200, "ann"), "{how:?}");

        let whole = install::<Once>(routes::<Once>().fallback(fallback), &state, how);
        let server = serve(whole.with_state(state.clone())).await;
        let once = issue::<Once>(&state, &ClientContext::new()).await;
        let found = server.get("/nowhere", &[&once]).await;
        assert_eq!((found.status, found.body.as_str()), (200, "fallback ann"));
    }
}

/// A router-wide middleware opens `T`'s cookie on every request it covers, whether or not the
/// handler extracts `Guarded<T>`: a `one_time` value is spent by any request that carries it
/// (a `/plain` page, an asset, a 404), and the route that needed it then answers 401. As
/// documented (docs/stolen-cookies.md, "Layers"): the layer opens eagerly, once per request;
/// a layer on the routes that take the value avoids it.
#[tokio::test]
async fn a_router_wide_middleware_spends_a_one_time_value_on_any_request() {
    for how in INSTALLS {
        let (state, _, _) = state();
        let server = served::<Once>(&state, how).await;
        let once = issue::<Once>(&state, &ClientContext::new()).await;
        let plain = server.get("/plain", &[&once]).await;
        assert_eq!((plain.status, plain.body.as_str()), (200, "plain"));
        let me = server.get("/me", &[&once]).await;
        assert_eq!(me.status, 401, "{how:?}: spent by /plain");
    }
}

/// Nested routers: a middleware on the nested router covers its routes only; one on the outer
/// router covers the nested ones too; a route outside every middleware is a logged 500.
#[tokio::test]
async fn nested_routers() {
    for how in INSTALLS {
        let (state, _, _) = state();
        let inner = install::<Sid>(routes::<Sid>(), &state, how);
        let app = Router::new()
            .nest("/api", inner)
            .route(
                "/outside",
                get(|s: Guarded<Sid>| async move { s.user.clone() }),
            )
            .with_state(state.clone());
        let server = serve(app).await;
        let sid = issue::<Sid>(&state, &firefox()).await;
        let me = server.get("/api/me", &[&sid]).await;
        assert_eq!((me.status, me.body.as_str()), (200, "ann"), "{how:?}");
        let outside = server.get("/outside", &[&sid]).await;
        assert_eq!(outside.status, 500, "{how:?}");

        let outer = install::<Sid>(Router::new().nest("/api", routes::<Sid>()), &state, how);
        let server = serve(outer.with_state(state.clone())).await;
        let me = server.get("/api/me", &[&sid]).await;
        assert_eq!((me.status, me.body.as_str()), (200, "ann"), "{how:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Extracting before the handler, rewriting and cloning the request

/// A handler taking `Guarded<T>` twice, or `Guarded<T>` and `Option<Guarded<T>>`: the
/// second extraction is a logged 500 (the result is handed out once).
#[tokio::test]
async fn a_handler_extracting_twice_is_a_500() {
    for how in INSTALLS {
        let (state, _, _) = state();
        let twice =
            Router::new()
                .route(
                    "/twice",
                    get(|a: Guarded<Sid>, b: Guarded<Sid>| async move {
                        format!("{} {}", a.user, b.user)
                    }),
                )
                .route(
                    "/strict-then-optional",
                    get(|a: Guarded<Sid>, b: Option<Guarded<Sid>>| async move {
                        format!("{} {:?}", a.user, b.map(|b| b.user.clone()))
                    }),
                );
        let server = serve(install::<Sid>(twice, &state, how).with_state(state.clone())).await;
        let sid = issue::<Sid>(&state, &firefox()).await;
        for path in ["/twice", "/strict-then-optional"] {
            let answer = server.get(path, &[&sid]).await;
            assert_eq!(answer.status, 500, "{how:?} {path} {answer:?}");
        }
    }
}

/// An auth middleware (`from_fn` with a `Guarded<T>` argument: "signed in or 401") in front of
/// a handler that reads the session too: the result is handed out once per request, so the
/// handler's `Guarded<T>` is a logged 500 (`NoGuardLayer`, "or extracted twice"), as the
/// rejection documents — never a second open of the cookie. Pinned, not a fix: `Guarded<T>`
/// owns the opened value (the type need not be `Clone`).
#[tokio::test]
async fn an_auth_middleware_and_the_handler_cannot_both_take_the_session() {
    async fn require(session: Guarded<Sid>, request: Request, next: Next) -> Response {
        let _ = session.user.len();
        next.run(request).await
    }
    for how in INSTALLS {
        let (state, _, _) = state();
        let app = Router::new()
            .route(
                "/account",
                get(|s: Guarded<Sid>| async move { s.user.clone() }),
            )
            .layer(from_fn(require));
        let server = serve(install::<Sid>(app, &state, how).with_state(state.clone())).await;
        let sid = issue::<Sid>(&state, &firefox()).await;
        let answer = server.get("/account", &[&sid]).await;
        assert_eq!(answer.status, 500, "{how:?} {answer:?}");
        // Not a refusal of the cookie: nothing is cleared.
        assert_eq!(answer.removals("__Host-gl"), 0, "{how:?} {answer:?}");
    }
}

/// A middleware between the guarded middleware and the handler that replaces the `Cookie:`
/// header with Mallory's (valid) session: `Guarded<T>` is what the request carried when the
/// guard opened it (Ann), while a plain extractor reads the header as it is now, on a short
/// header and on a long one (a split kept by the guarded middleware is read again).
#[tokio::test]
async fn a_cookie_header_rewritten_after_the_guard_does_not_change_the_session() {
    for how in INSTALLS {
        for pad in [0, 1500] {
            let (state, _, _) = state();
            let mallory_sid = state
                .guard
                .issue(&state.keys, &Sid::named("mallory"), None, &firefox())
                .await
                .unwrap();
            let mallory_plain = Plain {
                user: "mallory".into(),
            }
            .seal(&state.keys)
            .unwrap();
            let rewritten = format!(
                "__Host-gl={}; __Host-sid={mallory_plain}",
                mallory_sid.value()
            );
            let app = Router::new()
                .route(
                    "/both",
                    get(
                        |s: Guarded<Sid>, p: Result<Sealed<Plain>, SealedRejection>| async move {
                            let plain = p.map_or("none".to_owned(), |Sealed(p)| p.user);
                            format!("{} {plain}", s.user)
                        },
                    ),
                )
                .layer(from_fn(move |mut request: Request, next: Next| {
                    let rewritten = rewritten.clone();
                    async move {
                        request
                            .headers_mut()
                            .insert("cookie", rewritten.parse().unwrap());
                        next.run(request).await
                    }
                }));
            let server = serve(install::<Sid>(app, &state, how).with_state(state.clone())).await;
            let ann_sid = issue::<Sid>(&state, &firefox()).await;
            let ann_plain = format!(
                "__Host-sid={}",
                Plain { user: "ann".into() }.seal(&state.keys).unwrap()
            );
            let header = if pad == 0 {
                format!("{ann_sid}; {ann_plain}")
            } else {
                padded(&[&ann_sid, &ann_plain], pad)
            };
            let answer = server.get("/both", &[&header]).await;
            assert_eq!(
                (answer.status, answer.body.as_str()),
                (200, "ann mallory"),
                "{how:?} {pad}"
            );
        }
    }
}

/// A middleware that hands the handler a copy of the request (a retry-style clone of its
/// parts): the copy carries no session, so the handler's extractor is a 500, not a silent
/// success; the replay renewal still goes out (the nonce moved).
#[tokio::test]
async fn a_cloned_request_carries_no_session() {
    for how in INSTALLS {
        let (state, _, _) = state();
        let app = routes::<Rp>().layer(from_fn(|request: Request, next: Next| async move {
            let (parts, body) = request.into_parts();
            let mut copy = Request::new(body);
            *copy.method_mut() = parts.method.clone();
            *copy.uri_mut() = parts.uri.clone();
            *copy.headers_mut() = parts.headers.clone();
            *copy.extensions_mut() = parts.extensions.clone();
            next.run(copy).await
        }));
        let server = serve(install::<Rp>(app, &state, how).with_state(state.clone())).await;
        let rp = issue::<Rp>(&state, &ClientContext::new()).await;
        let me = server.get("/me", &[&rp]).await;
        assert_eq!(me.status, 500, "{how:?} {me:?}");
        assert!(!me.body.contains("guarded"), "{}", me.body);
        let next = me.pair("__Host-gl-rp").expect("the renewal");
        let again = server.get("/maybe", &[&next]).await;
        assert_eq!(again.status, 500, "{how:?}");
    }
}

/// A split of the `Cookie:` header kept by an outer `refresh` middleware, then a middleware
/// that changes the header before the guard runs: the guard reads the header as it is then,
/// never the stale split — an appended planted copy is a duplicate (401, `/maybe` 400,
/// nothing cleared), a removed header is no session, a replaced one is the new value.
#[tokio::test]
async fn a_header_changed_after_an_outer_split_is_read_again_by_the_guard() {
    for how in INSTALLS {
        for pad in [0, 1500] {
            let (state, _, _) = state();
            let mallory = state
                .guard
                .issue(&state.keys, &Sid::named("mallory"), None, &firefox())
                .await
                .unwrap();
            let mallory = format!("__Host-gl={}", mallory.value());
            for (change, path, expected) in [
                ("append", "/me", (401, "")),
                ("append", "/maybe", (400, "")),
                ("remove", "/me", (401, "")),
                ("remove", "/maybe", (200, "anonymous")),
                ("replace", "/me", (200, "mallory")),
            ] {
                let mallory = mallory.clone();
                let app = install::<Sid>(routes::<Sid>(), &state, how)
                    .layer(from_fn(move |mut request: Request, next: Next| {
                        let mallory = mallory.clone();
                        async move {
                            let headers = request.headers_mut();
                            match change {
                                "append" => {
                                    headers.append("cookie", "__Host-gl=AAAA".parse().unwrap());
                                }
                                "remove" => {
                                    headers.remove("cookie");
                                }
                                _ => {
                                    headers.insert("cookie", mallory.parse().unwrap());
                                }
                            }
                            next.run(request).await
                        }
                    }))
                    .layer(from_fn_with_state(state.clone(), refresh::<Plain, St>));
                let server = serve(app.with_state(state.clone())).await;
                let ann = issue::<Sid>(&state, &firefox()).await;
                let plain = format!(
                    "__Host-sid={}",
                    Plain { user: "ann".into() }.seal(&state.keys).unwrap()
                );
                let header = if pad == 0 {
                    format!("{ann}; {plain}")
                } else {
                    padded(&[&ann, &plain], pad)
                };
                let answer = server.get(path, &[&header]).await;
                let case = format!("{how:?} {pad} {change} {path}");
                assert_eq!(answer.status, expected.0, "{case} {answer:?}");
                if !expected.1.is_empty() {
                    assert_eq!(answer.body, expected.1, "{case}");
                }
                assert_eq!(answer.removals("__Host-gl"), 0, "{case} {answer:?}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What goes out: renewals, reseals, removals

/// A replay session through the middleware: every response renews it once; the renewed value
/// opens; the old one past the grace window revokes the session; a handler that writes the
/// cookie or removes it (sign-out) gets no renewal beside its own.
#[tokio::test]
async fn replay_renewals_on_the_way_out() {
    for how in INSTALLS {
        let (state, clock, _) = state();
        let server = served::<Rp>(&state, how).await;
        let first = issue::<Rp>(&state, &ClientContext::new()).await;
        let me = server.get("/me", &[&first]).await;
        assert_eq!((me.status, me.body.as_str()), (200, "ann"), "{how:?}");
        assert_eq!(me.of("__Host-gl-rp").len(), 1, "{me:?}");
        let second = me.pair("__Host-gl-rp").unwrap();
        let me = server.get("/me", &[&second]).await;
        assert_eq!(me.status, 200);
        let third = me.pair("__Host-gl-rp").unwrap();
        // A handler that answers 500 itself: the renewal still goes out (the nonce moved).
        let fail = server.get("/fail", &[&third]).await;
        assert_eq!((fail.status, fail.body.as_str()), (500, "ann broke"));
        let fourth = fail.pair("__Host-gl-rp").expect("renewed on a 500");
        // Sign-out removes, nothing else.
        let out = server.post("/sign-out", &[&fourth]).await;
        assert_eq!(out.status, 200);
        assert_eq!(out.of("__Host-gl-rp").len(), 1, "{out:?}");
        assert_eq!(out.removals("__Host-gl-rp"), 1, "{out:?}");

        // A thief's old copy past the grace window: the session is revoked.
        let ann = issue::<Rp>(&state, &ClientContext::new()).await;
        let renewed = server
            .get("/me", &[&ann])
            .await
            .pair("__Host-gl-rp")
            .unwrap();
        clock.advance(Duration::seconds(6));
        let thief = server.get("/me", &[&ann]).await;
        assert_eq!(thief.status, 401, "{how:?}");
        let owner = server.get("/me", &[&renewed]).await;
        assert_eq!(owner.status, 401, "{how:?}: the whole session is revoked");
    }
}

/// An idle session past half its idle timeout: the middleware reseals it on the way out,
/// unless the handler removes it (sign-out: one removal, no reseal) or answers 500 after
/// reading it (the reseal still goes out).
#[tokio::test]
async fn idle_reseals_on_the_way_out() {
    for how in INSTALLS {
        let (state, clock, _) = state();
        let server = served::<Sid>(&state, how).await;
        let sid = issue::<Sid>(&state, &firefox()).await;
        let me = server.get("/me", &[&sid]).await;
        assert!(me.of("__Host-gl").is_empty(), "not due yet: {me:?}");
        clock.advance(Duration::minutes(6));
        let me = server.get("/me", &[&sid]).await;
        assert_eq!(me.status, 200);
        assert_eq!(me.of("__Host-gl").len(), 1, "{how:?} {me:?}");
        let resealed = me.pair("__Host-gl").unwrap();
        clock.advance(Duration::minutes(6));
        // The old value is past its idle deadline; the reseal is not.
        assert_eq!(server.get("/me", &[&sid]).await.status, 401);
        let out = server.post("/sign-out", &[&resealed]).await;
        assert_eq!(out.status, 200, "{how:?} {out:?}");
        assert_eq!(out.of("__Host-gl").len(), 1, "{out:?}");
        assert_eq!(out.removals("__Host-gl"), 1, "{out:?}");
        assert_eq!(server.get("/me", &[&resealed]).await.status, 401);
    }
}

/// The store down: 503 for the strict and the optional extractor, nothing cleared, no
/// renewal; a route that extracts nothing still answers; back up, the session opens.
#[tokio::test]
async fn a_store_outage_refuses_and_clears_nothing() {
    for how in INSTALLS {
        let (state, _, store) = state();
        let sid_server = served::<Sid>(&state, how).await;
        let rp_server = served::<Rp>(&state, how).await;
        let sid = issue::<Sid>(&state, &firefox()).await;
        let rp = issue::<Rp>(&state, &ClientContext::new()).await;
        store.set_down(true);
        for (server, cookie) in [(&sid_server, &sid), (&rp_server, &rp)] {
            for path in ["/me", "/maybe", "/sign-out"] {
                let answer = if path == "/sign-out" {
                    server.post(path, &[cookie]).await
                } else {
                    server.get(path, &[cookie]).await
                };
                assert_eq!(answer.status, 503, "{how:?} {path} {answer:?}");
                assert!(answer.set_cookies.is_empty(), "{answer:?}");
            }
            let plain = server.get("/plain", &[cookie]).await;
            assert_eq!((plain.status, plain.set_cookies.len()), (200, 0));
        }
        store.set_down(false);
        assert_eq!(sid_server.get("/me", &[&sid]).await.status, 200);
        assert_eq!(rp_server.get("/me", &[&rp]).await.status, 200);
    }
}

/// A handler that panics: that connection gets no answer, the server keeps serving, and the
/// session (a replay one, whose renewal was lost with the answer) still opens inside the
/// grace window.
#[tokio::test]
async fn a_panicking_handler_leaves_the_server_serving() {
    for how in INSTALLS {
        let (state, _, _) = state();
        let server = served::<Rp>(&state, how).await;
        let rp = issue::<Rp>(&state, &ClientContext::new()).await;
        let panicked = server.get("/panic", &[&rp]).await;
        assert_eq!(panicked.status, 0, "{how:?} {panicked:?}");
        let me = server.get("/me", &[&rp]).await;
        assert_eq!((me.status, me.body.as_str()), (200, "ann"), "{how:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Bound types

/// `bind = "ip"` under the middleware, served with `ConnectInfo`: a value bound to this peer
/// (`127.0.0.1`) opens; one bound to another address is refused and cleared.
#[tokio::test]
async fn ip_bound_under_the_middleware() {
    for how in INSTALLS {
        let (state, _, _) = state();
        let server = served::<Ip>(&state, how).await;
        let here = issue::<Ip>(&state, &ClientContext::new().ip([127, 0, 0, 1].into())).await;
        let me = server.get("/me", &[&here]).await;
        assert_eq!((me.status, me.body.as_str()), (200, "ann"), "{how:?}");
        let there = issue::<Ip>(&state, &ClientContext::new().ip([10, 0, 0, 7].into())).await;
        let stolen = server.get("/me", &[&there]).await;
        assert_eq!(stolen.status, 401, "{how:?}");
        assert_eq!(stolen.removals("__Host-gl-ip"), 1);
        // A forwarding header is no address unless the guard trusts proxies.
        let forwarded = server
            .send(
                "GET",
                "/me",
                &[there.as_bytes()],
                &[("x-forwarded-for", "10.0.0.7")],
            )
            .await;
        assert_eq!(forwarded.status, 401, "{how:?}");
    }
}

/// `bind = "app"`: the app's middleware that puts the `AppBinding` in (from `X-Device`) must
/// run before the guard. Outside it: the right device opens, another is refused. Inside it
/// (the guard saw no binding): a logged 500 on every route the guard covers, never a value
/// accepted unchecked.
#[tokio::test]
async fn app_bound_under_the_middleware() {
    async fn device(mut request: Request, next: Next) -> Response {
        if let Some(id) = request.headers().get("x-device").cloned() {
            request
                .extensions_mut()
                .insert(AppBinding::new(id.as_bytes()));
        }
        next.run(request).await
    }
    for how in INSTALLS {
        let (state, _, _) = state();
        let right = serve(
            install::<Device>(routes::<Device>(), &state, how)
                .layer(from_fn(device))
                .with_state(state.clone()),
        )
        .await;
        let wrong = serve(
            install::<Device>(routes::<Device>().layer(from_fn(device)), &state, how)
                .with_state(state.clone()),
        )
        .await;
        let cookie = issue::<Device>(&state, &ClientContext::new().app("phone-1")).await;
        let me = right
            .send(
                "GET",
                "/me",
                &[cookie.as_bytes()],
                &[("x-device", "phone-1")],
            )
            .await;
        assert_eq!((me.status, me.body.as_str()), (200, "ann"), "{how:?}");
        let other = right
            .send(
                "GET",
                "/me",
                &[cookie.as_bytes()],
                &[("x-device", "phone-2")],
            )
            .await;
        assert_eq!(other.status, 401, "{how:?}");
        let misplaced = wrong
            .send(
                "GET",
                "/me",
                &[cookie.as_bytes()],
                &[("x-device", "phone-1")],
            )
            .await;
        assert_eq!(misplaced.status, 500, "{how:?} {misplaced:?}");
        assert!(misplaced.set_cookies.is_empty());
        let plain = wrong
            .send(
                "GET",
                "/plain",
                &[cookie.as_bytes()],
                &[("x-device", "phone-1")],
            )
            .await;
        assert_eq!(plain.status, 500, "{how:?}: every route the guard covers");
        // Put in before the guard and replaced after it: the bytes the value was checked
        // against are not the request's any more, a logged 500.
        let replaced = serve(
            install::<Device>(
                routes::<Device>().layer(from_fn(|mut request: Request, next: Next| async move {
                    request.extensions_mut().insert(AppBinding::new("phone-2"));
                    next.run(request).await
                })),
                &state,
                how,
            )
            .layer(from_fn(device))
            .with_state(state.clone()),
        )
        .await;
        let swapped = replaced
            .send(
                "GET",
                "/me",
                &[cookie.as_bytes()],
                &[("x-device", "phone-1")],
            )
            .await;
        assert_eq!(swapped.status, 500, "{how:?} {swapped:?}");
    }
}
