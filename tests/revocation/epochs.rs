//! "Sign out everywhere" over the memory store: the epoch is a time that only moves forward, so
//! one sign-out after the store lost its data (a restarted process) still ends every session
//! issued before it, repeated sign-outs do not push it into the future, and servers whose
//! clocks differ by the tolerated skew agree on which sessions it ends. The same over a real Redis (restart without persistence, skewed servers):
//! `tests/store/clock_skew.rs`.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use time::Duration;
use typed_cookies::guard::{ClientContext, Guard, SignOutError};
use typed_cookies::store::{MemoryStore, RevocationStore};
use typed_cookies::{OpenError, SealedCookie, DEFAULT_CLOCK_SKEW};
use typed_cookies_testkit::{clocked, poll_ready as run, ring, t0};

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "tests.sign_out.session.v1",
    max_age = "8h",
    encrypt,
    revocable
)]
struct Session {
    user: String,
}

fn ann() -> Session {
    Session { user: "ann".into() }
}

#[test]
fn one_sign_out_after_the_store_lost_its_epochs_ends_every_older_session() {
    let (keys, clock) = clocked(&ring());
    let ctx = ClientContext::new();
    let guard = Guard::new(MemoryStore::new());
    for _ in 0..3 {
        run(guard.sign_out_everywhere(&keys, "user:ann")).unwrap();
        clock.advance(Duration::seconds(1));
    }
    // A thief's copy, issued after the third sign-out.
    let stolen = run(guard.issue(&keys, &ann(), Some("user:ann"), &ctx)).unwrap();
    clock.advance(Duration::minutes(10));

    // The process restarts: a new memory store, no epochs.
    let guard = Guard::new(MemoryStore::new());
    assert!(run(guard.open::<Session>(&keys, stolen.value(), &ctx)).is_ok());
    run(guard.sign_out_everywhere(&keys, "user:ann")).unwrap();
    assert_eq!(
        run(guard.open::<Session>(&keys, stolen.value(), &ctx)).err(),
        Some(OpenError::Revoked)
    );
    // Signing in again right after (same second) works.
    let again = run(guard.issue(&keys, &ann(), Some("user:ann"), &ctx)).unwrap();
    assert!(run(guard.open::<Session>(&keys, again.value(), &ctx)).is_ok());
}

/// Each sign-out moves the epoch by a microsecond past the last one, not into the future: a
/// thousand sign-outs in one second leave the epoch within that second, so one sign-out a
/// second later, after the store lost everything, still ends what they left.
#[test]
fn many_sign_outs_in_one_second_each_end_what_came_before() {
    let (keys, clock) = clocked(&ring());
    let ctx = ClientContext::new();
    let guard = Guard::new(MemoryStore::new());
    let start = t0().unix_timestamp() as u64 * 1_000_000;
    let mut last = None;
    for round in 0..1000 {
        let issued = run(guard.issue(&keys, &ann(), Some("user:ann"), &ctx)).unwrap();
        let epoch = run(guard.sign_out_everywhere(&keys, "user:ann")).unwrap();
        assert_eq!(epoch, start + round, "max(old + 1, now in µs)");
        assert_eq!(
            run(guard.open::<Session>(&keys, issued.value(), &ctx)).err(),
            Some(OpenError::Revoked),
            "round {round}"
        );
        last = Some(issued);
    }
    let survivor = run(guard.issue(&keys, &ann(), Some("user:ann"), &ctx)).unwrap();
    assert!(run(guard.open::<Session>(&keys, survivor.value(), &ctx)).is_ok());
    clock.advance(Duration::seconds(1));
    let guard = Guard::new(MemoryStore::new()); // the store lost everything
    run(guard.sign_out_everywhere(&keys, "user:ann")).unwrap();
    for value in [survivor.value(), last.unwrap().value()] {
        assert_eq!(
            run(guard.open::<Session>(&keys, value, &ctx)).err(),
            Some(OpenError::Revoked)
        );
    }
}

/// Two servers sharing the store, one `DEFAULT_CLOCK_SKEW` ahead of the other: whichever signs
/// out, the sessions issued before end and those issued after live, because the epoch is the
/// store's and no app server's clock decides it.
#[test]
fn servers_within_the_skew_agree_on_what_a_sign_out_ends() {
    let store: Arc<dyn RevocationStore> = Arc::new(MemoryStore::new());
    let (ahead, behind) = (Guard::from_arc(store.clone()), Guard::from_arc(store));
    let ahead_keys = ring().at(t0() + DEFAULT_CLOCK_SKEW);
    let behind_keys = ring().at(t0());
    let ctx = ClientContext::new();
    for (signing_out, keys_out, other, keys_other) in [
        (&behind, &behind_keys, &ahead, &ahead_keys),
        (&ahead, &ahead_keys, &behind, &behind_keys),
    ] {
        let before = run(other.issue(keys_other, &ann(), Some("user:ann"), &ctx)).unwrap();
        run(signing_out.sign_out_everywhere(keys_out, "user:ann")).unwrap();
        let after = run(other.issue(keys_other, &ann(), Some("user:ann"), &ctx)).unwrap();
        for (guard, keys) in [(&ahead, &ahead_keys), (&behind, &behind_keys)] {
            assert_eq!(
                run(guard.open::<Session>(keys, before.value(), &ctx)).err(),
                Some(OpenError::Revoked)
            );
            assert!(run(guard.open::<Session>(keys, after.value(), &ctx)).is_ok());
        }
    }
    assert_eq!(
        Guard::new(MemoryStore::new())
            .with_clock_skew(Duration::seconds(-5))
            .clock_skew(),
        Duration::ZERO
    );
}

#[test]
fn subjects_no_session_can_carry_are_refused_before_the_store() {
    let keys = ring().at(t0());
    let guard = Guard::stateless();
    assert_eq!(
        run(guard.sign_out_everywhere(&keys, "")),
        Err(SignOutError::EmptySubject)
    );
    assert_eq!(
        run(guard.sign_out_everywhere(&keys, &"x".repeat(1 << 20))),
        Err(SignOutError::SubjectTooLong { len: 1 << 20 })
    );
    // 255 bytes is a subject: the (missing) store is asked.
    assert!(matches!(
        run(guard.sign_out_everywhere(&keys, &"x".repeat(255))),
        Err(SignOutError::Store(_))
    ));
}
