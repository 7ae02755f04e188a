//! Keys: [`Key`] (a master secret) and its public [`KeyId`], the [`KeyRing`] that seals with a
//! primary and opens with fallbacks, the per-namespace subkeys derived from them and cached in
//! the ring (runtime sealers' salts reduced to a digest of their parts), and [`KeyError`].

mod error;
mod key;
mod ring;
pub(crate) mod salt;
pub(crate) mod subkeys;

pub use error::KeyError;
pub use key::{Key, KeyId, MIN_KEY_LEN};
pub use ring::KeyRing;
