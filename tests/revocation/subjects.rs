//! Empty subjects and one-time namespaces through the `Guard`: `Some("")` is refused for every
//! kind of type before the store is asked, anonymous sessions have no epoch, one-time tokens
//! and sessions never open as each other, and a one-time claim covers the token's whole life.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use typed_cookies::guard::{ClientContext, Guard, SignOutError};
use typed_cookies::store::MemoryStore;
use typed_cookies::time::Duration;
use typed_cookies::{OpenError, SealError, SealedCookie};
use typed_cookies_testkit::{clocked, poll_ready, ring, t0, SwitchableStore};

use crate::HostA;

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

/// A derived `one_time` type under the salt the runtime one-time sealers below also use.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-once",
    salt = "attack.once.v1",
    max_age = "1h",
    one_time
)]
struct Once {
    user: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-bound",
    salt = "attack.bound.v1",
    max_age = "1h",
    bind = "user_agent"
)]
struct Bound {
    user: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-rep",
    salt = "attack.rep.v1",
    max_age = "1h",
    replay = "5s",
    encrypt
)]
struct Replay {
    user: String,
}

/// `Some("")` is refused for every kind of type (tracked or not), before the store is asked;
/// 255 bytes pass, 256 do not, in `issue` and `sign_out_everywhere` alike; the latter refuses
/// `""` and does not touch anonymous sessions.
#[test]
fn empty_subject_is_refused_for_every_type_and_anonymous_sessions_have_no_epoch() {
    let keys = ring().at(t0());
    let store = Arc::new(SwitchableStore::default());
    let guard = Guard::from_arc(store.clone());
    let ctx = ClientContext::new().user_agent("UA");
    store.set_down(true);
    // Refused as EmptySubject even while the store is down (not StoreUnavailable).
    assert_eq!(
        poll_ready(guard.issue(&keys, &Revocable { user: "".into() }, Some(""), &ctx)).err(),
        Some(SealError::EmptySubject)
    );
    store.set_down(false);
    assert_eq!(
        poll_ready(guard.issue(&keys, &Once { user: "".into() }, Some(""), &ctx)).err(),
        Some(SealError::EmptySubject)
    );
    assert_eq!(
        poll_ready(guard.issue(&keys, &Bound { user: "".into() }, Some(""), &ctx)).err(),
        Some(SealError::EmptySubject)
    );
    assert_eq!(
        poll_ready(guard.issue(&keys, &Replay { user: "".into() }, Some(""), &ctx)).err(),
        Some(SealError::EmptySubject)
    );
    assert_eq!(
        poll_ready(guard.issue(&keys, &HostA { text: "".into() }, Some(""), &ctx)).err(),
        Some(SealError::EmptySubject)
    );
    let long = "é".repeat(128); // 256 bytes
    assert_eq!(
        poll_ready(guard.issue(&keys, &Revocable { user: "".into() }, Some(&long), &ctx)).err(),
        Some(SealError::SubjectTooLong { len: 256 })
    );
    let ok = "a".repeat(255);
    assert!(
        poll_ready(guard.issue(&keys, &Revocable { user: "".into() }, Some(&ok), &ctx)).is_ok()
    );
    // Anonymous sessions are not "the empty subject".
    let anonymous =
        poll_ready(guard.issue(&keys, &Revocable { user: "".into() }, None, &ctx)).unwrap();
    // "Sign out everywhere" of the empty subject (or one no session can carry) is refused
    // before the store is asked, and does not touch anonymous sessions.
    assert_eq!(
        poll_ready(guard.sign_out_everywhere(&keys, "")),
        Err(SignOutError::EmptySubject)
    );
    assert_eq!(
        poll_ready(guard.sign_out_everywhere(&keys, &"a".repeat(1 << 20))),
        Err(SignOutError::SubjectTooLong { len: 1 << 20 })
    );
    assert_eq!(
        poll_ready(guard.sign_out_everywhere(&keys, &long)),
        Err(SignOutError::SubjectTooLong { len: 256 })
    );
    let opened = poll_ready(guard.open::<Revocable>(&keys, anonymous.value(), &ctx)).unwrap();
    assert_eq!(opened.opened().subject(), None);
    // A whitespace subject is a real subject, and "sign out everywhere" ends it.
    let spaced =
        poll_ready(guard.issue(&keys, &Revocable { user: "".into() }, Some(" "), &ctx)).unwrap();
    poll_ready(guard.sign_out_everywhere(&keys, " ")).unwrap();
    assert_eq!(
        poll_ready(guard.open::<Revocable>(&keys, spaced.value(), &ctx)).err(),
        Some(OpenError::Revoked)
    );
}

