//! `typed-cookies open|seal|inspect --express | --express-session | --cookie-session`, run as
//! the real binary: values the real Express 4 / cookie-parser / express-session /
//! cookie-session wrote open, round trips with the library both ways, wrong secrets and
//! signatures refused, and what `inspect` shows without keys.

mod support;
use support::{bin, json_of, run};

use predicates::prelude::*;
use serde_json::{json, Value};
use typed_cookies::interop::{express, Digest};

/// Written by Express (tests/interop/node/express_peer.mjs, `cookie_seal`) under
/// `cookieParser("keyboard cat")`: `res.cookie("cart", {items: [3, 4], note: "hi"}, {signed: true})`.
const EXPRESS_SIGNED: &str = "s%3Aj%3A%7B%22items%22%3A%5B3%2C4%5D%2C%22note%22%3A%22hi%22%7D.C1DH%2Be5K2v0AYKIOxSXezPxztUZtquZIKh4eO7nufPc";

/// Written by express-session (`sid_seal`) with `secret: "keyboard cat"`.
const EXPRESS_SID: &str =
    "s%3ACsRqn3VmFQ1kJ9r5a2m8Xh0qU7pLwE4Y.K%2BuiWYqlK%2B4vSy0kzZhMUsV9AxAa0amo5wOkG%2BSW9nY";

/// Written by cookie-session (`session_seal`) with `keys: ["key1"]`: `req.session =
/// {user: "ada", n: 1}`, the `session` and `session.sig` cookies.
const COOKIE_SESSION: (&str, &str) = (
    "eyJ1c2VyIjoiYWRhIiwibiI6MX0=",
    "aIUTdGRfQOIp5zXdhEzGbBRzYAY",
);

#[test]
fn values_express_wrote_open() {
    let (code, out, err) = run(&["open", "--express", EXPRESS_SIGNED], "keyboard cat");
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(json_of(&out), json!({"items": [3, 4], "note": "hi"}));
    // `cookieParser([new, old])`: the old secret as a fallback.
    let (code, out, _) = run(
        &["open", "--express-session", EXPRESS_SID],
        "new secret\nkeyboard cat",
    );
    assert_eq!(
        (code, json_of(&out)),
        (Some(0), json!("CsRqn3VmFQ1kJ9r5a2m8Xh0qU7pLwE4Y"))
    );
    let (value, sig) = COOKIE_SESSION;
    let (code, out, err) = run(&["open", "--cookie-session", "--sig", sig, value], "key1");
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(json_of(&out), json!({"user": "ada", "n": 1}));
}

#[test]
fn wrong_secrets_and_signatures_are_refused() {
    let (code, out, err) = run(&["open", "--express", EXPRESS_SIGNED], "wrong secret");
    assert_eq!((code, out.as_str()), (Some(1), ""));
    assert!(
        err.contains("invalid") && !err.contains("wrong secret"),
        "{err}"
    );
    assert_eq!(
        run(&["open", "--express-session", EXPRESS_SID], "wrong").0,
        Some(1)
    );
    let (value, sig) = COOKIE_SESSION;
    assert_eq!(
        run(&["open", "--cookie-session", "--sig", sig, value], "key2").0,
        Some(1)
    );
    // The signature covers the name: not the same session under another name.
    let renamed = [
        "open",
        "--cookie-session",
        "--name",
        "sess",
        "--sig",
        sig,
        value,
    ];
    assert_eq!(run(&renamed, "key1").0, Some(1));
    // A forged session with the genuine signature of another.
    let forged = express::cookie_session("other")
        .seal(&json!({"user": "eve"}))
        .unwrap();
    assert_eq!(
        run(
            &["open", "--cookie-session", "--sig", sig, &forged.value],
            "key1"
        )
        .0,
        Some(1)
    );
    // An unsigned value is not a signed cookie.
    assert_eq!(
        run(&["open", "--express", "hello"], "keyboard cat").0,
        Some(1)
    );
    // Usage: no --sig, flags of other stacks, an expiry Express values do not have.
    for args in [
        &["open", "--cookie-session", value][..],
        &["inspect", "--cookie-session", value],
        &["open", "--express", "--sig", sig, EXPRESS_SIGNED],
        &["open", "--express", "--name", "cart", EXPRESS_SIGNED],
        &["open", "--express", "--max-age", "1h", EXPRESS_SIGNED],
        &["seal", "--express", "--salt", "s", "1"],
    ] {
        assert_eq!(run(args, "keyboard cat").0, Some(2), "{args:?}");
    }
}

