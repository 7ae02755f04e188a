//! The session lifecycle through the framework adapters, with the ring's clock moved by the
//! test: idle timeout, absolute lifetime, throttled refresh by the `refresh` middleware (its
//! `Max-Age`), reseal after a key rotation, clearing cookies that no longer open (unless the
//! type says `clear_invalid = false`), and a handler's own `Set-Cookie` taking precedence.
//! One scenario, run against axum (the refresh installed as the `refresh` function for one type,
//! as `RefreshLayer` for the two others) and actix-web.

use serde::{Deserialize, Serialize};
use typed_cookies::time::{Duration, OffsetDateTime};
use typed_cookies::{Key, KeyRing, ManualClock, Opened, SealedCookie};

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "tests.lifecycle.session.v1",
    max_age = "2h",
    idle = "30m",
    encrypt
)]
struct Session {
    user: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-prefs",
    salt = "tests.lifecycle.prefs.v1",
    max_age = "1d",
    idle = "1h",
    clear_invalid = false
)]
struct Prefs {
    theme: String,
}

/// A one-time notice: deleted by the response to the request that carries it.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-flash",
    salt = "tests.lifecycle.flash.v1",
    max_age = "5m",
    flash
)]
struct Notice {
    text: String,
}

fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap()
}

/// What a response carried: status, body, and the `Set-Cookie` headers.
#[derive(Debug)]
struct Answer {
    status: u16,
    body: String,
    set_cookies: Vec<String>,
}

impl Answer {
    /// The one `Set-Cookie` for `name`, if any (more than one is a test failure).
    fn set_cookie(&self, name: &str) -> Option<&str> {
        let mine: Vec<&String> = self
            .set_cookies
            .iter()
            .filter(|c| c.starts_with(&format!("{name}=")))
            .collect();
        assert!(mine.len() <= 1, "{self:?}");
        mine.first().map(|c| c.as_str())
    }

    fn value_of(&self, name: &str) -> Option<String> {
        let header = self.set_cookie(name)?;
        Some(
            header[name.len() + 1..]
                .split(';')
                .next()
                .unwrap()
                .to_owned(),
        )
    }
}

/// `GET path` with `cookie` as the `Cookie:` header.
#[allow(async_fn_in_trait)]
trait App {
    async fn get(&self, path: &str, cookie: &str) -> Answer;
}

/// The routes both apps serve, answering with the ring from their state:
/// `/me` (`Option<Opened<Session>>`: `user` or `none`), `/strict` (`Opened<Session>`),
/// `/rename` (changes the user and reseals itself), `/prefs` (`Option<Opened<Prefs>>`).
mod axum_app {
    use super::*;
    use axum::body::{to_bytes, Body};
    use axum::extract::State;
    use axum::http::{header, Request};
    use axum::routing::get;
    use axum::{middleware, Router};
    use tower::ServiceExt;
    use typed_cookies::integrations::axum::{refresh, RefreshLayer, SetCookie};
    use typed_cookies::SealError;

    pub fn app(keys: KeyRing) -> Router {
        Router::new()
            .route(
                "/me",
                get(|s: Option<Opened<Session>>| async move {
                    s.map_or("none".into(), |s| s.into_value().user)
                }),
            )
            .route(
                "/strict",
                get(|s: Opened<Session>| async move { s.into_value().user }),
            )
            .route(
                "/rename",
                get(
                    |State(keys): State<KeyRing>, mut s: Opened<Session>| async move {
                        s.value_mut().user = "bob".into();
                        Ok::<_, SealError>((SetCookie::resealed(&s, &keys)?, "renamed"))
                    },
                ),
            )
            .route(
                "/prefs",
                get(|p: Option<Opened<Prefs>>| async move {
                    p.map_or("none".into(), |p| p.into_value().theme)
                }),
            )
            .layer(middleware::from_fn_with_state(
                keys.clone(),
                refresh::<Session, KeyRing>,
            ))
            .route(
                "/notice",
                get(|n: Option<Opened<Notice>>| async move {
                    n.map_or("none".into(), |n| n.into_value().text)
                }),
            )
            // Both ways to install the refresh: the function above, the layer here.
            .layer(RefreshLayer::<Prefs>::new(&keys))
            .layer(RefreshLayer::<Notice>::new(&keys))
            .with_state(keys)
    }

