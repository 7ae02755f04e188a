use serde::{Deserialize, Serialize};
use typed_cookies::SealedCookie;

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "my sid", salt = "app.space.v1", max_age = "2h")]
struct Space;

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "sid;", salt = "app.semicolon.v1", max_age = "2h")]
struct Semicolon;

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "s=id", salt = "app.equals.v1", max_age = "2h")]
struct Equals;

fn main() {}
