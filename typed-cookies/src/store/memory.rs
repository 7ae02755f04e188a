//! [`MemoryStore`]: the embedded store, for one process and for tests. Entries past their
//! expiry are ignored and swept as the map grows.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use super::RevocationStore;
use super::{Rotation, SessionId, Status, StoreFuture, MAX_REPLACED_NONCES};

/// A [`RevocationStore`] in this process's memory: correct for a single server (and the
/// default in tests); state is lost on restart and not shared between processes — use
/// `RedisStore` for a fleet.
///
/// ```
/// # block_on(async {
/// use typed_cookies::store::{MemoryStore, RevocationStore, SessionId};
/// let store = MemoryStore::new();
/// let id = SessionId::generate();
/// assert!(store.claim("reset", id, 2_000, 1_000).await.unwrap());
/// assert!(!store.claim("reset", id, 2_000, 1_001).await.unwrap());
/// # });
/// # // Every MemoryStore future is ready when first polled; no executor needed (Rust 1.82).
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     use std::future::Future as _;
/// #     struct Noop;
/// #     impl std::task::Wake for Noop { fn wake(self: std::sync::Arc<Self>) {} }
/// #     let waker = std::task::Waker::from(std::sync::Arc::new(Noop));
/// #     match std::pin::pin!(f).poll(&mut std::task::Context::from_waker(&waker)) {
/// #         std::task::Poll::Ready(v) => v,
/// #         std::task::Poll::Pending => unreachable!("MemoryStore never waits"),
/// #     }
/// # }
/// ```
#[derive(Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// (namespace, id) → until, for revocations and claims (separate maps).
    revoked: HashMap<(String, SessionId), i64>,
    claimed: HashMap<(String, SessionId), i64>,
    nonces: HashMap<(String, SessionId), NonceRecord>,
    epochs: HashMap<String, u64>,
    /// Entry count at which the next sweep of expired entries runs.
    sweep_at: usize,
}

struct NonceRecord {
    current: u64,
    /// The nonces replaced within the grace window, with when, newest first.
    replaced: VecDeque<(u64, i64)>,
    until: i64,
}

const FIRST_SWEEP: usize = 1024;

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut state)
    }
}

impl State {
    /// Drops expired entries once the maps have doubled since the last sweep.
    fn sweep(&mut self, now: i64) {
        let len = self.revoked.len() + self.claimed.len() + self.nonces.len();
        if len < self.sweep_at.max(FIRST_SWEEP) {
            return;
        }
        self.revoked.retain(|_, until| *until >= now);
        self.claimed.retain(|_, until| *until >= now);
        self.nonces.retain(|_, record| record.until >= now);
        self.sweep_at = 2 * (self.revoked.len() + self.claimed.len() + self.nonces.len());
    }
}

fn ready<'a, T: Send + 'a>(value: T) -> StoreFuture<'a, T> {
    Box::pin(std::future::ready(Ok(value)))
}

impl RevocationStore for MemoryStore {
    fn status<'a>(
        &'a self,
        namespace: &'a str,
        id: SessionId,
        subject: Option<&'a str>,
        now: i64,
    ) -> StoreFuture<'a, Status> {
        let status = self.with(|s| Status {
            revoked: s
                .revoked
                .get(&(namespace.to_owned(), id))
                .is_some_and(|until| *until >= now),
            epoch: subject
                .and_then(|sub| s.epochs.get(sub).copied())
                .unwrap_or(0),
        });
        ready(status)
    }

    fn revoke<'a>(
        &'a self,
        namespace: &'a str,
        id: SessionId,
        until: i64,
        now: i64,
    ) -> StoreFuture<'a, ()> {
        self.with(|s| {
            s.sweep(now);
            let entry = s.revoked.entry((namespace.to_owned(), id)).or_insert(until);
            *entry = (*entry).max(until);
        });
        ready(())
    }

    /// `max(current + 1, now × 10⁶)`: this process's clock is the store's.
    fn bump_epoch<'a>(&'a self, subject: &'a str, now: i64) -> StoreFuture<'a, u64> {
        let epoch = self.with(|s| {
            let epoch = s.epochs.entry(subject.to_owned()).or_insert(0);
            *epoch = epoch.saturating_add(1).max(super::epoch_time(now));
            *epoch
        });
        ready(epoch)
    }

    fn claim<'a>(
        &'a self,
        namespace: &'a str,
        id: SessionId,
        until: i64,
        now: i64,
    ) -> StoreFuture<'a, bool> {
        let first = self.with(|s| {
            s.sweep(now);
            let key = (namespace.to_owned(), id);
            match s.claimed.get(&key) {
                Some(claimed_until) if *claimed_until >= now => false,
                _ => {
                    s.claimed.insert(key, until);
                    true
                }
            }
        });
        ready(first)
    }

    fn start_nonce<'a>(
        &'a self,
        namespace: &'a str,
        id: SessionId,
        nonce: u64,
        until: i64,
        now: i64,
    ) -> StoreFuture<'a, ()> {
        self.with(|s| {
            s.sweep(now);
            s.nonces.insert(
                (namespace.to_owned(), id),
                NonceRecord {
                    current: nonce,
                    replaced: VecDeque::new(),
                    until,
                },
            );
        });
        ready(())
    }

    fn rotate_nonce<'a>(
        &'a self,
        namespace: &'a str,
        id: SessionId,
        presented: u64,
        next: u64,
        grace: i64,
        until: i64,
        now: i64,
    ) -> StoreFuture<'a, Rotation> {
        let rotation = self.with(|s| {
            let Some(record) = s
                .nonces
                .get_mut(&(namespace.to_owned(), id))
                .filter(|record| record.until >= now)
            else {
                return Rotation::Unknown;
            };
            let within_grace = |at: i64| now <= at.saturating_add(grace);
            if record.current == presented {
                record.replaced.retain(|&(_, at)| within_grace(at));
                record.replaced.truncate(MAX_REPLACED_NONCES - 1);
                record.replaced.push_front((presented, now));
                record.current = next;
                record.until = until;
                Rotation::Rotated
            } else if record
                .replaced
                .iter()
                .any(|&(nonce, at)| nonce == presented && within_grace(at))
            {
                Rotation::Grace
            } else {
                Rotation::Replayed
            }
        });
        ready(rotation)
    }
}
