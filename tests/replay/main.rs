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
//! Named cases: a grace write-back never carries the *current* nonce (it would launder an old
//! copy into a live value, or let two clients that both write back share a session), a slow
//! rotating response overtaken leaves a value that opens, and a handler removing a same-named
//! cookie on another path keeps the renewal.
//!
//! `main.rs` holds the axum app and the request helpers; `thief.rs` the attacks through axum,
//! `actix_adapter.rs` the same through actix-web, `redis_fleet.rs` two servers over Redis.
//!
//! Time moves only through a `ManualClock` (`clocked`); nothing sleeps.

#[path = "../actix_support/mod.rs"]
mod actix_support;
#[path = "../axum_guard_state/mod.rs"]
mod axum_guard_state;
#[path = "../axum_support/mod.rs"]
mod axum_support;

mod actix_adapter;
mod redis_fleet;
mod thief;

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
    let state = AppState::new(keys);
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
