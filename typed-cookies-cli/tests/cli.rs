//! Runs the `typed-cookies` binary: every command, its refusals and exit codes, and round trips
//! against the library (ours and the Django, Flask and iron-session interop).

mod support;
use support::{bin, secret_file};

use predicates::prelude::*;
use serde_json::{json, Value};
use typed_cookies::interop::{django, flask, iron};
use typed_cookies::time::{Duration, OffsetDateTime};
use typed_cookies::{Key, KeyRing};

const IRON_PW: &str = "a_password_of_at_least_32_characters_long";

fn ring_line(keys: &[&Key]) -> String {
    keys.iter()
        .map(|k| k.to_base64())
        .collect::<Vec<_>>()
        .join(",")
}

/// A private file with `contents` (mode 600 on Unix).
fn stdout_json(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn every_command_has_help() {
    bin()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("check-set-cookie"));
    for cmd in [
        "keygen",
        "rotate",
        "key-id",
        "inspect",
        "seal",
        "open",
        "check-set-cookie",
    ] {
        bin()
            .args([cmd, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Usage: typed-cookies"));
    }
    bin().assert().code(2);
    bin().arg("frobnicate").assert().code(2);
}

#[test]
fn keygen_makes_keys_the_library_accepts() {
    let out = bin().arg("keygen").output().unwrap();
    assert!(out.status.success());
    let key = Key::from_base64(String::from_utf8(out.stdout).unwrap().trim()).unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains(&key.id().to_string()));

    let out = bin().args(["keygen", "--ring", "3"]).output().unwrap();
    let line = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        KeyRing::from_base64_list(line.trim())
            .unwrap()
            .key_ids()
            .len(),
        3
    );
    bin().args(["keygen", "--ring", "0"]).assert().code(2);
}

#[test]
fn rotate_prepends_a_key_read_from_env_file_or_stdin() {
    let (a, b) = (Key::generate(), Key::generate());
    let line = ring_line(&[&a, &b]);
    let out = bin()
        .arg("rotate")
        .write_stdin(line.clone())
        .output()
        .unwrap();
    assert!(out.status.success());
    let ring = KeyRing::from_base64_list(String::from_utf8(out.stdout).unwrap().trim()).unwrap();
    let ids = ring.key_ids();
    assert_eq!((ids.len(), ids[1], ids[2]), (3, a.id(), b.id()));

    let out = bin()
        .args(["rotate", "--keys-env", "TC_KEYS", "--keep", "2"])
        .env("TC_KEYS", &line)
        .output()
        .unwrap();
    let ring = KeyRing::from_base64_list(String::from_utf8(out.stdout).unwrap().trim()).unwrap();
    assert_eq!(ring.key_ids()[1..], [a.id()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("dropped"));

    let file = secret_file("rotate", &line);
    bin()
        .arg("rotate")
        .arg("--keys-file")
        .arg(&file)
        .assert()
        .success();

    // Never from argv; a bad ring is refused without echoing it.
    bin().args(["rotate", &line]).assert().code(2);
    bin()
        .args(["rotate", "--keys-env", "TC_KEYS"])
        .env("TC_KEYS", "not-a-key-SECRETXYZ")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("SECRETXYZ").not())
        .stdout(predicate::str::is_empty());
    bin()
        .args(["rotate", "--keys-env", "TC_UNSET_VAR"])
        .assert()
        .code(2);
}

#[test]
fn key_id_prints_the_library_ids() {
    let (a, b) = (Key::generate(), Key::generate());
    let line = ring_line(&[&a, &b]);
    bin()
        .arg("key-id")
        .write_stdin(line.clone())
        .assert()
        .success()
        .stdout(format!("{} primary\n{} fallback\n", a.id(), b.id()));
    let out = bin()
        .args(["key-id", "--json", "--keys-env", "TC_KEYS"])
        .env("TC_KEYS", &line)
        .output()
        .unwrap();
    assert_eq!(
        stdout_json(&out),
        json!([{"id": a.id().to_string(), "primary": true}, {"id": b.id().to_string(), "primary": false}])
    );
    // A key listed twice is refused.
    bin()
        .arg("key-id")
        .write_stdin(ring_line(&[&a, &a]))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("twice"));
}

