//! Two servers, each with its own `Guard` over its own `RedisStore` connection to one
//! `redis-server`, the same keys and clock: a revocable `bind = "app"` session issued on
//! one opens on the other only from the same device, and a sign-out (or "sign out
//! everywhere") on one is refused on the other — resealed copies included.

use super::axum_app::*;
use super::*;
use typed_cookies::store::RedisStore;
use typed_cookies::time::Duration;
use typed_cookies_testkit::RedisServer;

const NAME: &str = "__Host-app";

async fn server(url: &str, keys: &KeyRing) -> Router {
    let store = RedisStore::builder(url)
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .await
        .unwrap();
    let state = AppState {
        keys: keys.clone(),
        guard: Guard::new(store),
    };
    routes::<AppOnly>()
        .layer(guarded_layer!(AppOnly, state))
        .layer(from_fn(device_binding))
        .with_state(state)
}

async fn sign_in(app: &Router, device: &str) -> String {
    let reply = call(app, "POST", "/sign-in", None, device).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.pair(NAME).unwrap()
}

#[test]
fn sign_out_on_one_server_is_refused_on_the_other() {
    let Some(redis) = RedisServer::start_or_skip("binding::redis_fleet") else {
        return;
    };
    run(async {
        let (keys, clock) = clocked(&ring());
        let a = server(&redis.url(), &keys).await;
        let b = server(&redis.url(), &keys).await;

        let cookie = sign_in(&a, "phone").await;
        assert_eq!(
            call(&b, "GET", "/me", Some(&cookie), "phone")
                .await
                .answer(),
            (200, "ann")
        );
        // A thief on the other server, another device: refused, and burns nothing.
        let thief = call(&b, "GET", "/me", Some(&cookie), "laptop").await;
        assert_eq!(thief.status, 401);
        let thief_out = call(&b, "POST", "/sign-out", Some(&cookie), "laptop").await;
        assert_eq!(thief_out.status, 401);
        assert_eq!(
            call(&a, "GET", "/me", Some(&cookie), "phone")
                .await
                .answer(),
            (200, "ann")
        );

        // 31 minutes later server B reseals it (refresh due at half the 1 h idle).
        clock.advance(Duration::minutes(31));
        let refreshed = call(&b, "GET", "/me", Some(&cookie), "phone").await;
        assert_eq!(refreshed.answer(), (200, "ann"));
        let resealed = refreshed.pair(NAME).expect("a reseal");
        assert_ne!(resealed, cookie);
        // The reseal is still bound to the device.
        assert_eq!(
            call(&a, "GET", "/me", Some(&resealed), "laptop")
                .await
                .status,
            401
        );

        // Sign-out on A with the old copy: every copy is refused on both servers.
        let out = call(&a, "POST", "/sign-out", Some(&cookie), "phone").await;
        assert_eq!(out.status, 200, "{}", out.body);
        assert!(out.removes(NAME));
        for (server, copy) in [
            (&a, &cookie),
            (&b, &cookie),
            (&a, &resealed),
            (&b, &resealed),
        ] {
            let me = call(server, "GET", "/me", Some(copy), "phone").await;
            assert_eq!(me.status, 401);
            assert!(me.removes(NAME));
        }

        // "Sign out everywhere" on B ends a later session issued on A, on both.
        let second = sign_in(&a, "tablet").await;
        assert_eq!(
            call(&b, "GET", "/me", Some(&second), "tablet")
                .await
                .answer(),
            (200, "ann")
        );
        // Not from another device: the thief cannot sign the user out everywhere.
        let thief = call(&b, "POST", "/everywhere", Some(&second), "laptop").await;
        assert_eq!(thief.status, 401);
        assert_eq!(
            call(&a, "GET", "/me", Some(&second), "tablet").await.status,
            200
        );
        let everywhere = call(&b, "POST", "/everywhere", Some(&second), "tablet").await;
        assert_eq!(everywhere.status, 200, "{}", everywhere.body);
        for server in [&a, &b] {
            assert_eq!(
                call(server, "GET", "/me", Some(&second), "tablet")
                    .await
                    .status,
                401
            );
        }
        // A new sign-in after it works on both.
        let third = sign_in(&b, "tablet").await;
        assert_eq!(
            call(&a, "GET", "/me", Some(&third), "tablet")
                .await
                .answer(),
            (200, "ann")
        );
    });
}

/// The guard-level view of the same fleet: the refusal on the other server is
/// `Revoked`, checked after the binding (a wrong device is `Invalid`, and does not learn
/// whether the session was revoked).
#[test]
fn the_other_servers_guard_says_revoked_after_the_binding() {
    let Some(redis) = RedisServer::start_or_skip("binding::redis_guards") else {
        return;
    };
    run(async {
        let (keys, _clock) = clocked(&ring());
        let store = |url: String| async move {
            RedisStore::builder(url)
                .timeout(std::time::Duration::from_secs(5))
                .build()
                .await
                .unwrap()
        };
        let a = Guard::new(store(redis.url()).await);
        let b = Guard::new(store(redis.url()).await);
        let phone = ClientContext::new().app(AppBinding::new("phone"));
        let laptop = ClientContext::new().app(AppBinding::new("laptop"));
        let issued = a
            .issue(&keys, &AppOnly::named("ann"), Some("user:ann"), &phone)
            .await
            .unwrap();
        let opened = b
            .open::<AppOnly>(&keys, issued.value(), &phone)
            .await
            .unwrap();
        a.revoke(&keys, opened.opened()).await.unwrap();
        assert_eq!(
            b.open::<AppOnly>(&keys, issued.value(), &phone).await.err(),
            Some(OpenError::Revoked)
        );
        assert_eq!(
            b.open::<AppOnly>(&keys, issued.value(), &laptop)
                .await
                .err(),
            Some(OpenError::Invalid)
        );
    });
}
