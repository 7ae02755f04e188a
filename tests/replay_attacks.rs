//! Attacks on replay detection (`#[cookie(replay = "5s")]`), through the public API only. A
//! request presenting the previous nonce inside the grace window (`Rotation::Grace`) is
//! served, but its `Opened` is *superseded*: writing it back is `SealError::Superseded` (409).
//!
//! - a thief with an old copy: past the grace window it revokes the session; inside it, a
//!   route that does not write back gives it nothing; a copy bound to another browser, or
//!   past its idle deadline, is refused without touching the real session;
//! - requests in flight together (axum `tokio::join!` over `oneshot`, actix-web
//!   `test::call_service`), their responses applied to a browser cookie jar in every order;
//! - the `guarded` middleware next to a handler that sets the cookie itself: one value of the
//!   cookie per response, never a renewal after a sign-out's removal;
//! - sign-out during the grace window, `idle` refresh next to the renewal, `bind`;
//! - the same over a real `redis-server` (testkit's `RedisServer`), two guards as two servers.
//!
//! Found by this review and fixed: an earlier fix let a grace write-back carry the *current*
//! nonce, which laundered an old copy (and its old content) into a live value, let two
//! clients that both write back share a session undetected, and left a stale value when a
//! slow rotating response was overtaken; and a handler removing a same-named cookie on
//! another path made the middleware leave out the renewal.
//!
//! Time moves only through a `ManualClock` (`clocked`); nothing sleeps.

mod actix_support;
mod axum_guard_state;
mod axum_support;

use axum::body::Body;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{header, Request, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use typed_cookies::guard::{ClientContext, Guard};
use typed_cookies::integrations::axum::{client_context_of, guarded, Guarded, Removal, SetCookie};
use typed_cookies::store::{MemoryStore, RedisStore};
use typed_cookies::time::Duration;
use typed_cookies::{KeyRing, ManualClock, OpenError, SealError, SealedCookie};
use typed_cookies_testkit::{clocked, ring, RedisServer};

use axum_guard_state::AppState;
use axum_support::Response as Answer;

const FIREFOX: &str = "Mozilla/5.0 Firefox/140";
const CURL: &str = "curl/8.9";

/// What every session type here carries: who, and a privilege that a handler can take away.
trait Account: SealedCookie + Send + Sync + 'static {
    fn admin() -> Self;
    fn role(&self) -> &str;
    fn set_role(&mut self, role: &str);
}

macro_rules! accounts {
    ($($ty:ident),*) => {$(
        impl Account for $ty {
            fn admin() -> Self {
                Self { user: "ann".into(), role: "admin".into() }
            }
            fn role(&self) -> &str {
                &self.role
            }
            fn set_role(&mut self, role: &str) {
                self.role = role.into();
            }
        }
    )*};
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-rp",
    salt = "tests.replay-attacks.session.v1",
    max_age = "8h",
    encrypt,
    replay = "5s"
)]
struct Session {
    user: String,
    role: String,
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-rp-bound",
    salt = "tests.replay-attacks.bound.v1",
    max_age = "8h",
    encrypt,
    replay = "5s",
    bind = "user_agent"
)]
struct Bound {
    user: String,
    role: String,
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-rp-idle",
    salt = "tests.replay-attacks.idle.v1",
    max_age = "8h",
    idle = "1m",
    encrypt,
    replay = "5s"
)]
struct Idle {
    user: String,
    role: String,
}

/// Not `__Host-`: another cookie of the same name can live on another path.
#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "rp-sid",
    salt = "tests.replay-attacks.plain-name.v1",
    max_age = "8h",
    encrypt,
    replay = "5s"
)]
struct PlainName {
    user: String,
    role: String,
}

accounts!(Session, Bound, Idle, PlainName);

// ---------------------------------------------------------------------------------------------
// A browser: responses and a cookie jar.

/// One browser's cookie for path `/`: each `Set-Cookie` of the name, in order, replaces it (a
/// removal deletes it); one for another path is another cookie and leaves it alone.
#[derive(Debug, Clone, Default)]
struct Jar {
    name: &'static str,
    pair: Option<String>,
}

impl Jar {
    fn new(name: &'static str) -> Self {
        Self { name, pair: None }
    }

