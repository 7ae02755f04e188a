use serde::Serialize;
use typed_cookies::SealedCookie;

#[derive(Serialize, SealedCookie)]
#[cookie(name = "sid", salt = "app.session.v1", max_age = "2h")]
struct Session {
    user_id: u64,
}

fn main() {}
