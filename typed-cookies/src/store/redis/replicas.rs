//! Durable writes: a [`RedisStore`](super::RedisStore) built with
//! [`wait_for_replicas`](super::RedisStoreBuilder::wait_for_replicas) follows each `revoke`
//! and `bump_epoch` with Redis's `WAIT n timeout` on the same connection (in a cluster, on the
//! connection to the primary of the key's slot: the script and `WAIT` go as one pipeline, which
//! the cluster client routes by the script's key), and answers only once `n` replicas
//! acknowledged the write — or with a [`StoreError`] that [`StoreError::not_replicated`] reads
//! as [`NotReplicated`].

use std::fmt;
use std::time::Duration;

use redis::aio::ConnectionLike;
use redis::{ErrorKind, FromRedisValue, RedisResult, Script};

use super::super::StoreError;

/// The outcome of a write the primary applied but fewer replicas than asked acknowledged
/// within the timeout ([`RedisStoreBuilder::wait_for_replicas`](super::RedisStoreBuilder::wait_for_replicas)).
///
/// The write *happened* (every server reading the primary sees it now) but is not durable: a
/// failover that promotes a replica which did not receive it forgets it. What to do: retry the
/// operation (a revocation keeps the later expiry, so a retry is harmless; a retried sign-out
/// everywhere moves the epoch again, which also ends sessions issued in between) or report
/// that the sign-out may not survive a failover.
///
/// ```
/// use typed_cookies::store::{NotReplicated, StoreError};
/// let error = StoreError::replication_failed("revoke", NotReplicated { acknowledged: 0, wanted: 1 });
/// assert_eq!(error.not_replicated(), Some(NotReplicated { acknowledged: 0, wanted: 1 }));
/// let other = StoreError { operation: "revoke", reason: "timed out after 250ms".into() };
/// assert_eq!(other.not_replicated(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotReplicated {
    /// How many replicas acknowledged the write in time (`WAIT`'s answer).
    pub acknowledged: u32,
    /// How many were asked for.
    pub wanted: u32,
}

const HEAD: &str = "applied on the primary but acknowledged by ";
const TAIL: &str = " replicas in time (not durable yet)";

impl fmt::Display for NotReplicated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{HEAD}{} of {}{TAIL}", self.acknowledged, self.wanted)
    }
}

impl StoreError {
    /// The error of `operation` whose write reached fewer replicas than asked: its reason is
    /// `outcome`'s message, and [`not_replicated`](Self::not_replicated) gives `outcome` back.
    pub fn replication_failed(operation: &'static str, outcome: NotReplicated) -> Self {
        Self {
            operation,
            reason: outcome.to_string(),
        }
    }

    /// `Some` when the operation's write was applied on the primary but not acknowledged by
    /// enough replicas in time ([`RedisStoreBuilder::wait_for_replicas`](super::RedisStoreBuilder::wait_for_replicas));
    /// `None` for every other failure (then nothing may have been written, or a timed-out
    /// write may have been).
    pub fn not_replicated(&self) -> Option<NotReplicated> {
        let counts = self.reason.strip_prefix(HEAD)?.strip_suffix(TAIL)?;
        let (acknowledged, wanted) = counts.split_once(" of ")?;
        let outcome = NotReplicated {
            acknowledged: acknowledged.parse().ok()?,
            wanted: wanted.parse().ok()?,
        };
        // Only the exact message `replication_failed` writes (no `+1`, no leading zeros).
        (outcome.to_string() == self.reason).then_some(outcome)
    }
}

/// How many replicas a durable write waits for, and for how long.
#[derive(Clone, Copy, Debug)]
pub(super) struct Durability {
    pub(super) replicas: u32,
    pub(super) timeout: Duration,
}

impl Durability {
    /// `WAIT`'s timeout in milliseconds: at least 1 (0 would wait forever).
    fn millis(self) -> u64 {
        u64::try_from(self.timeout.as_millis())
            .unwrap_or(u64::MAX)
            .max(1)
    }
}

/// Runs `script` on `key` with `args`, then `WAIT` on the same connection, as one pipeline;
/// returns the script's answer and how many replicas acknowledged. A script the server does not
/// know yet (`NOSCRIPT`: a fresh or restarted node) is loaded and the pair sent again.
pub(super) async fn write_then_wait<T: FromRedisValue>(
    connection: &mut impl ConnectionLike,
    script: &Script,
    key: &str,
    args: &[String],
    durability: Durability,
) -> RedisResult<(T, u32)> {
    let mut pipe = redis::pipe();
    pipe.cmd("EVALSHA")
        .arg(script.get_hash())
        .arg(1)
        .arg(key)
        .arg(args)
        .cmd("WAIT")
        .arg(durability.replicas)
        .arg(durability.millis());
    match pipe.query_async(connection).await {
        Err(error) if error.kind() == ErrorKind::NoScriptError => {
            script.load_async(connection).await?;
            pipe.query_async(connection).await
        }
        answer => answer,
    }
}
