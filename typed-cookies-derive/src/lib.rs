//! `#[derive(SealedCookie)]`: the compile-time front of `typed-cookies`.
//!
//! One driver, `expand::derive`, runs three steps in order:
//!
//! 1. **parse** (`ast`, `attr`): the type and every `#[cookie(...)]` key as written, each value
//!    with its span; the `crate = ".."` path is resolved here, once.
//! 2. **validate** (`validate/`, one file per rule group: `shape`, `name`, `lifetime`,
//!    `attributes`): checks the keys alone and against each other and produces a `config::Config`.
//! 3. **generate** (`expand`): writes the `impl SealedCookie` (data only: one `const CONFIG`),
//!    the `impl Stateless` marker for a type without `bind`, `revocable`, `one_time` or
//!    `replay` (the plain seal/open API requires it; guarded types go through a `Guard`), plus
//!    the salt- and cookie-uniqueness guards. It never validates and never fails.
//!
//! Steps 1 and 2 report into one error context (`ctxt::Ctxt`, which must be checked), so a
//! build shows every mistake of the attribute at once; when it holds errors, `fallback`
//! writes them next to an inert impl, so the user sees the real error and no cascade.
//! `schema` fingerprints the type for the compact codec. Use the derive through the
//! `typed-cookies` crate, which re-exports it.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod ast;
mod attr;
mod config;
mod ctxt;
mod expand;
mod fallback;
mod schema;
mod validate;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Implements `typed_cookies::SealedCookie` from a `#[cookie(...)]` attribute, and
/// `typed_cookies::Stateless` unless the type declares a stolen-cookie defence (`bind`,
/// `revocable`, `one_time`, `replay`).
///
/// Keys: `name` and `salt` (required), `max_age = "90s" | "15m" | "2h" | "7d" | <seconds>`
/// (required unless `no_expiry`; at most 400 days; absolute, from the session's creation),
/// `idle` and `refresh` (durations: the inactivity timeout and when a value is resealed;
/// `idle` < `max_age`, `refresh` < `idle`, default half of `idle`), `clear_invalid = bool`
/// (default true), `flash` (read once, deleted by the refresh middleware), `encrypt`,
/// `codec = "json" | "postcard"`,
/// `path`, `domain`, `same_site = "strict" | "lax" | "none"`, `secure = bool`,
/// `http_only = bool`, `partitioned` (CHIPS `Partitioned`; requires `Secure`, and a cookie
/// meant for a cross-site embed also needs `same_site = "none"`, which is not enforced),
/// `priority = "low" | "medium" | "high"` (Chromium's `Priority`; none written by default),
/// `replaces = "OldType"` (this type sets the same cookie — name, path,
/// domain — as `OldType` on purpose; without it two such types in one crate are an error),
/// `crate = "path::to::typed_cookies"`. See the `typed-cookies` documentation.
#[proc_macro_derive(SealedCookie, attributes(cookie))]
pub fn derive_sealed_cookie(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}
