//! A guarded session on axum, as a newcomer's app starts: sign in, `/me`, a sign-out that
//! revokes the session (a copy of the cookie kept from before is refused) and "sign out
//! everywhere", with keys from the environment (rotation included) and revocations in Redis
//! when `REDIS_URL` is set, else in this process's memory.
//!
//! **This file mirrors the guide.** The guarded-session example of `docs/stolen-cookies.md`
//! is the code between the `guide:begin` and `guide:end` lines below, character for
//! character, and `tests/guarded_app.rs` fails when the two differ; this file adds `main`.
//! The same test serves the router on a loopback port and drives it over HTTP.
//!
//! ```sh
//! cargo run --example guarded_app --features axum,redis     # PORT (3000), APP_KEYS, REDIS_URL
//! curl -i -c jar -b jar -d user=ann http://127.0.0.1:3000/sign-in   # 303, Set-Cookie: __Host-sid=…
//! curl -b jar http://127.0.0.1:3000/me                               # signed in as ann
//! curl -i -c jar -b jar -X POST http://127.0.0.1:3000/sign-out       # revoked, cookie removed
//! ```
//!
//! curl 7.88 and Chromium keep the `__Host-`, `Secure` cookie from `http://127.0.0.1`; for
//! clients that do not, see `docs/development-mode.md`. Logs go to stderr, filtered by
//! `RUST_LOG` (default `info`; `debug` adds each refused cookie and why).

// guide:begin (docs/stolen-cookies.md shows this part; tests/guarded_app.rs compares them)
use axum::extract::{Form, State};
use axum::http::{request::Parts, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use typed_cookies::guard::{Guard, Issued};
use typed_cookies::integrations::axum::{
    client_context_of, cookie_state, Guarded, GuardedLayer, Removal,
};
use typed_cookies::store::{MemoryStore, RedisStore, StoreError};
use typed_cookies::{Key, KeyError, KeyRing, SealedCookie};

/// Encrypted; ends 8 hours after sign-in, or after 30 minutes without a request. `revocable`:
/// sign-out refuses every copy, and "sign out everywhere" reaches every device. Bound to the
/// browser's User-Agent: a copy sent by another client is refused.
#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "guarded_app.session.v1",
    max_age = "8h",
    idle = "30m",
    encrypt,
    revocable,
    bind = "user_agent"
)]
struct Session {
    user: String,
}

/// The router state: the key ring and the guard (over the revocation store).
#[derive(Clone)]
pub struct App {
    /// Seals and opens the cookies.
    pub keys: KeyRing,
    /// Checks and records sign-outs.
    pub guard: Guard,
}
// What the session's `GuardedLayer` takes from the state (without it: a compile error saying so).
cookie_state!(App { keys, guard });

impl App {
    /// Keys from `APP_KEYS`, revocations in Redis at `REDIS_URL` (else in this process).
    pub async fn from_env() -> Result<App, Box<dyn std::error::Error>> {
        let keys = key_ring("APP_KEYS")?;
        let guard = revocation_guard(std::env::var("REDIS_URL").ok().as_deref()).await?;
        Ok(App { keys, guard })
    }
}

/// The ring in `var` (or in the file `{var}_FILE` names): comma-separated base64 keys, primary
/// first. To rotate, put a new key first and keep the old one after it: cookies sealed by the
/// old key still open, and the `guarded` layer reseals them with the new one. Unset: a key for
/// this run only. Malformed: an error, so a typo stops the server instead of signing everyone out.
pub fn key_ring(var: &str) -> Result<KeyRing, KeyError> {
    match KeyRing::from_env(var) {
        Err(KeyError::MissingEnv { .. }) => {
            tracing::warn!(
                "{var} is not set: a new key for this run, every session ends when it stops"
            );
            Ok(KeyRing::new(Key::generate()))
        }
        keys => keys,
    }
}

