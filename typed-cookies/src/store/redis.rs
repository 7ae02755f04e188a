//! [`RedisStore`]: the [`RevocationStore`] a fleet of servers shares, on one Redis or on Redis
//! Cluster (feature `redis`). Its own docs (this module is private) cover connection handling,
//! timeouts, the key layout, durable writes, what a Redis restart without persistence loses and
//! how memory stays bounded; the key layout is in `redis/keys.rs`, the Lua scripts in
//! `redis/scripts.rs`, the connection (one server or a cluster) in `redis/connection.rs`, the
//! `WAIT` after a durable write in `redis/replicas.rs`.

mod connection;
mod invalidation;
mod keys;
mod replicas;
mod scripts;

use std::fmt;
use std::future::Future;
use std::time::Duration;

use super::{
    RevocationStore, Rotation, SessionId, Status, StoreError, StoreFuture, MAX_REPLACED_NONCES,
};
use connection::{Connection, Target};
use keys::{Kind, Layout};
use replicas::Durability;
pub use replicas::NotReplicated;

/// The [`RevocationStore`] on Redis, shared by every server of a fleet. Needs Redis 6.0 or
/// later (its scripts use `SET … KEEPTTL`).
///
/// # Connection handling
///
/// One [`redis::aio::ConnectionManager`] per store: a single multiplexed connection (every
/// concurrent operation is pipelined on it, so a store needs no pool) that reconnects by itself
/// after an I/O error, with a short exponential back-off (at most 6 attempts, each bounded by
/// the builder's [`connect_timeout`](RedisStoreBuilder::connect_timeout)). Cloning a
/// `RedisStore` is cheap and shares the connection. It needs a tokio runtime: build it and call
/// it from tasks of the same runtime. One Redis server (or a primary behind a failover proxy).
///
/// # Redis Cluster
///
/// [`RedisStore::cluster_builder`] takes the URLs of some nodes of a cluster instead of one URL
/// and builds the same `RedisStore` over the redis crate's async cluster client: one
/// multiplexed connection per primary, each command sent to the primary of its key's slot
/// (reads too, never a replica), `MOVED`/`ASK` followed and the slot map re-read after a
/// failover, all by the client, within the same per-operation timeout. Every script touches one
/// key, so every script runs on one node; the keys carry hash tags (see *Key layout*) so that
/// the entries of one session share a slot. [`status`](RevocationStore::status) reads two keys
/// of different slots (the session's revocation and the subject's epoch): on a cluster it sends
/// the two `GET`s at once, one to each slot's primary, and waits for both (one round trip of
/// latency, two commands), where one Redis answers a single `MGET`. What a failover may lose is
/// under *Durable writes* and in SECURITY.md.
///
/// # Timeouts
///
/// Every operation runs under [`tokio::time::timeout`] with the builder's
/// [`timeout`](RedisStoreBuilder::timeout) (default 250 ms). Past it the operation returns a
/// [`StoreError`] naming the operation and the timeout (`timed out after 250ms`), whatever
/// Redis is doing (paused, overloaded, unreachable, reconnecting); the caller's fail-open or
/// fail-closed policy decides what that means for the request. A write that timed out may still
/// have been applied. Errors never carry a key, a namespace, a subject or a session id.
///
/// # Key layout
///
/// ```text
/// {prefix}:rev:{len}:{namespace}:{id}     revocation   string: until        TTL until − now + 1 s
/// {prefix}:once:{len}:{namespace}:{id}    one-time use string: until        TTL until − now + 1 s
/// {prefix}:nonce:{len}:{namespace}:{id}   replay nonce hash: cur, until, replaced (+ prev, changed); same TTL
/// {prefix}:epoch:{len}:{subject}          epoch        integer (a time)     no TTL
/// ```
///
/// On a cluster ([`RedisStore::cluster_builder`]) the keys carry a hash tag (the braces below
/// are literal), so Redis hashes only the session id, or the subject, to choose the slot:
///
/// ```text
/// {prefix}:rev:{<id>}:{len}:{namespace}   {prefix}:once:{<id>}:{len}:{namespace}
/// {prefix}:nonce:{<id>}:{len}:{namespace} {prefix}:epoch:{<len>:<subject>}
/// ```
///
/// and the prefix may not contain braces. The single-server layout is not changed by this (the
/// revocations of live sessions stay where they are); moving a deployment from one Redis to a
/// cluster starts from an empty store, like a restart without persistence (below).
///
/// `prefix` defaults to `typed-cookies`; `len` is the byte length of the namespace or subject,
/// so names containing `:` never collide; `id` is the session id in 32 hex digits. Give two
/// applications sharing one Redis different prefixes. Each entry stores its own `until`, and
/// one whose `until` is before the `now` passed in is treated as absent even while Redis still
/// holds it, so an entry is live exactly while `now <= until` (the cookie itself opens through
/// its expiry second too). Read-modify-write operations are Lua scripts (atomic across every
/// process): `revoke` keeps the later `until`, `claim` writes only when no live claim exists,
/// `rotate_nonce` is the whole replay-detection step, its grace window measured on Redis's own
/// clock (`TIME`), so app servers whose clocks differ agree on it; `bump_epoch` moves the epoch
/// to `max(stored + 1, Redis's TIME in µs)`. The scripts call `redis.replicate_commands()`
/// where it exists (Redis 3.2–4.x need it to write after reading `TIME`; a no-op since 5).
///
/// # Durable writes
///
/// Redis replicates asynchronously: a primary acknowledges a write before any replica has it,
/// and a failover that promotes a replica which had not received it loses the write (a
/// revoked session opens again, a signed-out subject's sessions come back). With
/// [`wait_for_replicas(n, timeout)`](RedisStoreBuilder::wait_for_replicas), `revoke` and
/// `bump_epoch` (so [`Guard::revoke`](crate::guard::Guard::revoke) and
/// [`Guard::sign_out_everywhere`](crate::guard::Guard::sign_out_everywhere)) send `WAIT n
/// timeout` right after their write, on the same connection (in a cluster, to the primary of the
/// key's slot), and return only once `n` replicas acknowledged it; fewer in time is a
/// [`StoreError`] whose [`not_replicated`](StoreError::not_replicated) is `Some` (the write is
/// applied on the primary, not durable: retry, see [`NotReplicated`]). Those writes go over a
/// second connection of their own, because `WAIT` holds the connection it is sent on until it
/// answers (so a sign-out never delays the status reads of every request); durable writes of
/// one store wait on each other. `WAIT` is not consensus: a replica that acknowledged may still
/// lose the race to be promoted to one that did not, unless `n` is every replica of the
/// primary. The other operations (`status`, `claim`, the replay nonces) never wait.
///
/// # Clocks
///
/// Expiry (`until` against the `now` each server passes) is decided on the app servers' clocks,
/// and the [`Guard`](crate::guard::Guard) stores every entry for the tolerated clock skew
/// beyond the value's own expiry, so an entry outlives the value on every server whose clock
/// is within that tolerance. The replay grace window and the time of a sign-out everywhere
/// are measured on Redis's clock alone (a failover to a replica whose clock differs moves
/// them by that difference once: keep Redis on NTP). During an upgrade from a version that
/// recorded replacements on the app servers' clocks, the grace window of those records is off
/// by the app server's clock offset.
///
/// # What a restart without persistence loses
///
/// Revocations (revoked sessions open again until they expire), claims (a one-time value not yet
/// expired can be used once more), replay nonces (every tracked session becomes
/// [`Rotation::Unknown`]) and epochs (back to 0: sessions signed out everywhere *before* the
/// loss open again until the subject's next sign-out everywhere). What it cannot undo: an
/// epoch is the sign-out time on Redis's clock (µs), so the first sign-out everywhere after
/// the loss ends every session issued before it, whatever epoch it carries. Run Redis with `appendonly yes` (the
/// tests check that a revocation survives a restart with it and is lost without it), or accept
/// that a Redis restart reopens this window.
///
/// # Memory growth
///
/// Revocations, claims and nonces carry a Redis TTL ending one second after their `until`
/// (the value they concern would expire anyway; at most about 100 years), so they stay bounded
/// by what is live. Epochs do not expire: one small integer per subject that ever signed out
/// everywhere (a value sealed under an old epoch must keep failing for as long as it could
/// live, which the store cannot know). With `maxmemory`, set `maxmemory-policy noeviction`:
/// writes then fail (a [`StoreError`]) when memory is full, instead of Redis forgetting entries
/// — every other policy (`allkeys-*`, `volatile-*`) may evict a revocation, a claim or a nonce
/// before its TTL and reopen what it closed.
///
/// # Example
///
/// ```no_run
/// use std::time::Duration;
/// use typed_cookies::store::{RedisStore, RevocationStore, SessionId};
///
/// # async fn demo() -> Result<(), typed_cookies::store::StoreError> {
/// let store = RedisStore::builder("redis://127.0.0.1:6379/")
///     .prefix("shop")
///     .timeout(Duration::from_millis(100))
///     .build()
///     .await?;
/// let id = SessionId::generate();
/// let now = 1_780_000_000;
/// store.revoke("session", id, now + 3_600, now).await?;
/// assert!(store.status("session", id, None, now).await?.revoked);
/// # Ok(())
/// # }
/// ```
///
/// The same on Redis Cluster, with every revocation and sign-out acknowledged by a replica
/// before it returns:
///
/// ```no_run
/// use std::time::Duration;
/// use typed_cookies::guard::Guard;
/// use typed_cookies::store::RedisStore;
///
/// # async fn demo() -> Result<(), typed_cookies::store::StoreError> {
/// let store = RedisStore::cluster_builder(["redis://10.0.0.1:6379/", "redis://10.0.0.2:6379/"])
///     .wait_for_replicas(1, Duration::from_millis(100))
///     .build()
///     .await?;
/// let guard = Guard::new(store);
/// # let _ = guard;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    connection: Connection,
    /// The connection of durable writes and how many replicas they wait for.
    durable: Option<(Connection, Durability)>,
    layout: Layout,
    prefix: String,
    timeout: Duration,
    callers_clock: bool,
}