    fn apply(&mut self, set_cookies: &[String]) {
        for header in set_cookies {
            let Some(rest) = header.strip_prefix(&format!("{}=", self.name)) else {
                continue;
            };
            let other_path = header.split(';').skip(1).any(|attribute| {
                let attribute = attribute.trim();
                attribute.len() > 5
                    && attribute[..5].eq_ignore_ascii_case("path=")
                    && &attribute[5..] != "/"
            });
            if other_path {
                continue;
            }
            let removal = rest.starts_with(';')
                || header.to_ascii_lowercase().contains("max-age=0")
                || rest.is_empty();
            self.pair = if removal {
                None
            } else {
                Some(header.split(';').next().unwrap().to_owned())
            };
        }
    }

    fn get(&self) -> Option<&str> {
        self.pair.as_deref()
    }
}

// ---------------------------------------------------------------------------------------------
// axum

async fn sign_in<T: Account>(State(state): State<AppState>, parts: Parts) -> Response {
    let ctx = match client_context_of::<T>(&parts, &state.guard) {
        Ok(ctx) => ctx,
        Err(rejection) => return rejection.into_response(),
    };
    state
        .guard
        .issue(&state.keys, &T::admin(), Some("user:ann"), &ctx)
        .await
        .into_response()
}

/// Reads the session; never writes it back.
async fn page<T: Account>(session: Guarded<T>) -> String {
    session.role().to_owned()
}

/// Writes the session back unchanged (what a handler keeping a CSRF token or the last page
/// visited in the session does on every request).
async fn touch<T: Account>(State(state): State<AppState>, session: Guarded<T>) -> Response {
    match SetCookie::resealed(session.opened(), &state.keys) {
        Ok(cookie) => (cookie, session.role().to_owned()).into_response(),
        Err(error) => error.into_response(),
    }
}

/// Takes the admin role away and writes the session back.
async fn demote<T: Account>(State(state): State<AppState>, session: Guarded<T>) -> Response {
    let mut opened = session.into_opened();
    opened.value_mut().set_role("user");
    SetCookie::resealed(&opened, &state.keys).into_response()
}

