//! Values made by the real Express packages open here and the other way round, with the same
//! verdicts on both sides.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use typed_cookies::interop::{express, Digest};
use typed_cookies::OpenError;

use crate::interop::{flip, mutations, Peer};
use crate::*;

/// Fields in alphabetical order, so its JSON is the same whether serde writes the struct or
/// a `serde_json::Value` (sorted keys) carries it to the peer, and the bytes can be compared.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Session {
    admin: bool,
    user: String,
    visits: u32,
}

fn session() -> Session {
    Session {
        admin: false,
        user: "ada ✓ 100% +/=;".into(),
        visits: 3,
    }
}

#[test]
fn cookie_signature_both_ways() {
    let Some(mut js) = node("cookie_signature_both_ways") else {
        return;
    };
    let signer = express::Signer::new(SECRET).fallbacks([OLD]);
    for value in ["hello", "", "a.b.c", "é ✓ =+/", "s:j:{}"] {
        let theirs = js.value(
            json!({"op": "sign", "value": value, "secret": SECRET}),
            "value",
        );
        assert_eq!(signer.sign(value).unwrap(), theirs, "{value:?}");
        assert_eq!(signer.unsign(&theirs).unwrap(), value);
        // An old secret's signature: both sides accept it through the list.
        let old = js.value(
            json!({"op": "sign", "value": value, "secret": OLD}),
            "value",
        );
        assert_eq!(signer.unsign(&old).unwrap(), value);
        let back = js.call(json!({"op": "unsign", "value": old, "secrets": [SECRET, OLD]}));
        assert_eq!(back["value"], value);
        // Not under the new secret alone.
        assert_eq!(
            express::Signer::new(SECRET).unsign(&old),
            Err(OpenError::Invalid)
        );
        let back = js.call(json!({"op": "unsign", "value": old, "secrets": [SECRET]}));
        assert_eq!(back["value"], false);
        // A changed byte in the value (where it has an ASCII one) or the signature.
        let dot = theirs.rfind('.').unwrap();
        let ascii_in_value = theirs[..dot].bytes().position(|b| b.is_ascii());
        for i in ascii_in_value
            .into_iter()
            .chain([dot + 1, theirs.len() - 1])
        {
            let changed = flip(&theirs, i);
            let back = js.call(json!({"op": "unsign", "value": changed, "secrets": [SECRET, OLD]}));
            assert_eq!(back["value"], false, "{changed}");
            assert!(signer.unsign(&changed).is_err(), "{changed}");
        }
    }
}

/// Verdicts of the two sides on one signed cookie value: ("ok", value) / "invalid" /
/// "unsigned" from cookie-parser, the error's name or "ok" from us.
fn cookie_verdicts(js: &mut Peer, secrets: &[&str], cookie: &str) -> (String, String) {
    let answer =
        js.call(json!({"op": "cookie_open", "secrets": secrets, "name": "c", "cookie": cookie}));
    let theirs = answer["verdict"]
        .as_str()
        .unwrap_or_else(|| panic!("{answer}"))
        .to_owned();
    let ours = express::signed_cookie(secrets[0]).fallbacks(&secrets[1..]);
    let ours = match ours.open::<Value>(cookie) {
        Ok(v) => {
            assert_eq!(
                serde_json::to_string(&v).unwrap(),
                serde_json::to_string(&answer["value"]).unwrap()
            );
            "ok".to_owned()
        }
        Err(e) => format!("{e:?}"),
    };
    (theirs, ours)
}

