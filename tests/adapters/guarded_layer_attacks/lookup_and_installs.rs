//! Cookie lookup (duplicates around the 1 KB direct read, look-alike names) and how the middleware
//! is installed: twice for one type, two types in either order, `route_layer`, `nest`, fallbacks.

use super::*;

/// One copy of the session opens at any length, either side of the 1 KB direct read (1023,
/// 1024, 1025 bytes in all); a second copy is refused (401, `/maybe` 400, nothing cleared)
/// in one header or two, with one pair before the threshold and one after, whichever is
/// valid, through both installs.
#[tokio::test]
async fn duplicates_across_headers_and_the_direct_read_limit() {
    for how in INSTALLS {
        let (state, _, _) = state();
        let server = served::<Sid>(&state, how).await;
        let ann = issue::<Sid>(&state, &firefox()).await;
        let other = issue::<Sid>(&state, &firefox()).await;
        for len in [300, 1023, 1024, 1025, 3000] {
            let one = padded_header(&[&ann], len);
            let me = server.get("/me", &[&one]).await;
            assert_eq!((me.status, me.body.as_str()), (200, "ann"), "{how:?} {len}");

            let two = padded_header(&[&ann, &other], len);
            // The second pair after the padding: one before 1 KB, one after it.
            let far = format!("{}; {other}", padded_header(&[&ann], len));
            let planted = padded_header(&[&ann, "__Host-gl=AAAA"], len);
            let second = padded_header(&[&other], len - ann.len());
            let cases: Vec<Vec<&str>> = vec![
                vec![&two],
                vec![&far],
                vec![&planted],
                vec![&ann, &second],
                vec![&second, &ann],
                vec![&one, &other],
            ];
            for cookies in &cases {
                let me = server.get("/me", cookies).await;
                assert_eq!(me.status, 401, "{how:?} {len} {}", me.body);
                assert!(me.set_cookies.is_empty(), "{how:?} {:?}", me.set_cookies);
                let maybe = server.get("/maybe", cookies).await;
                assert_eq!(maybe.status, 400, "{how:?} {len} {}", maybe.body);
                assert!(maybe.set_cookies.is_empty(), "{:?}", maybe.set_cookies);
            }
        }
    }
}

/// Only the byte-exact name is ours: a valid value under a look-alike name signs nobody in
/// (and is not cleared), and beside the real cookie it is no duplicate.
#[tokio::test]
async fn look_alike_names_neither_sign_in_nor_duplicate() {
    for how in INSTALLS {
        let (state, _, _) = state();
        let server = served::<Sid>(&state, how).await;
        let ann = issue::<Sid>(&state, &firefox()).await;
        let value = ann.strip_prefix("__Host-gl=").unwrap();
        for name in [
            "__host-gl",
            "__Host-gl2",
            "__Host-g",
            "__Host-gl-rp",
            "__Host-GL",
            "Host-gl",
            "__Host-gl\u{a0}",
            "\"__Host-gl\"",
        ] {
            for pad in [0, 1100] {
                let alike = format!("{name}={value}");
                let alone = padded_header(&[&alike], alike.len() + 6 + pad + 1);
                let me = server.get("/me", &[&alone]).await;
                assert_eq!(me.status, 401, "{how:?} {name:?} {pad}");
                assert!(me.body.contains("no valid"), "{}", me.body);
                assert!(me.set_cookies.is_empty(), "{:?}", me.set_cookies);
                let maybe = server.get("/maybe", &[&alone]).await;
                assert_eq!((maybe.status, maybe.body.as_str()), (200, "anonymous"));
                let beside = padded_header(&[&alike, &ann], alike.len() + ann.len() + 8 + pad + 1);
                let me = server.get("/me", &[&beside]).await;
                assert_eq!((me.status, me.body.as_str()), (200, "ann"), "{name:?}");
            }
        }
        // SP and HTAB around the name are trimmed: that is the name, and a duplicate.
        let spaced = format!(" \t{ann}");
        let me = server.get("/me", &[&spaced]).await;
        assert_eq!((me.status, me.body.as_str()), (200, "ann"));
        let me = server.get("/me", &[&ann, &spaced]).await;
        assert_eq!(me.status, 401);
    }
}

// ---------------------------------------------------------------------------------------------
// Installed twice, two types, route_layer, nest, fallback

/// `T`'s routes with its middleware installed twice (`outer` around `inner`).
async fn served_twice<T: User>(state: &St, inner: Install, outer: Install) -> Server {
    let router = with_guarded::<T, _>(routes::<T>(), state, inner, On::Layer);
    serve(with_guarded::<T, _>(router, state, outer, On::Layer).with_state(state.clone())).await
}

