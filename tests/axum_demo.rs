//! The demo server (`examples/axum_server.rs`) in process: sign in, who am I, sign out, the
//! CSRF double-submit check and HTML escaping, through `tower::ServiceExt::oneshot`; and its
//! production-shaped `__Host-` cookies in development mode: relaxed for loopback hosts only.

#[allow(dead_code)]
#[path = "../examples/axum_server.rs"]
mod demo;

use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use axum::response::Response;
use axum::Router;
use tower::ServiceExt;
use typed_cookies::{Key, KeyRing, SealedCookie};

async fn send(app: &Router, method: &str, uri: &str, cookie: &str, form: &str) -> Response {
    send_to(app, None, method, uri, cookie, form).await
}

/// [`send`] with a `Host` header.
async fn send_to(
    app: &Router,
    host: Option<&str>,
    method: &str,
    uri: &str,
    cookie: &str,
    form: &str,
) -> Response {
    send_with(app, host, None, method, uri, cookie, form).await
}

/// [`send`] with a `User-Agent`.
async fn send_as(
    app: &Router,
    user_agent: &str,
    method: &str,
    uri: &str,
    cookie: &str,
    form: &str,
) -> Response {
    send_with(app, None, Some(user_agent), method, uri, cookie, form).await
}

/// `method uri` with these `Host`, `User-Agent` and `Cookie:` headers (each only if given), and
/// `form` as a form-encoded body of a `POST`.
async fn send_with(
    app: &Router,
    host: Option<&str>,
    user_agent: Option<&str>,
    method: &str,
    uri: &str,
    cookie: &str,
    form: &str,
) -> Response {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(host) = host {
        request = request.header(header::HOST, host);
    }
    if let Some(user_agent) = user_agent {
        request = request.header(header::USER_AGENT, user_agent);
    }
    if !cookie.is_empty() {
        request = request.header(header::COOKIE, cookie);
    }
    if method == "POST" {
        request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    app.clone()
        .oneshot(request.body(Body::from(form.to_owned())).unwrap())
        .await
        .unwrap()
}

/// `POST /login` (from `host`, if given) as `user`, with the CSRF cookie and the form's token.
async fn login(
    app: &Router,
    host: Option<&str>,
    csrf_cookie: &str,
    token: &str,
    user: &str,
) -> Response {
    let form = format!("csrf={token}&user={user}");
    send_to(app, host, "POST", "/login", csrf_cookie, &form).await
}

/// The first `Set-Cookie` header of `response`, whole.
fn first_set_cookie(response: &Response) -> &str {
    response.headers()[header::SET_COOKIE].to_str().unwrap()
}

async fn text(response: Response) -> String {
    String::from_utf8(
        to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap()
}

/// The `name=value` pairs of a response's `Set-Cookie` headers.
fn set_cookies(response: &Response) -> Vec<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect()
}

/// The hidden CSRF field's value in a page.
fn csrf_field(page: &str) -> String {
    let start = page.find(r#"name="csrf" value=""#).expect("a csrf field") + 19;
    page[start..start + 32].to_owned()
}

/// `GET /`: the CSRF cookie pair and the token of the form.
async fn start(app: &Router) -> (String, String) {
    let response = send(app, "GET", "/", "", "").await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookies = set_cookies(&response);
    assert_eq!(cookies.len(), 1);
    assert!(cookies[0].starts_with("__Host-csrf="));
    let page = text(response).await;
    assert!(page.contains(r#"<form method="post" action="/login">"#));
    assert!(page.contains(r#"<input name="user""#));
    assert!(page.contains(r#"<button type="submit">"#));
    (cookies[0].clone(), csrf_field(&page))
}

#[tokio::test]
async fn sign_in_who_am_i_sign_out() {
    let keys = KeyRing::new(Key::generate());
    let app = demo::app(keys.clone());
    let (csrf_cookie, token) = start(&app).await;

    let response = send(&app, "GET", "/whoami", &csrf_cookie, "").await;
    assert!(text(response).await.contains("Not signed in"));

    let response = login(
        &app,
        None,
        &csrf_cookie,
        &token,
        "%3Cb%3Eann%3C%2Fb%3E+%26+co",
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/whoami");
    let set = first_set_cookie(&response);
    assert!(
        set.starts_with("__Host-sid=")
            && set.contains("; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=900"),
        "{set}"
    );
    let session = set_cookies(&response).remove(0);
    let value = session.strip_prefix("__Host-sid=").unwrap();
    // Encrypted and tracked: the value reveals nothing, and opens only through the guard (the
    // type is guarded, so not `Stateless`: `demo::Session::open` would not compile).
    let seen = typed_cookies::inspect(value).unwrap();
    assert!(seen.tracked && seen.unverified_payload.is_none());
    assert!(demo::Session::CONFIG.guarded());

    let both = format!("{csrf_cookie}; {session}");
    let response = send(&app, "GET", "/whoami", &both, "").await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = text(response).await;
    assert!(
        page.contains("Signed in as &lt;b&gt;ann&lt;/b&gt; &amp; co"),
        "the user is HTML-escaped: {page}"
    );
    assert!(page.contains(r#"<form method="post" action="/logout">"#));
    assert_eq!(csrf_field(&page), token);

    let response = send(&app, "POST", "/logout", &both, &format!("csrf={token}")).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/");
    let removal = first_set_cookie(&response);
    assert!(
        removal.starts_with("__Host-sid=; ") && removal.contains("Max-Age=0"),
        "{removal}"
    );
}

#[tokio::test]
async fn posts_without_the_right_csrf_token_are_forbidden() {
    let keys = KeyRing::new(Key::generate());
    let app = demo::app(keys.clone());
    let (csrf_cookie, token) = start(&app).await;
    let (other_cookie, other_token) = start(&app).await;
    assert_ne!(token, other_token);

    for (uri, cookie, form) in [
        ("/login", "", format!("csrf={token}&user=ann")),
        ("/login", csrf_cookie.as_str(), "user=ann".to_owned()),
        ("/login", csrf_cookie.as_str(), "csrf=&user=ann".to_owned()),
        (
            "/login",
            csrf_cookie.as_str(),
            format!("csrf={other_token}&user=ann"),
        ),
        (
            "/login",
            other_cookie.as_str(),
            format!("csrf={token}&user=ann"),
        ),
        // A forged (unsigned) CSRF cookie matching the submitted token is refused too.
        (
            "/login",
            &format!("__Host-csrf={token}"),
            format!("csrf={token}&user=ann"),
        ),
        ("/logout", "", format!("csrf={token}")),
        ("/logout", csrf_cookie.as_str(), String::new()),
    ] {
        let response = send(&app, "POST", uri, cookie, &form).await;
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "{uri} {cookie} {form}"
        );
        assert!(response.headers().get(header::SET_COOKIE).is_none());
    }

    // Not even a form: still 403, not a parsing error.
    let response = app
        .clone()
        .oneshot(
            Request::post("/login")
                .header(header::COOKIE, &csrf_cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // The right token goes through.
    let response = login(&app, None, &csrf_cookie, &token, "ann").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn user_names_are_bounded() {
    let app = demo::app(KeyRing::new(Key::generate()));
    let (csrf_cookie, token) = start(&app).await;
    for user in ["", "+++", &"x".repeat(65)] {
        let response = login(&app, None, &csrf_cookie, &token, user).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{user:?}");
        assert!(response.headers().get(header::SET_COOKIE).is_none());
    }
}

/// The limit is in bytes, as the session's subject is: 64 four-byte characters (256 bytes)
/// used to pass a 64-*character* limit and then fail to seal as a subject over 255 bytes (a
/// 500); now a 400, and a name of exactly 64 bytes signs in whatever its characters.
#[tokio::test]
async fn user_names_are_bounded_in_bytes_so_no_name_is_a_500() {
    let app = demo::app(KeyRing::new(Key::generate()));
    let (csrf_cookie, token) = start(&app).await;
    let clef = "%F0%9D%84%9E"; // U+1D11E, four bytes of UTF-8
    for user in [clef.repeat(64), clef.repeat(17), "%C3%A9".repeat(33)] {
        let response = login(&app, None, &csrf_cookie, &token, &user).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{user}");
        assert!(response.headers().get(header::SET_COOKIE).is_none());
        assert!(text(response).await.contains("1 to 64 bytes"));
    }
    for (user, shown) in [
        (clef.repeat(16), "\u{1D11E}".repeat(16)),
        ("%C3%A9".repeat(32), "é".repeat(32)),
        ("x".repeat(64), "x".repeat(64)),
    ] {
        let response = login(&app, None, &csrf_cookie, &token, &user).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{shown}");
        let session = set_cookies(&response).remove(0);
        let cookies = format!("{csrf_cookie}; {session}");
        let page = text(send(&app, "GET", "/whoami", &cookies, "").await).await;
        assert!(page.contains(&format!("Signed in as {shown}")), "{page}");
    }
}

/// Development mode is asked for with `TYPED_COOKIES_DEV=1`, never inferred from a loopback
/// listener (which is also what a production server behind `proxy_pass http://127.0.0.1`
/// binds): unset or `0`, the ring stays strict; a value that is neither is an error.
#[test]
fn development_mode_is_an_explicit_opt_in() {
    let keys = || KeyRing::new(Key::generate());
    for env in [None, Some("0"), Some(" 0 ")] {
        assert!(!demo::development_requested(env), "{env:?}");
        assert!(!demo::development_keys(keys(), env)
            .unwrap()
            .development_mode());
    }
    assert!(demo::development_requested(Some("1")));
    // Tests are debug builds: allowed unless the run itself sets TYPED_COOKIES_DEV=0.
    if std::env::var_os("TYPED_COOKIES_DEV").is_none() {
        assert!(demo::development_keys(keys(), Some("1"))
            .unwrap()
            .development_mode());
    }
    // Asked for with a value that means neither: refused, with the library's reason.
    assert!(demo::development_requested(Some("yes")));
    let refused = demo::development_keys(keys(), Some("yes")).unwrap_err();
    assert_eq!(
        refused,
        typed_cookies::development::DevelopmentModeError::BadValue
    );
    assert!(refused
        .to_string()
        .contains("must be 1 (allow) or 0 (forbid)"));
}

#[test]
fn escape_covers_html_specials() {
    assert_eq!(
        demo::escape(r#"<a href="x" onclick='y'>&</a>"#),
        "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
    );
}

/// The demo's ring in development mode (tests are debug builds, so the guard allows it unless
/// `TYPED_COOKIES_DEV=0` is set for the run).
fn dev_keys() -> KeyRing {
    KeyRing::new(Key::generate())
        .with_development_mode()
        .expect("development mode in a debug build")
}

/// Sign in and out on a loopback host in development mode: every cookie is the unprefixed,
/// non-`Secure` one, read back under that name; the strict names are not read there.
#[tokio::test]
async fn development_mode_relaxes_loopback_hosts() {
    let keys = dev_keys();
    let app = demo::app(keys.clone());
    for host in [
        "127.0.0.1:3000",
        "localhost:3000",
        "[::1]:3000",
        "app.localhost",
    ] {
        let local = Some(host);
        let response = send_to(&app, local, "GET", "/", "", "").await;
        let csrf = first_set_cookie(&response).to_owned();
        assert!(
            csrf.starts_with("csrf=") && csrf.contains("; HttpOnly; SameSite=Strict; Path=/"),
            "{csrf}"
        );
        assert!(!csrf.contains("Secure"), "{csrf}");
        let csrf_cookie = set_cookies(&response).remove(0);
        let token = csrf_field(&text(response).await);

        let response = login(&app, local, &csrf_cookie, &token, "ann").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{host}");
        let set = first_set_cookie(&response);
        assert!(
            set.starts_with("sid=")
                && set.contains("; HttpOnly; SameSite=Lax; Path=/; Max-Age=900"),
            "{set}"
        );
        assert!(!set.contains("Secure"), "{set}");
        let session = set_cookies(&response).remove(0);
        let value = session.strip_prefix("sid=").unwrap();
        assert!(typed_cookies::inspect(value).unwrap().tracked);

        let both = format!("{csrf_cookie}; {session}");
        let page = text(send_to(&app, local, "GET", "/whoami", &both, "").await).await;
        assert!(page.contains("Signed in as ann"), "{page}");
        // The strict name is not what a loopback request is read by.
        let strict = format!("__Host-sid={value}");
        let page = text(send_to(&app, local, "GET", "/whoami", &strict, "").await).await;
        assert!(page.contains("Not signed in"), "{page}");

        let response = send_to(
            &app,
            local,
            "POST",
            "/logout",
            &both,
            &format!("csrf={token}"),
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let sets: Vec<&str> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert!(
            sets.iter().any(|s| s.starts_with("sid=; ")
                && s.contains("Max-Age=0")
                && !s.contains("Secure")),
            "{sets:?}"
        );
        assert!(sets.iter().any(|s| s.starts_with("notice=")), "{sets:?}");
    }
}

/// Development mode left on by accident in production: every non-loopback host — and a
/// loopback one that came through a proxy — still gets, and is read by, `__Host-sid; Secure`.
#[tokio::test]
async fn development_mode_stays_strict_for_other_hosts() {
    let keys = dev_keys();
    let app = demo::app(keys.clone());
    let (csrf_cookie, token) = start(&app).await; // no Host at all: strict
    for host in [
        "shop.example",
        "localhost.shop.example",
        "127.0.0.1.nip.io",
        "10.0.0.1:3000",
        "[::2]",
        "localhost:http",
    ] {
        let response = login(&app, Some(host), &csrf_cookie, &token, "ann").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{host}");
        let set = first_set_cookie(&response);
        assert!(
            set.starts_with("__Host-sid=")
                && set.contains("; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=900"),
            "{host}: {set}"
        );
        let session = set_cookies(&response).remove(0);
        let both = format!("{csrf_cookie}; {session}");
        let page = text(send_to(&app, Some(host), "GET", "/whoami", &both, "").await).await;
        assert!(page.contains("Signed in as ann"), "{host}: {page}");
        // The relaxed name is not read for a non-loopback host.
        let relaxed = format!(
            "{}; {}",
            csrf_cookie,
            session.replacen("__Host-sid=", "sid=", 1)
        );
        let page = text(send_to(&app, Some(host), "GET", "/whoami", &relaxed, "").await).await;
        assert!(page.contains("Not signed in"), "{host}: {page}");
    }

    // Host: localhost, but forwarded by a proxy: strict.
    let request = Request::get("/")
        .header(header::HOST, "127.0.0.1:3000")
        .header("x-forwarded-for", "203.0.113.7")
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let set = first_set_cookie(&response);
    assert!(
        set.starts_with("__Host-csrf=") && set.contains("; Secure"),
        "{set}"
    );
}

/// Without development mode the demo sends the same bytes to loopback and other hosts.
#[tokio::test]
async fn without_development_mode_loopback_is_strict_too() {
    let app = demo::app(KeyRing::new(Key::generate()));
    let response = send_to(&app, Some("127.0.0.1:3000"), "GET", "/", "", "").await;
    let set = first_set_cookie(&response);
    assert!(
        set.starts_with("__Host-csrf=") && set.contains("; Secure"),
        "{set}"
    );
}

/// Signs in with `user_agent` and returns the `Cookie:` header (CSRF and session) and the
/// CSRF token.
async fn signed_in(app: &Router, user_agent: &str, user: &str) -> (String, String) {
    let (csrf_cookie, token) = start(app).await;
    let form = format!("csrf={token}&user={user}");
    let response = send_with(
        app,
        None,
        Some(user_agent),
        "POST",
        "/login",
        &csrf_cookie,
        &form,
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let session = set_cookies(&response).remove(0);
    (format!("{csrf_cookie}; {session}"), token)
}

async fn status_line(app: &Router, user_agent: &str, cookie: &str) -> String {
    let page = text(send_as(app, user_agent, "GET", "/whoami", cookie, "").await).await;
    let start = page.find(r#"<p id="status">"#).expect("a status line") + 15;
    page[start..start + page[start..].find("</p>").unwrap()].to_owned()
}

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

/// Signing out revokes the session: a copy of the cookie kept from before (a second tab, a
/// proxy log, a thief) is refused afterwards, and cleared.
#[tokio::test]
async fn sign_out_is_real_a_copy_kept_from_before_is_refused() {
    let app = demo::app(KeyRing::new(Key::generate()));
    let (cookies, token) = signed_in(&app, FIREFOX, "ann").await;
    assert_eq!(
        status_line(&app, FIREFOX, &cookies).await,
        "Signed in as ann"
    );
    let response = send_as(
        &app,
        FIREFOX,
        "POST",
        "/logout",
        &cookies,
        &format!("csrf={token}"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // The copy: the very same Cookie header, replayed.
    let replayed = send_as(&app, FIREFOX, "GET", "/whoami", &cookies, "").await;
    assert!(
        set_cookies(&replayed).iter().any(|c| c == "__Host-sid="),
        "the refused cookie is cleared"
    );
    assert!(text(replayed).await.contains("Not signed in"));
}

/// The session cookie copied into another browser does not open there.
#[tokio::test]
async fn the_session_is_bound_to_the_browser() {
    let app = demo::app(KeyRing::new(Key::generate()));
    let (cookies, _) = signed_in(&app, FIREFOX, "ann").await;
    assert_eq!(
        status_line(&app, FIREFOX, &cookies).await,
        "Signed in as ann"
    );
    assert_eq!(
        status_line(&app, "curl/8.5.0", &cookies).await,
        "Not signed in"
    );
}

/// "Sign out everywhere" from one device ends the user's sessions on the others, and only
/// that user's.
#[tokio::test]
async fn sign_out_everywhere_ends_the_users_other_sessions() {
    let app = demo::app(KeyRing::new(Key::generate()));
    let (laptop, token) = signed_in(&app, FIREFOX, "ann").await;
    let (phone, _) = signed_in(&app, "Safari/18.1 Mobile", "ann").await;
    let (other_user, _) = signed_in(&app, FIREFOX, "bob").await;
    assert_eq!(
        status_line(&app, "Safari/18.1 Mobile", &phone).await,
        "Signed in as ann"
    );
    let response = send_as(
        &app,
        FIREFOX,
        "POST",
        "/logout-everywhere",
        &laptop,
        &format!("csrf={token}"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        status_line(&app, "Safari/18.1 Mobile", &phone).await,
        "Not signed in"
    );
    assert_eq!(status_line(&app, FIREFOX, &laptop).await, "Not signed in");
    assert_eq!(
        status_line(&app, FIREFOX, &other_user).await,
        "Signed in as bob"
    );
    // Signing in again afterwards works.
    let (again, _) = signed_in(&app, FIREFOX, "ann").await;
    assert_eq!(status_line(&app, FIREFOX, &again).await, "Signed in as ann");
}
