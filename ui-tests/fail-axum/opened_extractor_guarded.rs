// `Opened<T>` of a guarded type in a handler: extract `Guarded<T>` instead.
use axum::{routing::get, Router};
use serde::{Deserialize, Serialize};
use typed_cookies::{Key, KeyRing, Opened, SealedCookie};

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "ui.axum.opened.v1",
    max_age = "8h",
    one_time
)]
struct Session {
    user_id: u64,
}

async fn me(opened: Opened<Session>) -> String {
    opened.value().user_id.to_string()
}

fn main() {
    let keys = KeyRing::new(Key::generate());
    let _app: Router = Router::new().route("/me", get(me)).with_state(keys);
}
