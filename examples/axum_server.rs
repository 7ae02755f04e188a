//! A tiny sign-in site on axum: an encrypted session cookie that ends after 15 minutes without
//! a request and after 2 hours whatever the activity, refreshed on the way out by the
//! `guarded` middleware (also after a key rotation), bound to the browser's user agent, a
//! signed CSRF cookie checked by double submit, and a real sign-out: the session is revoked in
//! a store, so a copy of the cookie kept from before is refused, and "sign out everywhere" ends
//! every session of the user on every device.
//!
//! `TYPED_COOKIES_DEV=1 cargo run --example axum_server --features axum`, then open
//! <http://127.0.0.1:3000/> (`PORT` changes the port; `TYPED_COOKIES_DEV=1` asks for
//! development mode, see below). Keys come from `APP_KEYS` (comma-separated base64, primary
//! first, as everywhere in the library's docs: to rotate, put a new key first and keep the old
//! one after it; sessions sealed by the old key still open and are resealed by the new one on
//! their next request), or from the file named by `APP_KEYS_FILE` (one key per line, the
//! container-secrets convention), or are generated for this run, which signs everyone out at
//! each restart. A malformed `APP_KEYS` stops the server, as does any other startup error
//! (printed as a sentence on stderr, exit status 1). Logs go to stderr through
//! `tracing-subscriber`, filtered by `RUST_LOG` (default `info`: development mode, fallback-key
//! opens; `RUST_LOG=debug` adds every refused cookie with its reason and every refresh).
//! Revocations live in this process's memory ([`MemoryStore`]); with `REDIS_URL` set (build
//! with `--features axum,redis`) they go to Redis and are shared by every server of a fleet.
//!
//! **Production cookies over plain http.** The cookie types are the production ones
//! (`__Host-sid`, `Secure`, encrypted). Development mode ([`KeyRing::with_development_mode`])
//! is an explicit opt-in: only when the environment says `TYPED_COOKIES_DEV=1` — the variable
//! that also allows it in a release build — do responses to loopback hosts (`127.0.0.1`,
//! `localhost`, `[::1]`) carry `sid`, `csrf` and `notice` without `Secure` (said once in the
//! log); any other `Host` still gets `__Host-sid; Secure`. It is not inferred from the
//! listening address: a loopback address is also what a production server behind nginx's
//! `proxy_pass http://127.0.0.1:3000;` listens on. Without the variable (or with
//! `TYPED_COOKIES_DEV=0`) the demo serves the strict cookies, which Chromium keeps on
//! `http://127.0.0.1` (it counts loopback as a secure context) but other clients may drop; any
//! other value is refused at startup. To take it to production: bind a public address behind
//! TLS and leave `TYPED_COOKIES_DEV` unset (or `0`); the types and handlers stay as they are.
//!
//! | route | what it does |
//! |---|---|
//! | `GET /` | the sign-in form |
//! | `POST /login` | checks the CSRF token, seals the session, `303` to `/whoami` |
//! | `GET /whoami` | `Signed in as <user>` with when the session ends (and a sign-out form), or `Not signed in` |
//! | `POST /logout` | checks the CSRF token, revokes the session and removes its cookie, leaves a one-time notice (a `flash` cookie), `303` to `/` |
//! | `POST /logout-everywhere` | checks the CSRF token, ends every session of the user (all devices), `303` to `/` |
//!
//! A POST whose `csrf` field is missing or does not match the CSRF cookie is refused with
//! `403 Forbidden`. The router is [`app`], which the integration and browser tests start on
//! their own port.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, FromRef, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{middleware, Router};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use typed_cookies::development::{DevelopmentModeError, DEVELOPMENT_MODE_ENV};
use typed_cookies::guard::{ClientContext, Guard};
use typed_cookies::integrations::axum::{
    development, guarded, refresh, Guarded, Removal, Sealed, SetCookie,
};
use typed_cookies::store::MemoryStore;
use typed_cookies::{Key, KeyError, KeyRing, SealError, SealedCookie};

/// The signed-in user, encrypted: the browser can neither read nor change it.
///
/// Declared as in production: `__Host-sid`, `Secure` (the default), so a sibling subdomain
/// cannot plant or overwrite it. Served over plain `http://127.0.0.1` with
/// `TYPED_COOKIES_DEV=1`, development mode (see [`app`] and [`development_keys`]) sends it as
/// `sid` without `Secure` to loopback requests only.
///
/// `max_age = "2h"` counts from sign-in and is never extended; `idle = "15m"` signs out a
/// browser left alone for 15 minutes. The `guarded` middleware in [`app`] reseals the cookie
/// once half of the idle window has passed (and whenever a fallback key sealed it), so a busy
/// page does not get a `Set-Cookie` on every request.
///
/// `revocable`: each session has an id that sign-out puts on the store's deny list, and carries
/// its user's epoch, which "sign out everywhere" bumps. `bind = "user_agent"`: the cookie
/// copied into another browser does not open.
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "typed-cookies.demo.session.v2",
    max_age = "2h",
    idle = "15m",
    encrypt,
    same_site = "lax",
    revocable,
    bind = "user_agent"
)]
pub struct Session {
    /// Who signed in, as typed in the form.
    pub user: String,
}

