//! Against the real Rails 6.1 (ActiveSupport and ActionPack), both ways: signed and encrypted
//! cookies written and read by ActionDispatch's own jar (signed values compared byte for
//! byte), the `CookieStore` session cookie through its middleware, a changed byte, a wrong
//! secret, another cookie's name and an expired value get the same verdict on both sides;
//! rotations; Marshal cookies are refused here; Rails 5.2 cookies without purpose.

use crate::interop::{flip, Peer};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use typed_cookies::interop::rails::{CookieJar, Defaults, Rotation};
use typed_cookies::interop::Digest;
use typed_cookies::time::Duration;
use typed_cookies::OpenError;

use super::*;

pub(crate) fn rails(test: &str) -> Option<Peer> {
    Peer::start(test, "ruby", "rails_peer.rb", RUBY_HINT)
}

/// The app's settings (`settings`) and the operation's fields, as one request.
pub(crate) fn request(settings: &Value, op: Value) -> Value {
    let mut out = settings.clone();
    for (k, v) in op.as_object().expect("an object") {
        out[k] = v.clone();
    }
    out
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Remember {
    user_id: u64,
    name: String,
    admin: bool,
    scopes: Vec<String>,
}

pub(crate) fn remember() -> Remember {
    Remember {
        user_id: 42,
        // ActiveSupport::JSON escapes < > & and keeps é as UTF-8.
        name: "Zoë <zoe@example.com> & co".into(),
        admin: false,
        scopes: vec!["read".into(), "write".into()],
    }
}

/// The cookie settings of one app, on both sides.
struct App {
    label: &'static str,
    settings: Value,
    jar: CookieJar,
}

fn apps() -> Vec<App> {
    let base = CookieJar::new(SKB).unwrap();
    vec![
        App {
            label: "Rails 6.1 defaults",
            settings: json!({"secret_key_base": SKB}),
            jar: base.clone(),
        },
        App {
            label: "Rails 7.0 key generator (SHA-256)",
            settings: json!({"secret_key_base": SKB, "key_generator_digest": "SHA256"}),
            jar: base.clone().load_defaults(Defaults::V7_0),
        },
        App {
            label: "signed_cookie_digest SHA256",
            settings: json!({"secret_key_base": SKB, "signed_cookie_digest": "SHA256"}),
            jar: base.clone().signed_cookie_digest(Digest::Sha256),
        },
        App {
            label: "Rails 5.2 (no purpose in cookies)",
            settings: json!({"secret_key_base": SKB, "metadata": false}),
            jar: base.clone().load_defaults(Defaults::V5_2),
        },
        App {
            label: "Rails < 5.2 (AES-256-CBC)",
            settings: json!({"secret_key_base": SKB, "authenticated": false}),
            jar: base.authenticated_encryption(false),
        },
    ]
}

/// What Rails' jar reads from cookie `name` (`None`: it answered nil).
fn rails_reads(
    rb: &mut Peer,
    settings: &Value,
    jar: &str,
    name: &str,
    value: &str,
    now: i64,
) -> Option<Value> {
    let answer = rb.call(request(
        settings,
        json!({"op": "read", "jar": jar, "name": name, "value": value, "now": now}),
    ));
    assert!(answer.get("error").is_none(), "{answer}");
    (answer["found"] == true).then(|| answer["value"].clone())
}

fn rails_writes(
    rb: &mut Peer,
    settings: &Value,
    jar: &str,
    name: &str,
    value: Value,
    expires_in: Option<i64>,
) -> String {
    rb.value(
        request(
            settings,
            json!({"op": "write", "jar": jar, "name": name, "value": value,
                   "expires_in": expires_in, "now": NOW}),
        ),
        "value",
    )
}

#[test]
fn signed_cookies_both_ways_byte_for_byte() {
    let Some(mut rb) = rails("signed_cookies_both_ways_byte_for_byte") else {
        return;
    };
    let value = serde_json::to_value(remember()).unwrap();
    for app in apps() {
        for expires in [None, Some(3600)] {
            let label = format!("{} expires {expires:?}", app.label);
            let theirs = rails_writes(
                &mut rb,
                &app.settings,
                "signed",
                "remember",
                value.clone(),
                expires,
            );
            let mut ours = app.jar.clone().clock(at(NOW)).signed("remember");
            if let Some(secs) = expires {
                ours = ours.expires_in(Duration::seconds(secs));
            }
            // The same JSON (keys in the order both sides got them) at the same time.
            let sealed = ours.seal(&value).unwrap();
            assert_eq!(sealed, theirs, "{label}");
            let later = app.jar.clone().clock(at(NOW + 60)).signed("remember");
            assert_eq!(
                later.open::<Remember>(&theirs).unwrap(),
                remember(),
                "{label}"
            );
            assert_eq!(
                rails_reads(
                    &mut rb,
                    &app.settings,
                    "signed",
                    "remember",
                    &sealed,
                    NOW + 60
                ),
                Some(value.clone()),
                "{label}"
            );
        }
    }
}

#[test]
fn encrypted_cookies_both_ways() {
    let Some(mut rb) = rails("encrypted_cookies_both_ways") else {
        return;
    };
    let value = serde_json::to_value(remember()).unwrap();
    for app in apps() {
        for expires in [None, Some(3600)] {
            let label = format!("{} expires {expires:?}", app.label);
            let theirs = rails_writes(
                &mut rb,
                &app.settings,
                "encrypted",
                "prefs",
                value.clone(),
                expires,
            );
            let cbc = app.label.contains("CBC");
            assert_eq!(
                theirs.matches("--").count(),
                if cbc { 1 } else { 2 },
                "{label}"
            );
            let jar = app.jar.clone().clock(at(NOW + 60));
            assert_eq!(
                jar.encrypted("prefs").open::<Remember>(&theirs).unwrap(),
                remember(),
                "{label}"
            );
            let mut ours = app.jar.clone().clock(at(NOW)).encrypted("prefs");
            if let Some(secs) = expires {
                ours = ours.expires_in(Duration::seconds(secs));
            }
            let sealed = ours.seal(&remember()).unwrap();
            assert_eq!(
                sealed.matches("--").count(),
                if cbc { 1 } else { 2 },
                "{label}"
            );
            assert_eq!(
                rails_reads(
                    &mut rb,
                    &app.settings,
                    "encrypted",
                    "prefs",
                    &sealed,
                    NOW + 60
                ),
                Some(value.clone()),
                "{label}"
            );
        }
    }
    // A Rails 5.2+ app still reads the CBC cookies of Rails < 5.2, and so does the jar here;
    // the other way round too (Rails < 5.2 settings read AES-GCM cookies once the salt is set).
    let gcm = json!({"secret_key_base": SKB});
    let cbc_settings = json!({"secret_key_base": SKB, "authenticated": false});
    let legacy = rails_writes(
        &mut rb,
        &cbc_settings,
        "encrypted",
        "prefs",
        json!("old"),
        None,
    );
    assert_eq!(
        rails_reads(&mut rb, &gcm, "encrypted", "prefs", &legacy, NOW),
        Some(json!("old"))
    );
    let jar = CookieJar::new(SKB).unwrap();
    assert_eq!(
        jar.encrypted("prefs").open::<String>(&legacy).unwrap(),
        "old"
    );
    assert_eq!(
        jar.clone()
            .legacy_cbc(false)
            .encrypted("prefs")
            .open::<String>(&legacy),
        Err(OpenError::Invalid)
    );
    let cbc_jar = jar.authenticated_encryption(false);
    let modern = rails_writes(&mut rb, &gcm, "encrypted", "prefs", json!("new"), None);
    assert_eq!(
        rails_reads(&mut rb, &cbc_settings, "encrypted", "prefs", &modern, NOW),
        Some(json!("new"))
    );
    assert_eq!(
        cbc_jar.encrypted("prefs").open::<String>(&modern).unwrap(),
        "new"
    );
}

/// The keys a Rails session usually holds; others are ignored.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct RailsSession {
    session_id: String,
    user_id: u64,
    #[serde(default)]
    cart: Vec<u32>,
}

