//! Per-namespace subkeys: `HKDF-SHA256(master, info = "typed-cookies/v1/<mode>[+<codec>]/<salt>")`,
//! derived once per key × namespace and cached in the [`KeyRing`](crate::KeyRing).
//!
//! The hot path never runs HKDF, never allocates and takes no lock: the cache is an
//! [`ArcSwap`]ed map that is read with one atomic load and replaced (copy on write) on the rare
//! miss. Cached entries hold ready-to-use primitives (the HMAC state after keying, the AES key
//! schedule), so even the per-call key setup is skipped.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use aes_gcm_siv::aead::KeyInit;
use arc_swap::ArcSwap;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::codec::Codec;
use crate::key::Key;
use crate::seal::encrypted::Cipher;
use crate::seal::format::{Format, Mode};

/// What a subkey is for: mode, codec, schema fingerprint (postcard only) and salt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Namespace<'a> {
    pub format: Format,
    /// Schema fingerprint; only part of the namespace for the postcard codec.
    pub schema: u64,
    pub salt: &'a str,
}

impl Namespace<'_> {
    /// The HKDF info string; FORMAT.md documents it.
    pub fn info(&self) -> String {
        let Format { mode, codec } = self.format;
        match codec {
            Codec::Json => format!("typed-cookies/v1/{}/{}", mode.label(), self.salt),
            Codec::Postcard => format!(
                "typed-cookies/v1/{}+postcard-{:016x}/{}",
                mode.label(),
                self.schema,
                self.salt
            ),
        }
    }

    fn tag(&self) -> (Format, u64) {
        let schema = match self.format.codec {
            Codec::Json => 0,
            Codec::Postcard => self.schema,
        };
        (self.format, schema)
    }
}

/// A ready-to-use primitive keyed with one subkey.
#[derive(Clone)]
pub(crate) enum Subkey {
    Signed(Hmac<Sha256>),
    Encrypted(Box<Cipher>),
}

impl Subkey {
    fn derive(master: &Key, namespace: &Namespace<'_>) -> Self {
        let mut okm = Zeroizing::new([0u8; 32]);
        Hkdf::<Sha256>::new(None, master.material())
            .expand(namespace.info().as_bytes(), okm.as_mut())
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        match namespace.format.mode {
            Mode::Signed => Subkey::Signed(
                <Hmac<Sha256> as Mac>::new_from_slice(okm.as_ref())
                    .expect("HMAC takes any key length"),
            ),
            Mode::Encrypted => Subkey::Encrypted(Box::new(
                Cipher::new_from_slice(okm.as_ref()).expect("32 bytes is an AES-256 key"),
            )),
        }
    }
}

/// The subkeys of one namespace, one per ring key, in ring order (primary first).
pub(crate) struct NamespaceKeys {
    pub keys: Box<[Subkey]>,
}

type Entries = Vec<((Format, u64), Arc<NamespaceKeys>)>;

/// Salt → the namespaces (format, schema) seen for it.
type SaltMap = HashMap<Box<str>, Entries, BuildHasherDefault<SaltHasher>>;

/// Subkey cache of one ring: salt → the namespaces (format, schema) seen for it.
#[derive(Default)]
pub(crate) struct SubkeyCache {
    map: ArcSwap<SaltMap>,
}

/// Hashes salts for the cache (FxHash's multiply-rotate, 8 bytes at a time). Salts are chosen
/// by the service, not by clients, so a keyed hash (SipHash, ~300 instructions per lookup, a
/// sixth of the engine's own cost) buys nothing here. A service that made salts out of
/// client input would grow the cache without bound anyway.
#[derive(Default, Clone, Copy)]
pub(crate) struct SaltHasher(u64);

