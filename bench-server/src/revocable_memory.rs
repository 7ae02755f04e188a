//! The `typed-cookies-guarded` variants (the middleware as a `GuardedLayer`, or as the
//! `guarded` function) and their hot loop: a revocable session read
//! through the `guarded` middleware and the `Guarded<T>` extractor, its id checked in a
//! `MemoryStore` on every request, nothing written back (the guarded path alone); and
//! `bench-server micro-guard ROUNDS`, the same type's `Guard::open` in a loop, in-process —
//! the two numbers `scripts/server_instructions.py` compares.

use std::time::Instant;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{middleware, Router};
use typed_cookies::guard::{ClientContext, Guard};
use typed_cookies::integrations::axum::{guarded, Guarded, GuardedLayer};
use typed_cookies::store::MemoryStore;
use typed_cookies::KeyRing;

use crate::session::{body, next_user, RevocableSession};
use crate::stateful::TrackedState;

/// How the guarded middleware is installed.
#[derive(Clone, Copy)]
pub enum Install {
    /// `GuardedLayer::<T>::new(&state)`.
    Layer,
    /// `middleware::from_fn_with_state(state, guarded::<T, S>)`.
    Function,
}

/// The router: `GET /` reads the session through the guard, `GET /login` issues one.
pub fn router(keys: KeyRing, install: Install) -> Router {
    let state = TrackedState {
        keys,
        guard: Guard::new(MemoryStore::new()),
    };
    let routes = Router::new()
        .route("/", get(handler))
        .route("/login", get(login));
    match install {
        Install::Layer => routes.layer(GuardedLayer::<RevocableSession>::new(&state)),
        Install::Function => routes.layer(middleware::from_fn_with_state(
            state.clone(),
            guarded::<RevocableSession, TrackedState>,
        )),
    }
    .with_state(state)
}

/// Reads the session the middleware opened (not revoked, epoch current) and answers its
/// visit count; the cookie is not written back (a revocable session needs no reseal per
/// request: the middleware reseals it when its idle window is due).
async fn handler(session: Guarded<RevocableSession>) -> String {
    body(session.visits)
}

/// A new revocable session for a new user (the subject's epoch read from the store).
async fn login(State(state): State<TrackedState>) -> Response {
    let user = next_user();
    match issue(&state.guard, &state.keys, user).await {
        Some(issued) => (issued, "signed in\n").into_response(),
        None => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// Issues a revocable session of `user` (no client binding: the type binds nothing).
async fn issue(guard: &Guard, keys: &KeyRing, user: u64) -> Option<typed_cookies::guard::Issued> {
    guard
        .issue(
            keys,
            &RevocableSession::new(user),
            Some(&user.to_string()),
            &ClientContext::new(),
        )
        .await
        .ok()
}

/// `bench-server micro-guard ROUNDS`: `Guard::open` of one issued [`RevocableSession`] over a
/// `MemoryStore`, `rounds` times (after a tenth as warm-up), inside one task of a
/// current-thread runtime (the store answers at once: no scheduling per round); prints the
/// nanoseconds per open.
pub fn run(rounds: u32) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        let keys = KeyRing::new(typed_cookies::Key::generate());
        let guard = Guard::new(MemoryStore::new());
        let issued = issue(&guard, &keys, next_user()).await.expect("issues");
        let value = cookie_value(issued.set_cookie()).expect("a name=value pair");
        let client = ClientContext::new();
        let once = || async {
            let checked = guard
                .open::<RevocableSession>(&keys, std::hint::black_box(value), &client)
                .await
                .expect("opens");
            checked.value().visits
        };
        let mut sink = 0u64;
        for _ in 0..rounds / 10 {
            sink += once().await;
        }
        let start = Instant::now();
        for _ in 0..rounds {
            sink += once().await;
        }
        let ns = start.elapsed().as_nanos() as f64 / f64::from(rounds);
        std::hint::black_box(sink);
        println!("{ns:.0}");
    });
}

/// The value of a `Set-Cookie` header's `name=value` pair.
fn cookie_value(set_cookie: &str) -> Option<&str> {
    let pair = set_cookie.split(';').next()?;
    pair.split_once('=').map(|(_, value)| value)
}