    impl App for Router {
        async fn get(&self, path: &str, cookie: &str) -> Answer {
            let request = Request::get(path).header(header::COOKIE, cookie);
            let response = self
                .clone()
                .oneshot(request.body(Body::empty()).unwrap())
                .await
                .unwrap();
            let status = response.status().as_u16();
            let set_cookies = response
                .headers()
                .get_all(header::SET_COOKIE)
                .iter()
                .map(|v| v.to_str().unwrap().to_owned())
                .collect();
            let body = to_bytes(response.into_body(), 1 << 16).await.unwrap();
            Answer {
                status,
                body: String::from_utf8(body.to_vec()).unwrap(),
                set_cookies,
            }
        }
    }
}

mod actix_app {
    use super::*;
    use actix_web::body::MessageBody;
    use actix_web::dev::{Service, ServiceResponse};
    use actix_web::middleware::from_fn;
    use actix_web::{test, web, App as ActixApp, HttpResponse};
    use typed_cookies::integrations::actix::{refresh, ResponseBuilderExt};
    use typed_cookies::SealError;

    pub struct Actix<S>(pub S);

    pub async fn app(
        keys: KeyRing,
    ) -> Actix<
        impl Service<
            actix_http::Request,
            Response = ServiceResponse<impl MessageBody>,
            Error = actix_web::Error,
        >,
    > {
        Actix(
            test::init_service(
                ActixApp::new()
                    .app_data(web::Data::new(keys))
                    .wrap(from_fn(refresh::<Session, _>))
                    .wrap(from_fn(refresh::<Prefs, _>))
                    .wrap(from_fn(refresh::<Notice, _>))
                    .route(
                        "/notice",
                        web::get().to(|n: Option<Opened<Notice>>| async move {
                            n.map_or("none".into(), |n| n.into_value().text)
                        }),
                    )
                    .route(
                        "/me",
                        web::get().to(|s: Option<Opened<Session>>| async move {
                            s.map_or("none".into(), |s| s.into_value().user)
                        }),
                    )
                    .route(
                        "/strict",
                        web::get().to(|s: Opened<Session>| async move { s.into_value().user }),
                    )
                    .route(
                        "/rename",
                        web::get().to(
                            |keys: web::Data<KeyRing>, mut s: Opened<Session>| async move {
                                s.value_mut().user = "bob".into();
                                Ok::<_, SealError>(
                                    HttpResponse::Ok()
                                        .resealed_cookie(&s, &keys)?
                                        .body("renamed"),
                                )
                            },
                        ),
                    )
                    .route(
                        "/prefs",
                        web::get().to(|p: Option<Opened<Prefs>>| async move {
                            p.map_or("none".into(), |p| p.into_value().theme)
                        }),
                    ),
            )
            .await,
        )
    }

    impl<S, B> App for Actix<S>
    where
        S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
        B: MessageBody,
    {
        async fn get(&self, path: &str, cookie: &str) -> Answer {
            let request = test::TestRequest::get()
                .uri(path)
                .insert_header(("cookie", cookie))
                .to_request();
            let response = test::call_service(&self.0, request).await;
            let status = response.status().as_u16();
            let set_cookies = response
                .headers()
                .get_all("set-cookie")
                .map(|v| v.to_str().unwrap().to_owned())
                .collect();
            let body = test::read_body(response).await;
            Answer {
                status,
                body: String::from_utf8(body.to_vec()).unwrap(),
                set_cookies,
            }
        }
    }
}

