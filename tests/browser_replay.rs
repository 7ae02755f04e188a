//! Replay detection (`#[cookie(replay = "5s")]`) in real, headless Chromium: a page firing
//! several requests at once must never leave the browser's cookie jar holding a value that is
//! later taken for a replay, and a stolen older value must end the session.
//!
//! The app (axum on `127.0.0.1`, `guarded` middleware, a `__Host-` session issued by
//! `Guard::issue`) has a read-only route (`/page`), a route that writes the session back with
//! `SetCookie::resealed` (`/touch`: 409 when the request is in the grace window) and a slow one
//! (`/slow`, whose handler awaits a oneshot the test releases; `?write=1` writes back too). An
//! outer middleware holds every request that carries an `id` until the test admits it, so the
//! test decides which request passes the replay check first (and rotates the nonce) and in
//! which order responses reach the browser; the page tells the test (`/ack`, outside the
//! session layer, no credentials) when it has each response, cookies stored.
//!
//! - concurrent `fetch(..., {credentials: 'include'})` of a read, a write-back and a slow
//!   write-back: every order of admission, the slow one finishing early or last; the
//!   rotating response is the only one carrying a cookie, the others are 200 (read) or 409
//!   (write-back in the grace window), and past the grace window a plain navigation is still
//!   signed in (200) and renewed;
//! - the page's next requests while the slow request is still in flight (it rotated, or was in
//!   the grace window);
//! - a request held before the server's check (a reverse proxy buffering an upload, a request
//!   queued for a connection) while the page's next requests rotate the nonce twice: still
//!   the user's (this test found the store kept only the last replaced nonce, and took it
//!   for a replay); and that Chromium sends a request queued for a connection with the
//!   cookie it started with, not the jar's newer one;
//! - theft: a value copied out of the jar with WebDriver (it is `HttpOnly`, not in
//!   `document.cookie`) and set back after the grace window ends the session (401), also for
//!   the browser's current value.
//!
//! The server's clock is a `ManualClock` the test moves; nothing sleeps. Chromium keeps
//! `Secure` (`__Host-`) cookies on `http://127.0.0.1`, so no development mode is needed.
//! Without chromium/chromedriver the tests fail, unless the run opted out with
//! `TYPED_COOKIES_SKIP_PEERS=1` (then they are listed as skipped; never under `CI=true`).

mod browser_support;

use std::collections::{HashMap, HashSet};
use std::error::Error;
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use axum::extract::{FromRef, Query, Request, State};
use axum::http::{header, request::Parts, StatusCode};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use browser_support::in_chromium;
use fantoccini::{Client, Locator};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot};
use typed_cookies::guard::Guard;
use typed_cookies::integrations::axum::{client_context_of, guarded, Guarded, SetCookie};
use typed_cookies::store::MemoryStore;
use typed_cookies::time::{Duration, OffsetDateTime};
use typed_cookies::{Key, KeyRing, ManualClock, SealedCookie};

type Outcome<T = ()> = Result<T, Box<dyn Error>>;

const NAME: &str = "__Host-rs";

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-rs",
    salt = "tests.browser-replay.session.v1",
    max_age = "8h",
    encrypt,
    replay = "5s"
)]
struct Session {
    user: String,
    writes: u32,
}

// ---------------------------------------------------------------------------------------------
// The server and its controls.

/// Where a request is held until the test lets it go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Stage {
    /// Before the `guarded` middleware (so before the replay check).
    Admission,
    /// In the `/slow` handler, after the replay check.
    Handler,
}

#[derive(Debug)]
enum Event {
    Held(String, Stage),
    /// The page has the response to this request (its cookies stored).
    Acked(String),
}

/// What the server answered, per request.
#[derive(Debug, Clone)]
struct Answer {
    id: Option<String>,
    path: String,
    /// The session value the request carried.
    presented: Option<String>,
    status: u16,
    /// The session's `Set-Cookie` headers (values and removals).
    set_cookies: Vec<String>,
}

