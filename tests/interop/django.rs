//! `typed_cookies::interop::django` against the real Django (5.2, `tests/interop/django_peer.py`):
//! `signing.dumps`/`loads`, `set_signed_cookie`/`get_signed_cookie` and the `signed_cookies`
//! session engine, in both directions; a changed byte, a wrong salt, an expired value and a
//! fallback key get the same verdict on both sides. Also `examples/django_migration.rs` in
//! process with a cookie made by Django.

use crate::peer::{flip, mutations, Peer, PYTHON_HINT};
use crate::{at, NOW};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use typed_cookies::interop::{django, Digest};
use typed_cookies::time::{Duration, OffsetDateTime};
use typed_cookies::OpenError;

const SECRET: &str = "django-insecure-0123456789abcdefghijklmnopqrstuvwxyz";
const OLD_SECRET: &str = "django-insecure-old-secret-kept-in-SECRET_KEY_FALLBACKS";

fn django(test: &str) -> Option<Peer> {
    Peer::start(test, "python3", "django_peer.py", PYTHON_HINT)
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Reset {
    user: u64,
    email: String,
    scopes: Vec<String>,
}

fn reset() -> Reset {
    Reset {
        user: 7,
        email: "zoë@example.com".into(), // non-ASCII: Django reads its payload as Latin-1
        scopes: vec!["password".into(); 12],
    }
}

#[test]
fn values_django_makes_open_here() {
    let Some(mut py) = django("values_django_makes_open_here") else {
        return;
    };
    for (compress, algorithm, digest) in [
        (false, "sha256", Digest::Sha256),
        (true, "sha256", Digest::Sha256),
        (true, "sha1", Digest::Sha1),
    ] {
        let value = py.value(
            json!({"op": "dumps", "secret": SECRET, "salt": "reset", "obj": reset(),
                   "compress": compress, "algorithm": algorithm, "now": NOW}),
            "value",
        );
        assert_eq!(value.starts_with('.'), compress, "{value}");
        let signer = django::Signer::new(SECRET)
            .salt("reset")
            .digest(digest)
            .clock(at(NOW + 5));
        assert_eq!(signer.open::<Reset>(&value).unwrap(), reset());
        assert!(matches!(
            signer.open::<Vec<u8>>(&value),
            Err(OpenError::PayloadMismatch { .. })
        ));
    }
}

#[test]
fn values_made_here_open_in_django() {
    let Some(mut py) = django("values_made_here_open_in_django") else {
        return;
    };
    for compress in [false, true] {
        let signer = django::Signer::new(SECRET)
            .salt("reset")
            .compress(compress)
            .clock(at(NOW));
        let value = signer.seal(&reset()).unwrap();
        assert_eq!(value.starts_with('.'), compress);
        let answer = py.call(json!({"op": "loads", "secret": SECRET, "salt": "reset",
                                    "value": value, "max_age": 60, "now": NOW + 30}));
        assert_eq!(
            answer["obj"],
            serde_json::to_value(reset()).unwrap(),
            "{answer}"
        );
    }
    // And byte for byte: same time, same key, same value (keys in the order both write them).
    let obj = serde_json::to_value(reset()).unwrap();
    let ours = django::Signer::new(SECRET)
        .salt("reset")
        .clock(at(NOW))
        .seal(&obj)
        .unwrap();
    let theirs = py.value(
        json!({"op": "dumps", "secret": SECRET, "salt": "reset", "obj": obj, "now": NOW}),
        "value",
    );
    assert_eq!(ours, theirs);
}

/// The verdict of Django's `loads` and ours on the same value, side by side.
fn verdicts(
    py: &mut Peer,
    value: &str,
    salt: &str,
    fallbacks: &[&str],
    now: i64,
) -> (String, String) {
    let answer = py.call(
        json!({"op": "loads", "secret": SECRET, "fallbacks": fallbacks,
                                "salt": salt, "value": value, "max_age": 3600, "now": now}),
    );
    let theirs = answer["error"].as_str().unwrap_or("ok").to_owned();
    let signer = django::Signer::new(SECRET)
        .fallbacks(fallbacks)
        .salt(salt)
        .max_age(Duration::hours(1))
        .clock(at(now));
    let ours = match signer.open::<Value>(value) {
        Ok(_) => "ok".to_owned(),
        Err(e) => format!("{e:?}"),
    };
    (theirs, ours)
}

#[test]
fn tampering_salts_expiry_and_fallbacks_agree_with_django() {
    let Some(mut py) = django("tampering_salts_expiry_and_fallbacks_agree_with_django") else {
        return;
    };
    let ours = django::Signer::new(SECRET)
        .salt("s")
        .clock(at(NOW))
        .seal(&reset())
        .unwrap();
    let theirs = py.value(
        json!({"op": "dumps", "secret": SECRET, "salt": "s", "obj": reset(), "now": NOW}),
        "value",
    );
    let old = py.value(
        json!({"op": "dumps", "secret": OLD_SECRET, "salt": "s", "obj": reset(), "now": NOW}),
        "value",
    );
    for value in [&ours, &theirs] {
        assert_eq!(
            verdicts(&mut py, value, "s", &[], NOW + 10),
            ("ok".into(), "ok".into())
        );
        for i in [0, 5, value.len() / 2, value.len() - 1] {
            let (t, o) = verdicts(&mut py, &flip(value, i), "s", &[], NOW + 10);
            assert_eq!(
                (t.as_str(), o.as_str()),
                ("BadSignature", "Invalid"),
                "byte {i}"
            );
        }
        let (t, o) = verdicts(&mut py, value, "other-salt", &[], NOW + 10);
        assert_eq!((t.as_str(), o.as_str()), ("BadSignature", "Invalid"));
        let (t, o) = verdicts(&mut py, value, "s", &[], NOW + 3601);
        assert_eq!(t, "SignatureExpired");
        assert!(o.starts_with("Expired"), "{o}");
        // Still valid at exactly max_age, on both sides.
        assert_eq!(
            verdicts(&mut py, value, "s", &[], NOW + 3600),
            ("ok".into(), "ok".into())
        );
    }
    let (t, o) = verdicts(&mut py, &old, "s", &[], NOW + 10);
    assert_eq!((t.as_str(), o.as_str()), ("BadSignature", "Invalid"));
    assert_eq!(
        verdicts(&mut py, &old, "s", &[OLD_SECRET], NOW + 10),
        ("ok".into(), "ok".into())
    );
    let ours_old = django::Signer::new(OLD_SECRET)
        .salt("s")
        .clock(at(NOW))
        .seal(&1)
        .unwrap();
    assert_eq!(
        verdicts(&mut py, &ours_old, "s", &[OLD_SECRET], NOW),
        ("ok".into(), "ok".into())
    );
}

/// Django's `TimestampSigner(salt=S).sign(s)` and `signing.dumps(obj, salt=S)` share one key:
/// a string signed under a salt is a `loads` token of that salt for the JSON it base64-encodes,
/// in Django and here alike, so the two cannot be told apart without breaking compatibility
/// (the trap `Signer::sign` and `Signer::open` document). A salt of their own keeps signed
/// strings apart, on both sides; and so do the default salts, which are Django's: `sign`
/// without `.salt(..)` is `TimestampSigner().sign` (salt `django.core.signing.TimestampSigner`),
/// not `dumps`' `django.core.signing`.
#[test]
fn a_signed_string_is_a_token_of_its_salt_in_django_too() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;

    let Some(mut py) = django("a_signed_string_is_a_token_of_its_salt_in_django_too") else {
        return;
    };
    // What a user could choose as their name: base64 of a JSON object.
    let chosen = URL_SAFE_NO_PAD.encode(br#"{"user":1,"admin":true}"#);
    let shared = django::Signer::new(SECRET).salt("reset").clock(at(NOW));
    let signed = shared.sign(&chosen);
    let answer = py.call(
        json!({"op": "loads", "secret": SECRET, "salt": "reset", "value": signed, "now": NOW}),
    );
    assert_eq!(answer["obj"], json!({"user": 1, "admin": true}), "{answer}");
    assert_eq!(
        shared.open::<Value>(&signed),
        Ok(json!({"user": 1, "admin": true}))
    );

    // Strings under a salt of their own: refused as tokens, by Django and here.
    let strings = django::Signer::new(SECRET)
        .salt("reset.names")
        .clock(at(NOW));
    let signed = strings.sign(&chosen);
    assert_eq!(
        verdicts(&mut py, &signed, "reset", &[], NOW),
        ("BadSignature".into(), "Invalid".into())
    );
    assert_eq!(strings.unsign(&signed).as_deref(), Ok(chosen.as_str()));

    // Default salts, as in Django: `sign` is TimestampSigner()'s, `open` is dumps'.
    let defaults = django::Signer::new(SECRET).clock(at(NOW));
    let signed = defaults.sign(&chosen);
    assert_eq!(
        verdicts(&mut py, &signed, django::DEFAULT_SALT, &[], NOW),
        ("BadSignature".into(), "Invalid".into())
    );
    let answer = py.call(json!({"op": "loads", "secret": SECRET, "now": NOW,
        "salt": django::TIMESTAMP_SIGNER_SALT, "value": signed}));
    assert_eq!(
        answer["obj"],
        json!({"user": 1, "admin": true}),
        "TimestampSigner()'s salt: {answer}"
    );
    let sealed = defaults.seal(&json!({"a": 1})).unwrap();
    assert_eq!(
        verdicts(&mut py, &sealed, django::DEFAULT_SALT, &[], NOW),
        ("ok".into(), "ok".into())
    );
    assert_eq!(defaults.unsign(&sealed), Err(OpenError::Invalid));
}

#[test]
fn signed_cookies_both_ways() {
    let Some(mut py) = django("signed_cookies_both_ways") else {
        return;
    };
    let theirs = py.value(
        json!({"op": "set_signed_cookie", "secret": SECRET, "name": "theme", "salt": "ui",
               "value": "dark:mode", "now": NOW}),
        "value",
    );
    let cookie = django::signed_cookie(SECRET, "theme")
        .salt("ui")
        .clock(at(NOW + 1));
    assert_eq!(cookie.open(&theirs).unwrap(), "dark:mode");
    assert_eq!(
        cookie.clone().clock(at(NOW)).seal("dark:mode"),
        theirs,
        "byte for byte"
    );

    let get = |py: &mut Peer, value: &str, name: &str, fallbacks: &[&str], now: i64| {
        let a = py.call(json!({"op": "get_signed_cookie", "secret": SECRET, "fallbacks": fallbacks,
                               "name": name, "salt": "ui", "value": value, "max_age": 60, "now": now}));
        a["value"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| a["error"].to_string().replace('"', ""))
    };
    let ours = cookie.seal("light");
    assert_eq!(
        get(&mut py, &ours, "theme", &[], NOW + 2),
        Ok("light".into())
    );
    assert_eq!(
        get(&mut py, &flip(&ours, 0), "theme", &[], NOW + 2),
        Err("BadSignature".into())
    );
    assert_eq!(cookie.open(&flip(&ours, 0)), Err(OpenError::Invalid));
    // Another cookie's name is another salt.
    assert_eq!(
        get(&mut py, &ours, "lang", &[], NOW + 2),
        Err("BadSignature".into())
    );
    let lang = django::signed_cookie(SECRET, "lang")
        .salt("ui")
        .clock(at(NOW + 2));
    assert_eq!(lang.open(&ours), Err(OpenError::Invalid));
    // Expired on both sides.
    assert_eq!(
        get(&mut py, &ours, "theme", &[], NOW + 62),
        Err("SignatureExpired".into())
    );
    let late = django::signed_cookie(SECRET, "theme")
        .salt("ui")
        .max_age(Duration::seconds(60));
    assert!(matches!(
        late.clock(at(NOW + 62)).open(&ours),
        Err(OpenError::Expired { .. })
    ));
    // A cookie signed under a key now in SECRET_KEY_FALLBACKS.
    let old = django::signed_cookie(OLD_SECRET, "theme")
        .salt("ui")
        .clock(at(NOW))
        .seal("sepia");
    assert_eq!(
        get(&mut py, &old, "theme", &[OLD_SECRET], NOW + 2),
        Ok("sepia".into())
    );
    let rotated = django::signed_cookie(SECRET, "theme")
        .salt("ui")
        .fallbacks([OLD_SECRET]);
    assert_eq!(rotated.clock(at(NOW + 2)).open(&old).unwrap(), "sepia");
    // The pre-v2 cookie salt, still accepted by both.
    let legacy = py.value(
        json!({"op": "legacy_signed_cookie", "secret": SECRET, "name": "theme", "salt": "ui",
               "value": "old-style", "now": NOW}),
        "value",
    );
    assert_eq!(cookie.open(&legacy).unwrap(), "old-style");
    assert_eq!(
        cookie.clone().legacy_salt_fallback(false).open(&legacy),
        Err(OpenError::Invalid)
    );
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct DjangoSession {
    #[serde(rename = "_auth_user_id")]
    user_id: String,
    #[serde(rename = "_auth_user_backend")]
    backend: String,
    cart: Vec<u32>,
}

fn session() -> DjangoSession {
    DjangoSession {
        user_id: "42".into(),
        backend: "django.contrib.auth.backends.ModelBackend".into(),
        cart: (1..40).collect(),
    }
}

#[test]
fn session_cookies_both_ways() {
    let Some(mut py) = django("session_cookies_both_ways") else {
        return;
    };
    let theirs = py.value(
        json!({"op": "session_save", "secret": SECRET, "data": session(), "now": NOW}),
        "value",
    );
    assert!(theirs.starts_with('.'), "compressed: {theirs}");
    let sessions = django::session_cookie(SECRET).clock(at(NOW + 60));
    assert_eq!(sessions.open::<DjangoSession>(&theirs).unwrap(), session());

    let ours = django::session_cookie(SECRET)
        .clock(at(NOW))
        .seal(&session())
        .unwrap();
    let load = |py: &mut Peer, value: &str, fallbacks: &[&str], now: i64| {
        py.call(
            json!({"op": "session_load", "secret": SECRET, "fallbacks": fallbacks,
                       "value": value, "now": now}),
        )["data"]
            .clone()
    };
    assert_eq!(
        load(&mut py, &ours, &[], NOW + 60),
        serde_json::to_value(session()).unwrap()
    );
    // Django answers an empty session where we refuse.
    assert_eq!(load(&mut py, &flip(&ours, 3), &[], NOW + 60), json!({}));
    assert_eq!(
        sessions.open::<DjangoSession>(&flip(&ours, 3)),
        Err(OpenError::Invalid)
    );
    let two_weeks = 14 * 24 * 3600;
    assert_eq!(load(&mut py, &ours, &[], NOW + two_weeks + 1), json!({}));
    let late = django::session_cookie(SECRET).clock(at(NOW + two_weeks + 1));
    assert!(matches!(
        late.open::<DjangoSession>(&ours),
        Err(OpenError::Expired { .. })
    ));
    // A session from before a key rotation.
    let old = django::session_cookie(OLD_SECRET)
        .clock(at(NOW))
        .seal(&session())
        .unwrap();
    assert_eq!(
        load(&mut py, &old, &[OLD_SECRET], NOW + 60),
        serde_json::to_value(session()).unwrap()
    );
    assert_eq!(
        sessions.open::<DjangoSession>(&old),
        Err(OpenError::Invalid)
    );
    let rotated = django::session_cookie(SECRET)
        .fallbacks([OLD_SECRET])
        .clock(at(NOW + 60));
    assert_eq!(rotated.open::<DjangoSession>(&old).unwrap(), session());
}

#[test]
fn bad_input_never_panics() {
    let signer = django::Signer::new(SECRET)
        .compress(true)
        .max_age(Duration::hours(1))
        .clock(at(NOW));
    let cookie = django::signed_cookie(SECRET, "c").clock(at(NOW));
    let sealed = signer.seal(&reset()).unwrap();
    let signed = cookie.seal("value");
    for m in mutations(&sealed).into_iter().chain(mutations(&signed)) {
        if m != sealed {
            assert!(signer.open::<Reset>(&m).is_err(), "{m}");
            assert!(signer.open::<Value>(&m).is_err(), "{m}");
        }
        if m != signed {
            assert!(cookie.open(&m).is_err(), "{m}");
        }
    }
    assert!(matches!(
        signer.open::<Value>(&"a".repeat(5000)),
        Err(OpenError::TooLarge { .. })
    ));
}

#[test]
fn a_signed_zip_bomb_is_refused() {
    // Authentic (signed with the key) and short, but inflating to 1 MiB: refused unread.
    let signer = django::Signer::new(SECRET).compress(true).clock(at(NOW));
    let bomb = signer.seal(&" ".repeat(1 << 20)).unwrap();
    assert!(bomb.len() < 4096, "{}", bomb.len());
    assert_eq!(signer.open::<Value>(&bomb), Err(OpenError::Malformed));
    let fits = signer.seal(&" ".repeat(60_000)).unwrap();
    assert_eq!(signer.open::<String>(&fits).unwrap().len(), 60_000);
}

#[allow(dead_code)]
#[path = "../../examples/django_migration.rs"]
mod migration;

#[tokio::test]
async fn the_migration_example_reseals_a_django_session_in_one_request() {
    use axum::body::{to_bytes, Body};
    use axum::http::{header, Request, StatusCode};
    use tower::ServiceExt;
    use typed_cookies::{Key, KeyRing, SealedCookie};

    let Some(mut py) = django("the_migration_example_reseals_a_django_session_in_one_request")
    else {
        return;
    };
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let django_cookie = py.value(
        json!({"op": "session_save", "secret": SECRET, "data": session(), "now": now}),
        "value",
    );
    let keys = KeyRing::new(Key::generate());
    let app = migration::app(migration::AppState {
        keys: keys.clone(),
        django: django::session_cookie(SECRET),
    });
    let request = |cookie: String| {
        Request::get("/me")
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap()
    };

    let response = app
        .clone()
        .oneshot(request(format!("sessionid={django_cookie}")))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let set_cookies: Vec<String> = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|h| h.to_str().unwrap().to_owned())
        .collect();
    let ours = set_cookies
        .iter()
        .find(|c| c.starts_with("__Host-sid="))
        .expect("our cookie");
    assert!(set_cookies
        .iter()
        .any(|c| c.starts_with("sessionid=;") && c.contains("Max-Age=0")));
    let body = to_bytes(response.into_body(), 1 << 16).await.unwrap();
    assert_eq!(&body[..], b"user 42 (migrated from Django)");
    let value = ours
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("__Host-sid=");
    assert_eq!(migration::Session::open(&keys, value).unwrap().user_id, 42);

    // The next request carries only our cookie.
    let pair = ours.split(';').next().unwrap().to_owned();
    let response = app.clone().oneshot(request(pair)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = to_bytes(response.into_body(), 1 << 16).await.unwrap();
    assert_eq!(&body[..], b"user 42");

    // A Django session changed in transit, or signed with another SECRET_KEY: not signed in.
    let response = app
        .clone()
        .oneshot(request(format!("sessionid={}", flip(&django_cookie, 4))))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let foreign = django::session_cookie("another-secret")
        .seal(&session())
        .unwrap();
    let response = app
        .oneshot(request(format!("sessionid={foreign}")))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}