/// A one-time notice shown on the next page ("You are signed out."): `flash`, so the refresh
/// middleware deletes it in the response that shows it.
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-notice",
    salt = "typed-cookies.demo.notice.v1",
    max_age = "5m",
    flash
)]
pub struct Notice {
    /// The text shown.
    pub text: String,
}

/// The CSRF token of the double-submit check, signed so a sibling site cannot plant a token
/// of its choosing (the plain double-submit weakness).
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-csrf",
    salt = "typed-cookies.demo.csrf.v1",
    max_age = "2h",
    same_site = "strict"
)]
pub struct CsrfToken {
    /// 128 random bits, base64url.
    pub token: String,
}

/// Longest user name accepted, in bytes of UTF-8 (64 ASCII letters, fewer accented or
/// non-Latin ones): the name is also the session's subject, which is at most 255 bytes, so a
/// limit in characters (up to 4 bytes each) would let a valid-looking name fail to seal.
pub const MAX_USER_BYTES: usize = 64;

const _: () = assert!(MAX_USER_BYTES <= 255, "the subject limit of Guard::issue");

/// The demo's state: the key ring and the guard over the revocation store.
#[derive(Clone)]
pub struct Demo {
    /// Seals and opens every cookie.
    pub keys: KeyRing,
    /// Checks and revokes sessions.
    pub guard: Guard,
}

impl FromRef<Demo> for KeyRing {
    fn from_ref(demo: &Demo) -> KeyRing {
        demo.keys.clone()
    }
}

impl FromRef<Demo> for Guard {
    fn from_ref(demo: &Demo) -> Guard {
        demo.guard.clone()
    }
}

/// The demo's router with `keys` and revocations in this process's memory.
pub fn app(keys: KeyRing) -> Router {
    app_with(keys, Guard::new(MemoryStore::new()))
}

/// The demo's router over `guard`'s store. The session is opened once per request, refreshed
/// (or cleared when it no longer opens: expired, revoked, another browser's) by the `guarded`
/// middleware. The `development` middleware, outermost, relaxes the cookies of loopback
/// requests when `keys` is in development mode, and does nothing otherwise.
pub fn app_with(keys: KeyRing, guard: Guard) -> Router {
    let demo = Demo {
        keys: keys.clone(),
        guard,
    };
    Router::new()
        .route("/", get(sign_in_page))
        .route("/login", post(login))
        .route("/whoami", get(whoami))
        .route("/logout", post(logout))
        .route("/logout-everywhere", post(logout_everywhere))
        .layer(middleware::from_fn_with_state(
            demo.clone(),
            guarded::<Session, Demo>,
        ))
        .layer(middleware::from_fn_with_state(
            keys.clone(),
            refresh::<Notice, KeyRing>,
        ))
        .layer(middleware::from_fn_with_state(
            keys.clone(),
            development::<KeyRing>,
        ))
        .with_state(demo)
}

