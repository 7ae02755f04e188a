//! `bind = "app"` (alone and with `"ip"`) in the deployment setups the other app-binding tests
//! (`guard_app_binding.rs`, `app_binding_attacks.rs`) do not run, through the public API only:
//!
//! - **behind a reverse proxy** (`ClientIp::ForwardedFor`): client-written
//!   `X-Forwarded-For` entries (one line or several), sources the guard does not read
//!   (`Forwarded`, `X-Real-IP`, garbage), IPv4-mapped IPv6 addresses, a client switching
//!   networks, a client connecting directly (its `X-Forwarded-For` is not believed: this
//!   review found it was), NAT64-translated IPv4 clients (bound by their own /24, not the
//!   translator's /64: this review found they shared one binding);
//! - **axum routing**: `Router::nest`, `Router::merge`, `route_layer` against `layer`, and
//!   `fallback`: a route either keeps the binding or fails closed with a logged 500, never
//!   opens unbound, nor after its binding was replaced once `guarded` ran (this review found
//!   the extractor ignored the replacement);
//! - **actix-web**: `web::scope(..).wrap(..)` against `App::wrap` ordering with `from_fn`,
//!   and `default_service`;
//! - **development mode** (`KeyRing::with_development_mode`, loopback hosts): the relaxed
//!   name changes, the binding does not;
//! - **a fleet on `RedisStore`** (a real `redis-server`, skipped when missing): a revocable
//!   app-bound type across two `Guard`s, sign-out and "sign out everywhere" on one server
//!   refusing every copy on the other.
//!
//! Time moves only through `typed_cookies_testkit::clocked`'s `ManualClock`.

use std::future::Future;

use serde::{Deserialize, Serialize};
use typed_cookies::guard::{AppBinding, ClientContext, ClientIp, Guard};
use typed_cookies::store::MemoryStore;
use typed_cookies::{KeyRing, ManualClock, OpenError, SealedCookie};
use typed_cookies_testkit::{clocked, logs_of, ring};

mod actix_support;
mod axum_guard_state;
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

/// What the sign-in handlers seal, and what the other handlers answer with.
trait User: SealedCookie + Send + Sync + 'static {
    fn named(user: &str) -> Self;
    fn user(&self) -> &str;
}

impl User for AppNet {
    fn named(user: &str) -> Self {
        Self { user: user.into() }
    }
    fn user(&self) -> &str {
        &self.user
    }
}

impl User for AppOnly {
    fn named(user: &str) -> Self {
        Self { user: user.into() }
    }
    fn user(&self) -> &str {
        &self.user
    }
}

const FIREFOX: &str = "Mozilla/5.0 Firefox/140";
const NO_BINDING: (u16, &str) = (500, "500 Internal Server Error\n");

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

mod axum_app {
    //! The axum application the axum tests assemble in different ways.

    pub use axum::body::Body;
    pub use axum::extract::{ConnectInfo, Request, State};
    pub use axum::http::request::Parts;
    pub use axum::http::{header, StatusCode};
    pub use axum::middleware::{from_fn, from_fn_with_state, Next};
    pub use axum::response::{IntoResponse, Response};
    pub use axum::routing::{get, post};
    pub use axum::Router;
    pub use std::net::SocketAddr;
    pub use typed_cookies::guard::Issued;
    pub use typed_cookies::integrations::axum::{client_context_of, Guarded, Removal};

    pub use crate::axum_guard_state::AppState;
    use crate::*;

    /// The docs' binding: every request gets one, empty bytes without `x-device-id`.
    pub async fn device_binding(mut request: Request, next: Next) -> Response {
        let device = request
            .headers()
            .get("x-device-id")
            .map(|v| v.as_bytes().to_vec());
        let binding = AppBinding::new(device.unwrap_or_default());
        request.extensions_mut().insert(binding);
        next.run(request).await
    }

    pub async fn sign_in<T: User>(
        State(state): State<AppState>,
        parts: Parts,
    ) -> Result<Issued, Response> {
        let client =
            client_context_of::<T>(&parts, &state.guard).map_err(IntoResponse::into_response)?;
        state
            .guard
            .issue(&state.keys, &T::named("ann"), Some("user:ann"), &client)
            .await
            .map_err(IntoResponse::into_response)
    }

    pub async fn me<T: User>(session: Guarded<T>) -> String {
        session.user().to_owned()
    }

    pub async fn maybe<T: User>(session: Option<Guarded<T>>) -> String {
        session.map_or("anonymous".to_owned(), |s| s.user().to_owned())
    }

    pub async fn sign_out<T: User>(
        State(state): State<AppState>,
        session: Guarded<T>,
    ) -> Result<Removal<T>, StatusCode> {
        state
            .guard
            .revoke(&state.keys, session.opened())
            .await
            .map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
        Ok(Removal::new())
    }

