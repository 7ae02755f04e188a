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
//! - [`guard`]: stolen-cookie defences a type opts into — client binding (`bind`), real
//!   sign-out and "sign out everywhere" (`revocable`), one-time values (`one_time`, and
//!   [`guard::OneTimeSealer`] for runtime tokens), replay detection (`replay`) — through a
//!   [`guard::Guard`] over a [`store::RevocationStore`] ([`store::MemoryStore`], or Redis with
//!   the `redis` feature); a type without any is [`Stateless`], which the plain API requires,
//!   so a guarded type handed to it is a compile error;
//! - [`SealError`], [`OpenError`], [`KeyError`].
//!
//! The wire format is described byte by byte, with test vectors, in
//! [`FORMAT.md`](https://example.invalid/typed-cookies/blob/main/typed-cookies/FORMAT.md)
//! (in the crate's package as `FORMAT.md`); the threat model in `SECURITY.md`.
//!
//! # Development mode
//!
//! Declare the production cookie (`name = "__Host-sid"`, `Secure`) and develop over plain
//! `http://localhost` with the same type: [`KeyRing::with_development_mode`] (explicit, at run
//! time, refused by a release build unless `TYPED_COOKIES_DEV=1`, and by
//! `TYPED_COOKIES_DEV=0` everywhere) makes the cookies of loopback requests only lose
//! `Secure`, `Partitioned` and their `__Host-`/`__Secure-` prefix; every other request still
//! gets the strict cookie. The adapters' `development` middleware applies it per request;
//! [`KeyRing::for_host`] does it for the header-string API. The first relaxed cookie of each
//! name is logged at `warn`.
//!
//! *Loopback* means the request's `Host` (and URL authority, if any) is `localhost`,
//! `*.localhost`, `127.0.0.0/8` or `[::1]` ([`development::is_loopback_host`]), no `Forwarded`,
//! `X-Forwarded-*` or `X-Real-IP` header says a proxy sent it, and the peer address, where the
//! framework gives it (actix-web; axum served with connect info), is loopback, with one `Host`
//! header at most. `Host` is chosen by the client, and that is
//! fine here: whoever sends `Host: localhost` gets a relaxed cookie in the response to *their
//! own* request, and what they send back under the relaxed name must still open with the
//! ring's keys, so nothing becomes forgeable. Real users' browsers send the production host,
//! for which only the prefixed, `Secure` cookie is written and read, so the `__Host-`
//! protection against cookies planted by sibling subdomains stays. What the `Host` check
//! cannot see is a reverse proxy that rewrites `Host` to the upstream's loopback address
//! without adding a forwarding header (nginx's bare `proxy_pass http://127.0.0.1:3000;`):
//! every request would look local. That is why development mode is also refused unless the
//! build or the machine allows it: a release build needs `TYPED_COOKIES_DEV=1`, and
//! `TYPED_COOKIES_DEV=0` in a production environment refuses it even in a debug build.
//!
//! ```
//! # use serde::{Deserialize, Serialize};
//! # use typed_cookies::{Key, KeyRing, SealedCookie};
//! #[derive(Serialize, Deserialize, SealedCookie)]
//! #[cookie(name = "__Host-sid", salt = "docs.dev.v1", max_age = "8h", encrypt)]
//! struct Session { user_id: u64 }
//!
//! # std::env::remove_var("TYPED_COOKIES_DEV");
//! let keys = KeyRing::new(Key::generate()).with_development_mode()?;
//! let local = keys.for_host("localhost:3000");
//! let header = Session { user_id: 7 }.to_set_cookie(&local)?;
//! assert!(header.starts_with("sid=") && !header.contains("Secure"));
//! let pair = header.split(';').next().unwrap();
//! assert_eq!(Session::from_cookie_header(&local, pair)?.map(|s| s.user_id), Some(7));
//! assert!(Session { user_id: 7 }.to_set_cookie(&keys.for_host("shop.example"))?.starts_with("__Host-sid="));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
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
//! | `rails` | | `interop::rails`: Rails' signed and encrypted cookies, the cookie-store session, `MessageVerifier`/`MessageEncryptor` (Rails 5.2–7) |
//! | `express` | | `interop::express`: Express signed cookies (`cookie-signature`), `cookie-session` with its `.sig`, express-session's session id |
//! | `laravel` | | `interop::laravel`: Laravel's `Encrypter` (CBC + HMAC, GCM) and `EncryptCookies` values |
//! | `redis` | | `store::RedisStore`: the [`guard`]'s revocation store shared by a fleet, on Redis (async, tokio; a multiplexed, reconnecting connection) |
//! | `tracing` | | logs through `tracing`: development mode turned on and each relaxed cookie name (`warn`), key files readable by others (`warn`), revocation store outages and replayed sessions (`warn`); turned on by `http`, `axum` and `actix-web`, whose adapters also log fallback-key opens (`info`) and refusals (`debug`) |
//! | `aws-lc` | | AES-256-GCM-SIV from `aws-lc-rs` (AWS-LC, C and assembly) instead of RustCrypto's `aes-gcm-siv`: same wire format and keys, about twice as fast per short message; builds AWS-LC with the system C compiler |
//! | `cli-internals` | | for the typed-cookies CLI only; turns back on what separate domains forbid: `seal --salt X` writes, from a runtime sealer, the value a derived type of salt `X` opens, and tracked values are read without a store. Never turn it on in an application (`--all-features` builds do turn it on) |

#![forbid(unsafe_code)]
#![warn(missing_docs)]

// Modules by concept. Imports only point down this order (an import of `crate::X` from module
// `Y` needs X before Y, or X == Y); `scripts/check-layering` enforces it, ARCHITECTURE.md
// explains it. clock and wire know nothing of ours; aead is the engine's cipher, keyed by the
// subkeys of keys; error names keys' ids; seal is the engine; cookie is a type's policy and
// header text on the engine; development is the policy of development mode; store and guard
// are the stolen-cookie defences; request is the per-request view and outcome (it opens
// guarded types through the guard); integrations only translate frameworks to and from
// request; interop reads and writes foreign formats.
//
// layering: clock < wire < aead < keys < error < seal < cookie < __private < inspect < development < store < guard < request < integrations < interop
#[doc(hidden)]
pub mod __private;
mod aead;
mod clock;
mod cookie;
pub mod development;
mod error;
pub mod guard;
mod inspect;
#[cfg(adapter)]
pub mod integrations;
#[cfg(any(
    feature = "django",
    feature = "flask",
    feature = "iron",
    feature = "rails",
    feature = "express",
    feature = "laravel"
))]
pub mod interop;
mod keys;
pub mod request;
mod seal;
pub mod store;
mod wire;

pub use clock::{Clock, ManualClock};
pub use cookie::{
    Binding, CookieConfig, CookieScope, Lifetime, Priority, SameSite, SealedCookie, Stateless,
    Tracking,
};
pub use error::{OpenError, SealError};
pub use inspect::{inspect, Inspection};
pub use keys::{Key, KeyError, KeyId, KeyRing, MIN_KEY_LEN};
pub use request::RequestView;
pub use seal::{Opened, RefreshReason, Sealer, SealerBuilder, DEFAULT_CLOCK_SKEW};
pub use wire::{Codec, Format, Mode, KEY_ID_LEN, MAX_COOKIE_LEN, MAX_PAYLOAD_LEN};

/// `time`, re-exported: clocks and lifetimes are its `OffsetDateTime` and `Duration`.
pub use time;

#[cfg(feature = "derive")]
pub use typed_cookies_derive::SealedCookie;
