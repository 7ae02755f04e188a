//! `KeyRing::with_development_mode` with `bind = "app"`: on a loopback host the cookie
//! loses its prefix and `Secure`, never its binding; other hosts, and loopback requests
//! that came through a proxy (or, in actix-web, from a remote peer), keep the strict name.

use super::axum_app::*;
use super::*;

const NAME: &str = "__Host-app";
const DEV_NAME: &str = "app";

fn dev_keys() -> (KeyRing, ManualClock) {
    let (keys, clock) = clocked(&ring());
    (keys.with_development_mode().expect("a debug build"), clock)
}

fn app() -> Router {
    let state = state(dev_keys().0, ClientIp::Peer);
    routes::<AppOnly>()
        .layer(guarded_layer!(AppOnly, state))
        .layer(from_fn(device_binding))
        .layer(from_fn_with_state(
            state.clone(),
            typed_cookies::integrations::axum::development::<AppState>,
        ))
        .with_state(state)
}

async fn call(app: &Router, method: &str, uri: &str, extra: &[(&str, &str)]) -> Reply {
    send(app, request(method, uri, extra, None)).await
}

#[test]
fn axum_relaxes_the_name_never_the_binding() {
    run(async {
        let app = app();
        let local = |device| vec![("host", "localhost:3000"), ("x-device-id", device)];
        let signed = call(&app, "POST", "/sign-in", &local("phone")).await;
        assert_eq!(signed.status, 200, "{}", signed.body);
        let set = signed.set_cookies.join("\n");
        assert!(set.starts_with(&format!("{DEV_NAME}=")), "{set}");
        assert!(!set.contains("Secure"), "{set}");
        let dev = signed.pair(DEV_NAME).unwrap();
        let value = dev.split_once('=').unwrap().1.to_owned();
        let strict = format!("{NAME}={value}");

        fn with<'a>(
            mut headers: Vec<(&'a str, &'a str)>,
            cookie: &'a str,
        ) -> Vec<(&'a str, &'a str)> {
            headers.push(("cookie", cookie));
            headers
        }
        let me = call(&app, "GET", "/me", &with(local("phone"), &dev)).await;
        assert_eq!(me.answer(), (200, "ann"));
        for device in ["laptop", ""] {
            let thief = call(&app, "GET", "/me", &with(local(device), &dev)).await;
            assert_eq!(thief.status, 401, "{device:?}");
            if device.is_empty() {
                // No app bytes (a top-level navigation): refused, never removed.
                assert!(thief.set_cookies.is_empty(), "{:?}", thief.set_cookies);
                continue;
            }
            // The removal is the relaxed one, for the name the loopback client holds.
            assert!(thief.removes(DEV_NAME), "{:?}", thief.set_cookies);
            assert!(!thief.set_cookies.join("").contains("Secure"));
        }

        let prod = |device| vec![("host", "shop.example"), ("x-device-id", device)];
        // The relaxed name is not read for a production host…
        let relaxed = call(&app, "GET", "/me", &with(prod("phone"), &dev)).await;
        assert_eq!(relaxed.status, 401);
        // …the strict one is (same keys, by design), and still bound to the device.
        let me = call(&app, "GET", "/me", &with(prod("phone"), &strict)).await;
        assert_eq!(me.answer(), (200, "ann"));
        let thief = call(&app, "GET", "/me", &with(prod("laptop"), &strict)).await;
        assert_eq!(thief.status, 401);
        assert!(thief.removes(NAME), "{:?}", thief.set_cookies);
        assert!(thief.set_cookies.join("").contains("Secure"));

        // Loopback `Host` through a proxy: strict.
        let mut proxied = local("phone");
        proxied.push(("x-forwarded-for", "198.51.100.7"));
        let me = call(&app, "GET", "/me", &with(proxied.clone(), &dev)).await;
        assert_eq!(me.status, 401);
        let me = call(&app, "GET", "/me", &with(proxied, &strict)).await;
        assert_eq!(me.answer(), (200, "ann"));

        // Sign-in without the device on a loopback host: refused, nothing set.
        let anonymous = call(&app, "POST", "/sign-in", &local("")).await;
        assert_eq!(anonymous.status, 500);
        assert!(
            anonymous.set_cookies.is_empty(),
            "{:?}",
            anonymous.set_cookies
        );
    });
}

/// actix-web also looks at the peer: `Host: localhost` from a remote peer is strict.
#[actix_web::test]
async fn actix_relaxes_for_a_loopback_peer_only() {
    use actix_web::dev::Service as _;
    use actix_web::middleware::from_fn;
    use actix_web::{test, web, HttpMessage as _};
    use typed_cookies::integrations::actix::{development, guarded, Guarded};

    let app = test::init_service(
        crate::actix_support::guarded_app(dev_keys().0)
            .route(
                "/sign-in",
                web::post().to(crate::actix_support::sign_in::<AppOnly>),
            )
            .route(
                "/me",
                web::get().to(|s: Guarded<AppOnly>| async move { s.user.clone() }),
            )
            .wrap(from_fn(guarded::<AppOnly, _>))
            .wrap_fn(|req, srv| {
                let device = req
                    .headers()
                    .get("x-device-id")
                    .map(|v| v.as_bytes().to_vec());
                req.extensions_mut()
                    .insert(AppBinding::new(device.unwrap_or_default()));
                srv.call(req)
            })
            .wrap(from_fn(development)),
    )
    .await;
    let req = |method: test::TestRequest, peer: &str, device: &str, cookie: Option<&str>| {
        let mut r = method
            .insert_header(("host", "localhost:8080"))
            .insert_header(("x-device-id", device))
            .peer_addr(peer.parse().unwrap());
        if let Some(cookie) = cookie {
            r = r.insert_header(("cookie", cookie));
        }
        r
    };
    let local = "127.0.0.1:50000";
    let remote = "203.0.113.9:50000";
    let signed = actix_support::send(
        &app,
        req(
            test::TestRequest::post().uri("/sign-in"),
            local,
            "phone",
            None,
        ),
    )
    .await;
    let dev = signed.pair(DEV_NAME).expect("the relaxed cookie");
    assert!(!signed.set_cookies.join("").contains("Secure"));
    let value = dev.split_once('=').unwrap().1.to_owned();
    let strict = format!("{NAME}={value}");
    for (peer, device, cookie, expected) in [
        (local, "phone", &dev, 200),
        (local, "laptop", &dev, 401),
        (remote, "phone", &dev, 401), // not read: a remote peer gets the strict name
        (remote, "phone", &strict, 200),
        (remote, "laptop", &strict, 401),
    ] {
        let reply = actix_support::send(
            &app,
            req(
                test::TestRequest::get().uri("/me"),
                peer,
                device,
                Some(cookie),
            ),
        )
        .await;
        assert_eq!(reply.status.as_u16(), expected, "{peer} {device} {cookie}");
    }
    // A remote sign-in gets the strict, `Secure` cookie.
    let remote_sign_in = actix_support::send(
        &app,
        req(
            test::TestRequest::post().uri("/sign-in"),
            remote,
            "phone",
            None,
        ),
    )
    .await;
    assert!(
        remote_sign_in.pair(NAME).is_some(),
        "{:?}",
        remote_sign_in.set_cookies
    );
    assert!(remote_sign_in.set_cookies.join("").contains("Secure"));
}
