//! Step 3, expand: writes a validated [`Config`] out as `impl SealedCookie` (one `const`, no
//! logic) and the salt-uniqueness guard. When validation failed, writes the errors plus a
//! minimal impl so the user sees the real error and no cascade at call sites.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use sha2::{Digest, Sha256};
use syn::DeriveInput;

use crate::schema;
use crate::validate::{self, Config, SameSite};

/// The whole derive output for `input`.
pub fn derive(input: &DeriveInput) -> TokenStream {
    match validate::config(input) {
        Ok(config) => expand(input, &config),
        Err(errors) => fallback(input, errors),
    }
}

fn expand(input: &DeriveInput, config: &Config) -> TokenStream {
    let krate = &config.krate;
    let ident = &input.ident;
    let Config {
        name, salt, path, ..
    } = config;
    let lifetime = match config.max_age {
        Some(secs) => quote!(#krate::Lifetime::MaxAgeSeconds(#secs)),
        None => quote!(#krate::Lifetime::NoExpiry),
    };
    let encrypted = config.encrypt.then(|| quote!(.encrypted()));
    let codec = config.postcard.then(|| {
        let schema = schema::fingerprint(input);
        quote!(.codec(#krate::Codec::Postcard, #schema))
    });
    let domain = config.domain.as_ref().map(|d| quote!(.domain(#d)));
    let same_site = match config.same_site {
        SameSite::Strict => quote!(Strict),
        SameSite::Lax => quote!(Lax),
        SameSite::None => quote!(None),
    };
    let (secure, http_only) = (config.secure, config.http_only);
    // The impl is spanned on the type so that "`Session: Serialize` is not satisfied" points at it.
    let impl_block = quote_spanned! {ident.span()=>
        #[automatically_derived]
        #[allow(unused_qualifications)]
        impl #krate::SealedCookie for #ident {
            const CONFIG: #krate::CookieConfig = #krate::CookieConfig::new(#name, #salt, #lifetime)
                #encrypted
                #codec
                .path(#path)
                #domain
                .same_site(#krate::SameSite::#same_site)
                .secure(#secure)
                .http_only(#http_only);
        }
    };
    let guard = salt_guard(salt);
    quote! {
        #impl_block
        #guard
    }
}

/// A `#[macro_export]` macro named after the salt: a second type with the same salt in this
/// crate defines it again, and rustc refuses the crate with "the name `…<salt>…` is defined
/// multiple times", pointing at both derives.
fn salt_guard(salt: &str) -> TokenStream {
    let readable: String = salt
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(48)
        .collect();
    let digest = Sha256::digest(salt.as_bytes());
    let hash: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    let guard = format_ident!(
        "__typed_cookies_duplicate_salt_{}_{}",
        readable,
        hash,
        span = Span::call_site()
    );
    quote! {
        #[doc(hidden)]
        #[macro_export]
        #[allow(non_local_definitions)] // a type declared inside a function is still unique per crate
        macro_rules! #guard { () => {}; }
    }
}

/// The errors, plus (where one can be written) an impl with an inert config, so that uses of
/// the type elsewhere do not add "trait not implemented" errors to the real one.
fn fallback(input: &DeriveInput, errors: syn::Error) -> TokenStream {
    let errors = errors.to_compile_error();
    if !validate::can_fall_back(input) {
        return errors;
    }
    let ident = &input.ident;
    quote! {
        #errors
        #[automatically_derived]
        impl ::typed_cookies::SealedCookie for #ident {
            const CONFIG: ::typed_cookies::CookieConfig =
                ::typed_cookies::CookieConfig::new("invalid", "", ::typed_cookies::Lifetime::MaxAgeSeconds(1));
        }
    }
}
