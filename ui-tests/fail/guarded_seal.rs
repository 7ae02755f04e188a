// A `revocable` type sealed with the plain API: it must go through a `Guard`, and the error
// says so (not a run-time `SealError::NeedsGuard`).
use serde::{Deserialize, Serialize};
use typed_cookies::{Key, KeyRing, SealedCookie};

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "ui.guarded.seal.v1",
    max_age = "8h",
    revocable
)]
struct Session {
    user_id: u64,
}

fn main() {
    let keys = KeyRing::new(Key::generate());
    let _ = Session { user_id: 7 }.seal(&keys);
}