    pub async fn everywhere<T: User>(
        State(state): State<AppState>,
        session: Guarded<T>,
    ) -> Result<Removal<T>, StatusCode> {
        let subject = session.opened().subject().ok_or(StatusCode::BAD_REQUEST)?;
        state
            .guard
            .sign_out_everywhere(&state.keys, subject)
            .await
            .map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
        Ok(Removal::new())
    }

    /// `/sign-in`, `/me`, `/maybe`, `/sign-out`, `/everywhere` and `/public` for `T`.
    pub fn routes<T: User>() -> Router<AppState> {
        Router::new()
            .route("/sign-in", post(sign_in::<T>))
            .route("/me", get(me::<T>))
            .route("/maybe", get(maybe::<T>))
            .route("/sign-out", post(sign_out::<T>))
            .route("/everywhere", post(everywhere::<T>))
            .route("/public", get(|| async { "public" }))
    }

    /// A state over `keys` with a fresh memory store and the client IP from `source`.
    pub fn state(keys: KeyRing, source: ClientIp) -> AppState {
        AppState {
            keys,
            guard: Guard::new(MemoryStore::new()).with_client_ip(source),
        }
    }

    /// A request, with `headers` appended in order (a name may repeat) and, when given, the
    /// TCP peer as axum's `ConnectInfo`.
    pub fn request(
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        peer: Option<&str>,
    ) -> Request<Body> {
        let mut builder = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::USER_AGENT, FIREFOX);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let mut request = builder.body(Body::empty()).unwrap();
        if let Some(peer) = peer {
            request
                .extensions_mut()
                .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        }
        request
    }

    /// A reply: status, body, `Set-Cookie`s.
    pub struct Reply {
        pub status: u16,
        pub body: String,
        pub set_cookies: Vec<String>,
    }

    impl Reply {
        pub fn answer(&self) -> (u16, &str) {
            (self.status, self.body.as_str())
        }

        /// The `name=value` pair a sign-in set (not a removal).
        pub fn pair(&self, name: &str) -> Option<String> {
            self.set_cookies
                .iter()
                .find(|c| {
                    c.starts_with(&format!("{name}=")) && !c.starts_with(&format!("{name}=;"))
                })
                .map(|c| c.split(';').next().unwrap().to_owned())
        }

        /// Whether the response removes `name`.
        pub fn removes(&self, name: &str) -> bool {
            self.set_cookies
                .iter()
                .any(|c| c.starts_with(&format!("{name}=;")))
        }
    }

    /// A request from device `device` (its `X-Device-Id`), with `cookie` if given.
    pub async fn call(
        app: &Router,
        method: &str,
        uri: &str,
        cookie: Option<&str>,
        device: &str,
    ) -> Reply {
        let mut headers = vec![("x-device-id", device)];
        if let Some(cookie) = cookie {
            headers.push(("cookie", cookie));
        }
        send(app, request(method, uri, &headers, None)).await
    }

    pub async fn send(app: &Router, request: Request<Body>) -> Reply {
        let response = crate::axum_support::send(app, request).await;
        Reply {
            status: response.status.as_u16(),
            body: response.body,
            set_cookies: response.set_cookies,
        }
    }
}

mod behind_a_proxy {
    //! `bind = "app, ip"` behind one reverse proxy of ours (`ClientIp::ForwardedFor {
    //! proxies: 1 }`, the proxy at 10.0.0.2 appending the address it saw), and with the TCP
    //! peer (`ClientIp::Peer`) for IPv4-mapped addresses.

    use super::axum_app::*;
    use super::*;

    const PROXY: &str = "10.0.0.2:41000";
    const NAME: &str = "__Host-appnet";

    fn app(source: ClientIp) -> Router {
        let state = state(clocked(&ring()).0, source);
        routes::<AppNet>()
            .layer(guarded_layer!(AppNet, state))
            .layer(from_fn(device_binding))
            .with_state(state)
    }

    fn behind_proxy() -> Router {
        app(ClientIp::ForwardedFor { proxies: 1 })
    }

    /// A request through the proxy: `forwarded_for` are the `X-Forwarded-For` lines as the
    /// app receives them (the client's, then the proxy's).
    async fn via_proxy(
        app: &Router,
        method: &str,
        uri: &str,
        cookie: Option<&str>,
        device: &str,
        forwarded_for: &[&str],
    ) -> Reply {
        let mut headers = vec![("x-device-id", device)];
        if let Some(cookie) = cookie {
            headers.push(("cookie", cookie));
        }
        headers.extend(forwarded_for.iter().map(|v| ("x-forwarded-for", *v)));
        send(app, request(method, uri, &headers, Some(PROXY))).await
    }

    async fn sign_in(app: &Router, device: &str, forwarded_for: &[&str]) -> String {
        let reply = via_proxy(app, "POST", "/sign-in", None, device, forwarded_for).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.pair(NAME).expect("a session cookie")
    }

