//! The server-side state behind stolen-cookie defences: a deny list of revoked sessions, a
//! per-subject epoch ("sign out everywhere"), one-time claims, and the replay-detection nonce of
//! each session.
//!
//! Stateless sealing stays the default: only types that declare `revocable`, `one_time` or
//! `replay` consult a store. [`RevocationStore`] is the small, object-safe interface; two
//! implementations: [`MemoryStore`] (one process, tests) and, with the `redis` feature,
//! `RedisStore` (a fleet of servers). Every entry carries an expiry no later than the value it
//! concerns would expire anyway (plus the tolerated clock skew between servers, which the
//! [`Guard`](crate::guard::Guard) adds), so a store never grows without bound (epochs, one small
//! integer per subject that ever signed out everywhere, are the exception and are documented).

mod memory;
mod near_cache;
#[cfg(feature = "redis")]
mod redis;

use std::future::Future;
use std::pin::Pin;

#[cfg(feature = "redis")]
pub use self::redis::{NotReplicated, RedisStore, RedisStoreBuilder};
pub use memory::MemoryStore;
// The near cache of `status` answers (issue 28).
/// The session id lives with the wire claims that carry it; re-exported here, where the store
/// API uses it (its documented path).
pub use crate::wire::claims::SessionId;
pub use near_cache::{
    session_message, subject_message, Invalidations, NearCache, NearCacheStats, NearCachedStore,
};

/// What every store operation returns: a boxed future (so the trait stays object-safe and
/// needs no `async-trait`).
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// What [`RevocationStore::status`] found for one session, in one round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Status {
    /// The session is on the deny list.
    pub revoked: bool,
    /// The subject's current epoch (0 when it was never bumped, or no subject was asked for): a
    /// value issued under a smaller epoch is refused. Epochs are times (microseconds on the
    /// store's clock, see [`RevocationStore::bump_epoch`]); stores written by earlier versions
    /// hold small counters, which compare the same way.
    pub epoch: u64,
}

/// `now` (unix seconds) as an epoch time: microseconds, of a time clamped to 1970 ..= the last
/// second whose microseconds Redis's Lua numbers hold exactly (2⁵³ − 1 µs, about the year 2255).
pub(crate) fn epoch_time(now: i64) -> u64 {
    epoch_seconds(now).unsigned_abs() * 1_000_000
}

/// `now` clamped as [`epoch_time`] clamps it, still in seconds (what a store whose script
/// multiplies by 10⁶ itself is given).
pub(crate) fn epoch_seconds(now: i64) -> i64 {
    const MAX_SECS: i64 = ((1 << 53) - 1) / 1_000_000;
    now.clamp(0, MAX_SECS)
}

/// How many replaced nonces of one session a store remembers for the grace window (the
/// newest): a request held across more renewals than this, all within the window, is taken
/// for a replay. Bounds the record a client renewing in a loop can grow.
pub const MAX_REPLACED_NONCES: usize = 64;

/// The outcome of one replay-detection step ([`RevocationStore::rotate_nonce`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// The presented nonce was the current one: the store now holds `next` as current (and the
    /// presented one as previous); the response must carry a value sealed with `next`.
    Rotated,
    /// The presented nonce is one the session had before, replaced within the last `grace`
    /// seconds (a request that was in flight while others rotated, once or several times):
    /// accepted, nothing changes.
    Grace,
    /// The store has no record of this session (never started, expired, or lost).
    Unknown,
    /// Neither current nor previous-within-grace: a copy of an older value is being replayed.
    Replayed,
}

/// The store could not answer (unreachable, timed out, or answered something unexpected).
///
/// The message names the operation and the cause, never a key or session id.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error("revocation store unavailable during {operation}: {reason}")]
pub struct StoreError {
    /// The operation (`status`, `revoke`, `bump_epoch`, `claim`, `start_nonce`, `rotate_nonce`).
    pub operation: &'static str,
    /// What went wrong (`timed out after 50ms`, the client's message).
    pub reason: String,
}