/// Configures and connects a [`RedisStore`]; from [`RedisStore::builder`] (one Redis) or
/// [`RedisStore::cluster_builder`] (Redis Cluster).
#[derive(Clone)]
pub struct RedisStoreBuilder {
    target: Target,
    prefix: String,
    timeout: Duration,
    connect_timeout: Duration,
    callers_clock: bool,
    durability: Option<Durability>,
}

impl RedisStore {
    /// The default key prefix.
    pub const DEFAULT_PREFIX: &'static str = "typed-cookies";
    /// The default per-operation timeout.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(250);
    /// The default bound on one connection attempt (the first one and each reconnection).
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
    /// The longest a durable write may wait for its replicas
    /// ([`RedisStoreBuilder::wait_for_replicas`]): a sign-out that waits longer has failed for
    /// the user anyway, and Redis refuses `WAIT` timeouts past its own range after the write.
    pub const MAX_REPLICA_WAIT: Duration = Duration::from_secs(60);

    /// A builder for a store at `url` (`redis://[user:password@]host[:port][/db]`, or
    /// `redis+unix:///path`), with the defaults: prefix `typed-cookies`, 250 ms per operation,
    /// 2 s per connection attempt.
    pub fn builder(url: impl Into<String>) -> RedisStoreBuilder {
        RedisStoreBuilder::new(Target::Single(url.into()))
    }

