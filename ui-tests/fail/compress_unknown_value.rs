use serde::{Deserialize, Serialize};
use typed_cookies::{Key, KeyRing, SealedCookie};

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "__Host-sid", salt = "app.session.v1", max_age = "1h", encrypt, compress = "yes")]
struct Session {
    user_id: u64,
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "prefs", salt = "app.prefs.v1", max_age = "1h", compress = true)]
struct Prefs {
    dark: bool,
}

fn main() {
    let keys = KeyRing::new(Key::generate());
    let _ = Session { user_id: 1 }.seal(&keys);
    let _ = Prefs { dark: true }.seal(&keys);
}
