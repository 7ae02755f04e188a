//! What goes out (replay renewals, idle reseals, nothing beside a handler's own cookie), a store
//! outage, a panicking handler, and `bind = "ip"` / `bind = "app"` types under the middleware.

use super::*;

/// A replay session through the middleware: every response renews it once; the renewed value
/// opens; the old one past the grace window revokes the session; a handler that writes the
/// cookie or removes it (sign-out) gets no renewal beside its own.
#[tokio::test]
async fn replay_renewals_on_the_way_out() {
    for how in INSTALLS {
        let (state, clock, _) = state();
        let server = served::<Rp>(&state, how).await;
        let first = issue::<Rp>(&state, &ClientContext::new()).await;
        let me = server.get("/me", &[&first]).await;
        assert_eq!((me.status, me.body.as_str()), (200, "ann"), "{how:?}");
        assert_eq!(me.of("__Host-gl-rp").len(), 1, "{me:?}");
        let second = me.pair("__Host-gl-rp").unwrap();
        let me = server.get("/me", &[&second]).await;
        assert_eq!(me.status, 200);
        let third = me.pair("__Host-gl-rp").unwrap();
        // A handler that answers 500 itself: the renewal still goes out (the nonce moved).
        let fail = server.get("/fail", &[&third]).await;
        assert_eq!((fail.status, fail.body.as_str()), (500, "ann broke"));
        let fourth = fail.pair("__Host-gl-rp").expect("renewed on a 500");
        // Sign-out removes, nothing else.
        let out = server.post("/sign-out", &[&fourth]).await;
        assert_eq!(out.status, 200);
        assert_eq!(out.of("__Host-gl-rp").len(), 1, "{out:?}");
        assert_eq!(out.removals("__Host-gl-rp"), 1, "{out:?}");

        // A thief's old copy past the grace window: the session is revoked.
        let ann = issue::<Rp>(&state, &ClientContext::new()).await;
        let renewed = server
            .get("/me", &[&ann])
            .await
            .pair("__Host-gl-rp")
            .unwrap();
        clock.advance(Duration::seconds(6));
        let thief = server.get("/me", &[&ann]).await;
        assert_eq!(thief.status, 401, "{how:?}");
        let owner = server.get("/me", &[&renewed]).await;
        assert_eq!(owner.status, 401, "{how:?}: the whole session is revoked");
    }
}

/// An idle session past half its idle timeout: the middleware reseals it on the way out,
/// unless the handler removes it (sign-out: one removal, no reseal) or answers 500 after
/// reading it (the reseal still goes out).
#[tokio::test]
async fn idle_reseals_on_the_way_out() {
    for how in INSTALLS {
        let (state, clock, _) = state();
        let server = served::<Sid>(&state, how).await;
        let sid = issue::<Sid>(&state, &firefox()).await;
        let me = server.get("/me", &[&sid]).await;
        assert!(me.of("__Host-gl").is_empty(), "not due yet: {me:?}");
        clock.advance(Duration::minutes(6));
        let me = server.get("/me", &[&sid]).await;
        assert_eq!(me.status, 200);
        assert_eq!(me.of("__Host-gl").len(), 1, "{how:?} {me:?}");
        let resealed = me.pair("__Host-gl").unwrap();
        clock.advance(Duration::minutes(6));
        // The old value is past its idle deadline; the reseal is not.
        assert_eq!(server.get("/me", &[&sid]).await.status, 401);
        let out = server.post("/sign-out", &[&resealed]).await;
        assert_eq!(out.status, 200, "{how:?} {out:?}");
        assert_eq!(out.of("__Host-gl").len(), 1, "{out:?}");
        assert_eq!(out.removals("__Host-gl"), 1, "{out:?}");
        assert_eq!(server.get("/me", &[&resealed]).await.status, 401);
    }
}

/// The store down: 503 for the strict and the optional extractor, nothing cleared, no
/// renewal; a route that extracts nothing still answers; back up, the session opens.
#[tokio::test]
async fn a_store_outage_refuses_and_clears_nothing() {
    for how in INSTALLS {
        let (state, _, store) = state();
        let sid_server = served::<Sid>(&state, how).await;
        let rp_server = served::<Rp>(&state, how).await;
        let sid = issue::<Sid>(&state, &firefox()).await;
        let rp = issue::<Rp>(&state, &ClientContext::new()).await;
        store.set_down(true);
        for (server, cookie) in [(&sid_server, &sid), (&rp_server, &rp)] {
            for path in ["/me", "/maybe", "/sign-out"] {
                let answer = if path == "/sign-out" {
                    server.post(path, &[cookie]).await
                } else {
                    server.get(path, &[cookie]).await
                };
                assert_eq!(answer.status, 503, "{how:?} {path} {answer:?}");
                assert!(answer.set_cookies.is_empty(), "{answer:?}");
            }
            let plain = server.get("/plain", &[cookie]).await;
            assert_eq!((plain.status, plain.set_cookies.len()), (200, 0));
        }
        store.set_down(false);
        assert_eq!(sid_server.get("/me", &[&sid]).await.status, 200);
        assert_eq!(rp_server.get("/me", &[&rp]).await.status, 200);
    }
}