/// Runs the server; a startup error is printed as a sentence (`Display`, not `Debug`) with
/// exit status 1.
#[tokio::main]
async fn main() -> std::process::ExitCode {
    match serve().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("axum_server: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Whether development mode was asked for: `TYPED_COOKIES_DEV` is set to anything but `0`
/// (`1` turns it on; any other value makes [`KeyRing::with_development_mode`] refuse, and
/// the demo then stops rather than guess). Never inferred from the address the server
/// listens on.
pub fn development_requested(env: Option<&str>) -> bool {
    env.is_some_and(|value| value.trim() != "0")
}

/// `keys`, in development mode if `env` (the value of `TYPED_COOKIES_DEV`) asks for it; an
/// error if it asks and the guard refuses (a value other than `1`).
pub fn development_keys(keys: KeyRing, env: Option<&str>) -> Result<KeyRing, DevelopmentModeError> {
    if !development_requested(env) {
        return Ok(keys);
    }
    typed_cookies::development::development_mode_allowed(env, cfg!(debug_assertions))?;
    keys.with_development_mode()
}

async fn serve() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    // Unset: a key for this run. Set but malformed: refuse to start (a typo must not silently
    // sign everyone out at every restart).
    let keys = match KeyRing::from_env("APP_KEYS") {
        Ok(keys) => keys,
        Err(KeyError::MissingEnv { .. }) => {
            println!("a new key for this run (set APP_KEYS to keep sessions across restarts)");
            KeyRing::new(Key::generate())
        }
        Err(malformed) => return Err(malformed.into()),
    };
    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port
            .parse()
            .map_err(|_| format!("PORT={port:?} is not a port number"))?,
        Err(_) => 3000,
    };
    // Development mode only when asked for, whatever the address: a loopback listener is also
    // what sits behind a reverse proxy in production.
    let env = std::env::var_os(DEVELOPMENT_MODE_ENV).map(|v| v.to_string_lossy().into_owned());
    let keys = development_keys(keys, env.as_deref())?;
    if !keys.development_mode() {
        println!(
            "strict __Host- cookies (Secure); for plain-http development on loopback, \
             restart with {DEVELOPMENT_MODE_ENV}=1"
        );
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let address = listener.local_addr()?;
    println!("listening on http://{address}/");
    axum::serve(listener, app_with(keys, guard().await?)).await?;
    Ok(())
}

/// The revocation store: Redis at `REDIS_URL` when set (with the `redis` feature: shared by
/// every server of a fleet, surviving restarts if Redis persists), else this process's memory.
async fn guard() -> Result<Guard, Box<dyn std::error::Error>> {
    match std::env::var("REDIS_URL") {
        #[cfg(feature = "redis")]
        Ok(url) => {
            let store = typed_cookies::store::RedisStore::builder(url)
                .build()
                .await?;
            println!("revocations in Redis");
            Ok(Guard::new(store))
        }
        #[cfg(not(feature = "redis"))]
        Ok(_) => Err("REDIS_URL is set but the demo was built without the `redis` feature".into()),
        Err(_) => Ok(Guard::new(MemoryStore::new())),
    }
}

/// The fields the forms post. Missing fields are empty, so a POST without a token reaches the
/// CSRF check (403) instead of a form-parsing error.
#[derive(Debug, Default, Deserialize)]
struct PostedForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    user: String,
}

