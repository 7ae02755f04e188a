//! The wire format seen from outside: known answers for every refusal — a fixed key, fixed
//! inputs and a fixed clock (the testkit's `ring()` at `t0()`) that yield each [`OpenError`]
//! and [`SealError`] variant deterministically, with its exact fields and message — sizes and
//! their limits, base64url strictness, what an encrypted value hides and a signed one does
//! not.
//!
//! The forged inputs are written out literally (so a change of the wire format or of the
//! open order shows up here) and also rebuilt from their documented parts
//! (`version ‖ format ‖ key id ‖ issued-at ‖ body`, `testkit::tamper::forge`), so the
//! literals are not magic. The success vectors of FORMAT.md are unit tests of the runtime
//! crate (`typed-cookies/src/seal/vectors.rs`); key errors are in `keys.rs`, and the
//! behaviour of expiry and clock skew in `expiry.rs`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize, Serializer};
use typed_cookies::time::Duration;
use typed_cookies::{
    Codec, Format, KeyRing, Mode, OpenError, SealError, SealedCookie, MAX_COOKIE_LEN,
};
use typed_cookies_testkit::tamper::forge;
use typed_cookies_testkit::{at, other_key, primary_key, profile, ring, T0 as T};

/// The id of the fixed key, as it appears in headers.
const FIXED_KEY_ID: [u8; 4] = typed_cookies_testkit::PRIMARY_KEY_ID;

const SIGNED_JSON: Format = Format {
    mode: Mode::Signed,
    codec: Codec::Json,
};
const ENCRYPTED_JSON: Format = Format {
    mode: Mode::Encrypted,
    codec: Codec::Json,
};
const ENCRYPTED_POSTCARD: Format = Format {
    mode: Mode::Encrypted,
    codec: Codec::Postcard,
};

/// Opens `value` with a signer and a sealer of the fixed ring, both at `T`.
fn open_both(value: &str) -> [Result<String, OpenError>; 2] {
    let keys = ring();
    [
        keys.signed("ka")
            .no_expiry()
            .at(at(T))
            .open::<String>(value),
        keys.encrypted("ka")
            .no_expiry()
            .at(at(T))
            .open::<String>(value),
    ]
}

#[test]
fn the_fixed_key_has_the_documented_id() {
    assert_eq!(primary_key().id().to_bytes(), FIXED_KEY_ID);
    assert_eq!(primary_key().id().to_string(), "65e6b8b0");
}

#[test]
fn too_large_is_decided_on_length_alone() {
    let value = "A".repeat(MAX_COOKIE_LEN + 1);
    let expected = OpenError::TooLarge {
        len: 4097,
        max: 4096,
    };
    for result in open_both(&value) {
        assert_eq!(result, Err(expected.clone()));
    }
    // Even garbage that is not base64 is refused for its size first.
    assert_eq!(
        open_both(&"!".repeat(5000))[0],
        Err(OpenError::TooLarge {
            len: 5000,
            max: 4096
        })
    );
    assert_eq!(
        expected.to_string(),
        "cookie value is 4097 bytes, over the 4096-byte limit; refused unread"
    );
    // A megabyte is refused the same way, by both modes.
    let huge = "A".repeat(1 << 20);
    for result in open_both(&huge) {
        assert_eq!(
            result,
            Err(OpenError::TooLarge {
                len: 1 << 20,
                max: MAX_COOKIE_LEN
            })
        );
    }
    // At the limit it is read: 4096 'A's decode to 3072 zero bytes, whose version byte (0) is
    // unknown.
    assert_eq!(
        open_both(&"A".repeat(MAX_COOKIE_LEN))[0],
        Err(OpenError::UnknownVersion { version: 0 })
    );
}

