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
/// Every key it accepts (an unknown one is an error with a "did you mean"):
///
/// - **Identity**: `name` and `salt` (required; `salt` is the namespace of the type's key).
/// - **Lifetime**: `max_age = "90s" | "15m" | "2h" | "7d" | <seconds>` (required unless
///   `no_expiry`; at most 400 days; absolute, from the session's creation); `no_expiry` (a
///   browser-session cookie, valid as long as the key); `idle` and `refresh` (durations: the
///   inactivity timeout and when a value is resealed; `idle` < `max_age`, `refresh` < `idle`,
///   default half of `idle`); `clear_invalid = bool` (default true: the refresh middleware
///   deletes a cookie that does not open); `flash` (read once, deleted by the refresh
///   middleware).
/// - **Sealing**: `encrypt` (signed otherwise); `codec = "json" | "postcard"` (default
///   JSON); `compress` (deflate the payload when shorter; signed types) or
///   `compress = "i_understand_compression_leaks_length"` (also with `encrypt`).
/// - **Attributes**: `path` (default `/`), `domain` (a host name such as `"example.com"`:
///   labels of ASCII letters, digits and `-`, not starting or ending with `-`, separated by
///   single dots; one leading dot allowed, which the `Domain=` attribute is written without),
///   `same_site = "strict" | "lax" | "none"` (default lax), `secure = bool` and
///   `http_only = bool` (default true), `partitioned` (CHIPS `Partitioned`; requires
///   `Secure`, and a cookie meant for a cross-site embed also needs `same_site = "none"`,
///   which is not enforced), `priority = "low" | "medium" | "high"` (Chromium's `Priority`;
///   none written by default).
/// - **Stolen-cookie defences** (values then go through a `typed_cookies::guard::Guard`; see
///   the `typed_cookies::guard` module): `bind = "user_agent" | "ip" | "app"` (any,
///   comma-separated: the request parts a value is bound to; through the framework adapters,
///   the `app` bytes come from a `typed_cookies::guard::AppBinding` the application inserts
///   into the request's extensions); `revocable` (real sign-out and
///   "sign out everywhere"); `one_time` (opens once; excludes `revocable` and `replay`);
///   `replay = "5s"` (replay detection with that grace window, at most 300 s; implies
///   `revocable`); `if_store_down = "refuse" | "accept"` (default refuse; only with
///   `revocable`, `one_time` or `replay`). A `revocable`, `one_time` or `replay` type needs a
///   `max_age`.
/// - **Crate plumbing**: `replaces = "OldType"` (this type sets the same cookie — name, path,
///   domain — as `OldType` on purpose; without it two such types in one crate are an error),
///   `crate = "path::to::typed_cookies"` (for re-exports).
///
/// See the `typed-cookies` documentation.
#[proc_macro_derive(SealedCookie, attributes(cookie))]
pub fn derive_sealed_cookie(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}
