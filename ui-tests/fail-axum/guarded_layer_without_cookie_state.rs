// The same app state as `guarded_state_without_cookie_state.rs` (a key ring and a guard it
// never declares), with the middleware installed as a `GuardedLayer`: one error, at
// `GuardedLayer::new`, naming the line to add.
use axum::{routing::get, Router};
use serde::{Deserialize, Serialize};
use typed_cookies::guard::Guard;
use typed_cookies::integrations::axum::{Guarded, GuardedLayer};
use typed_cookies::store::MemoryStore;
use typed_cookies::{Key, KeyRing, SealedCookie};

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "ui.axum.layer_state.v1",
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

async fn me(session: Guarded<Session>) -> String {
    session.user.clone()
}

fn main() {
    let app = App {
        keys: KeyRing::new(Key::generate()),
        guard: Guard::new(MemoryStore::new()),
    };
    let _ = (&app.keys, &app.guard);
    let _router: Router = Router::new()
        .route("/me", get(me))
        .layer(GuardedLayer::<Session>::new(&app))
        .with_state(app);
}