async fn sign_out<T: Account>(State(state): State<AppState>, session: Guarded<T>) -> Response {
    match state.guard.revoke(&state.keys, session.opened()).await {
        Ok(()) => (Removal::<T>::new(), "bye").into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// Removes an old cookie of the same name that an earlier version set on `/legacy`.
async fn legacy_cleanup<T: Account>(session: Guarded<T>) -> Response {
    let removal = format!("{}=; Path=/legacy; Max-Age=0", T::CONFIG.name());
    ([(header::SET_COOKIE, removal)], session.role().to_owned()).into_response()
}

fn app<T: Account>(keys: KeyRing) -> Router {
    let state = AppState {
        keys,
        guard: Guard::new(MemoryStore::new()),
    };
    Router::new()
        .route("/sign-in", post(sign_in::<T>))
        .route("/page", get(page::<T>))
        .route("/touch", post(touch::<T>))
        .route("/demote", post(demote::<T>))
        .route("/sign-out", post(sign_out::<T>))
        .route("/legacy-cleanup", post(legacy_cleanup::<T>))
        .layer(from_fn_with_state(state.clone(), guarded::<T, AppState>))
        .with_state(state)
}

async fn send(app: &Router, method: &str, uri: &str, cookie: Option<&str>, ua: &str) -> Answer {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::USER_AGENT, ua);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    axum_support::send(app, request.body(Body::empty()).unwrap()).await
}

/// A signed-in app on a manual clock, and the first value (`name=value`).
async fn signed_in<T: Account>(ua: &str) -> (Router, ManualClock, String) {
    let (keys, clock) = clocked(&ring());
    let app = app::<T>(keys);
    let first = send(&app, "POST", "/sign-in", None, ua).await;
    assert_eq!(first.status, StatusCode::OK, "{first:?}");
    let pair = first.pair(T::CONFIG.name()).expect("a session");
    (app, clock, pair)
}

fn past_the_grace_window(clock: &ManualClock) {
    clock.advance(Duration::minutes(1));
}

/// Every order of `n` responses (n ≤ 3).
fn orders(n: usize) -> Vec<Vec<usize>> {
    let all: &[&[usize]] = match n {
        1 => &[&[0]],
        2 => &[&[0, 1], &[1, 0]],
        3 => &[
            &[0, 1, 2],
            &[0, 2, 1],
            &[1, 0, 2],
            &[1, 2, 0],
            &[2, 0, 1],
            &[2, 1, 0],
        ],
        _ => unreachable!(),
    };
    all.iter().map(|o| o.to_vec()).collect()
}

#[tokio::test]
async fn an_old_copy_after_the_grace_window_revokes_the_session() {
    let (app, clock, stolen) = signed_in::<Session>(FIREFOX).await;
    let user = send(&app, "GET", "/page", Some(&stolen), FIREFOX).await;
    let current = user.pair("__Host-rp").expect("renewed");
    clock.advance(Duration::seconds(6));
    let thief = send(&app, "POST", "/touch", Some(&stolen), FIREFOX).await;
    assert_eq!(thief.status, StatusCode::UNAUTHORIZED);
    assert_eq!(thief.pair("__Host-rp"), None, "the thief gets nothing");
    // The whole session is revoked: the user's current value too (the theft is visible).
    let user = send(&app, "GET", "/page", Some(&current), FIREFOX).await;
    assert_eq!(user.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_grace_request_to_a_route_that_does_not_write_back_gets_no_value() {
    let (app, clock, stolen) = signed_in::<Session>(FIREFOX).await;
    let user = send(&app, "GET", "/page", Some(&stolen), FIREFOX).await;
    let current = user.pair("__Host-rp").unwrap();
    clock.advance(Duration::seconds(2));
    let thief = send(&app, "GET", "/page", Some(&stolen), FIREFOX).await;
    assert_eq!(
        (thief.status, thief.body.as_str()),
        (StatusCode::OK, "admin")
    );
    assert!(thief.of("__Host-rp").is_empty(), "{thief:?}");
    // Its copy dies with the grace window, and using it then ends the session.
    clock.advance(Duration::seconds(4));
    let thief = send(&app, "GET", "/page", Some(&stolen), FIREFOX).await;
    assert_eq!(thief.status, StatusCode::UNAUTHORIZED);
    let user = send(&app, "GET", "/page", Some(&current), FIREFOX).await;
    assert_eq!(user.status, StatusCode::UNAUTHORIZED);
}

/// A copy of the previous value, presented inside the grace window to a handler that writes
/// the session back, gets nothing that outlives the window (it must not come back carrying
/// the current nonce with the old content: here the admin role the user just gave up).
#[tokio::test]
async fn a_thief_cannot_launder_an_old_copy_through_a_handler_that_writes_back() {
    let (app, clock, stolen) = signed_in::<Session>(FIREFOX).await;
    // The user gives up the admin role: that response carries the next value.
    let user = send(&app, "POST", "/demote", Some(&stolen), FIREFOX).await;
    let demoted = user.pair("__Host-rp").unwrap();
    clock.advance(Duration::seconds(3));
    // Within the grace window the thief writes its old copy back.
    let thief = send(&app, "POST", "/touch", Some(&stolen), FIREFOX).await;
    let held = thief.pair("__Host-rp").unwrap_or_else(|| stolen.clone());
    past_the_grace_window(&clock);
    let thief = send(&app, "GET", "/page", Some(&held), FIREFOX).await;
    assert_eq!(
        thief.status,
        StatusCode::UNAUTHORIZED,
        "an old copy (role {:?}) outlived the grace window",
        thief.body
    );
    // And using it revoked the session: the theft is visible to the user.
    let user = send(&app, "GET", "/page", Some(&demoted), FIREFOX).await;
    assert_eq!(user.status, StatusCode::UNAUTHORIZED);
}

/// Two browsers holding one session, each hitting a route that writes the session back
/// within the grace window of the other's rotation, must not hand each other the current
/// nonce forever: one of them is taken for a replay.
#[tokio::test]
async fn two_clients_sharing_a_session_are_caught_even_when_every_response_writes_back() {
    let (app, clock, first) = signed_in::<Session>(FIREFOX).await;
    let mut user = Jar::new("__Host-rp");
    let mut thief = Jar::new("__Host-rp");
    user.pair = Some(first.clone());
    thief.pair = Some(first);
    let mut refused = 0;
    for _ in 0..30 {
        for jar in [&mut user, &mut thief] {
            let Some(cookie) = jar.get().map(str::to_owned) else {
                refused += 1;
                continue;
            };
            let answer = send(&app, "POST", "/touch", Some(&cookie), FIREFOX).await;
            if answer.status == StatusCode::UNAUTHORIZED {
                refused += 1;
            }
            jar.apply(&answer.set_cookies);
            clock.advance(Duration::seconds(2));
        }
    }
    assert!(
        refused > 0,
        "60 requests of two clients sharing one session, none refused"
    );
}

/// A slow request rotates first; a fast request in the grace window tries to write the
/// session back (refused, 409); the browser's next request; then the slow response lands
/// last. The browser must end with a value that opens past the window (with a grace
/// write-back carrying the current nonce, the browser rotated early and the slow response
/// left it the value just replaced).
#[tokio::test]
async fn a_slow_rotating_response_overtaken_by_a_grace_write_back_leaves_a_value_that_opens() {
    let (app, clock, first) = signed_in::<Session>(FIREFOX).await;
    let mut browser = Jar::new("__Host-rp");
    browser.pair = Some(first.clone());
    // A: a slow upload; the guard rotates before its handler runs, its response is held.
    let slow = send(&app, "GET", "/page", Some(&first), FIREFOX).await;
    assert!(slow.pair("__Host-rp").is_some());
    // B: a fast request in flight with the same value, whose handler writes back.
    let fast = send(&app, "POST", "/touch", Some(&first), FIREFOX).await;
    browser.apply(&fast.set_cookies);
    // C: the browser's next request, with what B gave it.
    clock.advance(Duration::seconds(1));
    let next = send(&app, "GET", "/page", browser.get(), FIREFOX).await;
    assert_eq!(next.status, StatusCode::OK);
    browser.apply(&next.set_cookies);
    // A's response lands last, two seconds after it was sent.
    clock.advance(Duration::seconds(1));
    browser.apply(&slow.set_cookies);
    past_the_grace_window(&clock);
    let later = send(&app, "GET", "/page", browser.get(), FIREFOX).await;
    assert_eq!(
        later.status,
        StatusCode::OK,
        "the browser was left with a value taken for a replay"
    );
}

#[tokio::test]
async fn in_flight_requests_leave_a_value_that_opens_whatever_order_their_responses_arrive() {
    for order in orders(3) {
        let (app, clock, first) = signed_in::<Session>(FIREFOX).await;
        let cookie = Some(first.as_str());
        let (a, b, c) = tokio::join!(
            send(&app, "GET", "/page", cookie, FIREFOX),
            send(&app, "POST", "/touch", cookie, FIREFOX),
            send(&app, "POST", "/touch", cookie, FIREFOX),
        );
        let answers = [a, b, c];
        // None of the browser's own requests is refused, and none sets the cookie twice.
        for answer in &answers {
            assert_ne!(answer.status, StatusCode::UNAUTHORIZED, "{answer:?}");
            assert!(answer.of("__Host-rp").len() <= 1, "{answer:?}");
        }
        let mut browser = Jar::new("__Host-rp");
        browser.pair = Some(first.clone());
        for &i in &order {
            clock.advance(Duration::seconds(1));
            browser.apply(&answers[i].set_cookies);
        }
        assert_ne!(browser.get(), Some(first.as_str()), "order {order:?}");
        past_the_grace_window(&clock);
        let later = send(&app, "GET", "/page", browser.get(), FIREFOX).await;
        assert_eq!(later.status, StatusCode::OK, "order {order:?}");
        assert!(
            later.pair("__Host-rp").is_some(),
            "renewed, order {order:?}"
        );
    }
}

#[tokio::test]
async fn a_rotating_request_whose_handler_writes_back_carries_one_value_of_the_cookie() {
    let (app, clock, first) = signed_in::<Session>(FIREFOX).await;
    let demoted = send(&app, "POST", "/demote", Some(&first), FIREFOX).await;
    assert_eq!(demoted.of("__Host-rp").len(), 1, "{demoted:?}");
    let value = demoted.pair("__Host-rp").unwrap();
    // It is the handler's (the changed role) and carries the next nonce (opens past the
    // window, where the presented nonce would be a replay).
    past_the_grace_window(&clock);
    let later = send(&app, "GET", "/page", Some(&value), FIREFOX).await;
    assert_eq!(
        (later.status, later.body.as_str()),
        (StatusCode::OK, "user")
    );
}

#[tokio::test]
async fn a_sign_out_carries_only_the_removal_never_a_renewal_after_it() {
    let (app, _clock, first) = signed_in::<Session>(FIREFOX).await;
    let out = send(&app, "POST", "/sign-out", Some(&first), FIREFOX).await;
    assert_eq!(out.status, StatusCode::OK);
    let ours = out.of("__Host-rp");
    assert_eq!(ours.len(), 1, "{out:?}");
    assert!(ours[0].starts_with("__Host-rp=;"), "{out:?}");
    let mut browser = Jar::new("__Host-rp");
    browser.pair = Some(first);
    browser.apply(&out.set_cookies);
    assert_eq!(browser.get(), None);
}

#[tokio::test]
async fn sign_out_during_the_grace_window_ends_every_copy() {
    let (app, clock, first) = signed_in::<Session>(FIREFOX).await;
    // The user's page load rotates; a thief tries to write its copy back in the grace window
    // (refused); then the user's sign-out, still presenting the first value (in flight with
    // the page load).
    let page = send(&app, "GET", "/page", Some(&first), FIREFOX).await;
    let current = page.pair("__Host-rp").unwrap();
    clock.advance(Duration::seconds(1));
    let thief = send(&app, "POST", "/touch", Some(&first), FIREFOX).await;
    assert_eq!(thief.status, StatusCode::CONFLICT);
    assert!(thief.of("__Host-rp").is_empty(), "{thief:?}");
    clock.advance(Duration::seconds(1));
    let out = send(&app, "POST", "/sign-out", Some(&first), FIREFOX).await;
    assert_eq!((out.status, out.body.as_str()), (StatusCode::OK, "bye"));
    assert_eq!(out.of("__Host-rp").len(), 1);
    for copy in [&first, &current] {
        let answer = send(&app, "POST", "/touch", Some(copy), FIREFOX).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer.pair("__Host-rp"), None);
    }
}

#[tokio::test]
async fn a_copy_in_another_browser_is_refused_and_cannot_end_the_real_session() {
    let (app, clock, stolen) = signed_in::<Bound>(FIREFOX).await;
    let user = send(&app, "GET", "/page", Some(&stolen), FIREFOX).await;
    let mut current = user.pair("__Host-rp-bound").unwrap();
    // Inside the grace window and after it, from another user agent: refused, nothing
    // handed out, and the real session is untouched (no revocation a thief could trigger).
    for wait in [1, 10] {
        clock.advance(Duration::seconds(wait));
        let thief = send(&app, "POST", "/touch", Some(&stolen), CURL).await;
        assert_eq!(thief.status, StatusCode::UNAUTHORIZED);
        assert_eq!(thief.pair("__Host-rp-bound"), None);
        let user = send(&app, "GET", "/page", Some(&current), FIREFOX).await;
        assert_eq!(user.status, StatusCode::OK, "after {wait}s");
        current = user.pair("__Host-rp-bound").unwrap();
    }
    // The same old copy from the user agent it is bound to is a replay.
    let thief = send(&app, "POST", "/touch", Some(&stolen), FIREFOX).await;
    assert_eq!(thief.status, StatusCode::UNAUTHORIZED);
    let user = send(&app, "GET", "/page", Some(&current), FIREFOX).await;
    assert_eq!(user.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn idle_refresh_and_replay_renewal_are_one_set_cookie() {
    let (app, clock, first) = signed_in::<Idle>(FIREFOX).await;
    // Past the refresh point (half of `idle`): one Set-Cookie, the renewal, with a fresh
    // idle window; the request in flight beside it gets none.
    clock.advance(Duration::seconds(40));
    let (rotated, in_flight) = tokio::join!(
        send(&app, "GET", "/page", Some(&first), FIREFOX),
        send(&app, "GET", "/page", Some(&first), FIREFOX),
    );
    let ours = |a: &Answer| a.of("__Host-rp-idle").len();
    assert_eq!((ours(&rotated), ours(&in_flight)), (1, 0));
    let renewed = rotated.pair("__Host-rp-idle").unwrap();
    // A grace write-back is refused: no cookie at all.
    let touched = send(&app, "POST", "/touch", Some(&first), FIREFOX).await;
    assert_eq!((touched.status, ours(&touched)), (StatusCode::CONFLICT, 0));
    // The old copy past its idle deadline: expired, refused before the store (no replay
    // verdict), so it cannot end the session either.
    clock.advance(Duration::seconds(25));
    let stale = send(&app, "GET", "/page", Some(&first), FIREFOX).await;
    assert_eq!(stale.status, StatusCode::UNAUTHORIZED);
    let user = send(&app, "GET", "/page", Some(&renewed), FIREFOX).await;
    assert_eq!(user.status, StatusCode::OK);
}

/// The `guarded` middleware leaves the renewal out only when the response sets the same
/// cookie (name, `Path`, `Domain`): a handler removing an old cookie of that name on another
/// path must not leave the browser on the rotated-away nonce (revoked past the window).
#[tokio::test]
async fn removing_a_same_named_cookie_on_another_path_keeps_the_renewal() {
    let (app, clock, first) = signed_in::<PlainName>(FIREFOX).await;
    let mut browser = Jar::new("rp-sid");
    browser.pair = Some(first);
    let cleanup = send(&app, "POST", "/legacy-cleanup", browser.get(), FIREFOX).await;
    assert_eq!(cleanup.status, StatusCode::OK);
    browser.apply(&cleanup.set_cookies);
    past_the_grace_window(&clock);
    let later = send(&app, "GET", "/page", browser.get(), FIREFOX).await;
    assert_eq!(later.status, StatusCode::OK, "{cleanup:?}");
}

// ---------------------------------------------------------------------------------------------
// actix-web

mod actix {
    use actix_web::middleware::from_fn;
    use actix_web::{test, web, App, HttpRequest, HttpResponse};
    use typed_cookies::guard::Guard;
    use typed_cookies::integrations::actix::{
        client_context_of, guarded, Guarded, ResponseBuilderExt,
    };
    use typed_cookies::store::MemoryStore;
    use typed_cookies::time::Duration;
    use typed_cookies::{KeyRing, SealError};
    use typed_cookies_testkit::{clocked, ring};

    use super::actix_support::call;
    use super::{orders, Account, Jar, Session, FIREFOX};

    async fn sign_in(
        req: HttpRequest,
        keys: web::Data<KeyRing>,
        guard: web::Data<Guard>,
    ) -> HttpResponse {
        let ctx = client_context_of::<Session>(&req, &guard).unwrap();
        let issued = guard
            .issue(&keys, &Session::admin(), Some("user:ann"), &ctx)
            .await
            .unwrap();
        HttpResponse::Ok().issued(&issued).finish()
    }

    async fn page(session: Guarded<Session>) -> String {
        session.role().to_owned()
    }

    async fn touch(
        session: Guarded<Session>,
        keys: web::Data<KeyRing>,
    ) -> Result<HttpResponse, SealError> {
        let mut response = HttpResponse::Ok();
        response.resealed_cookie(session.opened(), &keys)?;
        Ok(response.body(session.role().to_owned()))
    }

    async fn demote(
        session: Guarded<Session>,
        keys: web::Data<KeyRing>,
    ) -> Result<HttpResponse, SealError> {
        let mut opened = session.into_opened();
        opened.value_mut().set_role("user");
        let mut response = HttpResponse::Ok();
        response.resealed_cookie(&opened, &keys)?;
        Ok(response.finish())
    }

    macro_rules! service {
        ($keys:expr) => {
            test::init_service(
                App::new()
                    .app_data(web::Data::new($keys))
                    .app_data(web::Data::new(Guard::new(MemoryStore::new())))
                    .wrap(from_fn(guarded::<Session, _>))
                    .route("/sign-in", web::post().to(sign_in))
                    .route("/page", web::get().to(page))
                    .route("/touch", web::post().to(touch))
                    .route("/demote", web::post().to(demote)),
            )
            .await
        };
    }

    #[actix_web::test]
    async fn in_flight_requests_leave_a_value_that_opens_whatever_order_their_responses_arrive() {
        for order in orders(3) {
            let (keys, clock) = clocked(&ring());
            let app = service!(keys);
            let first = call(
                &app,
                test::TestRequest::post().uri("/sign-in"),
                &[],
                FIREFOX,
            )
            .await
            .pair("__Host-rp")
            .unwrap();
            let cookie: &[&[u8]] = &[first.as_bytes()];
            let (a, b, c) = tokio::join!(
                call(&app, test::TestRequest::get().uri("/page"), cookie, FIREFOX),
                call(
                    &app,
                    test::TestRequest::post().uri("/touch"),
                    cookie,
                    FIREFOX
                ),
                call(
                    &app,
                    test::TestRequest::post().uri("/touch"),
                    cookie,
                    FIREFOX
                ),
            );
            let answers = [a, b, c];
            for answer in &answers {
                assert_ne!(answer.status.as_u16(), 401, "{}", answer.body);
                let ours = answer
                    .set_cookies
                    .iter()
                    .filter(|c| c.starts_with("__Host-rp="))
                    .count();
                assert!(ours <= 1, "{:?}", answer.set_cookies);
            }
            let mut browser = Jar::new("__Host-rp");
            browser.pair = Some(first.clone());
            for &i in &order {
                clock.advance(Duration::seconds(1));
                browser.apply(&answers[i].set_cookies);
            }
            clock.advance(Duration::minutes(1));
            let jar = browser.get().unwrap().to_owned();
            let later = call(
                &app,
                test::TestRequest::get().uri("/page"),
                &[jar.as_bytes()],
                FIREFOX,
            )
            .await;
            assert_eq!(later.status.as_u16(), 200, "order {order:?}");
            assert!(later.pair("__Host-rp").is_some());
        }
    }

    #[actix_web::test]
    async fn a_grace_write_back_is_refused_and_a_rotating_one_carries_a_single_value() {
        let (keys, clock) = clocked(&ring());
        let app = service!(keys);
        let first = call(
            &app,
            test::TestRequest::post().uri("/sign-in"),
            &[],
            FIREFOX,
        )
        .await
        .pair("__Host-rp")
        .unwrap();
        let rotated = call(
            &app,
            test::TestRequest::post().uri("/demote"),
            &[first.as_bytes()],
            FIREFOX,
        )
        .await;
        let ours = |c: &Vec<String>| c.iter().filter(|c| c.starts_with("__Host-rp=")).count();
        assert_eq!(
            ours(&rotated.set_cookies),
            1,
            "the handler's, no renewal beside it"
        );
        let in_flight = call(
            &app,
            test::TestRequest::post().uri("/touch"),
            &[first.as_bytes()],
            FIREFOX,
        )
        .await;
        assert_eq!(
            (in_flight.status.as_u16(), ours(&in_flight.set_cookies)),
            (409, 0)
        );
        // The browser keeps the rotating response's value: past the window it opens, with
        // the handler's change.
        clock.advance(Duration::minutes(1));
        let kept = rotated.pair("__Host-rp").unwrap();
        let later = call(
            &app,
            test::TestRequest::get().uri("/page"),
            &[kept.as_bytes()],
            FIREFOX,
        )
        .await;
        assert_eq!((later.status.as_u16(), later.body.as_str()), (200, "user"));
    }
}

// ---------------------------------------------------------------------------------------------
// A real Redis, two guards as two servers of a fleet.

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

async fn fleet(server: &RedisServer) -> (Guard, Guard) {
    let connect = || async {
        // The tests move time with a ManualClock, so the grace window is measured on it
        // (tests/store/clock_skew.rs covers Redis's own clock).
        RedisStore::builder(server.url())
            .timeout(std::time::Duration::from_secs(2))
            .callers_clock_for_tests()
            .build()
            .await
            .expect("connect to the test redis-server")
    };
    (Guard::new(connect().await), Guard::new(connect().await))
}

/// The value of a `Set-Cookie` header value.
fn value_of(set_cookie: &str) -> &str {
    set_cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .map(|(_, value)| value)
        .unwrap()
}

#[test]
fn over_redis_concurrent_opens_rotate_once_and_every_value_sent_still_opens() {
    let Some(server) = RedisServer::start_or_skip(
        "over_redis_concurrent_opens_rotate_once_and_every_value_sent_still_opens",
    ) else {
        return;
    };
    runtime().block_on(async {
        let (one, two) = fleet(&server).await;
        let ctx = ClientContext::new();
        for _ in 0..2 {
            let (keys, clock) = clocked(&ring());
            let issued = one
                .issue(&keys, &Session::admin(), Some("user:ann"), &ctx)
                .await
                .unwrap();
            // The same value on two servers at once: exactly one rotation.
            let (a, b) = tokio::join!(
                one.open::<Session>(&keys, issued.value(), &ctx),
                two.open::<Session>(&keys, issued.value(), &ctx),
            );
            let (a, b) = (a.unwrap(), b.unwrap());
            let (rotating, grace) = match (a.renewed(), b.renewed()) {
                (Some(_), None) => (a, b),
                (None, Some(_)) => (b, a),
                other => panic!("exactly one rotation, got {other:?}"),
            };
            // The other cannot be written back; the one value sent opens past the window.
            assert!(grace.opened().superseded() && !rotating.opened().superseded());
            assert!(matches!(
                grace.opened().reseal(&keys),
                Err(SealError::Superseded { name: "__Host-rp" })
            ));
            let sent = value_of(rotating.renewed().unwrap()).to_owned();
            clock.advance(Duration::minutes(1));
            let later = two.open::<Session>(&keys, &sent, &ctx).await.unwrap();
            assert!(later.renewed().is_some());
        }
    });
}

#[test]
fn over_redis_sign_out_in_the_grace_window_refuses_every_copy() {
    let Some(server) =
        RedisServer::start_or_skip("over_redis_sign_out_in_the_grace_window_refuses_every_copy")
    else {
        return;
    };
    runtime().block_on(async {
        let (one, two) = fleet(&server).await;
        let (keys, clock) = clocked(&ring());
        let ctx = ClientContext::new();
        let issued = one
            .issue(&keys, &Session::admin(), Some("user:ann"), &ctx)
            .await
            .unwrap();
        let rotated = one
            .open::<Session>(&keys, issued.value(), &ctx)
            .await
            .unwrap();
        let current = value_of(rotated.renewed().unwrap()).to_owned();
        clock.advance(Duration::seconds(2));
        let in_grace = two
            .open::<Session>(&keys, issued.value(), &ctx)
            .await
            .unwrap();
        // The sign-out, on the other server, from the in-flight request.
        two.revoke(&keys, in_grace.opened()).await.unwrap();
        for copy in [issued.value(), current.as_str()] {
            for guard in [&one, &two] {
                assert_eq!(
                    guard.open::<Session>(&keys, copy, &ctx).await.err(),
                    Some(OpenError::Revoked)
                );
            }
        }
    });
}

/// The overtaken slow response of the axum test above, on a fleet sharing a real Redis.
#[test]
fn over_redis_a_slow_rotating_response_overtaken_by_a_grace_write_back_leaves_a_value_that_opens() {
    let Some(server) = RedisServer::start_or_skip(
        "over_redis_a_slow_rotating_response_overtaken_by_a_grace_write_back",
    ) else {
        return;
    };
    runtime().block_on(async {
        let (one, two) = fleet(&server).await;
        let (keys, clock) = clocked(&ring());
        let ctx = ClientContext::new();
        let issued = one
            .issue(&keys, &Session::admin(), None, &ctx)
            .await
            .unwrap();
        let slow = one
            .open::<Session>(&keys, issued.value(), &ctx)
            .await
            .unwrap();
        let fast = two
            .open::<Session>(&keys, issued.value(), &ctx)
            .await
            .unwrap();
        // The browser's jar: what the fast request wrote back (if anything), then the slow
        // response, last.
        let mut jar = issued.value().to_owned();
        if let Ok(early) = fast.opened().reseal(&keys) {
            jar = early;
        }
        clock.advance(Duration::seconds(1));
        // The browser's next request works (its renewal, if any, lands before the slow one).
        let next = one.open::<Session>(&keys, &jar, &ctx).await;
        assert!(next.is_ok(), "{:?}", next.err());
        clock.advance(Duration::seconds(1));
        jar = value_of(slow.renewed().unwrap()).to_owned();
        clock.advance(Duration::minutes(1));
        assert!(
            two.open::<Session>(&keys, &jar, &ctx).await.is_ok(),
            "the browser was left with a value taken for a replay"
        );
    });
}
