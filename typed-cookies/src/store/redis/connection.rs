//! The connection under a [`RedisStore`](super::RedisStore): one Redis through a reconnecting
//! [`ConnectionManager`], or Redis Cluster through the redis crate's async cluster client. Both
//! are multiplexed (every concurrent operation is pipelined on them) and cheap to clone; the
//! store's operations are written once, over [`Connection`], which routes each command as its
//! client does.
//!
//! The cluster client keeps one multiplexed connection per node, routes each command to the
//! primary serving its key's slot (reads too: never a replica, which may lag), follows `MOVED`
//! and `ASK` redirections, and re-reads the slot map after a connection error or a `MOVED`, so
//! a failover (a replica promoted to primary) is found by itself. Its retries are bounded like
//! the single connection's reconnections (6 attempts, back-off from 10 ms to 1 s); the store's
//! per-operation timeout bounds them all.

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClientBuilder;
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, Value};

/// Where the store connects.
#[derive(Clone)]
pub(super) enum Target {
    /// One Redis server: its URL.
    Single(String),
    /// Redis Cluster: the URLs of some of its nodes (any reachable one reveals the others).
    Cluster(Vec<String>),
}

/// A connection to one Redis or to a cluster.
#[derive(Clone)]
pub(super) enum Connection {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

/// How many times a lost connection is tried again, and the longest back-off between tries.
const RETRIES: u32 = 6;
const MAX_DELAY_MS: u64 = 1_000;
/// The cluster client's shortest back-off before a retry (its default, 1.28 s, is longer than
/// any operation's timeout).
const MIN_CLUSTER_DELAY_MS: u64 = 10;

/// Connects to `target` within `connect_timeout`. Errors never repeat a URL (it may hold a
/// password).
pub(super) async fn connect(
    target: &Target,
    connect_timeout: Duration,
) -> Result<Connection, String> {
    let invalid = |e: redis::RedisError| format!("invalid Redis URL ({:?})", e.kind());
    let connecting = async {
        match target {
            Target::Single(url) => {
                let client = redis::Client::open(url.as_str()).map_err(invalid)?;
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(connect_timeout)
                    .set_number_of_retries(RETRIES as usize)
                    .set_max_delay(MAX_DELAY_MS);
                ConnectionManager::new_with_config(client, config)
                    .await
                    .map(Connection::Single)
                    .map_err(|e| super::reason(&e))
            }
            Target::Cluster(nodes) => {
                if nodes.is_empty() {
                    return Err("no cluster node given".to_owned());
                }
                let client = ClusterClientBuilder::new(nodes.iter().map(String::as_str))
                    .connection_timeout(connect_timeout)
                    .retries(RETRIES)
                    .min_retry_wait(MIN_CLUSTER_DELAY_MS)
                    .max_retry_wait(MAX_DELAY_MS)
                    .build()
                    .map_err(invalid)?;
                client
                    .get_async_connection()
                    .await
                    .map(Connection::Cluster)
                    .map_err(|e| super::reason(&e))
            }
        }
    };
    tokio::time::timeout(connect_timeout, connecting)
        .await
        .map_err(|_| {
            format!(
                "could not connect to {} within {connect_timeout:?} (refused or unreachable: is Redis running there?)",
                addresses(target)
            )
        })?
}

/// The host and port of each node of `target`, for error messages: never the URL's user name
/// or password.
fn addresses(target: &Target) -> String {
    let address = |url: &str| {
        redis::IntoConnectionInfo::into_connection_info(url).map_or_else(
            |_| "an invalid URL".to_owned(),
            |info| info.addr.to_string(),
        )
    };
    match target {
        Target::Single(url) => address(url),
        Target::Cluster(nodes) => nodes
            .iter()
            .map(|url| address(url))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Connection::Single(connection) => connection.req_packed_command(cmd),
            Connection::Cluster(connection) => connection.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        cmd: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Connection::Single(connection) => connection.req_packed_commands(cmd, offset, count),
            Connection::Cluster(connection) => connection.req_packed_commands(cmd, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Connection::Single(connection) => connection.get_db(),
            Connection::Cluster(connection) => connection.get_db(),
        }
    }
}

/// Runs two futures concurrently and returns both outputs (the cluster's `status` reads two
/// slots, usually on two nodes, at once).
pub(super) async fn both<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut left, mut right) = (None, None);
    poll_fn(move |cx| {
        if left.is_none() {
            if let Poll::Ready(out) = a.as_mut().poll(cx) {
                left = Some(out);
            }
        }
        if right.is_none() {
            if let Poll::Ready(out) = b.as_mut().poll(cx) {
                right = Some(out);
            }
        }
        match (left.take(), right.take()) {
            (Some(l), Some(r)) => Poll::Ready((l, r)),
            (l, r) => {
                (left, right) = (l, r);
                Poll::Pending
            }
        }
    })
    .await
}
