// The expansion must not warn in user code.
#![deny(warnings)]

use serde::{Deserialize, Serialize};
use typed_cookies::{Key, KeyRing, SealedCookie};

// A migration: the new session type takes over the old one's cookie (same name, path and
// domain, the domain written differently), with a new salt and payload.
#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "sid", salt = "shop.session.v1", max_age = "2h", domain = "shop.example")]
struct OldSession {
    user_id: u64,
}

mod v2 {
    use serde::{Deserialize, Serialize};
    use typed_cookies::SealedCookie;

    #[derive(Serialize, Deserialize, SealedCookie, Debug, PartialEq)]
    #[cookie(
        name = "sid",
        salt = "shop.session.v2",
        max_age = "2h",
        domain = ".Shop.Example",
        encrypt,
        replaces = "crate::OldSession"
    )]
    pub struct Session {
        pub user_id: u64,
        pub csrf: String,
    }
}

// Same name on another path is another browser cookie: no opt-in needed.
#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "sid", path = "/admin", salt = "shop.admin.v1", max_age = "15m", domain = "shop.example")]
struct AdminSession {
    user_id: u64,
}

// Exactly 400 days, the browsers' cap, is allowed.
#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "remember", salt = "auth.remember.v1", max_age = "400d")]
struct Remember {
    user_id: u64,
}

fn main() {
    assert!(v2::Session::CONFIG.same_browser_cookie(&OldSession::CONFIG));
    assert!(!AdminSession::CONFIG.same_browser_cookie(&OldSession::CONFIG));
    assert_eq!(
        Remember::CONFIG.max_age(),
        Some(typed_cookies::time::Duration::days(400))
    );

    let keys = KeyRing::new(Key::generate());
    let old = OldSession { user_id: 7 }.seal(&keys).unwrap();
    // The old value does not open as the new type (another salt): users sign in again.
    assert!(v2::Session::open(&keys, &old).is_err());
    let new = v2::Session { user_id: 7, csrf: "x".into() };
    let value = new.seal(&keys).unwrap();
    assert_eq!(v2::Session::open(&keys, &value).unwrap(), new);
    let _ = (AdminSession { user_id: 1 }, Remember { user_id: 1 });
}