    /// Whatever the client writes into `X-Forwarded-For` before the proxy's entry — the
    /// victim's address, garbage, a second header line — is never what the value binds to;
    /// and the device bytes and the network are both required.
    #[test]
    fn client_written_forwarded_for_entries_never_bind() {
        run(async {
            let app = behind_proxy();
            // The victim's client sent garbage of its own; the proxy appended 198.51.100.7.
            let cookie = sign_in(&app, "phone", &["1.2.3.4, not-an-ip, 198.51.100.7"]).await;
            let cookie = Some(cookie.as_str());
            for forwarded_for in [
                &["198.51.100.7"][..],
                &["198.51.100.200"], // same /24 (DHCP, carrier NAT)
                &["[::zz, , 6.6.6.6, 198.51.100.9"], // client garbage first
                &["203.0.113.9, 198.51.100.9"],
                &["203.0.113.9", "198.51.100.9"], // the client's line, then the proxy's
            ] {
                let me = via_proxy(&app, "GET", "/me", cookie, "phone", forwarded_for).await;
                assert_eq!(me.answer(), (200, "ann"), "{forwarded_for:?}");
            }
            // The thief stole the cookie *and* the device id (a header travels with it), and
            // writes the victim's address before the proxy's entry, in one line or two.
            for forwarded_for in [
                &["198.51.100.7, 203.0.113.9"][..],
                &["198.51.100.7", "203.0.113.9"],
                &["198.51.100.7,203.0.113.9"],
                &["198.51.100.7 , 203.0.113.9:5000"],
                &["198.51.100.7, [2001:db8:1:2::7]:443"],
            ] {
                let me = via_proxy(&app, "GET", "/me", cookie, "phone", forwarded_for).await;
                assert_eq!(me.status, 401, "{forwarded_for:?}: {}", me.body);
                assert!(me.removes(NAME), "a refused copy is cleared");
                let maybe = via_proxy(&app, "GET", "/maybe", cookie, "phone", forwarded_for).await;
                assert_eq!(maybe.answer(), (200, "anonymous"), "{forwarded_for:?}");
            }
            // Behind the same NAT as the victim (same /24) but on another device: refused.
            for device in ["laptop", ""] {
                let me = via_proxy(&app, "GET", "/me", cookie, device, &["198.51.100.7"]).await;
                assert_eq!(me.status, 401, "device {device:?}");
            }
        });
    }

    /// A source the guard does not read — `Forwarded`, `X-Real-IP` — or a proxy entry that is
    /// no address gives no client address: never a value bound to "no address", never a
    /// session. Something a client can cause, so no 500: a sign-in is a 400 logged at `warn`
    /// (a proxy that stopped sending the header shows there), a request with the cookie has
    /// no session (401, `None`), and no cookie is set or cleared.
    #[test]
    fn a_source_the_guard_does_not_read_fails_closed() {
        let app = behind_proxy();
        let cookie = run(sign_in(&app, "phone", &["198.51.100.7"]));
        let cases: &[&[(&str, &str)]] = &[
            &[],
            &[("forwarded", "for=198.51.100.7")],
            &[("x-real-ip", "198.51.100.7")],
            &[("x-forwarded-for", "unknown")],
            &[("x-forwarded-for", "")],
            &[("x-forwarded-for", "198.51.100.7, ")],
            &[("x-forwarded-for", "198.51.100.7:http")],
            &[("x-forwarded-for", "fe80::1%eth0")],
        ];
        for headers in cases {
            for (method, uri) in [("POST", "/sign-in"), ("GET", "/me"), ("GET", "/maybe")] {
                let mut all = vec![("x-device-id", "phone"), ("cookie", cookie.as_str())];
                all.extend_from_slice(headers);
                let (reply, logs) =
                    logs_of(|| run(send(&app, request(method, uri, &all, Some(PROXY)))));
                let expected = match uri {
                    "/sign-in" => (
                        400,
                        "400 Bad Request: the client's address could not be determined\n",
                    ),
                    "/me" => (401, "401 Unauthorized: no valid `__Host-appnet` cookie\n"),
                    _ => (200, "anonymous"),
                };
                assert_eq!(reply.answer(), expected, "{headers:?} {uri}");
                assert!(reply.set_cookies.is_empty(), "{:?}", reply.set_cookies);
                if uri == "/sign-in" {
                    assert!(
                        logs.iter()
                            .any(|(level, text)| *level == tracing::Level::WARN
                                && text.contains(NAME)
                                && text.contains("X-Forwarded-For")),
                        "{logs:?}"
                    );
                }
                assert!(!logs
                    .iter()
                    .any(|(level, _)| *level == tracing::Level::ERROR));
            }
        }
        // Two proxies configured, one entry: no session either, not the client's entry.
        let two = super::behind_a_proxy::app(ClientIp::ForwardedFor { proxies: 2 });
        let reply = run(send(
            &two,
            request(
                "GET",
                "/maybe",
                &[
                    ("x-device-id", "phone"),
                    ("x-forwarded-for", "198.51.100.7"),
                ],
                Some(PROXY),
            ),
        ));
        assert_eq!(reply.answer(), (200, "anonymous"));
    }

