// The expansion must not warn in user code.
#![deny(warnings)]

use serde::{Deserialize, Serialize};
use typed_cookies::{Codec, Key, KeyRing, Lifetime, SealedCookie};

#[derive(Serialize, Deserialize, SealedCookie, Debug, PartialEq)]
#[cookie(
    crate = "::typed_cookies",
    name = "__Secure-cart",
    salt = "ui.cart.v1",
    max_age = 5400,
    encrypt,
    codec = "postcard",
    path = "/shop",
    domain = "example.com",
    same_site = "strict",
    secure = true,
    http_only = false
)]
struct Cart {
    items: Vec<u32>,
}

fn main() {
    let config = Cart::CONFIG;
    assert_eq!(config.name(), "__Secure-cart");
    assert_eq!(config.salt(), "ui.cart.v1");
    assert_eq!(config.lifetime(), Lifetime::MaxAgeSeconds(5400));
    assert_eq!(config.format().mode, typed_cookies::Mode::Encrypted);
    assert_eq!(config.format().codec, Codec::Postcard);
    assert_eq!(config.path(), "/shop");
    assert_eq!(config.domain(), Some("example.com"));
    assert!(config.secure());
    assert!(!config.http_only());

    let keys = KeyRing::new(Key::generate());
    let cart = Cart {
        items: vec![1, 2, 3],
    };
    let value = cart.seal(&keys).unwrap();
    assert_eq!(Cart::open(&keys, &value).unwrap(), cart);

    let header = cart.to_set_cookie(&keys).unwrap();
    for part in [
        "__Secure-cart=",
        "Max-Age=5400",
        "Path=/shop",
        "Domain=example.com",
        "Secure",
        "SameSite=Strict",
    ] {
        assert!(header.contains(part), "{part} missing from {header}");
    }
    assert!(!header.contains("HttpOnly"), "{header}");

    let removal = Cart::removal();
    assert!(
        removal.contains("Path=/shop") && removal.contains("Domain=example.com"),
        "{removal}"
    );
}
