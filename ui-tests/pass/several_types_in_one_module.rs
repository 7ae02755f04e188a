// The expansion must not warn in user code.
#![deny(warnings)]

use serde::{Deserialize, Serialize};
use typed_cookies::{Key, KeyRing, OpenError, SealedCookie};

// Same module, same field layout, even the same cookie (opted into with `replaces`): distinct
// salts keep them apart.
#[derive(Serialize, Deserialize, SealedCookie, Debug, PartialEq)]
#[cookie(name = "sid", salt = "ui.user_session.v1", max_age = "2h", encrypt)]
struct UserSession {
    id: u64,
}

#[derive(Serialize, Deserialize, SealedCookie, Debug, PartialEq)]
#[cookie(name = "sid", salt = "ui.admin_session.v1", max_age = "15m", encrypt, replaces = "UserSession")]
struct AdminSession {
    id: u64,
}

#[derive(Serialize, Deserialize, SealedCookie, Debug, PartialEq)]
#[cookie(name = "flash", salt = "ui.flash.v1", max_age = "90s")]
struct Flash {
    message: String,
}

fn main() {
    let keys = KeyRing::new(Key::generate());
    let user = UserSession { id: 1 }.seal(&keys).unwrap();
    let admin = AdminSession { id: 1 }.seal(&keys).unwrap();
    let flash = Flash {
        message: "saved".into(),
    }
    .seal(&keys)
    .unwrap();

    assert_eq!(
        UserSession::open(&keys, &user).unwrap(),
        UserSession { id: 1 }
    );
    assert_eq!(
        AdminSession::open(&keys, &admin).unwrap(),
        AdminSession { id: 1 }
    );
    assert_eq!(Flash::open(&keys, &flash).unwrap().message, "saved");

    // A type declared inside a function: its salt guard is still exported at the crate root.
    #[derive(Serialize, Deserialize, SealedCookie, Debug, PartialEq)]
    #[cookie(name = "local", salt = "ui.local.v1", max_age = "1h")]
    struct Local(u8);
    let local = Local(9).seal(&keys).unwrap();
    assert_eq!(Local::open(&keys, &local).unwrap(), Local(9));

    // A user session never opens as an admin session.
    assert!(matches!(
        AdminSession::open(&keys, &user),
        Err(OpenError::Invalid)
    ));
}
