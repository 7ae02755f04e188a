//! Signed mode: `body = payload ‖ HMAC-SHA256(subkey, header ‖ payload [‖ binding])`.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::seal::BINDING_LEN;
use crate::wire::format::MAC_LEN;

/// Appends the MAC of everything in `buf` (header and payload), followed by the client
/// binding when there is one (fixed length, after the body, never written), to `buf`.
pub(crate) fn sign(mac: &Hmac<Sha256>, buf: &mut Vec<u8>, binding: Option<&[u8; BINDING_LEN]>) {
    let mut mac = mac.clone();
    mac.update(buf);
    if let Some(binding) = binding {
        mac.update(binding);
    }
    buf.extend_from_slice(&mac.finalize().into_bytes());
}

/// Checks the trailing MAC of `sealed` (header ‖ payload ‖ mac) in constant time; returns
/// whether it is authentic. The caller guarantees `sealed.len() >= MAC_LEN`.
pub(crate) fn verify(
    mac: &Hmac<Sha256>,
    sealed: &[u8],
    binding: Option<&[u8; BINDING_LEN]>,
) -> bool {
    let (signed, tag) = sealed.split_at(sealed.len() - MAC_LEN);
    let mut mac = mac.clone();
    mac.update(signed);
    if let Some(binding) = binding {
        mac.update(binding);
    }
    mac.verify_slice(tag).is_ok()
}