    /// An IPv4-mapped IPv6 address (a dual-stack listener's view of an IPv4 client, or a
    /// proxy that writes it so) binds as the IPv4 address, from the peer and from the header;
    /// so does an IPv4-compatible one (`::a.b.c.d`).
    #[test]
    fn ipv4_mapped_addresses_bind_as_ipv4() {
        run(async {
            let peer = app(ClientIp::Peer);
            let signed = send(
                &peer,
                request(
                    "POST",
                    "/sign-in",
                    &[("x-device-id", "phone")],
                    Some("[::ffff:198.51.100.7]:50000"),
                ),
            )
            .await;
            let cookie = signed.pair(NAME).expect("a session cookie");
            for (addr, expected) in [
                ("198.51.100.8:1", 200),
                ("[::ffff:198.51.100.250]:2", 200),
                ("[::ffff:203.0.113.9]:3", 401),
                ("[2001:db8::c633:6407]:4", 401),
            ] {
                let headers = [("x-device-id", "phone"), ("cookie", cookie.as_str())];
                let me = send(&peer, request("GET", "/me", &headers, Some(addr))).await;
                assert_eq!(me.status, expected, "{addr}");
            }

            let proxied = behind_proxy();
            let cookie = sign_in(&proxied, "phone", &["198.51.100.7"]).await;
            for (entry, expected) in [
                ("::ffff:198.51.100.50", 200),
                ("[::ffff:198.51.100.50]:443", 200),
                ("::ffff:c633:6432", 200), // the same address, written in hex
                ("::ffff:203.0.113.50", 401),
                // IPv4-compatible (deprecated): its IPv4 address too, but `::1` is loopback.
                ("::198.51.100.7", 200),
                ("::203.0.113.7", 401),
                ("::1", 401),
            ] {
                let me = via_proxy(&proxied, "GET", "/me", Some(&cookie), "phone", &[entry]).await;
                assert_eq!(me.status, expected, "{entry}");
            }
        });
    }

    /// A client that moves to another network (Wi-Fi to mobile, IPv4 to IPv6) is refused
    /// there even with its own device bytes, and that response clears the cookie; it signs in
    /// again, and the new value is bound to the new network only. The old value is not
    /// revoked: back on the old network it still opens (only `revocable` sign-out ends it).
    #[test]
    fn a_client_switching_networks_is_refused_on_the_new_one() {
        run(async {
            let app = behind_proxy();
            let old = sign_in(&app, "phone", &["198.51.100.7"]).await;
            for new_network in ["203.0.113.20", "2001:db8:1:2::7", "198.51.101.7"] {
                let me = via_proxy(&app, "GET", "/me", Some(&old), "phone", &[new_network]).await;
                assert_eq!(me.status, 401, "{new_network}");
                assert!(me.removes(NAME), "{new_network}: {:?}", me.set_cookies);
            }
            let new = sign_in(&app, "phone", &["2001:db8:1:2::7"]).await;
            // Same /64, other interface id (privacy addresses rotate): still the network.
            let me = via_proxy(
                &app,
                "GET",
                "/me",
                Some(&new),
                "phone",
                &["2001:db8:1:2:abcd::1"],
            )
            .await;
            assert_eq!(me.answer(), (200, "ann"));
            let back = via_proxy(&app, "GET", "/me", Some(&new), "phone", &["198.51.100.7"]).await;
            assert_eq!(back.status, 401);
            let old_again =
                via_proxy(&app, "GET", "/me", Some(&old), "phone", &["198.51.100.7"]).await;
            assert_eq!(old_again.answer(), (200, "ann"));
        });
    }

    /// When the application port is also reachable without the proxy (a second listener, a
    /// misconfigured security group, another path into the cluster), a thief with the cookie
    /// and the device id connects directly and writes the victim's address as the only
    /// entry. `ClientIp::ForwardedFor` believes the header from a private peer only, so the
    /// `ip` half of the binding holds (this test found it believed any peer).
    #[test]
    fn forwarded_for_from_a_peer_that_is_no_proxy_is_not_believed() {
        run(async {
            let app = behind_proxy();
            let cookie = sign_in(&app, "phone", &["198.51.100.7"]).await;
            let direct = send(
                &app,
                request(
                    "GET",
                    "/me",
                    &[
                        ("x-device-id", "phone"),
                        ("cookie", &cookie),
                        ("x-forwarded-for", "198.51.100.7"),
                    ],
                    Some("203.0.113.9:51515"),
                ),
            )
            .await;
            // No client address from a public peer: no session.
            assert_eq!(direct.status, 401, "a direct client chose its address");
        });
    }

