// Every way to give the `guarded` middleware its key ring and guard compiles and serves: the
// `cookie_state!` line (field names `keys`/`guard`, or others), `CookieState` implemented by
// hand, and the two `FromRef` impls of before; under each, a session issued by the guard opens
// through `Guarded<T>`, and `Sealed<T>` / `State<KeyRing>` read the ring `cookie_state!` gave.
#![deny(warnings)]

use axum::body::Body;
use axum::extract::{FromRef, State};
use axum::http::{header, Request, StatusCode};
use axum::routing::get;
use axum::{middleware, Router};
use serde::{Deserialize, Serialize};
use tower::ServiceExt as _;
use typed_cookies::guard::{ClientContext, Guard};
use typed_cookies::integrations::axum::{cookie_state, guarded, CookieState, Guarded, Sealed};
use typed_cookies::store::MemoryStore;
use typed_cookies::{Key, KeyRing, SealedCookie};

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "ui.axum.pass.cookie_state.v1",
    max_age = "8h",
    revocable
)]
struct Session {
    user: String,
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-prefs",
    salt = "ui.axum.pass.cookie_state.prefs.v1",
    max_age = "8h"
)]
struct Prefs {
    theme: String,
}

#[derive(Clone)]
struct App {
    keys: KeyRing,
    guard: Guard,
}
cookie_state!(App { keys, guard });

#[derive(Clone)]
struct Renamed {
    ring: KeyRing,
    sessions: Guard,
}
cookie_state!(Renamed {
    keys: ring,
    guard: sessions,
});

#[derive(Clone)]
struct ByHand {
    keys: KeyRing,
    guard: Guard,
}
impl CookieState for ByHand {
    fn keys(&self) -> KeyRing {
        self.keys.clone()
    }
    fn guard(&self) -> Guard {
        self.guard.clone()
    }
}

#[derive(Clone)]
struct Before {
    keys: KeyRing,
    guard: Guard,
}
impl FromRef<Before> for KeyRing {
    fn from_ref(state: &Before) -> KeyRing {
        state.keys.clone()
    }
}
impl FromRef<Before> for Guard {
    fn from_ref(state: &Before) -> Guard {
        state.guard.clone()
    }
}

async fn me(session: Guarded<Session>) -> String {
    session.user.clone()
}

async fn theme(State(_keys): State<KeyRing>, prefs: Option<Sealed<Prefs>>) -> String {
    prefs.map_or_else(String::new, |Sealed(prefs)| prefs.theme)
}

fn router<S: CookieState + Clone + Send + Sync + 'static>(state: S) -> Router {
    Router::new()
        .route("/me", get(me))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guarded::<Session, S>,
        ))
        .with_state(state)
}

/// Polls a future that never waits (the memory store and these handlers don't) to completion.
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

/// Signs "ann" in with `state`'s ring and guard, then asks `router` who is signed in.
fn me_status(state: impl CookieState, router: Router) -> (StatusCode, StatusCode) {
    let (keys, guard) = (state.keys(), state.guard());
    let session = Session { user: "ann".into() };
    let issued =
        run(guard.issue(&keys, &session, Some("user:ann"), &ClientContext::default())).unwrap();
    let pair = issued.set_cookie().split(';').next().unwrap().to_owned();
    let with = Request::get("/me")
        .header(header::COOKIE, pair)
        .body(Body::empty())
        .unwrap();
    let without = Request::get("/me").body(Body::empty()).unwrap();
    (
        run(router.clone().oneshot(with)).unwrap().status(),
        run(router.oneshot(without)).unwrap().status(),
    )
}

fn main() {
    let (keys, guard) = (
        KeyRing::new(Key::generate()),
        Guard::new(MemoryStore::new()),
    );
    let app = App {
        keys: keys.clone(),
        guard: guard.clone(),
    };
    let renamed = Renamed {
        ring: keys.clone(),
        sessions: guard.clone(),
    };
    let by_hand = ByHand {
        keys: keys.clone(),
        guard: guard.clone(),
    };
    let before = Before { keys, guard };
    let expected = (StatusCode::OK, StatusCode::UNAUTHORIZED);
    assert_eq!(me_status(app.clone(), router(app.clone())), expected);
    assert_eq!(me_status(renamed.clone(), router(renamed)), expected);
    assert_eq!(me_status(by_hand.clone(), router(by_hand)), expected);
    assert_eq!(me_status(before.clone(), router(before)), expected);

    // `cookie_state!` also gave `FromRef<App> for KeyRing`: the stateless extractors and
    // `State<KeyRing>` work under the same state.
    let prefs = Prefs {
        theme: "dark".into(),
    }
    .to_set_cookie(&app.keys)
    .unwrap();
    let pair = prefs.split(';').next().unwrap().to_owned();
    let router: Router = Router::new().route("/theme", get(theme)).with_state(app);
    let request = Request::get("/theme")
        .header(header::COOKIE, pair)
        .body(Body::empty())
        .unwrap();
    let response = run(router.oneshot(request)).unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}
