//! "Sign out everywhere" over the memory store: the epoch is a time that only moves forward, so
//! one sign-out after the store lost its data (a restarted process) still ends every session
//! issued before it, and servers whose clocks differ by the tolerated skew agree on which
//! sessions it ends. The same over a real Redis (restart without persistence, skewed servers):
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

#[test]
fn many_sign_outs_in_one_second_each_end_what_came_before() {
    let keys = ring().at(t0());
    let ctx = ClientContext::new();
    let guard = Guard::new(MemoryStore::new());
    for round in 0..5 {
        let issued = run(guard.issue(&keys, &ann(), Some("user:ann"), &ctx)).unwrap();
        let epoch = run(guard.sign_out_everywhere(&keys, "user:ann")).unwrap();
        let floor = (t0().unix_timestamp() + 1 + DEFAULT_CLOCK_SKEW.whole_seconds()) as u64;
        assert_eq!(epoch, floor + round, "max(old + 1, now + 1 + skew)");
        assert_eq!(
            run(guard.open::<Session>(&keys, issued.value(), &ctx)).err(),
            Some(OpenError::Revoked),
            "round {round}"
        );
    }
}

/// Two servers sharing the store, one `DEFAULT_CLOCK_SKEW` ahead of the other: a session the
/// server ahead issued is ended by a sign-out on the server behind a second later.
#[test]
fn servers_within_the_skew_agree_on_what_a_sign_out_ends() {
    let store: Arc<dyn RevocationStore> = Arc::new(MemoryStore::new());
    let (ahead, behind) = (Guard::from_arc(store.clone()), Guard::from_arc(store));
    let ahead_keys = ring().at(t0() + DEFAULT_CLOCK_SKEW);
    let ctx = ClientContext::new();
    let issued = run(ahead.issue(&ahead_keys, &ann(), Some("user:ann"), &ctx)).unwrap();
    run(behind.sign_out_everywhere(&ring().at(t0() + Duration::seconds(1)), "user:ann")).unwrap();
    assert_eq!(
        run(ahead.open::<Session>(&ahead_keys, issued.value(), &ctx)).err(),
        Some(OpenError::Revoked)
    );
    // A guard told of a larger skew covers it too; a negative one counts as none.
    let wide = Guard::new(MemoryStore::new()).with_clock_skew(Duration::minutes(5));
    assert_eq!(wide.clock_skew(), Duration::minutes(5));
    let far_ahead = ring().at(t0() + Duration::minutes(5));
    let issued = run(wide.issue(&far_ahead, &ann(), Some("user:ann"), &ctx)).unwrap();
    run(wide.sign_out_everywhere(&ring().at(t0() + Duration::seconds(1)), "user:ann")).unwrap();
    assert_eq!(
        run(wide.open::<Session>(&far_ahead, issued.value(), &ctx)).err(),
        Some(OpenError::Revoked)
    );
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
