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
//! [`KeyRing::signer`] and [`KeyRing::sealer`]. The wire format is described in `FORMAT.md`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod clock;
mod codec;
mod config;
mod error;
mod header;
#[cfg(any(feature = "http", feature = "actix-web"))]
pub mod integrations;
#[cfg(any(feature = "django", feature = "flask", feature = "iron"))]
pub mod interop;
mod key;
mod keyring;
mod opened;
mod seal;
mod sealed_cookie;
mod sealer;

pub use clock::{Clock, ManualClock};
pub use codec::Codec;
pub use config::{CookieConfig, Lifetime, SameSite};
pub use error::{KeyError, OpenError, SealError};
pub use key::{Key, KeyId, KEY_ID_LEN, MIN_KEY_LEN};
pub use keyring::KeyRing;
pub use opened::Opened;
pub use seal::format::{Format, Mode, MAX_COOKIE_LEN};
pub use seal::DEFAULT_CLOCK_SKEW;
pub use sealed_cookie::SealedCookie;
pub use sealer::Sealer;

/// `time`, re-exported: the `_at(now)` methods take its `OffsetDateTime`.
pub use time;

#[cfg(feature = "derive")]
pub use typed_cookies_derive::SealedCookie;