impl Answer {
    /// The session value this response set (not a removal).
    fn value(&self) -> Option<&str> {
        self.set_cookies
            .iter()
            .filter_map(|c| c.strip_prefix(&format!("{NAME}=")))
            .map(|c| c.split(';').next().unwrap_or_default())
            .rfind(|v| !v.is_empty())
    }

    fn removes(&self) -> bool {
        self.set_cookies
            .iter()
            .any(|c| c.starts_with(&format!("{NAME}=;")))
    }
}

/// Lets a held request go on.
type Release = oneshot::Sender<()>;

#[derive(Clone)]
struct Control {
    events: mpsc::UnboundedSender<Event>,
    held: Arc<Mutex<HashMap<(String, Stage), Release>>>,
    log: Arc<Mutex<Vec<Answer>>>,
}

impl Control {
    async fn hold(&self, id: &str, stage: Stage) {
        let (tx, rx) = oneshot::channel();
        let previous = self.held.lock().unwrap().insert((id.to_owned(), stage), tx);
        assert!(previous.is_none(), "request id {id} used twice");
        let _ = self.events.send(Event::Held(id.to_owned(), stage));
        let _ = rx.await;
    }

    fn release(&self, id: &str, stage: Stage) -> Outcome {
        let tx = self
            .held
            .lock()
            .unwrap()
            .remove(&(id.to_owned(), stage))
            .ok_or_else(|| format!("{id} is not held at {stage:?}"))?;
        tx.send(()).map_err(|()| format!("{id} went away"))?;
        Ok(())
    }

    fn answer(&self, id: &str) -> Outcome<Answer> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .find(|a| a.id.as_deref() == Some(id))
            .cloned()
            .ok_or_else(|| format!("no answer to {id}").into())
    }

    /// The last answer to a request for `path` (not, say, a `/favicon.ico` after it).
    fn last_answer(&self, path: &str) -> Outcome<Answer> {
        Ok(self
            .log
            .lock()
            .unwrap()
            .iter()
            .rfind(|a| a.path == path)
            .cloned()
            .ok_or_else(|| format!("no answer to {path}"))?)
    }
}

#[derive(Clone)]
struct AppState {
    keys: KeyRing,
    guard: Guard,
    control: Control,
}

impl FromRef<AppState> for KeyRing {
    fn from_ref(state: &AppState) -> KeyRing {
        state.keys.clone()
    }
}

impl FromRef<AppState> for Guard {
    fn from_ref(state: &AppState) -> Guard {
        state.guard.clone()
    }
}

#[derive(Deserialize)]
struct Params {
    id: Option<String>,
    #[serde(default)]
    write: u8,
}

fn id_of(request: &Request) -> Option<String> {
    Query::<Params>::try_from_uri(request.uri())
        .ok()
        .and_then(|Query(params)| params.id)
}

/// Outermost: holds a request with an `id` until admitted, and logs every answer.
async fn gate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if path == "/ack" {
        return next.run(request).await;
    }
    let id = id_of(&request);
    let presented = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(&format!("{NAME}=")))
        .map(str::to_owned);
    if let Some(id) = &id {
        state.control.hold(id, Stage::Admission).await;
    }
    let response = next.run(request).await;
    let set_cookies = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|v| v.starts_with(&format!("{NAME}=")))
        .map(str::to_owned)
        .collect();
    state.control.log.lock().unwrap().push(Answer {
        id,
        path,
        presented,
        status: response.status().as_u16(),
        set_cookies,
    });
    response
}

async fn blank() -> Html<&'static str> {
    Html("<!doctype html><title>replay</title><p id=\"ready\">ready</p>")
}

async fn ack(State(state): State<AppState>, Query(params): Query<Params>) -> StatusCode {
    if let Some(id) = params.id {
        let _ = state.control.events.send(Event::Acked(id));
    }
    StatusCode::NO_CONTENT
}

