//! Moving a Django site's users to a Rust service without signing anyone out: an axum handler
//! opens the `sessionid` cookie of Django's `signed_cookies` session engine and answers, in the
//! same request, with a typed-cookies session of an equivalent `#[derive(SealedCookie)]` type
//! (and the removal of the Django cookie).
//!
//! `DJANGO_SECRET_KEY=… cargo run --example django_migration --features axum,django`, then
//! `curl -i --cookie "sessionid=<a Django session cookie>" http://127.0.0.1:3000/me`
//! (`PORT` changes the port). `tests/interop/django.rs` drives [`app`] in process with a
//! cookie made by the real Django.
//!
//! | request | answer |
//! |---|---|
//! | our `__Host-sid` cookie | `200 user <id>` |
//! | no `__Host-sid`, a valid Django `sessionid` | `200 user <id> (migrated from Django)`, `Set-Cookie: __Host-sid=…` and `Set-Cookie: sessionid=; Max-Age=0` |
//! | neither (or a forged, expired or anonymous Django session) | `401` |

use axum::extract::{FromRef, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use typed_cookies::integrations::axum::{Sealed, SetCookie};
use typed_cookies::interop::django;
use typed_cookies::{Key, KeyRing, SealedCookie};

/// The part of a Django session the Rust service needs. Django's auth app keeps the user's
/// primary key as a string under `_auth_user_id`; other keys are ignored.
#[derive(Debug, Deserialize)]
pub struct DjangoSession {
    /// `request.user.pk`, as Django's auth stores it.
    #[serde(rename = "_auth_user_id")]
    pub user_id: String,
}

/// The same session in our format: encrypted, two hours, `__Host-` prefixed.
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "example.django-migration.session.v1",
    max_age = "2h",
    encrypt
)]
pub struct Session {
    /// Django's user id, now typed.
    pub user_id: u64,
}

/// Our key ring and the Django reader, shared by the handlers.
#[derive(Clone)]
pub struct AppState {
    /// Seals and opens [`Session`].
    pub keys: KeyRing,
    /// Opens Django's `sessionid` (its `SECRET_KEY`, fallbacks and `SESSION_COOKIE_AGE`).
    pub django: django::Signer,
}

impl FromRef<AppState> for KeyRing {
    fn from_ref(state: &AppState) -> KeyRing {
        state.keys.clone()
    }
}

/// The router: `GET /me`.
pub fn app(state: AppState) -> Router {
    Router::new().route("/me", get(me)).with_state(state)
}

async fn me(
    State(state): State<AppState>,
    ours: Option<Sealed<Session>>,
    headers: HeaderMap,
) -> Response {
    if let Some(Sealed(session)) = ours {
        return format!("user {}", session.user_id).into_response();
    }
    let Some(value) = cookie(&headers, django::SESSION_COOKIE_NAME) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    // Forged, expired, or an anonymous session (no `_auth_user_id`): not signed in.
    let Ok(old) = state.django.open::<DjangoSession>(value) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let Ok(user_id) = old.user_id.parse() else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    match SetCookie::new(&Session { user_id }, &state.keys) {
        Ok(set_cookie) => (
            set_cookie,
            AppendHeaders([(header::SET_COOKIE, "sessionid=; Max-Age=0; Path=/")]),
            format!("user {user_id} (migrated from Django)"),
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The value of the cookie named exactly `name` in the request's `Cookie` headers.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim_matches([' ', '\t']).split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("DJANGO_SECRET_KEY")
        .map_err(|_| "set DJANGO_SECRET_KEY to the Django site's SECRET_KEY")?;
    let keys = KeyRing::from_env("APP_KEYS").unwrap_or_else(|_| {
        eprintln!("APP_KEYS not set: using a key generated for this run");
        KeyRing::new(Key::generate())
    });
    let state = AppState {
        keys,
        django: django::session_cookie(secret),
    };
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!("listening on http://127.0.0.1:{port}/me");
    axum::serve(listener, app(state)).await?;
    Ok(())
}