    /// A builder for a store on Redis Cluster, given the URLs of some of its nodes (one
    /// reachable node is enough to learn the others; give several, so that building works while
    /// one is down), with the same defaults as [`builder`](Self::builder). The keys carry hash
    /// tags (see *Key layout*) and the prefix may not contain `{` or `}`.
    pub fn cluster_builder<I, S>(nodes: I) -> RedisStoreBuilder
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        RedisStoreBuilder::new(Target::Cluster(nodes.into_iter().map(Into::into).collect()))
    }

    /// Whether this store is on Redis Cluster (built by [`cluster_builder`](Self::cluster_builder)).
    pub fn is_cluster(&self) -> bool {
        self.layout == Layout::Cluster
    }

    /// How many replicas `revoke` and `bump_epoch` wait for, and for how long
    /// ([`RedisStoreBuilder::wait_for_replicas`]); `None` when they do not wait.
    pub fn replicas_waited_for(&self) -> Option<(u32, Duration)> {
        self.durable
            .as_ref()
            .map(|(_, durability)| (durability.replicas, durability.timeout))
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The per-operation timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Runs `op` under the timeout, with a clone of the connection (cheap, shared).
    fn run<'a, T, F>(
        &'a self,
        operation: &'static str,
        op: impl FnOnce(Connection) -> F + Send + 'a,
    ) -> StoreFuture<'a, T>
    where
        T: Send + 'a,
        F: Future<Output = redis::RedisResult<T>> + Send + 'a,
    {
        let connection = self.connection.clone();
        let timeout = self.timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, op(connection)).await {
                Ok(Ok(value)) => Ok(value),
                Ok(Err(error)) => Err(StoreError {
                    operation,
                    reason: reason(&error),
                }),
                Err(_) => Err(timed_out(operation, timeout)),
            }
        })
    }

    /// Runs `script` on `key` with `args` and, for a store that waits for replicas, `WAIT`
    /// after it on the durable connection: a [`NotReplicated`] error when fewer acknowledged
    /// in time. The timeout then covers the write and the wait.
    fn write<'a, T>(
        &'a self,
        operation: &'static str,
        script: &'static redis::Script,
        key: String,
        args: Vec<String>,
    ) -> StoreFuture<'a, T>
    where
        T: redis::FromRedisValue + Send + 'a,
    {
        let Some((connection, durability)) = &self.durable else {
            return self.run(operation, move |mut connection| async move {
                let mut invocation = script.key(key);
                for arg in &args {
                    invocation.arg(arg);
                }
                invocation.invoke_async(&mut connection).await
            });
        };
        let (mut connection, durability) = (connection.clone(), *durability);
        let timeout = self.timeout.saturating_add(durability.timeout);
        Box::pin(async move {
            let written =
                replicas::write_then_wait::<T>(&mut connection, script, &key, &args, durability);
            match tokio::time::timeout(timeout, written).await {
                Ok(Ok((value, acknowledged))) if acknowledged >= durability.replicas => Ok(value),
                Ok(Ok((_, acknowledged))) => Err(StoreError::replication_failed(
                    operation,
                    NotReplicated {
                        acknowledged,
                        wanted: durability.replicas,
                    },
                )),
                Ok(Err(error)) => Err(StoreError {
                    operation,
                    reason: reason(&error),
                }),
                Err(_) => Err(timed_out(operation, timeout)),
            }
        })
    }

    fn key(&self, kind: Kind, namespace: &str, id: SessionId) -> String {
        keys::entry(self.layout, &self.prefix, kind, namespace, id)
    }
}

