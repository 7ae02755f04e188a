//! Two app servers whose clocks differ by the tolerated skew ([`DEFAULT_CLOCK_SKEW`], 60 s),
//! sharing one real Redis in its production mode (the replay grace window on Redis's own
//! clock, and the time of a sign-out everywhere too), and the epoch of "sign out everywhere"
//! across a Redis restart that lost it.
//!
//! Before: Redis TTLs were `until − now + 1` on the writing server's clock, so an entry written
//! by the server ahead vanished while the server behind still opened the value (a one-time
//! token usable twice, a revoked session accepted again); the grace window compared one
//! server's time of a rotation with another's, so a concurrent request on the server ahead was
//! a replay (the whole session revoked); and epochs were counters that a restart reset.

use std::time::Duration;

use time::OffsetDateTime;
use typed_cookies::guard::{ClientContext, Guard};
use typed_cookies::{KeyRing, OpenError, SealedCookie, DEFAULT_CLOCK_SKEW};
use typed_cookies_testkit::redis_store::entry_key;
use typed_cookies_testkit::sessions::{user, Paranoid, Reset, Session};
use typed_cookies_testkit::{ring, t0, RedisServer};

use super::{admin, connect, runtime};

/// Server "ahead" (its clock `DEFAULT_CLOCK_SKEW` ahead of "behind"'s) and server "behind",
/// each a guard with its own connection, and their rings.
struct Fleet {
    ahead: (Guard, KeyRing),
    behind: (Guard, KeyRing),
}

async fn fleet(server: &RedisServer, behind_at: OffsetDateTime) -> Fleet {
    let guard = || async { Guard::new(connect(server, Duration::from_secs(2)).await) };
    Fleet {
        ahead: (guard().await, ring().at(behind_at + DEFAULT_CLOCK_SKEW)),
        behind: (guard().await, ring().at(behind_at)),
    }
}

async fn ttl(server: &RedisServer, key: &str) -> i64 {
    ::redis::cmd("TTL")
        .arg(key)
        .query_async(&mut admin(server).await)
        .await
        .unwrap()
}

/// A one-time token claimed on the server ahead stays claimed in Redis for as long as the
/// server behind still opens it (until its own clock reaches the token's expiry).
#[test]
fn a_claim_made_ahead_outlives_the_token_on_the_server_behind() {
    let Some(server) = RedisServer::start_or_skip("a_claim_made_ahead_outlives_the_token") else {
        return;
    };
    runtime().block_on(async {
        let fleet = fleet(&server, t0()).await;
        let (ahead, behind) = (&fleet.ahead, &fleet.behind);
        let ctx = ClientContext::new();
        let token = behind
            .0
            .issue(&behind.1, &user::<Reset>(), None, &ctx)
            .await
            .unwrap();
        ahead
            .0
            .open::<Reset>(&ahead.1, token.value(), &ctx)
            .await
            .unwrap();
        // Behind opens it for 600 s more (real time) from now: the claim must last that long.
        let left = ttl(&server, &entry_key("once", Reset::CONFIG.salt(), &token)).await;
        assert!(
            left >= 600,
            "the claim vanishes after {left} s, the token lives 600 s more"
        );
        // And until then, behind refuses it, to its last second.
        let last = ring().at(t0() + time::Duration::minutes(10));
        assert_eq!(
            behind
                .0
                .open::<Reset>(&last, token.value(), &ctx)
                .await
                .err(),
            Some(OpenError::AlreadyUsed)
        );
    });
}

