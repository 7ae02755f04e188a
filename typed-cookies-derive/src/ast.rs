//! Step 1, parse: the derive input as the later steps see it — the type, its `#[cookie(...)]`
//! keys as written ([`RawAttrs`], from [`crate::attr`]) and the path generated code names the
//! runtime crate by.

use syn::DeriveInput;

use crate::attr::{self, RawAttrs};
use crate::ctxt::Ctxt;

/// A parsed `#[derive(SealedCookie)]` input.
pub struct Input<'a> {
    /// The type as `syn` parsed it (its name, shape and fields).
    pub derive: &'a DeriveInput,
    /// The attribute's keys, not yet checked against each other.
    pub attrs: RawAttrs,
    /// `crate = ".."`, or `::typed_cookies`: computed here once, used by the real impl and by
    /// the fallback impl alike (a user who only has a re-export must not get an extra
    /// "unresolved `typed_cookies`" error next to the real one).
    pub krate: syn::Path,
}

impl<'a> Input<'a> {
    /// Parses `derive`'s `#[cookie(...)]` attributes, reporting what cannot be parsed to `cx`.
    pub fn from_syn(derive: &'a DeriveInput, cx: &Ctxt) -> Self {
        let mut attrs = attr::parse(&derive.attrs, cx);
        let krate = attrs
            .krate
            .take()
            .map_or_else(|| syn::parse_quote!(::typed_cookies), |k| k.value);
        Self {
            derive,
            attrs,
            krate,
        }
    }
}