#[test]
fn malformed_values() {
    let short_signed = forge(1, 0x01, FIXED_KEY_ID, T, &[0; 31]);
    let short_encrypted = forge(1, 0x02, FIXED_KEY_ID, T, &[0; 27]);
    assert_eq!(
        short_signed,
        "AQFl5riwAAAAAGlVuQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    );
    assert_eq!(
        short_encrypted,
        "AQJl5riwAAAAAGlVuQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    );
    let unknown_format = forge(1, 0x03, FIXED_KEY_ID, T, &[0; 32]);
    assert_eq!(
        unknown_format,
        "AQNl5riwAAAAAGlVuQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    );
    let cases = [
        ("", "empty"),
        ("AQ", "one byte: no room for a header"),
        ("AQFl5riwAAAAAGlVuQ", "13 bytes: one short of a header"),
        ("not base64!", "not base64 at all"),
        ("AQE=", "padding"),
        ("AQE+", "standard alphabet"),
        ("AR", "non-canonical trailing bits"),
        ("A", "impossible length"),
        (" AQFl5riwAAAAAGlVuQAA", "leading space"),
        ("AQFl5riw%41AAAAGlVuQAA", "percent-encoded"),
    ];
    for (value, why) in cases {
        for result in open_both(value) {
            assert_eq!(result, Err(OpenError::Malformed), "{why}: {value:?}");
        }
    }
    // A known header whose body is shorter than the tag.
    assert_eq!(open_both(&short_signed)[0], Err(OpenError::Malformed));
    assert_eq!(open_both(&short_encrypted)[1], Err(OpenError::Malformed));
    // A format byte no version-1 value has (0x03, 0x00, 0x21, 0xff...).
    for format in [0x00, 0x03, 0x0f, 0x13, 0x21, 0xff] {
        let value = forge(1, format, FIXED_KEY_ID, T, &[0; 32]);
        for result in open_both(&value) {
            assert_eq!(result, Err(OpenError::Malformed), "format {format:#04x}");
        }
    }
    assert_eq!(open_both(&unknown_format)[0], Err(OpenError::Malformed));
    // Garbage of any kind is Malformed, or UnknownVersion when it happens to decode.
    let garbage = [
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
    for input in garbage {
        for result in open_both(input) {
            let err = result.unwrap_err();
            assert!(
                matches!(err, OpenError::Malformed | OpenError::UnknownVersion { .. }),
                "{input:?}: {err:?}"
            );
        }
    }
    assert_eq!(
        OpenError::Malformed.to_string(),
        "cookie value is malformed (not a sealed value)"
    );
}

#[test]
fn unknown_versions() {
    assert_eq!(forge(3, 0x01, FIXED_KEY_ID, T, &[]), "AwFl5riwAAAAAGlVuQA");
    for version in [0u8, 3, 0x7f, 0xff] {
        // The version is read before the format byte and the key id.
        let value = forge(version, 0xee, [0; 4], T, &[]);
        for result in open_both(&value) {
            assert_eq!(result, Err(OpenError::UnknownVersion { version }));
        }
    }
    // Version 2 is known (a header with a creation time): a header cut short is malformed.
    for result in open_both("AgFl5riwAAAAAGlVuQA") {
        assert_eq!(result, Err(OpenError::Malformed));
    }
    assert_eq!(
        open_both("AwFl5riwAAAAAGlVuQA")[0],
        Err(OpenError::UnknownVersion { version: 3 })
    );
    assert_eq!(
        OpenError::UnknownVersion { version: 2 }.to_string(),
        "cookie value has unknown format version 2"
    );
}

#[test]
fn wrong_formats() {
    // Encrypted+postcard header opened by a signed JSON signer, and a signed header opened by
    // an encrypted sealer: refused before the key id is even looked up.
    let enc_postcard = forge(1, 0x12, [0; 4], T, &[0; 64]);
    assert_eq!(
        enc_postcard,
        "ARIAAAAAAAAAAGlVuQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    );
    let [signed, encrypted] = open_both(&enc_postcard);
    assert_eq!(
        signed,
        Err(OpenError::WrongFormat {
            expected: SIGNED_JSON,
            found: ENCRYPTED_POSTCARD,
        })
    );
    assert_eq!(
        encrypted,
        Err(OpenError::WrongFormat {
            expected: ENCRYPTED_JSON,
            found: ENCRYPTED_POSTCARD,
        })
    );
    let [_, encrypted] = open_both(&forge(1, 0x01, FIXED_KEY_ID, T, &[0; 32]));
    assert_eq!(
        encrypted,
        Err(OpenError::WrongFormat {
            expected: ENCRYPTED_JSON,
            found: SIGNED_JSON,
        })
    );
    assert_eq!(
        signed.unwrap_err().to_string(),
        "cookie value was sealed as encrypted postcard but is opened as signed json"
    );

    // A real signed value opened by the typed cookie of the other mode.
    let value = ring()
        .signed("ka.wrong-format")
        .no_expiry()
        .at(at(T))
        .seal("x")
        .unwrap();
    assert_eq!(
        EncryptedSession::open(&ring().at(at(T)), &value),
        Err(OpenError::WrongFormat {
            expected: ENCRYPTED_JSON,
            found: SIGNED_JSON,
        })
    );
}

#[test]
fn unknown_keys() {
    let value = forge(1, 0x01, [0xde, 0xad, 0xbe, 0xef], T, &[0; 32]);
    assert_eq!(
        value,
        "AQHerb7vAAAAAGlVuQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    );
    let err = open_both(&value)[0].clone().unwrap_err();
    let OpenError::UnknownKey { key_id } = err.clone() else {
        panic!("expected UnknownKey, got {err:?}");
    };
    assert_eq!(key_id.to_bytes(), [0xde, 0xad, 0xbe, 0xef]);
    assert_eq!(
        err.to_string(),
        "cookie value was sealed with key deadbeef, which is not in the key ring"
    );
    // Too short to authenticate, but the unknown key id is reported first.
    assert_eq!(
        open_both(&forge(1, 0x02, [0xde, 0xad, 0xbe, 0xef], T, &[]))[1],
        Err(OpenError::UnknownKey { key_id })
    );

    // A retired key: sealed by the fixed key, opened by a ring that no longer holds it.
    let sealed = ring()
        .encrypted("ka")
        .no_expiry()
        .at(at(T))
        .seal("x")
        .unwrap();
    let other = KeyRing::new(other_key());
    assert_eq!(
        other
            .encrypted("ka")
            .no_expiry()
            .at(at(T))
            .open::<String>(&sealed),
        Err(OpenError::UnknownKey {
            key_id: primary_key().id()
        })
    );
}

#[test]
fn invalid_signatures_and_ciphertexts() {
    let signed = forge(1, 0x01, FIXED_KEY_ID, T, &[0; 32]);
    let encrypted = forge(1, 0x02, FIXED_KEY_ID, T, &[0; 28]);
    assert_eq!(
        signed,
        "AQFl5riwAAAAAGlVuQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    );
    assert_eq!(
        encrypted,
        "AQJl5riwAAAAAGlVuQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    );
    assert_eq!(open_both(&signed)[0], Err(OpenError::Invalid));
    assert_eq!(open_both(&encrypted)[1], Err(OpenError::Invalid));

    // An authentic value under another salt is Invalid too (no oracle saying why).
    let value = ring()
        .signed("ka.a")
        .no_expiry()
        .at(at(T))
        .seal("x")
        .unwrap();
    assert_eq!(
        ring()
            .signed("ka.b")
            .no_expiry()
            .at(at(T))
            .open::<String>(&value),
        Err(OpenError::Invalid)
    );
    // Authentication comes before the age check: a forged value that is also "expired" or
    // "from the future" is only ever Invalid.
    for issued_at in [i64::MIN, 0, T - 10_000_000, T + 10_000_000, i64::MAX] {
        let forged = forge(1, 0x01, FIXED_KEY_ID, issued_at, &[0; 40]);
        let signer = ring().signed("ka").max_age(Duration::seconds(1));
        assert_eq!(
            signer.at(at(T)).open::<String>(&forged),
            Err(OpenError::Invalid)
        );
    }
    assert_eq!(
        OpenError::Invalid.to_string(),
        "cookie value failed authentication (tampered, forged, or sealed for another purpose)"
    );
}

/// Signed values are deterministic (no nonce), so the authentic values below are literals.
/// They (and every forged literal in this file) were computed by an independent ~20-line
/// Python implementation of the format (`hmac`/`hashlib`: HKDF-SHA256 with an empty salt,
/// info `typed-cookies/v1/runtime/signed/<hex SHA-256 of 00 00 00 00 00 00 00 0a ‖
/// "ka.expired">`, the runtime sealers' domain, HMAC over header ‖ payload), not by this
/// crate.
const HELLO_AT_T: &str = "AQFl5riwAAAAAGlVuQAiaGVsbG8i0pDonEvOpZx7q-tv7c-8dwVZWh7Vy8GO9VZ0_bPrt0k";

#[test]
fn expired_reports_the_exact_expiry() {
    let signer = ring().signed("ka.expired").max_age(Duration::hours(1));
    assert_eq!(signer.at(at(T)).seal("hello").unwrap(), HELLO_AT_T);
    assert_eq!(
        signer.at(at(T + 3600)).open::<String>(HELLO_AT_T).unwrap(),
        "hello",
        "valid up to and including issued-at + max age"
    );
    let err = signer
        .at(at(T + 3601))
        .open::<String>(HELLO_AT_T)
        .unwrap_err();
    assert_eq!(err, OpenError::Expired { at: at(T + 3600) });
    assert_eq!(
        err.to_string(),
        "cookie value expired at 2026-01-01T01:00:00Z"
    );
    // Years later, it still reports when it expired, not when it was opened.
    assert_eq!(
        signer.at(at(T + 400 * 86_400)).open::<String>(HELLO_AT_T),
        Err(OpenError::Expired { at: at(T + 3600) })
    );
    // Without max age the same value never expires.
    assert_eq!(
        ring()
            .signed("ka.expired")
            .no_expiry()
            .at(at(T + 400 * 86_400))
            .open::<String>(HELLO_AT_T)
            .unwrap(),
        "hello"
    );

    // The typed cookie: max_age = "2h" and encrypted.
    let keys = ring();
    let value = EncryptedSession { user: 7 }.seal(&keys.at(at(T))).unwrap();
    assert_eq!(
        EncryptedSession::open(&keys.at(at(T + 7200)), &value),
        Ok(EncryptedSession { user: 7 })
    );
    assert_eq!(
        EncryptedSession::open(&keys.at(at(T + 7201)), &value),
        Err(OpenError::Expired { at: at(T + 7200) })
    );
}

#[test]
fn issued_in_the_future_beyond_the_skew() {
    let signer = ring().signed("ka.expired").max_age(Duration::hours(1));
    // Sealed at T + 61 by a server whose clock runs ahead; opened at T.
    let ahead = signer.at(at(T + 61)).seal("hello").unwrap();
    assert_eq!(
        ahead,
        "AQFl5riwAAAAAGlVuT0iaGVsbG8iDuad_KxkjxKrsGPGZdHhK0Rz8vjXrX18Fc9JHjbTglg"
    );
    let err = signer.at(at(T)).open::<String>(&ahead).unwrap_err();
    assert_eq!(err, OpenError::IssuedInFuture { at: at(T + 61) });
    assert_eq!(
        err.to_string(),
        "cookie value was issued in the future (2026-01-01T00:01:01Z); check the clocks of the servers"
    );
    // 60 s ahead is within the default skew.
    assert_eq!(
        signer.at(at(T + 1)).open::<String>(&ahead).unwrap(),
        "hello"
    );
    // A custom skew moves the boundary.
    assert_eq!(
        signer
            .clone()
            .clock_skew(Duration::ZERO)
            .at(at(T + 60))
            .open::<String>(&ahead),
        Err(OpenError::IssuedInFuture { at: at(T + 61) })
    );
}

#[test]
fn payload_mismatch_names_the_type() {
    // Both modes; the message names the type and carries none of the payload.
    for sealer in [
        ring().signed("app.profile").no_expiry(),
        ring().encrypted("app.profile").no_expiry(),
    ] {
        let value = sealer.at(at(T)).seal(&profile()).unwrap();
        let err = sealer.at(at(T)).open::<u64>(&value).unwrap_err();
        assert_eq!(err, OpenError::PayloadMismatch { type_name: "u64" });
        assert!(!err.to_string().contains("Grace"));
    }
    let signer = ring().signed("ka.expired").no_expiry();
    let err = signer.at(at(T)).open::<u64>(HELLO_AT_T).unwrap_err();
    assert_eq!(err, OpenError::PayloadMismatch { type_name: "u64" });
    assert_eq!(
        err.to_string(),
        "cookie value is authentic but its payload does not decode as `u64`"
    );
    // A typed cookie whose struct changed since the value was sealed (the old shape under the
    // type's configuration, by a hand-written impl, as tests/cookie/derive.rs does for "the same type,
    // earlier"; a runtime signer of the salt is another derivation domain).
    #[derive(Serialize, Deserialize)]
    struct OldShape {
        user: String,
    }
    impl SealedCookie for OldShape {
        const CONFIG: typed_cookies::CookieConfig = SignedSession::CONFIG;
    }
    impl typed_cookies::Stateless for OldShape {}
    let old = OldShape {
        user: "seven".into(),
    }
    .seal(&ring().at(at(T)))
    .unwrap();
    assert_eq!(
        SignedSession::open(&ring().at(at(T)), &old),
        Err(OpenError::PayloadMismatch {
            type_name: "wire::SignedSession"
        })
    );
    // Trailing data after a complete JSON value is a mismatch, not ignored.
    #[derive(Serialize, Deserialize)]
    #[serde(transparent)]
    struct Text(String);
    impl SealedCookie for Text {
        const CONFIG: typed_cookies::CookieConfig = SignedSession::CONFIG;
    }
    impl typed_cookies::Stateless for Text {}
    let trailing = Text("{\"user\":7} x".into())
        .seal(&ring().at(at(T)))
        .unwrap();
    assert!(matches!(
        SignedSession::open(&ring().at(at(T)), &trailing),
        Err(OpenError::PayloadMismatch { .. })
    ));
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(name = "ka_sid", salt = "ka.session.signed", max_age = "1h")]
struct SignedSession {
    user: u64,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "ka_esid",
    salt = "ka.session.encrypted",
    max_age = "2h",
    encrypt
)]
struct EncryptedSession {
    user: u64,
}

#[test]
fn duplicate_cookies_are_refused_before_opening() {
    let keys = ring();
    let good = SignedSession { user: 1 }.seal(&keys.at(at(T))).unwrap();
    let header = format!("ka_sid={good}; theme=dark; ka_sid={good}");
    let err = SignedSession::from_cookie_header(&keys.at(at(T)), &header).unwrap_err();
    assert_eq!(
        err,
        OpenError::DuplicateCookie {
            name: "ka_sid",
            count: 2
        }
    );
    assert_eq!(
        err.to_string(),
        "cookie `ka_sid` appears 2 times in the Cookie header; refused as ambiguous (a `__Host-` name prevents this)"
    );
    assert_eq!(
        SignedSession::from_cookie_header(&keys.at(at(T)), "ka_sid=a;ka_sid=b;ka_sid="),
        Err(OpenError::DuplicateCookie {
            name: "ka_sid",
            count: 3
        })
    );
    // Other names (and prefixes/suffixes of ours) do not count.
    assert_eq!(
        SignedSession::from_cookie_header(
            &keys.at(at(T)),
            &format!("ka_sid_x=1; x_ka_sid=2; ka_sid={good}")
        ),
        Ok(Some(SignedSession { user: 1 }))
    );
    assert_eq!(
        SignedSession::from_cookie_header(&keys.at(at(T)), "theme=dark"),
        Ok(None)
    );
    // Through the header path each OpenError still surfaces unchanged.
    assert_eq!(
        SignedSession::from_cookie_header(&keys.at(at(T)), "ka_sid=AQ"),
        Err(OpenError::Malformed)
    );
    assert_eq!(
        SignedSession::from_cookie_header(&keys.at(at(T + 3601)), &format!("ka_sid={good}")),
        Err(OpenError::Expired { at: at(T + 3600) })
    );
}

#[test]
fn seal_too_large_at_the_exact_boundary() {
    // Largest value that fits: 3072 raw bytes encode to exactly 4096 characters.
    // Signed: header 14 + JSON string (n + 2 quotes) + MAC 32 <= 3072  =>  n <= 3024.
    let signer = ring().signed("ka.size").no_expiry();
    let fits = signer.at(at(T)).seal(&"a".repeat(3024)).unwrap();
    assert_eq!(fits.len(), 4096);
    assert_eq!(signer.at(at(T)).open::<String>(&fits).unwrap().len(), 3024);
    assert_eq!(
        signer.at(at(T)).seal(&"a".repeat(3025)),
        Err(SealError::TooLarge {
            len: 4098,
            max: 4096
        })
    );
    // Encrypted: header 14 + nonce 12 + JSON (n + 2) + tag 16 <= 3072  =>  n <= 3028.
    let sealer = ring().encrypted("ka.size").no_expiry();
    assert_eq!(
        sealer.at(at(T)).seal(&"a".repeat(3028)).unwrap().len(),
        4096
    );
    assert_eq!(
        sealer.at(at(T)).seal(&"a".repeat(3029)),
        Err(SealError::TooLarge {
            len: 4098,
            max: 4096
        })
    );
    // Far over: 4000 characters. Signed raw 14 + 4002 + 32 = 4048 -> 5398 characters.
    let err = signer.at(at(T)).seal(&"a".repeat(4000)).unwrap_err();
    assert_eq!(
        err,
        SealError::TooLarge {
            len: 5398,
            max: 4096
        }
    );
    assert_eq!(
        err.to_string(),
        "sealed cookie would be 5398 bytes, over the 4096-byte limit browsers keep; store less in the cookie (or keep it server-side)"
    );
    // Encrypted raw 14 + 12 + 4002 + 16 = 4044 -> 5392 characters.
    assert_eq!(
        sealer.at(at(T)).seal(&"a".repeat(4000)),
        Err(SealError::TooLarge {
            len: 5392,
            max: 4096
        })
    );
    // Either side of the limit, in both modes: what fits is within it, what does not names
    // the limit.
    for sealer in [signer, sealer] {
        let value = sealer.at(at(T)).seal(&"x".repeat(2900)).unwrap();
        assert!(value.len() <= MAX_COOKIE_LEN);
        let err = sealer.at(at(T)).seal(&"x".repeat(3100)).unwrap_err();
        assert!(
            matches!(err, SealError::TooLarge { len, max: MAX_COOKIE_LEN } if len > MAX_COOKIE_LEN),
            "{err:?}"
        );
        assert!(err.to_string().contains("4096"));
    }
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(name = "ka_big", salt = "ka.big", max_age = "1h")]
struct Big {
    s: String,
}

#[test]
fn set_cookie_too_large_counts_the_name() {
    // {"s":"…"} is n + 8 bytes; 14 + n + 8 + 32 = 3072 => n = 3018 gives a 4096-character value,
    // which fits alone but not with "ka_big=" in front of it.
    let keys = ring();
    let big = Big {
        s: "b".repeat(3018),
    };
    assert_eq!(big.seal(&keys.at(at(T))).unwrap().len(), 4096);
    assert_eq!(
        big.to_set_cookie(&keys.at(at(T))),
        Err(SealError::TooLarge {
            len: 4102,
            max: 4096
        })
    );
}

/// A value whose `Serialize` always fails.
struct Unserializable;

impl Serialize for Unserializable {
    fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom(
            "this value refuses to be serialized",
        ))
    }
}

#[test]
fn serialize_errors_carry_the_serializer_message() {
    for sealer in [
        ring().signed("ka.ser").no_expiry(),
        ring().encrypted("ka.ser").no_expiry(),
    ] {
        let err = sealer.at(at(T)).seal(&Unserializable).unwrap_err();
        assert_eq!(
            err,
            SealError::Serialize {
                reason: "this value refuses to be serialized".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "could not serialize the cookie payload: this value refuses to be serialized"
        );
    }
    // JSON cannot have non-string map keys.
    let map = std::collections::BTreeMap::from([((1u8, 2u8), 3u8)]);
    assert_eq!(
        ring().signed("ka.ser").no_expiry().at(at(T)).seal(&map),
        Err(SealError::Serialize {
            reason: "key must be a string".into()
        })
    );
}

#[test]
fn encrypted_values_do_not_contain_the_plaintext() {
    let keys = ring();
    let secret = "TOP-SECRET-PLAINTEXT-MARKER";
    let value = keys
        .encrypted("app.secret")
        .no_expiry()
        .at(at(T))
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
        .decode(
            keys.signed("app.secret")
                .no_expiry()
                .at(at(T))
                .seal(&secret)
                .unwrap(),
        )
        .unwrap();
    assert!(signed.windows(secret.len()).any(|w| w == secret.as_bytes()));
}

#[test]
fn two_seals_of_the_same_value_differ_when_encrypted() {
    let sealer = ring().encrypted("app.profile").no_expiry();
    assert_ne!(
        sealer.at(at(T)).seal(&profile()).unwrap(),
        sealer.at(at(T)).seal(&profile()).unwrap()
    );
}
