//! Property: a value made for one purpose never opens for another. Values from one salt never
//! open under another salt (Invalid), from one mode or codec never under another
//! (WrongFormat), from one key never under a ring without it (UnknownKey) — for arbitrary
//! salts and payloads, through the low-level Sealer and between typed cookies. Positive
//! controls (same salt, mode and key; a ring holding the key as a fallback) do open, so the
//! refusals are not vacuous.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use proptest::prelude::*;
use typed_cookies::{Codec, Format, Key, KeyRing, Mode, OpenError, SealedCookie};
use typed_cookies_testkit::kinds::{EncryptedPostcard, SignedJson};
use typed_cookies_testkit::{keys, profile, t0, Kind, Payload};

fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>(), 0..=max).prop_map(String::from_iter)
}

/// Distinct salts, including the tricky neighbours: prefixes, suffixes, case and separators.
fn two_salts() -> impl Strategy<Value = (String, String)> {
    let related = text(16).prop_flat_map(|s| {
        let variants = vec![
            format!("{s}x"),
            format!("x{s}"),
            format!("{s}/"),
            format!("/{s}"),
            format!("{s}\0"),
            s.to_uppercase(),
            format!("{s} "),
        ];
        (Just(s), proptest::sample::select(variants))
    });
    prop_oneof![(text(16), text(16)), related].prop_filter("distinct", |(a, b)| a != b)
}

const SIGNED_JSON: Format = Format {
    mode: Mode::Signed,
    codec: Codec::Json,
};
const ENCRYPTED_JSON: Format = Format {
    mode: Mode::Encrypted,
    codec: Codec::Json,
};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn another_salt_never_opens((a, b) in two_salts(), value in text(64)) {
        let keys = KeyRing::new(Key::generate());
        for (this, that) in [(keys.signed(&a).no_expiry(), keys.signed(&b).no_expiry()), (keys.encrypted(&a).no_expiry(), keys.encrypted(&b).no_expiry())] {
            let sealed = this.at(t0()).seal(&value).unwrap();
            prop_assert_eq!(this.at(t0()).open::<String>(&sealed).unwrap(), value.clone());
            prop_assert_eq!(that.at(t0()).open::<String>(&sealed), Err(OpenError::Invalid));
        }
    }

    #[test]
    fn another_mode_never_opens(salt in text(16), value in text(64)) {
        let keys = KeyRing::new(Key::generate());
        let signed = keys.signed(&salt).no_expiry().at(t0()).seal(&value).unwrap();
        let encrypted = keys.encrypted(&salt).no_expiry().at(t0()).seal(&value).unwrap();
        prop_assert_eq!(
            keys.encrypted(&salt).no_expiry().at(t0()).open::<String>(&signed),
            Err(OpenError::WrongFormat { expected: ENCRYPTED_JSON, found: SIGNED_JSON })
        );
        prop_assert_eq!(
            keys.signed(&salt).no_expiry().at(t0()).open::<String>(&encrypted),
            Err(OpenError::WrongFormat { expected: SIGNED_JSON, found: ENCRYPTED_JSON })
        );
    }

    #[test]
    fn another_key_never_opens(salt in text(16), value in text(64)) {
        let (mine, theirs) = (Key::generate(), Key::generate());
        let my_ring = KeyRing::new(mine.clone());
        let their_ring = KeyRing::new(theirs.clone());
        for encrypt in [false, true] {
            let sealer = |ring: &KeyRing| if encrypt { ring.encrypted(&salt).no_expiry() } else { ring.signed(&salt).no_expiry() };
            let sealed = sealer(&my_ring).at(t0()).seal(&value).unwrap();
            prop_assert_eq!(
                sealer(&their_ring).at(t0()).open::<String>(&sealed),
                Err(OpenError::UnknownKey { key_id: mine.id() })
            );
            // Positive control: a ring that still holds my key as a fallback opens it.
            let rotated = KeyRing::with_fallbacks(theirs.clone(), [mine.clone()]).unwrap();
            prop_assert_eq!(sealer(&rotated).at(t0()).open::<String>(&sealed).unwrap(), value.clone());
        }
    }
}

/// The testkit's four typed kinds under other salts (and names): set B beside set A.
mod other_salts {
    typed_cookies_testkit::cookie_kinds! {
        payload = typed_cookies_testkit::Payload, max_age = "1h",
        names = ["b_sj", "b_ej", "b_sp", "b_ep"],
        salts = ["cross.b.sj", "cross.b.ej", "cross.b.sp", "cross.b.ep"],
    }
}

