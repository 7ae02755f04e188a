//! Step 2, validate: turns [`RawAttrs`] and the type's shape into a checked [`Config`], or every
//! error found, each on the span of the token that causes it.

use proc_macro2::Span;
use syn::{Data, DeriveInput};

use crate::attr::{self, Errors, RawAttrs, Spanned};
use crate::duration;

/// A cookie policy that passed every check; [`crate::expand`] only writes it out.
pub struct Config {
    pub name: String,
    /// Where the name was written: the duplicate-cookie error points there.
    pub name_span: Span,
    pub salt: String,
    /// Where the salt was written: the duplicate-salt error points there.
    pub salt_span: Span,
    /// `None`: `no_expiry`.
    pub max_age: Option<u32>,
    /// Inactivity timeout in seconds, shorter than `max_age`.
    pub idle: Option<u32>,
    /// Refresh point in seconds, shorter than `idle`.
    pub refresh: Option<u32>,
    pub clear_invalid: bool,
    pub encrypt: bool,
    pub postcard: bool,
    pub path: String,
    pub domain: Option<String>,
    pub same_site: SameSite,
    pub secure: bool,
    pub http_only: bool,
    pub krate: syn::Path,
    /// `replaces = "OldType"`: this type deliberately sets the same cookie (name, path,
    /// domain) as `OldType`, so it writes no duplicate-cookie guard and checks the match instead.
    pub replaces: Option<syn::Path>,
}

/// The `same_site` values.
#[derive(Clone, Copy)]
pub enum SameSite {
    Strict,
    Lax,
    None,
}

/// Why the derive cannot write the real impl: every error, and what the fallback impl needs.
pub struct Invalid {
    pub errors: syn::Error,
    /// The `crate = "..."` path, when it parsed: the fallback impl must name the trait through
    /// it too, or a user who only has the re-export would get an extra "unresolved" error.
    pub krate: syn::Path,
}

/// Parses and checks `input`'s `#[cookie(...)]` and shape.
pub fn config(input: &DeriveInput) -> Result<Config, Invalid> {
    let mut errors = Errors::default();
    shape(input, &mut errors);
    let raw = attr::parse(&input.attrs, &mut errors);
    let krate = raw
        .krate
        .as_ref()
        .map_or_else(default_crate, |k| k.value.clone());
    let config = check(raw, input.ident.span(), &mut errors);
    let invalid = |errors| Invalid {
        errors,
        krate: krate.clone(),
    };
    errors.finish().map_err(invalid)?;
    config.ok_or_else(|| {
        invalid(syn::Error::new(
            input.ident.span(),
            "invalid #[cookie(...)]",
        ))
    })
}

/// `::typed_cookies`, unless `crate = "..."` says otherwise.
pub fn default_crate() -> syn::Path {
    syn::parse_quote!(::typed_cookies)
}

/// Whether a fallback impl can be written for `input` (a non-generic struct or enum).
pub fn can_fall_back(input: &DeriveInput) -> bool {
    !matches!(input.data, Data::Union(_)) && input.generics.params.is_empty()
}

fn shape(input: &DeriveInput, errors: &mut Errors) {
    if let Data::Union(u) = &input.data {
        errors.push(
            u.union_token.span,
            "SealedCookie cannot be derived for a union; use a struct or an enum (serde cannot serialize unions)",
        );
    }
    if !input.generics.params.is_empty() {
        errors.push(
            syn::spanned::Spanned::span(&input.generics),
            "SealedCookie cannot be derived for a generic type: each cookie type needs one fixed salt namespace; \
             make a concrete type (or a newtype around the instantiation you need)",
        );
    }
}