/// The message, as `Display` writes it: what a `main` returning this error prints.
impl std::fmt::Debug for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// The state stolen-cookie defences need, shared by every server that opens the same cookies.
///
/// `namespace` is the cookie type's salt namespace (so two types never share entries); `now`
/// and every `until` are unix seconds (`until` is when the value concerned expires anyway: the
/// entry may vanish after it). An entry is live while `now <= until` — through its last second,
/// as the value itself still opens at its expiry second — and behaves as absent once
/// `now > until`, whether or not the store has dropped it yet (so expiry is decided by the
/// `now` passed in, not by the store's clock). Implementations must make [`claim`](Self::claim),
/// [`rotate_nonce`](Self::rotate_nonce) and [`bump_epoch`](Self::bump_epoch) atomic across
/// every process sharing the store.
pub trait RevocationStore: Send + Sync + 'static {
    /// Whether `id` is revoked in `namespace`, and `subject`'s epoch (0 for `None`); one read.
    fn status<'a>(
        &'a self,
        namespace: &'a str,
        id: SessionId,
        subject: Option<&'a str>,
        now: i64,
    ) -> StoreFuture<'a, Status>;

    /// Puts `id` on `namespace`'s deny list until `until`.
    fn revoke<'a>(
        &'a self,
        namespace: &'a str,
        id: SessionId,
        until: i64,
        now: i64,
    ) -> StoreFuture<'a, ()>;

    /// Moves `subject`'s epoch to `max(current + 1, t)`, atomically, and returns the new one:
    /// every value issued under a smaller epoch stops opening ("sign out everywhere"). `t` is
    /// the store's clock in microseconds since the epoch — Redis's `TIME`, or for a store
    /// without a clock of its own ([`MemoryStore`]) `now` × 10⁶ — so the epoch only moves
    /// forward even across a store that lost it: after any data loss the next sign-out is
    /// later than every epoch the store gave before (and so than every session's stamp).
    fn bump_epoch<'a>(&'a self, subject: &'a str, now: i64) -> StoreFuture<'a, u64>;

    /// Claims `id` for its one use: `true` for exactly one caller across all processes (until
    /// `until`), `false` for every other.
    fn claim<'a>(
        &'a self,
        namespace: &'a str,
        id: SessionId,
        until: i64,
        now: i64,
    ) -> StoreFuture<'a, bool>;

    /// Records `nonce` as the current nonce of a new session (replay detection), until `until`.
    fn start_nonce<'a>(
        &'a self,
        namespace: &'a str,
        id: SessionId,
        nonce: u64,
        until: i64,
        now: i64,
    ) -> StoreFuture<'a, ()>;

    /// One atomic replay-detection step for a request presenting `presented`. The grace window
    /// is measured on one clock for every server: a store with a clock of its own (Redis's
    /// `TIME`) records replacements and compares against them on it; `now` decides only the
    /// record's expiry (`until`). [`MemoryStore`] serves one process and uses `now`.
    ///
    /// current == presented → current := `next`, and `presented` is remembered as replaced at
    /// `now` ([`Rotation::Rotated`]); `presented` was replaced at `t` with `now <= t + grace`
    /// ([`Rotation::Grace`]); no record ([`Rotation::Unknown`]); otherwise
    /// [`Rotation::Replayed`]. Every nonce replaced within the grace window counts, not only
    /// the last one: a request held while the page's other requests rotated twice is still
    /// the user's. A store keeps at least the last [`MAX_REPLACED_NONCES`] of them and may
    /// forget one once `now > t + grace`. Only `Rotated` changes the record; it then expires
    /// at `until`.
    #[allow(clippy::too_many_arguments)]
    fn rotate_nonce<'a>(
        &'a self,
        namespace: &'a str,
        id: SessionId,
        presented: u64,
        next: u64,
        grace: i64,
        until: i64,
        now: i64,
    ) -> StoreFuture<'a, Rotation>;
}
