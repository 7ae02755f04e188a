use serde::{Deserialize, Serialize};
use typed_cookies::{Key, KeyRing, SealedCookie};

// Signed: the payload is readable anyway, so compressing it leaks nothing new.
#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "prefs", salt = "app.prefs.v1", max_age = "30d", compress)]
struct Prefs {
    pinned: Vec<String>,
}

// Encrypted, with the explicit opt-in: only server-chosen data, nothing attacker-influenced.
#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-seen",
    salt = "app.seen.v1",
    max_age = "1d",
    encrypt,
    compress = "i_understand_compression_leaks_length"
)]
struct Seen {
    product_ids: Vec<u32>,
}

fn main() {
    let keys = KeyRing::new(Key::generate());
    assert!(Prefs::CONFIG.compresses() && Seen::CONFIG.compresses());
    let value = Seen { product_ids: (0..300).collect() }.seal(&keys).unwrap();
    assert_eq!(Seen::open(&keys, &value).unwrap().product_ids.len(), 300);
    let _ = Prefs { pinned: vec!["a".into()] }.seal(&keys).unwrap();
}
