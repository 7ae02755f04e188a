//! A toy framework adapter, compiled for the crate's own tests only: the acceptance check that
//! ARCHITECTURE.md's "Where to add … A framework" is enough to write one. The framework is
//! [`ToyRequest`] and [`ToyResponse`]; the adapter only translates them to and from the
//! request layer (`request::{origin, cookies, outcome, response, guarded_outcome}`), as
//! `integrations/actix.rs` does for actix-web. It has no request extensions, so each step
//! takes the handler as a closure: [`sealed`] (the extractor), [`refresh`] and [`development`]
//! (the middlewares), and [`guarded`] (middleware and extractor of a bound or tracked type).

use std::net::IpAddr;

use crate::cookie::{SealedCookie, Stateless};
use crate::guard::Guard;
use crate::keys::KeyRing;
use crate::request::cookies::{cached_pairs, CookiePairs};
use crate::request::guarded_outcome::{
    client_context, guarded_after_open, guarded_answer, open_for_client, Guarded,
};
use crate::request::origin::{view_of_request, RequestOrigin, FORWARDING_HEADERS};
use crate::request::outcome::{open_parsed, plain_answer, refresh_header};
use crate::request::response::{relaxed_set_cookie, sets_cookie_of};
use crate::request::{RequestView, SealedRejection};

/// The toy framework's request: its `Host`, its headers (names case-insensitive) and the
/// connection's peer.
#[derive(Debug, Clone, Default)]
pub(crate) struct ToyRequest {
    pub(crate) host: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) peer: Option<IpAddr>,
}

/// The toy framework's response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ToyResponse {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl ToyResponse {
    /// A `200` with `body`.
    pub(crate) fn ok(body: impl Into<String>) -> Self {
        Self {
            status: 200,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// The values of its `Set-Cookie` headers.
    pub(crate) fn set_cookies(&self) -> impl Iterator<Item = &str> {
        header_values(&self.headers, "set-cookie")
    }
}

/// The values of the headers named `name` (case-insensitive), in order.
fn header_values<'a>(
    headers: &'a [(String, String)],
    name: &'a str,
) -> impl Iterator<Item = &'a str> {
    headers
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

impl ToyRequest {
    /// What development mode looks at: `Host`, forwarding headers, the peer (the toy has no
    /// URL authority).
    fn origin(&self) -> RequestOrigin<'_> {
        RequestOrigin {
            host_header: Some(self.host.as_bytes()),
            several_hosts: false,
            authority: None,
            forwarded: FORWARDING_HEADERS
                .iter()
                .any(|name| header_values(&self.headers, name).next().is_some()),
            peer: self.peer,
        }
    }

    /// The request's `Cookie:` header values split into pairs (the toy keeps no extensions:
    /// no earlier split to reuse).
    fn cookies(&self) -> std::sync::Arc<CookiePairs<String>> {
        let current = || {
            self.headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case("cookie"))
                .map(|(_, value)| value)
        };
        cached_pairs(None, current).0
    }

    /// The request's view of `keys`: relaxed for a local request in development mode.
    fn view(&self, keys: &KeyRing) -> RequestView {
        view_of_request(keys.clone(), || self.origin(), || None)
    }
}

/// A [`SealedRejection`] as a toy response: its status and body, logged as it says.
fn rejected(rejection: SealedRejection) -> ToyResponse {
    rejection.log();
    ToyResponse {
        status: rejection.status(),
        headers: vec![("content-type".into(), "text/plain; charset=utf-8".into())],
        body: rejection.body(),
    }
}

/// The extractor: `T` from the request's cookie, or the response that refuses it.
pub(crate) fn sealed<T: Stateless>(keys: &KeyRing, req: &ToyRequest) -> Result<T, ToyResponse> {
    let view = req.view(keys);
    let opened = open_parsed::<T, _>(&view, &req.cookies());
    plain_answer(&view, opened)
        .map(|opened| opened.into_value())
        .map_err(rejected)
}