async fn sign_in(State(state): State<AppState>, parts: Parts) -> Response {
    let client = match client_context_of::<Session>(&parts, &state.guard) {
        Ok(client) => client,
        Err(rejection) => return rejection.into_response(),
    };
    let session = Session {
        user: "ann".into(),
        writes: 0,
    };
    match state
        .guard
        .issue(&state.keys, &session, Some("user:ann"), &client)
        .await
    {
        Ok(issued) => (issued, "signed in").into_response(),
        Err(error) => error.into_response(),
    }
}

/// Reads the session, never writes it.
async fn page(session: Guarded<Session>) -> String {
    format!("{} ({} writes)", session.user, session.writes)
}

fn write_back(state: &AppState, session: Guarded<Session>) -> Response {
    let mut opened = session.into_opened();
    opened.value_mut().writes += 1;
    match SetCookie::resealed(&opened, &state.keys) {
        Ok(cookie) => (cookie, "written").into_response(),
        Err(error) => error.into_response(), // 409 for a superseded (grace-window) request
    }
}

/// Writes the session back (what a handler keeping a CSRF token or a cart in it does).
async fn touch(State(state): State<AppState>, session: Guarded<Session>) -> Response {
    write_back(&state, session)
}

/// Slow: waits, after the replay check, until the test releases it; `write=1` writes back.
async fn slow(
    State(state): State<AppState>,
    Query(params): Query<Params>,
    session: Guarded<Session>,
) -> Response {
    if let Some(id) = &params.id {
        state.control.hold(id, Stage::Handler).await;
    }
    if params.write == 1 {
        write_back(&state, session)
    } else {
        format!("{} (slow)", session.user).into_response()
    }
}

fn app(state: AppState) -> Router {
    let session_routes = Router::new()
        .route("/sign-in", get(sign_in))
        .route("/page", get(page))
        .route("/touch", post(touch))
        .route("/slow", get(slow))
        .layer(from_fn_with_state(
            state.clone(),
            guarded::<Session, AppState>,
        ));
    Router::new()
        .route("/", get(blank))
        .route("/ack", post(ack))
        .merge(session_routes)
        .layer(from_fn_with_state(state.clone(), gate))
        .with_state(state)
}

/// A test's server side: the clock, the controls and the events.
struct Server {
    clock: ManualClock,
    control: Control,
    events: mpsc::UnboundedReceiver<Event>,
    /// Events received while waiting for another.
    pending: Vec<Event>,
    /// The requests seen held, and where.
    seen_held: HashSet<(String, Stage)>,
}

fn server() -> (Server, Router) {
    // The real time, so that the cookies' Expires stay in the browser's future.
    let clock = ManualClock::new(OffsetDateTime::now_utc());
    let keys = KeyRing::new(Key::generate()).with_clock(clock.clone());
    let (tx, rx) = mpsc::unbounded_channel();
    let control = Control {
        events: tx,
        held: Arc::default(),
        log: Arc::default(),
    };
    let state = AppState {
        keys,
        guard: Guard::new(MemoryStore::new()),
        control: control.clone(),
    };
    let server = Server {
        clock,
        control,
        events: rx,
        pending: Vec::new(),
        seen_held: HashSet::new(),
    };
    (server, app(state))
}

impl Server {
    async fn wait(&mut self, what: impl Fn(&Event) -> bool, describe: &str) -> Outcome {
        if let Some(i) = self.pending.iter().position(&what) {
            self.pending.remove(i);
            return Ok(());
        }
        loop {
            let event = tokio::time::timeout(StdDuration::from_secs(30), self.events.recv())
                .await
                .map_err(|_| format!("waited 30 s for {describe}; seen {:?}", self.pending))?
                .ok_or("the server is gone")?;
            if what(&event) {
                return Ok(());
            }
            self.pending.push(event);
        }
    }

