//! The near cache's rules over the memory store, its feed driven by hand: nothing cached
//! without a live channel, answers no older than `max_age` on the `now` passed in, no insert
//! of an answer an invalidation overtook, claims and nonces always from the store, what each
//! message drops, and the capacity bound.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use typed_cookies::store::{
    session_message, subject_message, Invalidations, MemoryStore, NearCache, NearCachedStore,
    RevocationStore, Rotation, SessionId, Status, StoreFuture,
};

use super::{runtime, NOW};

const NS: &str = "tests.near_cache.session";

/// What happens inside the inner store's `status`, after it read and before it answers: the
/// interleaving the generation check exists for.
enum Between {
    /// Another server revokes the session and its message arrives.
    RevokedAndNotified(Invalidations),
    /// Another server revokes it and the message is lost.
    RevokedSilently,
    /// The channel drops and comes back.
    ChannelBlip(Invalidations),
}

/// The memory store, recording every operation that reaches it and running a [`Between`]
/// once inside `status`.
#[derive(Clone, Default)]
struct Recording {
    memory: Arc<MemoryStore>,
    calls: Arc<Mutex<Vec<&'static str>>>,
    between: Arc<Mutex<Option<Between>>>,
}

impl Recording {
    fn record(&self, call: &'static str) {
        self.calls.lock().unwrap().push(call);
    }

    fn calls(&self, call: &str) -> usize {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|c| **c == call)
            .count()
    }
}

impl RevocationStore for Recording {
    fn status<'a>(
        &'a self,
        namespace: &'a str,
        id: SessionId,
        subject: Option<&'a str>,
        now: i64,
    ) -> StoreFuture<'a, Status> {
        self.record("status");
        Box::pin(async move {
            let status = self.memory.status(namespace, id, subject, now).await?;
            let between = self.between.lock().unwrap().take();
            match between {
                Some(Between::RevokedAndNotified(feed)) => {
                    self.memory.revoke(namespace, id, now + 60, now).await?;
                    feed.message(session_message(id).as_bytes());
                }
                Some(Between::RevokedSilently) => {
                    self.memory.revoke(namespace, id, now + 60, now).await?;
                }
                Some(Between::ChannelBlip(feed)) => {
                    feed.channel_lost();
                    feed.channel_live();
                }
                None => {}
            }
            Ok(status)
        })
    }

    fn revoke<'a>(
        &'a self,
        ns: &'a str,
        id: SessionId,
        until: i64,
        now: i64,
    ) -> StoreFuture<'a, ()> {
        self.record("revoke");
        self.memory.revoke(ns, id, until, now)
    }

    fn bump_epoch<'a>(&'a self, subject: &'a str, now: i64) -> StoreFuture<'a, u64> {
        self.record("bump_epoch");
        self.memory.bump_epoch(subject, now)
    }

    fn claim<'a>(
        &'a self,
        ns: &'a str,
        id: SessionId,
        until: i64,
        now: i64,
    ) -> StoreFuture<'a, bool> {
        self.record("claim");
        self.memory.claim(ns, id, until, now)
    }

    fn start_nonce<'a>(
        &'a self,
        ns: &'a str,
        id: SessionId,
        nonce: u64,
        until: i64,
        now: i64,
    ) -> StoreFuture<'a, ()> {
        self.record("start_nonce");
        self.memory.start_nonce(ns, id, nonce, until, now)
    }

    fn rotate_nonce<'a>(
        &'a self,
        ns: &'a str,
        id: SessionId,
        presented: u64,
        next: u64,
        grace: i64,
        until: i64,
        now: i64,
    ) -> StoreFuture<'a, Rotation> {
        self.record("rotate_nonce");
        self.memory
            .rotate_nonce(ns, id, presented, next, grace, until, now)
    }
}

/// A near cache over a [`Recording`] store, its channel live.
fn live(config: NearCache) -> (NearCachedStore<Recording>, Recording) {
    let inner = Recording::default();
    let store = NearCachedStore::new(inner.clone(), config);
    store.invalidations().channel_live();
    (store, inner)
}

async fn revoked(store: &impl RevocationStore, id: SessionId, now: i64) -> bool {
    store.status(NS, id, None, now).await.unwrap().revoked
}