fn check(raw: RawAttrs, type_span: Span, errors: &mut Errors) -> Option<Config> {
    let Some(anchor) = raw.attr_span else {
        errors.push(
            type_span,
            "missing #[cookie(...)]: SealedCookie needs at least \
             `#[cookie(name = \"sid\", salt = \"my_app.session.v1\", max_age = \"2h\")]`",
        );
        return None;
    };
    // "missing `key`" errors go last, after those about what was written.
    let mut missing = Errors::default();
    let name = required(
        &raw,
        raw.name.clone(),
        anchor,
        "name",
        "the cookie's name, e.g. `name = \"__Host-sid\"`",
        &mut missing,
    );
    let salt = required(
        &raw,
        raw.salt.clone(),
        anchor,
        "salt",
        "this type's namespace, e.g. `salt = \"shop.session.v1\"`",
        &mut missing,
    );

    if let Some(name) = &name {
        check_token(name, errors);
    }
    if let Some(salt) = &salt {
        if salt.value.trim().is_empty() {
            errors.push(salt.span, "`salt` is empty; give this type its own namespace, e.g. `salt = \"shop.session.v1\"`");
        }
    }

    let max_age = match (&raw.max_age, raw.no_expiry) {
        (Some(_), Some(no_expiry)) => {
            errors.push(
                no_expiry,
                "`no_expiry` contradicts `max_age`; keep one of them",
            );
            None
        }
        (Some(max_age), None) => match duration::seconds(&max_age.value) {
            Ok(secs) => Some(secs),
            Err(message) => {
                errors.push(max_age.span, message);
                None
            }
        },
        (None, Some(_)) => None,
        (None, None) if raw.mentions("max_age") || raw.mentions("no_expiry") => None,
        (None, None) => {
            missing.push(
                anchor,
                "missing `max_age`, e.g. `max_age = \"2h\"`; a cookie that never expires must say `no_expiry` explicitly",
            );
            None
        }
    };

    let (idle, refresh) = lifecycle(&raw, max_age, errors);

    let postcard = match &raw.codec {
        None => false,
        Some(codec) => {
            match codec.value.as_str() {
                "json" => false,
                "postcard" => true,
                other => {
                    errors.push(codec.span, format_args!("unknown codec `{other}`; expected \"json\" (the default) or \"postcard\""));
                    false
                }
            }
        }
    };

    let same_site = match &raw.same_site {
        None => SameSite::Lax,
        Some(s) => match s.value.to_ascii_lowercase().as_str() {
            "strict" => SameSite::Strict,
            "lax" => SameSite::Lax,
            "none" => SameSite::None,
            other => {
                errors.push(s.span, format_args!("unknown `same_site = \"{other}\"`; expected \"strict\", \"lax\" or \"none\""));
                SameSite::Lax
            }
        },
    };

    if let Some(path) = &raw.path {
        if !path.value.starts_with('/') || !path.value.chars().all(is_attribute_char) {
            errors.push(
                path.span,
                "`path` must start with `/` and contain no `;`, spaces or control characters",
            );
        }
    }
    if let Some(domain) = &raw.domain {
        if domain.value.is_empty()
            || !domain
                .value
                .chars()
                .all(|c| is_attribute_char(c) && c != '/')
        {
            errors.push(
                domain.span,
                "`domain` must be a host name such as \"example.com\"",
            );
        }
    }

    let secure = raw.secure.as_ref().is_none_or(|s| s.value);
    if let Some(name) = &name {
        check_prefix(name, &raw, secure, errors);
    }
    if matches!(same_site, SameSite::None) && !secure {
        if let Some(s) = &raw.same_site {
            errors.push(s.span, "`same_site = \"none\"` requires `Secure`: browsers drop such cookies; remove `secure = false`");
        }
    }

    errors.append(missing);

    Some(Config {
        name_span: name.as_ref()?.span,
        name: name?.value,
        salt_span: salt.as_ref()?.span,
        salt: salt?.value,
        max_age,
        idle,
        refresh,
        clear_invalid: raw.clear_invalid.is_none_or(|c| c.value),
        encrypt: raw.encrypt.is_some(),
        postcard,
        path: raw.path.map_or_else(|| "/".to_owned(), |p| p.value),
        domain: raw.domain.map(|d| d.value),
        same_site,
        secure,
        http_only: raw.http_only.is_none_or(|h| h.value),
        krate: raw.krate.map_or_else(default_crate, |k| k.value),
        replaces: raw.replaces.map(|r| r.value),
    })
}

/// `idle` and `refresh`: each a positive duration, `idle` shorter than an absolute `max_age`
/// (which it needs: a session kept alive by activity alone would never end), `refresh` only
/// with `idle` and shorter than it.
fn lifecycle(
    raw: &RawAttrs,
    max_age: Option<u32>,
    errors: &mut Errors,
) -> (Option<u32>, Option<u32>) {
    fn seconds(
        key: &str,
        slot: &Option<Spanned<attr::MaxAge>>,
        errors: &mut Errors,
    ) -> Option<(u32, Span)> {
        let slot = slot.as_ref()?;
        duration::seconds_of(key, &slot.value)
            .map_err(|message| errors.push(slot.span, message))
            .ok()
            .map(|secs| (secs, slot.span))
    }
    let idle = seconds("idle", &raw.idle, errors);
    let refresh = seconds("refresh", &raw.refresh, errors);
    if let Some((idle, span)) = idle {
        match max_age {
            Some(max_age) if idle >= max_age => errors.push(
                span,
                "`idle` must be shorter than `max_age`: the inactivity timeout ends a session \
                 early, `max_age` ends it for good (e.g. `max_age = \"8h\", idle = \"30m\"`)",
            ),
            None if raw.no_expiry.is_some() => errors.push(
                span,
                "`idle` needs an absolute lifetime: with `no_expiry` a session kept alive by \
                 activity would never end, and a stolen one neither; write `max_age = \"8h\"` \
                 (it counts from sign-in, whatever the activity)",
            ),
            _ => {}
        }
    }
    if let Some((refresh, span)) = refresh {
        match idle {
            None if raw.idle.is_none() => errors.push(
                span,
                "`refresh` needs `idle`: it says when, within the idle window, a value is sealed \
                 again (by default after half of it), e.g. `idle = \"30m\", refresh = \"10m\"`",
            ),
            Some((idle, _)) if refresh >= idle => errors.push(
                span,
                "`refresh` must be shorter than `idle`, or the value would expire before it is \
                 refreshed (the default is half of `idle`)",
            ),
            _ => {}
        }
    }
    (idle.map(|(s, _)| s), refresh.map(|(s, _)| s))
}

