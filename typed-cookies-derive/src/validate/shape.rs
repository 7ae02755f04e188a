//! What kind of type can be a cookie: a struct or an enum without generic parameters.

use syn::{Data, DeriveInput};

use crate::ctxt::Ctxt;

/// Refuses unions (serde cannot serialize them) and generic types (one type, one salt).
pub fn check(input: &DeriveInput, cx: &Ctxt) {
    if let Data::Union(u) = &input.data {
        cx.shape_error(
            u.union_token.span,
            "SealedCookie cannot be derived for a union; use a struct or an enum (serde cannot serialize unions)",
        );
    }
    if !input.generics.params.is_empty() {
        cx.shape_error(
            syn::spanned::Spanned::span(&input.generics),
            "SealedCookie cannot be derived for a generic type: each cookie type needs one fixed salt namespace; \
             make a concrete type (or a newtype around the instantiation you need)",
        );
    }
}
