//! Derivation domains and salts built from parts.
//!
//! - Derived types and runtime sealers derive their subkeys in separate domains: whatever the
//!   salts, a runtime sealer never opens a derived type's value and never makes one it opens
//!   (both modes, both codecs, untracked and tracked).
//! - Runtime subkeys are `HKDF(master, "typed-cookies/v1/runtime/<mode>[+one-time]/<digest>")`
//!   with `digest = hex(SHA-256(len(part) ‖ part …))`, re-derived here independently.
//! - `signed_parts` / `encrypted_parts`: two different part lists never open each other's
//!   values, however the parts are cut (fixed cases and a property); one part is the plain
//!   salt. One-time sealers take parts too.
//! - `also_open_legacy(salt)`: values a runtime sealer sealed before the change (composed here
//!   by hand with the legacy derivation, `typed-cookies/v1/<mode>[+one-time]/<salt>`) open
//!   only through a sealer that opts in, which still seals in the new domain.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use typed_cookies::guard::Guard;
use typed_cookies::store::MemoryStore;
use typed_cookies::time::Duration;
use typed_cookies::{Key, KeyRing, OpenError, SealedCookie};
use typed_cookies_testkit::{poll_ready as run, primary_key, t0, PRIMARY_KEY_ID, T0};

/// The hex SHA-256 of `parts`, each length-prefixed (8 bytes, big-endian), as FORMAT.md says.
pub fn salt_digest(parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The HKDF info of a runtime sealer: `label` is `signed`, `encrypted`, `signed+one-time` or
/// `encrypted+one-time`.
pub fn runtime_info(label: &str, parts: &[&str]) -> String {
    format!("typed-cookies/v1/runtime/{label}/{}", salt_digest(parts))
}

/// The 32-byte subkey `HKDF-SHA256(master, info)`.
pub fn subkey(master: &[u8], info: &str) -> [u8; 32] {
    let mut okm = [0u8; 32];
    Hkdf::<Sha256>::new(None, master)
        .expand(info.as_bytes(), &mut okm)
        .unwrap();
    okm
}

fn master() -> Vec<u8> {
    (0u8..32).collect()
}

/// A signed value (v1 header, format byte `format`) of `body` under `subkey`, at [`T0`].
fn signed_by_hand(subkey: &[u8; 32], format: u8, body: &[u8]) -> String {
    let mut raw = vec![1, format];
    raw.extend_from_slice(&PRIMARY_KEY_ID);
    raw.extend_from_slice(&T0.to_be_bytes());
    raw.extend_from_slice(body);
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(subkey).unwrap();
    mac.update(&raw);
    raw.extend_from_slice(&mac.finalize().into_bytes());
    URL_SAFE_NO_PAD.encode(raw)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(name = "d_s", salt = "domains.session.v1", max_age = "1h")]
struct SignedSession {
    user: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(name = "d_e", salt = "domains.secret.v1", max_age = "1h", encrypt)]
struct EncryptedSession {
    user: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "d_p",
    salt = "domains.compact.v1",
    max_age = "1h",
    encrypt,
    codec = "postcard"
)]
struct CompactSession {
    user: u64,
}