#[test]
fn signed_cookies_both_ways() {
    let Some(mut js) = node("signed_cookies_both_ways") else {
        return;
    };
    let cookies = express::signed_cookie(SECRET).fallbacks([OLD]);
    let seal = |js: &mut Peer, secrets: Value, value: Value| {
        js.value(
            json!({"op": "cookie_seal", "secrets": secrets, "name": "c", "value": value}),
            "value",
        )
    };
    let open = |js: &mut Peer, secrets: Value, cookie: &str| {
        let answer = js
            .call(json!({"op": "cookie_open", "secrets": secrets, "name": "c", "cookie": cookie}));
        assert_eq!(answer["verdict"], "ok", "{answer}");
        answer["value"].clone()
    };

    // A typed struct: `j:` JSON, the same bytes on both sides.
    let theirs = seal(&mut js, json!([SECRET, OLD]), json!(session()));
    assert!(theirs.starts_with("s%3Aj%3A%7B"), "{theirs}");
    assert_eq!(cookies.seal(&session()).unwrap(), theirs);
    assert_eq!(cookies.open::<Session>(&theirs).unwrap(), session());
    let ours = cookies.seal(&session()).unwrap();
    assert_eq!(open(&mut js, json!([SECRET, OLD]), &ours), json!(session()));

    // Strings, arrays, null, numbers and booleans, as res.cookie writes them.
    for value in [
        json!("dark ✓; 50%"),
        json!([1, "two", {"three": 3}]),
        json!(null),
        json!(42),
        json!(-1.5),
        json!(true),
    ] {
        let theirs = seal(&mut js, json!([SECRET]), value.clone());
        assert_eq!(cookies.seal(&value).unwrap(), theirs, "{value}");
        // cookie-parser gives numbers and booleans back as their text, and leaves a falsy
        // JSON (`j:null`) as the raw text; typed, we read the value.
        let seen = open(&mut js, json!([SECRET]), &theirs);
        match &value {
            Value::Number(_) | Value::Bool(_) => {
                assert_eq!(seen, json!(value.to_string()));
                assert_eq!(cookies.open::<Value>(&theirs).unwrap(), seen);
            }
            Value::Null => {
                assert_eq!(seen, json!("j:null"));
                assert_eq!(cookies.open::<Option<u8>>(&theirs).unwrap(), None);
            }
            _ => {
                assert_eq!(seen, value);
                assert_eq!(cookies.open::<Value>(&theirs).unwrap(), value);
            }
        }
    }
    let number = seal(&mut js, json!([SECRET]), json!(42));
    assert_eq!(cookies.open::<u64>(&number).unwrap(), 42);
    assert_eq!(cookies.open::<String>(&number).unwrap(), "42");
    let number = seal(&mut js, json!([SECRET]), json!(-1.5));
    assert_eq!(cookies.open::<f64>(&number).unwrap(), -1.5);
    assert!(cookies
        .open::<bool>(&seal(&mut js, json!([SECRET]), json!(true)))
        .unwrap());

    // Rotation: cookieParser([new, old]) opens what the old secret signed; both sides sign
    // with the first secret only.
    let by_old = seal(&mut js, json!([OLD]), json!(session()));
    assert_eq!(cookies.open::<Session>(&by_old).unwrap(), session());
    assert_eq!(
        open(&mut js, json!([SECRET, OLD]), &by_old),
        json!(session())
    );
    let ours_old = express::signed_cookie(OLD).seal(&session()).unwrap();
    assert_eq!(ours_old, by_old);
    assert_ne!(cookies.seal(&session()).unwrap(), by_old);
}

#[test]
fn signed_cookie_verdicts_agree() {
    let Some(mut js) = node("signed_cookie_verdicts_agree") else {
        return;
    };
    let theirs = js.value(
        json!({"op": "cookie_seal", "secrets": [SECRET], "name": "c", "value": {"a": [1, 2]}}),
        "value",
    );
    let ours = express::signed_cookie(SECRET)
        .seal(&json!({"a": [1, 2]}))
        .unwrap();
    assert_eq!(ours, theirs);
    let ok = ("ok".to_owned(), "ok".to_owned());
    let invalid = ("invalid".to_owned(), "Invalid".to_owned());
    assert_eq!(cookie_verdicts(&mut js, &[SECRET], &ours), ok);
    assert_eq!(cookie_verdicts(&mut js, &[OLD, SECRET], &ours), ok);
    // The wrong secret.
    assert_eq!(cookie_verdicts(&mut js, &[OLD], &ours), invalid);
    // A changed byte in the JSON (`%7B` becomes `%7A`) or the signature.
    let dot = ours.rfind('.').unwrap();
    assert_eq!(&ours[8..11], "%7B");
    for i in [10, dot + 1, ours.len() - 1] {
        assert_eq!(
            cookie_verdicts(&mut js, &[SECRET], &flip(&ours, i)),
            invalid,
            "byte {i}"
        );
    }
    // A change that breaks a percent-escape (`%7D` becomes `%AD`, not UTF-8): the `cookie`
    // package keeps the value undecoded, so it is no `s:` value for either side.
    assert_eq!(&ours[dot - 3..dot], "%7D");
    assert_eq!(
        cookie_verdicts(&mut js, &[SECRET], &flip(&ours, dot - 2)),
        ("unsigned".to_owned(), "Malformed".to_owned())
    );
    // The JSON of another value with the signature of this one.
    let other = ours.replacen("%5B1%2C2%5D", "%5B1%2C3%5D", 1);
    assert_eq!(cookie_verdicts(&mut js, &[SECRET], &other), invalid);
    // Unsigned: not a signed cookie at all.
    let unsigned = "j%3A%7B%22a%22%3A1%7D";
    assert_eq!(
        cookie_verdicts(&mut js, &[SECRET], unsigned),
        ("unsigned".to_owned(), "Malformed".to_owned())
    );
    // Already decoded by a framework: the same verdicts.
    let decoded = ours.replace("%3A", ":");
    assert_eq!(cookie_verdicts(&mut js, &[SECRET], &decoded), ok);
}

