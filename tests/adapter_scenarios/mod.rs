//! The request scenarios every framework adapter must pass, written once: absent, valid,
//! tampered, expired, wrong-salt, wrong-key, duplicated, malformed and huge cookies.
//!
//! An adapter's test file serves these routes, implements [`Client`] for its app, provides
//! `async fn client(keys: KeyRing) -> impl Client` and
//! `async fn two_types(keys: KeyRing, rewrite: Option<String>) -> impl Client` (the app of
//! [`the_cookie_header_is_split_once_per_request`]), and calls [`adapter_scenarios!`] with its
//! async test attribute:
//! - `GET /strict`, `Sealed<Session>`: `hello {user}`;
//! - `GET /optional`, `Option<Sealed<Session>>`: `some {user}` or `none`;
//! - `GET /result`, `Result<Sealed<Session>, SealedRejection>`: `ok {user}`, `missing {name}`,
//!   `invalid {error:?}` or `other {rejection}`.
#![allow(dead_code)]

use serde::{Deserialize, Serialize};
use typed_cookies::time::{Duration, OffsetDateTime};
use typed_cookies::{Key, KeyRing, SealedCookie};

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "tests.adapter.session.v1",
    max_age = "2h",
    encrypt
)]
pub struct Session {
    pub user: String,
}

/// Same name and shape as [`Session`], another salt: its values must not open as a `Session`.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "tests.adapter.other-purpose.v1",
    max_age = "2h",
    encrypt,
    // Deliberately the same browser cookie as `Session`: without this, a compile error.
    replaces = "Session"
)]
pub struct OtherPurpose {
    pub user: String,
}

/// A second cookie type beside the session, for requests that read two.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-theme",
    salt = "tests.adapter.theme.v1",
    max_age = "30d"
)]
pub struct Theme {
    pub name: String,
}

/// Too large for a cookie once sealed.
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(name = "__Host-big", salt = "tests.adapter.big.v1", max_age = "1h")]
pub struct Big {
    pub blob: String,
}

impl Big {
    /// A value whose sealed cookie would exceed 4096 bytes.
    pub fn oversize() -> Self {
        Self {
            blob: "x".repeat(5000),
        }
    }
}

pub use typed_cookies_testkit::t0;

/// The `Set-Cookie` attributes of [`Session`] sealed at [`t0`] (2026-01-01T00:00:00Z).
pub const SESSION_ATTRIBUTES: &str =
    "HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=7200; Expires=Thu, 01 Jan 2026 02:00:00 GMT";

/// The `Set-Cookie` that removes [`Session`].
pub const SESSION_REMOVAL: &str =
    "__Host-sid=; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT";

/// The body of a 401 from the strict extractor.
pub const UNAUTHORIZED: &str = "401 Unauthorized: no valid `__Host-sid` cookie\n";

/// The `Cookie:` header piece carrying `value` as the session.
pub fn cookie_pair(value: &str) -> Vec<u8> {
    format!("__Host-sid={value}").into_bytes()
}

/// An app under test, driven in process.
#[allow(async_fn_in_trait)] // only awaited in place, never sent across threads
pub trait Client {
    /// Status code and body of `GET uri` with these `Cookie:` headers, one header each.
    async fn get(&self, uri: &str, cookies: &[&[u8]]) -> (u16, String);
}

/// Defines one test per scenario, each with a fresh key ring and `client(keys)`.
macro_rules! adapter_scenarios {
    ($test:meta) => {
        adapter_scenarios!(
            $test;
            absent_cookie,
            valid_cookie_in_any_of_several_cookie_headers,
            tampered_cookie,
            expired_cookie,
            wrong_salt_and_wrong_key,
            duplicated_cookie_even_across_headers,
            look_alike_names_are_never_the_session,
            malformed_and_huge_headers_never_yield_a_session,
        );
    };
    ($test:meta; $($scenario:ident),* $(,)?) => {
        $(
            #[$test]
            async fn $scenario() {
                let keys = typed_cookies::KeyRing::new(typed_cookies::Key::generate());
                let client = client(keys.clone()).await;
                adapter_scenarios::$scenario(&client, &keys).await;
            }
        )*

        #[$test]
        async fn the_cookie_header_is_split_once_per_request() {
            let keys = typed_cookies::KeyRing::new(typed_cookies::Key::generate());
            adapter_scenarios::the_cookie_header_is_split_once_per_request(
                |rewrite| two_types(keys.clone(), rewrite),
                &keys,
            )
            .await;
        }
    };
}

/// Every way a present cookie can be bad: 401 strict, `None` optional, the reason in `Result`.
async fn assert_rejected(app: &impl Client, cookies: &[&[u8]], expected: &str) {
    assert_eq!(
        app.get("/strict", cookies).await,
        (401, UNAUTHORIZED.into())
    );
    assert_eq!(app.get("/optional", cookies).await, (200, "none".into()));
    let (status, text) = app.get("/result", cookies).await;
    assert_eq!(status, 200);
    assert!(
        text.starts_with(expected),
        "{text:?} should start with {expected:?}"
    );
}

