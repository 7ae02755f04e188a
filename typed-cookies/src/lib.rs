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
//! #[cookie(name = "__Host-sid", salt = "shop.session.v1", max_age = "2h", encrypt)]
//! struct Session { user_id: u64, csrf: String }
//!
//! let keys = KeyRing::new(Key::generate()); // or KeyRing::from_env("APP_KEYS")
//! let value = Session { user_id: 42, csrf: "f3a9".into() }.seal(&keys).unwrap();
//! let session = Session::open(&keys, &value).unwrap();
//! assert_eq!(session.user_id, 42);
//! ```
//!
//! The same engine seals any serde value under a salt chosen at run time: see
//! [`KeyRing::signed`] and [`KeyRing::encrypted`]. The wire format is described in `FORMAT.md`.

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
mod wire;

pub use clock::{Clock, ManualClock};
pub use cookie::{CookieConfig, Lifetime, SameSite, SealedCookie};
pub use error::{OpenError, SealError};
pub use inspect::{inspect, Inspection};
pub use keys::{Key, KeyError, KeyId, KeyRing, MIN_KEY_LEN};
pub use seal::{Opened, RefreshReason, Sealer, SealerBuilder, DEFAULT_CLOCK_SKEW};
pub use wire::{Codec, Format, Mode, KEY_ID_LEN, MAX_COOKIE_LEN};

/// `time`, re-exported: clocks and lifetimes are its `OffsetDateTime` and `Duration`.
pub use time;

#[cfg(feature = "derive")]
pub use typed_cookies_derive::SealedCookie;