#[test]
fn cookie_session_both_ways() {
    let Some(mut js) = node("cookie_session_both_ways") else {
        return;
    };
    let seal = |js: &mut Peer, req: Value| {
        let answer = js.call(req.clone());
        let field = |f: &str| {
            answer[f]
                .as_str()
                .unwrap_or_else(|| panic!("peer answered {answer} to {req}"))
                .to_owned()
        };
        express::SessionCookie {
            value: field("value"),
            sig: field("sig"),
        }
    };
    let open = |js: &mut Peer, keys: Value, algorithm: Option<&str>, c: &express::SessionCookie| {
        js.call(
            json!({"op": "session_open", "keys": keys, "algorithm": algorithm, "name": "sess",
                       "value": c.value, "sig": c.sig}),
        )
    };

    for (digest, algorithm) in [(Digest::Sha1, None), (Digest::Sha256, Some("sha256"))] {
        let sessions = express::cookie_session(SECRET)
            .fallbacks([OLD])
            .name("sess")
            .digest(digest);
        // Theirs, opened here: the same two values we write.
        let theirs = seal(
            &mut js,
            json!({"op": "session_seal", "keys": [SECRET, OLD], "algorithm": algorithm,
                   "name": "sess", "obj": session()}),
        );
        assert_eq!(sessions.seal(&session()).unwrap(), theirs);
        assert_eq!(
            sessions
                .open::<Session>(&theirs.value, &theirs.sig)
                .unwrap(),
            session()
        );
        // Ours, opened there: an existing (not new) session with our data, nothing re-signed.
        let ours = sessions.seal(&session()).unwrap();
        let back = open(&mut js, json!([SECRET, OLD]), algorithm, &ours);
        assert_eq!(back["session"], json!(session()), "{back}");
        assert_eq!(back["is_new"], false);
        assert_eq!(back["cookies"], json!({}));

        // Rotation: a session signed by the old key opens on both sides; cookie-session
        // re-signs it with the new key, which is our `sign`.
        let by_old = seal(
            &mut js,
            json!({"op": "session_seal", "keys": [OLD], "algorithm": algorithm,
                   "name": "sess", "obj": session()}),
        );
        assert_eq!(sessions.key_index(&by_old.value, &by_old.sig).unwrap(), 1);
        assert_eq!(
            sessions
                .open::<Session>(&by_old.value, &by_old.sig)
                .unwrap(),
            session()
        );
        let back = open(&mut js, json!([SECRET, OLD]), algorithm, &by_old);
        assert_eq!(back["session"], json!(session()), "{back}");
        assert_eq!(
            back["cookies"]["sess.sig"],
            sessions.sign(&by_old.value).unwrap()
        );

        // Verdicts: a changed value, a changed signature, the wrong key, another name's
        // value. cookie-session answers a new, empty session; we refuse.
        let refused = |js: &mut Peer, keys: Value, c: &express::SessionCookie| {
            let back = open(js, keys, algorithm, c);
            assert_eq!(back["is_new"], true, "{back}");
            assert_eq!(back["session"], json!({}), "{back}");
        };
        let changed_value = express::SessionCookie {
            value: flip(&ours.value, 5),
            sig: ours.sig.clone(),
        };
        let changed_sig = express::SessionCookie {
            value: ours.value.clone(),
            sig: flip(&ours.sig, 3),
        };
        for c in [&changed_value, &changed_sig] {
            refused(&mut js, json!([SECRET, OLD]), c);
            assert_eq!(
                sessions.open::<Session>(&c.value, &c.sig),
                Err(OpenError::Invalid)
            );
        }
        refused(&mut js, json!(["another key"]), &ours);
        let other_key = express::cookie_session("another key")
            .name("sess")
            .digest(digest);
        assert_eq!(
            other_key.open::<Session>(&ours.value, &ours.sig),
            Err(OpenError::Invalid)
        );
        let other_name = sessions.clone().name("other").seal(&session()).unwrap();
        refused(&mut js, json!([SECRET, OLD]), &other_name);
        assert_eq!(
            sessions.open::<Session>(&other_name.value, &other_name.sig),
            Err(OpenError::Invalid)
        );
    }
    // Another hash than the one the app uses: refused on both sides.
    let sha256 = express::cookie_session(SECRET)
        .name("sess")
        .digest(Digest::Sha256);
    let ours = sha256.seal(&session()).unwrap();
    let back = open(&mut js, json!([SECRET]), None, &ours);
    assert_eq!(back["is_new"], true, "{back}");
    let sha1 = express::cookie_session(SECRET).name("sess");
    assert_eq!(
        sha1.open::<Session>(&ours.value, &ours.sig),
        Err(OpenError::Invalid)
    );
}