#[test]
fn session_cookie_both_ways() {
    let Some(mut rb) = rails("session_cookie_both_ways") else {
        return;
    };
    for app in apps() {
        let label = app.label;
        let answer = rb.call(request(
            &app.settings,
            json!({"op": "session_write", "name": "_shop_session", "data": {"user_id": 42, "cart": [3, 4]},
                   "expire_after": 1200, "now": NOW}),
        ));
        let theirs = answer["value"]
            .as_str()
            .unwrap_or_else(|| panic!("{label}: {answer}"));
        let sid = answer["data"]["session_id"].as_str().unwrap().to_owned();
        assert_eq!(sid.len(), 32, "{label}");
        let sessions = app
            .jar
            .clone()
            .clock(at(NOW + 1199))
            .session("_shop_session");
        let session: RailsSession = sessions.open(theirs).unwrap();
        assert_eq!(
            session,
            RailsSession {
                session_id: sid.clone(),
                user_id: 42,
                cart: vec![3, 4]
            },
            "{label}"
        );
        // `expire_after` is in the value: expired for both at 20 minutes.
        let late = app
            .jar
            .clone()
            .clock(at(NOW + 1200))
            .session("_shop_session");
        assert!(
            matches!(
                late.open::<RailsSession>(theirs),
                Err(OpenError::Expired { .. })
            ),
            "{label}"
        );
        let read = |rb: &mut Peer, value: &str, now: i64| {
            rb.call(request(
                &app.settings,
                json!({"op": "session_read", "name": "_shop_session", "value": value,
                       "expire_after": 1200, "now": now}),
            ))["data"]
                .clone()
        };
        assert_eq!(read(&mut rb, theirs, NOW + 1199)["user_id"], 42, "{label}");
        assert_eq!(
            read(&mut rb, theirs, NOW + 1200)["user_id"],
            Value::Null,
            "{label}"
        );

        // Ours, read by the CookieStore: the same session id and data.
        let ours = app
            .jar
            .clone()
            .clock(at(NOW))
            .session("_shop_session")
            .expires_in(Duration::seconds(1200))
            .seal(&RailsSession {
                session_id: sid.clone(),
                user_id: 7,
                cart: vec![],
            })
            .unwrap();
        let data = read(&mut rb, &ours, NOW + 60);
        assert_eq!(
            (data["session_id"].as_str(), &data["user_id"]),
            (Some(sid.as_str()), &json!(7)),
            "{label}"
        );
        assert_eq!(
            read(&mut rb, &ours, NOW + 1200)["user_id"],
            Value::Null,
            "{label}"
        );
        // Another app's session cookie name: a fresh session on both sides.
        let other = app
            .jar
            .clone()
            .clock(at(NOW + 60))
            .session("_other_session");
        if app.label.starts_with("Rails 5.2") {
            // Without purposes (Rails 5.2), cookies can move between names, on both sides.
            assert!(other.open::<RailsSession>(&ours).is_ok());
        } else {
            assert_eq!(
                other.open::<RailsSession>(&ours),
                Err(OpenError::Invalid),
                "{label}"
            );
        }
    }
}