#[test]
fn inspect_without_keys_reads_the_header() {
    let key = Key::generate();
    let keys = KeyRing::new(key.clone());
    let value = keys
        .signed("cart")
        .max_age(Duration::hours(1))
        .seal(&json!({"n": 3}))
        .unwrap();
    bin()
        .args(["inspect", &value])
        .assert()
        .success()
        .stdout(predicate::str::contains(key.id().to_string()))
        .stdout(predicate::str::contains(r#"{"n":3}"#))
        .stdout(predicate::str::contains("UNVERIFIED"));
    let out = bin().args(["inspect", "--json", &value]).output().unwrap();
    let v = stdout_json(&out);
    assert_eq!(
        (v["version"].clone(), v["mode"].clone(), v["codec"].clone()),
        (json!(1), json!("signed"), json!("json"))
    );
    assert_eq!(v["unverified_payload"], json!({"n": 3}));
    assert!(v.get("verdict").is_none());

    let secret = keys
        .encrypted("cart")
        .no_expiry()
        .seal(&"hidden-text")
        .unwrap();
    bin()
        .args(["inspect", &secret])
        .assert()
        .success()
        .stdout(predicate::str::contains("encrypted"))
        .stdout(predicate::str::contains("hidden-text").not());

    // The FORMAT.md postcard vector: header only, payload as hex.
    bin()
        .args([
            "inspect",
            "ARFl5riwAAAAAGlVuQAqA0FkYeILrgbFOJ6q-W3ERk-Qy9TcaF5X0Md_3iHbNS5OFJ4R",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("postcard"))
        .stdout(predicate::str::contains("2a03416461"));

    bin()
        .args(["inspect", "not-a-value!"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("malformed"));
}

#[test]
fn inspect_with_keys_gives_a_verdict() {
    let key = Key::generate();
    let line = ring_line(&[&key]);
    let past = OffsetDateTime::now_utc() - Duration::hours(3);
    let keys = KeyRing::new(key.clone());
    let fresh = keys
        .encrypted("cart")
        .max_age(Duration::hours(1))
        .seal(&json!([1, 2]))
        .unwrap();
    let old = keys
        .at(past)
        .signed("cart")
        .max_age(Duration::hours(1))
        .seal(&json!([1]))
        .unwrap();
    let run = |value: &str, extra: &[&str]| {
        let mut cmd = bin();
        cmd.args(["inspect", "--json", "--keys-env", "TC_KEYS", value])
            .args(extra)
            .env("TC_KEYS", &line);
        let out = cmd.output().unwrap();
        (out.status.code(), stdout_json(&out))
    };
    let (code, v) = run(&fresh, &["--salt", "cart", "--max-age", "1h"]);
    assert_eq!(
        (code, v["verdict"].clone(), v["payload"].clone()),
        (Some(0), json!("valid"), json!([1, 2]))
    );
    assert_eq!(v["sealed_with_primary"], json!(true));

    let (code, v) = run(&fresh, &["--salt", "other"]);
    assert_eq!((code, v["verdict"].clone()), (Some(1), json!("invalid")));
    assert!(v.get("payload").is_none());

    let (code, v) = run(&old, &["--salt", "cart", "--max-age", "1h"]);
    assert_eq!((code, v["verdict"].clone()), (Some(1), json!("expired")));
    assert!(v["expired_at"].is_string());
    // Without --max-age the age is not checked.
    assert_eq!(run(&old, &["--salt", "cart"]).0, Some(0));

    let stranger = KeyRing::new(Key::generate())
        .signed("cart")
        .no_expiry()
        .seal(&1)
        .unwrap();
    let (code, v) = run(&stranger, &["--salt", "cart"]);
    assert_eq!(
        (code, v["verdict"].clone()),
        (Some(1), json!("unknown_key"))
    );

    // Human output says it too.
    bin()
        .args([
            "inspect",
            "--keys-env",
            "TC_KEYS",
            "--salt",
            "cart",
            "--max-age",
            "1h",
            &old,
        ])
        .env("TC_KEYS", &line)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("verdict     expired at"));
    // Keys without a salt: usage.
    bin()
        .args(["inspect", "--keys-env", "TC_KEYS", &fresh])
        .env("TC_KEYS", &line)
        .assert()
        .code(2);
    // Postcard cannot be verified here.
    bin()
        .args([
            "inspect",
            "--keys-env",
            "TC_KEYS",
            "--salt",
            "cart",
            "--postcard",
            &fresh,
        ])
        .env("TC_KEYS", &line)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("schema"));
}

#[test]
fn seal_and_open_round_trip_with_the_library() {
    let (a, b) = (Key::generate(), Key::generate());
    let line = ring_line(&[&a, &b]);
    let file = secret_file("ring", &line);
    let keys = KeyRing::from_base64_list(&line).unwrap();

    for encrypted in [false, true] {
        let mode: &[&str] = if encrypted { &["--encrypted"] } else { &[] };
        // CLI seals (payload as argument, then on stdin), library opens: a runtime sealer's
        // values with --runtime (tests/domains.rs: without, the derived types' domain).
        let out = bin()
            .args([
                "seal",
                r#"{"user_id":7,"roles":["a"]}"#,
                "--runtime",
                "--salt",
                "s.v1",
                "--max-age",
                "2h",
            ])
            .args(mode)
            .arg("--keys-file")
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let value = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        let builder = if encrypted {
            keys.encrypted("s.v1")
        } else {
            keys.signed("s.v1")
        };
        let opened: Value = builder.max_age(Duration::hours(2)).open(&value).unwrap();
        assert_eq!(opened, json!({"user_id": 7, "roles": ["a"]}));
        let out = bin()
            .args([
                "seal",
                "--runtime",
                "--salt",
                "s.v1",
                "--no-expiry",
                "--keys-env",
                "TC_KEYS",
            ])
            .args(mode)
            .env("TC_KEYS", &line)
            .write_stdin("[1, 2.5, null]\n")
            .output()
            .unwrap();
        let value = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        let builder = if encrypted {
            keys.encrypted("s.v1")
        } else {
            keys.signed("s.v1")
        };
        assert_eq!(
            builder.no_expiry().open::<Value>(&value).unwrap(),
            json!([1, 2.5, null])
        );

        // Library seals with the fallback key, CLI opens.
        let old = KeyRing::new(b.clone());
        let builder = if encrypted {
            old.encrypted("s.v1")
        } else {
            old.signed("s.v1")
        };
        let value = builder
            .max_age(Duration::hours(1))
            .seal(&json!({"x": "y"}))
            .unwrap();
        bin()
            .args([
                "open",
                "--salt",
                "s.v1",
                "--max-age",
                "1h",
                "--keys-env",
                "TC_KEYS",
                &value,
            ])
            .args(mode)
            .env("TC_KEYS", &line)
            .assert()
            .success()
            .stdout("{\"x\":\"y\"}\n");
        let out = bin()
            .args([
                "open",
                "--json",
                "--salt",
                "s.v1",
                "--max-age",
                "1h",
                "--keys-env",
                "TC_KEYS",
            ])
            .args(mode)
            .env("TC_KEYS", &line)
            .write_stdin(value.clone())
            .output()
            .unwrap();
        let v = stdout_json(&out);
        assert_eq!(
            (v["verdict"].clone(), v["sealed_with_primary"].clone()),
            (json!("valid"), json!(false))
        );
        assert_eq!(v["key_id"], json!(b.id().to_string()));

        // Wrong mode: exit 1 with a hint.
        let wrong: &[&str] = if encrypted { &[] } else { &["--encrypted"] };
        bin()
            .args([
                "open",
                "--salt",
                "s.v1",
                "--no-expiry",
                "--keys-env",
                "TC_KEYS",
                &value,
            ])
            .args(wrong)
            .env("TC_KEYS", &line)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("--encrypted"));
    }

    // A tampered value, an expired one: exit 1.
    let value = keys.signed("s.v1").no_expiry().seal(&1).unwrap();
    let mut tampered = value.clone().into_bytes();
    let last = tampered.len() - 5;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    bin()
        .args([
            "open",
            "--salt",
            "s.v1",
            "--no-expiry",
            "--keys-env",
            "TC_KEYS",
            &tampered,
        ])
        .env("TC_KEYS", &line)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("invalid"));
    let expired = keys
        .at(OffsetDateTime::now_utc() - Duration::days(2))
        .signed("s.v1")
        .max_age(Duration::days(1))
        .seal(&1)
        .unwrap();
    bin()
        .args([
            "open",
            "--salt",
            "s.v1",
            "--max-age",
            "1d",
            "--keys-env",
            "TC_KEYS",
            &expired,
        ])
        .env("TC_KEYS", &line)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("expired at"));

    // Usage errors: no lifetime (a runtime sealer's value), no salt, no keys, payload not
    // JSON, keys not on argv.
    let usage: &[&[&str]] = &[
        &[
            "seal",
            "1",
            "--salt",
            "s",
            "--runtime",
            "--keys-env",
            "TC_KEYS",
        ],
        &["seal", "1", "--max-age", "1h", "--keys-env", "TC_KEYS"],
        &["seal", "1", "--salt", "s", "--max-age", "1h"],
        &[
            "seal",
            "{nope",
            "--salt",
            "s",
            "--max-age",
            "1h",
            "--keys-env",
            "TC_KEYS",
        ],
        &[
            "seal",
            "1",
            "--salt",
            "s",
            "--max-age",
            "0s",
            "--keys-env",
            "TC_KEYS",
        ],
        &[
            "seal",
            "1",
            "--salt",
            "s",
            "--max-age",
            "1h",
            "--no-expiry",
            "--keys-env",
            "TC_KEYS",
        ],
        &["open", &value, "--salt", "s.v1", "--keys-env", "TC_KEYS"],
        &[
            "open",
            &value,
            "--salt",
            "s.v1",
            "--no-expiry",
            "--keys",
            &line,
        ],
    ];
    for args in usage {
        bin()
            .args(*args)
            .env("TC_KEYS", &line)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(&line).not());
    }
}