#[test]
fn express_session_id_both_ways() {
    let Some(mut js) = node("express_session_id_both_ways") else {
        return;
    };
    let sid = express::session_id_cookie(SECRET).fallbacks([OLD]);
    let name = express::SESSION_ID_COOKIE_NAME;
    let open = |js: &mut Peer, secrets: Value, value: &str| {
        js.call(json!({"op": "sid_open", "secrets": secrets, "name": name, "value": value}))["id"]
            .clone()
    };
    // uid-safe's ids (base64url), and ids of a custom genid with characters to escape.
    for id in ["CsRqn3VmFQ1kJ9r5a2m8Xh0qU7pLwE4Y", "user:42/é+=", "a.b"] {
        let theirs = js.value(
            json!({"op": "sid_seal", "secrets": [SECRET, OLD], "name": name, "id": id}),
            "value",
        );
        assert_eq!(sid.seal(id).unwrap(), theirs, "{id}");
        assert_eq!(sid.open(&theirs).unwrap(), id);
        let ours = sid.seal(id).unwrap();
        assert_eq!(open(&mut js, json!([SECRET, OLD]), &ours), json!(id));

        // Rotation: the old secret's cookie opens under [new, old] on both sides.
        let by_old = js.value(
            json!({"op": "sid_seal", "secrets": [OLD], "name": name, "id": id}),
            "value",
        );
        assert_eq!(sid.open(&by_old).unwrap(), id);
        assert_eq!(open(&mut js, json!([SECRET, OLD]), &by_old), json!(id));

        // Refused on both sides: the wrong secret, a changed byte, unsigned.
        assert_eq!(open(&mut js, json!([SECRET]), &by_old), Value::Null);
        assert_eq!(
            express::session_id_cookie(SECRET).open(&by_old),
            Err(OpenError::Invalid)
        );
        for i in [5, ours.len() - 1] {
            let changed = flip(&ours, i);
            assert_eq!(
                open(&mut js, json!([SECRET, OLD]), &changed),
                Value::Null,
                "{changed}"
            );
            assert_eq!(sid.open(&changed), Err(OpenError::Invalid), "{changed}");
        }
        assert_eq!(open(&mut js, json!([SECRET, OLD]), id), Value::Null);
        assert!(sid.open(id).is_err());
    }
}

#[test]
fn bad_input_never_panics() {
    let cookies = express::signed_cookie(SECRET).fallbacks([OLD]);
    let sid = express::session_id_cookie(SECRET).fallbacks([OLD]);
    let sessions = express::cookie_session(SECRET).fallbacks([OLD]);
    let value = cookies.seal(&session()).unwrap();
    for m in mutations(&value) {
        if m != value {
            assert!(cookies.open::<Value>(&m).is_err(), "{m}");
            assert!(sid.open(&m).is_err(), "{m}");
        }
    }
    let id = sid.seal("CsRqn3VmFQ1kJ9r5a2m8Xh0qU7pLwE4Y").unwrap();
    for m in mutations(&id) {
        if m != id {
            assert!(sid.open(&m).is_err(), "{m}");
        }
    }
    let c = sessions.seal(&session()).unwrap();
    for m in mutations(&c.value) {
        if m != c.value {
            assert!(sessions.open::<Value>(&m, &c.sig).is_err(), "{m}");
        }
    }
    for m in mutations(&c.sig) {
        if m != c.sig {
            assert!(sessions.open::<Value>(&c.value, &m).is_err(), "{m}");
        }
    }
}
