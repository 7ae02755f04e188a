//! Extracting before the handler (twice, in an auth middleware), a `Cookie:` header rewritten after
//! the guard or after an outer split, and a cloned request.

use super::*;

/// A handler taking `Guarded<T>` twice, or `Guarded<T>` and `Option<Guarded<T>>`: the
/// second extraction is a logged 500 (the result is handed out once).
#[tokio::test]
async fn a_handler_extracting_twice_is_a_500() {
    for how in INSTALLS {
        let (state, _, _) = state();
        let twice =
            Router::new()
                .route(
                    "/twice",
                    get(|a: Guarded<Sid>, b: Guarded<Sid>| async move {
                        format!("{} {}", a.user, b.user)
                    }),
                )
                .route(
                    "/strict-then-optional",
                    get(|a: Guarded<Sid>, b: Option<Guarded<Sid>>| async move {
                        format!("{} {:?}", a.user, b.map(|b| b.user.clone()))
                    }),
                );
        let server =
            serve(with_guarded::<Sid, _>(twice, &state, how, On::Layer).with_state(state.clone()))
                .await;
        let sid = issue::<Sid>(&state, &firefox()).await;
        for path in ["/twice", "/strict-then-optional"] {
            let answer = server.get(path, &[&sid]).await;
            assert_eq!(answer.status, 500, "{how:?} {path} {answer:?}");
        }
    }
}

/// An auth middleware (`from_fn` with a `Guarded<T>` argument: "signed in or 401") in front of
/// a handler that reads the session too: the result is handed out once per request, so the
/// handler's `Guarded<T>` is a logged 500 (`NoGuardLayer`, "or extracted twice"), as the
/// rejection documents — never a second open of the cookie. Pinned, not a fix: `Guarded<T>`
/// owns the opened value (the type need not be `Clone`).
#[tokio::test]
async fn an_auth_middleware_and_the_handler_cannot_both_take_the_session() {
    async fn require(session: Guarded<Sid>, request: Request, next: Next) -> Response {
        let _ = session.user.len();
        next.run(request).await
    }
    for how in INSTALLS {
        let (state, _, _) = state();
        let app = Router::new()
            .route(
                "/account",
                get(|s: Guarded<Sid>| async move { s.user.clone() }),
            )
            .layer(from_fn(require));
        let server =
            serve(with_guarded::<Sid, _>(app, &state, how, On::Layer).with_state(state.clone()))
                .await;
        let sid = issue::<Sid>(&state, &firefox()).await;
        let answer = server.get("/account", &[&sid]).await;
        assert_eq!(answer.status, 500, "{how:?} {answer:?}");
        // Not a refusal of the cookie: nothing is cleared.
        assert_eq!(answer.removals("__Host-gl"), 0, "{how:?} {answer:?}");
    }
}

/// A middleware between the guarded middleware and the handler that replaces the `Cookie:`
/// header with Mallory's (valid) session: `Guarded<T>` is what the request carried when the
/// guard opened it (Ann), while a plain extractor reads the header as it is now, on a short
/// header and on a long one (a split kept by the guarded middleware is read again).
#[tokio::test]
async fn a_cookie_header_rewritten_after_the_guard_does_not_change_the_session() {
    for how in INSTALLS {
        for pad in [0, 1500] {
            let (state, _, _) = state();
            let mallory_sid = state
                .guard
                .issue(&state.keys, &Sid::named("mallory"), None, &firefox())
                .await
                .unwrap();
            let mallory_plain = Plain {
                user: "mallory".into(),
            }
            .seal(&state.keys)
            .unwrap();
            let rewritten = format!(
                "__Host-gl={}; __Host-sid={mallory_plain}",
                mallory_sid.value()
            );
            let app = Router::new()
                .route(
                    "/both",
                    get(
                        |s: Guarded<Sid>, p: Result<Sealed<Plain>, SealedRejection>| async move {
                            let plain = p.map_or("none".to_owned(), |Sealed(p)| p.user);
                            format!("{} {plain}", s.user)
                        },
                    ),
                )
                .layer(from_fn(move |mut request: Request, next: Next| {
                    let rewritten = rewritten.clone();
                    async move {
                        request
                            .headers_mut()
                            .insert("cookie", rewritten.parse().unwrap());
                        next.run(request).await
                    }
                }));
            let server = serve(
                with_guarded::<Sid, _>(app, &state, how, On::Layer).with_state(state.clone()),
            )
            .await;
            let ann_sid = issue::<Sid>(&state, &firefox()).await;
            let ann_plain = format!(
                "__Host-sid={}",
                Plain { user: "ann".into() }.seal(&state.keys).unwrap()
            );
            let header = if pad == 0 {
                format!("{ann_sid}; {ann_plain}")
            } else {
                padded_header(&[&ann_sid, &ann_plain], pad)
            };
            let answer = server.get("/both", &[&header]).await;
            assert_eq!(
                (answer.status, answer.body.as_str()),
                (200, "ann mallory"),
                "{how:?} {pad}"
            );
        }
    }
}