impl RedisStoreBuilder {
    fn new(target: Target) -> Self {
        Self {
            target,
            prefix: RedisStore::DEFAULT_PREFIX.to_owned(),
            timeout: RedisStore::DEFAULT_TIMEOUT,
            connect_timeout: RedisStore::DEFAULT_CONNECT_TIMEOUT,
            callers_clock: false,
            durability: None,
        }
    }

    /// Makes `revoke` and `bump_epoch` (a sign-out, a sign-out everywhere) durable: each
    /// returns only once `replicas` replicas acknowledged its write, waiting at most `timeout`
    /// for them (Redis's `WAIT`, on a connection of its own; see *Durable writes* on
    /// [`RedisStore`]); fewer in time is a [`StoreError`] whose
    /// [`not_replicated`](StoreError::not_replicated) says how many did. The per-operation
    /// [`timeout`](Self::timeout) is added to `timeout` for those two operations. `replicas`
    /// 0 turns it off (the default). Use it when a sign-out must survive the loss of the
    /// primary; it costs those operations a replication round trip, and fails them while fewer
    /// replicas are up. A `timeout` above [`RedisStore::MAX_REPLICA_WAIT`] is refused by
    /// [`build`](Self::build).
    pub fn wait_for_replicas(mut self, replicas: u32, timeout: Duration) -> Self {
        self.durability = (replicas > 0).then_some(Durability { replicas, timeout });
        self
    }
    /// The prefix of every key (default `typed-cookies`); distinct applications sharing one
    /// Redis need distinct prefixes.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The bound on each operation (default 250 ms), the whole round trip included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The bound on one connection attempt (default 2 s): [`build`](Self::build) and each
    /// background reconnection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Decides on the `now` each caller passes what this store otherwise decides on Redis's own
    /// clock (the replay grace window, the time of a sign-out everywhere): for tests that move
    /// time with a [`ManualClock`](crate::ManualClock), Redis's clock cannot be moved. Never
    /// for a fleet: servers whose clocks differ by more than the grace window then take a
    /// legitimate concurrent request for a replay (and revoke the session), or accept an older
    /// copy for longer than the window, and a sign-out everywhere on a server whose clock is
    /// behind may not end sessions after the store lost its data.
    pub fn callers_clock_for_tests(mut self) -> Self {
        self.callers_clock = true;
        self
    }

