//! [`NearCachedStore`]: revocable sessions at stateless speed. The answers of
//! [`status`](RevocationStore::status) are kept in the app process and dropped when the store
//! says they changed; every other operation goes to the store.
//!
//! How it stays correct (SECURITY.md, "Near cache"):
//!
//! - **Invalidated by the store.** A store that supports it publishes an invalidation in the
//!   same atomic step as every revocation and epoch bump ([`RedisStore`](crate::store::RedisStore):
//!   `PUBLISH` inside the Lua script); the feed of each app process hands the messages to
//!   [`Invalidations::message`], which drops the entry named. A local
//!   [`revoke`](RevocationStore::revoke) or [`bump_epoch`](RevocationStore::bump_epoch) also
//!   drops it as soon as the store answered.
//! - **No channel, no cache.** Until the feed reports the channel live
//!   ([`Invalidations::channel_live`]), and from the moment it reports it lost
//!   ([`Invalidations::channel_lost`]), the whole cache is dropped and every read goes to the
//!   store; a reconnection drops it again before caching resumes.
//! - **No stale insert.** A miss notes a generation before reading the store and inserts its
//!   answer only if no invalidation (and no channel change) came in between.
//! - **Bounded age.** An answer is served only while `now < stored at + max_age` ([`NearCache::max_age`],
//!   default 1 s, on the `now` each call passes): a channel that stalls without closing, or a
//!   writer that does not publish (an older version during an upgrade), delays a revocation by
//!   at most that.
//! - **Only `status`.** [`claim`](RevocationStore::claim),
//!   [`rotate_nonce`](RevocationStore::rotate_nonce), [`start_nonce`](RevocationStore::start_nonce),
//!   `revoke` and `bump_epoch` always go to the store: one-time claims and replay rotations are
//!   atomic decisions only the store can make.
//! - **Bounded memory.** At most [`NearCache::capacity`] sessions and as many subjects, least
//!   recently used evicted first.

mod message;
mod state;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use self::message::{session_message, subject_message};
use self::state::{Lookup, State};
use super::{RevocationStore, Rotation, SessionId, Status, StoreFuture};

/// The near cache's settings: [`NearCache::new`], then [`max_age`](Self::max_age) and
/// [`capacity`](Self::capacity).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NearCache {
    max_age: Duration,
    capacity: usize,
}

impl Default for NearCache {
    fn default() -> Self {
        Self::new()
    }
}

impl NearCache {
    /// Answers at most 1 s old, at most 100 000 sessions (and as many subjects).
    pub fn new() -> Self {
        Self {
            max_age: Duration::from_secs(1),
            capacity: 100_000,
        }
    }

    /// The longest an answer is served from the cache (default 1 s), whatever the channel
    /// says: the bound on how late a revocation is seen when invalidations are silently lost.
    /// Whole seconds on the `now` each call passes (the guard's clock has one-second
    /// resolution), rounded down: an answer stored during second `t` is served through second
    /// `t + max_age − 1`, so never longer than `max_age`. Under one second caches nothing.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// How many sessions' answers are kept (default 100 000; subjects' epochs have a bound of
    /// the same size), least recently used evicted first. 0 caches nothing.
    pub fn capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity;
        self
    }

    fn max_age_secs(&self) -> i64 {
        i64::try_from(self.max_age.as_secs()).unwrap_or(i64::MAX)
    }
}

/// What a near cache did so far, and whether its channel is live
/// ([`NearCachedStore::stats`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NearCacheStats {
    /// The invalidation channel is confirmed live: answers may be cached.
    pub live: bool,
    /// `status` answered from the cache.
    pub hits: u64,
    /// `status` read from the store while the channel was live (absent or too old).
    pub misses: u64,
    /// `status` read from the store because the channel was not live.
    pub uncached: u64,
    /// Answers read from the store but not cached: an invalidation or a channel change came
    /// while they were read.
    pub discarded: u64,
    /// Invalidation messages received.
    pub invalidations: u64,
    /// Times the whole cache was dropped because the channel went down or came (back) up.
    pub flushes: u64,
    /// Entries held now (sessions and subjects).
    pub entries: usize,
}

/// The handle an invalidation feed drives ([`NearCachedStore::invalidations`]): the channel's
/// state and the messages it delivers. [`RedisStoreBuilder::build_near_cached`](crate::store::RedisStoreBuilder::build_near_cached)
/// runs one; another store's feed calls these in the order it learns things.
#[derive(Clone)]
pub struct Invalidations(Arc<State>);

impl Invalidations {
    /// The subscription is confirmed: drops everything cached, then caching resumes.
    pub fn channel_live(&self) {
        self.0.set_live(true);
    }

    /// The subscription is lost (error, closed, reconnecting): drops everything cached, and
    /// every read goes to the store until [`channel_live`](Self::channel_live).
    pub fn channel_lost(&self) {
        self.0.set_live(false);
    }

    /// One message from the channel ([`session_message`], [`subject_message`]); anything else
    /// drops the whole cache.
    pub fn message(&self, message: &[u8]) {
        self.0.message(message);
    }
}

impl fmt::Debug for Invalidations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Invalidations")
            .field(&self.0.stats().live)
            .finish()
    }
}

