//! `GuardedLayer` and `RefreshLayer` (and their `from_fn_with_state` installs) around what a
//! real app puts inside and through them, over real HTTP (`raw_http::serve`, and the
//! `kept_alive` client that sends bodies): inner services whose response is not
//! `Response<Body>` (a tower `service_fn`, a `ServiceBuilder` stack answering tuples:
//! `service_stacks`), request bodies streamed through both middlewares and back, large bodies
//! intact over one kept-alive connection in every order, install and placement, a guarded
//! middleware installed twice, both middlewares writing their own cookies, and many concurrent
//! requests each answered with its own session's renewal (`bodies`). Written when the layers'
//! futures stopped holding the request more than once: the middlewares must pass every body
//! and answer on unchanged.
//!
//! Time moves only through the ring's `ManualClock`; nothing sleeps.

mod bodies;
mod service_stacks;

use std::convert::Infallible;

use axum::body::Body;
use axum::extract::{FromRequestParts, Request};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tower::{Layer, ServiceBuilder};
use typed_cookies::guard::{ClientContext, Guard};
use typed_cookies::integrations::axum::{
    cookie_state, guarded, refresh, Guarded, GuardedLayer, RefreshLayer, Removal, Sealed,
};
use typed_cookies::store::MemoryStore;
use typed_cookies::time::Duration;
use typed_cookies::{KeyRing, ManualClock, SealedCookie};
use typed_cookies_testkit::{clocked, ring};

use crate::installs::{with_guarded, with_refresh, Install, On, INSTALLS};
use crate::kept_alive::{head, send, Connection, Reply};
use crate::raw_http::{serve, FIREFOX};

// ---------------------------------------------------------------------------------------------
// The types, the state, the installs

/// Replay detection (a renewal on every response), 5 s grace.
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-lb-rp",
    salt = "tests.layer-bodies.replay.v1",
    max_age = "8h",
    replay = "5s"
)]
struct Rp {
    user: String,
}

/// Opens once.
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-lb-once",
    salt = "tests.layer-bodies.once.v1",
    max_age = "1h",
    one_time
)]
struct Once {
    user: String,
}

/// Stateless, idle 10 minutes (due for a reseal after 5).
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-lb-rs",
    salt = "tests.layer-bodies.refresh.v1",
    max_age = "8h",
    idle = "10m",
    encrypt
)]
struct Rs {
    user: String,
}

const RP: &str = "__Host-lb-rp";
const ONCE: &str = "__Host-lb-once";
const RS: &str = "__Host-lb-rs";

#[derive(Clone)]
struct St {
    keys: KeyRing,
    guard: Guard,
}

cookie_state!(St { keys, guard });

fn state() -> (St, ManualClock) {
    let (keys, clock) = clocked(&ring());
    let guard = Guard::new(MemoryStore::new());
    (St { keys, guard }, clock)
}

/// Every combination of the guarded (`Rp`) and refresh (`Rs`) middlewares on one router:
/// (guarded install, refresh install, guarded outermost, where).
fn combinations() -> Vec<(Install, Install, bool, On)> {
    let mut all = Vec::new();
    for g in INSTALLS {
        for r in INSTALLS {
            for guarded_outer in [true, false] {
                for on in [On::Layer, On::RouteLayer] {
                    all.push((g, r, guarded_outer, on));
                }
            }
        }
    }
    all
}

/// `router` with `Rp`'s guarded and `Rs`'s refresh middlewares as `combo` says.
fn both(router: Router<St>, st: &St, combo: (Install, Install, bool, On)) -> Router<St> {
    let (g, r, guarded_outer, on) = combo;
    if guarded_outer {
        with_guarded::<Rp, _>(with_refresh::<Rs, _>(router, st, r, on), st, g, on)
    } else {
        with_refresh::<Rs, _>(with_guarded::<Rp, _>(router, st, g, on), st, r, on)
    }
}

/// Ann's `T` session from the guard, as a `name=value` pair.
async fn issue<T: SealedCookie>(st: &St, value: &T) -> String {
    let issued = st
        .guard
        .issue(
            &st.keys,
            value,
            Some("user:ann"),
            &ClientContext::new().user_agent(FIREFOX),
        )
        .await
        .unwrap();
    format!("{}={}", T::CONFIG.name(), issued.value())
}

/// An `Rs` pair sealed now, then the clock moved 6 minutes: due for its reseal.
fn due_rs(st: &St, clock: &ManualClock) -> String {
    let pair = format!("{RS}={}", Rs { user: "ann".into() }.seal(&st.keys).unwrap());
    clock.advance(Duration::minutes(6));
    pair
}

/// `len` bytes that differ from their neighbours and from any other length's.
fn pattern(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_mul(31) ^ (i >> 8) ^ len) as u8)
        .collect()
}

fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The handler's answer for a body: its length and digest.
fn receipt(bytes: &[u8]) -> String {
    format!("{} {}", bytes.len(), digest(bytes))
}
