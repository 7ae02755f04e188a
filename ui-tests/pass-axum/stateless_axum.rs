// A stateless type with everything the `Stateless` bound guards in axum — the `Sealed<T>` and
// `Opened<T>` extractors (plain and optional), `SetCookie::new`/`resealed` and the `refresh`
// middleware — compiles, and a request through the router signs in and reads the session back.
// A guarded type still has its `Removal<T>` (signing out needs no guard).
#![deny(warnings)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{extract::State, middleware, Router};
use serde::{Deserialize, Serialize};
use tower::ServiceExt as _;
use typed_cookies::integrations::axum::{refresh, Removal, Sealed, SetCookie};
use typed_cookies::{Key, KeyRing, Opened, SealError, SealedCookie};

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-prefs",
    salt = "ui.axum.pass.prefs.v1",
    max_age = "8h",
    idle = "30m"
)]
struct Prefs {
    theme: String,
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "ui.axum.pass.session.v1",
    max_age = "8h",
    revocable
)]
struct Session {
    user_id: u64,
}

async fn save(State(keys): State<KeyRing>) -> Result<SetCookie, SealError> {
    SetCookie::new(
        &Prefs {
            theme: "dark".into(),
        },
        &keys,
    )
}

async fn theme(Sealed(prefs): Sealed<Prefs>, maybe: Option<Opened<Prefs>>) -> String {
    assert!(maybe.is_some());
    prefs.theme
}

async fn rename(
    State(keys): State<KeyRing>,
    mut opened: Opened<Prefs>,
) -> Result<SetCookie, SealError> {
    opened.value_mut().theme = "light".into();
    SetCookie::resealed(&opened, &keys)
}

async fn sign_out(_maybe: Option<Sealed<Prefs>>) -> impl IntoResponse {
    Removal::<Session>::new()
}

/// Polls a future that never waits (the router and these handlers don't) to completion.
fn run<F: std::future::Future>(future: F) -> F::Output {
    struct Noop;
    impl std::task::Wake for Noop {
        fn wake(self: std::sync::Arc<Self>) {}
    }
    let waker = std::task::Waker::from(std::sync::Arc::new(Noop));
    let mut cx = std::task::Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

fn main() {
    let keys = KeyRing::new(Key::generate());
    let app: Router = Router::new()
        .route("/save", post(save))
        .route("/theme", get(theme))
        .route("/rename", post(rename))
        .route("/sign-out", post(sign_out))
        .layer(middleware::from_fn_with_state(
            keys.clone(),
            refresh::<Prefs, KeyRing>,
        ))
        .with_state(keys);

    let saved = run(app
        .clone()
        .oneshot(Request::post("/save").body(Body::empty()).unwrap()))
    .unwrap();
    let set_cookie = saved.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(set_cookie.starts_with("__Host-prefs="), "{set_cookie}");
    let pair = set_cookie.split(';').next().unwrap().to_owned();

    let request = Request::get("/theme")
        .header(header::COOKIE, &pair)
        .body(Body::empty())
        .unwrap();
    let response = run(app.clone().oneshot(request)).unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let request = Request::post("/rename")
        .header(header::COOKIE, &pair)
        .body(Body::empty())
        .unwrap();
    let response = run(app.clone().oneshot(request)).unwrap();
    assert!(response.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .starts_with("__Host-prefs="));

    let response = run(app
        .clone()
        .oneshot(Request::get("/theme").body(Body::empty()).unwrap()))
    .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let response =
        run(app.oneshot(Request::post("/sign-out").body(Body::empty()).unwrap())).unwrap();
    assert!(response.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .starts_with("__Host-sid=; "));
}