/// A handler that panics: that connection gets no answer, the server keeps serving, and the
/// session (a replay one, whose renewal was lost with the answer) still opens inside the
/// grace window.
#[tokio::test]
async fn a_panicking_handler_leaves_the_server_serving() {
    for how in INSTALLS {
        let (state, _, _) = state();
        let server = served::<Rp>(&state, how).await;
        let rp = issue::<Rp>(&state, &ClientContext::new()).await;
        let panicked = server.get("/panic", &[&rp]).await;
        assert_eq!(panicked.status, 0, "{how:?} {panicked:?}");
        let me = server.get("/me", &[&rp]).await;
        assert_eq!((me.status, me.body.as_str()), (200, "ann"), "{how:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Bound types

/// `bind = "ip"` under the middleware, served with `ConnectInfo`: a value bound to this peer
/// (`127.0.0.1`) opens; one bound to another address is refused and cleared.
#[tokio::test]
async fn ip_bound_under_the_middleware() {
    for how in INSTALLS {
        let (state, _, _) = state();
        let server = served::<Ip>(&state, how).await;
        let here = issue::<Ip>(&state, &ClientContext::new().ip([127, 0, 0, 1].into())).await;
        let me = server.get("/me", &[&here]).await;
        assert_eq!((me.status, me.body.as_str()), (200, "ann"), "{how:?}");
        let there = issue::<Ip>(&state, &ClientContext::new().ip([10, 0, 0, 7].into())).await;
        let stolen = server.get("/me", &[&there]).await;
        assert_eq!(stolen.status, 401, "{how:?}");
        assert_eq!(stolen.removals("__Host-gl-ip"), 1);
        // A forwarding header is no address unless the guard trusts proxies.
        let forwarded = send(
            &server,
            "GET",
            "/me",
            &[there.as_bytes()],
            &[("x-forwarded-for", "10.0.0.7")],
        )
        .await;
        assert_eq!(forwarded.status, 401, "{how:?}");
    }
}

/// `bind = "app"`: the app's middleware that puts the `AppBinding` in (from `X-Device`) must
/// run before the guard. Outside it: the right device opens, another is refused. Inside it
/// (the guard saw no binding): a logged 500 on every route the guard covers, never a value
/// accepted unchecked.
#[tokio::test]
async fn app_bound_under_the_middleware() {
    async fn device(mut request: Request, next: Next) -> Response {
        if let Some(id) = request.headers().get("x-device").cloned() {
            request
                .extensions_mut()
                .insert(AppBinding::new(id.as_bytes()));
        }
        next.run(request).await
    }
    for how in INSTALLS {
        let (state, _, _) = state();
        let right = serve(
            with_guarded::<Device, _>(routes::<Device>(), &state, how, On::Layer)
                .layer(from_fn(device))
                .with_state(state.clone()),
        )
        .await;
        let wrong = serve(
            with_guarded::<Device, _>(
                routes::<Device>().layer(from_fn(device)),
                &state,
                how,
                On::Layer,
            )
            .with_state(state.clone()),
        )
        .await;
        let cookie = issue::<Device>(&state, &ClientContext::new().app("phone-1")).await;
        let me = send(
            &right,
            "GET",
            "/me",
            &[cookie.as_bytes()],
            &[("x-device", "phone-1")],
        )
        .await;
        assert_eq!((me.status, me.body.as_str()), (200, "ann"), "{how:?}");
        let other = send(
            &right,
            "GET",
            "/me",
            &[cookie.as_bytes()],
            &[("x-device", "phone-2")],
        )
        .await;
        assert_eq!(other.status, 401, "{how:?}");
        let misplaced = send(
            &wrong,
            "GET",
            "/me",
            &[cookie.as_bytes()],
            &[("x-device", "phone-1")],
        )
        .await;
        assert_eq!(misplaced.status, 500, "{how:?} {misplaced:?}");
        assert!(misplaced.set_cookies.is_empty());
        let plain = send(
            &wrong,
            "GET",
            "/plain",
            &[cookie.as_bytes()],
            &[("x-device", "phone-1")],
        )
        .await;
        assert_eq!(plain.status, 500, "{how:?}: every route the guard covers");
        // Put in before the guard and replaced after it: the bytes the value was checked
        // against are not the request's any more, a logged 500.
        let replaced = serve(
            with_guarded::<Device, _>(
                routes::<Device>().layer(from_fn(|mut request: Request, next: Next| async move {
                    request.extensions_mut().insert(AppBinding::new("phone-2"));
                    next.run(request).await
                })),
                &state,
                how,
                On::Layer,
            )
            .layer(from_fn(device))
            .with_state(state.clone()),
        )
        .await;
        let swapped = send(
            &replaced,
            "GET",
            "/me",
            &[cookie.as_bytes()],
            &[("x-device", "phone-1")],
        )
        .await;
        assert_eq!(swapped.status, 500, "{how:?} {swapped:?}");
    }
}
