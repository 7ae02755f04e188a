//! Revocation and "sign out everywhere": epochs are times on the store's clock that only move
//! forward (`epochs.rs`), attacked through store losses, skewed servers, many sign-outs and a
//! fleet mid-upgrade over `MemoryStore` and `RedisStore` (`epoch_attacks.rs`); subjects and
//! one-time namespaces (`subjects.rs`); and the documented sign-out through both frameworks'
//! optional extractors, against refused cookies, outages and cookie tossing
//! (`optional_extractors.rs`).

#[path = "../actix_support/mod.rs"]
mod actix_support;
#[path = "../axum_guard_state/mod.rs"]
mod axum_guard_state;

mod epoch_attacks;
mod epochs;
mod optional_extractors;
mod subjects;

use serde::{Deserialize, Serialize};
use typed_cookies::SealedCookie;

/// A type of its own: its values are another type's value under the names tested here.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(name = "__Host-a", salt = "attack.a.v1", max_age = "1h")]
struct HostA {
    text: String,
}
