//! Expiry and clock skew: a value is good from its issue time (minus the allowed skew) up to
//! and including issue time + max age, to the second — at fixed instants, on a ring whose
//! [`ManualClock`](typed_cookies::ManualClock) the test moves, at arbitrary instants
//! (property), and on the system clock. A lifetime must be positive or explicitly absent.
//! (The exact `Expired`/`IssuedInFuture` known answers and messages are in `wire.rs`; the
//! derive's `max_age` attribute in `derive.rs`.)

use proptest::prelude::*;
use typed_cookies::time::{Duration, OffsetDateTime};
use typed_cookies::{OpenError, Sealer};
use typed_cookies_testkit::{clocked, keys, profile, t0, Payload};

/// Both modes of one ring and salt.
fn both(keys: &typed_cookies::KeyRing, salt: &str) -> [Sealer; 2] {
    [
        keys.signed(salt).no_expiry(),
        keys.encrypted(salt).no_expiry(),
    ]
}

/// The ring's clock decides: seal, move the clock, open — the sealers read it every time.
#[test]
fn max_age_is_enforced_to_the_second() {
    let (keys, clock) = clocked(&keys());
    for builder in [keys.signed("app.profile"), keys.encrypted("app.profile")] {
        clock.set(t0());
        let sealer = builder.max_age(Duration::minutes(15));
        assert_eq!(sealer.max_age(), Some(Duration::minutes(15)));
        let value = sealer.seal(&profile()).unwrap();
        let end = t0() + Duration::minutes(15);
        clock.set(end - Duration::seconds(1));
        assert!(sealer.open::<Payload>(&value).is_ok());
        clock.advance(Duration::seconds(1));
        assert!(sealer.open::<Payload>(&value).is_ok());
        clock.advance(Duration::seconds(1));
        assert_eq!(
            sealer.open::<Payload>(&value),
            Err(OpenError::Expired { at: end })
        );
        // The same instants given as a fixed clock (`at`) agree.
        assert!(sealer.at(end).open::<Payload>(&value).is_ok());
        assert_eq!(
            sealer
                .at(end + Duration::seconds(1))
                .open::<Payload>(&value),
            Err(OpenError::Expired { at: end })
        );
    }
}

#[test]
fn a_lifetime_must_be_positive() {
    let keys = keys();
    for max_age in [Duration::ZERO, Duration::seconds(-1), Duration::days(-365)] {
        for builder in [keys.signed("app.profile"), keys.encrypted("app.profile")] {
            let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
                builder.max_age(max_age)
            }))
            .unwrap_err();
            let message = panic.downcast_ref::<String>().unwrap();
            assert!(message.contains("max_age must be positive"), "{message}");
            assert!(message.contains(".no_expiry()"), "{message}");
        }
    }
    // The shortest lifetime is accepted, and values expire after it.
    let sealer = keys.signed("app.profile").max_age(Duration::seconds(1));
    let value = sealer.at(t0()).seal(&profile()).unwrap();
    assert!(sealer
        .at(t0() + Duration::seconds(1))
        .open::<Payload>(&value)
        .is_ok());
    assert!(matches!(
        sealer
            .at(t0() + Duration::seconds(2))
            .open::<Payload>(&value),
        Err(OpenError::Expired { .. })
    ));
}

#[test]
fn no_expiry_is_explicit_and_never_expires() {
    let keys = keys();
    for builder in [keys.signed("app.profile"), keys.encrypted("app.profile")] {
        let sealer = builder.no_expiry();
        assert_eq!(sealer.max_age(), None);
        let value = sealer.at(t0()).seal(&profile()).unwrap();
        assert_eq!(
            sealer
                .at(t0() + Duration::days(100 * 365))
                .open::<Payload>(&value)
                .unwrap(),
            profile()
        );
    }
}

#[test]
fn issued_at_in_the_future_is_refused_beyond_the_skew() {
    let keys = keys();
    for sealer in both(&keys, "app.profile") {
        let value = sealer
            .at(t0() + Duration::hours(1))
            .seal(&profile())
            .unwrap();
        assert_eq!(
            sealer.at(t0()).open::<Payload>(&value),
            Err(OpenError::IssuedInFuture {
                at: t0() + Duration::hours(1)
            })
        );
        let slightly = sealer
            .at(t0() + Duration::seconds(59))
            .seal(&profile())
            .unwrap();
        assert!(
            sealer.at(t0()).open::<Payload>(&slightly).is_ok(),
            "within the default 60 s skew"
        );
        let strict = sealer.clone().clock_skew(Duration::ZERO);
        assert!(matches!(
            strict.at(t0()).open::<Payload>(&slightly),
            Err(OpenError::IssuedInFuture { .. })
        ));
    }
}

#[test]
fn open_with_metadata_reads_the_system_clock() {
    let keys = keys();
    let sealer = keys.encrypted("app.profile").max_age(Duration::hours(1));
    // The system clock is read coarsely (one kernel tick, at most 10 ms, behind a precise read).
    let before = (OffsetDateTime::now_utc() - Duration::milliseconds(50)).unix_timestamp();
    let opened = sealer
        .open_with_metadata::<Payload>(&sealer.seal(&profile()).unwrap())
        .unwrap();
    let after = OffsetDateTime::now_utc().unix_timestamp();
    let issued = opened.issued_at().unix_timestamp();
    assert!(
        before <= issued && issued <= after,
        "{before} {issued} {after}"
    );
    assert_eq!(opened.into_value(), profile());
    let stale = sealer
        .at(OffsetDateTime::now_utc() - Duration::hours(2))
        .seal(&profile())
        .unwrap();
    assert!(matches!(
        sealer.open_with_metadata::<Payload>(&stale),
        Err(OpenError::Expired { .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Expiry and skew at arbitrary instants (1970 .. ~2242), to the second.
    #[test]
    fn freshness_is_exact_at_arbitrary_times(
        issued in 0i64..(1i64 << 33),
        max_age in 1i64..10_000_000,
        age in 0i64..20_000_000,
        ahead in 0i64..200,
    ) {
        let keys = keys();
        let signer = keys.signed("fresh").max_age(Duration::seconds(max_age));
        let at = |s: i64| OffsetDateTime::from_unix_timestamp(s).unwrap();
        let sealed = signer.at(at(issued)).seal(&"v").unwrap();
        let result = signer.at(at(issued + age)).open::<String>(&sealed);
        if age <= max_age {
            prop_assert_eq!(result.unwrap(), "v");
        } else {
            prop_assert_eq!(result, Err(OpenError::Expired { at: at(issued + max_age) }));
        }
        // Opened `ahead` seconds before it was issued (a server whose clock lags).
        let early = signer.at(at(issued - ahead)).open::<String>(&sealed);
        if ahead <= 60 {
            prop_assert_eq!(early.unwrap(), "v");
        } else {
            prop_assert_eq!(early, Err(OpenError::IssuedInFuture { at: at(issued) }));
        }
    }
}
