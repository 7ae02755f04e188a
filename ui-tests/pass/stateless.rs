// The derive marks a type without defences `Stateless`, and the plain API takes it; a guarded
// type is still a `SealedCookie` (for the `Guard` and removals) but not `Stateless`.
#![deny(warnings)]

use serde::{Deserialize, Serialize};
use typed_cookies::{Key, KeyRing, SealedCookie, Stateless};

#[derive(Serialize, Deserialize, SealedCookie, Debug, PartialEq)]
#[cookie(
    name = "__Host-prefs",
    salt = "ui.pass.stateless.v1",
    max_age = "7d",
    idle = "1d",
    encrypt
)]
struct Prefs {
    theme: String,
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "ui.pass.stateless.guarded.v1",
    max_age = "8h",
    revocable
)]
struct Session {
    user_id: u64,
}

fn roundtrip<T: Stateless>(value: &T, keys: &KeyRing) -> T {
    let sealed = value.seal(keys).unwrap();
    let header = value.to_set_cookie(keys).unwrap();
    let pair = header.split(';').next().unwrap();
    assert!(T::from_cookie_header(keys, pair).unwrap().is_some());
    assert!(T::open_with_metadata(keys, &sealed).is_ok());
    T::open(keys, &sealed).unwrap()
}

fn removal_of<T: SealedCookie>() -> String {
    T::removal()
}

fn main() {
    let keys = KeyRing::new(Key::generate());
    let prefs = Prefs {
        theme: "dark".into(),
    };
    assert_eq!(roundtrip(&prefs, &keys), prefs);
    // Guarded types keep everything that needs no guard.
    assert!(Session::CONFIG.guarded());
    assert!(removal_of::<Session>().starts_with("__Host-sid=; "));
}
