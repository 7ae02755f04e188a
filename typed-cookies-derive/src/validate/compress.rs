//! `compress`: raw-DEFLATE payloads when that makes them shorter. Free for signed types (their
//! payload is readable anyway, so its length reveals nothing new). An encrypted type must opt
//! in with `compress = "i_understand_compression_leaks_length"`: compressing a secret next to
//! data an attacker can influence turns the value's length into an oracle for the secret
//! (CRIME/BREACH), and the derive cannot see which fields an attacker influences.

use crate::attr::RawAttrs;
use crate::ctxt::Ctxt;

/// The explicit opt-in to compressing an encrypted type.
pub const LEAKS_LENGTH: &str = "i_understand_compression_leaks_length";

/// Whether the type compresses; reports a bare `compress` on an encrypted type and any other
/// string.
pub fn check(raw: &RawAttrs, cx: &Ctxt) -> bool {
    let Some(compress) = &raw.compress else {
        return false;
    };
    match (&compress.value, raw.encrypt) {
        (None, None) => true,
        (None, Some(_)) => {
            cx.error(
                compress.span,
                format_args!(
                    "`compress` with `encrypt` lets an attacker read secrets through the cookie's \
                     length: when a value holds a secret and data the attacker influences (a \
                     search term, a name they chose), a guess that matches the secret compresses \
                     better and shortens the value (CRIME/BREACH). If nothing in this type is \
                     attacker-influenced, opt in with `compress = \"{LEAKS_LENGTH}\"`; otherwise \
                     remove `compress`"
                ),
            );
            false
        }
        (Some(text), _) if text == LEAKS_LENGTH => true,
        (Some(other), _) => {
            cx.error(
                compress.span,
                format_args!(
                    "unknown `compress = \"{other}\"`; write `compress` (signed types) or \
                     `compress = \"{LEAKS_LENGTH}\"` (also allowed with `encrypt`)"
                ),
            );
            false
        }
    }
}
