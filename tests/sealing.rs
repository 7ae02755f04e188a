//! The runtime core through the public API: round trips, tampering, truncation, salts, modes,
//! rotation, expiry, future issue times, oversized and garbage input.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use common::{one_char_changes, profile, t0, Profile};
use typed_cookies::time::{Duration, OffsetDateTime};
use typed_cookies::{Key, KeyRing, OpenError, SealError, Sealer, MAX_COOKIE_LEN};

fn ring() -> KeyRing {
    KeyRing::new(Key::generate())
}

/// Both modes of one ring and salt.
fn both(keys: &KeyRing, salt: &str) -> [Sealer; 2] {
    [
        keys.signed(salt).no_expiry(),
        keys.encrypted(salt).no_expiry(),
    ]
}

#[test]
fn round_trips_in_both_modes() {
    let keys = ring();
    for sealer in both(&keys, "app.profile") {
        let value = sealer.at(t0()).seal(&profile()).unwrap();
        assert_eq!(sealer.at(t0()).open::<Profile>(&value).unwrap(), profile());
        let text = sealer.at(t0()).seal("plain text, ünïcode").unwrap();
        assert_eq!(
            sealer.at(t0()).open::<String>(&text).unwrap(),
            "plain text, ünïcode"
        );
        assert!(value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }
}

#[test]
fn every_single_character_change_is_refused() {
    let keys = ring();
    for sealer in both(&keys, "app.profile") {
        let value = sealer.at(t0()).seal(&profile()).unwrap();
        let mut checked = 0;
        for changed in one_char_changes(&value) {
            let err = sealer.at(t0()).open::<Profile>(&changed).unwrap_err();
            assert!(
                matches!(
                    err,
                    OpenError::Invalid
                        | OpenError::Malformed
                        | OpenError::UnknownVersion { .. }
                        | OpenError::WrongFormat { .. }
                        | OpenError::UnknownKey { .. }
                ),
                "{changed}: {err:?}"
            );
            checked += 1;
        }
        assert!(checked >= value.len() * 6);
    }
}

#[test]
fn every_single_byte_change_is_refused() {
    let keys = ring();
    for sealer in both(&keys, "app.profile") {
        let raw = URL_SAFE_NO_PAD
            .decode(sealer.at(t0()).seal(&profile()).unwrap())
            .unwrap();
        for i in 0..raw.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut changed = raw.clone();
                changed[i] ^= flip;
                let result = sealer
                    .at(t0())
                    .open::<Profile>(&URL_SAFE_NO_PAD.encode(&changed));
                assert!(result.is_err(), "byte {i} ^ {flip:#x} opened");
            }
        }
    }
}

#[test]
fn every_truncation_and_extension_is_refused() {
    let keys = ring();
    for sealer in both(&keys, "app.profile") {
        let value = sealer.at(t0()).seal(&profile()).unwrap();
        for len in 0..value.len() {
            assert!(
                sealer.at(t0()).open::<Profile>(&value[..len]).is_err(),
                "prefix of {len}"
            );
            assert!(
                sealer.at(t0()).open::<Profile>(&value[len + 1..]).is_err(),
                "suffix from {len}"
            );
        }
        for extra in ["A", "AA", "AAAA", "=", "=="] {
            assert!(
                sealer
                    .at(t0())
                    .open::<Profile>(&format!("{value}{extra}"))
                    .is_err(),
                "{extra}"
            );
        }
    }
}

#[test]
fn a_value_does_not_open_under_another_salt() {
    let keys = ring();
    for (a, b) in [
        (
            keys.signed("salt.a").no_expiry(),
            keys.signed("salt.b").no_expiry(),
        ),
        (
            keys.encrypted("salt.a").no_expiry(),
            keys.encrypted("salt.b").no_expiry(),
        ),
    ] {
        let value = a.at(t0()).seal(&profile()).unwrap();
        assert_eq!(b.at(t0()).open::<Profile>(&value), Err(OpenError::Invalid));
    }
}

#[test]
fn signed_and_encrypted_values_do_not_open_as_each_other() {
    let keys = ring();
    let [signer, sealer] = both(&keys, "app.profile");
    let signed = signer.at(t0()).seal(&profile()).unwrap();
    let encrypted = sealer.at(t0()).seal(&profile()).unwrap();
    assert!(matches!(
        sealer.at(t0()).open::<Profile>(&signed),
        Err(OpenError::WrongFormat { .. })
    ));
    assert!(matches!(
        signer.at(t0()).open::<Profile>(&encrypted),
        Err(OpenError::WrongFormat { .. })
    ));

    // Forcing the format byte does not help: the tag is over the header and the subkey differs.
    let mut forged = URL_SAFE_NO_PAD.decode(&signed).unwrap();
    forged[1] = 0x02;
    assert!(sealer
        .at(t0())
        .open::<Profile>(&URL_SAFE_NO_PAD.encode(&forged))
        .is_err());
}

