use serde::{Deserialize, Serialize};
use typed_cookies::SealedCookie;

// Broken syntax: one error each, not followed by "missing `salt`" / "missing `max_age`".
#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "sid" salt = "app.comma.v1", max_age = "2h")]
struct MissingComma;

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie]
struct NoArguments;

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie = "sid"]
struct NotAList;

fn main() {}
