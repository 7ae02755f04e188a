//! Inner services whose response is not `Response<Body>`: a tower `service_fn` and a
//! `ServiceBuilder` stack answering tuples, under `GuardedLayer` and `RefreshLayer` (and the
//! `from_fn_with_state` installs).

use super::*;

/// `GuardedLayer` (and the `from_fn_with_state` install) directly over a tower `service_fn`
/// answering `(StatusCode, String)`, mounted with `route_service` and as the fallback: the
/// service reads `Guarded<Rp>` from the request's parts; the renewal is appended to the
/// tuple's response, every time, and opens as Ann; no cookie, no renewal.
#[tokio::test]
async fn a_guarded_middleware_over_a_service_fn_answering_a_tuple() {
    for how in INSTALLS {
        let (st, _clock) = state();
        let service = tower::service_fn(|request: Request| async move {
            let (mut parts, _body) = request.into_parts();
            let answer = match Guarded::<Rp>::from_request_parts(&mut parts, &()).await {
                Ok(session) => (StatusCode::ACCEPTED, format!("svc {}", session.user)),
                Err(_) => (StatusCode::UNAUTHORIZED, "nobody".to_owned()),
            };
            Ok::<_, Infallible>(answer)
        });
        let app = match how {
            Install::Layer => {
                let wrapped = GuardedLayer::<Rp>::new(&st).layer(service);
                Router::new()
                    .route_service("/svc", wrapped.clone())
                    .fallback_service(wrapped)
            }
            Install::Function => {
                let wrapped = from_fn_with_state(st.clone(), guarded::<Rp, St>).layer(service);
                Router::new()
                    .route_service("/svc", wrapped.clone())
                    .fallback_service(wrapped)
            }
        };
        let server = serve(app).await;
        let mut pair = issue(&st, &Rp { user: "ann".into() }).await;
        for path in ["/svc", "/elsewhere", "/svc"] {
            let reply = send(&server, "GET", path, &[&pair], b"").await;
            assert_eq!(
                (reply.status, reply.text().as_str()),
                (202, "svc ann"),
                "{how:?} {path}"
            );
            let renewed = reply.pair(RP);
            assert_ne!(renewed, pair, "{how:?}");
            pair = renewed;
        }
        let nobody = send(&server, "GET", "/svc", &[], b"").await;
        assert_eq!(
            (nobody.status, nobody.text().as_str()),
            (401, "nobody"),
            "{how:?}"
        );
        assert!(nobody.cookies().of(RP).is_empty(), "{how:?}: {nobody:?}");
    }
}

/// `RefreshLayer` (and its `from_fn_with_state` install) at the top of a tower
/// `ServiceBuilder` stack whose inner `service_fn` answers `(StatusCode, HeaderMap, String)`
/// and whose `map_response` adds a header: the due reseal and the refused cookie's removal are
/// appended to that response once; a response that removes the cookie itself (through its
/// `HeaderMap`) gets nothing more; the mapped header and status survive.
#[tokio::test]
async fn a_refresh_middleware_over_a_service_builder_stack_answering_a_tuple() {
    let removal = Removal::<Rs>::new().into_response().headers()[SET_COOKIE].clone();
    for how in INSTALLS {
        let (st, clock) = state();
        let removal = removal.clone();
        let inner = ServiceBuilder::new()
            .map_response(|(status, headers, body): (StatusCode, HeaderMap, String)| {
                (status, headers, [("x-mapped", "yes")], body)
            })
            .service_fn(move |request: Request| {
                let removal = removal.clone();
                async move {
                    let mut headers = HeaderMap::new();
                    if request.uri().path() == "/logout" {
                        headers.append(SET_COOKIE, removal);
                    }
                    Ok::<_, Infallible>((StatusCode::CREATED, headers, "stack".to_owned()))
                }
            });
        let app = match how {
            Install::Layer => Router::new().fallback_service(
                ServiceBuilder::new()
                    .layer(RefreshLayer::<Rs>::new(&st))
                    .service(inner),
            ),
            Install::Function => Router::new().fallback_service(
                ServiceBuilder::new()
                    .layer(from_fn_with_state(st.clone(), refresh::<Rs, St>))
                    .service(inner),
            ),
        };
        let server = serve(app).await;
        let due = due_rs(&st, &clock);
        let reply = send(&server, "GET", "/any", &[&due], b"").await;
        assert_eq!(
            (reply.status, reply.text().as_str()),
            (201, "stack"),
            "{how:?}"
        );
        assert_eq!(reply.header("x-mapped"), ["yes"], "{how:?}");
        let resealed = reply.pair(RS);
        // The reseal is fresh: not due again, nothing written.
        let again = send(&server, "GET", "/any", &[&resealed], b"").await;
        assert!(again.cookies().of(RS).is_empty(), "{how:?}: {again:?}");
        // A cookie that does not open: removed once.
        let junk = format!("{RS}=AAAAnot-a-sealed-value");
        let cleared = send(&server, "GET", "/any", &[&junk], b"").await;
        assert_eq!(
            (
                cleared.cookies().of(RS).len(),
                cleared.cookies().removals(RS)
            ),
            (1, 1),
            "{how:?}: {cleared:?}"
        );
        // The inner service removes it itself: its removal only.
        let out = send(&server, "GET", "/logout", &[&due], b"").await;
        assert_eq!(
            (out.cookies().of(RS).len(), out.cookies().removals(RS)),
            (1, 1),
            "{how:?}: {out:?}"
        );
        assert_eq!(out.header("x-mapped"), ["yes"]);
    }
}
