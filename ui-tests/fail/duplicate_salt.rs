use serde::{Deserialize, Serialize};
use typed_cookies::SealedCookie;

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "sid", salt = "shop.session.v1", max_age = "2h")]
struct Session {
    user_id: u64,
}

mod admin {
    use serde::{Deserialize, Serialize};
    use typed_cookies::SealedCookie;

    // Another module, another name, the same salt: both types would share one namespace.
    #[derive(Serialize, Deserialize, SealedCookie)]
    #[cookie(name = "admin", salt = "shop.session.v1", max_age = "15m")]
    pub struct AdminSession {
        pub user_id: u64,
    }
}

fn main() {}