#[test]
fn nothing_is_cached_until_the_channel_is_live_nor_after_it_is_lost() {
    runtime().block_on(async {
        let inner = Recording::default();
        let store = NearCachedStore::new(inner.clone(), NearCache::new());
        let id = SessionId::generate();
        for _ in 0..3 {
            assert!(!revoked(&store, id, NOW).await);
        }
        assert_eq!(inner.calls("status"), 3);
        assert_eq!((store.stats().hits, store.stats().uncached), (0, 3));

        store.invalidations().channel_live();
        assert!(!revoked(&store, id, NOW).await);
        assert!(!revoked(&store, id, NOW).await);
        assert_eq!((inner.calls("status"), store.stats().hits), (4, 1));

        // Lost: the entry goes at once and every read goes to the store, which answers the
        // revocation made meanwhile (its message lost with the channel).
        store.invalidations().channel_lost();
        assert_eq!(store.stats().entries, 0);
        inner.memory.revoke(NS, id, NOW + 60, NOW).await.unwrap();
        assert!(revoked(&store, id, NOW).await);
        assert!(revoked(&store, id, NOW).await);
        assert_eq!(inner.calls("status"), 6);

        // Back: caching resumes from an empty cache.
        store.invalidations().channel_live();
        let other = SessionId::generate();
        assert!(!revoked(&store, other, NOW).await);
        assert!(!revoked(&store, other, NOW).await);
        let stats = store.stats();
        assert!(stats.live);
        assert_eq!(
            (inner.calls("status"), stats.hits, stats.flushes),
            (7, 2, 3)
        );
    });
}

#[test]
fn an_answer_is_served_no_longer_than_max_age_on_the_callers_clock() {
    runtime().block_on(async {
        let (store, inner) = live(NearCache::new().max_age(Duration::from_secs(2)));
        let id = SessionId::generate();
        assert!(!revoked(&store, id, NOW).await);
        // Revoked, its message lost (a silently stalled channel): the cached answer is
        // served through the bound, never past it.
        inner.memory.revoke(NS, id, NOW + 60, NOW).await.unwrap();
        assert!(!revoked(&store, id, NOW).await);
        assert!(!revoked(&store, id, NOW + 1).await);
        assert!(revoked(&store, id, NOW + 2).await);
        assert_eq!(inner.calls("status"), 2);

        // A clock that went back does not extend an answer either.
        let other = SessionId::generate();
        assert!(!revoked(&store, other, NOW + 10).await);
        inner.memory.revoke(NS, other, NOW + 60, NOW).await.unwrap();
        assert!(revoked(&store, other, NOW + 9).await);

        // Epochs obey the same bound.
        let subject = Some("user:ann");
        let third = SessionId::generate();
        assert_eq!(
            store.status(NS, third, subject, NOW).await.unwrap().epoch,
            0
        );
        let bumped = inner.memory.bump_epoch("user:ann", NOW).await.unwrap();
        assert_eq!(
            store
                .status(NS, third, subject, NOW + 1)
                .await
                .unwrap()
                .epoch,
            0
        );
        assert_eq!(
            store
                .status(NS, third, subject, NOW + 2)
                .await
                .unwrap()
                .epoch,
            bumped
        );
    });
}

#[test]
fn a_bound_under_one_second_or_no_capacity_caches_nothing() {
    runtime().block_on(async {
        for config in [
            NearCache::new().max_age(Duration::from_millis(999)),
            NearCache::new().capacity(0),
        ] {
            let (store, inner) = live(config);
            let id = SessionId::generate();
            for _ in 0..3 {
                assert!(!revoked(&store, id, NOW).await);
            }
            assert_eq!(
                (inner.calls("status"), store.stats().hits),
                (3, 0),
                "{config:?}"
            );
        }
    });
}

#[test]
fn an_answer_overtaken_by_an_invalidation_is_not_cached() {
    runtime().block_on(async {
        let (store, inner) = live(NearCache::new());
        let feed = store.invalidations();
        let id = SessionId::generate();
        // The store read "not revoked"; before the answer is inserted, the revocation's
        // message arrives. The stale answer is returned to this one caller (it was read
        // before the revocation) but not kept: the next read goes to the store.
        *inner.between.lock().unwrap() = Some(Between::RevokedAndNotified(feed.clone()));
        assert!(!revoked(&store, id, NOW).await);
        assert!(revoked(&store, id, NOW).await);
        assert_eq!((inner.calls("status"), store.stats().discarded), (2, 1));

        // The same with the channel dropping and coming back during the read.
        let other = SessionId::generate();
        *inner.between.lock().unwrap() = Some(Between::ChannelBlip(feed));
        assert!(!revoked(&store, other, NOW).await);
        assert!(!revoked(&store, other, NOW).await);
        assert_eq!((inner.calls("status"), store.stats().discarded), (4, 2));

        // Control: without the message the stale answer is kept (until max_age): the
        // generation check is what refused it above.
        let third = SessionId::generate();
        *inner.between.lock().unwrap() = Some(Between::RevokedSilently);
        assert!(!revoked(&store, third, NOW).await);
        assert!(!revoked(&store, third, NOW).await);
        assert!(revoked(&store, third, NOW + 1).await);
    });
}

