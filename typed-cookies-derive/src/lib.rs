//! `#[derive(SealedCookie)]`: the compile-time front of `typed-cookies`.
//!
//! The derive runs in three steps, one file each: `attr` parses `#[cookie(...)]` into
//! spanned raw values, `validate` checks them all and reports every error of the attribute at
//! once, and `expand` writes the `impl SealedCookie` (data only: one `const CONFIG`) plus the
//! salt- and cookie-uniqueness guards. `duration` parses `max_age`, `schema` fingerprints the type for the
//! compact codec. Use it through the `typed-cookies` crate, which re-exports it.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod attr;
mod duration;
mod expand;
mod schema;
mod validate;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Implements `typed_cookies::SealedCookie` from a `#[cookie(...)]` attribute.
///
/// Keys: `name` and `salt` (required), `max_age = "90s" | "15m" | "2h" | "7d" | <seconds>`
/// (required unless `no_expiry`; at most 400 days), `encrypt`, `codec = "json" | "postcard"`,
/// `path`, `domain`, `same_site = "strict" | "lax" | "none"`, `secure = bool`,
/// `http_only = bool`, `replaces = "OldType"` (this type sets the same cookie — name, path,
/// domain — as `OldType` on purpose; without it two such types in one crate are an error),
/// `crate = "path::to::typed_cookies"`. See the `typed-cookies` documentation.
#[proc_macro_derive(SealedCookie, attributes(cookie))]
pub fn derive_sealed_cookie(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}
