// The expansion must not warn in user code.
#![deny(warnings)]

use serde::{Deserialize, Serialize};
use typed_cookies::time::{Duration, OffsetDateTime};
use typed_cookies::{Key, KeyRing, Lifetime, SealedCookie};

#[derive(Serialize, Deserialize, SealedCookie, Debug, PartialEq)]
#[cookie(name = "consent", salt = "ui.consent.v1", no_expiry)]
struct Consent {
    analytics: bool,
}

fn main() {
    assert_eq!(Consent::CONFIG.lifetime(), Lifetime::NoExpiry);

    let keys = KeyRing::new(Key::generate());
    let now = OffsetDateTime::now_utc();
    let value = Consent { analytics: false }.seal(&keys.at(now)).unwrap();
    // Opens ten years later: no max age.
    let later = now + Duration::days(3650);
    assert_eq!(
        Consent::open(&keys.at(later), &value).unwrap(),
        Consent { analytics: false }
    );

    // A browser-session cookie: no Max-Age or Expires.
    let header = Consent { analytics: true }.to_set_cookie(&keys).unwrap();
    assert!(
        !header.contains("Max-Age") && !header.contains("Expires"),
        "{header}"
    );
}