/// Rails' verdict (`ok` or `nil`) and ours, on one cookie value.
fn verdicts(
    rb: &mut Peer,
    settings: &Value,
    jar: &CookieJar,
    kind: &str,
    name: &str,
    value: &str,
    now: i64,
) -> (&'static str, String) {
    let theirs = match rails_reads(rb, settings, kind, name, value, now) {
        Some(_) => "ok",
        None => "nil",
    };
    let jar = jar.clone().clock(at(now));
    let opened = if kind == "signed" {
        jar.signed(name).open::<Value>(value)
    } else {
        jar.encrypted(name).open::<Value>(value)
    };
    let ours = match opened {
        Ok(_) => "ok".to_owned(),
        Err(OpenError::Expired { .. }) => "Expired".to_owned(),
        Err(e) => format!("{e:?}"),
    };
    (theirs, ours)
}

#[test]
fn tampering_secrets_names_and_expiry_agree_with_rails() {
    let Some(mut rb) = rails("tampering_secrets_names_and_expiry_agree_with_rails") else {
        return;
    };
    for app in apps()
        .into_iter()
        .filter(|a| !a.label.starts_with("Rails 5.2"))
    {
        for kind in ["signed", "encrypted"] {
            let theirs = rails_writes(&mut rb, &app.settings, kind, "c", json!({"a": 1}), Some(60));
            let ours = {
                let jar = app.jar.clone().clock(at(NOW));
                if kind == "signed" {
                    jar.signed("c")
                        .expires_in(Duration::seconds(60))
                        .seal(&json!({"a": 1}))
                } else {
                    jar.encrypted("c")
                        .expires_in(Duration::seconds(60))
                        .seal(&json!({"a": 1}))
                }
                .unwrap()
            };
            for value in [&theirs, &ours] {
                let label = format!("{} {kind} {value}", app.label);
                let check = |rb: &mut Peer, v: &str, name: &str, now: i64| {
                    verdicts(rb, &app.settings, &app.jar, kind, name, v, now)
                };
                assert_eq!(
                    check(&mut rb, value, "c", NOW + 59),
                    ("ok", "ok".into()),
                    "{label}"
                );
                // A changed character anywhere: refused on both sides, never read.
                let step = (value.len() / 12).max(1);
                for i in (0..value.len()).step_by(step).chain([value.len() - 1]) {
                    let (t, o) = check(&mut rb, &flip(value, i), "c", NOW + 10);
                    assert_eq!(t, "nil", "{label} byte {i}");
                    assert!(o == "Invalid" || o == "Malformed", "{label} byte {i}: {o}");
                }
                // Another cookie's name (purpose cookie.c), or another app's secret_key_base.
                assert_eq!(
                    check(&mut rb, value, "d", NOW + 10),
                    ("nil", "Invalid".into()),
                    "{label}"
                );
                let foreign = request(&app.settings, json!({"secret_key_base": OLD_SKB}));
                let foreign_jar = CookieJar::new(OLD_SKB).unwrap();
                let t = rails_reads(&mut rb, &foreign, kind, "c", value, NOW + 10);
                assert_eq!(t, None, "{label}");
                let o = verdicts(&mut rb, &foreign, &foreign_jar, kind, "c", value, NOW + 10).1;
                assert_eq!(o, "Invalid", "{label}");
                // Expired at exactly `expires`, on both sides.
                assert_eq!(
                    check(&mut rb, value, "c", NOW + 60),
                    ("nil", "Expired".into()),
                    "{label}"
                );
            }
        }
    }
}

