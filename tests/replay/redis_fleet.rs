//! A real Redis, two guards as two servers of a fleet.

use super::*;

use typed_cookies_testkit::redis_store::{connect_moving_time, runtime};
use typed_cookies_testkit::sessions::value_of;

/// Two guards over one `redis-server`. The tests move time with a ManualClock, so the grace
/// window is measured on it (tests/store/clock_skew.rs covers Redis's own clock).
async fn fleet(server: &RedisServer) -> (Guard, Guard) {
    let connect = || connect_moving_time(server, std::time::Duration::from_secs(2));
    (Guard::new(connect().await), Guard::new(connect().await))
}

#[test]
fn over_redis_concurrent_opens_rotate_once_and_every_value_sent_still_opens() {
    let Some(server) = RedisServer::start_or_skip(
        "over_redis_concurrent_opens_rotate_once_and_every_value_sent_still_opens",
    ) else {
        return;
    };
    runtime().block_on(async {
        let (one, two) = fleet(&server).await;
        let ctx = ClientContext::new();
        for _ in 0..2 {
            let (keys, clock) = clocked(&ring());
            let issued = one
                .issue(&keys, &Session::admin(), Some("user:ann"), &ctx)
                .await
                .unwrap();
            // The same value on two servers at once: exactly one rotation.
            let (a, b) = tokio::join!(
                one.open::<Session>(&keys, issued.value(), &ctx),
                two.open::<Session>(&keys, issued.value(), &ctx),
            );
            let (a, b) = (a.unwrap(), b.unwrap());
            let (rotating, grace) = match (a.renewed(), b.renewed()) {
                (Some(_), None) => (a, b),
                (None, Some(_)) => (b, a),
                other => panic!("exactly one rotation, got {other:?}"),
            };
            // The other cannot be written back; the one value sent opens past the window.
            assert!(grace.opened().superseded() && !rotating.opened().superseded());
            assert!(matches!(
                grace.opened().reseal(&keys),
                Err(SealError::Superseded { name: "__Host-rp" })
            ));
            let sent = value_of(rotating.renewed().unwrap()).to_owned();
            clock.advance(Duration::minutes(1));
            let later = two.open::<Session>(&keys, &sent, &ctx).await.unwrap();
            assert!(later.renewed().is_some());
        }
    });
}

#[test]
fn over_redis_sign_out_in_the_grace_window_refuses_every_copy() {
    let Some(server) =
        RedisServer::start_or_skip("over_redis_sign_out_in_the_grace_window_refuses_every_copy")
    else {
        return;
    };
    runtime().block_on(async {
        let (one, two) = fleet(&server).await;
        let (keys, clock) = clocked(&ring());
        let ctx = ClientContext::new();
        let issued = one
            .issue(&keys, &Session::admin(), Some("user:ann"), &ctx)
            .await
            .unwrap();
        let rotated = one
            .open::<Session>(&keys, issued.value(), &ctx)
            .await
            .unwrap();
        let current = value_of(rotated.renewed().unwrap()).to_owned();
        clock.advance(Duration::seconds(2));
        let in_grace = two
            .open::<Session>(&keys, issued.value(), &ctx)
            .await
            .unwrap();
        // The sign-out, on the other server, from the in-flight request.
        two.revoke(&keys, in_grace.opened()).await.unwrap();
        for copy in [issued.value(), current.as_str()] {
            for guard in [&one, &two] {
                assert_eq!(
                    guard.open::<Session>(&keys, copy, &ctx).await.err(),
                    Some(OpenError::Revoked)
                );
            }
        }
    });
}

/// The overtaken slow response of the axum test above, on a fleet sharing a real Redis.
#[test]
fn over_redis_a_slow_rotating_response_overtaken_by_a_grace_write_back_leaves_a_value_that_opens() {
    let Some(server) = RedisServer::start_or_skip(
        "over_redis_a_slow_rotating_response_overtaken_by_a_grace_write_back",
    ) else {
        return;
    };
    runtime().block_on(async {
        let (one, two) = fleet(&server).await;
        let (keys, clock) = clocked(&ring());
        let ctx = ClientContext::new();
        let issued = one
            .issue(&keys, &Session::admin(), None, &ctx)
            .await
            .unwrap();
        let slow = one
            .open::<Session>(&keys, issued.value(), &ctx)
            .await
            .unwrap();
        let fast = two
            .open::<Session>(&keys, issued.value(), &ctx)
            .await
            .unwrap();
        // The browser's jar: what the fast request wrote back (if anything), then the slow
        // response, last.
        let mut jar = issued.value().to_owned();
        if let Ok(early) = fast.opened().reseal(&keys) {
            jar = early;
        }
        clock.advance(Duration::seconds(1));
        // The browser's next request works (its renewal, if any, lands before the slow one).
        let next = one.open::<Session>(&keys, &jar, &ctx).await;
        assert!(next.is_ok(), "{:?}", next.err());
        clock.advance(Duration::seconds(1));
        jar = value_of(slow.renewed().unwrap()).to_owned();
        clock.advance(Duration::minutes(1));
        assert!(
            two.open::<Session>(&keys, &jar, &ctx).await.is_ok(),
            "the browser was left with a value taken for a replay"
        );
    });
}
