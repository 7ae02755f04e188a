//! [`RedisStore`]: the [`RevocationStore`] a fleet of servers shares, on Redis (feature
//! `redis`). Its own docs (this module is private) cover connection handling, timeouts, the key
//! layout, what a Redis restart without persistence loses and how memory stays bounded; the
//! key layout is in `redis/keys.rs`, the Lua scripts in `redis/scripts.rs`.

mod keys;
mod scripts;

use std::fmt;
use std::future::Future;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::{
    RevocationStore, Rotation, SessionId, Status, StoreError, StoreFuture, MAX_REPLACED_NONCES,
};
use keys::Kind;

/// The [`RevocationStore`] on Redis, shared by every server of a fleet.
///
/// # Connection handling
///
/// One [`redis::aio::ConnectionManager`] per store: a single multiplexed connection (every
/// concurrent operation is pipelined on it, so a store needs no pool) that reconnects by itself
/// after an I/O error, with a short exponential back-off (at most 6 attempts, each bounded by
/// the builder's [`connect_timeout`](RedisStoreBuilder::connect_timeout)). Cloning a
/// `RedisStore` is cheap and shares the connection. It needs a tokio runtime: build it and call
/// it from tasks of the same runtime. One Redis server (or a primary behind a failover proxy);
/// not Redis Cluster — [`status`](RevocationStore::status) reads two keys of different slots
/// with one `MGET`.
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
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    prefix: String,
    timeout: Duration,
    callers_clock: bool,
}

/// Configures and connects a [`RedisStore`]; from [`RedisStore::builder`].
#[derive(Clone)]
pub struct RedisStoreBuilder {
    url: String,
    prefix: String,
    timeout: Duration,
    connect_timeout: Duration,
    callers_clock: bool,
}

impl RedisStore {
    /// The default key prefix.
    pub const DEFAULT_PREFIX: &'static str = "typed-cookies";
    /// The default per-operation timeout.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(250);
    /// The default bound on one connection attempt (the first one and each reconnection).
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

    /// A builder for a store at `url` (`redis://[user:password@]host[:port][/db]`, or
    /// `redis+unix:///path`), with the defaults: prefix `typed-cookies`, 250 ms per operation,
    /// 2 s per connection attempt.
    pub fn builder(url: impl Into<String>) -> RedisStoreBuilder {
        RedisStoreBuilder {
            url: url.into(),
            prefix: Self::DEFAULT_PREFIX.to_owned(),
            timeout: Self::DEFAULT_TIMEOUT,
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            callers_clock: false,
        }
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
        op: impl FnOnce(ConnectionManager) -> F + Send + 'a,
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

    fn key(&self, kind: Kind, namespace: &str, id: SessionId) -> String {
        keys::entry(&self.prefix, kind, namespace, id)
    }
}

impl RedisStoreBuilder {
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

    /// Connects (within the connect timeout): a [`StoreError`] for operation `connect` when the
    /// URL is invalid (the message never repeats the URL, which may hold a password) or Redis
    /// cannot be reached.
    pub async fn build(self) -> Result<RedisStore, StoreError> {
        let error = |reason: String| StoreError {
            operation: "connect",
            reason,
        };
        let client = redis::Client::open(self.url.as_str())
            .map_err(|e| error(format!("invalid Redis URL ({:?})", e.kind())))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(self.connect_timeout)
            .set_number_of_retries(6)
            .set_max_delay(1_000);
        let connection = tokio::time::timeout(
            self.connect_timeout,
            ConnectionManager::new_with_config(client, config),
        )
        .await
        .map_err(|_| timed_out("connect", self.connect_timeout))?
        .map_err(|e| error(reason(&e)))?;
        Ok(RedisStore {
            connection,
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
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
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
            .finish_non_exhaustive()
    }
}

impl RevocationStore for RedisStore {
    /// One round trip: `MGET` of the revocation and epoch keys (`GET` without a subject).
    fn status<'a>(
        &'a self,
        namespace: &'a str,
        id: SessionId,
        subject: Option<&'a str>,
        now: i64,
    ) -> StoreFuture<'a, Status> {
        let revoked_key = self.key(Kind::Revoked, namespace, id);
        let epoch_key = subject.map(|subject| keys::epoch(&self.prefix, subject));
        let now = keys::time(now);
        self.run("status", move |mut connection| async move {
            let (until, epoch): (Option<i64>, Option<u64>) = match epoch_key {
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
        self.run("revoke", move |mut connection| async move {
            let _wrote: i64 = scripts::REVOKE
                .key(key)
                .arg(keys::until(until, now))
                .arg(keys::ttl(until, now))
                .invoke_async(&mut connection)
                .await?;
            Ok(())
        })
    }

    /// One script: `max(stored + 1, Redis's TIME in µs)`; the key never expires (see the
    /// module docs).
    fn bump_epoch<'a>(&'a self, subject: &'a str, now: i64) -> StoreFuture<'a, u64> {
        let key = keys::epoch(&self.prefix, subject);
        // Seconds that stay exact in Lua once multiplied by 10⁶ (as MemoryStore clamps them).
        let now = super::epoch_seconds(now);
        let clock = if self.callers_clock { "1" } else { "0" };
        self.run("bump_epoch", move |mut connection| async move {
            scripts::BUMP_EPOCH
                .key(key)
                .arg(now)
                .arg(clock)
                .invoke_async(&mut connection)
                .await
        })
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