#[test]
fn open_with_metadata_reads_the_system_clock() {
    let keys = ring();
    let sealer = keys.encrypted("app.profile").max_age(Duration::hours(1));
    let before = OffsetDateTime::now_utc().unix_timestamp();
    let opened = sealer
        .open_with_metadata::<Profile>(&sealer.seal(&profile()).unwrap())
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
        sealer.open_with_metadata::<Profile>(&stale),
        Err(OpenError::Expired { .. })
    ));
}

#[test]
fn rotation_keeps_old_values_until_the_old_key_is_retired() {
    let (old, new) = (Key::generate(), Key::generate());
    let before = KeyRing::new(old.clone());
    let value = before
        .encrypted("app.session")
        .no_expiry()
        .at(t0())
        .seal(&profile())
        .unwrap();

    let rotated = KeyRing::with_fallbacks(new.clone(), [old.clone()]).unwrap();
    let opened = rotated
        .encrypted("app.session")
        .no_expiry()
        .at(t0())
        .open_with_metadata::<Profile>(&value)
        .unwrap();
    assert_eq!(opened.value(), &profile());
    assert!(
        !opened.sealed_with_primary(),
        "sealed by the fallback: reseal advised"
    );

    let resealed = rotated
        .encrypted("app.session")
        .no_expiry()
        .at(t0())
        .seal(&profile())
        .unwrap();
    let reopened = rotated
        .encrypted("app.session")
        .no_expiry()
        .at(t0())
        .open_with_metadata::<Profile>(&resealed)
        .unwrap();
    assert!(reopened.sealed_with_primary());

    let retired = KeyRing::new(new);
    assert_eq!(
        retired
            .encrypted("app.session")
            .no_expiry()
            .at(t0())
            .open::<Profile>(&value),
        Err(OpenError::UnknownKey { key_id: old.id() })
    );
    assert_eq!(
        retired
            .encrypted("app.session")
            .no_expiry()
            .at(t0())
            .open::<Profile>(&resealed)
            .unwrap(),
        profile()
    );
}

#[test]
fn max_age_is_enforced_to_the_second() {
    let keys = ring();
    for builder in [keys.signed("app.profile"), keys.encrypted("app.profile")] {
        let sealer = builder.max_age(Duration::minutes(15));
        assert_eq!(sealer.max_age(), Some(Duration::minutes(15)));
        let value = sealer.at(t0()).seal(&profile()).unwrap();
        let end = t0() + Duration::minutes(15);
        assert!(sealer
            .at(end - Duration::seconds(1))
            .open::<Profile>(&value)
            .is_ok());
        assert!(sealer.at(end).open::<Profile>(&value).is_ok());
        assert_eq!(
            sealer
                .at(end + Duration::seconds(1))
                .open::<Profile>(&value),
            Err(OpenError::Expired { at: end })
        );
    }
}

#[test]
fn a_lifetime_must_be_positive() {
    let keys = ring();
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
        .open::<Profile>(&value)
        .is_ok());
    assert!(matches!(
        sealer
            .at(t0() + Duration::seconds(2))
            .open::<Profile>(&value),
        Err(OpenError::Expired { .. })
    ));
}

#[test]
fn no_expiry_is_explicit_and_never_expires() {
    let keys = ring();
    for builder in [keys.signed("app.profile"), keys.encrypted("app.profile")] {
        let sealer = builder.no_expiry();
        assert_eq!(sealer.max_age(), None);
        let value = sealer.at(t0()).seal(&profile()).unwrap();
        assert_eq!(
            sealer
                .at(t0() + Duration::days(100 * 365))
                .open::<Profile>(&value)
                .unwrap(),
            profile()
        );
    }
}

#[test]
fn issued_at_in_the_future_is_refused_beyond_the_skew() {
    let keys = ring();
    for sealer in both(&keys, "app.profile") {
        let value = sealer
            .at(t0() + Duration::hours(1))
            .seal(&profile())
            .unwrap();
        assert_eq!(
            sealer.at(t0()).open::<Profile>(&value),
            Err(OpenError::IssuedInFuture {
                at: t0() + Duration::hours(1)
            })
        );
        let slightly = sealer
            .at(t0() + Duration::seconds(59))
            .seal(&profile())
            .unwrap();
        assert!(
            sealer.at(t0()).open::<Profile>(&slightly).is_ok(),
            "within the default 60 s skew"
        );
        let strict = sealer.clone().clock_skew(Duration::ZERO);
        assert!(matches!(
            strict.at(t0()).open::<Profile>(&slightly),
            Err(OpenError::IssuedInFuture { .. })
        ));
    }
}

