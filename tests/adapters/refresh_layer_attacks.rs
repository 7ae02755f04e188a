//! Attacks on axum's refresh middleware over real HTTP: each app is served by `axum::serve` on
//! `127.0.0.1` (with `ConnectInfo<SocketAddr>`) and spoken to by a raw HTTP/1.1 client over a
//! `TcpStream`. Every scenario runs over both installs, `RefreshLayer::<T>::new(&keys)` and
//! `from_fn_with_state(keys, refresh::<T, _>)`, and compares them: the idle and fallback-key
//! reseals written once, a refused cookie cleared (not with `clear_invalid = false`, nor a
//! duplicate); a handler's `Set-Cookie` that only looks like ours (look-alike names, our name
//! inside another cookie's value, another `Path` or `Domain`, odd spacing and case, several
//! headers, empty, huge, non-UTF-8) never suppresses the middleware's own, and one that really
//! sets or removes ours always does; the middleware installed twice (layer and function in
//! every pairing), two types' layers in either order, `route_layer` and `layer`, development
//! mode (the relaxed name on a loopback request), and a panicking handler. The handler's
//! headers come from the request's `x-set` headers, byte for byte (`/echo`).
//!
//! Time moves only through the ring's `ManualClock`; nothing sleeps.

use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::HeaderMap;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use typed_cookies::integrations::axum::{development, Removal, Sealed, SetCookie};
use typed_cookies::time::Duration;
use typed_cookies::{KeyRing, ManualClock, SealedCookie, Stateless};
use typed_cookies_testkit::{clocked, fallback_key, keys, ring};

use crate::installs::{with_refresh, Install, On, INSTALLS};
use crate::raw_http::{serve, Answer, Server};

// ---------------------------------------------------------------------------------------------
// The types