/// The shared namespace of the past: `keys.signed("shop.session.v1")` minted values the derived
/// type of that salt opened, and the reverse. Now `Invalid` both ways (the postcard type is
/// refused on its format first), in both modes.
#[test]
fn runtime_sealers_and_derived_types_never_open_each_other() {
    let keys = KeyRing::new(primary_key()).at(t0());
    let user = 7u64;

    let typed = SignedSession { user }.seal(&keys).unwrap();
    let runtime = keys
        .signed(SignedSession::CONFIG.salt())
        .max_age(Duration::hours(1));
    assert_eq!(
        runtime.open::<SignedSession>(&typed),
        Err(OpenError::Invalid)
    );
    let minted = runtime.seal(&SignedSession { user: 0 }).unwrap();
    assert_eq!(SignedSession::open(&keys, &minted), Err(OpenError::Invalid));
    // Each still opens its own.
    assert_eq!(
        SignedSession::open(&keys, &typed),
        Ok(SignedSession { user })
    );
    assert_eq!(
        runtime.open::<SignedSession>(&minted),
        Ok(SignedSession { user: 0 })
    );

    let typed = EncryptedSession { user }.seal(&keys).unwrap();
    let runtime = keys
        .encrypted(EncryptedSession::CONFIG.salt())
        .max_age(Duration::hours(1));
    assert_eq!(
        runtime.open::<EncryptedSession>(&typed),
        Err(OpenError::Invalid)
    );
    let minted = runtime.seal(&EncryptedSession { user: 0 }).unwrap();
    assert_eq!(
        EncryptedSession::open(&keys, &minted),
        Err(OpenError::Invalid)
    );

    let typed = CompactSession { user }.seal(&keys).unwrap();
    let runtime = keys
        .encrypted(CompactSession::CONFIG.salt())
        .max_age(Duration::hours(1));
    assert!(matches!(
        runtime.open::<CompactSession>(&typed),
        Err(OpenError::WrongFormat { .. })
    ));
}

/// A runtime sealer's values authenticate under the runtime info string, re-derived here from
/// FORMAT.md, and under neither the derived types' info of the same salt nor another part list.
#[test]
fn runtime_values_use_the_runtime_domain() {
    let master = master();
    let keys = KeyRing::new(Key::from_bytes(&master).unwrap()).at(t0());
    let value = keys
        .signed_parts(["invite", "acme:admin"])
        .no_expiry()
        .seal(&"ann")
        .unwrap();
    let expected = signed_by_hand(
        &subkey(&master, &runtime_info("signed", &["invite", "acme:admin"])),
        0x01,
        b"\"ann\"",
    );
    assert_eq!(value, expected);
    for other in [
        runtime_info("signed", &["invite:acme", "admin"]),
        runtime_info("signed", &["invite:acme:admin"]),
        "typed-cookies/v1/signed/invite:acme:admin".to_owned(),
        "typed-cookies/v1/signed/inviteacme:admin".to_owned(),
    ] {
        assert_ne!(
            signed_by_hand(&subkey(&master, &other), 0x01, b"\"ann\""),
            value,
            "{other}"
        );
    }
}

#[test]
fn different_part_lists_never_open_each_other() {
    let keys = KeyRing::new(primary_key()).at(t0());
    let lists: [&[&str]; 10] = [
        &[],
        &[""],
        &["", ""],
        &["invite:acme:admin"],
        &["invite", "acme:admin"],
        &["invite:acme", "admin"],
        &["invite", "acme", "admin"],
        &["invite", "acme:admin", ""],
        &["invite\0", "acme:admin"],
        &["invite", "\u{0}acme:admin"],
    ];
    for (i, a) in lists.iter().enumerate() {
        let signer = keys.signed_parts(a.iter()).no_expiry();
        let sealer = keys.encrypted_parts(a.iter()).no_expiry();
        let signed = signer.seal(&i).unwrap();
        let sealed = sealer.seal(&i).unwrap();
        for (j, b) in lists.iter().enumerate() {
            let (signed_opens, sealed_opens) = (
                keys.signed_parts(b.iter())
                    .no_expiry()
                    .open::<usize>(&signed),
                keys.encrypted_parts(b.iter())
                    .no_expiry()
                    .open::<usize>(&sealed),
            );
            if i == j {
                assert_eq!((signed_opens, sealed_opens), (Ok(i), Ok(i)), "{a:?}");
            } else {
                assert_eq!(signed_opens, Err(OpenError::Invalid), "{a:?} by {b:?}");
                assert_eq!(sealed_opens, Err(OpenError::Invalid), "{a:?} by {b:?}");
            }
        }
    }
}

