//! Step 2, validate: checks a parsed [`Input`] — the type's shape and every key of its
//! `#[cookie(...)]`, alone and against each other — and turns it into a [`Config`]. Every
//! error goes to the [`Ctxt`] on the span of the token that causes it; the rules live in one
//! file per group:
//!
//! - [`shape`]: what kind of type can be a cookie (no unions, no generics);
//! - [`name`]: the cookie name (RFC 6265 token, `__Host-`/`__Secure-` prefixes) and the salt;
//! - [`lifetime`]: `max_age` / `no_expiry`, `idle`, `refresh` and how durations are written;
//! - [`attributes`]: `path`, `domain`, `same_site`, `secure`, `http_only`, `partitioned`,
//!   `priority`, `codec`;
//! - [`defence`]: `bind`, `revocable`, `one_time`, `replay`, `if_store_down`;
//! - [`compress`]: `compress`, and the explicit opt-in it needs beside `encrypt`.
//!
//! Errors are reported in a fixed order (shape, then the groups as [`check`] calls them, then
//! missing keys), which the ui snapshots pin.

mod attributes;
mod compress;
mod defence;
mod lifetime;
mod name;
mod shape;

use proc_macro2::Span;

use crate::ast::Input;
use crate::attr::{RawAttrs, Spanned};
use crate::config::Config;
use crate::ctxt::Ctxt;

/// Checks `input`, reporting every error to `cx`. `None` when a required key is missing (an
/// error was reported then); a `Some` is only valid once `cx` checks clean.
pub fn check(input: &Input, cx: &Ctxt) -> Option<Config> {
    shape::check(input.derive, cx);
    let raw = &input.attrs;
    let Some(anchor) = raw.attr_span else {
        cx.missing(
            input.derive.ident.span(),
            "missing #[cookie(...)]: SealedCookie needs at least \
             `#[cookie(name = \"sid\", salt = \"my_app.session.v1\", max_age = \"2h\")]`",
        );
        return None;
    };
    let name = required(
        raw,
        &raw.name,
        anchor,
        "name",
        "the cookie's name, e.g. `name = \"__Host-sid\"`",
        cx,
    );
    let salt = required(
        raw,
        &raw.salt,
        anchor,
        "salt",
        "this type's namespace, e.g. `salt = \"shop.session.v1\"`",
        cx,
    );
    if let Some(name) = name {
        name::token(name, cx);
    }
    if let Some(salt) = salt {
        name::salt(salt, cx);
    }
    let lifetime = lifetime::check(raw, anchor, cx);
    let attributes = attributes::check(raw, cx);
    if let Some(name) = name {
        name::prefixes(name, raw, attributes.secure, cx);
    }
    attributes::need_secure(raw, &attributes, cx);
    let defence = defence::check(raw, lifetime.max_age, cx);
    let compress = compress::check(raw, cx);

    let (name, salt) = (name?, salt?);
    Some(Config {
        name: name.value.clone(),
        name_span: name.span,
        salt: salt.value.clone(),
        salt_span: salt.span,
        max_age: lifetime.max_age,
        idle: lifetime.idle,
        refresh: lifetime.refresh,
        clear_invalid: raw.clear_invalid.as_ref().is_none_or(|c| c.value),
        encrypt: raw.encrypt.is_some(),
        compress,
        postcard: attributes.postcard,
        path: attributes.path,
        domain: attributes.domain,
        same_site: attributes.same_site,
        secure: attributes.secure,
        http_only: attributes.http_only,
        partitioned: attributes.partitioned,
        priority: attributes.priority,
        flash: lifetime.flash,
        replaces: raw.replaces.as_ref().map(|r| r.value.clone()),
        defence,
    })
}

