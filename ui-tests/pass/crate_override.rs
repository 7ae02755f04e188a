// A framework that re-exports typed-cookies; its users name the re-export in `crate = "..."`,
// as with `#[serde(crate = "...")]`.
// The expansion must not warn in user code.
#![deny(warnings)]

mod framework {
    pub use typed_cookies as cookies;
}

mod app {
    use crate::framework::cookies::{Key, KeyRing, SealedCookie};
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, SealedCookie, Debug, PartialEq)]
    #[cookie(
        crate = "crate::framework::cookies",
        name = "sid",
        salt = "ui.override.v1",
        max_age = "2h"
    )]
    pub struct Session {
        pub user_id: u64,
    }

    pub fn run() {
        let keys = KeyRing::new(Key::generate());
        let value = Session { user_id: 5 }.seal(&keys).unwrap();
        assert_eq!(
            Session::open(&keys, &value).unwrap(),
            Session { user_id: 5 }
        );
    }
}

// A renamed dependency works the same way.
use typed_cookies as my_cookies;

#[derive(serde::Serialize, serde::Deserialize, my_cookies::SealedCookie, Debug, PartialEq)]
#[cookie(
    crate = "my_cookies",
    name = "theme",
    salt = "ui.override.theme.v1",
    max_age = "7d"
)]
struct Theme(String);

fn main() {
    app::run();

    use my_cookies::SealedCookie as _;
    let keys = my_cookies::KeyRing::new(my_cookies::Key::generate());
    let value = Theme("dark".into()).seal(&keys).unwrap();
    assert_eq!(Theme::open(&keys, &value).unwrap(), Theme("dark".into()));
}
