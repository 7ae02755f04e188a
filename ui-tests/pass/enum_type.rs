// The expansion must not warn in user code.
#![deny(warnings)]

use serde::{Deserialize, Serialize};
use typed_cookies::{Key, KeyRing, SealedCookie};

#[derive(Serialize, Deserialize, SealedCookie, Debug, PartialEq)]
#[cookie(name = "login", salt = "ui.login.v1", max_age = "1d", encrypt)]
enum Login {
    Anonymous,
    User { id: u64 },
    Admin(u64, String),
}

fn main() {
    let keys = KeyRing::new(Key::generate());
    for login in [
        Login::Anonymous,
        Login::User { id: 3 },
        Login::Admin(1, "root".into()),
    ] {
        let value = login.seal(&keys).unwrap();
        assert_eq!(Login::open(&keys, &value).unwrap(), login);
    }
}