/// The refresh middleware for `T`: runs `handler`, then appends the reseal of a due cookie or
/// the removal of a refused one, unless the handler's response sets the cookie itself.
pub(crate) fn refresh<T: Stateless>(
    keys: &KeyRing,
    req: &ToyRequest,
    handler: impl FnOnce(&ToyRequest) -> ToyResponse,
) -> ToyResponse {
    let view = req.view(keys);
    let opened = open_parsed::<T, _>(&view, &req.cookies());
    let mut response = handler(req);
    let sets_it = sets_cookie_of::<T, _>(&view, || response.set_cookies().map(str::as_bytes));
    if let Some(header) = refresh_header(&view, opened, sets_it) {
        response.headers.push(("set-cookie".into(), header));
    }
    response
}

/// The development middleware (outermost): for a local request with a ring in development
/// mode, relaxes every `Set-Cookie` of `handler`'s response.
pub(crate) fn development(
    keys: &KeyRing,
    req: &ToyRequest,
    handler: impl FnOnce(&ToyRequest) -> ToyResponse,
) -> ToyResponse {
    let local = keys.development_mode() && req.origin().is_local();
    let mut response = handler(req);
    if local {
        for (name, value) in &mut response.headers {
            if name.eq_ignore_ascii_case("set-cookie") {
                if let Some(relaxed) = relaxed_set_cookie(value.as_bytes(), Some(&req.host)) {
                    *value = relaxed;
                }
            }
        }
    }
    response
}

