//! The guard over a real Redis: two "servers" (two guards, two connections) sharing one
//! Redis see each other's sign-outs, epochs and replay nonces; with Redis stopped mid-run a
//! type that fails closed refuses (and issues nothing) while a fail-open type accepts; and a
//! one-time token is claimed once across both servers (testkit's fleet scenarios, shared with
//! `tests/cluster/fleet.rs`).

use std::time::Duration;

use typed_cookies::guard::{ClientContext, Guard};
use typed_cookies::{Key, KeyRing, OpenError, SealError};
use typed_cookies_testkit::redis_store::{
    fleet_shares_sign_outs_epochs_and_replay_nonces, one_time_token_opens_once_across,
};
use typed_cookies_testkit::sessions::{user as ann, Lenient, Session};
use typed_cookies_testkit::RedisServer;

use super::{connect_moving_time, runtime};

async fn guard(server: &RedisServer) -> Guard {
    Guard::new(connect_moving_time(server, Duration::from_millis(250)).await)
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
        fleet_shares_sign_outs_epochs_and_replay_nonces(&a, &b, &keys, 1).await;
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
        one_time_token_opens_once_across(&a, &b, &keys, 1).await;
    });
}
