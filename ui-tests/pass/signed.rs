// The expansion must not warn in user code.
#![deny(warnings)]

use serde::{Deserialize, Serialize};
use typed_cookies::{Key, KeyRing, SealedCookie};

#[derive(Serialize, Deserialize, SealedCookie, Debug, PartialEq)]
#[cookie(name = "prefs", salt = "ui.prefs.v1", max_age = "7d")]
struct Prefs {
    theme: String,
}

fn main() {
    let keys = KeyRing::new(Key::generate());
    let prefs = Prefs {
        theme: "dark".into(),
    };
    let value = prefs.seal(&keys).unwrap();
    assert_eq!(Prefs::open(&keys, &value).unwrap(), prefs);

    let header = prefs.to_set_cookie(&keys).unwrap();
    assert!(header.starts_with("prefs="), "{header}");
    assert!(header.contains("Max-Age=604800"), "{header}");

    // Signed, not encrypted: the payload travels readable (but not changeable).
    let config = Prefs::CONFIG;
    assert_eq!(config.format().mode, typed_cookies::Mode::Signed);
}
