//! The wire format: what a sealed value looks like, byte by byte ([`format`]: the header, the
//! [`Mode`] and [`Format`] it records), how a payload becomes bytes ([`codec`]) and the outer
//! encoding ([`base64url`]). No keys and no cryptography here: the engine in `seal` composes
//! these with the subkeys from `keys`. `FORMAT.md` is the specification.

pub(crate) mod base64url;
pub(crate) mod claims;
pub(crate) mod codec;
pub(crate) mod format;

pub use codec::Codec;
pub use format::{Format, Mode, KEY_ID_LEN, MAX_COOKIE_LEN, MAX_PAYLOAD_LEN};