/// The whole lifecycle against one app. `old` is a fallback key of `keys`.
async fn scenario(app: &impl App, keys: &KeyRing, clock: &ManualClock, old: Key) {
    let sid = |value: &str| format!("__Host-sid={value}");
    clock.set(t0());
    let fresh = Session { user: "ann".into() }.seal(keys).unwrap();

    // Fresh: opens, nothing to refresh.
    clock.advance(Duration::minutes(1));
    let answer = app.get("/me", &sid(&fresh)).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, "ann"));
    assert_eq!(
        answer.set_cookie("__Host-sid"),
        None,
        "not due yet: {answer:?}"
    );

    // Past half of the 30-minute idle window: resealed, Max-Age is the idle window.
    clock.set(t0() + Duration::minutes(16));
    let answer = app.get("/me", &sid(&fresh)).await;
    assert_eq!(answer.body, "ann");
    let header = answer
        .set_cookie("__Host-sid")
        .expect("refreshed")
        .to_owned();
    assert!(
        header.contains("; Max-Age=1800;") && header.contains("Secure"),
        "{header}"
    );
    let refreshed = answer.value_of("__Host-sid").unwrap();
    let opened = Session::open_with_metadata(keys, &refreshed).unwrap();
    assert_eq!(
        (opened.created_at(), opened.issued_at()),
        (t0(), t0() + Duration::minutes(16))
    );

    // The refreshed cookie outlives the first one's idle window...
    clock.set(t0() + Duration::minutes(40));
    assert_eq!(
        app.get("/me", &sid(&fresh)).await.body,
        "none",
        "the old copy went idle"
    );
    assert_eq!(app.get("/me", &sid(&refreshed)).await.body, "ann");
    // ...until it is left alone for more than 30 minutes: refused and cleared.
    clock.set(t0() + Duration::minutes(47));
    let answer = app.get("/me", &sid(&refreshed)).await;
    assert_eq!(answer.body, "none");
    assert_eq!(
        answer.set_cookie("__Host-sid"),
        Some(Session::removal().as_str())
    );
    let answer = app.get("/strict", &sid(&refreshed)).await;
    assert_eq!(answer.status, 401);

    // Near the absolute end: Max-Age is what is left of the 2 hours, not the idle window.
    clock.set(t0() + Duration::minutes(100));
    let late = Session::open_with_metadata(keys, &fresh)
        .map(|_| ())
        .unwrap_err();
    assert!(matches!(late, typed_cookies::OpenError::Expired { .. }));
    let recent = {
        let clock_at = keys.at(t0() + Duration::minutes(100));
        let created_then =
            Session::open_with_metadata(&keys.at(t0() + Duration::minutes(16)), &refreshed)
                .unwrap();
        created_then.reseal(&clock_at).unwrap()
    };
    clock.set(t0() + Duration::minutes(116));
    let answer = app.get("/me", &sid(&recent)).await;
    assert_eq!(answer.body, "ann");
    let header = answer.set_cookie("__Host-sid").expect("due");
    assert!(
        header.contains("; Max-Age=240;"),
        "4 minutes of the 2 hours left: {header}"
    );
    clock.set(t0() + Duration::minutes(121));
    assert_eq!(
        app.get("/me", &sid(&recent)).await.body,
        "none",
        "max_age is absolute"
    );

    // Rotation: a value sealed by the fallback key opens and is resealed by the primary.
    clock.set(t0());
    let by_old = Session { user: "ann".into() }
        .seal(&KeyRing::new(old).with_clock(clock.clone()))
        .unwrap();
    clock.advance(Duration::minutes(1));
    let answer = app.get("/me", &sid(&by_old)).await;
    assert_eq!(answer.body, "ann");
    let moved = answer
        .value_of("__Host-sid")
        .expect("resealed after rotation");
    let opened = Session::open_with_metadata(keys, &moved).unwrap();
    assert!(opened.sealed_with_primary());
    assert_eq!(opened.refresh_due(), None);

    // A handler that sets the cookie itself wins: one Set-Cookie, the handler's.
    clock.set(t0() + Duration::minutes(16));
    let answer = app.get("/rename", &sid(&fresh)).await;
    assert_eq!(answer.body, "renamed");
    let renamed =
        Session::open_with_metadata(keys, &answer.value_of("__Host-sid").unwrap()).unwrap();
    assert_eq!(renamed.value().user, "bob");
    assert_eq!(
        renamed.created_at(),
        t0(),
        "a handler's reseal keeps the creation time"
    );

    // Cookies that do not open: cleared, unless the type keeps them.
    let answer = app.get("/me", "__Host-sid=AAAA; __Host-prefs=AAAA").await;
    assert_eq!(answer.body, "none");
    assert_eq!(
        answer.set_cookie("__Host-sid"),
        Some(Session::removal().as_str())
    );
    assert_eq!(
        answer.set_cookie("__Host-prefs"),
        None,
        "clear_invalid = false"
    );
    // A duplicated name is refused but never cleared: the removal would delete the user's own
    // copy and leave a planted one (another Domain or Path) in place.
    let answer = app
        .get("/me", &format!("{}; {}", sid(&fresh), sid(&by_old)))
        .await;
    assert_eq!(
        (answer.body.as_str(), answer.set_cookies.len()),
        ("none", 0)
    );
    // A look-alike is not ours: neither opened nor cleared.
    let answer = app.get("/me", &format!("\u{a0}__Host-sid={fresh}")).await;
    assert_eq!(
        (answer.body.as_str(), answer.set_cookies.len()),
        ("none", 0)
    );
    // A flash cookie is shown once: the response that reads it deletes it.
    let notice = Notice {
        text: "saved".into(),
    }
    .seal(keys)
    .unwrap();
    let answer = app.get("/notice", &format!("__Host-flash={notice}")).await;
    assert_eq!(answer.body, "saved");
    assert_eq!(
        answer.set_cookie("__Host-flash"),
        Some(Notice::removal().as_str())
    );
    let answer = app.get("/me", &format!("__Host-flash={notice}")).await;
    assert_eq!(
        answer.set_cookie("__Host-flash"),
        Some(Notice::removal().as_str()),
        "deleted even when the handler did not read it"
    );
    // No cookie at all: nothing to do.
    assert!(app.get("/me", "theme=dark").await.set_cookies.is_empty());
}

