use serde::{Deserialize, Serialize};
use typed_cookies::SealedCookie;

/// A one-time notice after a redirect.
#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "__Host-flash", salt = "app.flash.v1", max_age = "5m", flash)]
struct Notice {
    text: String,
}

fn main() {
    assert!(Notice::CONFIG.flash());
    assert_eq!(Notice::CONFIG.idle(), None);
}
