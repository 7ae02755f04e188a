//! Reading a Rails app's session in a Rust service that shares its domain: an axum handler
//! opens the `CookieStore` session cookie (`_shop_session`, encrypted with AES-256-GCM under
//! keys derived from the Rails app's `secret_key_base`) and answers with the signed-in user.
//! See `docs/migrate-from-rails.md`.
//!
//! `SECRET_KEY_BASE=… cargo run --example rails_session --features axum,rails`, then
//! `curl -i --cookie "_shop_session=<the Rails session cookie>" http://127.0.0.1:3000/me`.
//! `RAILS_SESSION_COOKIE` names the cookie (default `_shop_session`), `RAILS_LOAD_DEFAULTS=7.0`
//! selects Rails 7's SHA-256 key generator (with the SHA-1 keys of Rails 6.1 rotated in),
//! `PORT` changes the port. `tests/rails/` drives [`app`] in process with a session
//! written by Rails' own `CookieStore`.
//!
//! | request | answer |
//! |---|---|
//! | a Rails session with a `user_id` | `200 user <id>` |
//! | no session, an anonymous one, or one changed, forged or expired | `401` |
//!
//! It only reads. A route that changes something on the strength of the Rails session needs
//! the CSRF check Rails does (`X-CSRF-Token` against the session's `_csrf_token`), and a
//! session without `expire_after` never expires: see `docs/migrate-from-rails.md`.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use typed_cookies::interop::rails::{CookieJar, Defaults, EncryptedCookie, Rotation};
use typed_cookies::interop::Digest;

/// The part of the Rails session the Rust service needs: what the Rails app stored with
/// `session[:user_id] = user.id`. Other keys (`session_id`, `_csrf_token`, `flash`) are
/// ignored.
#[derive(Debug, Deserialize)]
pub struct RailsSession {
    /// The signed-in user, if any.
    #[serde(default)]
    pub user_id: Option<u64>,
}

/// What the handler needs: the session cookie's opener and name.
#[derive(Clone)]
pub struct AppState {
    /// Opens the Rails session cookie (`CookieJar::session`).
    pub sessions: EncryptedCookie,
    /// The cookie's name (`config.session_store :cookie_store, key: "_shop_session"`).
    pub cookie_name: String,
}

/// The router: `GET /me`.
pub fn app(state: AppState) -> Router {
    Router::new().route("/me", get(me)).with_state(state)
}

async fn me(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(value) = cookie(&headers, &state.cookie_name) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    // Changed, forged, expired (`expire_after`), another cookie's value: not signed in.
    match state.sessions.open::<RailsSession>(value) {
        Ok(RailsSession {
            user_id: Some(user_id),
        }) => format!("user {user_id}").into_response(),
        _ => StatusCode::UNAUTHORIZED.into_response(),
    }
}

/// The value of the cookie named exactly `name` in the request's `Cookie` headers (escaped,
/// as Rack wrote it; `open` takes it so), if it is there exactly once: a name sent twice is
/// refused (cookie tossing: a sibling subdomain or another path planted a second one).
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let mut found = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim_matches([' ', '\t']).split_once('='))
        .filter(|(n, _)| *n == name)
        .map(|(_, v)| v);
    match (found.next(), found.next()) {
        (Some(value), None) => Some(value),
        _ => None,
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("SECRET_KEY_BASE")
        .map_err(|_| "set SECRET_KEY_BASE to the Rails app's secret_key_base (bin/rails secret)")?;
    let mut jar = CookieJar::new(secret)?;
    if std::env::var("RAILS_LOAD_DEFAULTS").as_deref() == Ok("7.0") {
        // `config.load_defaults 7.0`, with the upgrade guide's rotation of the SHA-1 keys.
        jar = jar
            .load_defaults(Defaults::V7_0)
            .rotate(Rotation::new().key_generator_digest(Digest::Sha1));
    }
    let cookie_name =
        std::env::var("RAILS_SESSION_COOKIE").unwrap_or_else(|_| "_shop_session".into());
    let state = AppState {
        sessions: jar.session(cookie_name.as_str()),
        cookie_name,
    };
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!("listening on http://127.0.0.1:{port}/me");
    axum::serve(listener, app(state)).await?;
    Ok(())
}
