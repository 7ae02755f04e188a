//! The harness of the revocation-store tests over a real Redis (feature `redis`; `tests/store/`,
//! `tests/cluster/`, `tests/near_cache/`): the `now` of most scenarios ([`NOW`]), a runtime of
//! two workers ([`runtime`]), namespaces no other test uses ([`fresh`]), stores on a
//! [`RedisServer`] or a [`RedisCluster`] with the replay grace window on Redis's clock (as in
//! production) or on the `now` each call passes (`*_moving_time`, for the scenarios that move
//! time: Redis's own clock cannot be moved), and a plain client for what a store never does
//! ([`admin`]: pause the server, read TTLs, kill connections); and the scenarios two app
//! servers sharing one store must pass, on one server and on a cluster
//! ([`fleet_shares_sign_outs_epochs_and_replay_nonces`], [`one_time_token_opens_once_across`]).

use std::time::Duration;

use typed_cookies::guard::{ClientContext, Guard, Issued};
use typed_cookies::store::{RedisStore, SessionId};
use typed_cookies::{KeyRing, OpenError};

use crate::redis_cluster::RedisCluster;
use crate::sessions::{user, value_of, Paranoid, Session};
use crate::RedisServer;

/// The `now` of most scenarios (unix seconds, 2026-05-28).
pub const NOW: i64 = 1_780_000_000;

/// A multi-threaded runtime of two workers (the test machines have two cores).
///
/// # Panics
///
/// If the runtime cannot be built.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// A namespace no other test (or earlier run on the same Redis) uses: `label.<random id>`.
pub fn fresh(label: &str) -> String {
    format!("{label}.{}", SessionId::generate())
}

/// A store on `server` with `timeout` per operation (the replay grace window on Redis's
/// clock, as in production).
///
/// # Panics
///
/// If it cannot connect.
pub async fn connect(server: &RedisServer, timeout: Duration) -> RedisStore {
    RedisStore::builder(server.url())
        .timeout(timeout)
        .build()
        .await
        .expect("connect to the test redis-server")
}

/// [`connect`], with the replay grace window measured on the `now` each call passes.
///
/// # Panics
///
/// If it cannot connect.
pub async fn connect_moving_time(server: &RedisServer, timeout: Duration) -> RedisStore {
    RedisStore::builder(server.url())
        .timeout(timeout)
        .callers_clock_for_tests()
        .build()
        .await
        .expect("connect to the test redis-server")
}

/// A store on `cluster`, given every node's URL, with `timeout` per operation.
///
/// # Panics
///
/// If it cannot connect.
pub async fn connect_cluster(cluster: &RedisCluster, timeout: Duration) -> RedisStore {
    RedisStore::cluster_builder(cluster.urls())
        .timeout(timeout)
        .build()
        .await
        .expect("connect to the test cluster")
}

/// [`connect_cluster`], with the replay grace window measured on the `now` each call passes.
///
/// # Panics
///
/// If it cannot connect.
pub async fn connect_cluster_moving_time(cluster: &RedisCluster, timeout: Duration) -> RedisStore {
    RedisStore::cluster_builder(cluster.urls())
        .timeout(timeout)
        .callers_clock_for_tests()
        .build()
        .await
        .expect("connect to the test cluster")
}

/// The Redis key of `issued`'s entry of `kind` (`once`, `rev`, `nonce`) for `salt`, under the default
/// prefix.
///
/// # Panics
///
/// If `issued` is not tracked (has no session id).
pub fn entry_key(kind: &str, salt: &str, issued: &Issued) -> String {
    let id = issued.session_id().expect("tracked");
    format!("typed-cookies:{kind}:{}:{salt}:{id}", salt.len())
}

/// A plain client of `server`, for what a store never does (pause it, read TTLs, kill
/// connections).
///
/// # Panics
///
/// If it cannot connect.
pub async fn admin(server: &RedisServer) -> ::redis::aio::MultiplexedConnection {
    ::redis::Client::open(server.url())
        .expect("url")
        .get_multiplexed_async_connection()
        .await
        .expect("admin connection")
}

