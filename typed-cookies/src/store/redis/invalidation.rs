//! The near cache's invalidation channel on Redis: the channel name the Lua scripts publish to,
//! and the feed that keeps one subscriber connection per near-cached store
//! ([`RedisStoreBuilder::build_near_cached`]).
//!
//! `REVOKE` and `BUMP_EPOCH` `PUBLISH` the change in the same script as the write (atomic with
//! it; classic pub/sub reaches every node's subscribers, so a cluster works the same). The feed
//! subscribes on a connection of its own (`Client::get_async_pubsub`), reports the channel
//! live once Redis confirmed the subscription, hands each message to the cache, and when the
//! connection ends (error, `CLIENT KILL`, restart) reports it lost — the cache is dropped and
//! reads go to Redis — and resubscribes with a back-off (10 ms doubling to 1 s).

use std::future::poll_fn;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures_core::Stream;
use redis::aio::PubSubStream;

use super::connection::Target;
use super::{reason, timed_out, RedisStore, RedisStoreBuilder};
use crate::store::{Invalidations, NearCache, NearCachedStore, StoreError};

/// The channel every store of `prefix` publishes its invalidations to.
pub(super) fn channel(prefix: &str) -> String {
    format!("{prefix}:invalidate")
}

/// The first and the longest wait between two subscription attempts.
const BACKOFF: (Duration, Duration) = (Duration::from_millis(10), Duration::from_secs(1));

impl RedisStoreBuilder {
    /// Connects like [`build`](Self::build), and wraps the store in a [`NearCachedStore`]
    /// whose invalidations come from a subscriber connection of its own (on the tokio runtime
    /// this is called from; it ends when the last clone of the store is dropped). Returns once
    /// the subscription is confirmed, or after the connect timeout with the channel still down
    /// (the store then answers from Redis, uncached, until the feed gets through).
    ///
    /// Every `RedisStore` publishes invalidations whether or not it caches, so plain and
    /// near-cached servers can share one Redis; servers of a version before the near cache do
    /// not, and their revocations reach a near cache only through its
    /// [`max_age`](NearCache::max_age).
    pub async fn build_near_cached(
        self,
        config: NearCache,
    ) -> Result<NearCachedStore<RedisStore>, StoreError> {
        let urls = match &self.target {
            Target::Single(url) => std::slice::from_ref(url),
            Target::Cluster(nodes) => nodes.as_slice(),
        };
        let clients = urls
            .iter()
            .map(|url| redis::Client::open(url.as_str()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| StoreError {
                operation: "connect",
                reason: format!("invalid Redis URL ({:?})", e.kind()),
            })?;
        let channel = channel(&self.prefix);
        let connect_timeout = self.connect_timeout;
        let store = NearCachedStore::new(self.build().await?, config);
        let feed = store.invalidations();
        let subscriber = Subscriber {
            clients,
            channel,
            timeout: connect_timeout,
            next: 0,
        };
        let task = tokio::spawn(subscriber.run(feed.clone()));
        // Wait (within the connect timeout) for the first confirmed subscription.
        let confirmed = async {
            while !store.stats().live {
                tokio::time::sleep(BACKOFF.0).await;
            }
        };
        let _ = tokio::time::timeout(connect_timeout, confirmed).await;
        Ok(store.with_feed(Arc::new(AbortOnDrop(task.abort_handle()))))
    }
}

/// Ends the feed when the last clone of its store is dropped.
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The feed's connection settings: the nodes it may subscribe on (one, or a cluster's: a
/// classic `PUBLISH` reaches the subscribers of every node), tried in turn.
struct Subscriber {
    clients: Vec<redis::Client>,
    channel: String,
    timeout: Duration,
    next: usize,
}

impl Subscriber {
    /// A subscriber connection whose subscription Redis confirmed, on the next node.
    async fn subscribe(&mut self) -> Result<PubSubStream, StoreError> {
        let client = &self.clients[self.next % self.clients.len()];
        self.next = self.next.wrapping_add(1);
        let channel = self.channel.as_str();
        let attempt = async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(channel).await?;
            // `subscribe` is `Ok` even when Redis refused it (an ACL without the channel): the
            // reply is dropped. A connection that is subscribed answers `PING` with
            // `["pong", ""]`, one that is not with `PONG`: only the first is confirmed.
            match pubsub.ping::<redis::Value>().await? {
                redis::Value::Array(reply) if reply.len() == 2 => {
                    Ok::<_, redis::RedisError>(pubsub.into_on_message())
                }
                _ => Err(redis::RedisError::from((
                    redis::ErrorKind::ResponseError,
                    "subscription refused (does the Redis user have the channel?)",
                ))),
            }
        };
        match tokio::time::timeout(self.timeout, attempt).await {
            Ok(Ok(stream)) => Ok(stream),
            Ok(Err(error)) => Err(StoreError {
                operation: "subscribe",
                reason: reason(&error),
            }),
            Err(_) => Err(timed_out("subscribe", self.timeout)),
        }
    }

    /// The feed: subscribe, report the channel live, drain it; when it ends report it lost
    /// (the cache drops everything) and subscribe again, with a back-off between failures.
    async fn run(mut self, feed: Invalidations) {
        // However this task ends — aborted, its runtime shut down, a panic — the cache goes
        // off with it: nothing would deliver invalidations any more.
        let _off_when_gone = OffWhenGone(feed.clone());
        let mut backoff = BACKOFF.0;
        loop {
            match self.subscribe().await {
                Ok(mut live) => {
                    backoff = BACKOFF.0;
                    feed.channel_live();
                    while let Some(message) = poll_fn(|cx| Pin::new(&mut live).poll_next(cx)).await
                    {
                        feed.message(message.get_payload_bytes());
                    }
                    feed.channel_lost();
                    warn_lost();
                }
                Err(_) => {
                    feed.channel_lost();
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(BACKOFF.1);
                }
            }
        }
    }
}

/// Reports the channel lost when dropped: held by the feed task for its whole life.
struct OffWhenGone(Invalidations);

impl Drop for OffWhenGone {
    fn drop(&mut self) {
        self.0.channel_lost();
    }
}

/// Logged once per loss (with the `tracing` feature): the cache is off until it resubscribes.
fn warn_lost() {
    #[cfg(feature = "tracing")]
    tracing::warn!(
        target: "typed_cookies::store",
        "near cache: invalidation channel lost; cache dropped, reading Redis until resubscribed"
    );
}
