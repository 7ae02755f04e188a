//! Not public API: what `#[derive(SealedCookie)]` expands to, and nothing else may use.
//! Generated code builds its [`CookieConfig`](crate::CookieConfig) here, after the derive checked every attribute at
//! compile time (name and attribute syntax, prefixes, lifetimes); a configuration built by
//! hand would skip those checks, which is why the public `CookieConfig` is read-only.
//! Changes here are not breaking changes (serde and thiserror keep the same kind of module).

pub use crate::cookie::builder::ConfigBuilder;
pub use crate::cookie::SealedCookie;

/// How many runtime namespaces (salt × mode × one-time, of [`KeyRing::signed`],
/// [`KeyRing::encrypted`] and their `_parts` twins) have their subkeys cached in `keys`; never
/// more than [`runtime_salt_cache_cap`]. Each entry is keyed by a 32-byte digest, whatever the
/// salt's length. A test hook, not part of the API.
///
/// [`KeyRing::signed`]: crate::KeyRing::signed
/// [`KeyRing::encrypted`]: crate::KeyRing::encrypted
pub fn runtime_salt_cache_len(keys: &crate::keys::KeyRing) -> usize {
    keys.runtime_salt_cache_len()
}

/// The most runtime namespaces a ring caches subkeys for (the least recently used is
/// evicted). A test hook, not part of the API.
pub fn runtime_salt_cache_cap() -> usize {
    crate::keys::subkeys::RUNTIME_SALTS
}
