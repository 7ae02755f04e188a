// `RefreshLayer` for a guarded type: a compile error at `RefreshLayer::new` naming the
// guarded layer instead (a guarded type's session is refreshed by its `GuardedLayer`).
use axum::{routing::get, Router};
use serde::{Deserialize, Serialize};
use typed_cookies::integrations::axum::RefreshLayer;
use typed_cookies::{Key, KeyRing, SealedCookie};

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "ui.axum.refresh_layer_guarded.v1",
    max_age = "8h",
    idle = "30m",
    revocable
)]
struct Session {
    user: String,
}

fn main() {
    let keys = KeyRing::new(Key::generate());
    let _router: Router = Router::new()
        .route("/", get(|| async { "hi" }))
        .layer(RefreshLayer::<Session>::new(&keys))
        .with_state(keys);
}