pub async fn absent_cookie(app: &impl Client, _keys: &KeyRing) {
    assert_eq!(
        app.get("/strict", &[b"theme=dark"]).await,
        (401, UNAUTHORIZED.into())
    );
    assert_eq!(app.get("/strict", &[]).await, (401, UNAUTHORIZED.into()));
    assert_eq!(app.get("/optional", &[]).await, (200, "none".into()));
    assert_eq!(
        app.get("/result", &[b"a=b"]).await,
        (200, "missing __Host-sid".into())
    );
}

pub async fn valid_cookie_in_any_of_several_cookie_headers(app: &impl Client, keys: &KeyRing) {
    let pair = cookie_pair(&Session { user: "ann".into() }.seal(keys).unwrap());
    for cookies in [
        vec![pair.as_slice()],
        vec![b"theme=dark".as_slice(), pair.as_slice()],
        vec![b"a=1; b=2".as_slice(), pair.as_slice(), b"c=3".as_slice()],
    ] {
        assert_eq!(
            app.get("/strict", &cookies).await,
            (200, "hello ann".into())
        );
        assert_eq!(
            app.get("/optional", &cookies).await,
            (200, "some ann".into())
        );
        assert_eq!(app.get("/result", &cookies).await, (200, "ok ann".into()));
    }
}

pub async fn tampered_cookie(app: &impl Client, keys: &KeyRing) {
    let mut tampered = Session { user: "ann".into() }
        .seal(keys)
        .unwrap()
        .into_bytes();
    let middle = tampered.len() / 2;
    tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_rejected(app, &[&cookie_pair(&tampered)], "invalid Invalid").await;
}

pub async fn expired_cookie(app: &impl Client, keys: &KeyRing) {
    let sealed_ago = |hours| {
        Session { user: "ann".into() }
            .seal(&keys.at(OffsetDateTime::now_utc() - Duration::hours(hours)))
            .unwrap()
    };
    assert_rejected(app, &[&cookie_pair(&sealed_ago(3))], "invalid Expired").await;
    // Within the two-hour max age it is still fine.
    assert_eq!(
        app.get("/strict", &[&cookie_pair(&sealed_ago(1))]).await,
        (200, "hello ann".into())
    );
}

pub async fn wrong_salt_and_wrong_key(app: &impl Client, keys: &KeyRing) {
    let other_purpose = OtherPurpose { user: "ann".into() }.seal(keys).unwrap();
    assert_rejected(app, &[&cookie_pair(&other_purpose)], "invalid Invalid").await;
    let other_keys = KeyRing::new(Key::generate());
    let foreign = Session { user: "ann".into() }.seal(&other_keys).unwrap();
    assert_rejected(app, &[&cookie_pair(&foreign)], "invalid UnknownKey").await;
}

pub async fn duplicated_cookie_even_across_headers(app: &impl Client, keys: &KeyRing) {
    let ann = cookie_pair(&Session { user: "ann".into() }.seal(keys).unwrap());
    let bob = cookie_pair(&Session { user: "bob".into() }.seal(keys).unwrap());
    let both = [ann.as_slice(), b"; ".as_slice(), bob.as_slice()].concat();
    assert_rejected(app, &[&both], "invalid DuplicateCookie").await;
    assert_rejected(app, &[&ann, &bob], "invalid DuplicateCookie").await;
    assert_rejected(app, &[&ann, &ann], "invalid DuplicateCookie").await;
}

/// A sibling subdomain can plant `"\u{2000}__Host-sid"` (for the browser an unprefixed cookie):
/// alone it is no session, beside the real cookie it is ignored (no forced sign-out).
pub async fn look_alike_names_are_never_the_session(app: &impl Client, keys: &KeyRing) {
    let planted = Session {
        user: "mallory".into(),
    }
    .seal(keys)
    .unwrap();
    let real = cookie_pair(&Session { user: "ann".into() }.seal(keys).unwrap());
    for look_alike in [
        "\u{2000}__Host-sid",
        "__Host-sid\u{a0}",
        "__host-sid",
        "\u{feff}__Host-sid",
    ] {
        let planted = format!("{look_alike}={planted}").into_bytes();
        assert_eq!(
            app.get("/optional", &[&planted]).await,
            (200, "none".into())
        );
        assert_eq!(
            app.get("/result", &[&planted]).await,
            (200, "missing __Host-sid".into())
        );
        for cookies in [[&planted, &real], [&real, &planted]] {
            let cookies: Vec<&[u8]> = cookies.iter().map(|c| c.as_slice()).collect();
            assert_eq!(
                app.get("/strict", &cookies).await,
                (200, "hello ann".into())
            );
        }
    }
}