#[test]
fn claims_nonces_and_writes_always_reach_the_store() {
    runtime().block_on(async {
        let (store, inner) = live(NearCache::new());
        let id = SessionId::generate();
        assert!(store.claim(NS, id, NOW + 60, NOW).await.unwrap());
        assert!(!store.claim(NS, id, NOW + 60, NOW).await.unwrap());
        assert!(!store.claim(NS, id, NOW + 60, NOW).await.unwrap());
        assert_eq!(inner.calls("claim"), 3);

        store.start_nonce(NS, id, 1, NOW + 60, NOW).await.unwrap();
        let rotate =
            |presented, next| store.rotate_nonce(NS, id, presented, next, 5, NOW + 60, NOW);
        assert_eq!(rotate(1, 2).await.unwrap(), Rotation::Rotated);
        assert_eq!(rotate(2, 3).await.unwrap(), Rotation::Rotated);
        assert_eq!(rotate(2, 4).await.unwrap(), Rotation::Grace);
        assert_eq!(rotate(9, 5).await.unwrap(), Rotation::Replayed);
        assert_eq!(
            (inner.calls("start_nonce"), inner.calls("rotate_nonce")),
            (1, 4)
        );

        store.revoke(NS, id, NOW + 60, NOW).await.unwrap();
        store.revoke(NS, id, NOW + 60, NOW).await.unwrap();
        store.bump_epoch("user:ann", NOW).await.unwrap();
        store.bump_epoch("user:ann", NOW).await.unwrap();
        assert_eq!((inner.calls("revoke"), inner.calls("bump_epoch")), (2, 2));
        assert_eq!(store.stats().hits, 0);
    });
}

#[test]
fn a_local_revoke_or_sign_out_drops_the_entry_before_any_message() {
    runtime().block_on(async {
        let (store, _inner) = live(NearCache::new());
        let (id, subject) = (SessionId::generate(), Some("user:bob"));
        let before = store.status(NS, id, subject, NOW).await.unwrap();
        assert_eq!(store.status(NS, id, subject, NOW).await.unwrap(), before);
        assert_eq!(store.stats().hits, 1);

        let epoch = store.bump_epoch("user:bob", NOW).await.unwrap();
        assert_eq!(
            store.status(NS, id, subject, NOW).await.unwrap().epoch,
            epoch
        );
        store.revoke(NS, id, NOW + 60, NOW).await.unwrap();
        assert!(store.status(NS, id, subject, NOW).await.unwrap().revoked);
        assert_eq!(store.stats().hits, 1);
    });
}

#[test]
fn each_message_drops_what_it_names_and_an_unknown_one_drops_everything() {
    runtime().block_on(async {
        let (store, inner) = live(NearCache::new());
        let feed = store.invalidations();
        let (a, b) = (SessionId::generate(), SessionId::generate());
        let subject = Some("user:cy");
        for id in [a, b] {
            store.status(NS, id, subject, NOW).await.unwrap();
        }
        let reads = || inner.calls("status");
        assert_eq!(reads(), 2);

        // A session message drops that session only.
        feed.message(session_message(a).as_bytes());
        store.status(NS, a, subject, NOW).await.unwrap();
        store.status(NS, b, subject, NOW).await.unwrap();
        assert_eq!(reads(), 3);

        // A subject message drops the epoch every session of the subject shares.
        feed.message(subject_message("user:cy").as_bytes());
        store.status(NS, b, subject, NOW).await.unwrap();
        store.status(NS, a, subject, NOW).await.unwrap();
        assert_eq!(reads(), 4);

        // Another namespace never answers from this one's entry.
        store
            .status("tests.near_cache.other", a, subject, NOW)
            .await
            .unwrap();
        assert_eq!(reads(), 5);

        // Anything unknown (a newer version's message, garbage) drops everything.
        feed.message(b"z:future");
        for id in [a, b] {
            store.status(NS, id, subject, NOW).await.unwrap();
        }
        assert_eq!(reads(), 7);
        assert_eq!(store.stats().invalidations, 3);
    });
}

#[test]
fn capacity_bounds_the_entries() {
    runtime().block_on(async {
        let (store, inner) = live(NearCache::new().capacity(2));
        let ids: Vec<_> = (0..3).map(|_| SessionId::generate()).collect();
        for id in &ids {
            revoked(&store, *id, NOW).await;
        }
        assert_eq!(store.stats().entries, 2);
        // The least recently used went first.
        revoked(&store, ids[2], NOW).await;
        revoked(&store, ids[1], NOW).await;
        assert_eq!(inner.calls("status"), 3);
        revoked(&store, ids[0], NOW).await;
        assert_eq!(inner.calls("status"), 4);
    });
}
