// Every plain seal/open path refuses each kind of guarded type (`bind`, `one_time`,
// `replay`) at compile time: sealing, the whole `Set-Cookie`, opening, opening with
// metadata, and reading a `Cookie:` header.
use serde::{Deserialize, Serialize};
use typed_cookies::{Key, KeyRing, SealedCookie};

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-bound",
    salt = "ui.guarded.bound.v1",
    max_age = "8h",
    bind = "user_agent"
)]
struct Bound {
    user_id: u64,
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-reset",
    salt = "ui.guarded.reset.v1",
    max_age = "1h",
    one_time
)]
struct Reset {
    user_id: u64,
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "ui.guarded.replay.v1",
    max_age = "8h",
    replay = "5s"
)]
struct Session {
    user_id: u64,
}

fn main() {
    let keys = KeyRing::new(Key::generate());
    let _ = Bound { user_id: 7 }.to_set_cookie(&keys);
    let _ = Reset::open(&keys, "value");
    let _ = Session::open_with_metadata(&keys, "value");
    let _ = Session::from_cookie_header(&keys, "__Host-sid=value");
    // Removing the cookie (signing out) needs no guard: no error here.
    let _ = Session::removal();
}
