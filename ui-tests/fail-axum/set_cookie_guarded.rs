// `SetCookie::new` of a guarded type: its `Set-Cookie` comes from `Guard::issue`.
use serde::{Deserialize, Serialize};
use typed_cookies::integrations::axum::SetCookie;
use typed_cookies::{Key, KeyRing, SealedCookie};

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "ui.axum.set_cookie.v1",
    max_age = "8h",
    revocable
)]
struct Session {
    user_id: u64,
}

fn main() {
    let keys = KeyRing::new(Key::generate());
    let _ = SetCookie::new(&Session { user_id: 7 }, &keys);
}
