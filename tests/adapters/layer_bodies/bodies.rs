//! Request bodies through the guarded and refresh middlewares: streamed both ways, large ones
//! intact over one kept-alive connection, through a guarded middleware installed twice; both
//! middlewares on one router; many concurrent requests.

use super::*;

/// The routes for bodies: `/echo` streams the request body back as it arrives (reading
/// `Guarded<Rp>` and `Sealed<Rs>` first), `/digest` answers the body's length and digest
/// after the user's name.
fn body_routes() -> Router<St> {
    Router::new()
        .route(
            "/echo",
            post(
                |session: Guarded<Rp>, Sealed(rs): Sealed<Rs>, body: Body| async move {
                    let user = format!("{}+{}", session.user, rs.user);
                    (
                        [("x-user", HeaderValue::from_str(&user).unwrap())],
                        Body::from_stream(body.into_data_stream()),
                    )
                },
            ),
        )
        .route(
            "/digest",
            post(|session: Guarded<Rp>, body: Body| async move {
                let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
                format!("{} {}", session.user, receipt(&bytes))
            }),
        )
}

/// A request body sent in pieces (chunked) through both middlewares, in every order, install
/// and placement, to a handler that streams it back: the answer's head (with `Rp`'s renewal
/// and `Rs`'s reseal) and the first piece arrive before the client sends the rest, so neither
/// middleware holds the request body or the response body back; every piece comes back in
/// order.
#[tokio::test]
async fn a_streamed_body_passes_both_middlewares_both_ways_without_waiting() {
    for combo in combinations() {
        let (st, clock) = state();
        let server = serve(both(body_routes(), &st, combo).with_state(st.clone())).await;
        let rp = issue(&st, &Rp { user: "ann".into() }).await;
        let rs = due_rs(&st, &clock);
        let mut conn = Connection::open(&server).await;
        let mut request = head("POST", "/echo", &[&rp, &rs]).into_bytes();
        request.extend_from_slice(b"transfer-encoding: chunked\r\n\r\n5\r\nfirst\r\n");
        conn.write(&request).await;
        let (status, headers) = conn.head().await;
        let reply = Reply {
            status,
            headers,
            body: Vec::new(),
        };
        assert_eq!(reply.status, 200, "{combo:?}");
        assert_eq!(reply.header("x-user"), ["ann+ann"], "{combo:?}");
        reply.pair(RP);
        reply.pair(RS);
        assert_eq!(
            conn.chunk().await.as_deref(),
            Some(&b"first"[..]),
            "{combo:?}"
        );
        for piece in [&b"second"[..], &pattern(70_000)[..]] {
            let mut framed = format!("{:x}\r\n", piece.len()).into_bytes();
            framed.extend_from_slice(piece);
            framed.extend_from_slice(b"\r\n");
            conn.write(&framed).await;
            let mut echoed = Vec::new();
            while echoed.len() < piece.len() {
                echoed.extend(conn.chunk().await.expect("more of the echo"));
            }
            assert_eq!(digest(&echoed), digest(piece), "{combo:?}");
        }
        conn.write(b"0\r\n\r\n").await;
        assert_eq!(conn.chunk().await, None, "{combo:?}");
    }
}

/// Large bodies (0 bytes to 8 MiB, past axum's 2 MB default limit for its body extractors,
/// which a raw `Body` does not have) reach the handler intact through both middlewares in
/// every order, install and placement, several on one kept-alive connection, each request's
/// renewal used by the next.
#[tokio::test]
async fn large_bodies_reach_the_handler_intact_over_one_connection() {
    let bodies: Vec<Vec<u8>> = [0, 1, 65_537, 3 << 20, 8 << 20]
        .into_iter()
        .map(pattern)
        .collect();
    for combo in combinations() {
        let (st, _clock) = state();
        let server = serve(both(body_routes(), &st, combo).with_state(st.clone())).await;
        let mut rp = issue(&st, &Rp { user: "ann".into() }).await;
        let mut conn = Connection::open(&server).await;
        for body in &bodies {
            let reply = conn.send("POST", "/digest", &[&rp], body).await;
            assert_eq!(reply.status, 200, "{combo:?} {}", body.len());
            assert_eq!(reply.text(), format!("ann {}", receipt(body)), "{combo:?}");
            rp = reply.pair(RP);
            assert!(
                reply.cookies().of(RS).is_empty(),
                "{combo:?}: no Rs cookie, nothing written"
            );
        }
    }
}

