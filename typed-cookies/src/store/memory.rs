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
    revoked: Namespaced<i64>,
    claimed: Namespaced<i64>,
    nonces: Namespaced<NonceRecord>,
    epochs: HashMap<String, u64>,
    /// Entry count at which the next sweep of expired entries runs.
    sweep_at: usize,
}

/// (namespace, id) → `V`, by namespace first: a lookup borrows the namespace (no key is
/// allocated per request), and a namespace's map is made on its first insert.
struct Namespaced<V> {
    by_namespace: HashMap<String, HashMap<SessionId, V>>,
    len: usize,
}

impl<V> Default for Namespaced<V> {
    fn default() -> Self {
        Self {
            by_namespace: HashMap::new(),
            len: 0,
        }
    }
}

impl<V> Namespaced<V> {
    fn get(&self, namespace: &str, id: SessionId) -> Option<&V> {
        self.by_namespace.get(namespace)?.get(&id)
    }

    fn get_mut(&mut self, namespace: &str, id: SessionId) -> Option<&mut V> {
        self.by_namespace.get_mut(namespace)?.get_mut(&id)
    }

    /// `namespace`'s map, made on first use.
    fn ids<'m>(
        by_namespace: &'m mut HashMap<String, HashMap<SessionId, V>>,
        namespace: &str,
    ) -> &'m mut HashMap<SessionId, V> {
        if !by_namespace.contains_key(namespace) {
            by_namespace.insert(namespace.to_owned(), HashMap::new());
        }
        by_namespace.get_mut(namespace).expect("inserted above")
    }

    fn insert(&mut self, namespace: &str, id: SessionId, value: V) {
        if Self::ids(&mut self.by_namespace, namespace)
            .insert(id, value)
            .is_none()
        {
            self.len += 1;
        }
    }

    /// `(namespace, id)`'s value, `value` inserted first if there is none.
    fn get_or_insert(&mut self, namespace: &str, id: SessionId, value: V) -> &mut V {
        let len = &mut self.len;
        Self::ids(&mut self.by_namespace, namespace)
            .entry(id)
            .or_insert_with(|| {
                *len += 1;
                value
            })
    }

    fn retain(&mut self, mut keep: impl FnMut(&V) -> bool) {
        self.by_namespace.retain(|_, ids| {
            ids.retain(|_, value| keep(value));
            !ids.is_empty()
        });
        self.len = self.by_namespace.values().map(HashMap::len).sum();
    }

    fn len(&self) -> usize {
        self.len
    }
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
        self.revoked.retain(|until| *until >= now);
        self.claimed.retain(|until| *until >= now);
        self.nonces.retain(|record| record.until >= now);
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
                .get(namespace, id)
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
            let entry = s.revoked.get_or_insert(namespace, id, until);
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
            match s.claimed.get(namespace, id) {
                Some(claimed_until) if *claimed_until >= now => false,
                _ => {
                    s.claimed.insert(namespace, id, until);
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
                namespace,
                id,
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
                .get_mut(namespace, id)
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

#[cfg(test)]
mod tests {
    use std::future::Future as _;

    use super::*;

    /// A `MemoryStore` future's output: every one is ready when first polled.
    fn now<T>(future: StoreFuture<'_, T>) -> T {
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        match std::pin::pin!(future).poll(&mut context) {
            std::task::Poll::Ready(result) => result.expect("the memory store does not fail"),
            std::task::Poll::Pending => panic!("a MemoryStore future waited"),
        }
    }

    fn revoked(store: &MemoryStore, namespace: &str, id: SessionId, now_: i64) -> bool {
        now(store.status(namespace, id, None, now_)).revoked
    }

    #[test]
    fn a_revocation_counts_once_keeps_the_later_expiry_and_stays_in_its_namespace() {
        let store = MemoryStore::new();
        let id = SessionId::generate();
        now(store.revoke("a", id, 2_000, 1_000));
        now(store.revoke("a", id, 1_500, 1_000));
        assert!(revoked(&store, "a", id, 2_000), "the later expiry is kept");
        assert!(!revoked(&store, "a", id, 2_001));
        assert!(!revoked(&store, "b", id, 1_000), "another namespace");
        assert!(!revoked(&store, "a", SessionId::generate(), 1_000));
        assert_eq!(store.with(|s| s.revoked.len()), 1);
    }

    #[test]
    fn the_sweep_drops_expired_entries_of_every_namespace_and_keeps_the_rest() {
        let store = MemoryStore::new();
        let kept = SessionId::generate();
        now(store.revoke("kept", kept, 10_000, 0));
        for i in 1..FIRST_SWEEP {
            let namespace = if i % 2 == 0 { "even" } else { "odd" };
            now(store.revoke(namespace, SessionId::generate(), 100, 0));
        }
        assert_eq!(store.with(|s| s.revoked.len()), FIRST_SWEEP);
        // The next write finds the first sweep's size and sweeps: all but `kept` expired at 100.
        let new = SessionId::generate();
        now(store.revoke("odd", new, 10_000, 101));
        assert_eq!(store.with(|s| s.revoked.len()), 2);
        assert_eq!(
            store.with(|s| s.revoked.by_namespace.len()),
            2,
            "`even` is gone"
        );
        assert!(revoked(&store, "kept", kept, 101));
        assert!(revoked(&store, "odd", new, 101));
    }
}
