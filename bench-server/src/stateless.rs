//! The variants whose session lives in the cookie alone: the baseline (and its controls: one
//! also sends a fixed `Set-Cookie`, one seals and opens a session without reading or writing
//! a cookie), typed-cookies (with and without the `refresh`
//! middleware) and axum-extra's `PrivateCookieJar` + serde_json.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, PrivateCookieJar, SameSite};
use typed_cookies::integrations::axum::SetCookie;
use typed_cookies::{KeyRing, Opened};

use crate::session::{body, next_user, seal_open, Session};

/// The cookie name of the `private-jar` variant.
const NAME: &str = "sid";

// --- none --------------------------------------------------------------------------------

/// The baseline: the same route and body, nothing read or written.
pub async fn none_handler() -> String {
    body(0)
}

/// The baseline's login: nothing to sign in to.
pub async fn none_login() -> &'static str {
    "no session\n"
}

/// The control: the baseline plus a fixed `Set-Cookie` as long as typed-cookies' (made once,
/// at start-up), so that its gap to the baseline is what sending the header costs.
pub async fn fixed_set_cookie_handler(State(fixed): State<HeaderValue>) -> Response {
    ([(SET_COOKIE, fixed)], body(0)).into_response()
}

/// What [`seal_open_handler`] needs: the ring and the session it seals.
#[derive(Clone)]
pub struct SealOpenState {
    /// The ring.
    pub keys: KeyRing,
    /// The session sealed and opened on every request (shared, as the micro-benchmark's is).
    pub session: Arc<Session>,
}

/// The baseline plus exactly the micro-benchmark's operation in the handler: seal a session
/// and open the result (`seal`, `Session::open`), nothing read from the request and nothing
/// added to the response. Its gap to the baseline is what seal + open costs inside a server,
/// with hyper, tokio and the kernel sharing the caches: the in-server counterpart of
/// `bench-server micro`, against which the `typed-cookies` variant's gap shows what the
/// adapter adds around the cryptography.
pub async fn seal_open_handler(State(state): State<SealOpenState>) -> Response {
    match seal_open(&state.session, &state.keys) {
        Some(visits) => body(visits).into_response(),
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

// --- typed-cookies -----------------------------------------------------------------------

/// Reads the session with the `Opened<T>` extractor, counts the visit, reseals it (keeping
/// the creation time) into the response's `Set-Cookie`.
pub async fn tc_handler(State(keys): State<KeyRing>, mut session: Opened<Session>) -> Response {
    session.value_mut().visits += 1;
    let visits = session.value().visits;
    match SetCookie::resealed(&session, &keys) {
        Ok(cookie) => (cookie, body(visits)).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// A new session in a `Set-Cookie`.
pub async fn tc_login(State(keys): State<KeyRing>) -> Response {
    match SetCookie::new(&Session::new(next_user()), &keys) {
        Ok(cookie) => (cookie, "signed in\n").into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

// --- axum-extra PrivateCookieJar + serde_json ----------------------------------------------

/// The same attributes as the typed-cookies cookie: `Path=/`, `HttpOnly`, `SameSite=Lax`,
/// two hours.
fn jar_cookie(session: &Session) -> Option<Cookie<'static>> {
    let json = serde_json::to_string(session).ok()?;
    Some(
        Cookie::build((NAME, json))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .max_age(cookie::time::Duration::hours(2))
            .build(),
    )
}

/// Decrypts and parses the session from the jar, counts the visit, writes it back.
pub async fn jar_handler(jar: PrivateCookieJar) -> Response {
    let Some(mut session) = jar
        .get(NAME)
        .and_then(|c| serde_json::from_str::<Session>(c.value()).ok())
    else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    session.visits += 1;
    match jar_cookie(&session) {
        Some(cookie) => (jar.add(cookie), body(session.visits)).into_response(),
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// A new session in the jar.
pub async fn jar_login(jar: PrivateCookieJar) -> Response {
    match jar_cookie(&Session::new(next_user())) {
        Some(cookie) => (jar.add(cookie), "signed in\n").into_response(),
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
