//! The cookie layer on its own, through the public API: the derive (`derive.rs`), the
//! `Set-Cookie` text it writes (`set_cookie.rs`), and how a `Cookie:` header is looked up
//! (`lookup.rs`: byte-exact names, look-alikes, duplicates, non-UTF-8 and garbage).

mod derive;
mod lookup;
mod set_cookie;

use serde::{Deserialize, Serialize};
use typed_cookies::SealedCookie;

/// A `__Host-` cookie with the derive's defaults.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(name = "__Host-a", salt = "attack.a.v1", max_age = "1h")]
struct HostA {
    text: String,
}

/// A revocable type, issued through the `Guard` with a subject.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-rev",
    salt = "attack.shared.v1",
    max_age = "1h",
    revocable
)]
struct Revocable {
    user: String,
}
