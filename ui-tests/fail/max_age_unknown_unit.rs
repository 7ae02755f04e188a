use serde::{Deserialize, Serialize};
use typed_cookies::{Key, KeyRing, SealedCookie};

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "sid", salt = "app.session.v1", max_age = "3y")]
struct Session {
    user_id: u64,
}

fn main() {
    // Uses the type, so a cascade of "SealedCookie is not implemented" would show here.
    let keys = KeyRing::new(Key::generate());
    let value = Session { user_id: 1 }.seal(&keys).unwrap();
    let _ = Session::open(&keys, &value);
}
