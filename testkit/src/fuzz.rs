//! What the fuzz targets share: a fixed (public, test-only) key ring, a fixed clock and the
//! cookie types. The fuzz crate (`fuzz/`, outside the workspace) re-exports this module;
//! `tests/fuzz_corpus.rs` (re)generates and checks the seed corpus in `fuzz/corpus/` with
//! exactly these, and `tests/cookie/lookup.rs` compares the lookup with [`reference_lookup`].
//!
//! The keys, salts, names and the payload's shape are those the committed corpus was sealed
//! with: changing any of them turns the `valid-*` seeds invalid (regenerate them with
//! `REGENERATE_FUZZ_CORPUS=1 cargo test --test fuzz_corpus`).

use serde::{Deserialize, Serialize};
use typed_cookies::time::OffsetDateTime;
use typed_cookies::{Key, KeyRing, OpenError, SealedCookie};

pub use crate::Payload;

/// Signed, JSON, 1 h: opened by the `Cookie:` header target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(name = "fz_sid", salt = "fuzz.signed", max_age = "1h")]
pub struct SignedCookie(pub Payload);

/// Encrypted, postcard, 1 h.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "fz_enc",
    salt = "fuzz.encrypted",
    max_age = "1h",
    encrypt,
    codec = "postcard"
)]
pub struct EncryptedCookie(pub Payload);

/// Salt of the low-level signer and sealer.
pub const LOW_LEVEL_SALT: &str = "fuzz.low-level";

/// The ring: a primary and a fallback, both fixed and public (never use them anywhere else).
/// Their last byte is not ASCII: `Key::from_bytes` refuses all-text key material.
pub fn keys() -> KeyRing {
    KeyRing::with_fallbacks(primary_key(), [fallback_key()]).expect("distinct keys")
}

/// The ring's primary key.
pub fn primary_key() -> Key {
    Key::from_bytes(b"typed-cookies fuzzing key 1, not secret\xff").expect("a valid key")
}

/// The ring's fallback key (the corpus has values sealed by it alone).
pub fn fallback_key() -> Key {
    Key::from_bytes(b"typed-cookies fuzzing key 2, not secret\xff").expect("a valid key")
}

/// The corpus values were sealed at this instant (2026-01-01T00:00:00Z, [`crate::t0`])...
pub fn sealed_at() -> OffsetDateTime {
    crate::t0()
}

/// ...and are opened a minute later, well within their max age.
pub fn now() -> OffsetDateTime {
    crate::at(crate::T0 + 60)
}

/// The reference splitter the `cookie_lookup` target checks the library against, written as
/// plainly as possible: split on `;`, cut each piece at its first `=`, trim only SP and HTAB,
/// compare the name exactly. Every value found under `name`, in order.
pub fn reference_lookup<'h>(header: &'h str, name: &str) -> Vec<&'h str> {
    const OWS: [char; 2] = [' ', '\t'];
    header
        .split(';')
        .filter_map(|piece| piece.split_once('='))
        .filter(|(found, _)| found.trim_matches(OWS) == name)
        .map(|(_, value)| value.trim_matches(OWS))
        .collect()
}

/// Asserts that [`SignedCookie::from_cookie_header`] finds in `header` exactly what
/// [`reference_lookup`] finds: nothing, one value (opened the same way), or a duplicate.
pub fn check_lookup(header: &str) {
    let keys = keys().at(now());
    let name = SignedCookie::CONFIG.name();
    let found = reference_lookup(header, name);
    let expected = match found.as_slice() {
        [] => Ok(None),
        [value] => SignedCookie::open(&keys, value).map(Some),
        _ => Err(OpenError::DuplicateCookie {
            name,
            count: found.len(),
        }),
    };
    assert_eq!(
        SignedCookie::from_cookie_header(&keys, header),
        expected,
        "{header:?}"
    );
}