/// `slot`, or an error on `anchor` saying `key` is missing — unless the user wrote `key` (or a
/// misspelling of it) and that mistake was already reported.
fn required<'r, T>(
    raw: &RawAttrs,
    slot: &'r Option<Spanned<T>>,
    anchor: Span,
    key: &str,
    what: &str,
    cx: &Ctxt,
) -> Option<&'r Spanned<T>> {
    if slot.is_none() && !raw.mentions(key) {
        cx.missing(anchor, format_args!("missing `{key}`: {what}"));
    }
    slot.as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Priority, SameSite};

    /// The config `input` validates to, or the error messages it produces, in order.
    fn validate(input: proc_macro2::TokenStream) -> Result<Config, Vec<String>> {
        let derive = syn::parse2(input).unwrap();
        let cx = Ctxt::new();
        let config = check(&Input::from_syn(&derive, &cx), &cx);
        match cx.check() {
            Ok(()) => Ok(config.expect("no errors but no config")),
            Err(e) => Err(e.into_iter().map(|e| e.to_string()).collect()),
        }
    }

    /// The error messages `input` produces, in order.
    fn errors(input: proc_macro2::TokenStream) -> Vec<String> {
        validate(input).err().unwrap_or_default()
    }

    #[test]
    fn a_valid_attribute_has_no_errors() {
        let input = quote::quote! {
            #[cookie(name = "__Host-sid", salt = "s", max_age = 3600, encrypt, same_site = "none")]
            struct S;
        };
        assert_eq!(errors(input), Vec::<String>::new());
    }

    #[test]
    fn a_wrong_value_is_not_also_reported_missing() {
        let e = errors(quote::quote! {
            #[cookie(name = 5, salt = "s", max_age = 2.5)]
            struct S;
        });
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].contains("`name` takes a string literal"), "{e:?}");
        assert!(e[1].contains("`max_age` takes a duration"), "{e:?}");
    }

    #[test]
    fn a_misspelt_key_is_not_also_reported_missing() {
        let e = errors(quote::quote! {
            #[cookie(nmae = "sid", salt = "s", max_agee = "2h")]
            struct S;
        });
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].contains("did you mean `name`?"), "{e:?}");
        assert!(e[1].contains("did you mean `max_age`?"), "{e:?}");
    }

    #[test]
    fn an_unrelated_unknown_key_lists_the_keys_and_missing_ones_are_reported() {
        let e = errors(quote::quote! {
            #[cookie(name = "sid", salt = "s", lifetime = "2h")]
            struct S;
        });
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].contains("expected one of `name`, `salt`"), "{e:?}");
        assert!(e[1].contains("missing `max_age`"), "{e:?}");
    }

    #[test]
    fn every_error_of_the_attribute_at_once() {
        let e = errors(quote::quote! {
            #[cookie(name = "a b", max_age = "3y", encrpyt, domain = "x.com", secure = false, same_site = "none")]
            struct S<T>(T);
        });
        assert_eq!(e.len(), 6, "{e:?}");
    }

    #[test]
    fn shape_errors_come_first_missing_keys_last() {
        let e = errors(quote::quote! {
            #[cookie(name = "sid", max_age = "2fortnights", encrpyt)]
            struct S<T>(T);
        });
        assert_eq!(e.len(), 4, "{e:?}");
        assert!(e[0].contains("generic type"), "{e:?}");
        assert!(e[1].contains("unknown key `encrpyt`"), "{e:?}");
        assert!(e[2].contains("unknown unit `fortnights`"), "{e:?}");
        assert!(e[3].contains("missing `salt`"), "{e:?}");
    }

    #[test]
    fn no_attribute_is_one_error() {
        let e = errors(quote::quote!(
            struct S;
        ));
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("missing #[cookie(...)]"), "{e:?}");
    }

    #[test]
    fn broken_syntax_is_not_followed_by_missing_keys() {
        let e = errors(quote::quote! {
            #[cookie(name = "sid" salt = "s", max_age = "2h")]
            struct S;
        });
        assert_eq!(e.len(), 1, "{e:?}");
    }

    #[test]
    fn prefixes_are_matched_case_insensitively() {
        let e = errors(quote::quote! {
            #[cookie(name = "__host-sid", salt = "s", max_age = "2h", path = "/a")]
            struct S;
        });
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("`__Host-` cookie must have Path=/"), "{e:?}");
    }

    #[test]
    fn defaults() {
        let Ok(config) = validate(quote::quote! {
            #[cookie(name = "sid", salt = "s", no_expiry)]
            struct S;
        }) else {
            panic!("refused")
        };
        assert_eq!(
            (config.max_age, config.idle, config.refresh),
            (None, None, None)
        );
        assert_eq!((config.path.as_str(), config.domain), ("/", None));
        assert_eq!(config.same_site, SameSite::Lax);
        assert!(config.secure && config.http_only && config.clear_invalid);
        assert!(!config.encrypt && !config.postcard && !config.partitioned);
        assert_eq!(config.priority, None);
    }

    #[test]
    fn partitioned_and_priority() {
        let Ok(config) = validate(quote::quote! {
            #[cookie(name = "__Host-embed", salt = "s", max_age = "1h", partitioned, same_site = "none", priority = "High")]
            struct S;
        }) else {
            panic!("refused")
        };
        assert!(config.partitioned);
        assert_eq!(config.priority, Some(Priority::High));
        for (written, priority) in [("low", Priority::Low), ("medium", Priority::Medium)] {
            let Ok(config) = validate(quote::quote! {
                #[cookie(name = "sid", salt = "s", max_age = "1h", priority = #written)]
                struct S;
            }) else {
                panic!("refused {written}")
            };
            assert_eq!(config.priority, Some(priority));
        }
    }

    #[test]
    fn compress_is_free_when_signed_and_explicit_when_encrypted() {
        let compresses = |input| validate(input).map(|c| c.compress);
        assert_eq!(
            compresses(quote::quote! {
                #[cookie(name = "sid", salt = "s", max_age = "1h", compress)]
                struct S;
            }),
            Ok(true)
        );
        assert_eq!(
            compresses(quote::quote! {
                #[cookie(name = "sid", salt = "s", max_age = "1h")]
                struct S;
            }),
            Ok(false)
        );
        for encrypt in [quote::quote!(encrypt,), quote::quote!()] {
            assert_eq!(
                compresses(quote::quote! {
                    #[cookie(name = "sid", salt = "s", max_age = "1h", #encrypt compress = "i_understand_compression_leaks_length")]
                    struct S;
                }),
                Ok(true)
            );
        }
        let e = errors(quote::quote! {
            #[cookie(name = "sid", salt = "s", max_age = "1h", encrypt, compress)]
            struct S;
        });
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("`compress` with `encrypt`"), "{e:?}");
        assert!(e[0].contains("CRIME/BREACH"), "{e:?}");
        assert!(
            e[0].contains("compress = \"i_understand_compression_leaks_length\""),
            "{e:?}"
        );
        let e = errors(quote::quote! {
            #[cookie(name = "sid", salt = "s", max_age = "1h", encrypt, compress = "yes")]
            struct S;
        });
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("unknown `compress = \"yes\"`"), "{e:?}");
        let e = errors(quote::quote! {
            #[cookie(name = "sid", salt = "s", max_age = "1h", compress = true)]
            struct S;
        });
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("`compress` is a flag"), "{e:?}");
    }

    #[test]
    fn domains_are_host_names() {
        for written in ["example.com", ".Example.com", "localhost", "127.0.0.1"] {
            let Ok(config) = validate(quote::quote! {
                #[cookie(name = "sid", salt = "s", max_age = "1h", domain = #written)]
                struct S;
            }) else {
                panic!("refused {written}")
            };
            // Kept as written: the runtime drops the leading dot when writing `Domain=`.
            assert_eq!(config.domain.as_deref(), Some(written));
        }
        for (written, problem) in [
            (".", "there is nothing after the leading dot"),
            ("..", "two dots in a row"),
            ("a..com", "two dots in a row"),
            ("example.com.", "ends with a dot"),
            (".-", "the label `-` starts or ends with `-`"),
            ("", "it is empty"),
            ("example.com/", "'/' is not allowed"),
        ] {
            let e = errors(quote::quote! {
                #[cookie(name = "sid", salt = "s", max_age = "1h", domain = #written)]
                struct S;
            });
            assert_eq!(e.len(), 1, "{written:?}: {e:?}");
            assert!(
                e[0].starts_with(
                    "`domain` must be a host name such as \"example.com\" (labels of letters, \
                     digits and `-`, separated by single dots; one leading dot allowed): "
                ),
                "{e:?}"
            );
            assert!(e[0].contains(problem), "{written:?}: {e:?}");
        }
    }

    #[test]
    fn partitioned_requires_secure() {
        let e = errors(quote::quote! {
            #[cookie(name = "sid", salt = "s", max_age = "1h", partitioned, secure = false)]
            struct S;
        });
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("`partitioned` requires `Secure`"), "{e:?}");
        assert!(e[0].contains("remove `secure = false`"), "{e:?}");
    }

    #[test]
    fn partitioned_is_a_flag() {
        let e = errors(quote::quote! {
            #[cookie(name = "sid", salt = "s", max_age = "1h", partitioned = true)]
            struct S;
        });
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("`partitioned` is a flag"), "{e:?}");
    }

    #[test]
    fn unknown_priorities() {
        let e = errors(quote::quote! {
            #[cookie(name = "sid", salt = "s", max_age = "1h", priority = "hihg")]
            struct S;
        });
        assert_eq!(
            e,
            ["unknown `priority = \"hihg\"`; did you mean \"high\"?"],
            "{e:?}"
        );
        let e = errors(quote::quote! {
            #[cookie(name = "sid", salt = "s", max_age = "1h", priority = "urgent")]
            struct S;
        });
        assert_eq!(
            e,
            ["unknown `priority = \"urgent\"`; expected \"low\", \"medium\" or \"high\" (or no `priority`)"],
            "{e:?}"
        );
        let e = errors(quote::quote! {
            #[cookie(name = "sid", salt = "s", max_age = "1h", priority = 3)]
            struct S;
        });
        assert!(e[0].contains("`priority` takes a string literal"), "{e:?}");
    }
}
