//! A runtime sealer's salt ([`KeyRing::signed`](crate::KeyRing::signed),
//! [`KeyRing::signed_parts`](crate::KeyRing::signed_parts), and their encrypted twins), reduced
//! to a fixed-size digest of its length-prefixed parts:
//!
//! ```text
//! salt_digest = SHA-256( len(part₁) ‖ part₁ ‖ … ‖ len(partₙ) ‖ partₙ )   len: 8 bytes, big-endian u64
//! ```
//!
//! Each part says its own length, so two different part lists never give the same bytes
//! (`["invite", "acme:admin"]` and `["invite:acme", "admin"]` are different salts, whatever
//! the parts contain), and a plain salt is the list of one part (`signed("x")` is
//! `signed_parts(["x"])`). The digest is what the runtime namespace's HKDF `info` names (see
//! FORMAT.md), so neither the subkey cache nor a [`Sealer`](crate::Sealer) keeps the salt
//! itself: a salt of any length costs 32 bytes.

use std::fmt;

use sha2::{Digest as _, Sha256};

/// The SHA-256 digest of a runtime salt's length-prefixed parts.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct RuntimeSalt([u8; 32]);

impl RuntimeSalt {
    /// The salt made of `parts`, in order.
    pub fn from_parts<I, S>(parts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut hash = Sha256::new();
        for part in parts {
            let part = part.as_ref().as_bytes();
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part);
        }
        Self(hash.finalize().into())
    }

    /// The salt of one part: `salt` as given to [`KeyRing::signed`](crate::KeyRing::signed).
    pub fn single(salt: &str) -> Self {
        Self::from_parts([salt])
    }
}

/// 64 lowercase hex digits, as the HKDF `info` writes the digest.
impl fmt::Display for RuntimeSalt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl fmt::Debug for RuntimeSalt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RuntimeSalt({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_length_prefixed() {
        let salt = |parts: &[&str]| RuntimeSalt::from_parts(parts);
        let lists: [&[&str]; 9] = [
            &[],
            &[""],
            &["", ""],
            &["invite:acme:admin"],
            &["invite", "acme:admin"],
            &["invite:acme", "admin"],
            &["invite", "acme", "admin"],
            &["invite", "acme:admin", ""],
            &["", "invite", "acme:admin"],
        ];
        let digests: std::collections::HashSet<RuntimeSalt> =
            lists.iter().map(|parts| salt(parts)).collect();
        assert_eq!(digests.len(), lists.len());
        assert_eq!(salt(&["x"]), RuntimeSalt::single("x"));
        assert_eq!(
            salt(&["a", "b"]),
            RuntimeSalt::from_parts(vec![String::from("a"), String::from("b")])
        );
    }

    #[test]
    fn known_digest() {
        // SHA-256(00 00 00 00 00 00 00 0a ‖ "vectors.v1"), as FORMAT.md lists it.
        let mut input = 10u64.to_be_bytes().to_vec();
        input.extend_from_slice(b"vectors.v1");
        let expected: [u8; 32] = Sha256::digest(&input).into();
        assert_eq!(RuntimeSalt::single("vectors.v1").0, expected);
        assert_eq!(RuntimeSalt::single("vectors.v1").to_string().len(), 64);
    }
}
