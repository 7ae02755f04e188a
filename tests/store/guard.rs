//! The guard over a real Redis: two "servers" (two guards, two connections) sharing one
//! Redis see each other's sign-outs, epochs and replay nonces; with Redis stopped mid-run a
//! type that fails closed refuses (and issues nothing) while a fail-open type accepts; and a
//! one-time token is claimed once across both servers.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use typed_cookies::guard::{ClientContext, Guard};
use typed_cookies::store::RedisStore;
use typed_cookies::{Key, KeyRing, OpenError, SealError, SealedCookie};
use typed_cookies_testkit::RedisServer;

use super::{connect_moving_time, runtime};

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "tests.store.guard.session.v1",
    max_age = "8h",
    encrypt,
    revocable
)]
struct Session {
    user: String,
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-paranoid",
    salt = "tests.store.guard.paranoid.v1",
    max_age = "8h",
    encrypt,
    replay = "5s"
)]
struct Paranoid {
    user: String,
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-lenient",
    salt = "tests.store.guard.lenient.v1",
    max_age = "8h",
    revocable,
    if_store_down = "accept"
)]
struct Lenient {
    user: String,
}

fn ann<T: From<String>>() -> T {
    T::from("ann".to_owned())
}

impl From<String> for Session {
    fn from(user: String) -> Self {
        Self { user }
    }
}
impl From<String> for Paranoid {
    fn from(user: String) -> Self {
        Self { user }
    }
}
impl From<String> for Lenient {
    fn from(user: String) -> Self {
        Self { user }
    }
}

async fn guard(server: &RedisServer) -> Guard {
    let store: RedisStore = connect_moving_time(server, Duration::from_millis(250)).await;
    Guard::new(store)
}

#[test]
fn a_fleet_shares_sign_outs_epochs_and_replay_nonces() {
    let Some(server) =
        RedisServer::start_or_skip("a_fleet_shares_sign_outs_epochs_and_replay_nonces")
    else {
        return;
    };
    runtime().block_on(async {
        let keys = KeyRing::new(Key::generate());
        let (a, b) = (guard(&server).await, guard(&server).await);
        let ctx = ClientContext::new();
        // Signed in on server A, signed out on server B: refused on A.
        let issued = a
            .issue(&keys, &ann::<Session>(), Some("user:ann"), &ctx)
            .await
            .unwrap();
        let on_b = b
            .open::<Session>(&keys, issued.value(), &ctx)
            .await
            .unwrap();
        b.revoke(&keys, on_b.opened()).await.unwrap();
        assert_eq!(
            a.open::<Session>(&keys, issued.value(), &ctx).await.err(),
            Some(OpenError::Revoked)
        );
        // Sign out everywhere on A ends a session opened on B.
        let other = b
            .issue(&keys, &ann::<Session>(), Some("user:ann"), &ctx)
            .await
            .unwrap();
        assert!(b.open::<Session>(&keys, other.value(), &ctx).await.is_ok());
        a.sign_out_everywhere(&keys, "user:ann").await.unwrap();
        assert_eq!(
            b.open::<Session>(&keys, other.value(), &ctx).await.err(),
            Some(OpenError::Revoked)
        );
        // Replay: the renewal made on A is current on B; the first value replayed on B
        // (well after the grace window, by the ring's clock) revokes the session everywhere.
        let (keys_then, clock) = typed_cookies_testkit::clocked(&keys);
        let first = a
            .issue(&keys_then, &ann::<Paranoid>(), None, &ctx)
            .await
            .unwrap();
        let renewed = a
            .open::<Paranoid>(&keys_then, first.value(), &ctx)
            .await
            .unwrap();
        let second = renewed.renewed().unwrap()["__Host-paranoid=".len()..]
            .split(';')
            .next()
            .unwrap()
            .to_owned();
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
    });
}

#[test]
fn redis_stopped_mid_run_fails_closed_or_open_as_each_type_says() {
    let Some(mut server) =
        RedisServer::start_or_skip("redis_stopped_mid_run_fails_closed_or_open_as_each_type_says")
    else {
        return;
    };
    runtime().block_on(async {
        let keys = KeyRing::new(Key::generate());
        let guard = guard(&server).await;
        let ctx = ClientContext::new();
        let strict = guard
            .issue(&keys, &ann::<Session>(), Some("u"), &ctx)
            .await
            .unwrap();
        let lenient = guard
            .issue(&keys, &ann::<Lenient>(), Some("u"), &ctx)
            .await
            .unwrap();
        server.stop();
        let started = std::time::Instant::now();
        assert_eq!(
            guard
                .open::<Session>(&keys, strict.value(), &ctx)
                .await
                .err(),
            Some(OpenError::StoreUnavailable)
        );
        assert!(guard
            .open::<Lenient>(&keys, lenient.value(), &ctx)
            .await
            .is_ok());
        assert_eq!(
            guard
                .issue(&keys, &ann::<Session>(), Some("u"), &ctx)
                .await
                .err(),
            Some(SealError::StoreUnavailable)
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "refusals come within the store's timeouts, not a hang: {:?}",
            started.elapsed()
        );
    });
}

#[test]
fn a_one_time_token_opens_once_across_servers() {
    let Some(server) = RedisServer::start_or_skip("a_one_time_token_opens_once_across_servers")
    else {
        return;
    };
    runtime().block_on(async {
        let keys = KeyRing::new(Key::generate());
        let (a, b) = (guard(&server).await, guard(&server).await);
        let reset = keys
            .signed("tests.store.guard.reset")
            .one_time(typed_cookies::time::Duration::hours(1));
        let token = reset.seal(&7u64).unwrap();
        let (first, second) =
            tokio::join!(reset.open::<u64>(&a, &token), reset.open::<u64>(&b, &token));
        let mut outcomes = [first, second];
        outcomes.sort_by_key(|o| o.is_err());
        assert_eq!(outcomes, [Ok(7), Err(OpenError::AlreadyUsed)]);
    });
}