/// Seals `p` as type number `i`: kind `Kind::TYPED[i / 2]`, from set A (the testkit's) when
/// `i` is even, from set B (the same kinds under other salts) when odd.
fn seal_as(i: usize, keys: &KeyRing, p: &Payload) -> String {
    use other_salts::*;
    let keys = keys.at(t0());
    let (kind, set) = (i / 2, i % 2);
    if set == 0 {
        return Kind::TYPED[kind].seal(&keys, p);
    }
    let p = p.clone();
    match kind {
        0 => SignedJson(p).seal(&keys),
        1 => EncryptedJson(p).seal(&keys),
        2 => SignedPostcard(p).seal(&keys),
        _ => EncryptedPostcard(p).seal(&keys),
    }
    .unwrap()
}

/// Opens `v` as type number `j` (see [`seal_as`]).
fn open_as(j: usize, keys: &KeyRing, v: &str) -> Result<Payload, OpenError> {
    use other_salts::*;
    let keys = keys.at(t0());
    let (kind, set) = (j / 2, j % 2);
    if set == 0 {
        return Kind::TYPED[kind].open(&keys, v);
    }
    match kind {
        0 => SignedJson::open(&keys, v).map(|c| c.0),
        1 => EncryptedJson::open(&keys, v).map(|c| c.0),
        2 => SignedPostcard::open(&keys, v).map(|c| c.0),
        _ => EncryptedPostcard::open(&keys, v).map(|c| c.0),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// All 8 × 8 pairs: only a type opens its own values. Same format, other salt: Invalid;
    /// other mode or codec: WrongFormat.
    #[test]
    fn typed_cookies_only_open_their_own_values(user in any::<u64>(), name in text(24)) {
        let keys = KeyRing::new(Key::generate());
        let shape = Payload { user, name, roles: vec![] };
        for i in 0..8 {
            let sealed = seal_as(i, &keys, &shape);
            for j in 0..8 {
                let result = open_as(j, &keys, &sealed);
                if i == j {
                    prop_assert_eq!(result, Ok(shape.clone()));
                } else if i / 2 == j / 2 {
                    prop_assert_eq!(result, Err(OpenError::Invalid), "{} as {}", i, j);
                } else {
                    prop_assert!(matches!(result, Err(OpenError::WrongFormat { .. })), "{} as {}: {:?}", i, j, result);
                }
            }
        }
    }
}

/// The low-level API and the derive share one engine but not one derivation domain: a runtime
/// salt equal to a typed cookie's salt is another namespace (FORMAT.md, *Subkeys*), so neither
/// opens the other's values. (It used to be the same namespace for the JSON codec; the
/// postcard codec is refused on its format first.)
#[test]
fn a_runtime_salt_equal_to_a_typed_salt_is_another_namespace() {
    let keys = KeyRing::new(Key::generate());
    let shape = Payload {
        user: 1,
        name: "n".into(),
        roles: vec![],
    };
    let typed = SignedJson(shape.clone()).seal(&keys.at(t0())).unwrap();
    let runtime = keys.signed(SignedJson::CONFIG.salt()).no_expiry().at(t0());
    assert_eq!(runtime.open::<Payload>(&typed), Err(OpenError::Invalid));
    let minted = runtime.seal(&shape).unwrap();
    assert_eq!(
        SignedJson::open(&keys.at(t0()), &minted),
        Err(OpenError::Invalid)
    );
    let typed = EncryptedPostcard(shape).seal(&keys.at(t0())).unwrap();
    assert!(matches!(
        keys.encrypted(EncryptedPostcard::CONFIG.salt())
            .no_expiry()
            .at(t0())
            .open::<Payload>(&typed),
        Err(OpenError::WrongFormat { .. })
    ));
}

/// Fixed cases beside the properties above: a value of each mode under another salt is
/// Invalid; a signed value opened as encrypted (and back) is WrongFormat, and forcing the
/// format byte does not help (the tag covers the header, and the subkeys differ).
#[test]
fn a_value_does_not_open_under_another_salt_or_mode() {
    let keys = keys();
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
        assert_eq!(b.at(t0()).open::<Payload>(&value), Err(OpenError::Invalid));
    }

    let signer = keys.signed("app.profile").no_expiry();
    let sealer = keys.encrypted("app.profile").no_expiry();
    let signed = signer.at(t0()).seal(&profile()).unwrap();
    let encrypted = sealer.at(t0()).seal(&profile()).unwrap();
    assert!(matches!(
        sealer.at(t0()).open::<Payload>(&signed),
        Err(OpenError::WrongFormat { .. })
    ));
    assert!(matches!(
        signer.at(t0()).open::<Payload>(&encrypted),
        Err(OpenError::WrongFormat { .. })
    ));
    let mut forged = URL_SAFE_NO_PAD.decode(&signed).unwrap();
    forged[1] = 0x02;
    assert!(sealer
        .at(t0())
        .open::<Payload>(&URL_SAFE_NO_PAD.encode(&forged))
        .is_err());
}
