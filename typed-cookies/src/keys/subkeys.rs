//! Per-namespace subkeys:
//! `HKDF-SHA256(master, info = "typed-cookies/v1/<mode>[+<codec>][+one-time]/<salt>")`, derived
//! once per key × namespace and cached in the [`KeyRing`](crate::KeyRing).
//!
//! Two caches, for two kinds of salt:
//!
//! - **Derived types** (`#[derive(SealedCookie)]`): their salts are `&'static str` constants,
//!   so there are as many as the program has cookie types. Their hot path never runs HKDF,
//!   never allocates and takes no lock: an [`ArcSwap`]ed map read with one atomic load and
//!   replaced (copy on write) on the rare miss, which happens once per type and key ring.
//! - **Runtime salts** (`KeyRing::signed` / `KeyRing::encrypted`): chosen at run time, possibly
//!   one per user (`format!("reset:{email}")`), so unbounded in number. They live in a
//!   least-recently-used map of at most [`RUNTIME_SALTS`] salts behind a mutex, hashed with
//!   std's randomly keyed SipHash (crafted salts cannot collide on purpose). An insert never
//!   copies the map; a [`Sealer`](crate::Sealer) looks its salt up once, when it is made, and
//!   keeps its subkeys.
//!
//! Cached entries hold ready-to-use primitives (the HMAC state after keying, the AES key
//! schedule), so even the per-call key setup is skipped.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};

use arc_swap::ArcSwap;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use lru::LruCache;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::keys::{Key, KeyId};
use crate::seal::encrypted::{self, Cipher};
use crate::wire::{Codec, Format, Mode};

/// Most runtime salts cached per key ring; the least recently used one is evicted beyond this.
/// Each costs about 1 KB (the keyed primitives of each ring key, in each mode used); an evicted
/// salt is derived again (one HKDF per ring key, a few microseconds) when next used.
pub(crate) const RUNTIME_SALTS: usize = 1024;

/// What a subkey is for: mode, codec, schema fingerprint (postcard only), salt, and whether
/// it is a runtime one-time sealer's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Namespace<'a> {
    pub format: Format,
    /// Schema fingerprint; only part of the namespace for the postcard codec.
    pub schema: u64,
    pub salt: &'a str,
    /// A runtime one-time sealer's (`SealerBuilder::one_time`): a namespace of its own, so its
    /// tokens and a derived tracked type's values of the same salt never open as each other
    /// (both carry a claims block, so the tracking bit alone cannot tell them apart).
    pub one_time: bool,
}

impl Namespace<'_> {
    /// The HKDF info string; FORMAT.md documents it.
    pub fn info(&self) -> String {
        let Format { mode, codec } = self.format;
        let kind = if self.one_time { "+one-time" } else { "" };
        match codec {
            Codec::Json => format!("typed-cookies/v1/{}{kind}/{}", mode.label(), self.salt),
            Codec::Postcard => format!(
                "typed-cookies/v1/{}+postcard-{:016x}{kind}/{}",
                mode.label(),
                self.schema,
                self.salt
            ),
        }
    }

    fn tag(&self) -> Tag {
        let schema = match self.format.codec {
            Codec::Json => 0,
            Codec::Postcard => self.schema,
        };
        (self.format, schema, self.one_time)
    }
}

/// What tells apart the namespaces cached under one salt.
type Tag = (Format, u64, bool);

/// A ready-to-use primitive keyed with one subkey.
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
            Mode::Encrypted => Subkey::Encrypted(Box::new(encrypted::new_cipher(&okm))),
        }
    }
}

/// The subkeys of one namespace, one per ring key, in ring order (primary first).
pub(crate) struct NamespaceKeys {
    /// The ring's key ids, primary first: which subkey opens a value is found by its header's
    /// key id here, so the engine needs nothing else of the ring.
    pub ids: Box<[KeyId]>,
    pub keys: Box<[Subkey]>,
}

type Entries = Vec<(Tag, Arc<NamespaceKeys>)>;

/// Derived types' salt → the namespaces (format, schema) seen for it.
type StaticMap = HashMap<StaticSalt, Entries, BuildHasherDefault<SaltHasher>>;

/// A derived type's salt, known by where it is: compared and hashed by its address and
/// length, not its text (one multiply instead of hashing and comparing every byte, on every
/// seal and open). It is a `&'static str`, so no other text can ever take its address. Were
/// the same salt text at two addresses (a literal copied into two crates), each would get
/// its own entry with the same subkeys: one more derivation, never a wrong key.
#[derive(Clone, Copy)]
struct StaticSalt(&'static str);

impl PartialEq for StaticSalt {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

impl Eq for StaticSalt {}

impl std::hash::Hash for StaticSalt {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.0.as_ptr() as usize);
        state.write_usize(self.0.len());
    }
}