/// The guarded middleware and extractor of a bound or tracked `T` in one: opens `T`'s cookie
/// through `guard` under the request's client context, hands `handler` the [`Guarded<T>`] or
/// the response that refuses it, and appends what the response owes the cookie (a replay
/// renewal, a due reseal, a refused cookie's removal) unless the handler set it itself.
pub(crate) async fn guarded<T: SealedCookie>(
    keys: &KeyRing,
    guard: &Guard,
    req: &ToyRequest,
    handler: impl FnOnce(Result<Guarded<T>, ToyResponse>) -> ToyResponse,
) -> ToyResponse {
    let view = req.view(keys);
    let user_agent = header_values(&req.headers, "user-agent")
        .next()
        .map(str::as_bytes);
    let forwarded_for = header_values(&req.headers, "x-forwarded-for").map(str::as_bytes);
    // The toy has no application bytes to bind to.
    let ctx = client_context::<T>(guard, user_agent, req.peer, forwarded_for, || None);
    let cookies = req.cookies();
    let find = |name| cookies.find_bytes(name);
    let (result, ctx) = match open_for_client::<T>(guard, &view, find, ctx).await {
        Ok(opened) => opened,
        Err(rejection) => return rejected(rejection),
    };
    let after = ctx
        .as_ref()
        .and_then(|ctx| guarded_after_open(&view, &result, ctx));
    let answer = guarded_answer(view.cookie_name(&T::CONFIG), result).map_err(rejected);
    let mut response = handler(answer);
    if let Some(header) = after {
        if !sets_cookie_of::<T, _>(&view, || response.set_cookies().map(str::as_bytes)) {
            response.headers.push(("set-cookie".into(), header));
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::net::Ipv4Addr;
    use std::task::{Context, Poll, Waker};

    use serde::{Deserialize, Serialize};
    use time::{Duration, OffsetDateTime};

    use super::*;
    use crate::guard::ClientContext;
    use crate::store::MemoryStore;
    use crate::{Key, ManualClock};

    #[derive(Debug, PartialEq, Serialize, Deserialize, crate::SealedCookie)]
    #[cookie(
        crate = "crate",
        name = "__Host-toysid",
        salt = "integrations.toy.session.v1",
        max_age = "1h",
        idle = "10m",
        encrypt
    )]
    struct Session {
        user: String,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, crate::SealedCookie)]
    #[cookie(
        crate = "crate",
        name = "__Host-toyaccount",
        salt = "integrations.toy.account.v1",
        max_age = "8h",
        encrypt,
        revocable
    )]
    struct Account {
        user: String,
    }

    /// Runs a future that never waits (the memory store answers at once).
    fn block_on<F: Future>(future: F) -> F::Output {
        let mut cx = Context::from_waker(Waker::noop());
        let mut future = std::pin::pin!(future);
        loop {
            if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                return output;
            }
        }
    }

    fn request(host: &str, cookie: Option<&str>) -> ToyRequest {
        ToyRequest {
            host: host.into(),
            headers: cookie
                .map(|cookie| ("Cookie".to_owned(), cookie.to_owned()))
                .into_iter()
                .collect(),
            peer: Some(IpAddr::from(Ipv4Addr::LOCALHOST)),
        }
    }

    fn ann() -> Session {
        Session { user: "ann".into() }
    }

    /// The value of the `name=value; …` pair a `Set-Cookie` starts with.
    fn value_of<'a>(set_cookie: &'a str, name: &str) -> &'a str {
        let pair = set_cookie.split(';').next().unwrap();
        pair.strip_prefix(name)
            .and_then(|rest| rest.strip_prefix('='))
            .unwrap_or_else(|| panic!("{set_cookie} does not set {name}"))
    }

    #[test]
    fn a_valid_cookie_opens() {
        let keys = KeyRing::new(Key::generate());
        let value = ann().seal(&keys).unwrap();
        let req = request("shop.example", Some(&format!("a=1; __Host-toysid={value}")));
        assert_eq!(sealed::<Session>(&keys, &req), Ok(ann()));
    }

    #[test]
    fn a_tampered_or_missing_cookie_is_refused_with_the_rejections_status() {
        let keys = KeyRing::new(Key::generate());
        let value = ann().seal(&keys).unwrap();
        let mut tampered = value.into_bytes();
        let middle = tampered.len() / 2;
        tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        let req = request("shop.example", Some(&format!("__Host-toysid={tampered}")));
        let refused = sealed::<Session>(&keys, &req).unwrap_err();
        assert_eq!(refused.status, 401);
        assert_eq!(
            refused.body,
            "401 Unauthorized: no valid `__Host-toysid` cookie\n"
        );

        let missing = sealed::<Session>(&keys, &request("shop.example", None)).unwrap_err();
        assert_eq!(missing.status, 401);
        let twice = format!("__Host-toysid={tampered}; __Host-toysid={tampered}");
        let duplicated = sealed::<Session>(&keys, &request("shop.example", Some(&twice)));
        assert_eq!(duplicated.unwrap_err().status, 401);
    }

    #[test]
    fn development_mode_relaxes_a_loopback_request_only() {
        let keys = KeyRing::new(Key::generate())
            .with_development_mode()
            .expect("development mode is allowed in a debug test build");
        let value = ann().seal(&keys).unwrap();
        let relaxed = format!("toysid={value}");

        // Loopback: read under the unprefixed name, and the response's Set-Cookie relaxed.
        let local = request("localhost:3000", Some(&relaxed));
        assert_eq!(sealed::<Session>(&keys, &local), Ok(ann()));
        let response = development(&keys, &local, |_| {
            let mut response = ToyResponse::ok("signed in");
            let header = ann().to_set_cookie(&keys).unwrap();
            assert!(header.starts_with("__Host-toysid=") && header.contains("Secure"));
            response.headers.push(("Set-Cookie".into(), header));
            response
        });
        let set_cookie = response.set_cookies().next().unwrap();
        assert!(!set_cookie.contains("Secure"), "{set_cookie}");
        let sent_back = format!("toysid={}", value_of(set_cookie, "toysid"));
        assert_eq!(
            sealed::<Session>(&keys, &request("localhost", Some(&sent_back))),
            Ok(ann()),
            "what a relaxed request sends back opens with the ring's keys"
        );

        // A public host, a proxied request, a remote peer: strict, so `sid` is not ours.
        let public = request("shop.example", Some(&relaxed));
        let mut proxied = local.clone();
        proxied
            .headers
            .push(("X-Forwarded-For".into(), "203.0.113.7".into()));
        let mut remote = local.clone();
        remote.peer = Some(IpAddr::from([203, 0, 113, 7]));
        for req in [public, proxied, remote] {
            let refused = sealed::<Session>(&keys, &req).unwrap_err();
            assert_eq!(refused.status, 401);
            assert_eq!(
                refused.body,
                "401 Unauthorized: no valid `__Host-toysid` cookie\n"
            );
            let response = development(&keys, &req, |_| {
                let mut response = ToyResponse::ok("");
                let header = ann().to_set_cookie(&keys).unwrap();
                response.headers.push(("set-cookie".into(), header));
                response
            });
            assert!(response
                .set_cookies()
                .next()
                .unwrap()
                .starts_with("__Host-toysid="));
        }
    }

    #[test]
    fn refresh_reseals_when_due_and_clears_a_refused_cookie() {
        let clock = ManualClock::new(OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap());
        let keys = KeyRing::new(Key::generate()).with_clock(clock.clone());
        let value = ann().seal(&keys).unwrap();
        let req = request("shop.example", Some(&format!("__Host-toysid={value}")));
        let handler = |_: &ToyRequest| ToyResponse::ok("hello");

        let fresh = refresh::<Session>(&keys, &req, handler);
        assert_eq!(fresh.set_cookies().count(), 0, "fresh: not due");

        clock.advance(Duration::minutes(6));
        let due = refresh::<Session>(&keys, &req, handler);
        let resealed: Vec<&str> = due.set_cookies().collect();
        assert_eq!(resealed.len(), 1, "{resealed:?}");
        assert!(resealed[0].contains("Max-Age=600"), "{}", resealed[0]);
        let renewed = value_of(resealed[0], "__Host-toysid");
        assert_ne!(renewed, value);
        // Past the presented value's idle window, the renewed one still opens.
        clock.advance(Duration::minutes(5));
        let next = request("shop.example", Some(&format!("__Host-toysid={renewed}")));
        assert_eq!(sealed::<Session>(&keys, &next), Ok(ann()));

        // A handler that sets the cookie itself is left alone.
        let own = refresh::<Session>(&keys, &next, |_| {
            let mut response = ToyResponse::ok("");
            response
                .headers
                .push(("set-cookie".into(), Session::removal()));
            response
        });
        assert_eq!(own.set_cookies().collect::<Vec<_>>(), [Session::removal()]);

        // The first value, now idle: cleared.
        let idle = refresh::<Session>(&keys, &req, handler);
        assert_eq!(idle.set_cookies().collect::<Vec<_>>(), [Session::removal()]);
    }

    #[test]
    fn a_revoked_guarded_session_is_refused_and_cleared() {
        let keys = KeyRing::new(Key::generate());
        let guard = Guard::new(MemoryStore::new());
        let account = Account { user: "ann".into() };
        let issued =
            block_on(guard.issue(&keys, &account, Some("user:ann"), &ClientContext::new()))
                .unwrap();
        let req = request(
            "shop.example",
            Some(&format!("__Host-toyaccount={}", issued.value())),
        );

        let mut signed_in = None;
        let response = block_on(guarded::<Account>(&keys, &guard, &req, |answer| {
            let session = answer.expect("a fresh session opens");
            signed_in = Some(session.clone());
            ToyResponse::ok(format!("hello {}", session.user))
        }));
        assert_eq!(response.body, "hello ann");
        assert_eq!(response.set_cookies().count(), 0);

        block_on(guard.revoke(&keys, signed_in.unwrap().opened())).unwrap();
        let response = block_on(guarded::<Account>(&keys, &guard, &req, |answer| {
            answer.map_or_else(|refused| refused, |_| panic!("a revoked session opened"))
        }));
        assert_eq!(response.status, 401);
        assert_eq!(
            response.body,
            "401 Unauthorized: no valid `__Host-toyaccount` cookie\n"
        );
        assert_eq!(
            response.set_cookies().collect::<Vec<_>>(),
            [Account::removal()],
            "the refused cookie is cleared"
        );
    }
}
