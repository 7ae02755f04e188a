use serde::{Deserialize, Serialize};
use typed_cookies::time::{Duration, OffsetDateTime};
use typed_cookies::{Key, KeyRing, ManualClock, OpenError, SealedCookie};

/// An 8-hour session that ends after 30 minutes without a request, refreshed after 10.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(name = "__Host-sid", salt = "app.session.v1", max_age = "8h", idle = "30m", refresh = "10m", encrypt)]
struct Session {
    user_id: u64,
}

/// `idle` alone refreshes after half of it; `clear_invalid = false` keeps bad cookies.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(name = "prefs", salt = "app.prefs.v1", max_age = "7d", idle = "1d", clear_invalid = false)]
struct Prefs {
    theme: String,
}

fn main() {
    assert_eq!(Session::CONFIG.idle(), Some(Duration::minutes(30)));
    assert_eq!(Session::CONFIG.refresh_after(), Some(Duration::minutes(10)));
    assert!(Session::CONFIG.clears_invalid());
    assert_eq!(Prefs::CONFIG.refresh_after(), Some(Duration::hours(12)));
    assert!(!Prefs::CONFIG.clears_invalid());

    let clock = ManualClock::new(OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap());
    let keys = KeyRing::new(Key::generate()).with_clock(clock.clone());
    let value = Session { user_id: 1 }.seal(&keys).unwrap();
    clock.advance(Duration::minutes(31));
    assert!(matches!(Session::open(&keys, &value), Err(OpenError::Expired { .. })));
}