impl SaltHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for SaltHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl SubkeyCache {
    /// Runs `f` with the subkeys of `namespace` (one per key of `ring`), deriving them on first
    /// use. The common case is one atomic load and a lookup: no lock, no reference count change.
    pub fn with<R>(
        &self,
        ring: &[Key],
        namespace: &Namespace<'_>,
        f: impl FnOnce(&NamespaceKeys) -> R,
    ) -> R {
        if let Some(found) = Self::find(&self.map.load(), namespace) {
            return f(found);
        }
        f(&self.get(ring, namespace))
    }

    /// The subkeys of `namespace` for every key of `ring`, derived on first use.
    pub fn get(&self, ring: &[Key], namespace: &Namespace<'_>) -> Arc<NamespaceKeys> {
        if let Some(found) = Self::find(&self.map.load(), namespace) {
            return Arc::clone(found);
        }
        let derived = Arc::new(NamespaceKeys {
            keys: ring
                .iter()
                .map(|key| Subkey::derive(key, namespace))
                .collect(),
        });
        self.map.rcu(|map| {
            if Self::find(map, namespace).is_some() {
                return Arc::clone(map);
            }
            let mut map = SaltMap::clone(map);
            map.entry(namespace.salt.into())
                .or_default()
                .push((namespace.tag(), Arc::clone(&derived)));
            Arc::new(map)
        });
        derived
    }

    fn find<'m>(map: &'m SaltMap, namespace: &Namespace<'_>) -> Option<&'m Arc<NamespaceKeys>> {
        let tag = namespace.tag();
        map.get(namespace.salt)?
            .iter()
            .find(|(t, _)| *t == tag)
            .map(|(_, keys)| keys)
    }

    /// Number of cached namespaces (for tests).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.map.load().values().map(Vec::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(mode: Mode, codec: Codec, schema: u64, salt: &str) -> Namespace<'_> {
        Namespace {
            format: Format { mode, codec },
            schema,
            salt,
        }
    }

    #[test]
    fn derives_once_per_namespace() {
        let ring = [Key::generate(), Key::generate()];
        let cache = SubkeyCache::default();
        let a = cache.get(&ring, &ns(Mode::Signed, Codec::Json, 0, "a"));
        assert_eq!(a.keys.len(), 2);
        assert!(Arc::ptr_eq(
            &a,
            &cache.get(&ring, &ns(Mode::Signed, Codec::Json, 0, "a"))
        ));
        cache.with(&ring, &ns(Mode::Signed, Codec::Json, 0, "a"), |_| ());
        assert_eq!(cache.len(), 1);
        // The schema only counts for postcard.
        cache.get(&ring, &ns(Mode::Signed, Codec::Json, 7, "a"));
        assert_eq!(cache.len(), 1);
        for other in [
            ns(Mode::Encrypted, Codec::Json, 0, "a"),
            ns(Mode::Signed, Codec::Postcard, 1, "a"),
            ns(Mode::Signed, Codec::Postcard, 2, "a"),
            ns(Mode::Signed, Codec::Json, 0, "b"),
        ] {
            assert!(!Arc::ptr_eq(&a, &cache.get(&ring, &other)));
        }
        assert_eq!(cache.len(), 5);
    }

    #[test]
    fn info_labels() {
        assert_eq!(
            ns(Mode::Signed, Codec::Json, 9, "x.y").info(),
            "typed-cookies/v1/signed/x.y"
        );
        assert_eq!(
            ns(Mode::Encrypted, Codec::Postcard, 0xab, "x/y").info(),
            "typed-cookies/v1/encrypted+postcard-00000000000000ab/x/y"
        );
    }

    #[test]
    fn salt_hasher_sees_every_byte() {
        use std::hash::BuildHasher;
        let build = BuildHasherDefault::<SaltHasher>::default();
        let salts = [
            "",
            "a",
            "b",
            "ab",
            "ba",
            "12345678",
            "123456789",
            "123456780",
        ];
        let hashes: std::collections::HashSet<u64> =
            salts.iter().map(|s| build.hash_one(s)).collect();
        assert_eq!(hashes.len(), salts.len());
    }
}