/// A `one_time` type whose middleware is installed twice (a nested router with its own
/// layer, or the layer and the function): the value opens once, for this request — never a
/// 401 for a value nobody used, its removal sent back. (Found by this review: the inner
/// middleware opened the value again, `AlreadyUsed`; now it passes the request on.)
#[tokio::test]
async fn one_time_under_a_middleware_installed_twice_is_not_burnt() {
    for inner in INSTALLS {
        for outer in INSTALLS {
            let (state, _, _) = state();
            let server = served_twice::<Once>(&state, inner, outer).await;
            let once = issue::<Once>(&state, &ClientContext::new()).await;
            let me = server.get("/me", &[&once]).await;
            assert_eq!(
                (me.status, me.body.as_str()),
                (200, "ann"),
                "{inner:?} in {outer:?}: {me:?}"
            );
            assert_eq!(me.removals("__Host-gl-once"), 0, "{me:?}");
            // Claimed once: the value is spent for the next request.
            let again = server.get("/me", &[&once]).await;
            assert_eq!(again.status, 401, "{inner:?} in {outer:?}: {again:?}");
        }
    }
}

/// A `replay` type whose middleware is installed twice: the handler that writes the session
/// back (a role change) works as under one middleware, and the response carries one value of
/// the cookie. (Found by this review: the nonce rotated twice and the write-back was a 409.)
#[tokio::test]
async fn replay_under_a_middleware_installed_twice_can_write_back() {
    for inner in INSTALLS {
        for outer in INSTALLS {
            let (state, _, _) = state();
            let server = served_twice::<Rp>(&state, inner, outer).await;
            let rp = issue::<Rp>(&state, &ClientContext::new()).await;
            let reseal = server.post("/reseal", &[&rp]).await;
            assert_eq!(reseal.status, 200, "{inner:?} in {outer:?}: {reseal:?}");
            assert_eq!(reseal.of("__Host-gl-rp").len(), 1, "{reseal:?}");
        }
    }
}

/// A revocable, bound type under two middlewares still opens and reseals once (each opens
/// it: two store round trips, no harm to the value).
#[tokio::test]
async fn a_revocable_type_under_a_middleware_installed_twice_opens() {
    for inner in INSTALLS {
        for outer in INSTALLS {
            let (state, clock, _) = state();
            let server = served_twice::<Sid>(&state, inner, outer).await;
            let sid = issue::<Sid>(&state, &firefox()).await;
            clock.advance(Duration::minutes(6));
            let me = server.get("/me", &[&sid]).await;
            assert_eq!(
                (me.status, me.body.as_str()),
                (200, "ann"),
                "{inner:?} {outer:?}"
            );
            assert_eq!(me.of("__Host-gl").len(), 1, "{me:?}");
        }
    }
}

/// Under one middleware, the same two handlers work: the value opens once, a write-back
/// carries one value (the control for the two findings above).
#[tokio::test]
async fn under_one_middleware_one_time_and_replay_work() {
    for how in INSTALLS {
        let (state, _, _) = state();
        let server = served::<Once>(&state, how).await;
        let once = issue::<Once>(&state, &ClientContext::new()).await;
        let me = server.get("/me", &[&once]).await;
        assert_eq!((me.status, me.body.as_str()), (200, "ann"), "{how:?}");
        let again = server.get("/me", &[&once]).await;
        assert_eq!(again.status, 401, "{how:?}");
        assert_eq!(again.removals("__Host-gl-once"), 1);

        let server = served::<Rp>(&state, how).await;
        let rp = issue::<Rp>(&state, &ClientContext::new()).await;
        let reseal = server.post("/reseal", &[&rp]).await;
        assert_eq!((reseal.status, reseal.body.as_str()), (200, "resealed"));
        assert_eq!(reseal.of("__Host-gl-rp").len(), 1, "{reseal:?}");
        let next = reseal.pair("__Host-gl-rp").unwrap();
        let me = server.get("/me", &[&next]).await;
        assert_eq!((me.status, me.body.as_str()), (200, "ann"), "{how:?}");
    }
}