/// A middleware that hands the handler a copy of the request (a retry-style clone of its
/// parts): the copy carries no session, so the handler's extractor is a 500, not a silent
/// success; the replay renewal still goes out (the nonce moved).
#[tokio::test]
async fn a_cloned_request_carries_no_session() {
    for how in INSTALLS {
        let (state, _, _) = state();
        let app = routes::<Rp>().layer(from_fn(|request: Request, next: Next| async move {
            let (parts, body) = request.into_parts();
            let mut copy = Request::new(body);
            *copy.method_mut() = parts.method.clone();
            *copy.uri_mut() = parts.uri.clone();
            *copy.headers_mut() = parts.headers.clone();
            *copy.extensions_mut() = parts.extensions.clone();
            next.run(copy).await
        }));
        let server =
            serve(with_guarded::<Rp, _>(app, &state, how, On::Layer).with_state(state.clone()))
                .await;
        let rp = issue::<Rp>(&state, &ClientContext::new()).await;
        let me = server.get("/me", &[&rp]).await;
        assert_eq!(me.status, 500, "{how:?} {me:?}");
        assert!(!me.body.contains("guarded"), "{}", me.body);
        let next = me.pair("__Host-gl-rp").expect("the renewal");
        let again = server.get("/maybe", &[&next]).await;
        assert_eq!(again.status, 500, "{how:?}");
    }
}

/// A split of the `Cookie:` header kept by an outer `refresh` middleware, then a middleware
/// that changes the header before the guard runs: the guard reads the header as it is then,
/// never the stale split — an appended planted copy is a duplicate (401, `/maybe` 400,
/// nothing cleared), a removed header is no session, a replaced one is the new value.
#[tokio::test]
async fn a_header_changed_after_an_outer_split_is_read_again_by_the_guard() {
    for how in INSTALLS {
        for pad in [0, 1500] {
            let (state, _, _) = state();
            let mallory = state
                .guard
                .issue(&state.keys, &Sid::named("mallory"), None, &firefox())
                .await
                .unwrap();
            let mallory = format!("__Host-gl={}", mallory.value());
            for (change, path, expected) in [
                ("append", "/me", (401, "")),
                ("append", "/maybe", (400, "")),
                ("remove", "/me", (401, "")),
                ("remove", "/maybe", (200, "anonymous")),
                ("replace", "/me", (200, "mallory")),
            ] {
                let mallory = mallory.clone();
                let app = with_guarded::<Sid, _>(routes::<Sid>(), &state, how, On::Layer)
                    .layer(from_fn(move |mut request: Request, next: Next| {
                        let mallory = mallory.clone();
                        async move {
                            let headers = request.headers_mut();
                            match change {
                                "append" => {
                                    headers.append("cookie", "__Host-gl=AAAA".parse().unwrap());
                                }
                                "remove" => {
                                    headers.remove("cookie");
                                }
                                _ => {
                                    headers.insert("cookie", mallory.parse().unwrap());
                                }
                            }
                            next.run(request).await
                        }
                    }))
                    .layer(from_fn_with_state(state.clone(), refresh::<Plain, St>));
                let server = serve(app.with_state(state.clone())).await;
                let ann = issue::<Sid>(&state, &firefox()).await;
                let plain = format!(
                    "__Host-sid={}",
                    Plain { user: "ann".into() }.seal(&state.keys).unwrap()
                );
                let header = if pad == 0 {
                    format!("{ann}; {plain}")
                } else {
                    padded_header(&[&ann, &plain], pad)
                };
                let answer = server.get(path, &[&header]).await;
                let case = format!("{how:?} {pad} {change} {path}");
                assert_eq!(answer.status, expected.0, "{case} {answer:?}");
                if !expected.1.is_empty() {
                    assert_eq!(answer.body, expected.1, "{case}");
                }
                assert_eq!(answer.removals("__Host-gl"), 0, "{case} {answer:?}");
            }
        }
    }
}
