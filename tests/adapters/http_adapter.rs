//! The plain `http` adapter through the public API: a derived cookie type read from an
//! `http::Request`'s headers and written to an `http::Response`'s.

use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderValue, Request, Response};
use serde::{Deserialize, Serialize};
use typed_cookies::integrations::http::CookieHeaders;
use typed_cookies::time::Duration;
use typed_cookies::{Key, KeyRing, OpenError, SealError, SealedCookie};

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-hsd",
    salt = "tests.http.session.v1",
    max_age = "15m",
    encrypt,
    same_site = "strict"
)]
struct Session {
    user_id: u64,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-hsd",
    salt = "tests.http.other.v1",
    max_age = "15m",
    encrypt,
    // Deliberately the same browser cookie as `Session`: without this, a compile error.
    replaces = "Session"
)]
struct Other {
    user_id: u64,
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "big", salt = "tests.http.big.v1", max_age = "1h")]
struct Big {
    blob: Vec<u64>,
}

fn request(cookies: &[&str]) -> Request<()> {
    let mut builder = Request::builder().uri("/");
    for cookie in cookies {
        builder = builder.header(COOKIE, *cookie);
    }
    builder.body(()).unwrap()
}

#[test]
fn response_then_request_round_trip() {
    let keys = KeyRing::new(Key::generate());
    let then = typed_cookies_testkit::t0();
    let mut response = Response::new(());
    response
        .headers_mut()
        .append_sealed_cookie(&Session { user_id: 7 }, &keys.at(then))
        .unwrap();
    let set_cookie = response.headers()[SET_COOKIE].to_str().unwrap();
    let (pair, attributes) = set_cookie.split_once("; ").unwrap();
    assert_eq!(
        attributes,
        "HttpOnly; SameSite=Strict; Secure; Path=/; Max-Age=900; Expires=Thu, 01 Jan 2026 00:15:00 GMT"
    );

    let req = request(&["theme=dark", pair]);
    let at = |minutes| then + Duration::minutes(minutes);
    assert_eq!(
        req.headers()
            .open_sealed_cookie::<Session>(&keys.at(at(14))),
        Ok(Some(Session { user_id: 7 }))
    );
    assert!(matches!(
        req.headers()
            .open_sealed_cookie::<Session>(&keys.at(at(16))),
        Err(OpenError::Expired { .. })
    ));
    // Same name, other salt: does not open.
    assert_eq!(
        req.headers().open_sealed_cookie::<Other>(&keys.at(at(1))),
        Err(OpenError::Invalid)
    );
    assert_eq!(
        request(&["theme=dark"])
            .headers()
            .open_sealed_cookie::<Session>(&keys),
        Ok(None)
    );
    assert!(matches!(
        request(&[pair, pair])
            .headers()
            .open_sealed_cookie::<Session>(&keys.at(at(1))),
        Err(OpenError::DuplicateCookie { count: 2, .. })
    ));
}

#[test]
fn removal_and_oversize() {
    let mut response = Response::new(());
    response
        .headers_mut()
        .append(SET_COOKIE, HeaderValue::from_static("theme=dark"));
    response.headers_mut().append_removal::<Session>();
    let all: Vec<_> = response.headers().get_all(SET_COOKIE).iter().collect();
    assert_eq!(
        all,
        [
            "theme=dark",
            "__Host-hsd=; HttpOnly; SameSite=Strict; Secure; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
        ]
    );

    let keys = KeyRing::new(Key::generate());
    let err = response
        .headers_mut()
        .append_sealed_cookie(
            &Big {
                blob: vec![u64::MAX; 400],
            },
            &keys,
        )
        .unwrap_err();
    assert!(
        matches!(err, SealError::TooLarge { max: 4096, .. }),
        "{err:?}"
    );
    assert_eq!(response.headers().get_all(SET_COOKIE).iter().count(), 2);
}
