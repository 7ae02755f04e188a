//! Runtime salts (`keys.signed(salt)`, `encrypted`, `signed_parts`, `encrypted_parts`,
//! `.one_time(..)`, `.also_open_legacy(..)`) against derived types of the same salt: a runtime
//! sealer and a `#[derive(SealedCookie)]` type never open each other's values in any mode ×
//! codec × compress × tracked × bound combination, except exactly the documented legacy
//! aliasing; part lists never alias; no salt input panics; the ring's cache stays bounded
//! whatever the salts. Django's `Signer`: the documented `sign`/`open` trap is real and the
//! default salts keep them apart. (A public type-domain sealer is a compile-fail case in
//! ui-tests; the CLI's hostile input is in `typed-cookies-cli/tests/hostile_input.rs`.)

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use typed_cookies::guard::{ClientContext, Guard};
use typed_cookies::interop::django;
use typed_cookies::store::MemoryStore;
use typed_cookies::time::Duration;
use typed_cookies::{KeyRing, OpenError, SealedCookie, Sealer, SealerBuilder};
use typed_cookies_testkit::{poll_ready as run, ring, t0};

// ---------------------------------------------------------------------------------------------
// Fixtures: one salt shared by a derived type of every kind.
// ---------------------------------------------------------------------------------------------

/// A payload long and repetitive enough that every compressing type does compress it.
fn user() -> String {
    "mallory".repeat(40)
}

/// A derived type of salt `scb.<name>.v1` (the derive refuses two types of one salt in a
/// crate, so each kind gets its own, which the runtime sealers then attack).
macro_rules! derived_type {
    ($name:ident, $salt:tt, $($attr:tt)*) => {
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, SealedCookie)]
        #[cookie(name = $salt, salt = $salt, max_age = "1h", $($attr)*)]
        struct $name {
            user: String,
        }
    };
}

derived_type!(SignedJson, "scb.sj.v1",);
derived_type!(EncryptedJson, "scb.ej.v1", encrypt);
derived_type!(SignedJsonCompressed, "scb.sjc.v1", compress);
derived_type!(
    EncryptedJsonCompressed,
    "scb.ejc.v1",
    encrypt,
    compress = "i_understand_compression_leaks_length"
);
derived_type!(SignedPostcard, "scb.sp.v1", codec = "postcard");
derived_type!(EncryptedPostcard, "scb.ep.v1", encrypt, codec = "postcard");
derived_type!(SignedOnce, "scb.so.v1", one_time);
derived_type!(EncryptedOnce, "scb.eo.v1", encrypt, one_time);
derived_type!(SignedRevocable, "scb.sr.v1", revocable);
derived_type!(EncryptedReplay, "scb.er.v1", encrypt, replay = "5s");
derived_type!(SignedBoundIp, "scb.sb.v1", bind = "ip");
derived_type!(EncryptedBoundUa, "scb.eb.v1", encrypt, bind = "user_agent");

