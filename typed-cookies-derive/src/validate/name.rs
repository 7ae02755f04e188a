//! Names: the cookie's name (an RFC 6265 token; what the `__Host-` and `__Secure-` prefixes
//! demand of the other attributes) and the salt, the name of the type's namespace.

use crate::attr::{RawAttrs, Spanned};
use crate::ctxt::Ctxt;

/// RFC 6265 `cookie-name = token` (RFC 9110 `tchar`).
pub fn token(name: &Spanned<String>, cx: &Ctxt) {
    let tchar = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.value.is_empty() {
        cx.error(name.span, "`name` is empty; e.g. `name = \"__Host-sid\"`");
    } else if let Some(bad) = name.value.chars().find(|&c| !tchar(c)) {
        cx.error(
            name.span,
            format_args!("`name` contains {bad:?}, which a cookie name may not (RFC 6265 token: letters, digits and !#$%&'*+-.^_`|~)"),
        );
    }
}

/// A salt must name something.
pub fn salt(salt: &Spanned<String>, cx: &Ctxt) {
    if salt.value.trim().is_empty() {
        cx.error(
            salt.span,
            "`salt` is empty; give this type its own namespace, e.g. `salt = \"shop.session.v1\"`",
        );
    }
}

/// The `__Host-` and `__Secure-` prefixes (matched case-insensitively, as browsers do).
pub fn prefixes(name: &Spanned<String>, raw: &RawAttrs, secure: bool, cx: &Ctxt) {
    let lower = name.value.to_ascii_lowercase();
    let secure_span = raw.secure.as_ref().map_or(name.span, |s| s.span);
    if lower.starts_with("__host-") {
        if !secure {
            cx.error(
                secure_span,
                "a `__Host-` cookie must be Secure; remove `secure = false` (or drop the prefix)",
            );
        }
        if let Some(domain) = &raw.domain {
            cx.error(domain.span, "a `__Host-` cookie cannot have a Domain; remove `domain` (or use the `__Secure-` prefix)");
        }
        if let Some(path) = raw.path.as_ref().filter(|p| p.value != "/") {
            cx.error(path.span, "a `__Host-` cookie must have Path=/; remove `path` (or use the `__Secure-` prefix)");
        }
    } else if lower.starts_with("__secure-") && !secure {
        cx.error(
            secure_span,
            "a `__Secure-` cookie must be Secure; remove `secure = false` (or drop the prefix)",
        );
    }
}