async fn sign_in_page(
    State(keys): State<KeyRing>,
    csrf: Option<Sealed<CsrfToken>>,
    notice: Option<Sealed<Notice>>,
) -> Result<Response, SealError> {
    let (token, set_csrf) = csrf_token(&keys, csrf)?;
    let notice = notice.map_or_else(String::new, |Sealed(notice)| {
        format!(r#"<p id="notice">{}</p>"#, escape(&notice.text))
    });
    let body = page(
        "Sign in",
        &format!(
            r#"{notice}<form method="post" action="/login">
  <input type="hidden" name="csrf" value="{token}">
  <label>User <input name="user" autofocus required maxlength="{MAX_USER_BYTES}"></label>
  <button type="submit">Sign in</button>
</form>"#,
            token = escape(&token)
        ),
    );
    Ok((set_csrf, Html(body)).into_response())
}

/// The browser's binding context: its `User-Agent`.
fn client(headers: &HeaderMap) -> ClientContext {
    match headers.get(header::USER_AGENT) {
        Some(agent) => ClientContext::new().user_agent(agent.as_bytes()),
        None => ClientContext::new(),
    }
}

async fn login(
    State(demo): State<Demo>,
    headers: HeaderMap,
    csrf: Option<Sealed<CsrfToken>>,
    form: Result<Form<PostedForm>, FormRejection>,
) -> Result<Response, SealError> {
    let form = form.map(|Form(form)| form).unwrap_or_default();
    if !csrf_matches(csrf.as_deref(), &form.csrf) {
        return Ok(forbidden());
    }
    let user = form.user.trim();
    // In bytes, not characters: the name is the session's subject (at most 255 bytes).
    if user.is_empty() || user.len() > MAX_USER_BYTES {
        return Ok((
            StatusCode::BAD_REQUEST,
            Html(page(
                "Sign in",
                &format!(
                    r#"<p>A user name is 1 to {MAX_USER_BYTES} bytes of UTF-8 ({MAX_USER_BYTES} letters a–z, fewer accented or non-Latin ones).</p><p><a href="/">Back</a></p>"#
                ),
            )),
        )
            .into_response());
    }
    // A new session (new id) at every sign-in; its subject is the user, for "everywhere".
    let session = Session {
        user: user.to_owned(),
    };
    let issued = demo
        .guard
        .issue(&demo.keys, &session, Some(user), &client(&headers))
        .await?;
    Ok((issued, Redirect::to("/whoami")).into_response())
}

async fn whoami(
    State(keys): State<KeyRing>,
    session: Option<Guarded<Session>>,
    csrf: Option<Sealed<CsrfToken>>,
) -> Result<Response, SealError> {
    let Some(session) = session else {
        let body = page(
            "Not signed in",
            r#"<p id="status">Not signed in</p><p><a href="/">Sign in</a></p>"#,
        );
        return Ok(Html(body).into_response());
    };
    let (token, set_csrf) = csrf_token(&keys, csrf)?;
    let body = page(
        "Signed in",
        &format!(
            r#"<p id="status">Signed in as {user}</p>
<p id="ends">Signed out at {idle} without a request, at {expires} in any case.</p>
<form method="post" action="/logout">
  <input type="hidden" name="csrf" value="{token}">
  <button type="submit">Sign out</button>
</form>
<form method="post" action="/logout-everywhere">
  <input type="hidden" name="csrf" value="{token}">
  <button type="submit">Sign out everywhere</button>
</form>"#,
            user = escape(&session.user),
            idle = time_of_day(session.opened().idle_deadline()),
            expires = time_of_day(session.opened().expires_at()),
            token = escape(&token),
        ),
    );
    Ok((set_csrf, Html(body)).into_response())
}

async fn logout(
    State(demo): State<Demo>,
    session: Option<Guarded<Session>>,
    csrf: Option<Sealed<CsrfToken>>,
    form: Result<Form<PostedForm>, FormRejection>,
) -> Result<Response, SealError> {
    let form = form.map(|Form(form)| form).unwrap_or_default();
    if !csrf_matches(csrf.as_deref(), &form.csrf) {
        return Ok(forbidden());
    }
    if let Some(session) = session {
        // Every copy of this session (another tab's, a stolen one) is refused from now on.
        if let Err(error) = demo.guard.revoke(&demo.keys, session.opened()).await {
            tracing::error!(%error, "could not revoke the session");
            return Ok(unavailable());
        }
    }
    signed_out(&demo.keys, "You are signed out.")
}

async fn logout_everywhere(
    State(demo): State<Demo>,
    session: Option<Guarded<Session>>,
    csrf: Option<Sealed<CsrfToken>>,
    form: Result<Form<PostedForm>, FormRejection>,
) -> Result<Response, SealError> {
    let form = form.map(|Form(form)| form).unwrap_or_default();
    if !csrf_matches(csrf.as_deref(), &form.csrf) {
        return Ok(forbidden());
    }
    if let Some(subject) = session.as_ref().and_then(|s| s.opened().subject()) {
        // Every session of this user sealed until now, on every device, ends.
        if let Err(error) = demo.guard.sign_out_everywhere(&demo.keys, subject).await {
            tracing::error!(%error, "could not sign out everywhere");
            return Ok(unavailable());
        }
    }
    signed_out(&demo.keys, "You are signed out on every device.")
}

/// The session's removal, a one-time notice, and a redirect to the sign-in page.
fn signed_out(keys: &KeyRing, text: &str) -> Result<Response, SealError> {
    let notice = SetCookie::new(&Notice { text: text.into() }, keys)?;
    Ok((Removal::<Session>::new(), notice, Redirect::to("/")).into_response())
}

fn unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html(page(
            "Try again",
            "<p>503: signing out needs the session store, which did not answer. Try again.</p>",
        )),
    )
        .into_response()
}

/// The token of a valid CSRF cookie, or a fresh one with the `Set-Cookie` that stores it.
fn csrf_token(
    keys: &KeyRing,
    cookie: Option<Sealed<CsrfToken>>,
) -> Result<(String, Option<SetCookie>), SealError> {
    if let Some(Sealed(cookie)) = cookie {
        return Ok((cookie.token, None));
    }
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let set = SetCookie::new(
        &CsrfToken {
            token: token.clone(),
        },
        keys,
    )?;
    Ok((token, Some(set)))
}

/// Double submit: the form's token equals the (signed, so unforgeable) cookie's, compared in
/// constant time.
fn csrf_matches(cookie: Option<&CsrfToken>, submitted: &str) -> bool {
    let Some(cookie) = cookie else { return false };
    let (a, b) = (cookie.token.as_bytes(), submitted.as_bytes());
    !a.is_empty() && a.len() == b.len() && a.iter().zip(b).fold(0, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `14:05:00 UTC`, for the session's deadlines.
fn time_of_day(at: Option<typed_cookies::time::OffsetDateTime>) -> String {
    at.map_or_else(
        || "never".into(),
        |at| format!("{:02}:{:02}:{:02} UTC", at.hour(), at.minute(), at.second()),
    )
}

fn forbidden() -> Response {
    (
        StatusCode::FORBIDDEN,
        [(header::CACHE_CONTROL, "no-store")],
        Html(page(
            "Forbidden",
            r#"<p>403 Forbidden: missing or wrong CSRF token. <a href="/">Start again</a></p>"#,
        )),
    )
        .into_response()
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>{title} · typed-cookies demo</title></head>\n<body>\n<h1>{title}</h1>\n{body}\n</body>\n</html>\n"
    )
}

/// HTML-escapes text for element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