/// Subkey cache of one ring: derived types' namespaces, and a bounded LRU of runtime salts.
pub(crate) struct SubkeyCache {
    fixed: ArcSwap<StaticMap>,
    runtime: Mutex<LruCache<Box<str>, Entries, RandomState>>,
}

impl Default for SubkeyCache {
    fn default() -> Self {
        Self {
            fixed: ArcSwap::default(),
            runtime: Mutex::new(LruCache::with_hasher(
                NonZeroUsize::new(RUNTIME_SALTS).expect("nonzero"),
                RandomState::new(),
            )),
        }
    }
}

/// Hashes the salts of derived types by address (FxHash's multiply-rotate). Unkeyed, and that
/// is sound only because these salts are `&'static str` constants written in the program's
/// own types: nobody outside can choose them, and there are as many as there are cookie
/// types. Runtime salts never reach it (they use std's keyed SipHash). A keyed hash here
/// would cost ~300 instructions per lookup, a sixth of the engine's own cost.
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

    fn write_usize(&mut self, word: usize) {
        self.add(word as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl SubkeyCache {
    /// Runs `f` with the subkeys of a derived type's `namespace` (one per key of `ring`),
    /// deriving them on first use. The common case is one atomic load and a lookup: no lock,
    /// no allocation, no reference count change.
    ///
    /// Only for `'static` salts (a type's `CONFIG`): their number is bounded by the program's
    /// types, which is what makes an unevicted, copy-on-write map right for them.
    pub fn with<R>(
        &self,
        ring: &[Key],
        namespace: &Namespace<'static>,
        f: impl FnOnce(&NamespaceKeys) -> R,
    ) -> R {
        if let Some(found) = find(
            self.fixed.load().get(&StaticSalt(namespace.salt)),
            namespace,
        ) {
            return f(found);
        }
        f(&self.get_static(ring, namespace))
    }

    fn get_static(&self, ring: &[Key], namespace: &Namespace<'static>) -> Arc<NamespaceKeys> {
        let derived = NamespaceKeys::derive(ring, namespace);
        let mut cached = None;
        self.fixed.rcu(|map| {
            if let Some(found) = find(map.get(&StaticSalt(namespace.salt)), namespace) {
                cached = Some(Arc::clone(found));
                return Arc::clone(map);
            }
            cached = None;
            let mut map = StaticMap::clone(map);
            map.entry(StaticSalt(namespace.salt))
                .or_default()
                .push((namespace.tag(), Arc::clone(&derived)));
            Arc::new(map)
        });
        cached.unwrap_or(derived)
    }

    /// The subkeys of a runtime salt's `namespace` for every key of `ring`, from the bounded
    /// LRU cache or derived (and cached, evicting the least recently used salt when full).
    pub fn get(&self, ring: &[Key], namespace: &Namespace<'_>) -> Arc<NamespaceKeys> {
        if let Some(found) = find(self.runtime().get(namespace.salt), namespace) {
            return Arc::clone(found);
        }
        // Derived outside the lock: HKDF is the slow part, and two threads deriving the same
        // new salt at once both get correct (equal) subkeys.
        let derived = NamespaceKeys::derive(ring, namespace);
        let mut runtime = self.runtime();
        if let Some(entries) = runtime.get_mut(namespace.salt) {
            if let Some(found) = find(Some(entries), namespace) {
                return Arc::clone(found);
            }
            entries.push((namespace.tag(), Arc::clone(&derived)));
        } else {
            runtime.put(
                namespace.salt.into(),
                vec![(namespace.tag(), Arc::clone(&derived))],
            );
        }
        derived
    }

    fn runtime(&self) -> std::sync::MutexGuard<'_, LruCache<Box<str>, Entries, RandomState>> {
        // A panic while the lock was held cannot leave the map half-updated in a way that
        // matters: every entry is complete, and a missing one is derived again.
        self.runtime.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Number of runtime salts cached (at most [`RUNTIME_SALTS`]).
    pub fn runtime_len(&self) -> usize {
        self.runtime().len()
    }

    /// Number of cached namespaces, both kinds (for tests).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        let fixed: usize = self.fixed.load().values().map(Vec::len).sum();
        let runtime: usize = self.runtime().iter().map(|(_, e)| e.len()).sum();
        fixed + runtime
    }
}

impl NamespaceKeys {
    fn derive(ring: &[Key], namespace: &Namespace<'_>) -> Arc<Self> {
        Arc::new(Self {
            ids: ring.iter().map(Key::id).collect(),
            keys: ring
                .iter()
                .map(|key| Subkey::derive(key, namespace))
                .collect(),
        })
    }
}

/// The entry of `namespace`'s format and schema among those cached for its salt.
fn find<'m>(
    entries: Option<&'m Entries>,
    namespace: &Namespace<'_>,
) -> Option<&'m Arc<NamespaceKeys>> {
    let tag = namespace.tag();
    entries?
        .iter()
        .find(|(t, _)| *t == tag)
        .map(|(_, keys)| keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(mode: Mode, codec: Codec, schema: u64, salt: &str) -> Namespace<'_> {
        Namespace {
            format: Format { mode, codec },
            schema,
            salt,
            one_time: false,
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
        assert_eq!(cache.runtime_len(), 2);
    }

    #[test]
    fn static_salts_derive_once_and_apart_from_runtime_salts() {
        let ring = [Key::generate()];
        let cache = SubkeyCache::default();
        // One address for the salt text, as a derived type's CONFIG has.
        static S: &str = "s";
        let ptr = |keys: &NamespaceKeys| keys as *const NamespaceKeys;
        let first = cache.with(&ring, &ns(Mode::Signed, Codec::Json, 0, S), ptr);
        let again = cache.with(&ring, &ns(Mode::Signed, Codec::Json, 0, S), ptr);
        assert_eq!(first, again);
        assert_eq!((cache.len(), cache.runtime_len()), (1, 0));
        cache.with(&ring, &ns(Mode::Encrypted, Codec::Json, 0, S), |_| ());
        assert_eq!((cache.len(), cache.runtime_len()), (2, 0));
        // Same subkey bytes either way: a runtime signer opens what a derived type sealed.
        let runtime = cache.get(&ring, &ns(Mode::Signed, Codec::Json, 0, "s"));
        let fixed = cache.with(&ring, &ns(Mode::Signed, Codec::Json, 0, S), |k| {
            match (&k.keys[0], &runtime.keys[0]) {
                (Subkey::Signed(a), Subkey::Signed(b)) => {
                    a.clone().chain_update(b"x").finalize()
                        == b.clone().chain_update(b"x").finalize()
                }
                _ => false,
            }
        });
        assert!(fixed);
    }

    #[test]
    fn one_salt_text_at_two_addresses_gets_the_same_subkeys() {
        let ring = [Key::generate()];
        let cache = SubkeyCache::default();
        let here: &'static str = Box::leak(String::from("dup").into_boxed_str());
        let there: &'static str = Box::leak(String::from("dup").into_boxed_str());
        let tag = |salt: &'static str| {
            cache.with(
                &ring,
                &ns(Mode::Signed, Codec::Json, 0, salt),
                |k| match &k.keys[0] {
                    Subkey::Signed(mac) => mac.clone().chain_update(b"x").finalize().into_bytes(),
                    Subkey::Encrypted(_) => unreachable!("a signed namespace"),
                },
            )
        };
        assert_eq!(tag(here), tag(there));
        assert_eq!(cache.len(), 2, "one entry per address");
        assert_eq!(tag(here), tag(here));
        assert_eq!(cache.len(), 2, "found again by address");
    }

    #[test]
    fn runtime_salts_are_bounded_and_least_recently_used_go_first() {
        let ring = [Key::generate()];
        let cache = SubkeyCache::default();
        let kept = cache.get(&ring, &ns(Mode::Signed, Codec::Json, 0, "kept"));
        let dropped = cache.get(&ring, &ns(Mode::Signed, Codec::Json, 0, "dropped"));
        for i in 0..RUNTIME_SALTS * 3 {
            if i % 100 == 0 {
                cache.get(&ring, &ns(Mode::Signed, Codec::Json, 0, "kept"));
            }
            cache.get(
                &ring,
                &ns(Mode::Signed, Codec::Json, 0, &format!("salt {i}")),
            );
            assert!(cache.runtime_len() <= RUNTIME_SALTS);
        }
        assert_eq!(cache.runtime_len(), RUNTIME_SALTS);
        assert!(Arc::ptr_eq(
            &kept,
            &cache.get(&ring, &ns(Mode::Signed, Codec::Json, 0, "kept"))
        ));
        assert!(!Arc::ptr_eq(
            &dropped,
            &cache.get(&ring, &ns(Mode::Signed, Codec::Json, 0, "dropped"))
        ));
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
        let one_time = Namespace {
            one_time: true,
            ..ns(Mode::Signed, Codec::Json, 0, "x.y")
        };
        assert_eq!(one_time.info(), "typed-cookies/v1/signed+one-time/x.y");
    }

    #[test]
    fn a_one_time_namespace_is_cached_apart_from_the_plain_one() {
        let ring = [Key::generate()];
        let cache = SubkeyCache::default();
        let plain = cache.get(&ring, &ns(Mode::Signed, Codec::Json, 0, "s"));
        let one_time = Namespace {
            one_time: true,
            ..ns(Mode::Signed, Codec::Json, 0, "s")
        };
        let once = cache.get(&ring, &one_time);
        assert!(!Arc::ptr_eq(&plain, &once));
        assert!(Arc::ptr_eq(&once, &cache.get(&ring, &one_time)));
        assert_eq!((cache.len(), cache.runtime_len()), (2, 1));
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
