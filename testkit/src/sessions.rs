//! The guarded cookie types of the revocation-store tests (`tests/store/`, `tests/cluster/`):
//! a revocable [`Session`], a replay-detected [`Paranoid`], a fail-open [`Lenient`] and a
//! one-time [`Reset`], each made for a user by [`user`], and [`value_of`] a `Set-Cookie`.

use serde::{Deserialize, Serialize};
use typed_cookies::SealedCookie;

/// A revocable, encrypted session.
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "tests.store.session.v1",
    max_age = "8h",
    encrypt,
    revocable
)]
pub struct Session {
    /// Who signed in.
    pub user: String,
}

/// A replay-detected session (grace window 5 s).
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-paranoid",
    salt = "tests.store.paranoid.v1",
    max_age = "8h",
    encrypt,
    replay = "5s"
)]
pub struct Paranoid {
    /// Who signed in.
    pub user: String,
}

/// A revocable session that is accepted while the store is down.
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-lenient",
    salt = "tests.store.lenient.v1",
    max_age = "8h",
    revocable,
    if_store_down = "accept"
)]
pub struct Lenient {
    /// Who signed in.
    pub user: String,
}

/// A one-time password-reset token (10 minutes).
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "reset",
    salt = "tests.store.reset.v1",
    max_age = "10m",
    one_time
)]
pub struct Reset {
    /// Whose password it resets.
    pub user: String,
}

macro_rules! from_user {
    ($($t:ident),*) => {$(
        impl From<String> for $t {
            fn from(user: String) -> Self {
                Self { user }
            }
        }
    )*};
}
from_user!(Session, Paranoid, Lenient, Reset);

/// Ann's value of type `T`.
pub fn user<T: From<String>>() -> T {
    T::from("ann".to_owned())
}

/// The value of a `Set-Cookie` header value (`name=value; attributes`).
///
/// # Panics
///
/// If `set_cookie` has no `=` before its first `;`.
pub fn value_of(set_cookie: &str) -> &str {
    set_cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .expect("a Set-Cookie value")
        .1
}