/// The client every guarded value is issued to and opened by.
fn client() -> ClientContext {
    ClientContext::new()
        .user_agent("Firefox/140")
        .ip(ip("198.51.100.7"))
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

/// Whether a derived type's own open (or the guard's) accepts a value.
type Opens = Box<dyn Fn(&KeyRing, &Guard, &str) -> bool>;

/// What a derived type's value looks like to the attack, and how far the legacy domain reaches.
struct Derived {
    name: &'static str,
    salt: &'static str,
    /// A value of the type, sealed (or issued) through its own API.
    value: String,
    /// Whether the type's own open (or the guard's) accepts `value`.
    opens: Opens,
    encrypted: bool,
    /// Untracked, unbound JSON: what the legacy domain is documented to reopen.
    plain_json: bool,
    compressed: bool,
}

macro_rules! stateless {
    ($keys:expr, $ty:ident, $encrypted:expr, $plain_json:expr, $compressed:expr) => {
        Derived {
            name: stringify!($ty),
            salt: $ty::CONFIG.salt(),
            value: $ty { user: user() }.seal($keys).unwrap(),
            opens: Box::new(|keys: &KeyRing, _: &Guard, value: &str| {
                $ty::open(keys, value).is_ok()
            }),
            encrypted: $encrypted,
            plain_json: $plain_json,
            compressed: $compressed,
        }
    };
}

macro_rules! guarded {
    ($keys:expr, $guard:expr, $ty:ident, $encrypted:expr) => {
        Derived {
            name: stringify!($ty),
            salt: $ty::CONFIG.salt(),
            value: run($guard.issue($keys, &$ty { user: user() }, Some("u:1"), &client()))
                .unwrap()
                .value()
                .to_owned(),
            opens: Box::new(|keys: &KeyRing, guard: &Guard, value: &str| {
                run(guard.open::<$ty>(keys, value, &client())).is_ok()
            }),
            encrypted: $encrypted,
            plain_json: false,
            compressed: false,
        }
    };
}

/// A value of every derived type, the guarded ones issued through `issuer`.
fn derived_values(keys: &KeyRing, issuer: &Guard) -> Vec<Derived> {
    vec![
        stateless!(keys, SignedJson, false, true, false),
        stateless!(keys, EncryptedJson, true, true, false),
        stateless!(keys, SignedJsonCompressed, false, true, true),
        stateless!(keys, EncryptedJsonCompressed, true, true, true),
        stateless!(keys, SignedPostcard, false, false, false),
        stateless!(keys, EncryptedPostcard, true, false, false),
        guarded!(keys, issuer, SignedOnce, false),
        guarded!(keys, issuer, EncryptedOnce, true),
        guarded!(keys, issuer, SignedRevocable, false),
        guarded!(keys, issuer, EncryptedReplay, true),
        guarded!(keys, issuer, SignedBoundIp, false),
        guarded!(keys, issuer, EncryptedBoundUa, true),
    ]
}

/// Every runtime sealer an attacker (or a careless caller) can build for `salt`: both modes,
/// compressing or not, from one part, each with and without the legacy opt-in of `salt`.
fn runtime_builders(keys: &KeyRing, salt: &str) -> Vec<(String, SealerBuilder, bool)> {
    let mut out = Vec::new();
    for legacy in [false, true] {
        let bases: [(&str, SealerBuilder, bool); 6] = [
            ("signed", keys.signed(salt), false),
            ("encrypted", keys.encrypted(salt), true),
            ("signed+compress", keys.signed(salt).compress(), false),
            (
                "encrypted+compress",
                keys.encrypted(salt).compress_leaking_length(),
                true,
            ),
            ("signed_parts", keys.signed_parts([salt]), false),
            ("encrypted_parts", keys.encrypted_parts([salt]), true),
        ];
        for (label, builder, encrypted) in bases {
            let (label, builder) = if legacy {
                (format!("{label}+legacy"), builder.also_open_legacy(salt))
            } else {
                (label.to_owned(), builder)
            };
            out.push((label, builder, encrypted));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// 1. Runtime sealers × derived types.
// ---------------------------------------------------------------------------------------------

/// Nothing a runtime sealer of the shared salt seals — plain or one-time, either mode,
/// compressed or not, with or without the legacy opt-in (which only widens opening) — opens as
/// any derived type of that salt, stateless or guarded.
#[test]
fn no_runtime_sealer_mints_a_value_any_derived_type_opens() {
    let keys = ring().at(t0());
    let guard = Guard::new(MemoryStore::new());
    let derived = derived_values(&keys, &guard);
    let payload = json!({ "user": user() });
    for target in &derived {
        for (label, builder, _) in runtime_builders(&keys, target.salt) {
            let plain = builder.clone().max_age(Duration::hours(1));
            let once = builder.one_time(Duration::hours(1));
            for (kind, value) in [
                ("plain", plain.seal(&payload).unwrap()),
                ("one-time", once.seal(&payload).unwrap()),
            ] {
                assert!(
                    !(target.opens)(&keys, &guard, &value),
                    "{label} {kind} value opened as {}",
                    target.name
                );
            }
        }
    }
}

/// The reverse: a derived type's value opens through a runtime sealer only in the documented
/// case — the sealer opted into the legacy domain of that very salt, the type is untracked,
/// unbound JSON of the sealer's mode, and the sealer accepts compression if the value is
/// compressed. Runtime one-time sealers (legacy `+one-time` domain) open none of them.
#[test]
fn derived_values_open_through_runtime_sealers_only_as_documented() {
    let keys = ring().at(t0());
    let guard = Guard::new(MemoryStore::new());
    let derived = derived_values(&keys, &guard);
    for target in &derived {
        for (label, builder, encrypted) in runtime_builders(&keys, target.salt) {
            let legacy = label.ends_with("+legacy");
            let plain: Sealer = builder.clone().max_age(Duration::hours(1));
            let once = builder.one_time(Duration::hours(1));
            let expected = legacy
                && target.plain_json
                && target.encrypted == encrypted
                && (!target.compressed || plain.compresses());
            let opened = plain.open::<Value>(&target.value);
            assert_eq!(
                opened.is_ok(),
                expected,
                "{label} opening {}: {opened:?}",
                target.name
            );
            let claimed = run(once.open::<Value>(&guard, &target.value));
            assert!(claimed.is_err(), "{label} one-time claimed {}", target.name);
        }
    }
    // Each is a genuine value: its own type opens it (after the attacks, which claimed none).
    for target in &derived {
        assert!(
            (target.opens)(&keys, &guard, &target.value),
            "{} opens its own",
            target.name
        );
    }
}

/// A sealer with the legacy opt-in that opened a derived value can only hand back values of its
/// own domain: `seal` and `reseal` never produce what the derived type opens.
#[test]
fn a_legacy_opener_cannot_launder_a_derived_value_back() {
    let keys = ring().at(t0());
    let sealer = keys
        .signed(SignedJson::CONFIG.salt())
        .also_open_legacy(SignedJson::CONFIG.salt())
        .max_age(Duration::hours(1));
    let cookie = SignedJson { user: user() }.seal(&keys).unwrap();
    let opened = sealer.open_with_metadata::<SignedJson>(&cookie).unwrap();
    let mut forged = opened.value().clone();
    forged.user = "admin".into();
    for value in [
        sealer.reseal(&opened).unwrap(),
        sealer.seal(&forged).unwrap(),
    ] {
        assert_eq!(SignedJson::open(&keys, &value), Err(OpenError::Invalid));
    }
}

// The one way a runtime sealer seals in the derived types' domain,
// `SealerBuilder::__seal_in_type_domain` (what `typed-cookies seal --salt X` needs), exists only
// with typed-cookies' `cli-internals` feature. Its absence without the feature is checked by
// the compile-fail case `ui-tests/fail/seal_in_type_domain_without_cli_internals.rs`, not here:
// this package depends on typed-cookies-cli (a dev-dependency), which turns the feature on, so
// in this test binary the method exists.

/// Plain and one-time runtime values of one salt never open as each other, in either mode,
/// through any legacy opt-in (including one naming the salt itself).
#[test]
fn plain_and_one_time_runtime_values_stay_apart_through_legacy_opt_ins() {
    const SALT: &str = "scb.runtime-only.v1";
    let keys = ring().at(t0());
    let guard = Guard::new(MemoryStore::new());
    for encrypted in [false, true] {
        let builder = |legacy: Option<&str>| {
            let b = if encrypted {
                keys.encrypted(SALT)
            } else {
                keys.signed(SALT)
            };
            match legacy {
                Some(l) => b.also_open_legacy(l),
                None => b,
            }
        };
        let plain_value = builder(None).no_expiry().seal(&1u8).unwrap();
        let token = builder(None)
            .one_time(Duration::hours(1))
            .seal(&2u8)
            .unwrap();
        for legacy in [None, Some(SALT), Some("")] {
            assert_eq!(
                run(builder(legacy)
                    .one_time(Duration::hours(1))
                    .open::<u8>(&guard, &plain_value)),
                Err(OpenError::TrackingMismatch { tracked: true }),
                "{encrypted} {legacy:?}"
            );
            assert!(
                builder(legacy).no_expiry().open::<u8>(&token).is_err(),
                "{encrypted} {legacy:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Part lists.
// ---------------------------------------------------------------------------------------------

/// Part lists crafted to collide with another list's length-prefixed encoding (a part holding
/// the 8-byte length of the next, NULs, a part that is the whole encoding of two, empty parts,
/// multi-byte characters whose UTF-8 bytes look like lengths) are all different salts, in both
/// modes, for plain and one-time sealers.
#[test]
fn crafted_part_lists_never_alias() {
    let keys = ring().at(t0());
    let guard = Guard::new(MemoryStore::new());
    // The encoding of ["a", "b"] is 00..01 'a' 00..01 'b': try to spell it as one part, or
    // glue the second length into the first part.
    let len = |n: u64| String::from_utf8(n.to_be_bytes().to_vec()).unwrap();
    let encoded_ab = format!("{}a{}b", len(1), len(1));
    let lists: Vec<Vec<String>> = vec![
        vec![],
        vec!["".into()],
        vec!["".into(), "".into()],
        vec!["a".into(), "b".into()],
        vec!["ab".into()],
        vec![encoded_ab.clone()],
        vec![format!("a{}", len(1)), "b".into()],
        vec!["a".into(), format!("{}b", len(1))],
        vec![format!("{}a", len(1)), "b".into()],
        vec![len(0)],
        vec![len(0), "".into()],
        vec!["\u{0}".into()],
        // é is C3 A9; U+0101 is C4 81: parts whose bytes (not characters) differ in length.
        vec!["é".into()],
        vec!["\u{c3}".into()],
        vec!["\u{101}".into(), "b".into()],
        vec!["a".into(), "b".into(), "".into()],
        vec!["".into(), "a".into(), "b".into()],
    ];
    for (i, a) in lists.iter().enumerate() {
        for encrypted in [false, true] {
            let make = |parts: &Vec<String>| {
                if encrypted {
                    keys.encrypted_parts(parts)
                } else {
                    keys.signed_parts(parts)
                }
            };
            let value = make(a).no_expiry().seal(&i).unwrap();
            let token = make(a).one_time(Duration::hours(1)).seal(&i).unwrap();
            for (j, b) in lists.iter().enumerate() {
                let opened = make(b).no_expiry().open::<usize>(&value);
                if i == j {
                    assert_eq!(opened, Ok(i));
                } else {
                    assert_eq!(opened, Err(OpenError::Invalid), "{a:?} opened by {b:?}");
                    assert_eq!(
                        run(make(b)
                            .one_time(Duration::hours(1))
                            .open::<usize>(&guard, &token)),
                        Err(OpenError::Invalid),
                        "{a:?} token by {b:?}"
                    );
                }
            }
        }
    }
}

/// No salt input panics: empty, NULs, every control character, lone combining marks,
/// noncharacters, a 16 MiB salt and 100 000 parts, through every constructor and the legacy
/// opt-in; each still round-trips its own value.
#[test]
fn no_salt_input_panics() {
    let keys = ring().at(t0());
    let guard = Guard::new(MemoryStore::new());
    let controls: String = (0u32..0x20)
        .chain(0x7f..0xa0)
        .filter_map(char::from_u32)
        .collect();
    let huge = "\u{202e}".repeat((16 << 20) / 3);
    let salts: Vec<String> = vec![
        String::new(),
        "\0".into(),
        controls,
        "\u{301}".into(),
        "\u{fffe}\u{ffff}\u{10ffff}".into(),
        "runtime:".into(),
        "typed-cookies/v1/runtime/signed/".into(),
        huge,
    ];
    for salt in &salts {
        for builder in [
            keys.signed(salt),
            keys.encrypted(salt),
            keys.signed_parts([salt, salt]),
            keys.encrypted_parts([salt.as_str()]),
            keys.signed(salt).also_open_legacy(salt),
            keys.encrypted("x").also_open_legacy(salt),
        ] {
            let sealer = builder.clone().no_expiry();
            assert_eq!(sealer.open::<u8>(&sealer.seal(&7u8).unwrap()), Ok(7));
            let once = builder.one_time(Duration::seconds(1));
            assert_eq!(
                run(once.open::<u8>(&guard, &once.seal(&8u8).unwrap())),
                Ok(8)
            );
        }
    }
    let many: Vec<String> = (0..100_000).map(|i| i.to_string()).collect();
    let sealer = keys.signed_parts(&many).no_expiry();
    assert_eq!(sealer.open::<u8>(&sealer.seal(&9u8).unwrap()), Ok(9));
    let empty: [&str; 0] = [];
    let sealer = keys.encrypted_parts(empty).no_expiry();
    assert_eq!(sealer.open::<u8>(&sealer.seal(&10u8).unwrap()), Ok(10));
}

// ---------------------------------------------------------------------------------------------
// The subkey cache.
// ---------------------------------------------------------------------------------------------

/// Thousands of distinct salts through every kind of runtime sealer — both modes, one-time,
/// parts, and legacy opt-ins (whose legacy namespaces share the cache) — never take the cache
/// over its cap, and sealers kept alive past eviction still open what they sealed.
#[test]
fn the_runtime_cache_stays_bounded_across_every_kind_of_namespace() {
    let keys = ring().at(t0());
    let cap = typed_cookies::__private::runtime_salt_cache_cap();
    let first = keys.signed("kept-alive").no_expiry();
    let first_value = first.seal(&"kept").unwrap();
    let mut kept = Vec::new();
    for i in 0..cap * 3 {
        let salt = format!("salt-{i}");
        let builder = match i % 5 {
            0 => keys.signed(&salt),
            1 => keys.encrypted_parts(["p", &salt]),
            2 => keys.signed(&salt).also_open_legacy(&format!("legacy-{i}")),
            3 => keys.encrypted(&salt).also_open_legacy(&salt),
            _ => keys.signed_parts([salt.as_str(), ""]),
        };
        if i % 2 == 0 {
            let _ = builder.one_time(Duration::hours(1));
        } else if i % 97 == 0 {
            kept.push(builder.no_expiry());
        } else {
            let _ = builder.no_expiry();
        }
        assert!(
            typed_cookies::__private::runtime_salt_cache_len(&keys) <= cap,
            "at {i}"
        );
    }
    assert_eq!(first.open::<String>(&first_value).unwrap(), "kept");
    for sealer in &kept {
        assert_eq!(sealer.open::<u8>(&sealer.seal(&1u8).unwrap()), Ok(1));
    }
}

// ---------------------------------------------------------------------------------------------
// Django's Signer.
// ---------------------------------------------------------------------------------------------

/// The documented trap is real: under one explicit salt, `sign` of a user-chosen string is a
/// token that `open` accepts as whatever JSON the string base64-encodes (compressed too).
#[test]
fn django_sign_under_a_shared_salt_is_an_open_token_as_documented() {
    use base64::Engine as _;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let signer = django::Signer::new("s3cr3t").salt("shared");
    let username = b64(br#"{"user":1,"admin":true}"#);
    let forged = signer.sign(&username);
    assert_eq!(
        signer.open::<Value>(&forged).unwrap(),
        json!({"user": 1, "admin": true})
    );
    // And the reverse: `unsign` reads what `seal` made.
    let sealed = signer.seal(&json!({"a": 1})).unwrap();
    assert_eq!(signer.unsign(&sealed).unwrap(), b64(br#"{"a":1}"#));
}

/// With Django's defaults, `sign`/`unsign` and `seal`/`open` use different salts: a signed
/// user string is no `open` token (plain or `.`-compressed JSON), and a sealed value is no
/// `unsign`ed string. Setting the other default explicitly keeps them apart too.
#[test]
fn django_default_salts_keep_signed_strings_and_sealed_values_apart() {
    use base64::Engine as _;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let signer = django::Signer::new("s3cr3t");
    let json_text = b64(br#"{"user":1}"#);
    let compressed = {
        let raw = signer
            .clone()
            .compress(true)
            .seal(&"a".repeat(200))
            .unwrap();
        raw.split(':').next().unwrap().to_owned()
    };
    for user_string in [json_text.as_str(), compressed.as_str()] {
        let signed = signer.sign(user_string);
        assert_eq!(signer.open::<Value>(&signed), Err(OpenError::Invalid));
        assert_eq!(
            django::Signer::new("s3cr3t")
                .salt(django::DEFAULT_SALT)
                .open::<Value>(&signed),
            Err(OpenError::Invalid)
        );
    }
    let sealed = signer.seal(&json!({"a": 1})).unwrap();
    assert_eq!(signer.unsign(&sealed), Err(OpenError::Invalid));
    assert_eq!(
        django::Signer::new("s3cr3t")
            .salt(django::TIMESTAMP_SIGNER_SALT)
            .unsign(&sealed),
        Err(OpenError::Invalid)
    );
    // Neither default is the session engine's: a default-signed string is no session cookie.
    assert_eq!(
        django::session_cookie("s3cr3t").open::<Value>(&signer.sign(&json_text)),
        Err(OpenError::Invalid)
    );
}

/// `session_cookie(secret)` is a `Signer` with the session engine's salt set, so its `sign`
/// shares that salt with `open`: a user-chosen string signed through the session signer is a
/// session cookie for any JSON (`{"_auth_user_id": "1"}`). This is the documented trap (the
/// salt replaces both defaults), reached through a constructor whose docs do not repeat it.
#[test]
fn django_session_signer_sign_mints_sessions_like_any_shared_salt() {
    use base64::Engine as _;
    let sessions = django::session_cookie("s3cr3t");
    let username =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"_auth_user_id":"1"}"#);
    let forged = sessions.sign(&username);
    assert_eq!(
        sessions.open::<Value>(&forged).unwrap(),
        json!({"_auth_user_id": "1"})
    );
}
