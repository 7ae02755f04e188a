use serde::{Deserialize, Serialize};
use typed_cookies::{Key, KeyRing, SealedCookie};

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "widget",
    salt = "app.widget.v1",
    max_age = "1h",
    partitioned,
    secure = false
)]
struct Widget {
    visitor: u64,
}

fn main() {
    // Uses the type, so a cascade of "SealedCookie is not implemented" would show here.
    let keys = KeyRing::new(Key::generate());
    let value = Widget { visitor: 1 }.seal(&keys).unwrap();
    let _ = Widget::open(&keys, &value);
}
