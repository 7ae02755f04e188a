//! Per-namespace subkeys, `HKDF-SHA256(master, info)`, derived once per key × namespace and
//! cached in the [`KeyRing`](crate::KeyRing). Two derivation domains, whose `info` strings can
//! never be equal (FORMAT.md, *Subkeys*):
//!
//! - **Derived types** ([`Namespace`]): `typed-cookies/v1/<mode>[+postcard-<schema>]/<salt>`,
//!   the salt as written in `#[cookie(salt = ..)]`.
//! - **Runtime sealers** ([`RuntimeNamespace`]: `KeyRing::signed`, `signed_parts`, their
//!   encrypted twins, and their one-time sealers):
//!   `typed-cookies/v1/runtime/<mode>[+one-time]/<salt digest>`, the digest of the salt's
//!   length-prefixed parts ([`RuntimeSalt`]). A runtime sealer never makes a value a derived
//!   type opens, nor the reverse, whatever the salts.
//!
//! Two caches, for two kinds of salt:
//!
//! - **Derived types** (`#[derive(SealedCookie)]`): their salts are `&'static str` constants,
//!   so there are as many as the program has cookie types. Their hot path never runs HKDF,
//!   never allocates and takes no lock: an [`ArcSwap`]ed map read with one atomic load and
//!   replaced (copy on write) on the rare miss, which happens once per type and key ring.
//! - **Runtime salts**: chosen at run time, possibly one per user (`signed_parts(["reset",
//!   email])`), so unbounded in number and in length. They live in a least-recently-used map
//!   of at most [`RUNTIME_SALTS`] namespaces behind a mutex, keyed by the SHA-256 of the
//!   namespace's HKDF `info` (32 bytes, whatever the salt's length) and hashed with std's
//!   randomly keyed SipHash. An insert never copies the map; a [`Sealer`](crate::Sealer) looks
//!   its namespace up once, when it is made, and keeps its subkeys.
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
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

use crate::aead::{self, Cipher};
use crate::keys::salt::RuntimeSalt;
use crate::keys::{Key, KeyId};
use crate::wire::{Codec, Format, Mode};

/// Most runtime namespaces (salt × mode × one-time) cached per key ring; the least recently
/// used one is evicted beyond this. Each costs about 1 KB (a 32-byte key and the keyed
/// primitives of each ring key), whatever the salt's length; an evicted namespace is derived
/// again (one HKDF per ring key, a few microseconds) when next used.
pub(crate) const RUNTIME_SALTS: usize = 1024;

/// A derived type's namespace: mode, codec, schema fingerprint (postcard only), salt, and
/// whether it is a runtime one-time sealer's. Also the namespace runtime sealers used before
/// they had a domain of their own, which [`SealerBuilder::also_open_legacy`] still opens.
///
/// [`SealerBuilder::also_open_legacy`]: crate::SealerBuilder::also_open_legacy
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Namespace<'a> {
    pub format: Format,
    /// Schema fingerprint; only part of the namespace for the postcard codec.
    pub schema: u64,
    pub salt: &'a str,
    /// The `+one-time` label: only for a runtime one-time sealer's legacy namespace (derived
    /// types never set it).
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

/// What tells apart the namespaces cached under one static salt.
type Tag = (Format, u64, bool);

/// A runtime sealer's namespace (always the JSON codec): its own derivation domain, apart from
/// every derived type's ([`Namespace`]) whatever the salts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RuntimeNamespace<'a> {
    pub mode: Mode,
    pub salt: &'a RuntimeSalt,
    /// A runtime one-time sealer's (`SealerBuilder::one_time`): a namespace of its own, so its
    /// tokens (which carry a claims block) and a plain sealer's values never open as each
    /// other.
    pub one_time: bool,
}

impl RuntimeNamespace<'_> {
    /// The HKDF info string; FORMAT.md documents it. Derived types' info strings continue
    /// `typed-cookies/v1/` with `signed` or `encrypted`, never with `runtime`.
    pub fn info(&self) -> String {
        let kind = if self.one_time { "+one-time" } else { "" };
        format!(
            "typed-cookies/v1/runtime/{}{kind}/{}",
            self.mode.label(),
            self.salt
        )
    }
}

