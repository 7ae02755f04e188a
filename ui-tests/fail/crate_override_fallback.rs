// A misconfigured type whose `crate` points at a re-export: the fallback impl must use that
// path too, so the only error is the real one (no "unresolved `typed_cookies`").
extern crate typed_cookies as my_cookies;

use my_cookies::{Key, KeyRing, SealedCookie};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    crate = "my_cookies",
    name = "sid",
    salt = "app.session.v1",
    max_age = "0s"
)]
struct Session {
    user_id: u64,
}

fn main() {
    let keys = KeyRing::new(Key::generate());
    let value = Session { user_id: 1 }.seal(&keys).unwrap();
    let _ = Session::open(&keys, &value);
}