    /// Waits until `id` is held at `stage` (returns at once if it was seen there before).
    async fn held(&mut self, id: &str, stage: Stage) -> Outcome {
        if !self.seen_held.insert((id.to_owned(), stage)) {
            return Ok(());
        }
        self.wait(
            |e| matches!(e, Event::Held(i, s) if i == id && *s == stage),
            &format!("{id} held at {stage:?}"),
        )
        .await
    }

    async fn acked(&mut self, id: &str) -> Outcome {
        self.wait(
            |e| matches!(e, Event::Acked(i) if i == id),
            &format!("the page to have the response to {id}"),
        )
        .await
    }

    /// Waits until every request of `ids` has reached the server (so each carries the value
    /// the jar held when it was sent: Chromium may send the last of several fetches started
    /// together after the first one's response has changed the jar, on a busy machine).
    async fn arrived(&mut self, ids: &[&str]) -> Outcome {
        for id in ids {
            self.held(id, Stage::Admission).await?;
        }
        Ok(())
    }

    /// Lets `id` pass the replay check; returns once the page has its response, or once it
    /// waits in the slow handler.
    async fn admit(&mut self, id: &str) -> Outcome {
        self.held(id, Stage::Admission).await?;
        self.control.release(id, Stage::Admission)?;
        if id.starts_with('s') {
            self.held(id, Stage::Handler).await
        } else {
            self.acked(id).await
        }
    }

    /// Lets the slow request `id` answer; returns once the page has the response.
    async fn finish(&mut self, id: &str) -> Outcome {
        self.control.release(id, Stage::Handler)?;
        self.acked(id).await
    }

    fn past_the_grace_window(&self) {
        self.clock.advance(Duration::seconds(6));
    }
}

// ---------------------------------------------------------------------------------------------
// The page.

/// Starts `fetch`es from the page, all at once, with the browser's cookies; each, once
/// answered (body read), tells the server through `/ack` (no credentials) and records
/// `[id, status, body]` for [`collect`]. The id's first letter picks the route: `p` read-only,
/// `t` write-back, `s` slow write-back.
async fn fire(browser: &Client, ids: &[&str]) -> Outcome {
    let requests: Vec<Value> = ids
        .iter()
        .map(|id| {
            let (method, path) = match id.as_bytes()[0] {
                b'p' => ("GET", format!("/page?id={id}")),
                b't' => ("POST", format!("/touch?id={id}")),
                b's' => ("GET", format!("/slow?id={id}&write=1")),
                _ => unreachable!("unknown request kind {id}"),
            };
            json!([id, method, path])
        })
        .collect();
    browser
        .execute_async(
            r#"
            const [requests, done] = arguments;
            window.__flights = window.__flights || [];
            for (const [id, method, path] of requests) {
                window.__flights.push(
                    fetch(path, { method, credentials: 'include', cache: 'no-store' })
                        .then(async (response) => {
                            const body = await response.text();
                            await fetch('/ack?id=' + id, { method: 'POST', credentials: 'omit' });
                            return [id, response.status, body];
                        }, (error) => [id, 0, String(error)]));
            }
            done(requests.length);
            "#,
            vec![json!(requests)],
        )
        .await?;
    Ok(())
}

/// Waits for every request [`fire`] started; their statuses by id (and forgets them).
async fn collect(browser: &Client) -> Outcome<HashMap<String, u16>> {
    let results = browser
        .execute_async(
            r#"
            const done = arguments[0];
            const flights = window.__flights || [];
            window.__flights = [];
            Promise.all(flights).then(done);
            "#,
            vec![],
        )
        .await?;
    let mut statuses = HashMap::new();
    for result in results.as_array().ok_or("collect: not an array")? {
        let id = result[0].as_str().ok_or("collect: no id")?.to_owned();
        let status = result[1].as_u64().ok_or("collect: no status")? as u16;
        if status == 0 {
            return Err(format!("fetch {id} failed: {}", result[2]).into());
        }
        statuses.insert(id, status);
    }
    Ok(statuses)
}