/// Redis at `redis_url`, shared by every server (run it with `appendonly yes`); else this
/// process's memory: one server, and a restart forgets sign-outs.
pub async fn revocation_guard(redis_url: Option<&str>) -> Result<Guard, StoreError> {
    match redis_url {
        Some(url) => Ok(Guard::new(RedisStore::builder(url).build().await?)),
        None => {
            tracing::warn!("REDIS_URL is not set: revocations in this process's memory");
            Ok(Guard::new(MemoryStore::new()))
        }
    }
}

#[derive(Deserialize)]
struct SignIn {
    user: String,
}

/// `POST /sign-in`, form `user=ann` (a real app checks a password here): the session cookie,
/// then `303` to `/me`.
async fn sign_in(
    State(app): State<App>,
    parts: Parts,
    Form(form): Form<SignIn>,
) -> Result<(Issued, Redirect), Response> {
    if form.user.is_empty() || form.user.len() > 64 {
        return Err((StatusCode::BAD_REQUEST, "user: 1 to 64 bytes\n").into_response());
    }
    // The client as the `Guarded<Session>` extractor will see it: its User-Agent (and, with
    // `bind = "ip"`, its address from the guard's source).
    let client =
        client_context_of::<Session>(&parts, &app.guard).map_err(IntoResponse::into_response)?;
    let subject = format!("user:{}", form.user); // whom "sign out everywhere" names
    let session = Session { user: form.user };
    let issued = app
        .guard
        .issue(&app.keys, &session, Some(&subject), &client)
        .await
        .map_err(IntoResponse::into_response)?; // a logged 500 (503: the store is down)
    Ok((issued, Redirect::to("/me")))
}

/// `GET /me`: 401 without a valid session (missing, expired, revoked, another client's).
async fn me(session: Guarded<Session>) -> String {
    format!("signed in as {}\n", session.user)
}

/// `POST /sign-out`: this session, every copy of it, is refused from now on.
async fn sign_out(
    State(app): State<App>,
    session: Guarded<Session>,
) -> Result<impl IntoResponse, StatusCode> {
    // If the store cannot record it, the user must not believe they are signed out: 503.
    app.guard
        .revoke(&app.keys, session.opened())
        .await
        .map_err(unavailable)?;
    Ok((Removal::<Session>::new(), "signed out\n"))
}

/// `POST /sign-out-everywhere`: every session of this user, on every device.
async fn sign_out_everywhere(
    State(app): State<App>,
    session: Guarded<Session>,
) -> Result<impl IntoResponse, StatusCode> {
    // The subject `sign_in` gave `issue`, which the session carries.
    if let Some(subject) = session.opened().subject() {
        app.guard
            .sign_out_everywhere(&app.keys, subject)
            .await
            .map_err(unavailable)?;
    }
    Ok((Removal::<Session>::new(), "signed out everywhere\n"))
}

/// A sign-out the store could not record: logged, and `503`.
fn unavailable(error: impl std::fmt::Display) -> StatusCode {
    tracing::error!("sign-out not recorded: {error}");
    StatusCode::SERVICE_UNAVAILABLE
}

/// The routes, all under the session's `GuardedLayer`: it opens the session once per request,
/// reseals it when due (idle refresh, an old key) and clears a refused one. (With development
/// mode, the `development` layer goes outside it, as the last `.layer`.)
pub fn router(app: App) -> Router {
    Router::new()
        .route("/sign-in", post(sign_in))
        .route("/me", get(me))
        .route("/sign-out", post(sign_out))
        .route("/sign-out-everywhere", post(sign_out_everywhere))
        .layer(GuardedLayer::<Session>::new(&app))
        .with_state(app)
}
// guide:end

/// Serves [`router`] on `127.0.0.1:$PORT` (3000). A startup error (a malformed `APP_KEYS`,
/// Redis unreachable) is printed as a sentence, exit status 1.
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let app = App::from_env().await?;
    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port
            .parse()
            .map_err(|_| format!("PORT={port:?} is not a port number"))?,
        Err(_) => 3000,
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    tracing::info!("listening on http://{}/", listener.local_addr()?);
    axum::serve(listener, router(app)).await?;
    Ok(())
}
