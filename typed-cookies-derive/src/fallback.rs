//! What the derive writes when parsing or validation failed: every error as a
//! `compile_error!`, plus (where one can be written) an impl with an inert config and the
//! `Stateless` marker, so that uses of the type elsewhere add no "trait `SealedCookie` (or
//! `Stateless`) is not implemented" cascade to the one real error (thiserror's `fallback.rs`
//! does the same). The marker is safe: the crate does not compile anyway.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput};

/// Why the real impl cannot be written: every error, and the crate path the fallback impl
/// must name the trait through (the same one the real impl would have used).
pub struct Invalid {
    errors: syn::Error,
    krate: syn::Path,
}

impl Invalid {
    /// `errors`, to be reported with an impl through `krate`.
    pub fn new(errors: syn::Error, krate: syn::Path) -> Self {
        Self { errors, krate }
    }
}

/// The errors, plus inert impls for a non-generic struct or enum (a union or a generic type
/// gets none: those are the errors, and an impl for them would only add more).
pub fn expand(input: &DeriveInput, invalid: Invalid) -> TokenStream {
    let errors = invalid.errors.to_compile_error();
    if matches!(input.data, Data::Union(_)) || !input.generics.params.is_empty() {
        return errors;
    }
    let krate = &invalid.krate;
    let ident = &input.ident;
    let stateless = crate::expand::stateless_impl(krate, ident);
    quote! {
        #errors
        #[automatically_derived]
        #[allow(unused_qualifications)]
        impl #krate::SealedCookie for #ident {
            const CONFIG: #krate::CookieConfig =
                #krate::__private::ConfigBuilder::new("invalid", "", #krate::Lifetime::MaxAgeSeconds(1))
                    .build();
        }
        #stateless
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    fn derive_str(input: proc_macro2::TokenStream) -> String {
        crate::expand::derive(&syn::parse2(input).unwrap()).to_string()
    }

    #[test]
    fn fallback_uses_the_crate_override() {
        let out = derive_str(quote! {
            #[cookie(crate = "my_cookies", name = "sid", salt = "s", max_age = "0s")]
            struct S;
        });
        assert!(out.contains("compile_error"), "{out}");
        assert!(
            out.contains("impl my_cookies :: SealedCookie for S"),
            "{out}"
        );
        assert!(out.contains("impl my_cookies :: Stateless for S"), "{out}");
        assert!(!out.contains("typed_cookies"), "{out}");
    }

    #[test]
    fn the_crate_override_survives_missing_keys() {
        let out = derive_str(quote! {
            #[cookie(crate = "my::cookies", name = "sid")]
            struct S;
        });
        assert!(out.contains("compile_error"), "{out}");
        assert!(
            out.contains("impl my :: cookies :: SealedCookie for S"),
            "{out}"
        );
    }

    #[test]
    fn fallback_defaults_to_typed_cookies() {
        let out = derive_str(quote! {
            #[cookie(name = "sid", max_age = "2h")]
            struct S;
        });
        assert!(out.contains("compile_error"), "{out}");
        assert!(
            out.contains("impl :: typed_cookies :: SealedCookie for S"),
            "{out}"
        );
    }

    #[test]
    fn no_fallback_impl_for_unions_or_generics() {
        for input in [
            quote!(#[cookie(name = "sid", salt = "s", max_age = "2h")] union U { a: u8 }),
            quote!(
                #[cookie(name = "sid", salt = "s", max_age = "2h")]
                struct G<T>(T);
            ),
        ] {
            let out = derive_str(input);
            assert!(out.contains("compile_error"), "{out}");
            assert!(!out.contains("impl"), "{out}");
        }
    }
}