/// One-time tokens and sessions never open as each other, in any direction, under the same
/// salt, in both modes: runtime one-time sealer, derived `one_time` type, derived `revocable`
/// type, plain runtime sealer, and salts crafted to look like another namespace's HKDF label.
#[test]
fn one_time_tokens_and_sessions_never_cross_namespaces() {
    let keys = ring().at(t0());
    let guard = Guard::new(MemoryStore::new());
    let ctx = ClientContext::new();
    for salt in ["attack.once.v1", "attack.shared.v1"] {
        for signed in [true, false] {
            let builder = |s: &str| {
                if signed {
                    keys.signed(s)
                } else {
                    keys.encrypted(s)
                }
            };
            let runtime_once = builder(salt).one_time(Duration::hours(1));
            let plain = builder(salt).max_age(Duration::hours(1));
            let token = runtime_once.seal(&Once { user: "t".into() }).unwrap();
            // token -> derived one_time / revocable session, plain sealer: refused.
            assert!(poll_ready(guard.open::<Once>(&keys, &token, &ctx)).is_err());
            assert!(poll_ready(guard.open::<Revocable>(&keys, &token, &ctx)).is_err());
            assert!(plain.open::<Once>(&token).is_err());
            // (`Once::from_cookie_header`, the plain path, does not compile: `one_time` types
            // are not `Stateless`.)
            // Sessions / derived one-time values -> the runtime one-time sealer: refused.
            let once = poll_ready(guard.issue(&keys, &Once { user: "s".into() }, Some("s"), &ctx))
                .unwrap();
            let rev =
                poll_ready(guard.issue(&keys, &Revocable { user: "s".into() }, Some("s"), &ctx))
                    .unwrap();
            for value in [once.value(), rev.value()] {
                assert!(
                    matches!(
                        poll_ready(runtime_once.open::<Revocable>(&guard, value)),
                        Err(OpenError::Invalid | OpenError::WrongFormat { .. })
                    ),
                    "{salt} {signed}"
                );
            }
            // Crafted salts that spell another namespace's label.
            for crafted in [
                format!("{salt}+one-time"),
                format!("+one-time/{salt}"),
                format!("../signed+one-time/{salt}"),
                format!("../encrypted+one-time/{salt}"),
                format!("{salt}\0"),
            ] {
                let other_once = builder(&crafted).one_time(Duration::hours(1));
                let other_plain = builder(&crafted).max_age(Duration::hours(1));
                assert!(
                    poll_ready(other_once.open::<Once>(&guard, &token)).is_err(),
                    "{crafted}"
                );
                assert!(other_plain.open::<Once>(&token).is_err(), "{crafted}");
            }
            // The token itself: once.
            assert_eq!(
                poll_ready(runtime_once.open::<Once>(&guard, &token)),
                Ok(Once { user: "t".into() })
            );
            assert_eq!(
                poll_ready(runtime_once.open::<Once>(&guard, &token)),
                Err(OpenError::AlreadyUsed)
            );
        }
    }
}

/// A one-time token cannot be used twice at its very last second (claim and expiry share the
/// same `until`), nor after a clock moved backwards (the claim outlives the token).
#[test]
fn one_time_token_claim_covers_its_whole_life() {
    let (keys, clock) = clocked(&ring());
    let guard = Guard::new(MemoryStore::new());
    let once = keys.signed("attack.reset").one_time(Duration::seconds(60));
    let token = once.seal(&1u8).unwrap();
    clock.advance(Duration::seconds(60));
    assert_eq!(poll_ready(once.open::<u8>(&guard, &token)), Ok(1));
    assert_eq!(
        poll_ready(once.open::<u8>(&guard, &token)),
        Err(OpenError::AlreadyUsed)
    );
    clock.set(t0());
    assert_eq!(
        poll_ready(once.open::<u8>(&guard, &token)),
        Err(OpenError::AlreadyUsed)
    );
    clock.set(t0() + Duration::seconds(61));
    assert!(matches!(
        poll_ready(once.open::<u8>(&guard, &token)),
        Err(OpenError::Expired { .. })
    ));
    // Store down: refused, not accepted.
    let store = Arc::new(SwitchableStore::default());
    let down = Guard::from_arc(store.clone());
    store.set_down(true);
    clock.set(t0());
    let token = once.seal(&2u8).unwrap();
    assert_eq!(
        poll_ready(once.open::<u8>(&down, &token)),
        Err(OpenError::StoreUnavailable)
    );
    assert_eq!(
        poll_ready(once.open::<u8>(&Guard::stateless(), &token)),
        Err(OpenError::StoreUnavailable)
    );
}
