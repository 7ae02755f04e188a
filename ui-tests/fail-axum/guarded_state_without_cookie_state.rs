// An app state that holds the key ring and the guard but never says so (no `cookie_state!`,
// no `FromRef`): one error, at the `guarded` middleware, naming the line to add — not axum's
// "`Handler<_, _>` is not implemented" on every route that extracts `Guarded<T>`.
use axum::{extract::State, middleware, routing::get, Router};
use serde::{Deserialize, Serialize};
use typed_cookies::guard::Guard;
use typed_cookies::integrations::axum::{guarded, Guarded};
use typed_cookies::store::MemoryStore;
use typed_cookies::{Key, KeyRing, SealedCookie};

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "ui.axum.state.v1",
    max_age = "8h",
    revocable
)]
struct Session {
    user: String,
}

#[derive(Clone)]
struct App {
    keys: KeyRing,
    guard: Guard,
}

async fn me(State(app): State<App>, session: Guarded<Session>) -> String {
    let _ = (&app.keys, &app.guard);
    session.user.clone()
}

async fn maybe(session: Option<Guarded<Session>>) -> &'static str {
    if session.is_some() {
        "signed in"
    } else {
        "not signed in"
    }
}

fn main() {
    let app = App {
        keys: KeyRing::new(Key::generate()),
        guard: Guard::new(MemoryStore::new()),
    };
    let _router: Router = Router::new()
        .route("/me", get(me))
        .route("/maybe", get(maybe))
        .layer(middleware::from_fn_with_state(
            app.clone(),
            guarded::<Session, App>,
        ))
        .with_state(app);
}
