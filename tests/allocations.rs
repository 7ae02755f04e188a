//! The engine's allocation budget, counted by a global allocator (`stats_alloc`): a seal makes
//! exactly one heap allocation (the returned `String`) and an open none, beyond what serde
//! itself allocates — in every mode and codec, through the derive and the low-level `Sealer`.
//!
//! It also shows that the hot path runs no HKDF: deriving a namespace's subkeys allocates (the
//! info string, the cache entry), so the first seal under a namespace counts more than one
//! allocation and every later one exactly one.
//!
//! Its own test target (see the root `Cargo.toml`) so the counting allocator stays out of every
//! other test binary, and without the libtest harness: the counter sees every thread of the
//! process, and libtest's main thread allocates while a test runs (it finishes spawning the
//! test thread and registers its wait), which made about one run in 150 count 5 allocations
//! that were not ours. Here `main` is the only thread; a failed check panics (exit code 101).

use std::alloc::System;
use std::hint::black_box;

use serde::{Deserialize, Serialize};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use typed_cookies::{Key, KeyRing, SealedCookie, Stateless};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Heap allocations (and reallocations) made by `f`, the most over a number of runs after a
/// first, uncounted one (which derives the namespace's subkeys and warms this thread's buffer,
/// RNG and cache reader).
fn allocations<R>(mut f: impl FnMut() -> R) -> usize {
    drop(f());
    (0..200)
        .map(|_| {
            let region = Region::new(GLOBAL);
            let out = black_box(f());
            let change = region.change();
            drop(out);
            change.allocations + change.reallocations
        })
        .max()
        .expect("ran")
}

/// Declares a struct whose serde code allocates nothing either way (integers and a bool).
macro_rules! counters {
    ($name:ident, $($cookie:tt)*) => {
        #[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
        #[cookie($($cookie)*)]
        struct $name {
            user_id: u64,
            visits: u32,
            admin: bool,
        }
        impl $name {
            fn sample() -> Self {
                Self { user_id: 1 << 40, visits: 77, admin: true }
            }
        }
    };
}

counters!(
    SignedJson,
    name = "a",
    salt = "alloc.signed-json",
    max_age = "1h"
);
counters!(
    EncryptedJson,
    name = "b",
    salt = "alloc.encrypted-json",
    max_age = "1h",
    encrypt
);
counters!(
    SignedPostcard,
    name = "c",
    salt = "alloc.signed-postcard",
    max_age = "1h",
    codec = "postcard"
);
counters!(
    EncryptedPostcard,
    name = "d",
    salt = "alloc.encrypted-postcard",
    max_age = "1h",
    encrypt,
    codec = "postcard"
);

/// A session with strings: serializing allocates nothing, deserializing allocates each string.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(name = "e", salt = "alloc.session", max_age = "1h", encrypt)]
struct Session {
    user_id: u64,
    name: String,
    roles: Vec<String>,
    csrf: String,
}

/// The same session in postcard.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "f",
    salt = "alloc.session-compact",
    max_age = "1h",
    codec = "postcard"
)]
struct CompactSession {
    user_id: u64,
    name: String,
    roles: Vec<String>,
    csrf: String,
}

/// A borrowed payload for the low-level API: its serialization allocates nothing.
#[derive(Serialize)]
struct Borrowed<'a> {
    email: &'a str,
    user_id: u64,
}

/// The open half of [`Borrowed`].
#[derive(Deserialize)]
struct Ids {
    user_id: u64,
}

fn keys() -> KeyRing {
    KeyRing::with_fallbacks(Key::generate(), [Key::generate()]).expect("distinct keys")
}

fn check_typed<T: Stateless + PartialEq + std::fmt::Debug>(keys: &KeyRing, value: &T) {
    let name = std::any::type_name::<T>();
    assert_eq!(
        allocations(|| value.seal(keys).expect("seals")),
        1,
        "{name}: seal"
    );
    let sealed = value.seal(keys).expect("seals");
    assert_eq!(&T::open(keys, &sealed).expect("opens"), value);
    assert_eq!(
        allocations(|| T::open(keys, &sealed).expect("opens")),
        0,
        "{name}: open"
    );
}

fn main() {
    seal_allocates_once_and_open_never_beyond_serde();
    println!("allocations: seal allocates once and open never beyond serde: ok");
}

fn seal_allocates_once_and_open_never_beyond_serde() {
    let keys = keys();

    // Subkey derivation (HKDF) on first use of a namespace allocates; the counter sees it.
    let fresh = keys.clone();
    let region = Region::new(GLOBAL);
    let first = SignedJson::sample().seal(&fresh).expect("seals");
    let derivation = region.change().allocations;
    drop(first);
    assert!(
        derivation > 1,
        "first use derives subkeys: {derivation} allocations"
    );

    check_typed(&keys, &SignedJson::sample());
    check_typed(&keys, &EncryptedJson::sample());
    check_typed(&keys, &SignedPostcard::sample());
    check_typed(&keys, &EncryptedPostcard::sample());

    // Strings: sealing still allocates once; opening allocates exactly what serde allocates
    // for the strings (counted by deserializing the bare payload), nothing more.
    let session = Session {
        user_id: 7,
        name: "Ada Lovelace!".into(),
        roles: vec!["admin".into(), "billing".into()],
        csrf: "f3a9c1d27be84e0a9d6f5b3c2e1a0f98".into(),
    };
    assert_eq!(allocations(|| session.seal(&keys).expect("seals")), 1);
    let sealed = session.seal(&keys).expect("seals");
    let json = serde_json::to_vec(&session).expect("serializes");
    let serde_own = allocations(|| serde_json::from_slice::<Session>(&json).expect("decodes"));
    assert_eq!(serde_own, 5, "name, roles, 2 roles, csrf");
    assert_eq!(
        allocations(|| Session::open(&keys, &sealed).expect("opens")),
        serde_own
    );

    let compact = CompactSession {
        user_id: session.user_id,
        name: session.name.clone(),
        roles: session.roles.clone(),
        csrf: session.csrf.clone(),
    };
    assert_eq!(allocations(|| compact.seal(&keys).expect("seals")), 1);
    let sealed = compact.seal(&keys).expect("seals");
    let bytes = postcard::to_allocvec(&compact).expect("serializes");
    let serde_own =
        allocations(|| postcard::from_bytes::<CompactSession>(&bytes).expect("decodes"));
    assert_eq!(
        allocations(|| CompactSession::open(&keys, &sealed).expect("opens")),
        serde_own
    );

    // The low-level API: a Sealer holds its subkeys, so not even a cache lookup.
    for sealer in [
        keys.signed("alloc.low-level").no_expiry(),
        keys.encrypted("alloc.low-level").no_expiry(),
    ] {
        let value = Borrowed {
            email: "ada@example.org",
            user_id: 9,
        };
        assert_eq!(allocations(|| sealer.seal(&value).expect("seals")), 1);
        let sealed = sealer.seal(&value).expect("seals");
        assert_eq!(sealer.open::<Ids>(&sealed).expect("opens").user_id, 9);
        assert_eq!(
            allocations(|| sealer.open::<Ids>(&sealed).expect("opens")),
            0
        );
    }
}
