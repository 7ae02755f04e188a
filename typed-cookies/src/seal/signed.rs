//! Signed mode: `body = payload ‖ HMAC-SHA256(subkey, header ‖ payload)`.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::wire::format::MAC_LEN;

/// Appends the MAC of everything in `buf` (header and payload) to `buf`.
pub(crate) fn sign(mac: &Hmac<Sha256>, buf: &mut Vec<u8>) {
    let mut mac = mac.clone();
    mac.update(buf);
    buf.extend_from_slice(&mac.finalize().into_bytes());
}

/// Checks the trailing MAC of `sealed` (header ‖ payload ‖ mac) in constant time; returns
/// whether it is authentic. The caller guarantees `sealed.len() >= MAC_LEN`.
pub(crate) fn verify(mac: &Hmac<Sha256>, sealed: &[u8]) -> bool {
    let (signed, tag) = sealed.split_at(sealed.len() - MAC_LEN);
    let mut mac = mac.clone();
    mac.update(signed);
    mac.verify_slice(tag).is_ok()
}
