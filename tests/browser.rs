//! Real, headless Chromium through chromedriver (WebDriver, with `fantoccini`):
//! - the demo server (`examples/axum_server.rs`) in development mode over
//!   `http://127.0.0.1`: open `/`, sign in, land on `/whoami` showing the user, check that the
//!   browser stored the relaxed `sid` cookie (not `Secure`, no `__Host-sid`) and that
//!   `document.cookie` does not expose it (HttpOnly), sign out, see `Not signed in`;
//! - the same demo without development mode: Chromium keeps its strict `__Host-sid; Secure`
//!   cookie on `http://127.0.0.1` too (it counts loopback as potentially trustworthy), so
//!   signing in works either way there;
//! - the session lifecycle, with the server's clock moved by the test (no sleeping): an active
//!   session stays signed in past its idle window, an idle one is signed out (and its cookie
//!   cleared), no session outlives `max_age`, and a cookie sealed by a fallback key is
//!   resealed by the primary on the next response;
//! - the look-alike `__Host-` attack, replayed: a page on `evil.example.test` plants
//!   `"\u{2000}__Host-sid"` for the whole `example.test` domain, Chromium sends it to
//!   `app.example.test`, and the app must not see a session.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them; `browser_support/`
//! starts them, shared with `browser_replay.rs`); `CHROMIUM` and `CHROMEDRIVER` override the
//! binaries. Without them the test fails naming what to install, unless the run opted out
//! with `TYPED_COOKIES_SKIP_PEERS=1` (then it is listed as skipped; never under `CI=true`).

#[allow(dead_code)]
#[path = "../examples/axum_server.rs"]
mod demo;

mod browser_support;

use browser_support::in_chromium;
use fantoccini::{Client, Locator};
use serde_json::json;
use typed_cookies::guard::{ClientContext, Guard};
use typed_cookies::store::MemoryStore;
use typed_cookies::time::{Duration as Minutes, OffsetDateTime};
use typed_cookies::{Key, KeyRing, ManualClock, Opened, SealedCookie};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_and_out_in_headless_chromium() {
    let keys = dev_keys(KeyRing::new(Key::generate()));
    let guard = Guard::new(MemoryStore::new());
    let app = demo::app_with(keys.clone(), guard.clone());
    in_chromium(
        "sign_in_and_out_in_headless_chromium",
        app,
        &[],
        |browser, port| async move {
            drive(&browser, &format!("http://127.0.0.1:{port}"), &keys, &guard).await
        },
    )
    .await;
}

/// `keys` in development mode (tests are debug builds: allowed unless `TYPED_COOKIES_DEV=0`).
fn dev_keys(keys: KeyRing) -> KeyRing {
    keys.with_development_mode()
        .expect("development mode in a debug build")
}

/// What Chromium does with the strict cookies over plain `http://127.0.0.1` (development mode
/// off): it keeps `__Host-sid; Secure` — loopback counts as potentially trustworthy — so the
/// demo signs in even without development mode there. (Other clients, e.g. Safari or
/// command-line cookie jars, drop `Secure` cookies over plain http; development mode is for
/// them, and for serving the same types on any loopback name.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_keeps_strict_cookies_on_http_loopback() {
    let keys = KeyRing::new(Key::generate());
    let guard = Guard::new(MemoryStore::new());
    let app = demo::app_with(keys.clone(), guard.clone());
    in_chromium(
        "chromium_keeps_strict_cookies_on_http_loopback",
        app,
        &[],
        |browser, port| async move {
            let base = format!("http://127.0.0.1:{port}");
            sign_in(&browser, &base, "ann").await?;
            assert_eq!(whoami(&browser, &base).await?, "Signed in as ann");
            let session = browser.get_named_cookie("__Host-sid").await?;
            assert_eq!(session.secure(), Some(true));
            let opened = open_session(&browser, &guard, &keys, session.value()).await?;
            assert_eq!(opened.value().user, "ann");
            assert!(browser.get_named_cookie("sid").await.is_err());
            Ok(())
        },
    )
    .await;
}

