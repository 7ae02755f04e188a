use serde::{Deserialize, Serialize};
use typed_cookies::SealedCookie;

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "sid", salt = "app.session.v1", max_age = "2h")]
struct Session<T> {
    user: T,
}

fn main() {}
