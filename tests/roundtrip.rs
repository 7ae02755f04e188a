//! Round trips: whatever is sealed opens to exactly itself — for arbitrary payloads (strings
//! with any Unicode, numbers at their extremes, vectors, maps, enums, options), in both modes
//! and both codecs, through the typed cookie, the `Cookie:` header path and the low-level
//! `Sealer` (arbitrary `String`s and bytes, arbitrary salts); floats bit-exactly; too-large
//! payloads refused, never truncated; signed payloads readable, encrypted ones not. Public API
//! only. (Expiry and clock skew at arbitrary times: `expiry.rs`.)

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use typed_cookies::time::Duration;
use typed_cookies::{Key, KeyRing, OpenError, SealedCookie, Stateless, MAX_COOKIE_LEN};
use typed_cookies_testkit::{keys, profile, t0};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Payload {
    id: u64,
    delta: i64,
    small: i8,
    wide: u128,
    flag: bool,
    letter: char,
    name: String,
    tags: Vec<String>,
    bytes: Vec<u8>,
    maybe: Option<u32>,
    choice: Choice,
    map: BTreeMap<String, u16>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Choice {
    Unit,
    Tuple(u8, String),
    Struct { x: i32, y: Option<bool> },
}

typed_cookies_testkit::cookie_kinds! {
    payload = Payload, max_age = "1h",
    names = ["p_sj", "p_ej", "p_sp", "p_ep"],
    salts = [
        "prop.roundtrip.signed.json",
        "prop.roundtrip.encrypted.json",
        "prop.roundtrip.signed.postcard",
        "prop.roundtrip.encrypted.postcard",
    ],
}

/// Floats (NaN payloads and infinities included) round-trip bit-exactly through postcard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "p_fl",
    salt = "prop.roundtrip.floats",
    no_expiry,
    encrypt,
    codec = "postcard"
)]
struct Floats {
    a: f64,
    b: f32,
}

/// Any Unicode scalar, control characters and newlines included.
fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>(), 0..=max).prop_map(|chars| chars.into_iter().collect())
}

fn choice() -> impl Strategy<Value = Choice> {
    prop_oneof![
        Just(Choice::Unit),
        (any::<u8>(), text(16)).prop_map(|(a, b)| Choice::Tuple(a, b)),
        (any::<i32>(), any::<Option<bool>>()).prop_map(|(x, y)| Choice::Struct { x, y }),
    ]
}

prop_compose! {
    // Sizes keep the worst case (every char a 6-byte JSON escape) inside a cookie.
    fn payload()(
        id in any::<u64>(),
        delta in any::<i64>(),
        small in any::<i8>(),
        wide in any::<u128>(),
        flag in any::<bool>(),
        letter in any::<char>(),
        name in text(32),
        tags in proptest::collection::vec(text(16), 0..4),
        bytes in proptest::collection::vec(any::<u8>(), 0..64),
        maybe in any::<Option<u32>>(),
        choice in choice(),
        map in proptest::collection::btree_map(text(8), any::<u16>(), 0..4),
    ) -> Payload {
        Payload { id, delta, small, wide, flag, letter, name, tags, bytes, maybe, choice, map }
    }
}

/// A sealed value is cookie-safe: base64url without padding, within the size limit.
fn assert_cookie_safe(value: &str) {
    assert!(value.len() <= MAX_COOKIE_LEN, "{} bytes", value.len());
    assert!(
        value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{value}"
    );
}