#[test]
fn seal_and_open_round_trip_with_the_library() {
    let payload = json!({"cart": [1, 2], "who": "Zoë"});
    let (code, out, err) = run(&["seal", "--express", &payload.to_string()], "new\nold");
    assert_eq!(code, Some(0), "{err}");
    let value = out.trim();
    assert!(value.starts_with("s%3Aj%3A"), "{value}");
    assert_eq!(
        express::signed_cookie("new").open::<Value>(value).unwrap(),
        payload
    );
    assert!(express::signed_cookie("old").open::<Value>(value).is_err());
    let theirs = express::signed_cookie("old").seal(&payload).unwrap();
    let (code, out, _) = run(&["open", "--express", &theirs], "new\nold");
    assert_eq!((code, json_of(&out)), (Some(0), payload.clone()));

    // express-session: the payload is the id, a JSON string.
    let (code, out, _) = run(&["seal", "--express-session", "\"abc123\""], "s3cret");
    assert_eq!(code, Some(0));
    let sid = express::session_id_cookie("s3cret");
    assert_eq!(sid.open(out.trim()).unwrap(), "abc123");
    assert_eq!(
        run(&["seal", "--express-session", "42"], "s3cret").0,
        Some(1)
    );
    let theirs = sid.seal("xyz").unwrap();
    let (code, out, _) = run(&["open", "--express-session", &theirs], "s3cret");
    assert_eq!((code, json_of(&out)), (Some(0), json!("xyz")));

    // cookie-session: two cookies, `NAME=` and `NAME.sig=`, here under keygrip's SHA-256.
    let (code, out, err) = run(
        &[
            "seal",
            "--cookie-session",
            "--name",
            "sess",
            "--digest",
            "sha256",
            &payload.to_string(),
        ],
        "k1\nk0",
    );
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    let value = lines[0].strip_prefix("sess=").unwrap();
    let sig = lines[1].strip_prefix("sess.sig=").unwrap();
    let sessions = express::cookie_session("k1")
        .name("sess")
        .digest(Digest::Sha256);
    assert_eq!(sessions.open::<Value>(value, sig).unwrap(), payload);
    let old = express::cookie_session("k0")
        .name("sess")
        .digest(Digest::Sha256);
    let theirs = old.seal(&json!({"n": 2})).unwrap();
    let args = [
        "open",
        "--cookie-session",
        "--name",
        "sess",
        "--digest",
        "sha256",
        "--sig",
    ];
    let (code, out, _) = run(
        &[&args[..], &[&theirs.sig, &theirs.value]].concat(),
        "k1\nk0",
    );
    assert_eq!((code, json_of(&out)), (Some(0), json!({"n": 2})));
    // Under SHA-1 (the default) that signature does not verify.
    let sha1 = [
        "open",
        "--cookie-session",
        "--name",
        "sess",
        "--sig",
        &theirs.sig,
        &theirs.value,
    ];
    assert_eq!(run(&sha1, "k1\nk0").0, Some(1));
    // A session is an object.
    assert_eq!(run(&["seal", "--cookie-session", "[1]"], "k1").0, Some(1));
}

#[test]
fn inspect_shows_the_structure_without_keys_and_verifies_with_them() {
    bin()
        .args(["inspect", "--express", EXPRESS_SIGNED])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "{\"items\":[3,4],\"note\":\"hi\"}  (`j:` JSON; UNVERIFIED",
        ));
    let out = bin()
        .args(["inspect", "--json", "--express-session", EXPRESS_SID])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["kind"].clone(), v["unverified_payload"].clone()),
        (json!("signed"), json!("CsRqn3VmFQ1kJ9r5a2m8Xh0qU7pLwE4Y"))
    );
    let (value, sig) = COOKIE_SESSION;
    let out = bin()
        .args(["inspect", "--json", "--cookie-session", value])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["kind"].clone(), v["unverified_payload"].clone()),
        (json!("cookie-session"), json!({"user": "ada", "n": 1}))
    );
    // With keys: a verdict.
    let (code, out, _) = run(
        &["inspect", "--json", "--cookie-session", "--sig", sig, value],
        "key1",
    );
    let v = json_of(&out);
    assert_eq!(
        (code, v["verdict"].clone(), v["payload"]["user"].clone()),
        (Some(0), json!("valid"), json!("ada"))
    );
    let (code, out, _) = run(&["inspect", "--express", EXPRESS_SIGNED], "wrong");
    assert_eq!(code, Some(1));
    assert!(out.contains("verdict     invalid"), "{out}");
    // Neither kind: malformed.
    bin()
        .args(["inspect", "--express", "plain"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("malformed"));
}