/// Two app servers `a` and `b` (two guards over one shared store) see each other's sign-outs,
/// epochs and replay nonces. `rounds` sign-ins are each opened and revoked on `b`, then
/// refused on `a` (many, on a cluster, so that their entries land on every primary); a sign
/// out everywhere on `a` ends a session opened on `b`, not a later sign-in; `a`'s replay
/// renewal is current on `b`, and the first value replayed on `b` after the grace window (on
/// a [`clocked`](crate::clocked) ring's clock) revokes the session on both.
///
/// # Panics
///
/// Where a server does not see what the other did (the assertions of the scenario).
pub async fn fleet_shares_sign_outs_epochs_and_replay_nonces(
    a: &Guard,
    b: &Guard,
    keys: &KeyRing,
    rounds: usize,
) {
    let ctx = ClientContext::new();
    // Signed in on server A, signed out on server B: refused on A.
    for _ in 0..rounds {
        let issued = a
            .issue(keys, &user::<Session>(), Some("user:ann"), &ctx)
            .await
            .unwrap();
        let on_b = b.open::<Session>(keys, issued.value(), &ctx).await.unwrap();
        b.revoke(keys, on_b.opened()).await.unwrap();
        assert_eq!(
            a.open::<Session>(keys, issued.value(), &ctx).await.err(),
            Some(OpenError::Revoked)
        );
    }
    // Sign out everywhere on A ends a session opened on B; a new sign-in is not affected.
    let other = b
        .issue(keys, &user::<Session>(), Some("user:ann"), &ctx)
        .await
        .unwrap();
    assert!(b.open::<Session>(keys, other.value(), &ctx).await.is_ok());
    a.sign_out_everywhere(keys, "user:ann").await.unwrap();
    assert_eq!(
        b.open::<Session>(keys, other.value(), &ctx).await.err(),
        Some(OpenError::Revoked)
    );
    let again = a
        .issue(keys, &user::<Session>(), Some("user:ann"), &ctx)
        .await
        .unwrap();
    assert!(b.open::<Session>(keys, again.value(), &ctx).await.is_ok());

    // Replay: the renewal made on A is current on B; the first value replayed on B (well
    // after the grace window, by the ring's clock) revokes the session everywhere.
    let (keys_then, clock) = crate::clocked(keys);
    let first = a
        .issue(&keys_then, &user::<Paranoid>(), None, &ctx)
        .await
        .unwrap();
    let renewed = a
        .open::<Paranoid>(&keys_then, first.value(), &ctx)
        .await
        .unwrap();
    let second = value_of(renewed.renewed().expect("a replay rotation")).to_owned();
    assert!(b.open::<Paranoid>(&keys_then, &second, &ctx).await.is_ok());
    clock.advance(typed_cookies::time::Duration::minutes(1));
    assert_eq!(
        b.open::<Paranoid>(&keys_then, first.value(), &ctx)
            .await
            .err(),
        Some(OpenError::Replayed)
    );
    assert_eq!(
        a.open::<Paranoid>(&keys_then, &second, &ctx).await.err(),
        Some(OpenError::Revoked)
    );
}

/// A one-time token sealed `rounds` times, each opened at once on `a` and on `b` (two guards
/// over one shared store): one of them gets the value, the other `AlreadyUsed`.
///
/// # Panics
///
/// Where both open a token, or neither.
pub async fn one_time_token_opens_once_across(a: &Guard, b: &Guard, keys: &KeyRing, rounds: u64) {
    let reset = keys
        .signed("tests.store.fleet.reset")
        .one_time(typed_cookies::time::Duration::hours(1));
    for n in 0..rounds {
        let token = reset.seal(&n).unwrap();
        let (first, second) =
            tokio::join!(reset.open::<u64>(a, &token), reset.open::<u64>(b, &token));
        let mut outcomes = [first, second];
        outcomes.sort_by_key(|o| o.is_err());
        assert_eq!(outcomes, [Ok(n), Err(OpenError::AlreadyUsed)]);
    }
}