#[test]
fn rotations_agree_with_rails() {
    let Some(mut rb) = rails("rotations_agree_with_rails") else {
        return;
    };
    // (what wrote the cookie, the app now, its rotation on the Rails side, the jar here)
    let cases = [
        (
            "old secret_key_base",
            json!({"secret_key_base": OLD_SKB}),
            json!({"secret_key_base": SKB, "rotations": [{"secret_key_base": OLD_SKB}]}),
            CookieJar::new(SKB).unwrap().fallbacks([OLD_SKB]),
            json!({"secret_key_base": SKB}),
            CookieJar::new(SKB).unwrap(),
        ),
        (
            "Rails 7.0 upgrade: SHA-1 key generator rotated",
            json!({"secret_key_base": SKB}),
            json!({"secret_key_base": SKB, "key_generator_digest": "SHA256",
                   "rotations": [{"key_generator_digest": "SHA1"}]}),
            CookieJar::new(SKB)
                .unwrap()
                .load_defaults(Defaults::V7_0)
                .rotate(Rotation::new().key_generator_digest(Digest::Sha1)),
            json!({"secret_key_base": SKB, "key_generator_digest": "SHA256"}),
            CookieJar::new(SKB).unwrap().load_defaults(Defaults::V7_0),
        ),
        (
            "signed digest SHA-256 rotated out",
            json!({"secret_key_base": SKB, "signed_cookie_digest": "SHA256"}),
            json!({"secret_key_base": SKB, "rotations": [{"signed_cookie_digest": "SHA256"}]}),
            CookieJar::new(SKB)
                .unwrap()
                .rotate(Rotation::new().signed_cookie_digest(Digest::Sha256)),
            json!({"secret_key_base": SKB}),
            CookieJar::new(SKB).unwrap(),
        ),
    ];
    for (label, old, now_settings, now_jar, bare_settings, bare_jar) in cases {
        let kinds: &[&str] = if label.starts_with("signed") {
            &["signed"]
        } else {
            &["signed", "encrypted"]
        };
        for &kind in kinds {
            let label = format!("{label} ({kind})");
            let theirs = rails_writes(&mut rb, &old, kind, "c", json!("v"), None);
            assert_eq!(
                rails_reads(&mut rb, &now_settings, kind, "c", &theirs, NOW),
                Some(json!("v")),
                "{label}"
            );
            assert_eq!(
                verdicts(&mut rb, &now_settings, &now_jar, kind, "c", &theirs, NOW),
                ("ok", "ok".into()),
                "{label}"
            );
            // Without the rotation, refused on both sides.
            assert_eq!(
                verdicts(&mut rb, &bare_settings, &bare_jar, kind, "c", &theirs, NOW),
                ("nil", "Invalid".into()),
                "{label}"
            );
            // New cookies are made with the new settings only.
            let ours = if kind == "signed" {
                now_jar.signed("c").seal("v")
            } else {
                now_jar.encrypted("c").seal("v")
            }
            .unwrap();
            assert_eq!(
                rails_reads(&mut rb, &bare_settings, kind, "c", &ours, NOW),
                Some(json!("v")),
                "{label}"
            );
            assert_eq!(
                rails_reads(&mut rb, &old, kind, "c", &ours, NOW),
                None,
                "{label}"
            );
        }
    }
}

