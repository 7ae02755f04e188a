//! Replay detection through actix-web's `guarded` middleware and extractors.

use actix_web::middleware::from_fn;
use actix_web::{test, web, HttpRequest, HttpResponse};
use typed_cookies::guard::Guard;
use typed_cookies::integrations::actix::{client_context_of, guarded, Guarded, ResponseBuilderExt};
use typed_cookies::time::Duration;
use typed_cookies::{KeyRing, SealError};
use typed_cookies_testkit::{clocked, ring};

use super::actix_support::{get, post};
use super::{orders, Account, Jar, Session, FIREFOX};

async fn sign_in(
    req: HttpRequest,
    keys: web::Data<KeyRing>,
    guard: web::Data<Guard>,
) -> HttpResponse {
    let ctx = client_context_of::<Session>(&req, &guard).unwrap();
    let issued = guard
        .issue(&keys, &Session::admin(), Some("user:ann"), &ctx)
        .await
        .unwrap();
    HttpResponse::Ok().issued(&issued).finish()
}

async fn page(session: Guarded<Session>) -> String {
    session.role().to_owned()
}

async fn touch(
    session: Guarded<Session>,
    keys: web::Data<KeyRing>,
) -> Result<HttpResponse, SealError> {
    let mut response = HttpResponse::Ok();
    response.resealed_cookie(session.opened(), &keys)?;
    Ok(response.body(session.role().to_owned()))
}

async fn demote(
    session: Guarded<Session>,
    keys: web::Data<KeyRing>,
) -> Result<HttpResponse, SealError> {
    let mut opened = session.into_opened();
    opened.value_mut().set_role("user");
    let mut response = HttpResponse::Ok();
    response.resealed_cookie(&opened, &keys)?;
    Ok(response.finish())
}

macro_rules! service {
    ($keys:expr) => {
        test::init_service(
            crate::actix_support::guarded_app($keys)
                .wrap(from_fn(guarded::<Session, _>))
                .route("/sign-in", web::post().to(sign_in))
                .route("/page", web::get().to(page))
                .route("/touch", web::post().to(touch))
                .route("/demote", web::post().to(demote)),
        )
        .await
    };
}

#[actix_web::test]
async fn in_flight_requests_leave_a_value_that_opens_whatever_order_their_responses_arrive() {
    for order in orders(3) {
        let (keys, clock) = clocked(&ring());
        let app = service!(keys);
        let first = post(&app, "/sign-in", &[], FIREFOX)
            .await
            .pair("__Host-rp")
            .unwrap();
        let cookie: &[&[u8]] = &[first.as_bytes()];
        let (a, b, c) = tokio::join!(
            get(&app, "/page", cookie, FIREFOX),
            post(&app, "/touch", cookie, FIREFOX),
            post(&app, "/touch", cookie, FIREFOX),
        );
        let answers = [a, b, c];
        for answer in &answers {
            assert_ne!(answer.status.as_u16(), 401, "{}", answer.body);
            let ours = answer
                .set_cookies
                .iter()
                .filter(|c| c.starts_with("__Host-rp="))
                .count();
            assert!(ours <= 1, "{:?}", answer.set_cookies);
        }
        let mut browser = Jar::new("__Host-rp");
        browser.pair = Some(first.clone());
        for &i in &order {
            clock.advance(Duration::seconds(1));
            browser.apply(&answers[i].set_cookies);
        }
        clock.advance(Duration::minutes(1));
        let jar = browser.get().unwrap().to_owned();
        let later = get(&app, "/page", &[jar.as_bytes()], FIREFOX).await;
        assert_eq!(later.status.as_u16(), 200, "order {order:?}");
        assert!(later.pair("__Host-rp").is_some());
    }
}

#[actix_web::test]
async fn a_grace_write_back_is_refused_and_a_rotating_one_carries_a_single_value() {
    let (keys, clock) = clocked(&ring());
    let app = service!(keys);
    let first = post(&app, "/sign-in", &[], FIREFOX)
        .await
        .pair("__Host-rp")
        .unwrap();
    let rotated = post(&app, "/demote", &[first.as_bytes()], FIREFOX).await;
    let ours = |c: &Vec<String>| c.iter().filter(|c| c.starts_with("__Host-rp=")).count();
    assert_eq!(
        ours(&rotated.set_cookies),
        1,
        "the handler's, no renewal beside it"
    );
    let in_flight = post(&app, "/touch", &[first.as_bytes()], FIREFOX).await;
    assert_eq!(
        (in_flight.status.as_u16(), ours(&in_flight.set_cookies)),
        (409, 0)
    );
    // The browser keeps the rotating response's value: past the window it opens, with
    // the handler's change.
    clock.advance(Duration::minutes(1));
    let kept = rotated.pair("__Host-rp").unwrap();
    let later = get(&app, "/page", &[kept.as_bytes()], FIREFOX).await;
    assert_eq!((later.status.as_u16(), later.body.as_str()), (200, "user"));
}
