//! One-time tokens of runtime sealers are claimed under their own store namespace
//! (`runtime:<digest(salt)>`) and nowhere else; neither `Debug` nor a store-outage warning
//! prints the salt or its digest.

use std::sync::Arc;

use sha2::{Digest as _, Sha256};
use typed_cookies::guard::Guard;
use typed_cookies::store::{MemoryStore, RevocationStore, SessionId};
use typed_cookies::time::Duration;
use typed_cookies::OpenError;
#[cfg(feature = "http")]
use typed_cookies_testkit::{logs_of, SwitchableStore};
use typed_cookies_testkit::{poll_ready as run, ring, t0, T0};

/// The hex SHA-256 of `parts`, each length-prefixed (8 bytes, big-endian), as FORMAT.md says.
fn salt_digest(parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The session id in a signed one-time token's claims (after the 14-byte v1 header).
fn signed_token_id(token: &str) -> SessionId {
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .unwrap();
    SessionId::from_bytes(raw[14..30].try_into().unwrap())
}

/// Whether `id` is already claimed in `namespace` of `store` (claiming it if not).
fn taken(store: &MemoryStore, namespace: &str, id: SessionId) -> bool {
    !run(store.claim(namespace, id, T0 + 3600, T0)).unwrap()
}

/// A token of salt A is claimed under `runtime:<digest(A)>` and nowhere else: not under the
/// namespace of another salt, not under the salt's text, not under a legacy salt the opening
/// sealer names; and a sealer of another salt (even with A as its legacy salt) cannot claim it
/// at all.
#[test]
fn a_one_time_token_is_claimed_under_its_own_namespace_only() {
    let keys = ring().at(t0());
    let store = Arc::new(MemoryStore::new());
    let guard = Guard::from_arc(store.clone());
    let a = keys
        .signed_parts(["reset", "ann"])
        .one_time(Duration::hours(1));
    let token = a.seal(&1u8).unwrap();
    let id = signed_token_id(&token);

    for other in [
        keys.signed_parts(["reset", "bob"]),
        keys.signed("reset").also_open_legacy("resetann"),
        keys.signed("x").also_open_legacy("reset"),
        keys.signed("x").also_open_legacy("reset:ann"),
        keys.encrypted_parts(["reset", "ann"]),
    ] {
        assert!(run(other
            .one_time(Duration::hours(1))
            .open::<u8>(&guard, &token))
        .is_err());
    }
    // Opened through a sealer of the same salt that also opts into a legacy salt: the token is
    // of the new domain, so its own namespace.
    let with_legacy = keys
        .signed_parts(["reset", "ann"])
        .also_open_legacy("reset:ann")
        .one_time(Duration::hours(1));
    assert_eq!(run(with_legacy.open::<u8>(&guard, &token)), Ok(1));
    assert_eq!(
        run(a.open::<u8>(&guard, &token)),
        Err(OpenError::AlreadyUsed)
    );
    for namespace in [
        "reset:ann".to_owned(),
        "resetann".to_owned(),
        format!("runtime:{}", salt_digest(&["reset", "bob"])),
        format!("runtime:{}", salt_digest(&["resetann"])),
    ] {
        assert!(!taken(&store, &namespace, id), "{namespace}");
    }
    assert!(taken(
        &store,
        &format!("runtime:{}", salt_digest(&["reset", "ann"])),
        id
    ));
}

/// `Debug` of a one-time sealer must not print the salt's digest: for a salt built from
/// personal data (`signed_parts(["reset", email])`) it is an unkeyed SHA-256 that a list of
/// emails inverts — what `Guarded`'s `Debug` already hides for client bindings. (The digest is
/// the sealer's store namespace, kept in a field that `#[derive(Debug)]` prints.)
#[test]
fn one_time_sealer_debug_does_not_print_the_salt_digest() {
    let keys = ring();
    let email = "ann@example.com";
    let once = keys
        .signed_parts(["accounts.reset", email])
        .one_time(Duration::hours(1));
    let shown = format!("{once:?}");
    let digest = salt_digest(&["accounts.reset", email]);
    assert!(
        shown.starts_with("OneTimeSealer { sealer: Sealer {"),
        "{shown}"
    );
    assert!(!shown.contains(email));
    assert!(!shown.contains("runtime:"), "{shown}");
    // The dictionary attack: hash every candidate, look for it in the log line.
    let recovered = ["bob@example.com", "ann@example.com", "eve@example.com"]
        .into_iter()
        .find(|candidate| shown.contains(&salt_digest(&["accounts.reset", candidate])));
    assert_eq!(
        recovered, None,
        "Debug output {shown} gives away the digest {digest}"
    );
}

/// Nor does the warning logged when the store cannot claim a one-time token: it says what was
/// refused and why (a runtime one-time token, its mode, the store's error), never the store
/// namespace (the salt's digest) or the salt. (The crate logs through `tracing` only with its
/// `tracing` feature, which this package's `http` feature turns on.)
#[cfg(feature = "http")]
#[test]
fn a_store_outage_warning_names_neither_the_salt_nor_its_digest() {
    let keys = ring().at(t0());
    let store = Arc::new(SwitchableStore::default());
    let guard = Guard::from_arc(store.clone());
    let email = "ann@example.com";
    let once = keys
        .signed_parts(["accounts.reset", email])
        .also_open_legacy(&format!("accounts.reset:{email}"))
        .one_time(Duration::hours(1));
    let token = once.seal(&1u8).unwrap();
    store.set_down(true);
    let (opened, logs) = logs_of(|| run(once.open::<u8>(&guard, &token)));
    assert_eq!(opened, Err(OpenError::StoreUnavailable));
    let [(level, line)] = &logs[..] else {
        panic!("one warning expected: {logs:?}");
    };
    assert_eq!(*level, tracing::Level::WARN);
    assert!(
        line.contains("one-time token refused")
            && line.contains("runtime one-time")
            && line.contains("signed")
            && line.contains("connection refused"),
        "{line}"
    );
    let digest = salt_digest(&["accounts.reset", email]);
    for secret in [
        digest.as_str(),
        &digest[..16],
        email,
        "accounts.reset",
        "runtime:",
    ] {
        assert!(!line.contains(secret), "{secret} in {line}");
    }
    // The store back: the token was never claimed, and opens once.
    store.set_down(false);
    assert_eq!(run(once.open::<u8>(&guard, &token)), Ok(1));
}