    /// Connects (within the connect timeout; a store that waits for replicas opens a second
    /// connection for its durable writes): a [`StoreError`] for operation `connect` when the
    /// URL is invalid (the message never repeats the URL, which may hold a password), Redis
    /// cannot be reached, a cluster builder was given no node, or a cluster store's prefix
    /// holds a brace.
    pub async fn build(self) -> Result<RedisStore, StoreError> {
        let error = |reason: String| StoreError {
            operation: "connect",
            reason,
        };
        let layout = match self.target {
            Target::Single(_) => Layout::Single,
            Target::Cluster(_) => Layout::Cluster,
        };
        if layout == Layout::Cluster && !keys::cluster_prefix_ok(&self.prefix) {
            return Err(error(
                "a cluster store's prefix may not contain `{` or `}` (its keys' hash tags)"
                    .to_owned(),
            ));
        }
        if let Some(durability) = self.durability {
            if durability.timeout > RedisStore::MAX_REPLICA_WAIT {
                return Err(error(format!(
                    "wait_for_replicas: a timeout of at most {:?} (RedisStore::MAX_REPLICA_WAIT), not {:?}",
                    RedisStore::MAX_REPLICA_WAIT,
                    durability.timeout
                )));
            }
        }
        let connection = connection::connect(&self.target, self.connect_timeout)
            .await
            .map_err(error)?;
        let durable = match self.durability {
            Some(durability) => Some((
                connection::connect(&self.target, self.connect_timeout)
                    .await
                    .map_err(error)?,
                durability,
            )),
            None => None,
        };
        Ok(RedisStore {
            connection,
            durable,
            layout,
            prefix: self.prefix,
            timeout: self.timeout,
            callers_clock: self.callers_clock,
        })
    }
}

/// A client error as a [`StoreError`] reason. Replies that do not parse are named, not shown
/// (the client's message would quote them).
fn reason(error: &redis::RedisError) -> String {
    match error.kind() {
        redis::ErrorKind::TypeError => "unexpected reply from Redis".to_owned(),
        _ => error.to_string(),
    }
}

fn timed_out(operation: &'static str, timeout: Duration) -> StoreError {
    StoreError {
        operation,
        reason: format!("timed out after {timeout:?}"),
    }
}

impl fmt::Debug for RedisStore {
    /// Prefix and timeout; never the URL (it may hold a password).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("cluster", &self.is_cluster())
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("wait_for_replicas", &self.replicas_waited_for())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for RedisStoreBuilder {
    /// Everything but the URL (it may hold a password).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStoreBuilder")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("callers_clock_for_tests", &self.callers_clock)
            .field("cluster", &matches!(self.target, Target::Cluster(_)))
            .field(
                "wait_for_replicas",
                &self.durability.map(|d| (d.replicas, d.timeout)),
            )
            .finish_non_exhaustive()
    }
}