    /// Behind NAT64/SIIT (RFC 6052's well-known prefix `64:ff9b::/96`), every IPv4 client
    /// reaches an IPv6-only server from the same /64: the embedded IPv4 address is bound as
    /// IPv4 (its /24), as IPv4-mapped addresses are (this test found all of them bound by the
    /// prefix's one /64).
    #[test]
    fn nat64_translated_ipv4_clients_do_not_share_one_binding() {
        run(async {
            let keys = ring();
            let guard = Guard::new(MemoryStore::new());
            let ctx = |ip: &str| {
                ClientContext::new()
                    .app(AppBinding::new("phone"))
                    .ip(ip.parse().unwrap())
            };
            let issued = guard
                .issue(
                    &keys,
                    &AppNet::named("ann"),
                    None,
                    &ctx("64:ff9b::c633:6407"),
                )
                .await
                .unwrap();
            // 198.51.100.7's neighbour opens it; 203.0.113.9, another network entirely,
            // must not.
            assert!(guard
                .open::<AppNet>(&keys, issued.value(), &ctx("64:ff9b::c633:6408"))
                .await
                .is_ok());
            assert_eq!(
                guard
                    .open::<AppNet>(&keys, issued.value(), &ctx("64:ff9b::cb00:7109"))
                    .await
                    .err(),
                Some(OpenError::Invalid)
            );
        });
    }

    /// Teredo clients (`2001:0::/32`, RFC 4380) of one relay, and IPv4-compatible ones
    /// (`::a.b.c.d`, deprecated), all share one /64: each is bound by its own IPv4 /24 (for
    /// Teredo the client's public address, XORed with all ones in the last 32 bits), as
    /// NAT64's are (these tests found all of them bound by the shared /64).
    #[test]
    fn teredo_and_ipv4_compatible_clients_do_not_share_one_binding() {
        run(async {
            let keys = ring();
            let guard = Guard::new(MemoryStore::new());
            let ctx = |ip: &str| {
                ClientContext::new()
                    .app(AppBinding::new("phone"))
                    .ip(ip.parse().unwrap())
            };
            // Relay 65.54.227.120 (4136:e378); clients 198.51.100.7 (obfuscated 39cc:9bf8),
            // its neighbour 198.51.100.8 (39cc:9bf7) and 203.0.113.9 (34ff:8ef6), with
            // their own ports.
            let teredo = |client: &str| format!("2001:0:4136:e378:8000:63bf:{client}");
            for (own, neighbour, other) in [
                (
                    teredo("39cc:9bf8"),
                    teredo("39cc:9bf7"),
                    teredo("34ff:8ef6"),
                ),
                (
                    "::c633:6407".to_owned(),
                    "::c633:6408".to_owned(),
                    "::cb00:7109".to_owned(),
                ),
            ] {
                let issued = guard
                    .issue(&keys, &AppNet::named("ann"), None, &ctx(&own))
                    .await
                    .unwrap();
                for same_network in [neighbour.as_str(), "198.51.100.200"] {
                    assert!(
                        guard
                            .open::<AppNet>(&keys, issued.value(), &ctx(same_network))
                            .await
                            .is_ok(),
                        "{own} then {same_network}"
                    );
                }
                assert_eq!(
                    guard
                        .open::<AppNet>(&keys, issued.value(), &ctx(&other))
                        .await
                        .err(),
                    Some(OpenError::Invalid),
                    "{own} then {other}"
                );
            }
        });
    }
}

mod axum_routing {
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
}

mod actix_routing {
    //! actix-web: `App::wrap` and `web::scope(..).wrap(..)` orderings with `from_fn`, and the
    //! default service, for `bind = "app"`.

    use super::*;

    use actix_web::body::MessageBody;
    use actix_web::dev::{Service, ServiceResponse};
    use actix_web::http::header::COOKIE;
    use actix_web::middleware::from_fn;
    use actix_web::{test, web, App, HttpMessage as _, HttpRequest, HttpResponse};
    use typed_cookies::integrations::actix::{
        client_context_of, guarded, Guarded, MaybeGuarded, ResponseBuilderExt,
    };

    const NAME: &str = "__Host-app";

