//! The cached answers of one [`NearCachedStore`](super::NearCachedStore), shared with its
//! invalidation feed: two bounded LRU maps (sessions' revocation, subjects' epochs), whether the
//! channel is live, and the generation that closes the insertion race.
//!
//! One lock guards everything, so "is the channel live, is the generation unchanged, insert"
//! is one step that an invalidation can only come wholly before or wholly after.
//!
//! A hit only peeks (no reordering under the lock); every answer is re-inserted at least once
//! per `max_age`, so "least recently used" is "least recently read from the store".

use std::sync::Mutex;

use lru::LruCache;

use super::message::{self, Invalidation};
use super::NearCacheStats;
use crate::store::{SessionId, Status};

/// A cached revocation answer.
struct SessionEntry {
    namespace: Box<str>,
    revoked: bool,
    at: i64,
}

/// A cached epoch.
struct SubjectEntry {
    epoch: u64,
    at: i64,
}

/// What a miss must remember to insert its answer: the generation it read, or `None` when the
/// channel was not live (nothing may be inserted then).
#[derive(Clone, Copy)]
pub(super) struct Ticket(Option<u64>);

/// The lookup's outcome.
pub(super) enum Lookup {
    Hit(Status),
    Miss(Ticket),
}

struct Inner {
    live: bool,
    generation: u64,
    sessions: LruCache<SessionId, SessionEntry>,
    subjects: LruCache<Box<str>, SubjectEntry>,
    stats: NearCacheStats,
}

impl Inner {
    fn clear(&mut self) {
        self.sessions.clear();
        self.subjects.clear();
        self.generation = self.generation.wrapping_add(1);
    }
}

/// The shared state.
pub(super) struct State {
    inner: Mutex<Inner>,
    /// Whole seconds: the guard's `now` has that resolution. 0 caches nothing.
    max_age: i64,
    capacity: usize,
}

impl State {
    /// Starts with the channel down: nothing is cached until a feed says it is live.
    pub(super) fn new(max_age: i64, capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner {
                live: false,
                generation: 0,
                sessions: LruCache::unbounded(),
                subjects: LruCache::unbounded(),
                stats: NearCacheStats::default(),
            }),
            max_age,
            capacity,
        }
    }

    /// The lock; a panic elsewhere while holding it cannot leave a half-written entry that
    /// matters (every answer is re-checked for freshness), so poisoning is ignored.
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// An entry stored at `at` may answer at `now` while `at <= now < at + max_age` (a clock
    /// that went back does not extend it).
    fn fresh(&self, at: i64, now: i64) -> bool {
        at <= now && now < at.saturating_add(self.max_age)
    }

    pub(super) fn lookup(
        &self,
        namespace: &str,
        id: SessionId,
        subject: Option<&str>,
        now: i64,
    ) -> Lookup {
        let mut inner = self.lock();
        let inner = &mut *inner;
        if !inner.live {
            inner.stats.uncached += 1;
            return Lookup::Miss(Ticket(None));
        }
        let ticket = Ticket(Some(inner.generation));
        let revoked = match inner.sessions.peek(&id) {
            Some(entry) if &*entry.namespace == namespace && self.fresh(entry.at, now) => {
                entry.revoked
            }
            _ => {
                inner.stats.misses += 1;
                return Lookup::Miss(ticket);
            }
        };
        let epoch = match subject {
            None => 0,
            Some(subject) => match inner.subjects.peek(subject) {
                Some(entry) if self.fresh(entry.at, now) => entry.epoch,
                _ => {
                    inner.stats.misses += 1;
                    return Lookup::Miss(ticket);
                }
            },
        };
        inner.stats.hits += 1;
        Lookup::Hit(Status { revoked, epoch })
    }

    /// Stores the answer a miss read, unless the channel was or went down or any invalidation
    /// arrived since the lookup (the answer may predate it).
    pub(super) fn insert(
        &self,
        ticket: Ticket,
        namespace: &str,
        id: SessionId,
        subject: Option<&str>,
        status: Status,
        now: i64,
    ) {
        let Ticket(Some(generation)) = ticket else {
            return;
        };
        if self.max_age <= 0 || self.capacity == 0 {
            return;
        }
        let mut inner = self.lock();
        if !inner.live || inner.generation != generation {
            inner.stats.discarded += 1;
            return;
        }
        if inner.sessions.len() >= self.capacity && !inner.sessions.contains(&id) {
            inner.sessions.pop_lru();
        }
        inner.sessions.put(
            id,
            SessionEntry {
                namespace: namespace.into(),
                revoked: status.revoked,
                at: now,
            },
        );
        if let Some(subject) = subject {
            if let Some(entry) = inner.subjects.get_mut(subject) {
                *entry = SubjectEntry {
                    epoch: status.epoch,
                    at: now,
                };
            } else {
                if inner.subjects.len() >= self.capacity {
                    inner.subjects.pop_lru();
                }
                inner.subjects.put(
                    subject.into(),
                    SubjectEntry {
                        epoch: status.epoch,
                        at: now,
                    },
                );
            }
        }
    }

    /// An invalidation message from the channel (or a local write): drops what it names and
    /// moves the generation.
    pub(super) fn message(&self, message: &[u8]) {
        let mut inner = self.lock();
        inner.stats.invalidations += 1;
        match message::parse(message) {
            Invalidation::Session(id) => {
                inner.sessions.pop(&id);
            }
            Invalidation::Subject(subject) => {
                inner.subjects.pop(subject);
            }
            Invalidation::Everything => inner.clear(),
        }
        inner.generation = inner.generation.wrapping_add(1);
    }

    /// The local write to `id` returned: its entry goes now, before the message comes back.
    pub(super) fn forget_session(&self, id: SessionId) {
        let mut inner = self.lock();
        inner.sessions.pop(&id);
        inner.generation = inner.generation.wrapping_add(1);
    }

    /// The local epoch bump of `subject` returned.
    pub(super) fn forget_subject(&self, subject: &str) {
        let mut inner = self.lock();
        inner.subjects.pop(subject);
        inner.generation = inner.generation.wrapping_add(1);
    }

    /// The channel's state changed: everything cached goes, in both directions (answers read
    /// while it was down may have missed messages; answers read before it went down are no
    /// longer watched).
    pub(super) fn set_live(&self, live: bool) {
        let mut inner = self.lock();
        if inner.live || live {
            inner.stats.flushes += 1;
        }
        inner.live = live;
        inner.clear();
    }

    pub(super) fn stats(&self) -> NearCacheStats {
        let inner = self.lock();
        NearCacheStats {
            live: inner.live,
            entries: inner.sessions.len() + inner.subjects.len(),
            ..inner.stats
        }
    }
}
