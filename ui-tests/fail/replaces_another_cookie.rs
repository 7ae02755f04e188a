use serde::{Deserialize, Serialize};
use typed_cookies::SealedCookie;

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "sid", salt = "shop.session.v1", max_age = "2h")]
struct OldSession {
    user_id: u64,
}

// `replaces` names a type that sets another cookie (another path): the opt-in is wrong.
#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "sid", path = "/shop", salt = "shop.session.v2", max_age = "2h", replaces = "OldSession")]
struct Session {
    user_id: u64,
}

fn main() {}
