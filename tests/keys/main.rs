//! Keys and rings: key validation and its errors, loading rings from the environment and
//! from lists, rotation (fallback keys open, the primary seals, a retired key is refused),
//! per-namespace subkeys (re-derived independently: the master key never signs or encrypts),
//! derived types' and runtime sealers' separate derivation domains and salts built from parts,
//! nonce freshness, the bounded cache of runtime salts' subkeys, runtime salts against derived
//! types of the same salt, and one-time namespaces. (Concurrent use of one
//! ring: `concurrency.rs`; key material in `Debug`/`Display` and freed memory: `hygiene.rs`.)

use typed_cookies::{Key, KeyError, KeyRing, OpenError};
use typed_cookies_testkit::{primary_key, profile, t0, Payload};

/// Held by the tests of this binary that time themselves, run long or count the heap, so a
/// timing or a count is never taken while another of them loads the machine.
static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Counts the heap bytes the process holds, for `salt_cache`'s memory bound (a few atomic
/// additions per allocation; the other tests here do not notice). Process-wide: the bound it
/// checks is far above what the other tests of this binary hold at any time.
#[global_allocator]
static GLOBAL: &stats_alloc::StatsAlloc<std::alloc::System> = &stats_alloc::INSTRUMENTED_SYSTEM;

/// Derived types and runtime sealers in separate derivation domains; salts built from parts;
/// the legacy opt-in.
mod domains;
/// One-time tokens of runtime sealers claimed under their own store namespace only.
mod one_time_namespaces;
/// The bounded cache of runtime salts' subkeys: flat cost, bounded memory, same subkeys again.
mod salt_cache;
/// Runtime sealers never open derived types' values (except the documented legacy aliasing);
/// part lists never alias; no salt panics; the cache stays bounded across every kind of
/// namespace; Django's `Signer` salts.
mod salts;
/// What `main() -> Result` prints for start-up errors (`Debug` is the message); keys in
/// quotes, short keys.
mod start_up_errors;
/// Per-namespace subkeys and fresh nonces (AEAD limits).
mod subkeys;

#[test]
fn key_errors() {
    assert_eq!(
        Key::from_bytes(&[1; 31]).unwrap_err(),
        KeyError::TooShort { len: 31 }
    );
    assert_eq!(
        Key::from_bytes(&[1; 31]).unwrap_err().to_string(),
        "key is 31 bytes long; at least 32 bytes of random secret are required (make one with `typed-cookies keygen`, or `Key::generate()` in code)"
    );
    // Seven distinct byte values over 32 bytes: refused; eight: accepted.
    let seven: Vec<u8> = (0u8..32).map(|i| i % 7).collect();
    let eight: Vec<u8> = (0u8..32).map(|i| i % 8).collect();
    assert_eq!(Key::from_bytes(&seven).unwrap_err(), KeyError::LowEntropy);
    assert!(Key::from_bytes(&eight).is_ok());
    assert_eq!(
        KeyError::LowEntropy.to_string(),
        "key material does not look random (too few distinct byte values); generate a key with `typed-cookies keygen` or `Key::generate()`"
    );
    for text in ["***", "AAAA!", "Zm9v Zm9v"] {
        assert_eq!(
            Key::from_base64(text).unwrap_err(),
            KeyError::InvalidBase64,
            "{text}"
        );
    }
    assert_eq!(
        Key::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8")
            .unwrap()
            .id(),
        primary_key().id(),
        "the fixed key as unpadded base64"
    );
    let var = "TYPED_COOKIES_KNOWN_ANSWERS_SURELY_UNSET";
    assert_eq!(
        KeyRing::from_env(var).unwrap_err(),
        KeyError::MissingEnv { var: var.into() }
    );
    assert_eq!(
        KeyRing::from_base64_list(" , ").unwrap_err(),
        KeyError::Empty { var: None }
    );
    assert_eq!(
        KeyRing::from_base64_list(" , ").unwrap_err().to_string(),
        "no key given: expected comma-separated base64 keys, primary first"
    );
    let err =
        KeyRing::from_base64_list(&format!("{}, %%%", primary_key().to_base64())).unwrap_err();
    assert_eq!(
        err,
        KeyError::InList {
            var: None,
            position: 2,
            count: 2,
            error: Box::new(KeyError::InvalidBase64)
        }
    );
    assert_eq!(
        err.to_string(),
        "key 2 of 2: key is not valid base64 (standard or URL-safe alphabet expected)"
    );
    assert_eq!(
        Key::from_bytes(b"correct horse battery staple, longer").unwrap_err(),
        KeyError::Text
    );
    assert_eq!(
        KeyError::Text.to_string(),
        "key material is plain text (a passphrase, or an encoded key not decoded?), not random bytes; generate a key with `typed-cookies keygen` or `Key::generate()` and load its base64 with `Key::from_base64`"
    );
    let mut run: Vec<u8> = (0u8..32).collect();
    run[4..12].fill(0xee);
    assert_eq!(
        Key::from_bytes(&run).unwrap_err(),
        KeyError::RepeatedByte { run: 8 }
    );
    assert_eq!(
        KeyError::RepeatedByte { run: 8 }.to_string(),
        "key material does not look random (8 equal bytes in a row); generate a key with `typed-cookies keygen` or `Key::generate()`"
    );
    let err = KeyRing::with_fallbacks(primary_key(), [primary_key()]).unwrap_err();
    assert_eq!(
        err,
        KeyError::DuplicateKeyId {
            id: primary_key().id()
        }
    );
    assert_eq!(
        err.to_string(),
        "key 65e6b8b0 appears twice in the key ring; list each key once"
    );
}

#[test]
fn empty_env_var_names_the_variable() {
    // Only this test touches this variable.
    let var = "TYPED_COOKIES_KNOWN_ANSWERS_EMPTY";
    std::env::set_var(var, " , ");
    let err = KeyRing::from_env(var).unwrap_err();
    std::env::remove_var(var);
    assert_eq!(
        err,
        KeyError::Empty {
            var: Some(var.into())
        }
    );
    assert_eq!(
        err.to_string(),
        "no key given in `TYPED_COOKIES_KNOWN_ANSWERS_EMPTY`: expected comma-separated base64 keys, primary first"
    );
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
        .open_with_metadata::<Payload>(&value)
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
        .open_with_metadata::<Payload>(&resealed)
        .unwrap();
    assert!(reopened.sealed_with_primary());

    let retired = KeyRing::new(new);
    assert_eq!(
        retired
            .encrypted("app.session")
            .no_expiry()
            .at(t0())
            .open::<Payload>(&value),
        Err(OpenError::UnknownKey { key_id: old.id() })
    );
    assert_eq!(
        retired
            .encrypted("app.session")
            .no_expiry()
            .at(t0())
            .open::<Payload>(&resealed)
            .unwrap(),
        profile()
    );
}