/// The guarded middleware installed twice (every pairing of the two installs, `layer` and
/// `route_layer`): the inner one passes the request on, body included, untouched; the
/// one-time value is claimed once (the handler sees Ann; on the next request nobody, and one
/// removal), and a POST body past 2 MB arrives whole both times on one connection.
#[tokio::test]
async fn installed_twice_the_inner_middleware_passes_the_body_on() {
    let body = pattern((2 << 20) + 12_345);
    for outer in INSTALLS {
        for inner in INSTALLS {
            for on in [On::Layer, On::RouteLayer] {
                let (st, _clock) = state();
                let routes = Router::new().route(
                    "/once",
                    post(|session: Option<Guarded<Once>>, body: Body| async move {
                        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
                        let user = session.map_or("nobody".to_owned(), |s| s.user.clone());
                        format!("{user} {}", receipt(&bytes))
                    }),
                );
                let app = with_guarded::<Once, _>(
                    with_guarded::<Once, _>(routes, &st, inner, on),
                    &st,
                    outer,
                    on,
                );
                let server = serve(app.with_state(st.clone())).await;
                let link = issue(&st, &Once { user: "ann".into() }).await;
                let case = format!("{outer:?}+{inner:?} {on:?}");
                let mut conn = Connection::open(&server).await;
                let first = conn.send("POST", "/once", &[&link], &body).await;
                assert_eq!(first.status, 200, "{case}");
                assert_eq!(first.text(), format!("ann {}", receipt(&body)), "{case}");
                let second = conn.send("POST", "/once", &[&link], &body).await;
                assert_eq!(
                    second.text(),
                    format!("nobody {}", receipt(&body)),
                    "{case}: claimed once"
                );
                // The spent link is removed once, by the outer middleware only.
                assert_eq!(
                    (
                        second.cookies().of(ONCE).len(),
                        second.cookies().removals(ONCE)
                    ),
                    (1, 1),
                    "{case}: {second:?}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Both middlewares on one router; concurrency

/// `Rp`'s guarded and `Rs`'s refresh middlewares together, in every order, install and
/// placement: each writes its own cookie exactly once (the renewal, the due reseal) on a route
/// that reads both and on one that reads neither; a handler that removes `Rs` gets its own
/// removal only, and `Rp` still its renewal.
#[tokio::test]
async fn guarded_and_refresh_together_each_write_their_own_once() {
    let routes = || {
        Router::new()
            .route(
                "/both",
                get(|s: Guarded<Rp>, Sealed(rs): Sealed<Rs>| async move {
                    format!("{} {}", s.user, rs.user)
                }),
            )
            .route("/plain", get(|| async { "plain" }))
            .route(
                "/logout",
                post(|_s: Guarded<Rp>| async { (Removal::<Rs>::new(), "bye") }),
            )
    };
    for combo in combinations() {
        let (st, clock) = state();
        let server = serve(both(routes(), &st, combo).with_state(st.clone())).await;
        let mut rp = issue(&st, &Rp { user: "ann".into() }).await;
        let rs = due_rs(&st, &clock);
        for path in ["/both", "/plain"] {
            let reply = send(&server, "GET", path, &[&rp, &rs], b"").await;
            assert_eq!(reply.status, 200, "{combo:?} {path}");
            rp = reply.pair(RP);
            let resealed = reply.pair(RS);
            assert_ne!(resealed, rs, "{combo:?} {path}");
        }
        let out = send(&server, "POST", "/logout", &[&rp, &rs], b"").await;
        assert_eq!((out.status, out.text().as_str()), (200, "bye"), "{combo:?}");
        assert_eq!(
            (out.cookies().of(RS).len(), out.cookies().removals(RS)),
            (1, 1),
            "{combo:?}: {out:?}"
        );
        out.pair(RP);
    }
}

/// Many requests at once through one `GuardedLayer` (each on its own connection, each with
/// its own user's replay session): every answer names its own user and carries a renewal
/// that opens as that user, none another's.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_each_get_their_own_session_and_renewal() {
    const USERS: usize = 48;
    for how in INSTALLS {
        let (st, _clock) = state();
        let routes = Router::new().route(
            "/me",
            post(|s: Guarded<Rp>, body: Body| async move {
                let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
                format!("{} {}", s.user, bytes.len())
            }),
        );
        let server = std::sync::Arc::new(
            serve(with_guarded::<Rp, _>(routes, &st, how, On::Layer).with_state(st.clone())).await,
        );
        let mut tasks = Vec::new();
        for i in 0..USERS {
            let (st, server) = (st.clone(), server.clone());
            tasks.push(tokio::spawn(async move {
                let user = format!("user{i}");
                let pair = issue(&st, &Rp { user: user.clone() }).await;
                let body = pattern(1_000 * (i + 1));
                let reply = send(&server, "POST", "/me", &[&pair], &body).await;
                assert_eq!(reply.text(), format!("{user} {}", body.len()));
                let renewed = reply.pair(RP);
                let again = send(&server, "POST", "/me", &[&renewed], b"").await;
                assert_eq!(again.text(), format!("{user} 0"));
            }));
        }
        for task in tasks {
            task.await.unwrap_or_else(|e| panic!("{how:?}: {e}"));
        }
    }
}
