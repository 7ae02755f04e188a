//! Step 2, validate: turns [`RawAttrs`] and the type's shape into a checked [`Config`], or every
//! error found, each on the span of the token that causes it.

use proc_macro2::Span;
use syn::{Data, DeriveInput};

use crate::attr::{self, Errors, RawAttrs, Spanned};
use crate::duration;

/// A cookie policy that passed every check; [`crate::expand`] only writes it out.
pub struct Config {
    pub name: String,
    pub salt: String,
    /// `None`: `no_expiry`.
    pub max_age: Option<u32>,
    pub encrypt: bool,
    pub postcard: bool,
    pub path: String,
    pub domain: Option<String>,
    pub same_site: SameSite,
    pub secure: bool,
    pub http_only: bool,
    pub krate: syn::Path,
}

/// The `same_site` values.
#[derive(Clone, Copy)]
pub enum SameSite {
    Strict,
    Lax,
    None,
}

/// Parses and checks `input`'s `#[cookie(...)]` and shape.
pub fn config(input: &DeriveInput) -> Result<Config, syn::Error> {
    let mut errors = Errors::default();
    shape(input, &mut errors);
    let raw = attr::parse(&input.attrs, &mut errors);
    let config = check(raw, input.ident.span(), &mut errors);
    errors.finish()?;
    config.ok_or_else(|| syn::Error::new(input.ident.span(), "invalid #[cookie(...)]"))
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
    let anchor = raw.attr_span.unwrap_or(type_span);
    let name = required(
        raw.name.clone(),
        anchor,
        "name",
        "the cookie's name, e.g. `name = \"__Host-sid\"`",
        errors,
    );
    let salt = required(
        raw.salt.clone(),
        anchor,
        "salt",
        "this type's namespace, e.g. `salt = \"shop.session.v1\"`",
        errors,
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
        (None, None) => {
            errors.push(
                anchor,
                "missing `max_age`, e.g. `max_age = \"2h\"`; a cookie that never expires must say `no_expiry` explicitly",
            );
            None
        }
    };

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

    Some(Config {
        name: name?.value,
        salt: salt?.value,
        max_age,
        encrypt: raw.encrypt.is_some(),
        postcard,
        path: raw.path.map_or_else(|| "/".to_owned(), |p| p.value),
        domain: raw.domain.map(|d| d.value),
        same_site,
        secure,
        http_only: raw.http_only.is_none_or(|h| h.value),
        krate: raw
            .krate
            .map_or_else(|| syn::parse_quote!(::typed_cookies), |k| k.value),
    })
}

fn required<T>(
    slot: Option<Spanned<T>>,
    anchor: Span,
    key: &str,
    what: &str,
    errors: &mut Errors,
) -> Option<Spanned<T>> {
    if slot.is_none() {
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
