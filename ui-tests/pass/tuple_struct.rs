// The expansion must not warn in user code.
#![deny(warnings)]

use serde::{Deserialize, Serialize};
use typed_cookies::{Key, KeyRing, SealedCookie};

#[derive(Serialize, Deserialize, SealedCookie, Debug, PartialEq)]
#[cookie(name = "uid", salt = "ui.uid.v1", max_age = "15m")]
struct UserId(u64);

#[derive(Serialize, Deserialize, SealedCookie, Debug, PartialEq)]
#[cookie(name = "visited", salt = "ui.visited.v1", max_age = "90s")]
struct Visited;

fn main() {
    let keys = KeyRing::new(Key::generate());
    let value = UserId(7).seal(&keys).unwrap();
    assert_eq!(UserId::open(&keys, &value).unwrap(), UserId(7));

    let value = Visited.seal(&keys).unwrap();
    assert_eq!(Visited::open(&keys, &value).unwrap(), Visited);
}