/// Seals through the typed API, opens it three ways, and checks the header path.
fn typed_round_trip<C>(keys: &KeyRing, cookie: &C, age: i64) -> Result<(), TestCaseError>
where
    C: Stateless + PartialEq + std::fmt::Debug,
{
    let sealed = cookie.seal(&keys.at(t0())).unwrap();
    assert_cookie_safe(&sealed);
    let now = t0() + Duration::seconds(age);
    prop_assert_eq!(&C::open(&keys.at(now), &sealed).unwrap(), cookie);
    let opened = C::open_with_metadata(&keys.at(now), &sealed).unwrap();
    prop_assert_eq!(opened.issued_at(), t0());
    prop_assert!(opened.sealed_with_primary());
    let name = C::CONFIG.name();
    let header = format!("theme=dark; {name}={sealed}; lang=en");
    let from_header = C::from_cookie_header(&keys.at(now), &header).unwrap();
    prop_assert_eq!(from_header.as_ref(), Some(cookie));
    // The full Set-Cookie header carries exactly the value (it is never re-encoded).
    let set_cookie = cookie.to_set_cookie(&keys.at(t0())).unwrap();
    let prefix = format!("{name}=");
    let carried = set_cookie
        .strip_prefix(&prefix)
        .and_then(|rest| rest.split(';').next())
        .unwrap();
    prop_assert_eq!(
        C::open(&keys.at(now), carried).unwrap(),
        C::open(&keys.at(now), &sealed).unwrap()
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn typed_cookies_round_trip_in_every_mode_and_codec(p in payload(), age in 0i64..=3600) {
        let keys = keys();
        typed_round_trip(&keys, &SignedJson(p.clone()), age)?;
        typed_round_trip(&keys, &EncryptedJson(p.clone()), age)?;
        typed_round_trip(&keys, &SignedPostcard(p.clone()), age)?;
        typed_round_trip(&keys, &EncryptedPostcard(p), age)?;
    }

    #[test]
    fn values_sealed_with_a_fallback_key_still_open(p in payload()) {
        let (old, new) = (Key::generate(), Key::generate());
        let before = KeyRing::new(old.clone());
        let after = KeyRing::with_fallbacks(new, [old]).unwrap();
        let sealed = EncryptedPostcard(p.clone()).seal(&before.at(t0())).unwrap();
        let opened = EncryptedPostcard::open_with_metadata(&after.at(t0()), &sealed).unwrap();
        prop_assert!(!opened.sealed_with_primary());
        prop_assert_eq!(opened.into_value().0, p.clone());
        let sealed = before.signed("rotate").no_expiry().at(t0()).seal(&p).unwrap();
        prop_assert_eq!(after.signed("rotate").no_expiry().at(t0()).open::<Payload>(&sealed).unwrap(), p);
    }

    #[test]
    fn floats_round_trip_bit_exactly_with_postcard(a in any::<f64>(), b in any::<f32>()) {
        let keys = keys();
        let sealed = Floats { a, b }.seal(&keys.at(t0())).unwrap();
        let back = Floats::open(&keys.at(t0()), &sealed).unwrap();
        prop_assert_eq!(back.a.to_bits(), a.to_bits());
        prop_assert_eq!(back.b.to_bits(), b.to_bits());
    }

    #[test]
    fn low_level_strings_round_trip_under_any_salt(
        salt in text(24),
        value in text(600),
    ) {
        let keys = keys();
        for sealer in [keys.signed(&salt).no_expiry(), keys.encrypted(&salt).no_expiry()] {
            let sealed = sealer.at(t0()).seal(&value).unwrap();
            assert_cookie_safe(&sealed);
            prop_assert_eq!(sealer.at(t0()).open::<String>(&sealed).unwrap(), value.clone());
            // A new Sealer for the same salt (cached subkeys) opens it too.
            let again = match sealer.mode() {
                typed_cookies::Mode::Signed => keys.signed(&salt).no_expiry(),
                typed_cookies::Mode::Encrypted => keys.encrypted(&salt).no_expiry(),
            };
            prop_assert_eq!(again.at(t0()).open::<String>(&sealed).unwrap(), value.clone());
        }
    }

    #[test]
    fn low_level_bytes_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..700)) {
        let keys = keys();
        for sealer in [keys.signed("bytes").no_expiry(), keys.encrypted("bytes").no_expiry()] {
            let sealed = sealer.at(t0()).seal(&bytes).unwrap();
            assert_cookie_safe(&sealed);
            prop_assert_eq!(sealer.at(t0()).open::<Vec<u8>>(&sealed).unwrap(), bytes.clone());
        }
    }

    /// What the threat model says about readability, checked: a signed value carries its JSON
    /// payload in clear (bytes 14 .. len-32 of the decoded value); an encrypted one does not.
    #[test]
    fn signed_payload_is_readable_encrypted_is_not(value in "[a-z]{12,40}") {
        let keys = keys();
        let json = serde_json::to_vec(&value).unwrap();
        let signed = URL_SAFE_NO_PAD.decode(keys.signed("read").no_expiry().at(t0()).seal(&value).unwrap()).unwrap();
        prop_assert_eq!(&signed[14..signed.len() - 32], &json[..]);
        let encrypted = URL_SAFE_NO_PAD.decode(keys.encrypted("read").no_expiry().at(t0()).seal(&value).unwrap()).unwrap();
        prop_assert_eq!(encrypted.len(), 14 + 12 + json.len() + 16);
        prop_assert!(!encrypted.windows(8).any(|w| json.windows(8).any(|j| j == w)));
    }

    /// Too-large payloads are refused with the size they would have had, never truncated.
    #[test]
    fn oversized_payloads_are_refused_not_truncated(value in text(3000)) {
        let keys = keys();
        for sealer in [keys.signed("big").no_expiry(), keys.encrypted("big").no_expiry()] {
            match sealer.at(t0()).seal(&value) {
                Ok(sealed) => {
                    assert_cookie_safe(&sealed);
                    prop_assert_eq!(sealer.at(t0()).open::<String>(&sealed).unwrap(), value.clone());
                }
                Err(typed_cookies::SealError::TooLarge { len, max }) => {
                    prop_assert_eq!(max, MAX_COOKIE_LEN);
                    prop_assert!(len > MAX_COOKIE_LEN);
                }
                Err(other) => prop_assert!(false, "unexpected {other:?}"),
            }
        }
    }
}