/// A fresh session: the old cookie deleted, `/sign-in` navigated to, the blank page loaded.
async fn sign_in_fresh(browser: &Client, base: &str) -> Outcome<String> {
    let _ = browser.delete_cookie(NAME).await;
    browser.goto(&format!("{base}/sign-in")).await?;
    let body = browser.find(Locator::Css("body")).await?.text().await?;
    assert_eq!(body, "signed in");
    browser.goto(&format!("{base}/")).await?;
    browser.wait().for_element(Locator::Id("ready")).await?;
    jar(browser)
        .await?
        .ok_or_else(|| "no session after sign-in".into())
}

/// The session value in Chromium's jar (read through WebDriver: it is `HttpOnly`).
async fn jar(browser: &Client) -> Outcome<Option<String>> {
    let cookies = browser.get_all_cookies().await?;
    let ours: Vec<_> = cookies.iter().filter(|c| c.name() == NAME).collect();
    assert!(ours.len() <= 1, "two session cookies: {ours:?}");
    if let Some(cookie) = ours.first() {
        assert_eq!(cookie.http_only(), Some(true), "{cookie:?}");
        assert_eq!(cookie.secure(), Some(true), "{cookie:?}");
    }
    Ok(ours.first().map(|c| c.value().to_owned()))
}

/// Past the grace window: a plain navigation and then a fetch are signed in (200), each
/// renewing the value in the jar. `context` names the scenario in failures.
async fn still_signed_in(
    browser: &Client,
    base: &str,
    server: &mut Server,
    context: &str,
) -> Outcome {
    server.past_the_grace_window();
    let before = jar(browser).await?;
    assert!(before.is_some(), "{context}: no session left in the jar");
    browser.goto(&format!("{base}/page")).await?;
    let answer = server.control.last_answer("/page")?;
    let body = browser.find(Locator::Css("body")).await?.text().await?;
    assert_eq!(
        (answer.path.as_str(), answer.status),
        ("/page", 200),
        "{context}: the value the jar held was refused past the grace window ({body:?}): {answer:?}"
    );
    assert!(body.starts_with("ann ("), "{context}: {body:?}");
    let renewed = jar(browser).await?;
    assert_eq!(
        renewed.as_deref(),
        answer.value(),
        "{context}: the jar holds the renewal"
    );
    assert_ne!(renewed, before, "{context}: renewed");
    // And once more, by fetch, from the page.
    browser.goto(&format!("{base}/")).await?;
    server.past_the_grace_window();
    let status = browser
        .execute_async(
            "fetch('/page', { credentials: 'include' }).then(r => arguments[0](r.status));",
            vec![],
        )
        .await?;
    assert_eq!(status, json!(200), "{context}: a fetch past the window");
    Ok(())
}