/// A session revoked on the server ahead stays revoked in Redis for as long as the server
/// behind still opens it.
#[test]
fn a_revocation_made_ahead_outlives_the_session_on_the_server_behind() {
    let Some(server) = RedisServer::start_or_skip("a_revocation_made_ahead_outlives") else {
        return;
    };
    runtime().block_on(async {
        let fleet = fleet(&server, t0()).await;
        let (ahead, behind) = (&fleet.ahead, &fleet.behind);
        let ctx = ClientContext::new();
        let issued = behind
            .0
            .issue(&behind.1, &user::<Session>(), Some("user:ann"), &ctx)
            .await
            .unwrap();
        let opened = ahead
            .0
            .open::<Session>(&ahead.1, issued.value(), &ctx)
            .await
            .unwrap();
        ahead.0.revoke(&ahead.1, opened.opened()).await.unwrap();
        let left = ttl(&server, &entry_key("rev", Session::CONFIG.salt(), &issued)).await;
        assert!(
            left >= 8 * 3600,
            "the revocation vanishes after {left} s, the session lives 8 h more"
        );
        let last = ring().at(t0() + time::Duration::hours(8));
        assert_eq!(
            behind
                .0
                .open::<Session>(&last, issued.value(), &ctx)
                .await
                .err(),
            Some(OpenError::Revoked)
        );
    });
}

/// The grace window is measured on Redis's clock: a request in flight on either server while
/// the other rotates is the user's (never a replay), whichever server's clock is ahead.
#[test]
fn a_concurrent_request_on_a_skewed_server_is_within_grace_both_ways() {
    let Some(server) = RedisServer::start_or_skip("a_concurrent_request_on_a_skewed_server") else {
        return;
    };
    runtime().block_on(async {
        let fleet = fleet(&server, t0()).await;
        let ctx = ClientContext::new();
        for (rotating, in_flight) in [(&fleet.behind, &fleet.ahead), (&fleet.ahead, &fleet.behind)]
        {
            let issued = rotating
                .0
                .issue(&rotating.1, &user::<Paranoid>(), Some("user:ann"), &ctx)
                .await
                .unwrap();
            let first = rotating
                .0
                .open::<Paranoid>(&rotating.1, issued.value(), &ctx)
                .await
                .unwrap();
            let next = first.renewed().expect("rotated").to_owned();
            let late = in_flight
                .0
                .open::<Paranoid>(&in_flight.1, issued.value(), &ctx)
                .await
                .expect("a request in flight during the rotation is not a replay");
            assert!(late.opened().superseded() && late.renewed().is_none());
            // The session lives on: the next value opens (and rotates) on the other server.
            let pair = next.split(';').next().unwrap();
            let value = pair.split_once('=').unwrap().1;
            let again = in_flight
                .0
                .open::<Paranoid>(&in_flight.1, value, &ctx)
                .await
                .unwrap();
            assert!(again.renewed().is_some());
        }
    });
}

/// "Sign out everywhere" on the server behind ends a session the server ahead issued a
/// moment before (stamped with its later clock), and one signed in afterwards lives.
#[test]
fn sign_out_everywhere_behind_ends_a_session_stamped_ahead() {
    let Some(server) = RedisServer::start_or_skip("sign_out_everywhere_behind") else {
        return;
    };
    runtime().block_on(async {
        let fleet = fleet(&server, t0()).await;
        let (ahead, behind) = (&fleet.ahead, &fleet.behind);
        let ctx = ClientContext::new();
        let issued = ahead
            .0
            .issue(&ahead.1, &user::<Session>(), Some("user:skew"), &ctx)
            .await
            .unwrap();
        let later = ring().at(t0() + time::Duration::seconds(1));
        behind
            .0
            .sign_out_everywhere(&later, "user:skew")
            .await
            .unwrap();
        for (guard, keys) in [ahead, behind] {
            assert_eq!(
                guard
                    .open::<Session>(keys, issued.value(), &ctx)
                    .await
                    .err(),
                Some(OpenError::Revoked)
            );
        }
        let again = ahead
            .0
            .issue(&ahead.1, &user::<Session>(), Some("user:skew"), &ctx)
            .await
            .unwrap();
        for (guard, keys) in [ahead, behind] {
            assert!(guard
                .open::<Session>(keys, again.value(), &ctx)
                .await
                .is_ok());
        }
    });
}

