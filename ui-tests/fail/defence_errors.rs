use serde::{Deserialize, Serialize};
use typed_cookies::SealedCookie;

// Every stolen-cookie-defence mistake at once: an unknown binding part, `one_time` with
// `revocable` and with `replay`, a grace window over 300 s, a tracked type without `max_age`,
// and an unknown `if_store_down` value.
#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "ui.defence.v1",
    no_expiry,
    revocable,
    one_time,
    bind = "user_agent, usr_agent",
    replay = "10m",
    if_store_down = "maybe"
)]
struct Session {
    user: String,
}

// `if_store_down` on a type the store never sees.
#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "__Host-prefs", salt = "ui.defence.prefs.v1", max_age = "1h", if_store_down = "accept")]
struct Prefs {
    theme: String,
}

fn main() {}
