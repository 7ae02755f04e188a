//! Cookies: the policy a type declares ([`CookieConfig`]), the traits the derive implements
//! ([`SealedCookie`], and [`Stateless`] for a type without stolen-cookie defences), and the
//! only code that writes and reads HTTP cookie header text: `set_cookie` writes `Set-Cookie`
//! and its removal, `cookie_header` finds a cookie in `Cookie:` headers (`cookie_pairs`: those
//! headers split once per request).

pub(crate) mod builder;
mod config;
pub(crate) mod cookie_header;
pub(crate) mod cookie_pairs;
mod defence;
pub(crate) mod scope;
pub(crate) mod sealed_cookie;
pub(crate) mod set_cookie;
mod stateless;

pub(crate) use config::unprefixed;
pub use config::{CookieConfig, Lifetime, Priority, SameSite};
pub use defence::{Binding, Tracking};
pub use scope::CookieScope;
pub use sealed_cookie::SealedCookie;
pub use stateless::Stateless;