/// Every permutation of `items`.
fn permutations(items: &[&'static str]) -> Vec<Vec<&'static str>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut all = Vec::new();
    for (i, first) in items.iter().enumerate() {
        let mut rest = items.to_vec();
        rest.remove(i);
        for mut tail in permutations(&rest) {
            tail.insert(0, first);
            all.push(tail);
        }
    }
    all
}

// ---------------------------------------------------------------------------------------------
// The tests.

/// A read (`p`), a write-back (`t`) and a slow write-back (`s`) fired at once with the same
/// value. Whichever passes the replay check first rotates the nonce and its response is the
/// only one with a cookie; the others are in the grace window: the read is served (200), the
/// write-backs refused (409). Every order of admission, with the slow response arriving right
/// away or after all the others; afterwards the jar's value is the rotating response's, and
/// past the grace window the browser is still signed in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_fetches_in_every_order_leave_a_value_that_opens() {
    let (mut server, app) = server();
    in_chromium(
        "concurrent_fetches_in_every_order_leave_a_value_that_opens",
        app,
        &[],
        |browser, port| async move {
            let base = format!("http://127.0.0.1:{port}");
            let mut scenarios = 0;
            for order in permutations(&["p", "t", "s"]) {
                for slow_last in [false, true] {
                    if slow_last && order[2] == "s" {
                        continue; // the same as finishing it right away
                    }
                    scenarios += 1;
                    let n = scenarios;
                    let ids: Vec<String> = order.iter().map(|k| format!("{k}{n}")).collect();
                    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                    let context = format!("admitted {order:?}, slow last: {slow_last}");
                    let first = sign_in_fresh(&browser, &base).await?;
                    fire(&browser, &ids).await?;
                    server.arrived(&ids).await?;
                    let slow = ids.iter().find(|id| id.starts_with('s')).unwrap();
                    for id in &ids {
                        server.admit(id).await?;
                        if id == slow && !slow_last {
                            server.finish(id).await?;
                        }
                    }
                    if slow_last {
                        server.finish(slow).await?;
                    }
                    let statuses = collect(&browser).await?;
                    let rotator = ids[0];
                    for id in &ids {
                        let answer = server.control.answer(id)?;
                        assert_eq!(
                            answer.presented.as_deref(),
                            Some(first.as_str()),
                            "{context}: fired together, with the first value: {answer:?}"
                        );
                        assert_eq!(Some(&answer.status), statuses.get(*id), "{context}");
                        let expected = if *id == rotator || id.starts_with('p') {
                            200
                        } else {
                            409
                        };
                        assert_eq!(answer.status, expected, "{context}: {answer:?}");
                        assert_eq!(
                            answer.value().is_some(),
                            *id == rotator,
                            "{context}: only the rotating response carries a value: {answer:?}"
                        );
                        assert!(!answer.removes(), "{context}: {answer:?}");
                    }
                    let held = jar(&browser).await?;
                    assert_eq!(
                        held.as_deref(),
                        server.control.answer(rotator)?.value(),
                        "{context}: the jar holds the rotating response's value"
                    );
                    assert_ne!(held.as_deref(), Some(first.as_str()), "{context}");
                    still_signed_in(&browser, &base, &mut server, &context).await?;
                }
            }
            assert_eq!(scenarios, 10);
            Ok(())
        },
    )
    .await;
}

/// The page goes on while a slow write-back is in flight: its next requests carry what the jar
/// holds at that moment (the first value, if the slow request rotated and has not answered;
/// the rotated one otherwise), the slow response lands last, and past the grace window the
/// browser is still signed in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_next_requests_while_a_slow_write_back_is_in_flight() {
    let (mut server, app) = server();
    in_chromium(
        "the_pages_next_requests_while_a_slow_write_back_is_in_flight",
        app,
        &[],
        |browser, port| async move {
            let base = format!("http://127.0.0.1:{port}");

            // The slow request rotates (its response held); the others are in the grace
            // window, and so is the next read, which still carries the first value.
            let first = sign_in_fresh(&browser, &base).await?;
            fire(&browser, &["s1", "p1", "t1"]).await?;
            server.arrived(&["s1", "p1", "t1"]).await?;
            for id in ["s1", "p1", "t1"] {
                server.admit(id).await?;
            }
            assert_eq!(jar(&browser).await?.as_deref(), Some(first.as_str()));
            fire(&browser, &["p2"]).await?;
            server.admit("p2").await?;
            server.finish("s1").await?;
            let statuses = collect(&browser).await?;
            let expected = [("s1", 200), ("p1", 200), ("t1", 409), ("p2", 200)];
            for (id, status) in expected {
                assert_eq!(statuses[id], status, "{id}: {statuses:?}");
            }
            let s1 = server.control.answer("s1")?;
            assert_eq!(jar(&browser).await?.as_deref(), s1.value());
            assert!(server.control.answer("p2")?.value().is_none());
            still_signed_in(&browser, &base, &mut server, "slow request rotated").await?;

            // A write-back rotates first; the slow write-back is in the grace window, held;
            // the page's next write-back (rotated value) and read rotate twice more; the slow
            // response, refused (409), lands last and leaves the jar alone.
            sign_in_fresh(&browser, &base).await?;
            fire(&browser, &["t3", "s3"]).await?;
            server.arrived(&["t3", "s3"]).await?;
            server.admit("t3").await?;
            server.admit("s3").await?;
            fire(&browser, &["t4"]).await?;
            server.admit("t4").await?;
            fire(&browser, &["p4"]).await?;
            server.admit("p4").await?;
            server.finish("s3").await?;
            let statuses = collect(&browser).await?;
            let expected = [("t3", 200), ("s3", 409), ("t4", 200), ("p4", 200)];
            for (id, status) in expected {
                assert_eq!(statuses[id], status, "{id}: {statuses:?}");
            }
            let p4 = server.control.answer("p4")?;
            assert!(p4.value().is_some(), "{p4:?}");
            assert_eq!(jar(&browser).await?.as_deref(), p4.value());
            still_signed_in(&browser, &base, &mut server, "write-back rotated").await?;
            Ok(())
        },
    )
    .await;
}