#[cfg(unix)]
#[test]
fn warns_about_a_key_file_others_can_read() {
    use std::os::unix::fs::PermissionsExt;
    let line = ring_line(&[&Key::generate()]);
    let file = secret_file("shared", &line);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    bin()
        .arg("key-id")
        .arg("--keys-file")
        .arg(&file)
        .assert()
        .success()
        .stderr(predicate::str::contains("chmod 600"));
    bin()
        .args(["key-id", "--keys-file", "/nonexistent/typed-cookies-keys"])
        .assert()
        .code(2);
}

#[test]
fn django_values_both_ways() {
    let secrets = "django-insecure-new-secret\ndjango-insecure-old-secret\n";
    let file = secret_file("django", secrets);
    // Made by the library with the fallback secret: opens with the CLI.
    let token = django::Signer::new("django-insecure-old-secret")
        .salt("invite")
        .seal(&json!({"email": "ada@example.com"}))
        .unwrap();
    bin()
        .args(["open", "--django", "--salt", "invite", "--keys-file"])
        .arg(&file)
        .arg(&token)
        .assert()
        .success()
        .stdout("{\"email\":\"ada@example.com\"}\n");
    bin()
        .args(["inspect", "--django", "--salt", "other", "--keys-file"])
        .arg(&file)
        .arg(&token)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("invalid"));
    // Sealed by the CLI (compressed): opens with the library.
    let out = bin()
        .args([
            "seal",
            "--django",
            "--compress",
            "--salt",
            "invite",
            "--keys-file",
        ])
        .arg(&file)
        .arg(json!({"list": vec!["same"; 30]}).to_string())
        .output()
        .unwrap();
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with('.'));
    let back: Value = django::Signer::new("django-insecure-new-secret")
        .salt("invite")
        .open(&token)
        .unwrap();
    assert_eq!(back["list"].as_array().unwrap().len(), 30);

    // The signed_cookies session engine's cookie.
    let cookie = django::session_cookie("django-insecure-new-secret")
        .seal(&json!({"_auth_user_id": "42"}))
        .unwrap();
    let out = bin()
        .args(["inspect", "--json", "--django-session", "--keys-file"])
        .arg(&file)
        .arg(&cookie)
        .output()
        .unwrap();
    let v = stdout_json(&out);
    assert_eq!(
        (v["verdict"].clone(), v["payload"]["_auth_user_id"].clone()),
        (json!("valid"), json!("42"))
    );
    // Expired by --max-age.
    let old = django::session_cookie("django-insecure-new-secret")
        .clock(typed_cookies::Clock::fixed(
            OffsetDateTime::now_utc() - Duration::hours(2),
        ))
        .seal(&json!({}))
        .unwrap();
    bin()
        .args(["open", "--django-session", "--max-age", "1h", "--keys-file"])
        .arg(&file)
        .arg(&old)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("expired at"));
}

