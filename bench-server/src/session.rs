//! The session the benchmark reads and writes back: about 110 bytes of JSON, encrypted,
//! two-hour lifetime, 30-minute idle timeout; and the same fields as a revocable type for the
//! variant whose sessions are tracked in Redis.

use serde::{Deserialize, Serialize};
use typed_cookies::{KeyRing, SealedCookie};

/// The session. Not `Secure` and without a `__Host-` prefix only because the benchmark speaks
/// plain HTTP.
#[derive(Debug, Clone, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "sid",
    salt = "bench-server.session.v1",
    max_age = "2h",
    idle = "30m",
    encrypt,
    secure = false,
    same_site = "lax"
)]
pub struct Session {
    pub user_id: u64,
    pub name: String,
    pub roles: Vec<String>,
    pub csrf: String,
    pub visits: u64,
}

/// [`Session`]'s fields as a revocable type: a session id in the value, checked against the
/// revocation store on every open (one Redis round trip), so a sign-out ends every copy.
#[derive(Debug, Clone, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "rsid",
    salt = "bench-server.revocable-session.v1",
    max_age = "2h",
    idle = "30m",
    encrypt,
    revocable,
    secure = false,
    same_site = "lax"
)]
pub struct RevocableSession {
    pub user_id: u64,
    pub name: String,
    pub roles: Vec<String>,
    pub csrf: String,
    pub visits: u64,
}

impl Session {
    /// A new session for `user_id`.
    pub fn new(user_id: u64) -> Self {
        Self {
            user_id,
            name: "Ada Lovelace".into(),
            roles: vec!["admin".into(), "editor".into()],
            csrf: format!("{user_id:032x}"),
            visits: 0,
        }
    }
}

impl RevocableSession {
    /// A new session for `user_id`, the same fields as [`Session::new`].
    pub fn new(user_id: u64) -> Self {
        let Session {
            user_id,
            name,
            roles,
            csrf,
            visits,
        } = Session::new(user_id);
        Self {
            user_id,
            name,
            roles,
            csrf,
            visits,
        }
    }
}

/// Seals `session` and opens the result: the micro-benchmark's operation, which `bench-server
/// micro` times in a loop and the `seal-open-in-handler` variant runs in its handler. The
/// visit count of what opened, `None` when either step failed.
pub fn seal_open(session: &Session, keys: &KeyRing) -> Option<u64> {
    let sealed = session.seal(keys).ok()?;
    Session::open(keys, std::hint::black_box(&sealed))
        .ok()
        .map(|s| s.visits)
}

/// A user id per login, so that sessions differ.
pub fn next_user() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(100_000);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The response body: the visit count.
pub fn body(visits: u64) -> String {
    format!("visits {visits}\n")
}
