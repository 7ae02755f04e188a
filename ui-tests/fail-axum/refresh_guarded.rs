// The axum `refresh` middleware for a guarded type: it could never reseal one (only the
// `guarded` middleware can), so idle sessions would silently time out. A compile error.
use axum::{middleware, routing::get, Router};
use serde::{Deserialize, Serialize};
use typed_cookies::integrations::axum::refresh;
use typed_cookies::{Key, KeyRing, SealedCookie};

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "ui.axum.refresh.v1",
    max_age = "8h",
    idle = "30m",
    revocable
)]
struct Session {
    user_id: u64,
}

fn main() {
    let keys = KeyRing::new(Key::generate());
    let _app: Router = Router::new()
        .route("/", get(|| async { "hi" }))
        .layer(middleware::from_fn_with_state(
            keys.clone(),
            refresh::<Session, KeyRing>,
        ))
        .with_state(keys);
}