#[test]
fn flask_sessions_both_ways() {
    let file = secret_file("flask", "flask-secret\n");
    let cookie = flask::session("flask-secret")
        .seal(&json!({"user": "ada", "n": 1}))
        .unwrap();
    let out = bin()
        .args(["open", "--json", "--flask", "--keys-file"])
        .arg(&file)
        .arg(&cookie)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(stdout_json(&out)["payload"], json!({"user": "ada", "n": 1}));
    let out = bin()
        .args([
            "seal",
            "--flask",
            "--keys-env",
            "TC_KEYS",
            r#"{"cart":[1,2]}"#,
        ])
        .env("TC_KEYS", "flask-secret")
        .output()
        .unwrap();
    let cookie = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let back: Value = flask::session("flask-secret").open(&cookie).unwrap();
    assert_eq!(back, json!({"cart": [1, 2]}));
    bin()
        .args(["open", "--flask", "--keys-env", "TC_KEYS", &cookie])
        .env("TC_KEYS", "another-secret")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("another-secret").not());
}

#[test]
fn iron_sessions_both_ways() {
    let file = secret_file("iron", &format!("2=second_{IRON_PW}\n1={IRON_PW}\n"));
    let old = iron::session([(1, IRON_PW)]).unwrap();
    let cookie = old.seal(&json!({"user": {"id": 9}})).unwrap();
    bin()
        .args(["open", "--iron", "--keys-file"])
        .arg(&file)
        .arg(&cookie)
        .assert()
        .success()
        .stdout("{\"user\":{\"id\":9}}\n");
    let out = bin()
        .args(["seal", "--iron", "--keys-file"])
        .arg(&file)
        .write_stdin(r#"{"a":true}"#)
        .output()
        .unwrap();
    let cookie = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(cookie.starts_with("Fe26.2*2*"));
    let both = iron::session([(2, format!("second_{IRON_PW}")), (1, IRON_PW.to_owned())]).unwrap();
    assert_eq!(both.open::<Value>(&cookie).unwrap(), json!({"a": true}));
    // Only the old password: the id 2 seal does not open.
    bin()
        .args(["inspect", "--iron", "--keys-env", "TC_KEYS", &cookie])
        .env("TC_KEYS", IRON_PW)
        .assert()
        .code(1);
    // A short password is refused as a usage error without echoing it.
    bin()
        .args(["open", "--iron", "--keys-env", "TC_KEYS", &cookie])
        .env("TC_KEYS", "shortpw")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("shortpw").not());
}

