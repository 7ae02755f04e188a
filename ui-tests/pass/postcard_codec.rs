// The expansion must not warn in user code.
#![deny(warnings)]

use serde::{Deserialize, Serialize};
use typed_cookies::{Codec, Key, KeyRing, SealedCookie};

#[derive(Serialize, Deserialize, SealedCookie, Debug, PartialEq)]
#[cookie(
    name = "cart",
    salt = "ui.cart.postcard.v1",
    max_age = "1d",
    codec = "postcard"
)]
struct Cart {
    items: Vec<(u32, u16)>,
    coupon: Option<String>,
}

#[derive(Serialize, Deserialize, SealedCookie, Debug, PartialEq)]
#[cookie(
    name = "cart",
    salt = "ui.cart.json.v1",
    max_age = "1d",
    codec = "json",
    replaces = "Cart"
)]
struct JsonCart {
    items: Vec<(u32, u16)>,
    coupon: Option<String>,
}

fn main() {
    assert_eq!(Cart::CONFIG.format().codec, Codec::Postcard);
    assert_eq!(JsonCart::CONFIG.format().codec, Codec::Json);

    let keys = KeyRing::new(Key::generate());
    let items = vec![(1001, 2), (2002, 1), (3003, 5)];
    let cart = Cart {
        items: items.clone(),
        coupon: Some("WELCOME".into()),
    };
    let value = cart.seal(&keys).unwrap();
    assert_eq!(Cart::open(&keys, &value).unwrap(), cart);

    // The point of postcard: a smaller cookie than JSON for the same data.
    let json = JsonCart {
        items,
        coupon: Some("WELCOME".into()),
    }
    .seal(&keys)
    .unwrap();
    assert!(
        value.len() < json.len(),
        "{} >= {}",
        value.len(),
        json.len()
    );
}
