//! The variants whose session is (also) on the server: tower-sessions over its in-memory
//! store or Redis (`tower-sessions-redis-store`, fred), and a revocable typed-cookies session
//! whose id is checked against a `RedisStore` on every request.

use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use typed_cookies::guard::{ClientContext, Guard};
use typed_cookies::integrations::axum::{Guarded, SetCookie};
use typed_cookies::KeyRing;

use crate::session::{body, next_user, RevocableSession, Session};

/// The tower-sessions key of the session.
const KEY: &str = "sid";

// --- tower-sessions ------------------------------------------------------------------------

/// Loads the session record (through the layer), counts the visit, stores it back.
pub async fn ts_handler(session: tower_sessions::Session) -> Response {
    let Ok(Some(mut value)) = session.get::<Session>(KEY).await else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    value.visits += 1;
    match session.insert(KEY, &value).await {
        Ok(()) => body(value.visits).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// A new session record.
pub async fn ts_login(session: tower_sessions::Session) -> Response {
    match session.insert(KEY, Session::new(next_user())).await {
        Ok(()) => "signed in\n".into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

// --- typed-cookies, revocable, RedisStore --------------------------------------------------

/// The revocable variant's router state: the key ring and the guard over Redis.
#[derive(Clone)]
pub struct TrackedState {
    pub keys: KeyRing,
    pub guard: Guard,
}

impl FromRef<TrackedState> for KeyRing {
    fn from_ref(state: &TrackedState) -> KeyRing {
        state.keys.clone()
    }
}

impl FromRef<TrackedState> for Guard {
    fn from_ref(state: &TrackedState) -> Guard {
        state.guard.clone()
    }
}

/// Opens the session through the guard (its id looked up in Redis: not revoked, epoch
/// current), counts the visit, reseals it with the same id.
pub async fn tcr_handler(
    State(keys): State<KeyRing>,
    session: Guarded<RevocableSession>,
) -> Response {
    let mut opened = session.into_opened();
    opened.value_mut().visits += 1;
    let visits = opened.value().visits;
    match SetCookie::resealed(&opened, &keys) {
        Ok(cookie) => (cookie, body(visits)).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// A new revocable session for a new user (the subject's epoch read from Redis).
pub async fn tcr_login(State(state): State<TrackedState>) -> Response {
    let user = next_user();
    let issued = state
        .guard
        .issue(
            &state.keys,
            &RevocableSession::new(user),
            Some(&user.to_string()),
            &ClientContext::new(),
        )
        .await;
    match issued {
        Ok(issued) => (issued, "signed in\n").into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}
