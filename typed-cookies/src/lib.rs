//! Typed, signed or encrypted HTTP cookies.
//!
//! Declare a cookie's whole policy — name, salt namespace, lifetime, encryption, attributes —
//! on a plain serde struct with `#[derive(SealedCookie)]`, and get tamper-proofing,
//! confidentiality, expiry enforced inside the value, key rotation, and a compile error instead
//! of a misconfigured cookie:
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use typed_cookies::{Key, KeyRing, SealedCookie};
//!
//! #[derive(Serialize, Deserialize, SealedCookie)]
//! #[cookie(name = "__Host-sid", salt = "shop.session.v1", max_age = "8h", idle = "30m", encrypt)]
//! struct Session { user_id: u64, csrf: String }
//!
//! let keys = KeyRing::new(Key::generate()); // or KeyRing::from_env("APP_KEYS")
//! let value = Session { user_id: 42, csrf: "f3a9".into() }.seal(&keys).unwrap();
//! let session = Session::open(&keys, &value).unwrap();
//! assert_eq!(session.user_id, 42);
//! ```
//!
//! Where to look:
//!
//! - [`SealedCookie`] (the trait the derive implements: seal, open, `Set-Cookie`, removal,
//!   reading a `Cookie:` header) and [`CookieConfig`] (what a type declared);
//! - [`Opened`]: what opening found (creation, expiry, idle deadline, key id, refresh due);
//! - [`Key`], [`KeyRing`] (rotation: a primary and fallbacks) and [`Clock`] (every seal and
//!   open reads the ring's clock; [`ManualClock`] for tests);
//! - [`KeyRing::signed`] and [`KeyRing::encrypted`]: the same engine for any serde value under
//!   a salt chosen at run time (reset links, hidden fields), through [`Sealer`];
//! - [`SealError`], [`OpenError`], [`KeyError`].
//!
//! The wire format is described byte by byte, with test vectors, in
//! [`FORMAT.md`](https://example.invalid/typed-cookies/blob/main/typed-cookies/FORMAT.md)
//! (in the crate's package as `FORMAT.md`); the threat model in `SECURITY.md`.
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `derive` | yes | `#[derive(SealedCookie)]` |
//! | `http` | | `integrations::http`: `CookieHeaders` on `http::HeaderMap`, `http::refresh` |
//! | `axum` | | `integrations::axum`: extractors, response parts, the `refresh` middleware (axum 0.8) |
//! | `actix-web` | | `integrations::actix`: extractors, `ResponseBuilderExt`, the `refresh` middleware (actix-web 4) |
//! | `django` | | `interop::django`: Django `signing`, signed cookies, the `signed_cookies` session |
//! | `flask` | | `interop::flask`: Flask's session cookie and itsdangerous serializers |
//! | `iron` | | `interop::iron`: @hapi/iron seals and iron-session cookies |
//! | `aws-lc` | | AES-256-GCM-SIV from `aws-lc-rs` (AWS-LC, C and assembly) instead of RustCrypto's `aes-gcm-siv`: same wire format and keys, about twice as fast per short message; builds AWS-LC with the system C compiler |

#![forbid(unsafe_code)]
#![warn(missing_docs)]

// Modules by concept; imports only point down this list: clock and wire know nothing of
// ours, keys use wire, errors use keys and wire, the engine (seal) uses all three, cookie sits
// on the engine, and the framework integrations only translate to and from cookie.
#[doc(hidden)]
pub mod __private;
mod clock;
mod cookie;
mod error;
mod inspect;
#[cfg(any(feature = "http", feature = "actix-web"))]
pub mod integrations;
#[cfg(any(feature = "django", feature = "flask", feature = "iron"))]
pub mod interop;
mod keys;
mod seal;
pub mod store;
mod wire;

pub use clock::{Clock, ManualClock};
pub use cookie::{CookieConfig, Lifetime, Priority, SameSite, SealedCookie};
pub use error::{OpenError, SealError};
pub use inspect::{inspect, Inspection};
pub use keys::{Key, KeyError, KeyId, KeyRing, MIN_KEY_LEN};
pub use seal::{Opened, RefreshReason, Sealer, SealerBuilder, DEFAULT_CLOCK_SKEW};
pub use wire::{Codec, Format, Mode, KEY_ID_LEN, MAX_COOKIE_LEN};

/// `time`, re-exported: clocks and lifetimes are its `OffsetDateTime` and `Duration`.
pub use time;

#[cfg(feature = "derive")]
pub use typed_cookies_derive::SealedCookie;

// The README's examples are doc tests, so they compile (and run) with the code they show. They
// use every adapter and interop module, so only with all of them (the README's test command).
#[cfg(all(
    doctest,
    feature = "derive",
    feature = "axum",
    feature = "actix-web",
    feature = "django",
    feature = "flask",
    feature = "iron"
))]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
