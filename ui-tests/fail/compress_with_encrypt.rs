use serde::{Deserialize, Serialize};
use typed_cookies::{Key, KeyRing, SealedCookie};

// Compressing a secret beside attacker-influenced data leaks it through the length.
#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "__Host-sid", salt = "app.session.v1", max_age = "1h", encrypt, compress)]
struct Session {
    csrf_token: String,
    last_search: String,
}

fn main() {
    // Uses the type, so a cascade of "SealedCookie is not implemented" would show here.
    let keys = KeyRing::new(Key::generate());
    let _ = Session { csrf_token: "x".into(), last_search: "y".into() }.seal(&keys);
}