/// A ready-to-use primitive keyed with one subkey.
pub(crate) enum Subkey {
    Signed(Hmac<Sha256>),
    Encrypted(Box<Cipher>),
}

impl Subkey {
    fn derive(master: &Key, mode: Mode, info: &[u8]) -> Self {
        let mut okm = Zeroizing::new([0u8; 32]);
        Hkdf::<Sha256>::new(None, master.material())
            .expand(info, okm.as_mut())
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        match mode {
            Mode::Signed => Subkey::Signed(
                <Hmac<Sha256> as Mac>::new_from_slice(okm.as_ref())
                    .expect("HMAC takes any key length"),
            ),
            Mode::Encrypted => Subkey::Encrypted(Box::new(aead::new_cipher(&okm))),
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

/// The key of a runtime cache entry: SHA-256 of the namespace's HKDF info. Fixed-size, so a
/// salt of any length costs the cache 32 bytes; collision-resistant, so two namespaces never
/// share an entry.
type InfoDigest = [u8; 32];

/// Subkey cache of one ring: derived types' namespaces, and a bounded LRU of runtime ones.
pub(crate) struct SubkeyCache {
    fixed: ArcSwap<StaticMap>,
    runtime: Mutex<LruCache<InfoDigest, Arc<NamespaceKeys>, RandomState>>,
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
        let derived =
            NamespaceKeys::derive(ring, namespace.format.mode, namespace.info().as_bytes());
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

    /// The subkeys of a runtime sealer's namespace for every key of `ring`, from the bounded
    /// LRU cache or derived (and cached, evicting the least recently used entry when full).
    pub fn get_runtime(
        &self,
        ring: &[Key],
        namespace: &RuntimeNamespace<'_>,
    ) -> Arc<NamespaceKeys> {
        self.get_by_info(ring, namespace.mode, namespace.info().as_bytes())
    }

    /// The subkeys of a derived-domain `namespace` whose salt is not `'static` (a runtime
    /// sealer's legacy namespace, tests), through the same bounded LRU cache.
    pub fn get(&self, ring: &[Key], namespace: &Namespace<'_>) -> Arc<NamespaceKeys> {
        self.get_by_info(ring, namespace.format.mode, namespace.info().as_bytes())
    }

    fn get_by_info(&self, ring: &[Key], mode: Mode, info: &[u8]) -> Arc<NamespaceKeys> {
        let key: InfoDigest = Sha256::digest(info).into();
        if let Some(found) = self.runtime().get(&key) {
            return Arc::clone(found);
        }
        // Derived outside the lock: HKDF is the slow part, and two threads deriving the same
        // new namespace at once both get correct (equal) subkeys.
        let derived = NamespaceKeys::derive(ring, mode, info);
        let mut runtime = self.runtime();
        if let Some(found) = runtime.get(&key) {
            return Arc::clone(found);
        }
        runtime.put(key, Arc::clone(&derived));
        derived
    }

    fn runtime(
        &self,
    ) -> std::sync::MutexGuard<'_, LruCache<InfoDigest, Arc<NamespaceKeys>, RandomState>> {
        // A panic while the lock was held cannot leave the map half-updated in a way that
        // matters: every entry is complete, and a missing one is derived again.
        self.runtime.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Number of runtime namespaces cached (at most [`RUNTIME_SALTS`]).
    pub fn runtime_len(&self) -> usize {
        self.runtime().len()
    }

    /// Number of cached namespaces, both kinds (for tests).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        let fixed: usize = self.fixed.load().values().map(Vec::len).sum();
        fixed + self.runtime_len()
    }
}

impl NamespaceKeys {
    fn derive(ring: &[Key], mode: Mode, info: &[u8]) -> Arc<Self> {
        Arc::new(Self {
            ids: ring.iter().map(Key::id).collect(),
            keys: ring
                .iter()
                .map(|key| Subkey::derive(key, mode, info))
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

    fn rt(mode: Mode, salt: &RuntimeSalt) -> RuntimeNamespace<'_> {
        RuntimeNamespace {
            mode,
            salt,
            one_time: false,
        }
    }

    /// Whether two signed subkeys are the same key (their MACs of one message agree).
    fn same_mac(a: &NamespaceKeys, b: &NamespaceKeys) -> bool {
        match (&a.keys[0], &b.keys[0]) {
            (Subkey::Signed(a), Subkey::Signed(b)) => {
                a.clone().chain_update(b"x").finalize() == b.clone().chain_update(b"x").finalize()
            }
            _ => panic!("signed subkeys expected"),
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
        // One entry per namespace, each keyed by its info's digest.
        assert_eq!((cache.len(), cache.runtime_len()), (5, 5));
        let salt = RuntimeSalt::single("a");
        let runtime = cache.get_runtime(&ring, &rt(Mode::Signed, &salt));
        assert!(Arc::ptr_eq(
            &runtime,
            &cache.get_runtime(&ring, &rt(Mode::Signed, &salt))
        ));
        assert_eq!(cache.runtime_len(), 6);
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
        // The same derived-domain namespace through the LRU (a legacy opener's path): the
        // same subkey bytes.
        let legacy = cache.get(&ring, &ns(Mode::Signed, Codec::Json, 0, "s"));
        assert!(
            cache.with(&ring, &ns(Mode::Signed, Codec::Json, 0, S), |k| {
                same_mac(k, &legacy)
            })
        );
        // A runtime sealer of the same salt: another domain, another subkey.
        let runtime = cache.get_runtime(&ring, &rt(Mode::Signed, &RuntimeSalt::single("s")));
        assert!(
            cache.with(&ring, &ns(Mode::Signed, Codec::Json, 0, S), |k| {
                !same_mac(k, &runtime)
            })
        );
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
        let (kept_salt, dropped_salt) =
            (RuntimeSalt::single("kept"), RuntimeSalt::single("dropped"));
        let kept = cache.get_runtime(&ring, &rt(Mode::Signed, &kept_salt));
        let dropped = cache.get_runtime(&ring, &rt(Mode::Signed, &dropped_salt));
        for i in 0..RUNTIME_SALTS * 3 {
            if i % 100 == 0 {
                cache.get_runtime(&ring, &rt(Mode::Signed, &kept_salt));
            }
            let salt = RuntimeSalt::single(&format!("salt {i}"));
            cache.get_runtime(&ring, &rt(Mode::Signed, &salt));
            assert!(cache.runtime_len() <= RUNTIME_SALTS);
        }
        assert_eq!(cache.runtime_len(), RUNTIME_SALTS);
        assert!(Arc::ptr_eq(
            &kept,
            &cache.get_runtime(&ring, &rt(Mode::Signed, &kept_salt))
        ));
        let again = cache.get_runtime(&ring, &rt(Mode::Signed, &dropped_salt));
        assert!(!Arc::ptr_eq(&dropped, &again));
        assert!(same_mac(&dropped, &again), "derived again, the same subkey");
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
        let legacy_one_time = Namespace {
            one_time: true,
            ..ns(Mode::Signed, Codec::Json, 0, "x.y")
        };
        assert_eq!(
            legacy_one_time.info(),
            "typed-cookies/v1/signed+one-time/x.y"
        );
        let salt = RuntimeSalt::single("x.y");
        assert_eq!(
            rt(Mode::Encrypted, &salt).info(),
            format!("typed-cookies/v1/runtime/encrypted/{salt}")
        );
        let one_time = RuntimeNamespace {
            one_time: true,
            ..rt(Mode::Signed, &salt)
        };
        assert_eq!(
            one_time.info(),
            format!("typed-cookies/v1/runtime/signed+one-time/{salt}")
        );
    }

    #[test]
    fn a_one_time_namespace_is_cached_apart_from_the_plain_one() {
        let ring = [Key::generate()];
        let cache = SubkeyCache::default();
        let salt = RuntimeSalt::single("s");
        let plain = cache.get_runtime(&ring, &rt(Mode::Signed, &salt));
        let one_time = RuntimeNamespace {
            one_time: true,
            ..rt(Mode::Signed, &salt)
        };
        let once = cache.get_runtime(&ring, &one_time);
        assert!(!Arc::ptr_eq(&plain, &once));
        assert!(!same_mac(&plain, &once));
        assert!(Arc::ptr_eq(&once, &cache.get_runtime(&ring, &one_time)));
        assert_eq!((cache.len(), cache.runtime_len()), (2, 2));
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
