use serde::{Deserialize, Serialize};
use typed_cookies::SealedCookie;

// Browsers cap cookie lifetimes at 400 days; one second more is refused.
#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "remember", salt = "auth.remember.v1", max_age = "401d")]
struct Remember {
    user_id: u64,
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "remember2", salt = "auth.remember.v2", max_age = 34560001)]
struct Remember2 {
    user_id: u64,
}

fn main() {}
