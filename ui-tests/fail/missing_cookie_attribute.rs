use serde::{Deserialize, Serialize};
use typed_cookies::SealedCookie;

#[derive(Serialize, Deserialize, SealedCookie)]
struct Session {
    user_id: u64,
}

fn main() {}