    async fn sign_in(
        req: HttpRequest,
        keys: web::Data<KeyRing>,
        guard: web::Data<Guard>,
    ) -> Result<HttpResponse, actix_web::Error> {
        let client = client_context_of::<AppOnly>(&req, &guard)?;
        let issued = guard
            .issue(&keys, &AppOnly::named("ann"), Some("user:ann"), &client)
            .await?;
        Ok(HttpResponse::Ok().issued(&issued).finish())
    }

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
            .route("/sign-in", web::post().to(sign_in))
            .route("/me", web::get().to(me))
            .route("/maybe", web::get().to(maybe))
    }

    macro_rules! base {
        () => {
            App::new()
                .app_data(web::Data::new(clocked(&ring()).0))
                .app_data(web::Data::new(Guard::new(MemoryStore::new())))
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

mod development_mode {
    //! `KeyRing::with_development_mode` with `bind = "app"`: on a loopback host the cookie
    //! loses its prefix and `Secure`, never its binding; other hosts, and loopback requests
    //! that came through a proxy (or, in actix-web, from a remote peer), keep the strict name.

    use super::axum_app::*;
    use super::*;

    const NAME: &str = "__Host-app";
    const DEV_NAME: &str = "app";

    fn dev_keys() -> (KeyRing, ManualClock) {
        let (keys, clock) = clocked(&ring());
        (keys.with_development_mode().expect("a debug build"), clock)
    }

    fn app() -> Router {
        let state = state(dev_keys().0, ClientIp::Peer);
        routes::<AppOnly>()
            .layer(guarded_layer!(AppOnly, state))
            .layer(from_fn(device_binding))
            .layer(from_fn_with_state(
                state.clone(),
                typed_cookies::integrations::axum::development::<AppState>,
            ))
            .with_state(state)
    }

    async fn call(app: &Router, method: &str, uri: &str, extra: &[(&str, &str)]) -> Reply {
        send(app, request(method, uri, extra, None)).await
    }

    #[test]
    fn axum_relaxes_the_name_never_the_binding() {
        run(async {
            let app = app();
            let local = |device| vec![("host", "localhost:3000"), ("x-device-id", device)];
            let signed = call(&app, "POST", "/sign-in", &local("phone")).await;
            assert_eq!(signed.status, 200, "{}", signed.body);
            let set = signed.set_cookies.join("\n");
            assert!(set.starts_with(&format!("{DEV_NAME}=")), "{set}");
            assert!(!set.contains("Secure"), "{set}");
            let dev = signed.pair(DEV_NAME).unwrap();
            let value = dev.split_once('=').unwrap().1.to_owned();
            let strict = format!("{NAME}={value}");

            fn with<'a>(
                mut headers: Vec<(&'a str, &'a str)>,
                cookie: &'a str,
            ) -> Vec<(&'a str, &'a str)> {
                headers.push(("cookie", cookie));
                headers
            }
            let me = call(&app, "GET", "/me", &with(local("phone"), &dev)).await;
            assert_eq!(me.answer(), (200, "ann"));
            for device in ["laptop", ""] {
                let thief = call(&app, "GET", "/me", &with(local(device), &dev)).await;
                assert_eq!(thief.status, 401, "{device:?}");
                if device.is_empty() {
                    // No app bytes (a top-level navigation): refused, never removed.
                    assert!(thief.set_cookies.is_empty(), "{:?}", thief.set_cookies);
                    continue;
                }
                // The removal is the relaxed one, for the name the loopback client holds.
                assert!(thief.removes(DEV_NAME), "{:?}", thief.set_cookies);
                assert!(!thief.set_cookies.join("").contains("Secure"));
            }

            let prod = |device| vec![("host", "shop.example"), ("x-device-id", device)];
            // The relaxed name is not read for a production host…
            let relaxed = call(&app, "GET", "/me", &with(prod("phone"), &dev)).await;
            assert_eq!(relaxed.status, 401);
            // …the strict one is (same keys, by design), and still bound to the device.
            let me = call(&app, "GET", "/me", &with(prod("phone"), &strict)).await;
            assert_eq!(me.answer(), (200, "ann"));
            let thief = call(&app, "GET", "/me", &with(prod("laptop"), &strict)).await;
            assert_eq!(thief.status, 401);
            assert!(thief.removes(NAME), "{:?}", thief.set_cookies);
            assert!(thief.set_cookies.join("").contains("Secure"));

            // Loopback `Host` through a proxy: strict.
            let mut proxied = local("phone");
            proxied.push(("x-forwarded-for", "198.51.100.7"));
            let me = call(&app, "GET", "/me", &with(proxied.clone(), &dev)).await;
            assert_eq!(me.status, 401);
            let me = call(&app, "GET", "/me", &with(proxied, &strict)).await;
            assert_eq!(me.answer(), (200, "ann"));

            // Sign-in without the device on a loopback host: refused, nothing set.
            let anonymous = call(&app, "POST", "/sign-in", &local("")).await;
            assert_eq!(anonymous.status, 500);
            assert!(
                anonymous.set_cookies.is_empty(),
                "{:?}",
                anonymous.set_cookies
            );
        });
    }

    /// actix-web also looks at the peer: `Host: localhost` from a remote peer is strict.
    #[actix_web::test]
    async fn actix_relaxes_for_a_loopback_peer_only() {
        use actix_web::dev::Service as _;
        use actix_web::middleware::from_fn;
        use actix_web::{test, web, App, HttpMessage as _, HttpRequest, HttpResponse};
        use typed_cookies::integrations::actix::{
            client_context_of, development, guarded, Guarded, ResponseBuilderExt,
        };

        async fn sign_in(
            req: HttpRequest,
            keys: web::Data<KeyRing>,
            guard: web::Data<Guard>,
        ) -> Result<HttpResponse, actix_web::Error> {
            let client = client_context_of::<AppOnly>(&req, &guard)?;
            let issued = guard
                .issue(&keys, &AppOnly::named("ann"), None, &client)
                .await?;
            Ok(HttpResponse::Ok().issued(&issued).finish())
        }

        let app = test::init_service(
            App::new()
                .app_data(web::Data::new(dev_keys().0))
                .app_data(web::Data::new(Guard::new(MemoryStore::new())))
                .route("/sign-in", web::post().to(sign_in))
                .route(
                    "/me",
                    web::get().to(|s: Guarded<AppOnly>| async move { s.user.clone() }),
                )
                .wrap(from_fn(guarded::<AppOnly, _>))
                .wrap_fn(|req, srv| {
                    let device = req
                        .headers()
                        .get("x-device-id")
                        .map(|v| v.as_bytes().to_vec());
                    req.extensions_mut()
                        .insert(AppBinding::new(device.unwrap_or_default()));
                    srv.call(req)
                })
                .wrap(from_fn(development)),
        )
        .await;
        let req = |method: test::TestRequest, peer: &str, device: &str, cookie: Option<&str>| {
            let mut r = method
                .insert_header(("host", "localhost:8080"))
                .insert_header(("x-device-id", device))
                .peer_addr(peer.parse().unwrap());
            if let Some(cookie) = cookie {
                r = r.insert_header(("cookie", cookie));
            }
            r
        };
        let local = "127.0.0.1:50000";
        let remote = "203.0.113.9:50000";
        let signed = actix_support::send(
            &app,
            req(
                test::TestRequest::post().uri("/sign-in"),
                local,
                "phone",
                None,
            ),
        )
        .await;
        let dev = signed.pair(DEV_NAME).expect("the relaxed cookie");
        assert!(!signed.set_cookies.join("").contains("Secure"));
        let value = dev.split_once('=').unwrap().1.to_owned();
        let strict = format!("{NAME}={value}");
        for (peer, device, cookie, expected) in [
            (local, "phone", &dev, 200),
            (local, "laptop", &dev, 401),
            (remote, "phone", &dev, 401), // not read: a remote peer gets the strict name
            (remote, "phone", &strict, 200),
            (remote, "laptop", &strict, 401),
        ] {
            let reply = actix_support::send(
                &app,
                req(
                    test::TestRequest::get().uri("/me"),
                    peer,
                    device,
                    Some(cookie),
                ),
            )
            .await;
            assert_eq!(reply.status.as_u16(), expected, "{peer} {device} {cookie}");
        }
        // A remote sign-in gets the strict, `Secure` cookie.
        let remote_sign_in = actix_support::send(
            &app,
            req(
                test::TestRequest::post().uri("/sign-in"),
                remote,
                "phone",
                None,
            ),
        )
        .await;
        assert!(
            remote_sign_in.pair(NAME).is_some(),
            "{:?}",
            remote_sign_in.set_cookies
        );
        assert!(remote_sign_in.set_cookies.join("").contains("Secure"));
    }
}

mod redis_fleet {
    //! Two servers, each with its own `Guard` over its own `RedisStore` connection to one
    //! `redis-server`, the same keys and clock: a revocable `bind = "app"` session issued on
    //! one opens on the other only from the same device, and a sign-out (or "sign out
    //! everywhere") on one is refused on the other — resealed copies included.

    use super::axum_app::*;
    use super::*;
    use typed_cookies::store::RedisStore;
    use typed_cookies::time::Duration;
    use typed_cookies_testkit::RedisServer;

    const NAME: &str = "__Host-app";

    async fn server(url: &str, keys: &KeyRing) -> Router {
        let store = RedisStore::builder(url)
            .timeout(std::time::Duration::from_secs(5))
            .build()
            .await
            .unwrap();
        let state = AppState {
            keys: keys.clone(),
            guard: Guard::new(store),
        };
        routes::<AppOnly>()
            .layer(guarded_layer!(AppOnly, state))
            .layer(from_fn(device_binding))
            .with_state(state)
    }

    async fn sign_in(app: &Router, device: &str) -> String {
        let reply = call(app, "POST", "/sign-in", None, device).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.pair(NAME).unwrap()
    }

    #[test]
    fn sign_out_on_one_server_is_refused_on_the_other() {
        let Some(redis) = RedisServer::start_or_skip("app_binding_setups::redis_fleet") else {
            return;
        };
        run(async {
            let (keys, clock) = clocked(&ring());
            let a = server(&redis.url(), &keys).await;
            let b = server(&redis.url(), &keys).await;

            let cookie = sign_in(&a, "phone").await;
            assert_eq!(
                call(&b, "GET", "/me", Some(&cookie), "phone")
                    .await
                    .answer(),
                (200, "ann")
            );
            // A thief on the other server, another device: refused, and burns nothing.
            let thief = call(&b, "GET", "/me", Some(&cookie), "laptop").await;
            assert_eq!(thief.status, 401);
            let thief_out = call(&b, "POST", "/sign-out", Some(&cookie), "laptop").await;
            assert_eq!(thief_out.status, 401);
            assert_eq!(
                call(&a, "GET", "/me", Some(&cookie), "phone")
                    .await
                    .answer(),
                (200, "ann")
            );

            // 31 minutes later server B reseals it (refresh due at half the 1 h idle).
            clock.advance(Duration::minutes(31));
            let refreshed = call(&b, "GET", "/me", Some(&cookie), "phone").await;
            assert_eq!(refreshed.answer(), (200, "ann"));
            let resealed = refreshed.pair(NAME).expect("a reseal");
            assert_ne!(resealed, cookie);
            // The reseal is still bound to the device.
            assert_eq!(
                call(&a, "GET", "/me", Some(&resealed), "laptop")
                    .await
                    .status,
                401
            );

            // Sign-out on A with the old copy: every copy is refused on both servers.
            let out = call(&a, "POST", "/sign-out", Some(&cookie), "phone").await;
            assert_eq!(out.status, 200, "{}", out.body);
            assert!(out.removes(NAME));
            for (server, copy) in [
                (&a, &cookie),
                (&b, &cookie),
                (&a, &resealed),
                (&b, &resealed),
            ] {
                let me = call(server, "GET", "/me", Some(copy), "phone").await;
                assert_eq!(me.status, 401);
                assert!(me.removes(NAME));
            }

            // "Sign out everywhere" on B ends a later session issued on A, on both.
            let second = sign_in(&a, "tablet").await;
            assert_eq!(
                call(&b, "GET", "/me", Some(&second), "tablet")
                    .await
                    .answer(),
                (200, "ann")
            );
            // Not from another device: the thief cannot sign the user out everywhere.
            let thief = call(&b, "POST", "/everywhere", Some(&second), "laptop").await;
            assert_eq!(thief.status, 401);
            assert_eq!(
                call(&a, "GET", "/me", Some(&second), "tablet").await.status,
                200
            );
            let everywhere = call(&b, "POST", "/everywhere", Some(&second), "tablet").await;
            assert_eq!(everywhere.status, 200, "{}", everywhere.body);
            for server in [&a, &b] {
                assert_eq!(
                    call(server, "GET", "/me", Some(&second), "tablet")
                        .await
                        .status,
                    401
                );
            }
            // A new sign-in after it works on both.
            let third = sign_in(&b, "tablet").await;
            assert_eq!(
                call(&a, "GET", "/me", Some(&third), "tablet")
                    .await
                    .answer(),
                (200, "ann")
            );
        });
    }

    /// The guard-level view of the same fleet: the refusal on the other server is
    /// `Revoked`, checked after the binding (a wrong device is `Invalid`, and does not learn
    /// whether the session was revoked).
    #[test]
    fn the_other_servers_guard_says_revoked_after_the_binding() {
        let Some(redis) = RedisServer::start_or_skip("app_binding_setups::redis_guards") else {
            return;
        };
        run(async {
            let (keys, _clock) = clocked(&ring());
            let store = |url: String| async move {
                RedisStore::builder(url)
                    .timeout(std::time::Duration::from_secs(5))
                    .build()
                    .await
                    .unwrap()
            };
            let a = Guard::new(store(redis.url()).await);
            let b = Guard::new(store(redis.url()).await);
            let phone = ClientContext::new().app(AppBinding::new("phone"));
            let laptop = ClientContext::new().app(AppBinding::new("laptop"));
            let issued = a
                .issue(&keys, &AppOnly::named("ann"), Some("user:ann"), &phone)
                .await
                .unwrap();
            let opened = b
                .open::<AppOnly>(&keys, issued.value(), &phone)
                .await
                .unwrap();
            a.revoke(&keys, opened.opened()).await.unwrap();
            assert_eq!(
                b.open::<AppOnly>(&keys, issued.value(), &phone).await.err(),
                Some(OpenError::Revoked)
            );
            assert_eq!(
                b.open::<AppOnly>(&keys, issued.value(), &laptop)
                    .await
                    .err(),
                Some(OpenError::Invalid)
            );
        });
    }
}