fn ring() -> (KeyRing, ManualClock, Key) {
    let clock = ManualClock::new(t0());
    let old = Key::generate();
    let keys = KeyRing::with_fallbacks(Key::generate(), [old.clone()])
        .unwrap()
        .with_clock(clock.clone());
    (keys, clock, old)
}

#[tokio::test]
async fn axum_lifecycle() {
    let (keys, clock, old) = ring();
    scenario(&axum_app::app(keys.clone()), &keys, &clock, old).await;
}

#[actix_web::test]
async fn actix_lifecycle() {
    let (keys, clock, old) = ring();
    scenario(&actix_app::app(keys.clone()).await, &keys, &clock, old).await;
}

#[test]
fn the_browser_keeps_the_cookie_as_long_as_the_server_would_accept_it() {
    let keys = KeyRing::new(Key::generate()).at(t0());
    let header = Session { user: "ann".into() }.to_set_cookie(&keys).unwrap();
    assert!(
        header.contains("; Max-Age=1800;"),
        "a new session: the idle window: {header}"
    );
    let opened =
        Session::open_with_metadata(&keys, &Session { user: "ann".into() }.seal(&keys).unwrap())
            .unwrap();
    assert_eq!(opened.expires_at(), Some(t0() + Duration::hours(2)));
    assert_eq!(opened.idle_deadline(), Some(t0() + Duration::minutes(30)));
}
