use serde::{Deserialize, Serialize};
use typed_cookies::SealedCookie;

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "__Host-sid", salt = "shop.session.v1", max_age = "2h")]
struct Session {
    user_id: u64,
}

mod cart {
    use serde::{Deserialize, Serialize};
    use typed_cookies::SealedCookie;

    // Another module, another salt, the same cookie (name, path and domain): in the browser
    // each type would overwrite the other's cookie.
    #[derive(Serialize, Deserialize, SealedCookie)]
    #[cookie(name = "__Host-sid", salt = "shop.cart.v1", max_age = "7d", encrypt)]
    pub struct Cart {
        pub items: Vec<u64>,
    }
}

fn main() {}
