// The expansion must not warn in user code.
#![deny(warnings)]

use serde::{Deserialize, Serialize};
use typed_cookies::{Key, KeyRing, SealedCookie};

#[derive(Serialize, Deserialize, SealedCookie, Debug, PartialEq)]
#[cookie(name = "__Host-sid", salt = "ui.session.v1", max_age = "2h", encrypt)]
struct Session {
    user_id: u64,
    csrf: String,
}

fn main() {
    let keys = KeyRing::new(Key::generate());
    let session = Session {
        user_id: 42,
        csrf: "f3a9".into(),
    };
    let value = session.seal(&keys).unwrap();
    assert_eq!(Session::open(&keys, &value).unwrap(), session);
    assert_eq!(
        Session::CONFIG.format().mode,
        typed_cookies::Mode::Encrypted
    );

    let request = format!("theme=dark; __Host-sid={value}");
    assert_eq!(
        Session::from_cookie_header(&keys, &request).unwrap(),
        Some(session)
    );
    assert_eq!(
        Session::from_cookie_header(&keys, "theme=dark").unwrap(),
        None
    );
}