/// Redis restarted without persistence forgets every epoch; the first "sign out everywhere"
/// after it still ends a stolen session that carried the epoch of three sign-outs before.
#[test]
fn one_sign_out_after_redis_lost_its_data_ends_every_older_session() {
    let Some(mut server) = RedisServer::start_or_skip("one_sign_out_after_redis_lost") else {
        return;
    };
    runtime().block_on(async {
        let (keys, clock) = typed_cookies_testkit::clocked(&ring());
        let ctx = ClientContext::new();
        let guard = Guard::new(connect(&server, Duration::from_secs(2)).await);
        for _ in 0..3 {
            guard.sign_out_everywhere(&keys, "user:ann").await.unwrap();
        }
        // Stolen after the third sign-out: it carries the newest epoch.
        let stolen = guard
            .issue(&keys, &user::<Session>(), Some("user:ann"), &ctx)
            .await
            .unwrap();
        clock.advance(time::Duration::minutes(5));
        assert!(guard
            .open::<Session>(&keys, stolen.value(), &ctx)
            .await
            .is_ok());

        server.restart().unwrap();
        let guard = Guard::new(connect(&server, Duration::from_secs(2)).await);
        // The loss forgets the sign-outs, not what a new one means.
        assert!(guard
            .open::<Session>(&keys, stolen.value(), &ctx)
            .await
            .is_ok());
        guard.sign_out_everywhere(&keys, "user:ann").await.unwrap();
        assert_eq!(
            guard
                .open::<Session>(&keys, stolen.value(), &ctx)
                .await
                .err(),
            Some(OpenError::Revoked)
        );
        let again = guard
            .issue(&keys, &user::<Session>(), Some("user:ann"), &ctx)
            .await
            .unwrap();
        assert!(guard
            .open::<Session>(&keys, again.value(), &ctx)
            .await
            .is_ok());
    });
}

/// A store written by an earlier version holds an epoch counter (`INCR`): sessions issued over
/// it open, and the first sign-out of this version moves it to Redis's time and ends them; an
/// earlier version's `INCR` on such a time still ends this version's sessions.
#[test]
fn an_epoch_counter_of_an_earlier_version_keeps_working() {
    let Some(server) = RedisServer::start_or_skip("an_epoch_counter_of_an_earlier_version") else {
        return;
    };
    runtime().block_on(async {
        let keys = ring().at(t0());
        let ctx = ClientContext::new();
        let key = format!("typed-cookies:epoch:{}:{}", "user:old".len(), "user:old");
        let mut admin = admin(&server).await;
        for _ in 0..3 {
            let _: i64 = ::redis::cmd("INCR")
                .arg(&key)
                .query_async(&mut admin)
                .await
                .unwrap();
        }
        let guard = Guard::new(connect(&server, Duration::from_secs(2)).await);
        let issued = guard
            .issue(&keys, &user::<Session>(), Some("user:old"), &ctx)
            .await
            .unwrap();
        assert!(guard
            .open::<Session>(&keys, issued.value(), &ctx)
            .await
            .is_ok());
        let epoch = guard.sign_out_everywhere(&keys, "user:old").await.unwrap();
        // Redis's clock, in µs (not the ring's, which stands at 2026-01-01).
        let real = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_micros() as u64;
        assert!(epoch.abs_diff(real) < 60_000_000, "{epoch} vs {real}");
        assert_eq!(
            guard
                .open::<Session>(&keys, issued.value(), &ctx)
                .await
                .err(),
            Some(OpenError::Revoked)
        );
        // A server of the earlier version signing out (`INCR`) during a rolling upgrade still
        // ends the sessions this version issued.
        let fresh = guard
            .issue(&keys, &user::<Session>(), Some("user:old"), &ctx)
            .await
            .unwrap();
        assert!(guard
            .open::<Session>(&keys, fresh.value(), &ctx)
            .await
            .is_ok());
        let _: i64 = ::redis::cmd("INCR")
            .arg(&key)
            .query_async(&mut admin)
            .await
            .unwrap();
        assert_eq!(
            guard
                .open::<Session>(&keys, fresh.value(), &ctx)
                .await
                .err(),
            Some(OpenError::Revoked)
        );
    });
}