/// A value copied out of the jar (through WebDriver: `HttpOnly` keeps it out of
/// `document.cookie`) and set back after the grace window is a replay: refused (401), the
/// cookie cleared, and the whole session revoked, so the browser's current value is refused
/// too — the theft becomes visible.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_value_set_back_after_the_grace_window_ends_the_session() {
    let (mut server, app) = server();
    in_chromium(
        "an_old_value_set_back_after_the_grace_window_ends_the_session",
        app,
        &[],
        |browser, port| async move {
            let base = format!("http://127.0.0.1:{port}");
            let stolen = sign_in_fresh(&browser, &base).await?;
            let script_view = browser.execute("return document.cookie;", vec![]).await?;
            assert!(
                !script_view.as_str().unwrap_or_default().contains(NAME),
                "document.cookie exposes the session: {script_view}"
            );
            // Two requests: the jar moves on twice.
            for id in ["p1", "p2"] {
                fire(&browser, &[id]).await?;
                server.admit(id).await?;
            }
            let statuses = collect(&browser).await?;
            assert_eq!((statuses["p1"], statuses["p2"]), (200, 200));
            let current = jar(&browser).await?.ok_or("no session")?;
            assert_ne!(current, stolen);
            assert_eq!(Some(current.as_str()), server.control.answer("p2")?.value());

            server.past_the_grace_window();
            set_session_cookie(&browser, &stolen).await?;
            browser.goto(&format!("{base}/page")).await?;
            let answer = server.control.last_answer("/page")?;
            assert_eq!(answer.status, 401, "the old value was accepted: {answer:?}");
            assert!(
                answer.removes(),
                "the refused cookie is cleared: {answer:?}"
            );
            assert_eq!(jar(&browser).await?, None, "Chromium dropped the old value");

            // The user's own, current value is refused too: the session is over.
            set_session_cookie(&browser, &current).await?;
            browser.goto(&format!("{base}/page")).await?;
            let answer = server.control.last_answer("/page")?;
            assert_eq!(
                answer.status, 401,
                "the session survived a replay: {answer:?}"
            );
            assert_eq!(jar(&browser).await?, None);
            Ok(())
        },
    )
    .await;
}

/// Puts `value` back into Chromium's jar as the session cookie, as a thief would in their own
/// browser: the current one deleted through WebDriver, then set by script. (WebDriver's Add
/// Cookie cannot: chromedriver gives every cookie it adds a `Domain`, which `__Host-` forbids;
/// and a script cannot replace an `HttpOnly` cookie, only add one where there is none.)
async fn set_session_cookie(browser: &Client, value: &str) -> Outcome {
    browser.delete_cookie(NAME).await?;
    browser
        .execute(
            "document.cookie = arguments[0] + '=' + arguments[1] + '; Path=/; Secure';",
            vec![json!(NAME), json!(value)],
        )
        .await?;
    let cookies = browser.get_all_cookies().await?;
    let ours: Vec<_> = cookies.iter().filter(|c| c.name() == NAME).collect();
    assert_eq!(ours.len(), 1, "{ours:?}");
    assert_eq!(ours[0].value(), value);
    Ok(())
}

