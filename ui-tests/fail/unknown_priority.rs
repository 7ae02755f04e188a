use serde::{Deserialize, Serialize};
use typed_cookies::{Key, KeyRing, SealedCookie};

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "sid",
    salt = "app.session.v1",
    max_age = "2h",
    priority = "hihg"
)]
struct Session {
    user_id: u64,
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "cart",
    salt = "app.cart.v1",
    max_age = "2h",
    priority = "urgent"
)]
struct Cart {
    items: Vec<u32>,
}

fn main() {
    // Uses the types, so a cascade of "SealedCookie is not implemented" would show here.
    let keys = KeyRing::new(Key::generate());
    let value = Session { user_id: 1 }.seal(&keys).unwrap();
    let _ = Session::open(&keys, &value);
    let value = Cart { items: vec![1] }.seal(&keys).unwrap();
    let _ = Cart::open(&keys, &value);
}