#[test]
fn oversized_input_is_refused_before_decoding() {
    let keys = ring();
    let huge = "A".repeat(1 << 20);
    for sealer in both(&keys, "app.profile") {
        assert_eq!(
            sealer.open::<Profile>(&huge),
            Err(OpenError::TooLarge {
                len: 1 << 20,
                max: MAX_COOKIE_LEN
            })
        );
        // Just over the limit is refused too, even though it is valid base64url.
        let over = "A".repeat(MAX_COOKIE_LEN + 1);
        assert!(matches!(
            sealer.open::<Profile>(&over),
            Err(OpenError::TooLarge { .. })
        ));
    }
}

#[test]
fn sealing_more_than_a_cookie_holds_is_refused() {
    let keys = ring();
    for sealer in both(&keys, "app.blob") {
        let fits = "x".repeat(2900);
        let value = sealer.seal(&fits).unwrap();
        assert!(value.len() <= MAX_COOKIE_LEN);
        let err = sealer.seal(&"x".repeat(3100)).unwrap_err();
        assert!(
            matches!(err, SealError::TooLarge { len, max: MAX_COOKIE_LEN } if len > MAX_COOKIE_LEN),
            "{err:?}"
        );
        assert!(err.to_string().contains("4096"));
    }
}

#[test]
fn garbage_and_non_base64_are_refused() {
    let keys = ring();
    let inputs = [
        "",
        "A",
        "not base64 at all!",
        "AQ==",
        "AQ",
        "////",
        "++++",
        "\u{0}\u{1}",
        "ünïcode",
        "AQFl5riwAAAAAGlVuQB7In0=",
        &"A".repeat(100),
        &"_".repeat(4096),
    ];
    for sealer in both(&keys, "app.profile") {
        for input in inputs {
            let err = sealer.open::<Profile>(input).unwrap_err();
            assert!(
                matches!(err, OpenError::Malformed | OpenError::UnknownVersion { .. }),
                "{input:?}: {err:?}"
            );
        }
    }
}

#[test]
fn encrypted_values_do_not_contain_the_plaintext() {
    let keys = ring();
    let secret = "TOP-SECRET-PLAINTEXT-MARKER";
    let value = keys
        .encrypted("app.secret")
        .no_expiry()
        .seal(&secret)
        .unwrap();
    let raw = URL_SAFE_NO_PAD.decode(&value).unwrap();
    assert!(!raw.windows(secret.len()).any(|w| w == secret.as_bytes()));
    // Nor its base64 at any of the three alignments.
    for skip in 0..3 {
        let encoded = URL_SAFE_NO_PAD.encode(&secret.as_bytes()[skip..]);
        assert!(!value.contains(&encoded[4..encoded.len() - 4]));
    }
    // Signed values, by contrast, are readable: documented behaviour.
    let signed = URL_SAFE_NO_PAD
        .decode(keys.signed("app.secret").no_expiry().seal(&secret).unwrap())
        .unwrap();
    assert!(signed.windows(secret.len()).any(|w| w == secret.as_bytes()));
}

#[test]
fn two_seals_of_the_same_value_differ_when_encrypted() {
    let keys = ring();
    let sealer = keys.encrypted("app.profile").no_expiry();
    assert_ne!(
        sealer.at(t0()).seal(&profile()).unwrap(),
        sealer.at(t0()).seal(&profile()).unwrap()
    );
}

#[test]
fn wrong_type_is_a_payload_mismatch_without_data() {
    let keys = ring();
    for sealer in both(&keys, "app.profile") {
        let value = sealer.at(t0()).seal(&profile()).unwrap();
        let err = sealer.at(t0()).open::<u64>(&value).unwrap_err();
        assert_eq!(err, OpenError::PayloadMismatch { type_name: "u64" });
        assert!(!err.to_string().contains("Grace"));
    }
}

#[test]
fn key_ring_from_env() {
    let (a, b) = (Key::generate(), Key::generate());
    std::env::set_var(
        "TYPED_COOKIES_TEST_SEALING_KEYS",
        format!("{},{}", a.to_base64(), b.to_base64()),
    );
    let ring = KeyRing::from_env("TYPED_COOKIES_TEST_SEALING_KEYS").unwrap();
    assert_eq!(ring.key_ids(), vec![a.id(), b.id()]);
    std::env::set_var("TYPED_COOKIES_TEST_SEALING_EMPTY", "");
    let err = KeyRing::from_env("TYPED_COOKIES_TEST_SEALING_EMPTY").unwrap_err();
    assert!(
        err.to_string().contains("TYPED_COOKIES_TEST_SEALING_EMPTY"),
        "{err}"
    );
}