#[test]
fn check_set_cookie_verdicts() {
    bin()
        .args([
            "check-set-cookie",
            "Set-Cookie: __Host-sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=7200",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("reject").not())
        .stdout(predicate::str::contains("stored as `__Host-sid`"));
    bin()
        .args(["check-set-cookie", "__host-sid=abc; Path=/"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "reject: a __Host- cookie must have the Secure attribute",
        ));
    bin()
        .args(["check-set-cookie", "a=b; SameSite=None"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("SameSite=None without Secure"));
    bin()
        .args([
            "check-set-cookie",
            "a=b; Secure; SameSite=None; Partitioned; Max-Age=99999999",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("capped at 400 days"));
    let out = bin()
        .args([
            "check-set-cookie",
            "--json",
            &format!("big={}; Partitioned", "x".repeat(4096)),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = stdout_json(&out);
    assert_eq!(v["accepted"], json!(false));
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"too-large") && codes.contains(&"partitioned-insecure"),
        "{codes:?}"
    );
    bin().arg("check-set-cookie").assert().code(2);
}

#[test]
fn inspect_and_open_show_and_accept_compressed_values() {
    let key = Key::generate();
    let line = ring_line(&[&key]);
    let keys = KeyRing::from_base64_list(&line).unwrap();
    let payload = json!({"pinned": vec!["status=open"; 30]});
    let value = keys
        .signed("prefs.v1")
        .compress()
        .max_age(Duration::hours(1))
        .seal(&payload)
        .unwrap();
    let out = bin().args(["inspect", "--json", &value]).output().unwrap();
    let v = stdout_json(&out);
    assert_eq!(v["compressed"], json!(true));
    assert_eq!(v["unverified_payload"], payload);
    bin()
        .args(["inspect", &value])
        .assert()
        .success()
        .stdout(predicate::str::contains("compressed  yes (raw DEFLATE"));
    let out = bin()
        .args([
            "open",
            &value,
            "--salt",
            "prefs.v1",
            "--max-age",
            "1h",
            "--json",
        ])
        .env("TC_KEYS", &line)
        .args(["--keys-env", "TC_KEYS"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = stdout_json(&out);
    assert_eq!(v["verdict"], json!("valid"), "{v}");
    // An uncompressed value says so.
    let plain = keys.signed("prefs.v1").no_expiry().seal(&1).unwrap();
    let out = bin().args(["inspect", "--json", &plain]).output().unwrap();
    assert_eq!(stdout_json(&out)["compressed"], json!(false));
}