pub async fn malformed_and_huge_headers_never_yield_a_session(app: &impl Client, _keys: &KeyRing) {
    // Unparsable pieces are skipped: the cookie is absent.
    for garbage in [
        b"__Host-sid".as_slice(),
        b";;;;",
        b"=; =x; =",
        b"\xff\xfe\xfd",
        b"__Host-sid\t; x",
    ] {
        assert_eq!(app.get("/strict", &[garbage]).await.0, 401);
        assert_eq!(app.get("/optional", &[garbage]).await, (200, "none".into()));
    }
    // Present but not a sealed value: invalid.
    assert_rejected(app, &[b"__Host-sid="], "invalid Malformed").await;
    assert_rejected(app, &[b"__Host-sid=%%%%"], "invalid Malformed").await;
    assert_rejected(app, &[b"__Host-sid=\xff\xfe"], "invalid Malformed").await;
    let huge = cookie_pair(&"A".repeat(64 * 1024));
    assert_rejected(app, &[&huge], "invalid TooLarge").await;
    let many = "x=1; ".repeat(10_000).into_bytes();
    assert_eq!(app.get("/optional", &[&many]).await, (200, "none".into()));
}

/// The `Cookie:` header is split once per request: two `refresh` middlewares and two
/// extractors of two types (`GET /` of `two_types(rewrite)`, answering `{user} {theme}`), over
/// a realistic header, over 390 KB of `;` and over an empty header. A middleware between them
/// that changes the header (`rewrite`) makes the extractors split it again and read the
/// change; one that puts back equal bytes does not.
pub async fn the_cookie_header_is_split_once_per_request<C: Client, F>(
    two_types: impl Fn(Option<String>) -> F,
    keys: &KeyRing,
) where
    F: std::future::Future<Output = C>,
{
    use typed_cookies::integrations::cookie_header_parses;

    let session = |user: &str| {
        let value = Session { user: user.into() }.seal(keys).unwrap();
        format!("__Host-sid={value}")
    };
    let theme = Theme {
        name: "dark".into(),
    };
    let theme = format!("__Host-theme={}", theme.seal(keys).unwrap());
    let ann = format!("a=1; {}; b=2; {theme}", session("ann"));
    let hostile = format!("{}{ann}", ";".repeat(390 * 1024));
    /// The answer to `GET /` with `header`, and how many splits it took.
    async fn parses(app: &impl Client, header: &str) -> ((u16, String), u64) {
        let before = cookie_header_parses();
        let answer = app.get("/", &[header.as_bytes()]).await;
        (answer, cookie_header_parses() - before)
    }
    let app = two_types(None).await;
    for header in [&ann, &hostile] {
        assert_eq!(
            parses(&app, header).await,
            ((200, "ann dark".to_owned()), 1)
        );
    }
    // An empty cookie header is split once too.
    assert_eq!(parses(&app, "").await.1, 1);

    let bob = format!("{}; {theme}", session("bob"));
    let rewritten = two_types(Some(bob)).await;
    assert_eq!(
        parses(&rewritten, &ann).await,
        ((200, "bob dark".to_owned()), 2),
        "the changed header is split again"
    );

    let same_bytes = two_types(Some(ann.clone())).await;
    assert_eq!(
        parses(&same_bytes, &ann).await,
        ((200, "ann dark".to_owned()), 1),
        "equal bytes: the same split"
    );
}

/// Every event `f` logs through `tracing` (on this thread), as its level and its fields
/// rendered `name=value`: to check what the adapters log, and at which level.
pub fn logs_of(f: impl FnOnce()) -> Vec<typed_cookies_testkit::Event> {
    typed_cookies_testkit::logs_of(f).1
}

/// A serializer message holding payload data (a custom `Serialize` impl can return any text):
/// what [`assert_serializer_message_not_logged_at_error_level`] looks for in the logs.
pub const SENSITIVE_REASON: &str = "could not encode card 4111-1111-1111-1111";

/// The adapter's 500 for a [`SealError::Serialize`](typed_cookies::SealError::Serialize)
/// logs the failure's kind at `error` level but the serializer's message at `debug` at most;
/// a too-large cookie is still logged at `error` level with its sizes.
pub fn assert_serializer_message_not_logged_at_error_level(
    respond: impl Fn(typed_cookies::SealError),
) {
    use typed_cookies::SealError;

    let logs = logs_of(|| {
        respond(SealError::Serialize {
            reason: SENSITIVE_REASON.into(),
        })
    });
    let errors: Vec<&String> = logs
        .iter()
        .filter(|(level, _)| *level <= tracing::Level::INFO)
        .map(|(_, text)| text)
        .collect();
    assert_eq!(errors.len(), 1, "{logs:?}");
    assert!(errors[0].contains("serialize"), "{logs:?}");
    assert!(!errors[0].contains("4111"), "{logs:?}");
    assert!(
        logs.iter()
            .any(|(level, text)| *level == tracing::Level::DEBUG && text.contains("4111")),
        "the message is still there for debugging: {logs:?}"
    );

    let logs = logs_of(|| {
        respond(SealError::TooLarge {
            len: 5000,
            max: 4096,
        })
    });
    assert!(
        logs.iter()
            .any(|(level, text)| *level == tracing::Level::ERROR
                && text.contains("too_large")
                && text.contains("5000")),
        "{logs:?}"
    );
}
