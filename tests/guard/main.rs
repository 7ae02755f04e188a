//! Stolen-cookie defences through the `Guard` (`api.rs`: client binding, real sign-out, sign
//! out everywhere, one-time values, replay detection, store outages, idle lifetimes) and through
//! each framework's adapter (`axum_adapter.rs`, `actix_adapter.rs`: sign-in through
//! `Guard::issue`, sign-out, replay detection through the `guarded` middleware, IP binding,
//! outages, extractors outside their middleware, the `Cookie:` header split once).

#[path = "../actix_support/mod.rs"]
mod actix_support;
#[path = "../axum_guard_state/mod.rs"]
mod axum_guard_state;
#[path = "../axum_support/mod.rs"]
mod axum_support;

mod actix_adapter;
mod api;
mod axum_adapter;

use serde::{Deserialize, Serialize};
use typed_cookies::SealedCookie;

/// The user agent of the browser that signs in.
const FIREFOX: &str = "Mozilla/5.0 Firefox/140";

/// A revocable session bound to the browser.
#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "tests.guard.adapters.session.v1",
    max_age = "8h",
    encrypt,
    revocable,
    bind = "user_agent"
)]
struct Session {
    user: String,
}

/// A replay-detected session.
#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-paranoid",
    salt = "tests.guard.adapters.paranoid.v1",
    max_age = "8h",
    encrypt,
    replay = "5s"
)]
struct Paranoid {
    user: String,
}

/// A value bound to the client's network.
#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-net",
    salt = "tests.guard.adapters.net.v1",
    max_age = "8h",
    bind = "ip"
)]
struct Net {
    user: String,
}

actix_support::accounts!(Session, Paranoid, Net);
