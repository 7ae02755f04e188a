use serde::Deserialize;
use typed_cookies::SealedCookie;

#[derive(Deserialize, SealedCookie)]
#[cookie(name = "sid", salt = "app.session.v1", max_age = "2h")]
struct Session {
    user_id: u64,
}

fn main() {}