/// `slot`, or an error on `anchor` saying `key` is missing — unless the user wrote `key` (or a
/// misspelling of it) and that mistake was already reported.
fn required<T>(
    raw: &RawAttrs,
    slot: Option<Spanned<T>>,
    anchor: Span,
    key: &str,
    what: &str,
    errors: &mut Errors,
) -> Option<Spanned<T>> {
    if slot.is_none() && !raw.mentions(key) {
        errors.push(anchor, format_args!("missing `{key}`: {what}"));
    }
    slot
}

/// RFC 6265 `cookie-name = token` (RFC 9110 `tchar`).
fn check_token(name: &Spanned<String>, errors: &mut Errors) {
    let tchar = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.value.is_empty() {
        errors.push(name.span, "`name` is empty; e.g. `name = \"__Host-sid\"`");
    } else if let Some(bad) = name.value.chars().find(|&c| !tchar(c)) {
        errors.push(
            name.span,
            format_args!("`name` contains {bad:?}, which a cookie name may not (RFC 6265 token: letters, digits and !#$%&'*+-.^_`|~)"),
        );
    }
}

/// The `__Host-` and `__Secure-` prefixes (matched case-insensitively, as browsers do).
fn check_prefix(name: &Spanned<String>, raw: &RawAttrs, secure: bool, errors: &mut Errors) {
    let lower = name.value.to_ascii_lowercase();
    let secure_span = raw.secure.as_ref().map_or(name.span, |s| s.span);
    if lower.starts_with("__host-") {
        if !secure {
            errors.push(
                secure_span,
                "a `__Host-` cookie must be Secure; remove `secure = false` (or drop the prefix)",
            );
        }
        if let Some(domain) = &raw.domain {
            errors.push(domain.span, "a `__Host-` cookie cannot have a Domain; remove `domain` (or use the `__Secure-` prefix)");
        }
        if let Some(path) = raw.path.as_ref().filter(|p| p.value != "/") {
            errors.push(path.span, "a `__Host-` cookie must have Path=/; remove `path` (or use the `__Secure-` prefix)");
        }
    } else if lower.starts_with("__secure-") && !secure {
        errors.push(
            secure_span,
            "a `__Secure-` cookie must be Secure; remove `secure = false` (or drop the prefix)",
        );
    }
}

fn is_attribute_char(c: char) -> bool {
    !c.is_control() && !c.is_whitespace() && c != ';' && c != ','
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error messages `input` produces, in order.
    fn errors(input: proc_macro2::TokenStream) -> Vec<String> {
        match config(&syn::parse2(input).unwrap()) {
            Ok(_) => Vec::new(),
            Err(invalid) => invalid.errors.into_iter().map(|e| e.to_string()).collect(),
        }
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
            #[cookie(name = "a b", max_age = "3w", encrpyt, domain = "x.com", secure = false, same_site = "none")]
            struct S<T>(T);
        });
        assert_eq!(e.len(), 6, "{e:?}");
    }

    #[test]
    fn missing_keys_are_reported_after_the_others() {
        let e = errors(quote::quote! {
            #[cookie(name = "sid", max_age = "2fortnights", encrpyt)]
            struct S;
        });
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(e[0].contains("unknown key `encrpyt`"), "{e:?}");
        assert!(e[1].contains("unknown unit `fortnights`"), "{e:?}");
        assert!(e[2].contains("missing `salt`"), "{e:?}");
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
    fn the_crate_override_survives_other_errors() {
        let input = syn::parse2(quote::quote! {
            #[cookie(crate = "my::cookies", name = "sid")]
            struct S;
        })
        .unwrap();
        let Err(invalid) = config(&input) else {
            panic!("missing keys accepted")
        };
        let krate = &invalid.krate;
        assert_eq!(quote::quote!(#krate).to_string(), "my :: cookies");
    }
}