/// A request the page sent with the first value reaches the replay check late — held before
/// the server's check, as a reverse proxy buffering an upload's body does (nginx's default), or
/// as Chromium does with a request waiting for one of its six connections to the host (it
/// carries the cookie it started with: the next test) — while the page's other requests rotate
/// the nonce twice. All inside the grace window (the clock does not move), and the page never
/// held a stolen value: the late request is served and the session is alive past the window
/// (when the store kept only the last replaced nonce, it was taken for a replay, 401, and the
/// whole session was revoked).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_reaching_the_server_after_two_rotations_inside_the_grace_window() {
    let (mut server, app) = server();
    in_chromium(
        "a_request_reaching_the_server_after_two_rotations_inside_the_grace_window",
        app,
        &[],
        |browser, port| async move {
            let base = format!("http://127.0.0.1:{port}");
            let first = sign_in_fresh(&browser, &base).await?;
            // p1 and the upload-like t1 leave together; t1 is held before the server.
            fire(&browser, &["p1", "t1"]).await?;
            server.arrived(&["p1", "t1"]).await?;
            server.admit("p1").await?; // rotates: the jar holds the second value
            fire(&browser, &["p2"]).await?;
            server.admit("p2").await?; // rotates again: the third value
            server.admit("t1").await?; // the first value; the clock has not moved
            let statuses = collect(&browser).await?;
            assert_eq!((statuses["p1"], statuses["p2"]), (200, 200));
            let t1 = server.control.answer("t1")?;
            assert_eq!(t1.presented.as_deref(), Some(first.as_str()), "{t1:?}");
            assert_ne!(
                statuses["t1"], 401,
                "the page's own in-flight request, inside the grace window, was taken for a replay"
            );
            still_signed_in(&browser, &base, &mut server, "two rotations").await
        },
    )
    .await;
}

/// What makes the test above a browser's behaviour and not only a proxy's: Chromium attaches
/// cookies when a request starts, not when it gets a connection. With its six connections to
/// the host busy (slow requests), a seventh request waits in Chromium; the jar changes
/// meanwhile; the request is sent, once a connection frees, with the value it started with.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_sends_a_queued_request_with_the_cookie_it_started_with() {
    let (mut server, app) = server();
    in_chromium(
        "chromium_sends_a_queued_request_with_the_cookie_it_started_with",
        app,
        &[],
        |browser, port| async move {
            let base = format!("http://127.0.0.1:{port}");
            let first = sign_in_fresh(&browser, &base).await?;
            let slow = ["s1", "s2", "s3", "s4", "s5", "s6"];
            fire(&browser, &slow).await?;
            server.arrived(&slow).await?;
            for id in slow {
                server.admit(id).await?; // s1 rotates, the others are in the grace window
            }
            fire(&browser, &["p7"]).await?; // no connection left: it waits in Chromium
            let other = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
            set_session_cookie(&browser, other).await?;
            server.finish("s2").await?; // a connection frees
            server.admit("p7").await?;
            let p7 = server.control.answer("p7")?;
            assert_eq!(
                p7.presented.as_deref(),
                Some(first.as_str()),
                "Chromium read the jar when it sent the queued request, not when it started it"
            );
            assert_eq!(
                p7.status, 200,
                "the first value, in the grace window: {p7:?}"
            );
            for id in ["s1", "s3", "s4", "s5", "s6"] {
                server.finish(id).await?;
            }
            let statuses = collect(&browser).await?;
            assert_eq!(statuses["s1"], 200, "{statuses:?}");
            assert_eq!(statuses["s2"], 409, "{statuses:?}");
            Ok(())
        },
    )
    .await;
}
