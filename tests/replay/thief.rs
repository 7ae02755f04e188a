//! A thief with an old copy, requests in flight together, write-backs and sign-outs in the
//! grace window, through axum.

use super::*;

#[tokio::test]
async fn an_old_copy_after_the_grace_window_revokes_the_session() {
    let (app, clock, stolen) = signed_in::<Session>(FIREFOX).await;
    let user = send(&app, "GET", "/page", Some(&stolen), FIREFOX).await;
    let current = user.pair("__Host-rp").expect("renewed");
    clock.advance(Duration::seconds(6));
    let thief = send(&app, "POST", "/touch", Some(&stolen), FIREFOX).await;
    assert_eq!(thief.status, StatusCode::UNAUTHORIZED);
    assert_eq!(thief.pair("__Host-rp"), None, "the thief gets nothing");
    // The whole session is revoked: the user's current value too (the theft is visible).
    let user = send(&app, "GET", "/page", Some(&current), FIREFOX).await;
    assert_eq!(user.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_grace_request_to_a_route_that_does_not_write_back_gets_no_value() {
    let (app, clock, stolen) = signed_in::<Session>(FIREFOX).await;
    let user = send(&app, "GET", "/page", Some(&stolen), FIREFOX).await;
    let current = user.pair("__Host-rp").unwrap();
    clock.advance(Duration::seconds(2));
    let thief = send(&app, "GET", "/page", Some(&stolen), FIREFOX).await;
    assert_eq!(
        (thief.status, thief.body.as_str()),
        (StatusCode::OK, "admin")
    );
    assert!(thief.of("__Host-rp").is_empty(), "{thief:?}");
    // Its copy dies with the grace window, and using it then ends the session.
    clock.advance(Duration::seconds(4));
    let thief = send(&app, "GET", "/page", Some(&stolen), FIREFOX).await;
    assert_eq!(thief.status, StatusCode::UNAUTHORIZED);
    let user = send(&app, "GET", "/page", Some(&current), FIREFOX).await;
    assert_eq!(user.status, StatusCode::UNAUTHORIZED);
}

/// A copy of the previous value, presented inside the grace window to a handler that writes
/// the session back, gets nothing that outlives the window (it must not come back carrying
/// the current nonce with the old content: here the admin role the user just gave up).
#[tokio::test]
async fn a_thief_cannot_launder_an_old_copy_through_a_handler_that_writes_back() {
    let (app, clock, stolen) = signed_in::<Session>(FIREFOX).await;
    // The user gives up the admin role: that response carries the next value.
    let user = send(&app, "POST", "/demote", Some(&stolen), FIREFOX).await;
    let demoted = user.pair("__Host-rp").unwrap();
    clock.advance(Duration::seconds(3));
    // Within the grace window the thief writes its old copy back.
    let thief = send(&app, "POST", "/touch", Some(&stolen), FIREFOX).await;
    let held = thief.pair("__Host-rp").unwrap_or_else(|| stolen.clone());
    past_the_grace_window(&clock);
    let thief = send(&app, "GET", "/page", Some(&held), FIREFOX).await;
    assert_eq!(
        thief.status,
        StatusCode::UNAUTHORIZED,
        "an old copy (role {:?}) outlived the grace window",
        thief.body
    );
    // And using it revoked the session: the theft is visible to the user.
    let user = send(&app, "GET", "/page", Some(&demoted), FIREFOX).await;
    assert_eq!(user.status, StatusCode::UNAUTHORIZED);
}

/// Two browsers holding one session, each hitting a route that writes the session back
/// within the grace window of the other's rotation, must not hand each other the current
/// nonce forever: one of them is taken for a replay.
#[tokio::test]
async fn two_clients_sharing_a_session_are_caught_even_when_every_response_writes_back() {
    let (app, clock, first) = signed_in::<Session>(FIREFOX).await;
    let mut user = Jar::new("__Host-rp");
    let mut thief = Jar::new("__Host-rp");
    user.pair = Some(first.clone());
    thief.pair = Some(first);
    let mut refused = 0;
    for _ in 0..30 {
        for jar in [&mut user, &mut thief] {
            let Some(cookie) = jar.get().map(str::to_owned) else {
                refused += 1;
                continue;
            };
            let answer = send(&app, "POST", "/touch", Some(&cookie), FIREFOX).await;
            if answer.status == StatusCode::UNAUTHORIZED {
                refused += 1;
            }
            jar.apply(&answer.set_cookies);
            clock.advance(Duration::seconds(2));
        }
    }
    assert!(
        refused > 0,
        "60 requests of two clients sharing one session, none refused"
    );
}

/// A slow request rotates first; a fast request in the grace window tries to write the
/// session back (refused, 409); the browser's next request; then the slow response lands
/// last. The browser must end with a value that opens past the window (with a grace
/// write-back carrying the current nonce, the browser rotated early and the slow response
/// left it the value just replaced).
#[tokio::test]
async fn a_slow_rotating_response_overtaken_by_a_grace_write_back_leaves_a_value_that_opens() {
    let (app, clock, first) = signed_in::<Session>(FIREFOX).await;
    let mut browser = Jar::new("__Host-rp");
    browser.pair = Some(first.clone());
    // A: a slow upload; the guard rotates before its handler runs, its response is held.
    let slow = send(&app, "GET", "/page", Some(&first), FIREFOX).await;
    assert!(slow.pair("__Host-rp").is_some());
    // B: a fast request in flight with the same value, whose handler writes back.
    let fast = send(&app, "POST", "/touch", Some(&first), FIREFOX).await;
    browser.apply(&fast.set_cookies);
    // C: the browser's next request, with what B gave it.
    clock.advance(Duration::seconds(1));
    let next = send(&app, "GET", "/page", browser.get(), FIREFOX).await;
    assert_eq!(next.status, StatusCode::OK);
    browser.apply(&next.set_cookies);
    // A's response lands last, two seconds after it was sent.
    clock.advance(Duration::seconds(1));
    browser.apply(&slow.set_cookies);
    past_the_grace_window(&clock);
    let later = send(&app, "GET", "/page", browser.get(), FIREFOX).await;
    assert_eq!(
        later.status,
        StatusCode::OK,
        "the browser was left with a value taken for a replay"
    );
}

#[tokio::test]
async fn in_flight_requests_leave_a_value_that_opens_whatever_order_their_responses_arrive() {
    for order in orders(3) {
        let (app, clock, first) = signed_in::<Session>(FIREFOX).await;
        let cookie = Some(first.as_str());
        let (a, b, c) = tokio::join!(
            send(&app, "GET", "/page", cookie, FIREFOX),
            send(&app, "POST", "/touch", cookie, FIREFOX),
            send(&app, "POST", "/touch", cookie, FIREFOX),
        );
        let answers = [a, b, c];
        // None of the browser's own requests is refused, and none sets the cookie twice.
        for answer in &answers {
            assert_ne!(answer.status, StatusCode::UNAUTHORIZED, "{answer:?}");
            assert!(answer.of("__Host-rp").len() <= 1, "{answer:?}");
        }
        let mut browser = Jar::new("__Host-rp");
        browser.pair = Some(first.clone());
        for &i in &order {
            clock.advance(Duration::seconds(1));
            browser.apply(&answers[i].set_cookies);
        }
        assert_ne!(browser.get(), Some(first.as_str()), "order {order:?}");
        past_the_grace_window(&clock);
        let later = send(&app, "GET", "/page", browser.get(), FIREFOX).await;
        assert_eq!(later.status, StatusCode::OK, "order {order:?}");
        assert!(
            later.pair("__Host-rp").is_some(),
            "renewed, order {order:?}"
        );
    }
}

#[tokio::test]
async fn a_rotating_request_whose_handler_writes_back_carries_one_value_of_the_cookie() {
    let (app, clock, first) = signed_in::<Session>(FIREFOX).await;
    let demoted = send(&app, "POST", "/demote", Some(&first), FIREFOX).await;
    assert_eq!(demoted.of("__Host-rp").len(), 1, "{demoted:?}");
    let value = demoted.pair("__Host-rp").unwrap();
    // It is the handler's (the changed role) and carries the next nonce (opens past the
    // window, where the presented nonce would be a replay).
    past_the_grace_window(&clock);
    let later = send(&app, "GET", "/page", Some(&value), FIREFOX).await;
    assert_eq!(
        (later.status, later.body.as_str()),
        (StatusCode::OK, "user")
    );
}

#[tokio::test]
async fn a_sign_out_carries_only_the_removal_never_a_renewal_after_it() {
    let (app, _clock, first) = signed_in::<Session>(FIREFOX).await;
    let out = send(&app, "POST", "/sign-out", Some(&first), FIREFOX).await;
    assert_eq!(out.status, StatusCode::OK);
    let ours = out.of("__Host-rp");
    assert_eq!(ours.len(), 1, "{out:?}");
    assert!(ours[0].starts_with("__Host-rp=;"), "{out:?}");
    let mut browser = Jar::new("__Host-rp");
    browser.pair = Some(first);
    browser.apply(&out.set_cookies);
    assert_eq!(browser.get(), None);
}

#[tokio::test]
async fn sign_out_during_the_grace_window_ends_every_copy() {
    let (app, clock, first) = signed_in::<Session>(FIREFOX).await;
    // The user's page load rotates; a thief tries to write its copy back in the grace window
    // (refused); then the user's sign-out, still presenting the first value (in flight with
    // the page load).
    let page = send(&app, "GET", "/page", Some(&first), FIREFOX).await;
    let current = page.pair("__Host-rp").unwrap();
    clock.advance(Duration::seconds(1));
    let thief = send(&app, "POST", "/touch", Some(&first), FIREFOX).await;
    assert_eq!(thief.status, StatusCode::CONFLICT);
    assert!(thief.of("__Host-rp").is_empty(), "{thief:?}");
    clock.advance(Duration::seconds(1));
    let out = send(&app, "POST", "/sign-out", Some(&first), FIREFOX).await;
    assert_eq!((out.status, out.body.as_str()), (StatusCode::OK, "bye"));
    assert_eq!(out.of("__Host-rp").len(), 1);
    for copy in [&first, &current] {
        let answer = send(&app, "POST", "/touch", Some(copy), FIREFOX).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer.pair("__Host-rp"), None);
    }
}

#[tokio::test]
async fn a_copy_in_another_browser_is_refused_and_cannot_end_the_real_session() {
    let (app, clock, stolen) = signed_in::<Bound>(FIREFOX).await;
    let user = send(&app, "GET", "/page", Some(&stolen), FIREFOX).await;
    let mut current = user.pair("__Host-rp-bound").unwrap();
    // Inside the grace window and after it, from another user agent: refused, nothing
    // handed out, and the real session is untouched (no revocation a thief could trigger).
    for wait in [1, 10] {
        clock.advance(Duration::seconds(wait));
        let thief = send(&app, "POST", "/touch", Some(&stolen), CURL).await;
        assert_eq!(thief.status, StatusCode::UNAUTHORIZED);
        assert_eq!(thief.pair("__Host-rp-bound"), None);
        let user = send(&app, "GET", "/page", Some(&current), FIREFOX).await;
        assert_eq!(user.status, StatusCode::OK, "after {wait}s");
        current = user.pair("__Host-rp-bound").unwrap();
    }
    // The same old copy from the user agent it is bound to is a replay.
    let thief = send(&app, "POST", "/touch", Some(&stolen), FIREFOX).await;
    assert_eq!(thief.status, StatusCode::UNAUTHORIZED);
    let user = send(&app, "GET", "/page", Some(&current), FIREFOX).await;
    assert_eq!(user.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn idle_refresh_and_replay_renewal_are_one_set_cookie() {
    let (app, clock, first) = signed_in::<Idle>(FIREFOX).await;
    // Past the refresh point (half of `idle`): one Set-Cookie, the renewal, with a fresh
    // idle window; the request in flight beside it gets none.
    clock.advance(Duration::seconds(40));
    let (rotated, in_flight) = tokio::join!(
        send(&app, "GET", "/page", Some(&first), FIREFOX),
        send(&app, "GET", "/page", Some(&first), FIREFOX),
    );
    let ours = |a: &Answer| a.of("__Host-rp-idle").len();
    assert_eq!((ours(&rotated), ours(&in_flight)), (1, 0));
    let renewed = rotated.pair("__Host-rp-idle").unwrap();
    // A grace write-back is refused: no cookie at all.
    let touched = send(&app, "POST", "/touch", Some(&first), FIREFOX).await;
    assert_eq!((touched.status, ours(&touched)), (StatusCode::CONFLICT, 0));
    // The old copy past its idle deadline: expired, refused before the store (no replay
    // verdict), so it cannot end the session either.
    clock.advance(Duration::seconds(25));
    let stale = send(&app, "GET", "/page", Some(&first), FIREFOX).await;
    assert_eq!(stale.status, StatusCode::UNAUTHORIZED);
    let user = send(&app, "GET", "/page", Some(&renewed), FIREFOX).await;
    assert_eq!(user.status, StatusCode::OK);
}

/// The `guarded` middleware leaves the renewal out only when the response sets the same
/// cookie (name, `Path`, `Domain`): a handler removing an old cookie of that name on another
/// path must not leave the browser on the rotated-away nonce (revoked past the window).
#[tokio::test]
async fn removing_a_same_named_cookie_on_another_path_keeps_the_renewal() {
    let (app, clock, first) = signed_in::<PlainName>(FIREFOX).await;
    let mut browser = Jar::new("rp-sid");
    browser.pair = Some(first);
    let cleanup = send(&app, "POST", "/legacy-cleanup", browser.get(), FIREFOX).await;
    assert_eq!(cleanup.status, StatusCode::OK);
    browser.apply(&cleanup.set_cookies);
    past_the_grace_window(&clock);
    let later = send(&app, "GET", "/page", browser.get(), FIREFOX).await;
    assert_eq!(later.status, StatusCode::OK, "{cleanup:?}");
}
