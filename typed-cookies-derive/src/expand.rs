//! Step 3, generate — and the driver of all three steps. [`derive`] parses the input
//! ([`crate::ast`]), validates it ([`crate::validate`]) and writes the checked [`Config`] out as
//! `impl SealedCookie` (one `const`, no logic), `impl Stateless` when the type declares no
//! stolen-cookie defence (so the plain seal/open API accepts it), the salt-uniqueness guard
//! and the cookie-uniqueness guard (or, with `replaces`, the check that the replaced type sets
//! the same cookie). When parsing or validation found errors, [`crate::fallback`] writes them instead.
//! Generating never validates and never fails.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use sha2::{Digest, Sha256};
use syn::spanned::Spanned as _;
use syn::DeriveInput;

use crate::ast::Input;
use crate::config::{Config, Defence, Priority, SameSite, Tracking};
use crate::ctxt::Ctxt;
use crate::fallback::{self, Invalid};
use crate::schema;
use crate::validate;

/// The builder calls of the stolen-cookie defences (nothing for a type without any).
fn defence(krate: &syn::Path, defence: &Defence) -> TokenStream {
    let mut out = TokenStream::new();
    for (on, part) in [
        (defence.bind_user_agent, quote!(USER_AGENT)),
        (defence.bind_ip, quote!(IP)),
        (defence.bind_app, quote!(APP)),
    ] {
        if on {
            out.extend(quote!(.bind(#krate::Binding::#part)));
        }
    }
    match defence.tracking {
        Tracking::None => {}
        Tracking::Revocable => out.extend(quote!(.tracking(#krate::Tracking::Revocable))),
        Tracking::OneTime => out.extend(quote!(.tracking(#krate::Tracking::OneTime))),
    }
    if let Some(grace) = defence.replay {
        out.extend(quote!(.replay(#grace)));
    }
    if defence.fail_open {
        out.extend(quote!(.fail_open(true)));
    }
    out
}

/// The whole derive output for `input`: the real impl, or the errors and a fallback impl.
pub fn derive(input: &DeriveInput) -> TokenStream {
    match try_expand(input) {
        Ok(expanded) => expanded,
        Err(invalid) => fallback::expand(input, invalid),
    }
}

/// Parse, validate, generate.
fn try_expand(input: &DeriveInput) -> Result<TokenStream, Invalid> {
    let cx = Ctxt::new();
    let input = Input::from_syn(input, &cx);
    let config = validate::check(&input, &cx);
    let config = match (cx.check(), config) {
        (Ok(()), Some(config)) => config,
        (Err(errors), _) => return Err(Invalid::new(errors, input.krate)),
        // Not reached: `validate::check` reports an error whenever it returns `None`.
        (Ok(()), None) => {
            let errors = syn::Error::new(input.derive.ident.span(), "invalid #[cookie(...)]");
            return Err(Invalid::new(errors, input.krate));
        }
    };
    Ok(generate(&input, &config))
}

fn generate(input: &Input, config: &Config) -> TokenStream {
    let krate = &input.krate;
    let ident = &input.derive.ident;
    let Config {
        name, salt, path, ..
    } = config;
    let lifetime = match config.max_age {
        Some(secs) => quote!(#krate::Lifetime::MaxAgeSeconds(#secs)),
        None => quote!(#krate::Lifetime::NoExpiry),
    };
    let encrypted = config.encrypt.then(|| quote!(.encrypted()));
    let compress = config.compress.then(|| quote!(.compress()));
    let idle = config.idle.map(|secs| quote!(.idle(#secs)));
    let refresh = config.refresh.map(|secs| quote!(.refresh(#secs)));
    let clear_invalid = (!config.clear_invalid).then(|| quote!(.clear_invalid(false)));
    let codec = config.postcard.then(|| {
        let schema = schema::fingerprint(input.derive);
        quote!(.codec(#krate::Codec::Postcard, #schema))
    });
    let domain = config.domain.as_ref().map(|d| quote!(.domain(#d)));
    let same_site = match config.same_site {
        SameSite::Strict => quote!(Strict),
        SameSite::Lax => quote!(Lax),
        SameSite::None => quote!(None),
    };
    let (secure, http_only) = (config.secure, config.http_only);
    let partitioned = config.partitioned.then(|| quote!(.partitioned(true)));
    let flash = config.flash.then(|| quote!(.flash(true)));
    let priority = config.priority.map(|priority| {
        let priority = match priority {
            Priority::Low => quote!(Low),
            Priority::Medium => quote!(Medium),
            Priority::High => quote!(High),
        };
        quote!(.priority(#krate::Priority::#priority))
    });
    let stateless = config
        .defence
        .is_stateless()
        .then(|| stateless_impl(krate, ident));
    let defence = defence(krate, &config.defence);
    // The impl is spanned on the type so that "`Session: Serialize` is not satisfied" points at it.
    let impl_block = quote_spanned! {ident.span()=>
        #[automatically_derived]
        #[allow(unused_qualifications)]
        impl #krate::SealedCookie for #ident {
            const CONFIG: #krate::CookieConfig =
                #krate::__private::ConfigBuilder::new(#name, #salt, #lifetime)
                    #encrypted
                    #compress
                    #codec
                    #idle
                    #refresh
                    #clear_invalid
                    .path(#path)
                    #domain
                    .same_site(#krate::SameSite::#same_site)
                    .secure(#secure)
                    .http_only(#http_only)
                    #partitioned
                    #flash
                    #priority
                    #defence
                    .build();
        }
    };
    let guard = salt_guard(salt, config.salt_span);
    let cookie_guard = match &config.replaces {
        None => cookie_guard(name, path, config.domain.as_deref(), config.name_span),
        Some(old) => replaces_check(krate, ident, old),
    };
    quote! {
        #impl_block
        #stateless
        #guard
        #cookie_guard
    }
}

/// `impl Stateless`, which the plain seal/open API requires. Its `where` clause (higher-ranked,
/// so that rustc accepts a bound without generic parameters) makes the supertrait
/// `SealedCookie` an assumption of the impl rather than something it proves again: a type
/// that is not `Serialize` then gets one error, on the `SealedCookie` impl, instead of the
/// same error twice.
pub fn stateless_impl(krate: &syn::Path, ident: &syn::Ident) -> TokenStream {
    quote_spanned! {ident.span()=>
        #[automatically_derived]
        #[allow(unused_qualifications)]
        impl #krate::Stateless for #ident
        where
            for<'__stateless> #ident: #krate::SealedCookie,
        {
        }
    }
}

/// A `#[macro_export]` macro named after the salt: a second type with the same salt in this
/// crate defines it again, and rustc refuses the crate with "the name
/// `__typed_cookies_duplicate_salt_<salt>_<hash>` is defined multiple times". The name is
/// spanned on the salt literal, so that error points at both `salt = "..."`.
///
/// `#[macro_export]` puts every such macro at the crate root wherever the type is declared (even
/// in a function body), so modules don't hide duplicates; other crates have their own root, so the guard cannot see them.
fn salt_guard(salt: &str, salt_span: Span) -> TokenStream {
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
        span = salt_span
    );
    // `non_local_definitions` would warn when the type is declared inside a function body; the
    // guard is meant to land at the crate root from anywhere, so that is not a mistake here.
    quote_spanned! {salt_span=>
        #[doc(hidden)]
        #[allow(non_local_definitions)]
        #[macro_export]
        macro_rules! #guard { () => {}; }
    }
}

/// Like [`salt_guard`], keyed by what a browser keys a cookie by: its name (exact bytes),
/// `Path` and `Domain` (lowercased, a leading dot dropped; none = host-only). Two types in one
/// crate that set the same browser cookie overwrite each other, so the second definition
/// fails with "the name `__typed_cookies_cookie_<name>_is_set_by_two_types__if_intended_add_replaces_<hash>` is defined
/// multiple times", pointing at both `name = "..."`. A type that means to take over another's
/// cookie says `replaces = "OldType"` and writes no guard (see [`replaces_check`]).
fn cookie_guard(name: &str, path: &str, domain: Option<&str>, name_span: Span) -> TokenStream {
    let readable: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(48)
        .collect();
    let domain = domain.map(|d| d.strip_prefix('.').unwrap_or(d).to_ascii_lowercase());
    let mut hasher = Sha256::new();
    // Length-prefixed, so no two (name, path, domain) triples hash the same input.
    for part in [Some(name), Some(path), domain.as_deref()] {
        match part {
            Some(part) => {
                hasher.update([1]);
                hasher.update((part.len() as u64).to_be_bytes());
                hasher.update(part.as_bytes());
            }
            None => hasher.update([0]),
        }
    }
    let digest = hasher.finalize();
    let hash: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    let guard = format_ident!(
        "__typed_cookies_cookie_{}_is_set_by_two_types__if_intended_add_replaces_{}",
        readable,
        hash,
        span = name_span
    );
    quote_spanned! {name_span=>
        #[doc(hidden)]
        #[allow(non_local_definitions)]
        #[macro_export]
        macro_rules! #guard { () => {}; }
    }
}

/// `replaces = "OldType"`: a compile-time check that `OldType` is a cookie type setting the same
/// browser cookie (name, path, domain) as this one, so the opt-in cannot silently go stale.
fn replaces_check(krate: &syn::Path, ident: &syn::Ident, old: &syn::Path) -> TokenStream {
    let old_text = quote!(#old).to_string().replace(' ', "");
    let message = format!(
        "`{ident}` says `replaces = \"{old_text}\"`, but `{old_text}` sets another cookie \
         (name, path or domain differ); `replaces` is only for a type that takes over the same \
         cookie, so remove it"
    );
    quote_spanned! {old.span()=>
        #[allow(unused_qualifications)]
        const _: () = {
            if !<#ident as #krate::SealedCookie>::CONFIG
                .same_browser_cookie(&<#old as #krate::SealedCookie>::CONFIG)
            {
                ::core::panic!(#message);
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn derive_str(input: TokenStream) -> String {
        derive(&syn::parse2(input).unwrap()).to_string()
    }

    #[test]
    fn valid_config_is_written_as_data() {
        let out = derive_str(quote! {
            #[cookie(name = "__Host-sid", salt = "shop.session.v1", max_age = "2h", encrypt, same_site = "strict")]
            struct Session { user_id: u64 }
        });
        assert!(!out.contains("compile_error"), "{out}");
        assert!(
            out.contains("ConfigBuilder :: new (\"__Host-sid\" , \"shop.session.v1\""),
            "{out}"
        );
        assert!(out.contains("MaxAgeSeconds (7200u32)"), "{out}");
        assert!(out.contains(". encrypted ()"), "{out}");
        assert!(out.contains("SameSite :: Strict"), "{out}");
    }

    #[test]
    fn stateless_is_implemented_only_without_defences() {
        let plain = derive_str(quote! {
            #[cookie(name = "sid", salt = "s", max_age = "2h", encrypt, idle = "30m")]
            struct Plain;
        });
        assert!(
            plain.contains("impl :: typed_cookies :: Stateless for Plain"),
            "{plain}"
        );
        for guarded in [
            quote!(
                #[cookie(name = "sid", salt = "s", max_age = "2h", revocable)]
                struct G;
            ),
            quote!(
                #[cookie(name = "sid", salt = "s", max_age = "2h", one_time)]
                struct G;
            ),
            quote!(
                #[cookie(name = "sid", salt = "s", max_age = "2h", replay = "5s")]
                struct G;
            ),
            quote!(
                #[cookie(name = "sid", salt = "s", max_age = "2h", bind = "user_agent")]
                struct G;
            ),
            quote!(
                #[cookie(name = "sid", salt = "s", max_age = "2h", bind = "ip")]
                struct G;
            ),
            quote!(
                #[cookie(name = "sid", salt = "s", max_age = "2h", bind = "app")]
                struct G;
            ),
        ] {
            let out = derive_str(guarded);
            assert!(!out.contains("compile_error"), "{out}");
            assert!(out.contains("SealedCookie for G"), "{out}");
            assert!(!out.contains("Stateless"), "{out}");
        }
    }

    #[test]
    fn partitioned_and_priority_are_written_only_when_given() {
        let out = derive_str(quote! {
            #[cookie(name = "__Host-embed", salt = "s", max_age = "2h", partitioned, same_site = "none", priority = "high")]
            struct Embed;
        });
        assert!(!out.contains("compile_error"), "{out}");
        assert!(out.contains(". partitioned (true)"), "{out}");
        assert!(
            out.contains(". priority (:: typed_cookies :: Priority :: High)"),
            "{out}"
        );
        let plain = derive_str(quote! {
            #[cookie(name = "sid", salt = "s", max_age = "2h")]
            struct Plain;
        });
        assert!(!plain.contains("partitioned"), "{plain}");
        assert!(!plain.contains("priority"), "{plain}");
    }

    #[test]
    fn cookie_guard_is_keyed_by_name_path_and_domain() {
        let guard =
            |name, path, domain| cookie_guard(name, path, domain, Span::call_site()).to_string();
        let sid = guard("__Host-sid", "/", None);
        assert!(
            sid.contains("__typed_cookies_cookie___Host_sid_is_set_by_two_types_"),
            "{sid}"
        );
        assert_eq!(sid, guard("__Host-sid", "/", None));
        // Each part counts: another name, path, or a Domain where there was none.
        for other in [
            guard("__Host_sid", "/", None),
            guard("__host-sid", "/", None),
            guard("__Host-sid", "/a", None),
            guard("__Host-sid", "/", Some("example.com")),
        ] {
            assert_ne!(sid, other);
        }
        // Browsers lowercase the domain and ignore a leading dot.
        assert_eq!(
            guard("sid", "/", Some("Example.COM")),
            guard("sid", "/", Some(".example.com"))
        );
        // Length prefixes: moving bytes between parts changes the hash.
        assert_ne!(guard("sid", "/a", Some("b")), guard("sid", "/", Some("ab")));
    }

    #[test]
    fn replaces_writes_a_check_instead_of_the_guard() {
        let out = derive_str(quote! {
            #[cookie(name = "sid", salt = "s2", max_age = "2h", replaces = "old::Session")]
            struct Session2;
        });
        assert!(!out.contains("is_set_by_two_types"), "{out}");
        assert!(out.contains("same_browser_cookie"), "{out}");
        assert!(
            out.contains("< old :: Session as :: typed_cookies :: SealedCookie >"),
            "{out}"
        );
        let plain = derive_str(quote! {
            #[cookie(name = "sid", salt = "s2", max_age = "2h")]
            struct Session2;
        });
        assert!(
            plain.contains("__typed_cookies_cookie_sid_is_set_by_two_types_"),
            "{plain}"
        );
    }

    #[test]
    fn salt_guard_is_named_after_the_salt() {
        let a = salt_guard("shop.session.v1", Span::call_site()).to_string();
        let b = salt_guard("shop-session-v1", Span::call_site()).to_string();
        assert!(
            a.contains("__typed_cookies_duplicate_salt_shop_session_v1_"),
            "{a}"
        );
        // Same readable part, different salts: the hash keeps them apart.
        assert_ne!(a, b);
        assert_eq!(
            a,
            salt_guard("shop.session.v1", Span::call_site()).to_string()
        );
    }
}