#[test]
fn one_part_is_the_plain_salt_and_parts_take_strings_of_any_kind() {
    let keys = KeyRing::new(primary_key()).at(t0());
    let team = String::from("acme");
    let plain = keys.signed("invite").no_expiry().seal(&1u8).unwrap();
    assert_eq!(
        keys.signed_parts(["invite"]).no_expiry().open::<u8>(&plain),
        Ok(1)
    );
    let owned = keys
        .encrypted_parts(vec![String::from("invite"), team.clone()])
        .no_expiry()
        .seal(&2u8)
        .unwrap();
    assert_eq!(
        keys.encrypted_parts(["invite", team.as_str()])
            .no_expiry()
            .open::<u8>(&owned),
        Ok(2)
    );
    assert_eq!(
        keys.encrypted_parts(["invite", &team, ""])
            .no_expiry()
            .open::<u8>(&owned),
        Err(OpenError::Invalid)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever two part lists hold (separators, NULs, empty parts, Unicode), a value sealed
    /// under one opens under the other exactly when the lists are equal.
    #[test]
    fn part_lists_alias_only_when_equal(
        a in prop::collection::vec("[a:\\x00é]{0,4}", 0..4),
        b in prop::collection::vec("[a:\\x00é]{0,4}", 0..4),
    ) {
        let keys = KeyRing::new(primary_key()).at(t0());
        let value = keys.signed_parts(&a).no_expiry().seal(&1u8).unwrap();
        let opened = keys.signed_parts(&b).no_expiry().open::<u8>(&value);
        if a == b {
            prop_assert_eq!(opened, Ok(1));
        } else {
            prop_assert_eq!(opened, Err(OpenError::Invalid));
        }
    }
}

/// One-time sealers take parts, and their tokens of one part list are not tokens of another.
#[test]
fn one_time_sealers_take_parts() {
    let keys = KeyRing::new(primary_key());
    let guard = Guard::new(MemoryStore::new());
    let invite = |parts: [&str; 2]| keys.signed_parts(parts).one_time(Duration::hours(1));
    let token = invite(["invite", "acme:admin"]).seal(&"ann").unwrap();
    assert_eq!(
        run(invite(["invite:acme", "admin"]).open::<String>(&guard, &token)),
        Err(OpenError::Invalid)
    );
    assert_eq!(
        run(invite(["invite", "acme:admin"]).open::<String>(&guard, &token)),
        Ok("ann".to_owned())
    );
    assert_eq!(
        run(invite(["invite", "acme:admin"]).open::<String>(&guard, &token)),
        Err(OpenError::AlreadyUsed)
    );
}

/// Tokens a runtime sealer handed out before the change (composed here with the legacy
/// derivation) no longer open, unless the sealer opts into the legacy domain; one that does
/// still seals in the new domain, and other sealers of the salt are unaffected.
#[test]
fn legacy_values_open_only_through_an_explicit_opt_in() {
    let master = master();
    let keys = KeyRing::new(Key::from_bytes(&master).unwrap()).at(t0());
    let team = "acme";
    let old_salt = format!("invite:{team}");
    let legacy = signed_by_hand(
        &subkey(&master, &format!("typed-cookies/v1/signed/{old_salt}")),
        0x01,
        b"\"ann\"",
    );

    let strict = keys
        .signed_parts(["invite", team])
        .max_age(Duration::days(7));
    assert_eq!(strict.open::<String>(&legacy), Err(OpenError::Invalid));
    assert_eq!(
        keys.signed(&old_salt)
            .max_age(Duration::days(7))
            .open::<String>(&legacy),
        Err(OpenError::Invalid),
        "the same salt string, without the opt-in"
    );

    let transition = keys
        .signed_parts(["invite", team])
        .also_open_legacy(&old_salt)
        .max_age(Duration::days(7));
    assert_eq!(transition.open::<String>(&legacy), Ok("ann".to_owned()));
    let opened = transition.open_with_metadata::<String>(&legacy).unwrap();
    assert_eq!(opened.created_at(), t0());
    // Sealing and resealing: the new domain, which the strict sealer opens.
    let fresh = transition.seal(&"bob").unwrap();
    assert_eq!(strict.open::<String>(&fresh), Ok("bob".to_owned()));
    let moved = transition.reseal(&opened).unwrap();
    assert_eq!(strict.open::<String>(&moved), Ok("ann".to_owned()));
    // Another legacy salt opens nothing of this one; expiry still applies.
    let wrong = keys
        .signed_parts(["invite", team])
        .also_open_legacy("invite:other")
        .max_age(Duration::days(7));
    assert_eq!(wrong.open::<String>(&legacy), Err(OpenError::Invalid));
    let later = keys
        .at(t0() + Duration::days(8))
        .signed_parts(["invite", team])
        .also_open_legacy(&old_salt)
        .max_age(Duration::days(7));
    assert!(matches!(
        later.open::<String>(&legacy),
        Err(OpenError::Expired { .. })
    ));
}

/// The opt-in reopens the aliasing with derived types for that sealer only: it opens a derived
/// JSON type's value of its legacy salt, but what it seals no derived type opens.
#[test]
fn the_legacy_opt_in_reopens_the_aliasing_for_that_sealer_only() {
    let keys = KeyRing::new(primary_key()).at(t0());
    let salt = SignedSession::CONFIG.salt();
    let typed = SignedSession { user: 7 }.seal(&keys).unwrap();
    let transition = keys
        .signed(salt)
        .also_open_legacy(salt)
        .max_age(Duration::hours(1));
    assert_eq!(
        transition.open::<SignedSession>(&typed),
        Ok(SignedSession { user: 7 })
    );
    let minted = transition.seal(&SignedSession { user: 0 }).unwrap();
    assert_eq!(SignedSession::open(&keys, &minted), Err(OpenError::Invalid));
    assert_eq!(
        keys.signed(salt)
            .max_age(Duration::hours(1))
            .open::<SignedSession>(&typed),
        Err(OpenError::Invalid)
    );
}

/// A one-time token of the legacy derivation (`…/signed+one-time/<salt>`, claims block, format
/// byte 0x81) opens once through a one-time sealer that opts in, and never without.
#[test]
fn legacy_one_time_tokens_open_once_with_the_opt_in() {
    let master = master();
    let keys = KeyRing::new(Key::from_bytes(&master).unwrap()).at(t0());
    let guard = Guard::new(MemoryStore::new());
    let salt = "accounts.password-reset";
    // Claims: session id (16), epoch (8), nonce (8), no subject; then the payload.
    let mut body = vec![0x42; 16];
    body.extend_from_slice(&[0; 17]);
    body.extend_from_slice(b"7");
    let token = signed_by_hand(
        &subkey(&master, &format!("typed-cookies/v1/signed+one-time/{salt}")),
        0x81,
        &body,
    );
    let strict = keys.signed(salt).one_time(Duration::hours(1));
    assert_eq!(
        run(strict.open::<u64>(&guard, &token)),
        Err(OpenError::Invalid)
    );
    let transition = keys
        .signed(salt)
        .also_open_legacy(salt)
        .one_time(Duration::hours(1));
    assert_eq!(run(transition.open::<u64>(&guard, &token)), Ok(7));
    assert_eq!(
        run(transition.open::<u64>(&guard, &token)),
        Err(OpenError::AlreadyUsed)
    );
    // Its own tokens are the new domain's, which the strict sealer opens.
    let fresh = transition.seal(&8u64).unwrap();
    assert_eq!(run(strict.open::<u64>(&guard, &fresh)), Ok(8));
    assert_eq!(
        run(transition.open::<u64>(&guard, &fresh)),
        Err(OpenError::AlreadyUsed)
    );
}