/// Two types' middlewares in either order, each installed either way, on a short and a long
/// header: both open, each gets its own renewal or reseal once.
#[tokio::test]
async fn two_types_in_either_order() {
    for first in INSTALLS {
        for second in INSTALLS {
            for sid_outside in [false, true] {
                let (state, clock, _) = state();
                let both = Router::new().route(
                    "/both",
                    get(|s: Guarded<Sid>, r: Guarded<Rp>| async move {
                        format!("{} {}", s.user, r.user)
                    }),
                );
                let router = if sid_outside {
                    with_guarded::<Sid, _>(
                        with_guarded::<Rp, _>(both, &state, first, On::Layer),
                        &state,
                        second,
                        On::Layer,
                    )
                } else {
                    with_guarded::<Rp, _>(
                        with_guarded::<Sid, _>(both, &state, first, On::Layer),
                        &state,
                        second,
                        On::Layer,
                    )
                };
                let server = serve(router.with_state(state.clone())).await;
                let sid = issue::<Sid>(&state, &firefox()).await;
                let mut rp = issue::<Rp>(&state, &ClientContext::new()).await;
                clock.advance(Duration::minutes(6));
                for len in [0, 1500] {
                    let header = if len == 0 {
                        format!("{sid}; {rp}")
                    } else {
                        padded_header(&[&sid, &rp], len)
                    };
                    let answer = server.get("/both", &[&header]).await;
                    let case = format!("{first:?} {second:?} {sid_outside} {len}");
                    assert_eq!(
                        (answer.status, answer.body.as_str()),
                        (200, "ann ann"),
                        "{case}"
                    );
                    assert_eq!(answer.of("__Host-gl-rp").len(), 1, "{case} {answer:?}");
                    assert_eq!(answer.of("__Host-gl").len(), 1, "{case} {answer:?}");
                    rp = answer.pair("__Host-gl-rp").unwrap();
                }
            }
        }
    }
}

/// `route_layer` covers the routes only: a fallback that extracts `Guarded<T>` is then a
/// logged 500 (never a silent "not signed in"); `layer` covers the fallback too. An unknown
/// path under `route_layer` never reaches the guard, so a `one_time` value survives it.
#[tokio::test]
async fn route_layer_layer_and_the_fallback() {
    for how in INSTALLS {
        let (state, _, _) = state();
        let fallback = |s: Option<Guarded<Once>>| async move {
            s.map_or("anonymous".to_owned(), |s| format!("fallback {}", s.user))
        };
        let per_route = with_guarded::<Once, _>(
            routes::<Once>().fallback(fallback),
            &state,
            how,
            On::RouteLayer,
        );
        let server = serve(per_route.with_state(state.clone())).await;
        let once = issue::<Once>(&state, &ClientContext::new()).await;
        let lost = server.get("/nowhere", &[&once]).await;
        assert_eq!(lost.status, 500, "{how:?} {lost:?}");
        assert!(!lost.body.contains("guarded"), "{}", lost.body);
        let me = server.get("/me", &[&once]).await;
        assert_eq!((me.status, me.body.as_str()), (200, "ann"), "{how:?}");

        let whole =
            with_guarded::<Once, _>(routes::<Once>().fallback(fallback), &state, how, On::Layer);
        let server = serve(whole.with_state(state.clone())).await;
        let once = issue::<Once>(&state, &ClientContext::new()).await;
        let found = server.get("/nowhere", &[&once]).await;
        assert_eq!((found.status, found.body.as_str()), (200, "fallback ann"));
    }
}

/// A router-wide middleware opens `T`'s cookie on every request it covers, whether or not the
/// handler extracts `Guarded<T>`: a `one_time` value is spent by any request that carries it
/// (a `/plain` page, an asset, a 404), and the route that needed it then answers 401. As
/// documented (docs/stolen-cookies.md, "Layers"): the layer opens eagerly, once per request;
/// a layer on the routes that take the value avoids it.
#[tokio::test]
async fn a_router_wide_middleware_spends_a_one_time_value_on_any_request() {
    for how in INSTALLS {
        let (state, _, _) = state();
        let server = served::<Once>(&state, how).await;
        let once = issue::<Once>(&state, &ClientContext::new()).await;
        let plain = server.get("/plain", &[&once]).await;
        assert_eq!((plain.status, plain.body.as_str()), (200, "plain"));
        let me = server.get("/me", &[&once]).await;
        assert_eq!(me.status, 401, "{how:?}: spent by /plain");
    }
}

/// Nested routers: a middleware on the nested router covers its routes only; one on the outer
/// router covers the nested ones too; a route outside every middleware is a logged 500.
#[tokio::test]
async fn nested_routers() {
    for how in INSTALLS {
        let (state, _, _) = state();
        let inner = with_guarded::<Sid, _>(routes::<Sid>(), &state, how, On::Layer);
        let app = Router::new()
            .nest("/api", inner)
            .route(
                "/outside",
                get(|s: Guarded<Sid>| async move { s.user.clone() }),
            )
            .with_state(state.clone());
        let server = serve(app).await;
        let sid = issue::<Sid>(&state, &firefox()).await;
        let me = server.get("/api/me", &[&sid]).await;
        assert_eq!((me.status, me.body.as_str()), (200, "ann"), "{how:?}");
        let outside = server.get("/outside", &[&sid]).await;
        assert_eq!(outside.status, 500, "{how:?}");

        let outer = with_guarded::<Sid, _>(
            Router::new().nest("/api", routes::<Sid>()),
            &state,
            how,
            On::Layer,
        );
        let server = serve(outer.with_state(state.clone())).await;
        let me = server.get("/api/me", &[&sid]).await;
        assert_eq!((me.status, me.body.as_str()), (200, "ann"), "{how:?}");
    }
}
