//! Cookies: the policy a type declares ([`CookieConfig`]), the traits the derive implements
//! ([`SealedCookie`], and [`Stateless`] for a type without stolen-cookie defences), and the
//! one place that writes and reads HTTP cookie header text (`header`: `Set-Cookie` and its
//! removal, finding a cookie in `Cookie:` headers).

pub(crate) mod builder;
mod config;
mod defence;
pub(crate) mod header;
pub(crate) mod scope;
pub(crate) mod sealed_cookie;
mod stateless;

pub(crate) use config::unprefixed;
pub use config::{CookieConfig, Lifetime, Priority, SameSite};
pub use defence::{Binding, Tracking};
pub use scope::CookieScope;
pub use sealed_cookie::SealedCookie;
pub use stateless::Stateless;