/// A [`RevocationStore`] whose [`status`](RevocationStore::status) answers are cached in the
/// process and invalidated by the store (see the module docs for the rules it keeps). Opt in
/// per guard: `Guard::new(store)` with this store instead of the plain one.
///
/// With Redis: [`RedisStoreBuilder::build_near_cached`](crate::store::RedisStoreBuilder::build_near_cached).
/// Over another store: [`NearCachedStore::new`] and a feed driving
/// [`invalidations`](Self::invalidations); without a feed nothing is ever cached.
///
/// ```
/// use typed_cookies::store::{MemoryStore, NearCache, NearCachedStore, RevocationStore, SessionId};
/// # block_on(async {
/// let store = NearCachedStore::new(MemoryStore::new(), NearCache::new());
/// let feed = store.invalidations();
/// feed.channel_live();
/// let (id, now) = (SessionId::generate(), 1_780_000_000);
/// assert!(!store.status("session", id, None, now).await.unwrap().revoked); // read, cached
/// assert!(!store.status("session", id, None, now).await.unwrap().revoked); // from the cache
/// store.revoke("session", id, now + 60, now).await.unwrap(); // drops the entry
/// assert!(store.status("session", id, None, now).await.unwrap().revoked);
/// assert_eq!(store.stats().hits, 1);
/// # });
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     // The memory store never waits, so one poll finishes.
/// #     struct Noop; impl std::task::Wake for Noop { fn wake(self: std::sync::Arc<Self>) {} }
/// #     let waker = std::task::Waker::from(std::sync::Arc::new(Noop));
/// #     let mut cx = std::task::Context::from_waker(&waker);
/// #     let mut f = std::pin::pin!(f);
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// ```
pub struct NearCachedStore<S> {
    inner: S,
    state: Arc<State>,
    /// Whatever keeps the feed running (the Redis subscriber task, aborted when the last clone
    /// of the store is dropped).
    feed: Option<Arc<dyn Send + Sync>>,
}

impl<S: Clone> Clone for NearCachedStore<S> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            state: self.state.clone(),
            feed: self.feed.clone(),
        }
    }
}

impl<S> NearCachedStore<S> {
    /// `inner` with a near cache of `config`, its channel down: nothing is cached until a feed
    /// calls [`Invalidations::channel_live`].
    pub fn new(inner: S, config: NearCache) -> Self {
        Self {
            inner,
            state: Arc::new(State::new(config.max_age_secs(), config.capacity)),
            feed: None,
        }
    }

    /// The handle the invalidation feed drives.
    pub fn invalidations(&self) -> Invalidations {
        Invalidations(self.state.clone())
    }

    /// What the cache did so far, and whether the channel is live.
    pub fn stats(&self) -> NearCacheStats {
        self.state.stats()
    }

    /// The store behind the cache.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// Keeps `feed` alive as long as a clone of this store is.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn with_feed(mut self, feed: Arc<dyn Send + Sync>) -> Self {
        self.feed = Some(feed);
        self
    }
}

impl<S: fmt::Debug> fmt::Debug for NearCachedStore<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NearCachedStore")
            .field("inner", &self.inner)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl<S: RevocationStore> RevocationStore for NearCachedStore<S> {
    /// From the cache when a fresh answer is there and the channel is live; otherwise from the
    /// store, cached if nothing changed meanwhile.
    fn status<'a>(
        &'a self,
        namespace: &'a str,
        id: SessionId,
        subject: Option<&'a str>,
        now: i64,
    ) -> StoreFuture<'a, Status> {
        match self.state.lookup(namespace, id, subject, now) {
            Lookup::Hit(status) => Box::pin(std::future::ready(Ok(status))),
            Lookup::Miss(ticket) => Box::pin(async move {
                let status = self.inner.status(namespace, id, subject, now).await?;
                self.state
                    .insert(ticket, namespace, id, subject, status, now);
                Ok(status)
            }),
        }
    }

    /// The store's, then the local entry is dropped (whatever the outcome: a write that timed
    /// out may still have been applied).
    fn revoke<'a>(
        &'a self,
        namespace: &'a str,
        id: SessionId,
        until: i64,
        now: i64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let result = self.inner.revoke(namespace, id, until, now).await;
            self.state.forget_session(id);
            result
        })
    }

    /// The store's, then the local entry is dropped (whatever the outcome).
    fn bump_epoch<'a>(&'a self, subject: &'a str, now: i64) -> StoreFuture<'a, u64> {
        Box::pin(async move {
            let result = self.inner.bump_epoch(subject, now).await;
            self.state.forget_subject(subject);
            result
        })
    }

    /// Always the store's.
    fn claim<'a>(
        &'a self,
        namespace: &'a str,
        id: SessionId,
        until: i64,
        now: i64,
    ) -> StoreFuture<'a, bool> {
        self.inner.claim(namespace, id, until, now)
    }

    /// Always the store's.
    fn start_nonce<'a>(
        &'a self,
        namespace: &'a str,
        id: SessionId,
        nonce: u64,
        until: i64,
        now: i64,
    ) -> StoreFuture<'a, ()> {
        self.inner.start_nonce(namespace, id, nonce, until, now)
    }

    /// Always the store's.
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
    ) -> StoreFuture<'a, Rotation> {
        self.inner
            .rotate_nonce(namespace, id, presented, next, grace, until, now)
    }
}