/// The flow itself; errors instead of panics so the session is closed either way.
async fn drive(
    browser: &Client,
    base: &str,
    keys: &KeyRing,
    guard: &Guard,
) -> Result<(), Box<dyn std::error::Error>> {
    let user = "Zoë <b>O'Hara</b> & co";

    sign_in(browser, base, user).await?;
    let url = browser.current_url().await?;
    assert_eq!(
        url.path(),
        "/whoami",
        "POST /login redirects (303) to /whoami"
    );

    // The browser holds the session cookie under its development name, HttpOnly, not Secure
    // (development mode on a loopback host), and it opens to the typed user…
    let session = browser.get_named_cookie("sid").await?;
    assert_eq!(session.http_only(), Some(true));
    assert_eq!(
        session.secure(),
        Some(false),
        "the loopback cookie is not Secure"
    );
    let names: Vec<String> = browser
        .get_all_cookies()
        .await?
        .iter()
        .map(|cookie| cookie.name().to_owned())
        .collect();
    assert!(
        names.iter().all(|name| !name.starts_with("__Host-")),
        "only development names on loopback: {names:?}"
    );
    let opened = open_session(browser, guard, keys, session.value()).await?;
    assert_eq!(opened.value().user, user);
    // …but page scripts cannot see it (nor the HttpOnly CSRF cookie).
    let script_view = browser.execute("return document.cookie;", vec![]).await?;
    let script_view = script_view.as_str().unwrap_or_default();
    assert!(
        !script_view.contains("sid="),
        "document.cookie exposes the session: {script_view:?}"
    );
    assert!(!script_view.contains("csrf="), "{script_view:?}");

    browser
        .find(Locator::Css(
            r#"form[action="/logout"] button[type="submit"]"#,
        ))
        .await?
        .click()
        .await?;
    browser
        .wait()
        .for_element(Locator::Css(r#"form[action="/login"]"#))
        .await?;
    assert_eq!(browser.current_url().await?.path(), "/");
    assert!(
        browser.get_named_cookie("sid").await.is_err(),
        "the session cookie is gone after signing out"
    );
    // The flash notice shows once, and its cookie is gone with the page that showed it.
    let notice = browser.find(Locator::Id("notice")).await?;
    assert_eq!(notice.text().await?, "You are signed out.");
    assert!(browser.get_named_cookie("notice").await.is_err());
    browser.refresh().await?;
    browser
        .wait()
        .for_element(Locator::Css(r#"form[action="/login"]"#))
        .await?;
    assert!(
        browser.find(Locator::Id("notice")).await.is_err(),
        "shown once"
    );

    browser.goto(&format!("{base}/whoami")).await?;
    let status = browser.find(Locator::Id("status")).await?;
    assert_eq!(status.text().await?, "Not signed in");

    // Signing out revoked the session: the value copied before, put back into the browser,
    // is refused (and cleared) — the browser's own copy was not the only one that mattered.
    browser
        .execute(
            "document.cookie = 'sid=' + arguments[0] + '; path=/';",
            vec![json!(session.value())],
        )
        .await?;
    assert_eq!(whoami(browser, base).await?, "Not signed in");
    assert!(
        browser.get_named_cookie("sid").await.is_err(),
        "the replayed cookie was cleared"
    );
    Ok(())
}

/// Opens a session value through the demo's guard, as `browser` (its user agent) would send it.
async fn open_session(
    browser: &Client,
    guard: &Guard,
    keys: &KeyRing,
    value: &str,
) -> Result<Opened<demo::Session>, Box<dyn std::error::Error>> {
    let agent = browser
        .execute("return navigator.userAgent;", vec![])
        .await?;
    let client = ClientContext::new().user_agent(agent.as_str().unwrap_or_default());
    Ok(guard
        .open::<demo::Session>(keys, value, &client)
        .await?
        .into_opened())
}

/// The app of the look-alike test: its session cookie is `__Host-sid`, like the demo's (a
/// separate app, so `replaces` only tells the derive that the shared name is intended).
#[derive(Debug, serde::Serialize, serde::Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "tests.browser.look-alike.v1",
    max_age = "1h",
    encrypt,
    replaces = "demo::Session"
)]
struct HostSession {
    user: String,
}

/// `/plant?name=…` (served as `evil.example.test`): a page whose script sets a cookie named
/// `String.fromCodePoint(0x2000) + "__Host-sid"` (or the name given) for `Domain=example.test`.
/// `/me` (served as `app.example.test`): who the app thinks is signed in, and the cookie
/// names the browser sent (so the test knows the planted cookie did arrive).
fn look_alike_app(keys: KeyRing, planted_value: String) -> axum::Router {
    use axum::extract::Query;
    use axum::http::HeaderMap;
    use axum::response::Html;
    use axum::routing::get;
    use typed_cookies::integrations::axum::Sealed;

    #[derive(serde::Deserialize)]
    struct Plant {
        js_name: String,
    }

    axum::Router::new()
        .route(
            "/plant",
            get(move |Query(plant): Query<Plant>| async move {
                Html(format!(
                    r#"<p id="done">planting</p><script>
                    document.cookie = {} + "={planted_value}; Domain=example.test; Path=/";
                    document.getElementById("done").textContent = "planted";
                    </script>"#,
                    plant.js_name
                ))
            }),
        )
        .route(
            "/me",
            get(
                |session: Option<Sealed<HostSession>>, headers: HeaderMap| async move {
                    let sent: Vec<String> = headers
                        .get_all(axum::http::header::COOKIE)
                        .iter()
                        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                        .collect();
                    let who = session.map_or("nobody".into(), |Sealed(s)| s.user);
                    serde_json::json!({ "user": who, "cookie_headers": sent }).to_string()
                },
            ),
        )
        .with_state(keys)
}

/// The `__Host-` bypass through a look-alike name, replayed as it was found: Chromium sends a
/// cookie named `"\u{2000}__Host-sid"` planted by a sibling subdomain; the app must not open
/// it as its `__Host-sid` session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sibling_subdomain_cannot_plant_a_look_alike_host_cookie() {
    let keys = KeyRing::new(Key::generate());
    // A valid session of the attacker's own account, as the attacker would have it.
    let planted = HostSession {
        user: "mallory".into(),
    }
    .seal(&keys)
    .unwrap();
    in_chromium(
        "a_sibling_subdomain_cannot_plant_a_look_alike_host_cookie",
        look_alike_app(keys, planted),
        &["--host-resolver-rules=MAP *.example.test 127.0.0.1"],
        |browser, port| async move { plant_and_visit(&browser, port).await },
    )
    .await;
}

async fn plant_and_visit(browser: &Client, port: u16) -> Result<(), Box<dyn std::error::Error>> {
    let me = |browser: &Client| {
        let browser = browser.clone();
        async move {
            browser
                .goto(&format!("http://app.example.test:{port}/me"))
                .await?;
            let body = browser.find(Locator::Css("body")).await?.text().await?;
            let seen: serde_json::Value = serde_json::from_str(&body)?;
            Ok::<_, Box<dyn std::error::Error>>(seen)
        }
    };
    let plant = |js_name: &'static str| {
        let browser = browser.clone();
        async move {
            let query: String = js_name.bytes().map(|b| format!("%{b:02X}")).collect();
            browser
                .goto(&format!(
                    "http://evil.example.test:{port}/plant?js_name={query}"
                ))
                .await?;
            let done = browser.wait().for_element(Locator::Id("done")).await?;
            assert_eq!(done.text().await?, "planted");
            Ok::<_, Box<dyn std::error::Error>>(())
        }
    };

    // U+2000 before the name: for Chromium an unprefixed cookie, so it is stored for the
    // whole domain and sent to the app.
    plant(r#"String.fromCodePoint(0x2000) + "__Host-sid""#).await?;
    let seen = me(browser).await?;
    let sent = seen["cookie_headers"].to_string();
    assert!(
        sent.contains("\u{2000}__Host-sid="),
        "Chromium did not send the planted cookie, so this test proves nothing: {seen}"
    );
    assert_eq!(
        seen["user"], "nobody",
        "the look-alike opened as a session: {seen}"
    );

    // Case variants of the prefix (which Chromium also protects) and another whitespace class.
    plant(r#""__host-sid""#).await?;
    plant(r#"String.fromCodePoint(0x3000) + "__Host-sid""#).await?;
    let seen = me(browser).await?;
    assert_eq!(seen["user"], "nobody", "{seen}");
    // A nameless cookie whose value starts with the prefix would be sent as `__Host-sid=…`,
    // indistinguishable from ours: browsers must refuse to store it (RFC 6265bis).
    plant(r#""=__Host-sid""#).await?;
    let seen = me(browser).await?;
    assert_eq!(
        seen["user"], "nobody",
        "Chromium stored a nameless `__Host-` look-alike: {seen}"
    );
    Ok(())
}

/// The demo's session lifecycle in Chromium, the server's clock moved by the test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_lifecycle_in_headless_chromium() {
    // The real time, so that the cookies' Expires stay in the browser's future.
    let clock = ManualClock::new(OffsetDateTime::now_utc());
    let old = Key::generate();
    let keys = dev_keys(
        KeyRing::with_fallbacks(Key::generate(), [old.clone()])
            .unwrap()
            .with_clock(clock.clone()),
    );
    let guard = Guard::new(MemoryStore::new());
    let app = demo::app_with(keys.clone(), guard.clone());
    in_chromium(
        "session_lifecycle_in_headless_chromium",
        app,
        &[],
        |browser, port| async move {
            let base = format!("http://127.0.0.1:{port}");
            lifecycle(&browser, &base, &keys, &guard, &clock, old).await
        },
    )
    .await;
}

async fn sign_in(
    browser: &Client,
    base: &str,
    user: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    browser.goto(&format!("{base}/")).await?;
    let form = browser
        .find(Locator::Css(r#"form[method="post"][action="/login"]"#))
        .await?;
    form.find(Locator::Css(r#"input[name="user"]"#))
        .await?
        .send_keys(user)
        .await?;
    form.find(Locator::Css(r#"button[type="submit"]"#))
        .await?
        .click()
        .await?;
    let status = browser.wait().for_element(Locator::Id("status")).await?;
    assert_eq!(status.text().await?, format!("Signed in as {user}"));
    Ok(())
}

/// `/whoami`'s status line.
async fn whoami(browser: &Client, base: &str) -> Result<String, Box<dyn std::error::Error>> {
    browser.goto(&format!("{base}/whoami")).await?;
    Ok(browser.find(Locator::Id("status")).await?.text().await?)
}

async fn lifecycle(
    browser: &Client,
    base: &str,
    keys: &KeyRing,
    guard: &Guard,
    clock: &ManualClock,
    old: Key,
) -> Result<(), Box<dyn std::error::Error>> {
    let signed_in = "Signed in as ann";

    // Active: a request every 10 minutes keeps a 15-minute idle session alive for 40 minutes,
    // each due request resealing it (half the idle window, 7.5 min, has passed each time).
    sign_in(browser, base, "ann").await?;
    let mut values = vec![browser.get_named_cookie("sid").await?.value().to_owned()];
    for _ in 0..4 {
        clock.advance(Minutes::minutes(10));
        assert_eq!(
            whoami(browser, base).await?,
            signed_in,
            "active, still signed in"
        );
        values.push(browser.get_named_cookie("sid").await?.value().to_owned());
    }
    assert!(
        values.windows(2).all(|w| w[0] != w[1]),
        "every due response resealed the session"
    );
    let opened = open_session(browser, guard, keys, values.last().unwrap()).await?;
    assert_eq!(
        opened.issued_at() - opened.created_at(),
        Minutes::minutes(40),
        "the reseals kept the creation time"
    );

    // Idle: 16 minutes without a request.
    clock.advance(Minutes::minutes(16));
    assert_eq!(
        whoami(browser, base).await?,
        "Not signed in",
        "idle, signed out"
    );
    assert!(
        browser.get_named_cookie("sid").await.is_err(),
        "the refused cookie was cleared"
    );

    // Absolute: active all along, still signed out once 2 hours have passed since sign-in.
    sign_in(browser, base, "ann").await?;
    for step in 1..=13 {
        clock.advance(Minutes::minutes(10));
        let status = whoami(browser, base).await?;
        if step <= 12 {
            assert_eq!(status, signed_in, "{} min after sign-in", step * 10);
        } else {
            assert_eq!(
                status, "Not signed in",
                "past max_age, whatever the activity"
            );
        }
    }

    // Rotation: a session sealed by the old key (now a fallback) opens, and the response
    // reseals it with the primary.
    let agent = browser
        .execute("return navigator.userAgent;", vec![])
        .await?;
    let client = ClientContext::new().user_agent(agent.as_str().unwrap_or_default());
    let old_ring = KeyRing::new(old).with_clock(clock.clone());
    let session = demo::Session { user: "ann".into() };
    let issued = guard
        .issue(&old_ring, &session, Some("ann"), &client)
        .await?;
    let sealed_by_old = issued.value().to_owned();
    // Planted by script (the refused cookie was cleared, so nothing HttpOnly is in the way);
    // the reseal below comes back HttpOnly.
    browser
        .execute(
            "document.cookie = 'sid=' + arguments[0] + '; path=/';",
            vec![json!(sealed_by_old)],
        )
        .await?;
    assert_eq!(whoami(browser, base).await?, signed_in);
    let resealed = browser.get_named_cookie("sid").await?.value().to_owned();
    assert_ne!(resealed, sealed_by_old);
    let opened = open_session(browser, guard, keys, &resealed).await?;
    assert!(opened.sealed_with_primary(), "resealed by the primary key");
    assert_eq!(opened.key_id(), keys.primary().id());
    Ok(())
}