/// JSON floats: finite f64 and f32 round-trip bit-exactly (the workspace enables serde_json's
/// `float_roundtrip`; without it some f64 came back one ulp off, e.g. 3.3640585576179686e-15).
/// NaN and infinities are sealed as `null` and then fail to decode as `f64`
/// (PayloadMismatch), never as a wrong number.
#[test]
fn json_non_finite_floats_are_refused_not_altered() {
    let keys = keys();
    let signer = keys.signed("floats").no_expiry();
    for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let sealed = signer.at(t0()).seal(&x).unwrap();
        assert_eq!(
            signer.at(t0()).open::<f64>(&sealed),
            Err(OpenError::PayloadMismatch { type_name: "f64" })
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn json_finite_floats_round_trip_bit_exactly(
        a in proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL | proptest::num::f64::ZERO,
        b in proptest::num::f32::NORMAL | proptest::num::f32::SUBNORMAL | proptest::num::f32::ZERO,
    ) {
        let keys = keys();
        let signer = keys.signed("floats").no_expiry();
        let sealed = signer.at(t0()).seal(&(a, b)).unwrap();
        let (a2, b2) = signer.at(t0()).open::<(f64, f32)>(&sealed).unwrap();
        prop_assert_eq!(a2.to_bits(), a.to_bits());
        prop_assert_eq!(b2.to_bits(), b.to_bits());
    }
}

/// A fixed case of the above: a session-like payload and a Unicode string through the
/// low-level API, in both modes.
#[test]
fn round_trips_in_both_modes() {
    let keys = keys();
    for sealer in [
        keys.signed("app.profile").no_expiry(),
        keys.encrypted("app.profile").no_expiry(),
    ] {
        let value = sealer.at(t0()).seal(&profile()).unwrap();
        assert_eq!(
            sealer
                .at(t0())
                .open::<typed_cookies_testkit::Payload>(&value)
                .unwrap(),
            profile()
        );
        let text = sealer.at(t0()).seal("plain text, ünïcode").unwrap();
        assert_eq!(
            sealer.at(t0()).open::<String>(&text).unwrap(),
            "plain text, ünïcode"
        );
        assert_cookie_safe(&value);
    }
}

/// One behaviour over every typed kind of the testkit (`for_each_kind!`): sealed at `t0`,
/// opened at `t0` and at the end of the max age, the payload comes back unchanged.
#[test]
fn every_kind_opens_what_it_sealed() {
    use typed_cookies_testkit::{sample, Wraps};
    let keys = keys();
    typed_cookies_testkit::for_each_kind!(K => {
        let value = K::wrap(sample()).seal(&keys.at(t0())).unwrap();
        assert_cookie_safe(&value);
        for now in [t0(), t0() + Duration::hours(1)] {
            assert_eq!(K::open(&keys.at(now), &value).unwrap().into_payload(), sample());
        }
    });
}