macro_rules! cookie_types {
    ($($(#[$doc:meta])* $ty:ident = ($($attr:tt)*);)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Serialize, Deserialize, SealedCookie)]
        #[cookie($($attr)*)]
        struct $ty {
            user: String,
        }

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

cookie_types! {
    /// Idle 10 minutes (due for a reseal after 5), encrypted.
    Rs = (name = "__Host-rl", salt = "tests.refresh-layer-attacks.session.v1",
          max_age = "8h", idle = "10m", encrypt);
    /// A second type, for two types' layers on one router.
    Two = (name = "__Host-rl-two", salt = "tests.refresh-layer-attacks.two.v1",
           max_age = "8h", idle = "10m");
    /// Keeps a refused cookie.
    Keep = (name = "__Host-rl-keep", salt = "tests.refresh-layer-attacks.keep.v1",
            max_age = "8h", idle = "10m", clear_invalid = false);
    /// A domain cookie under `/app`.
    Scoped = (name = "__Secure-rl-app", salt = "tests.refresh-layer-attacks.scoped.v1",
              max_age = "8h", idle = "10m", path = "/app", domain = "shop.example");
}

trait User: Stateless + Send + Sync + 'static {
    fn named(user: &str) -> Self;
    fn user(&self) -> &str;
}

// ---------------------------------------------------------------------------------------------
// The app

/// Every `x-set` request header, byte for byte, as a `Set-Cookie` of the response.
async fn echo(headers: HeaderMap) -> Response {
    let mut response = "echo".into_response();
    for value in headers.get_all("x-set") {
        response.headers_mut().append(SET_COOKIE, value.clone());
    }
    response
}

/// `/me` (`Sealed<T>`), `/plain`, `/echo`, `/login` (`SetCookie::new`), `/logout`
/// (`Removal<T>`), `/panic`.
fn routes<T: User>() -> Router<KeyRing> {
    Router::new()
        .route(
            "/me",
            get(|Sealed(s): Sealed<T>| async move { s.user().to_owned() }),
        )
        .route("/plain", get(|| async { "plain" }))
        .route("/echo", get(echo))
        .route(
            "/login",
            post(|State(keys): State<KeyRing>| async move {
                SetCookie::new(&T::named("bob"), &keys).map(|set| (set, "in"))
            }),
        )
        .route("/logout", post(|| async { (Removal::<T>::new(), "bye") }))
        .route(
            "/panic",
            get(|| async {
                if true {
                    panic!("handler panicked on purpose");
                }
                "unreachable"
            }),
        )
}

/// The server's ring (primary and fallback keys) on a `ManualClock`.
fn clocked_keys() -> (KeyRing, ManualClock) {
    clocked(&keys())
}

/// `T`'s routes with its middleware installed `how`, served.
async fn served<T: User>(keys: &KeyRing, how: Install) -> Server {
    serve(with_refresh::<T, _>(routes::<T>(), keys, how, On::Layer).with_state(keys.clone())).await
}

/// `T`'s value for `user` sealed by `keys`, as a `name=value` pair.
fn pair<T: User>(keys: &KeyRing, user: &str) -> String {
    format!(
        "{}={}",
        T::CONFIG.name(),
        T::named(user).seal(keys).unwrap()
    )
}

/// A pair sealed now, then the clock moved 6 minutes: due for its idle reseal.
fn due<T: User>(keys: &KeyRing, clock: &ManualClock) -> String {
    let pair = pair::<T>(keys, "ann");
    clock.advance(Duration::minutes(6));
    pair
}

/// A pair that does not open.
fn junk<T: User>() -> String {
    format!("{}=AAAAnot-a-sealed-value", T::CONFIG.name())
}

// ---------------------------------------------------------------------------------------------
// Requests (the server and client are `raw_http`)

/// `method path` to `host`, one `Cookie:` header per entry of `cookies`, and one `x-set`
/// header (raw bytes) per entry of `sets`: what `/echo` answers with.
async fn send(
    server: &Server,
    method: &str,
    path: &str,
    host: &str,
    cookies: &[&str],
    sets: &[&[u8]],
) -> Answer {
    let cookies: Vec<&[u8]> = cookies.iter().map(|c| c.as_bytes()).collect();
    let sets: Vec<(&str, &[u8])> = sets.iter().map(|set| ("x-set", *set)).collect();
    server.request(method, path, host, &cookies, &sets).await
}

/// `/echo` with `cookies`, the handler answering with `sets`.
async fn echo_with(server: &Server, cookies: &[&str], sets: &[&[u8]]) -> Answer {
    send(server, "GET", "/echo", "shop.example", cookies, sets).await
}

// ---------------------------------------------------------------------------------------------
// What the middleware writes

/// An idle-due cookie is resealed once (and the reseal opens, not due); a fresh one is left
/// alone; no cookie, nothing.
#[tokio::test]
async fn idle_reseal_written_once() {
    for how in INSTALLS {
        let (keys, clock) = clocked_keys();
        let server = served::<Rs>(&keys, how).await;
        let fresh = pair::<Rs>(&keys, "ann");
        let plain = server.get("/plain", &[&fresh]).await;
        assert!(plain.set_cookies.is_empty(), "{how:?} {plain:?}");
        assert!(server.get("/plain", &[]).await.set_cookies.is_empty());
        clock.advance(Duration::minutes(6));
        let me = server.get("/me", &[&fresh]).await;
        assert_eq!((me.status, me.body.as_str()), (200, "ann"), "{how:?}");
        assert_eq!((me.of("__Host-rl").len(), me.reseals("__Host-rl")), (1, 1));
        let resealed = me.pair("__Host-rl").unwrap();
        let again = server.get("/me", &[&resealed]).await;
        assert_eq!((again.status, again.body.as_str()), (200, "ann"), "{how:?}");
        assert!(again.set_cookies.is_empty(), "{how:?} {again:?}");
    }
}

/// A value a fallback key sealed is resealed under the primary once, and then left alone.
#[tokio::test]
async fn fallback_key_reseal_written_once() {
    for how in INSTALLS {
        let (keys, clock) = clocked_keys();
        let old = KeyRing::new(fallback_key()).with_clock(clock.clone());
        let server = served::<Rs>(&keys, how).await;
        let me = server.get("/me", &[&pair::<Rs>(&old, "ann")]).await;
        assert_eq!((me.status, me.body.as_str()), (200, "ann"), "{how:?}");
        assert_eq!((me.of("__Host-rl").len(), me.reseals("__Host-rl")), (1, 1));
        let resealed = me.pair("__Host-rl").unwrap();
        assert!(Rs::open(
            &ring().with_clock(clock.clone()),
            resealed.split_once('=').unwrap().1
        )
        .is_ok());
        let again = server.get("/plain", &[&resealed]).await;
        assert!(again.set_cookies.is_empty(), "{how:?} {again:?}");
    }
}

/// A refused cookie is cleared once, on any route; not for a `clear_invalid = false` type.
#[tokio::test]
async fn refused_cookie_cleared_once_unless_kept() {
    for how in INSTALLS {
        let (keys, _) = clocked_keys();
        let server = served::<Rs>(&keys, how).await;
        for path in ["/plain", "/me"] {
            let answer = server.get(path, &[&junk::<Rs>()]).await;
            assert_eq!(answer.of("__Host-rl").len(), 1, "{how:?} {path} {answer:?}");
            assert_eq!(answer.removals("__Host-rl"), 1, "{how:?} {path}");
        }
        // Another type's value under our name (another salt) is refused too.
        let other_type = format!("__Host-rl={}", Two::named("ann").seal(&keys).unwrap());
        let answer = server.get("/plain", &[&other_type]).await;
        assert_eq!(answer.removals("__Host-rl"), 1, "{how:?} {answer:?}");

        let kept = served::<Keep>(&keys, how).await;
        let answer = kept.get("/plain", &[&junk::<Keep>()]).await;
        assert!(answer.set_cookies.is_empty(), "{how:?} {answer:?}");
        let me = kept.get("/me", &[&junk::<Keep>()]).await;
        assert_ne!(me.status, 200, "{how:?}");
        assert!(me.set_cookies.is_empty(), "{how:?} {me:?}");
    }
}

/// A duplicated name is never cleared (the removal could only hit our copy) nor resealed.
#[tokio::test]
async fn duplicates_neither_cleared_nor_resealed() {
    for how in INSTALLS {
        let (keys, clock) = clocked_keys();
        let server = served::<Rs>(&keys, how).await;
        let first = pair::<Rs>(&keys, "ann");
        let second = pair::<Rs>(&keys, "eve");
        clock.advance(Duration::minutes(6));
        for cookies in [
            vec![format!("{first}; {second}")],
            vec![first.clone(), second.clone()],
            vec![format!("{first}; {}", junk::<Rs>())],
            vec![junk::<Rs>(), junk::<Rs>()],
        ] {
            let cookies: Vec<&str> = cookies.iter().map(String::as_str).collect();
            let answer = server.get("/plain", &cookies).await;
            assert!(answer.set_cookies.is_empty(), "{how:?} {answer:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The handler's own Set-Cookie

/// `Set-Cookie`s that are not `__Host-rl` (host-only, `Path=/`) as browsers tell cookies apart.
#[rustfmt::skip]
const LOOK_ALIKES: &[&str] = &[
    "__Host-rlx=v; Path=/", "__host-rl=v; Path=/", "__HOST-RL=v; Path=/", "x__Host-rl=v; Path=/",
    "__Host-rl-two=v; Path=/", "__Secure-rl=v; Path=/", "rl=v; Path=/", "other=__Host-rl=v; Path=/",
    "other=\"__Host-rl=v; Path=/\"", "other=v; __Host-rl=v", "=__Host-rl; Path=/",
    "other=v; Path=/; Domain=shop.example; __Host-rl", "__Host-rl=v; Path=/other",
    "__Host-rl=v; path = /other ", "__Host-rl=v;PATH=/other;Secure", "__Host-rl=v; Path=/; Path=/other",
    "__Host-rl=v; Path=/RL/..", "__Host-rl=v; Path=/ other", "__Host-rl=v; Path=/; Domain=shop.example",
    "__Host-rl=v; Path=/;\tdOmAiN =\t.SHOP.example", "__Host-rl=v; Path=/; Domain=; Domain=shop.example",
    "__Host-r l=v; Path=/", "__Host-rl\t-x=v; Path=/", "", " ", ";", "=", "; __Host-rl=v",
];

/// [`LOOK_ALIKES`], and non-UTF-8 and huge ones.
fn look_alikes() -> Vec<Vec<u8>> {
    let mut list: Vec<Vec<u8>> = LOOK_ALIKES.iter().map(|s| s.as_bytes().to_vec()).collect();
    list.push(b"__Host-rl\xff=v; Path=/".to_vec());
    list.push(b"\xe9__Host-rl=v; Path=/".to_vec());
    list.push(b"other=\xff\xfe__Host-rl=; Path=/".to_vec());
    list.push([&b"big="[..], &[b'x'; 6000], b"; __Host-rl=v; Path=/"].concat());
    list
}

/// None of the look-alikes, alone or all in one response, suppresses the middleware: a
/// refused cookie is still cleared and a due one still resealed, once, after the handler's
/// headers (which pass through unchanged).
#[tokio::test]
async fn look_alike_set_cookies_do_not_suppress() {
    for how in INSTALLS {
        let (keys, clock) = clocked_keys();
        let server = served::<Rs>(&keys, how).await;
        let due = due::<Rs>(&keys, &clock);
        let look_alikes = look_alikes();
        let mut cases: Vec<Vec<&[u8]>> = look_alikes.iter().map(|s| vec![s.as_slice()]).collect();
        cases.push(look_alikes.iter().map(Vec::as_slice).collect());
        for sets in &cases {
            let cleared = echo_with(&server, &[&junk::<Rs>()], sets).await;
            assert_eq!(cleared.status, 200, "{how:?} {sets:?}");
            assert_eq!(cleared.removals("__Host-rl"), 1, "{how:?} {cleared:?}");
            let last = cleared.set_cookies.last().unwrap();
            assert!(last.starts_with("__Host-rl=;"), "{how:?} {cleared:?}");
            assert_eq!(cleared.set_cookies.len(), sets.len() + 1, "{how:?}");
            let resealed = echo_with(&server, &[&due], sets).await;
            assert_eq!(
                resealed.set_cookies.len(),
                sets.len() + 1,
                "{how:?} {resealed:?}"
            );
            let last = resealed.set_cookies.last().unwrap();
            assert!(
                last.starts_with("__Host-rl=A") && last.contains("; Max-Age=600;"),
                "{how:?} {resealed:?}"
            );
        }
    }
}

/// `Set-Cookie`s that do set or remove `__Host-rl` as a browser stores it (the last `Path`
/// and `Domain` count; names and attribute keys trimmed; attribute keys in any case).
#[rustfmt::skip]
const REAL_SETS: &[&str] = &[
    "__Host-rl=v; Path=/; Secure", " __Host-rl = v ;pAtH=/ ; secure",
    "__Host-rl\t=\tv;\tPath\t=\t/;Secure", "__Host-rl=; Path=/; Max-Age=0; Secure",
    "__Host-rl=v; Path=/other; Path=/; Secure", "__Host-rl=v; Domain=shop.example; Domain=; Path=/; Secure",
    "__Host-rl=a=b;c; Path=/; Secure", "__Host-rl=\"quoted; Path=/other\"; Path=/; Secure",
];

/// A handler that writes our cookie itself (raw, `SetCookie::new`, `Removal<T>`, among
/// look-alikes, in either order) is left alone: only its own header for our name goes out.
#[tokio::test]
async fn real_set_cookies_suppress() {
    for how in INSTALLS {
        let (keys, clock) = clocked_keys();
        let server = served::<Rs>(&keys, how).await;
        let due = due::<Rs>(&keys, &clock);
        for set in REAL_SETS {
            for cookie in [junk::<Rs>(), due.clone()] {
                let answer = echo_with(&server, &[&cookie], &[set.as_bytes()]).await;
                assert_eq!(answer.set_cookies.len(), 1, "{how:?} {set:?} {answer:?}");
                let among: &[&[u8]] = &[b"__Host-rlx=v; Path=/", set.as_bytes(), b"x=__Host-rl"];
                let answer = echo_with(&server, &[&cookie], among).await;
                assert_eq!(answer.set_cookies.len(), 3, "{how:?} {set:?} {answer:?}");
            }
        }
        for cookie in [junk::<Rs>(), due.clone()] {
            let login = server.post("/login", &[&cookie]).await;
            assert_eq!((login.status, login.of("__Host-rl").len()), (200, 1));
            assert_eq!(
                Rs::open(
                    &keys,
                    login.pair("__Host-rl").unwrap().split_once('=').unwrap().1
                )
                .unwrap()
                .user,
                "bob",
                "{how:?}"
            );
            let logout = server.post("/logout", &[&cookie]).await;
            assert_eq!((logout.status, logout.set_cookies.len()), (200, 1));
            assert_eq!(logout.removals("__Host-rl"), 1, "{how:?} {logout:?}");
        }
    }
}

/// A domain cookie under `/app`: only its exact `Path` and its `Domain` (one leading dot and
/// case aside) are it; host-only, another domain, `/app/`, `/App` are other cookies.
#[tokio::test]
async fn scoped_type_told_apart_by_path_and_domain() {
    for how in INSTALLS {
        let (keys, _) = clocked_keys();
        let server = served::<Scoped>(&keys, how).await;
        let junk = junk::<Scoped>();
        let name = "__Secure-rl-app";
        let removal = server.get("/plain", &[&junk]).await;
        assert_eq!(removal.removals(name), 1, "{how:?} {removal:?}");
        #[rustfmt::skip]
        let others = [
            "__Secure-rl-app=v; Path=/app", "__Secure-rl-app=v; Path=/app/; Domain=shop.example",
            "__Secure-rl-app=v; Path=/App; Domain=shop.example", "__Secure-rl-app=v; Path=/; Domain=shop.example",
            "__Secure-rl-app=v; Path=/app; Domain=www.shop.example", "__Secure-rl-app=v; Path=/app; Domain=example",
            "__Secure-rl-app=v; Path=/app; Domain=shop.example; Domain=",
        ];
        for other in others {
            let answer = echo_with(&server, &[&junk], &[other.as_bytes()]).await;
            assert_eq!(answer.removals(name), 1, "{how:?} {other:?} {answer:?}");
        }
        #[rustfmt::skip]
        let ours = [
            "__Secure-rl-app=v; Path=/app; Domain=shop.example", "__Secure-rl-app=v; path=/app; domain=.SHOP.Example",
            "__Secure-rl-app=; Domain=shop.example; Path=/app; Max-Age=0",
        ];
        for ours in ours {
            let answer = echo_with(&server, &[&junk], &[ours.as_bytes()]).await;
            assert_eq!(answer.set_cookies.len(), 1, "{how:?} {ours:?} {answer:?}");
        }
    }
}

/// A `Set-Cookie` without `=` in its first part is a nameless cookie whose *value* is
/// that text (RFC 6265bis 5.6 step 5; Chromium, Firefox), not a cookie of that name; the check
/// took `__Host-rl; Path=/` for ours and left a refused `__Host-rl` in place (found by this
/// review, fixed in `sets_cookie`).
#[tokio::test]
async fn nameless_set_cookie_does_not_suppress() {
    for how in INSTALLS {
        let (keys, _) = clocked_keys();
        let server = served::<Rs>(&keys, how).await;
        for nameless in [
            "__Host-rl",
            "__Host-rl; Path=/; Secure",
            " __Host-rl ;Max-Age=0",
        ] {
            let answer = echo_with(&server, &[&junk::<Rs>()], &[nameless.as_bytes()]).await;
            assert_eq!(
                answer.removals("__Host-rl"),
                1,
                "{how:?} {nameless:?} {answer:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Installs

/// The middleware twice for one type, in every pairing of layer and function (the inner one's
/// header is the outer one's "handler sets it"): one reseal, one removal, the same as once.
#[tokio::test]
async fn installed_twice_writes_once() {
    for outer in INSTALLS {
        for inner in INSTALLS {
            let (keys, clock) = clocked_keys();
            let app = with_refresh::<Rs, _>(
                with_refresh::<Rs, _>(routes::<Rs>(), &keys, inner, On::Layer),
                &keys,
                outer,
                On::Layer,
            );
            let server = serve(app.with_state(keys.clone())).await;
            let due = due::<Rs>(&keys, &clock);
            let me = server.get("/me", &[&due]).await;
            assert_eq!((me.status, me.body.as_str()), (200, "ann"));
            assert_eq!(me.of("__Host-rl").len(), 1, "{outer:?}/{inner:?} {me:?}");
            let cleared = server.get("/plain", &[&junk::<Rs>()]).await;
            assert_eq!(cleared.of("__Host-rl").len(), 1, "{outer:?}/{inner:?}");
            assert_eq!(cleared.removals("__Host-rl"), 1);
            let login = server.post("/login", &[&junk::<Rs>()]).await;
            assert_eq!(
                (login.of("__Host-rl").len(), login.reseals("__Host-rl")),
                (1, 1)
            );
        }
    }
}

/// Two types' middlewares on one router, in either order and either install: each writes its
/// own cookie once, and a handler writing one type's cookie does not silence the other's.
#[tokio::test]
async fn two_types_in_either_order() {
    for first in INSTALLS {
        for second in INSTALLS {
            for rs_outer in [false, true] {
                let (keys, clock) = clocked_keys();
                let router =
                    routes::<Rs>().route("/two-out", post(|| async { Removal::<Two>::new() }));
                let app = if rs_outer {
                    with_refresh::<Rs, _>(
                        with_refresh::<Two, _>(router, &keys, second, On::Layer),
                        &keys,
                        first,
                        On::Layer,
                    )
                } else {
                    with_refresh::<Two, _>(
                        with_refresh::<Rs, _>(router, &keys, first, On::Layer),
                        &keys,
                        second,
                        On::Layer,
                    )
                };
                let server = serve(app.with_state(keys.clone())).await;
                let case = format!("{first:?}/{second:?} rs outer: {rs_outer}");
                let (rs, two) = (pair::<Rs>(&keys, "ann"), pair::<Two>(&keys, "ann"));
                clock.advance(Duration::minutes(6));
                let both = server.get("/plain", &[&format!("{rs}; {two}")]).await;
                assert_eq!(both.reseals("__Host-rl"), 1, "{case} {both:?}");
                assert_eq!(both.reseals("__Host-rl-two"), 1, "{case} {both:?}");
                assert_eq!(both.set_cookies.len(), 2, "{case}");
                let junked = format!("{}; {}", junk::<Rs>(), junk::<Two>());
                let cleared = server.get("/plain", &[&junked]).await;
                assert_eq!(cleared.removals("__Host-rl"), 1, "{case} {cleared:?}");
                assert_eq!(cleared.removals("__Host-rl-two"), 1, "{case} {cleared:?}");
                let login = server.post("/login", &[&junked]).await;
                assert_eq!(login.reseals("__Host-rl"), 1, "{case} {login:?}");
                assert_eq!(login.removals("__Host-rl-two"), 1, "{case} {login:?}");
                assert_eq!(login.set_cookies.len(), 2, "{case}");
                let two_out = server.post("/two-out", &[&format!("{rs}; {two}")]).await;
                assert_eq!(two_out.removals("__Host-rl-two"), 1, "{case} {two_out:?}");
                assert_eq!(two_out.reseals("__Host-rl"), 1, "{case} {two_out:?}");
                assert_eq!(two_out.set_cookies.len(), 2, "{case}");
            }
        }
    }
}

/// `layer` runs for every request (a 404 clears too); `route_layer` only for matched routes,
/// where it behaves the same.
#[tokio::test]
async fn route_layer_and_layer() {
    for how in INSTALLS {
        let (keys, clock) = clocked_keys();
        let routed = with_refresh::<Rs, _>(routes::<Rs>(), &keys, how, On::RouteLayer);
        let routed = serve(routed.with_state(keys.clone())).await;
        let layered = served::<Rs>(&keys, how).await;
        let missing = layered.get("/nowhere", &[&junk::<Rs>()]).await;
        assert_eq!((missing.status, missing.removals("__Host-rl")), (404, 1));
        let missing = routed.get("/nowhere", &[&junk::<Rs>()]).await;
        assert_eq!(missing.status, 404, "{how:?}");
        assert!(missing.set_cookies.is_empty(), "{how:?} {missing:?}");
        let due = due::<Rs>(&keys, &clock);
        for server in [&routed, &layered] {
            let cleared = server.get("/plain", &[&junk::<Rs>()]).await;
            assert_eq!(cleared.removals("__Host-rl"), 1, "{how:?} {cleared:?}");
            let me = server.get("/me", &[&due]).await;
            assert_eq!((me.status, me.reseals("__Host-rl")), (200, 1), "{how:?}");
        }
    }
}

/// A panicking handler: that connection gets no answer, the server keeps serving, and the
/// next request's due cookie is resealed.
#[tokio::test]
async fn a_panicking_handler_leaves_the_server_serving() {
    for how in INSTALLS {
        let (keys, clock) = clocked_keys();
        let server = served::<Rs>(&keys, how).await;
        let due = due::<Rs>(&keys, &clock);
        let panicked = server.get("/panic", &[&due]).await;
        assert_eq!(panicked.status, 0, "{how:?} {panicked:?}");
        let me = server.get("/me", &[&due]).await;
        assert_eq!((me.status, me.reseals("__Host-rl")), (200, 1), "{how:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Development mode

/// The `development` middleware outermost, a development-mode ring on a `ManualClock`.
async fn dev_served(how: Install) -> (Server, KeyRing, ManualClock) {
    let (keys, clock) = clocked(&keys().with_development_mode().unwrap());
    let app = with_refresh::<Rs, _>(routes::<Rs>(), &keys, how, On::Layer)
        .layer(from_fn_with_state(keys.clone(), development::<KeyRing>))
        .with_state(keys.clone());
    (serve(app).await, keys, clock)
}

/// A loopback request: the relaxed name `rl` is read, resealed and cleared once, without
/// `Secure`; the strict `__Host-rl` of a loopback request is not ours there.
#[tokio::test]
async fn development_relaxed_name_on_loopback() {
    for how in INSTALLS {
        let (server, keys, clock) = dev_served(how).await;
        let value = Rs::named("ann").seal(&keys).unwrap();
        clock.advance(Duration::minutes(6));
        let local = |path: &'static str, cookie: String, sets: Vec<&'static [u8]>| {
            let server = &server;
            async move { send(server, "GET", path, "localhost:3000", &[&cookie], &sets).await }
        };
        let me = local("/me", format!("rl={value}"), vec![]).await;
        assert_eq!(
            (me.status, me.body.as_str()),
            (200, "ann"),
            "{how:?} {me:?}"
        );
        assert_eq!(
            (me.set_cookies.len(), me.reseals("rl")),
            (1, 1),
            "{how:?} {me:?}"
        );
        assert!(!me.set_cookies[0].contains("Secure"), "{how:?} {me:?}");
        let cleared = local("/plain", "rl=junk".into(), vec![]).await;
        assert_eq!(cleared.set_cookies.len(), 1, "{how:?} {cleared:?}");
        assert_eq!(cleared.removals("rl"), 1, "{how:?} {cleared:?}");
        let strict = local("/plain", format!("__Host-rl={value}"), vec![]).await;
        assert!(strict.set_cookies.is_empty(), "{how:?} {strict:?}");
        // The handler sets ours under either name: left alone, and relaxed on the way out.
        for set in [&b"__Host-rl=v; Path=/; Secure"[..], b"rl=v; Path=/"] {
            let answer = local("/echo", "rl=junk".into(), vec![set]).await;
            assert_eq!(answer.set_cookies, ["rl=v; Path=/"], "{how:?} {answer:?}");
        }
        // Look-alikes of the relaxed name do not suppress.
        for set in [&b"rlx=v; Path=/"[..], b"rl=v; Path=/other", b"RL=v; Path=/"] {
            let answer = local("/echo", "rl=junk".into(), vec![set]).await;
            assert_eq!(answer.removals("rl"), 1, "{how:?} {answer:?}");
        }
        // Another host: the strict name only, `rl=` is someone else's.
        let value2 = Rs::named("ann").seal(&keys).unwrap();
        clock.advance(Duration::minutes(6));
        let remote = send(
            &server,
            "GET",
            "/echo",
            "shop.example",
            &[&format!("__Host-rl={value2}")],
            &[b"rl=v"],
        )
        .await;
        assert_eq!(
            (remote.status, remote.reseals("__Host-rl")),
            (200, 1),
            "{how:?} {remote:?}"
        );
        assert_eq!(remote.set_cookies[0], "rl=v", "{how:?}");
        assert!(remote.of("__Host-rl")[0].contains("Secure"), "{how:?}");
    }
}
