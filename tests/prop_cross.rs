//! Property: a value made for one purpose never opens for another. Values from one salt never
//! open under another salt (Invalid), from one mode or codec never under another
//! (WrongFormat), from one key never under a ring without it (UnknownKey) — for arbitrary
//! salts and payloads, through the low-level Sealer and between typed cookies. Positive
//! controls (same salt, mode and key; a ring holding the key as a fallback) do open, so the
//! refusals are not vacuous.

use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use typed_cookies::{Codec, Format, Key, KeyRing, Mode, OpenError, SealedCookie};

fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap()
}

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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Shape {
    user: u64,
    name: String,
}

// Eight typed cookies with the same Rust shape: 2 salts × 2 modes × 2 codecs.
macro_rules! typed {
    ($ty:ident, $($attr:tt)*) => {
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, SealedCookie)]
        #[cookie($($attr)*)]
        struct $ty(Shape);
    };
}
typed!(
    ASignedJson,
    name = "a_sj",
    salt = "cross.a.sj",
    max_age = "1h"
);
typed!(
    BSignedJson,
    name = "b_sj",
    salt = "cross.b.sj",
    max_age = "1h"
);
typed!(
    AEncJson,
    name = "a_ej",
    salt = "cross.a.ej",
    max_age = "1h",
    encrypt
);
typed!(
    BEncJson,
    name = "b_ej",
    salt = "cross.b.ej",
    max_age = "1h",
    encrypt
);
typed!(
    ASignedPc,
    name = "a_sp",
    salt = "cross.a.sp",
    max_age = "1h",
    codec = "postcard"
);
typed!(
    BSignedPc,
    name = "b_sp",
    salt = "cross.b.sp",
    max_age = "1h",
    codec = "postcard"
);
typed!(
    AEncPc,
    name = "a_ep",
    salt = "cross.a.ep",
    max_age = "1h",
    encrypt,
    codec = "postcard"
);
typed!(
    BEncPc,
    name = "b_ep",
    salt = "cross.b.ep",
    max_age = "1h",
    encrypt,
    codec = "postcard"
);

/// Seals `shape` as type number `i` and opens the result as type number `j`.
fn seal_as(i: usize, keys: &KeyRing, s: &Shape) -> String {
    let s = s.clone();
    let now = t0();
    match i {
        0 => ASignedJson(s).seal(&keys.at(now)),
        1 => BSignedJson(s).seal(&keys.at(now)),
        2 => AEncJson(s).seal(&keys.at(now)),
        3 => BEncJson(s).seal(&keys.at(now)),
        4 => ASignedPc(s).seal(&keys.at(now)),
        5 => BSignedPc(s).seal(&keys.at(now)),
        6 => AEncPc(s).seal(&keys.at(now)),
        _ => BEncPc(s).seal(&keys.at(now)),
    }
    .unwrap()
}

fn open_as(j: usize, keys: &KeyRing, v: &str) -> Result<Shape, OpenError> {
    let now = t0();
    match j {
        0 => ASignedJson::open(&keys.at(now), v).map(|c| c.0),
        1 => BSignedJson::open(&keys.at(now), v).map(|c| c.0),
        2 => AEncJson::open(&keys.at(now), v).map(|c| c.0),
        3 => BEncJson::open(&keys.at(now), v).map(|c| c.0),
        4 => ASignedPc::open(&keys.at(now), v).map(|c| c.0),
        5 => BSignedPc::open(&keys.at(now), v).map(|c| c.0),
        6 => AEncPc::open(&keys.at(now), v).map(|c| c.0),
        _ => BEncPc::open(&keys.at(now), v).map(|c| c.0),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// All 8 × 8 pairs: only a type opens its own values. Same format, other salt: Invalid;
    /// other mode or codec: WrongFormat.
    #[test]
    fn typed_cookies_only_open_their_own_values(user in any::<u64>(), name in text(24)) {
        let keys = KeyRing::new(Key::generate());
        let shape = Shape { user, name };
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

/// The low-level API and the derive share one engine: a runtime salt equal to a typed
/// cookie's salt (JSON codec) is the same namespace. This is documented in SECURITY.md
/// ("choose runtime salts that no typed cookie uses"); this test keeps the doc honest. The
/// postcard codec folds the type's schema into the namespace, so there it is not shared.
#[test]
fn a_runtime_salt_equal_to_a_typed_salt_shares_its_namespace_for_json_only() {
    let keys = KeyRing::new(Key::generate());
    let shape = Shape {
        user: 1,
        name: "n".into(),
    };
    let typed = ASignedJson(shape.clone()).seal(&keys.at(t0())).unwrap();
    assert_eq!(
        keys.signed("cross.a.sj")
            .no_expiry()
            .at(t0())
            .open::<Shape>(&typed),
        Ok(shape.clone())
    );
    let typed = AEncPc(shape).seal(&keys.at(t0())).unwrap();
    assert!(matches!(
        keys.encrypted("cross.a.ep")
            .no_expiry()
            .at(t0())
            .open::<Shape>(&typed),
        Err(OpenError::WrongFormat { .. })
    ));
}