#[test]
fn marshal_cookies_are_refused_not_parsed() {
    let Some(mut rb) = rails("marshal_cookies_are_refused_not_parsed") else {
        return;
    };
    let marshal = json!({"secret_key_base": SKB, "serializer": "marshal"});
    let jar = CookieJar::new(SKB).unwrap().clock(at(NOW));
    for kind in ["signed", "encrypted"] {
        let value = rails_writes(&mut rb, &marshal, kind, "c", json!({"user_id": 1}), None);
        // Authentic: Rails (with Marshal) reads it.
        assert_eq!(
            rails_reads(&mut rb, &marshal, kind, "c", &value, NOW),
            Some(json!({"user_id": 1}))
        );
        let ours = if kind == "signed" {
            jar.signed("c").open::<Value>(&value)
        } else {
            jar.encrypted("c").open::<Value>(&value)
        };
        let err = ours.unwrap_err();
        assert_eq!(
            err,
            OpenError::UnsupportedSerializer {
                serializer: "Ruby Marshal"
            }
        );
        assert_eq!(err.kind(), "unsupported_serializer");
        assert!(
            err.to_string().contains("cookies_serializer = :json"),
            "{err}"
        );
        // `:hybrid` writes JSON, which opens here.
        let hybrid = json!({"secret_key_base": SKB, "serializer": "hybrid"});
        let value = rails_writes(&mut rb, &hybrid, kind, "c", json!({"user_id": 2}), None);
        let ours = if kind == "signed" {
            jar.signed("c").open::<Value>(&value)
        } else {
            jar.encrypted("c").open::<Value>(&value)
        };
        assert_eq!(ours.unwrap(), json!({"user_id": 2}));
    }
}

#[test]
fn cookies_without_purpose_rails_5_2() {
    let Some(mut rb) = rails("cookies_without_purpose_rails_5_2") else {
        return;
    };
    let v52 = json!({"secret_key_base": SKB, "metadata": false});
    let v61 = json!({"secret_key_base": SKB});
    let jar = CookieJar::new(SKB).unwrap();
    for kind in ["signed", "encrypted"] {
        let value = rails_writes(&mut rb, &v52, kind, "a", json!(1), None);
        // Rails 6.1 reads it, under any name: the laxness `accept_unpurposed` opts into.
        assert_eq!(
            rails_reads(&mut rb, &v61, kind, "b", &value, NOW),
            Some(json!(1))
        );
        let open = |jar: &CookieJar, name: &str| {
            if kind == "signed" {
                jar.signed(name).open::<u8>(&value)
            } else {
                jar.encrypted(name).open::<u8>(&value)
            }
        };
        assert_eq!(open(&jar, "a"), Err(OpenError::Invalid));
        let lenient = jar.clone().accept_unpurposed(true);
        assert_eq!((open(&lenient, "a"), open(&lenient, "b")), (Ok(1), Ok(1)));
        let legacy = jar.clone().load_defaults(Defaults::V5_2);
        assert_eq!(open(&legacy, "a"), Ok(1));
        // What Rails 6.1 wrote (with purpose) never opens under another name, even leniently.
        let purposed = rails_writes(&mut rb, &v61, kind, "a", json!(1), None);
        let lenient_b = if kind == "signed" {
            lenient.signed("b").open::<u8>(&purposed)
        } else {
            lenient.encrypted("b").open::<u8>(&purposed)
        };
        assert_eq!(lenient_b, Err(OpenError::Invalid));
    }
}