impl RevocationStore for RedisStore {
    /// One round trip: `MGET` of the revocation and epoch keys (`GET` without a subject); on a
    /// cluster, where the two keys are in different slots, the two `GET`s at once.
    fn status<'a>(
        &'a self,
        namespace: &'a str,
        id: SessionId,
        subject: Option<&'a str>,
        now: i64,
    ) -> StoreFuture<'a, Status> {
        let revoked_key = self.key(Kind::Revoked, namespace, id);
        let epoch_key = subject.map(|subject| keys::epoch(self.layout, &self.prefix, subject));
        let now = keys::time(now);
        let cluster = self.is_cluster();
        self.run("status", move |mut connection| async move {
            let (until, epoch): (Option<i64>, Option<u64>) = match epoch_key {
                Some(epoch_key) if cluster => {
                    let mut other = connection.clone();
                    let (until, epoch) = connection::both(
                        redis::cmd("GET")
                            .arg(&revoked_key)
                            .query_async(&mut connection),
                        redis::cmd("GET").arg(&epoch_key).query_async(&mut other),
                    )
                    .await;
                    (until?, epoch?)
                }
                Some(epoch_key) => {
                    redis::cmd("MGET")
                        .arg(&revoked_key)
                        .arg(&epoch_key)
                        .query_async(&mut connection)
                        .await?
                }
                None => (
                    redis::cmd("GET")
                        .arg(&revoked_key)
                        .query_async(&mut connection)
                        .await?,
                    None,
                ),
            };
            Ok(Status {
                revoked: until.is_some_and(|until| until >= now),
                epoch: epoch.unwrap_or(0),
            })
        })
    }

    /// One script: writes unless a later revocation is already stored.
    fn revoke<'a>(
        &'a self,
        namespace: &'a str,
        id: SessionId,
        until: i64,
        now: i64,
    ) -> StoreFuture<'a, ()> {
        let key = self.key(Kind::Revoked, namespace, id);
        let args = vec![
            keys::until(until, now).to_string(),
            keys::ttl(until, now).to_string(),
            // The near caches' invalidation, published by the script (redis/invalidation.rs).
            invalidation::channel(&self.prefix),
            super::session_message(id),
        ];
        let wrote = self.write::<i64>("revoke", &scripts::REVOKE, key, args);
        Box::pin(async move { wrote.await.map(|_wrote| ()) })
    }

    /// One script: `max(stored + 1, Redis's TIME in µs)`; the key never expires (see the
    /// module docs).
    fn bump_epoch<'a>(&'a self, subject: &'a str, now: i64) -> StoreFuture<'a, u64> {
        let key = keys::epoch(self.layout, &self.prefix, subject);
        // Seconds that stay exact in Lua once multiplied by 10⁶ (as MemoryStore clamps them).
        let now = super::epoch_seconds(now);
        let clock = if self.callers_clock { "1" } else { "0" };
        self.write(
            "bump_epoch",
            &scripts::BUMP_EPOCH,
            key,
            vec![
                now.to_string(),
                clock.to_owned(),
                invalidation::channel(&self.prefix),
                super::subject_message(subject),
            ],
        )
    }

    /// One script: `true` iff no live claim was stored (then it stores this one).
    fn claim<'a>(
        &'a self,
        namespace: &'a str,
        id: SessionId,
        until: i64,
        now: i64,
    ) -> StoreFuture<'a, bool> {
        let key = self.key(Kind::Claimed, namespace, id);
        self.run("claim", move |mut connection| async move {
            let wrote: i64 = scripts::CLAIM
                .key(key)
                .arg(keys::until(until, now))
                .arg(keys::time(now))
                .arg(keys::ttl(until, now))
                .invoke_async(&mut connection)
                .await?;
            Ok(wrote == 1)
        })
    }

    /// `MULTI`: `DEL`, `HSET` of the fresh record, `EXPIRE`; one round trip.
    fn start_nonce<'a>(
        &'a self,
        namespace: &'a str,
        id: SessionId,
        nonce: u64,
        until: i64,
        now: i64,
    ) -> StoreFuture<'a, ()> {
        let key = self.key(Kind::Nonce, namespace, id);
        self.run("start_nonce", move |mut connection| async move {
            redis::pipe()
                .atomic()
                .del(&key)
                .ignore()
                .hset_multiple(
                    &key,
                    &[
                        ("cur", nonce.to_string()),
                        ("changed", keys::time(now).to_string()),
                        ("until", keys::until(until, now).to_string()),
                    ],
                )
                .ignore()
                .expire(&key, keys::ttl(until, now))
                .ignore()
                .query_async::<()>(&mut connection)
                .await
        })
    }

    /// One script, the whole step (see the trait).
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
        let key = self.key(Kind::Nonce, namespace, id);
        let clock = if self.callers_clock { "1" } else { "0" };
        self.run("rotate_nonce", move |mut connection| async move {
            let code: i64 = scripts::ROTATE
                .key(key)
                .arg(presented.to_string())
                .arg(next.to_string())
                .arg(keys::time(grace))
                .arg(keys::until(until, now))
                .arg(keys::time(now))
                .arg(keys::ttl(until, now))
                .arg(MAX_REPLACED_NONCES)
                .arg(clock)
                .invoke_async(&mut connection)
                .await?;
            match code {
                scripts::ROTATED => Ok(Rotation::Rotated),
                scripts::GRACE => Ok(Rotation::Grace),
                scripts::UNKNOWN => Ok(Rotation::Unknown),
                scripts::REPLAYED => Ok(Rotation::Replayed),
                _ => Err(redis::RedisError::from((
                    redis::ErrorKind::TypeError,
                    "unexpected rotation code",
                ))),
            }
        })
    }
}
