// `Sealed<T>` of a guarded type in a handler: extract `Guarded<T>` instead.
use axum::{routing::get, Router};
use serde::{Deserialize, Serialize};
use typed_cookies::integrations::axum::Sealed;
use typed_cookies::{Key, KeyRing, SealedCookie};

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "ui.axum.sealed.v1",
    max_age = "8h",
    bind = "user_agent"
)]
struct Session {
    user_id: u64,
}

async fn me(Sealed(session): Sealed<Session>) -> String {
    session.user_id.to_string()
}

fn main() {
    let keys = KeyRing::new(Key::generate());
    let _app: Router = Router::new().route("/me", get(me)).with_state(keys);
}
