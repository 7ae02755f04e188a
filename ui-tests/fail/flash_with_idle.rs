use serde::{Deserialize, Serialize};
use typed_cookies::{Key, KeyRing, SealedCookie};

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "__Host-flash", salt = "app.flash.v1", max_age = "1h", idle = "5m", flash)]
struct Notice {
    text: String,
}

fn main() {
    // Uses the type, so a cascade of "SealedCookie is not implemented" would show here.
    let keys = KeyRing::new(Key::generate());
    let _ = Notice { text: "x".into() }.seal(&keys);
}
