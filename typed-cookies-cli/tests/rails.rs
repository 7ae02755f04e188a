//! `typed-cookies open|seal|inspect --rails`, run as the real binary: values the real Rails
//! 6.1 jar wrote (and Rails 7's SHA-256 keys) open, round trips with the library both ways,
//! wrong secrets, names and versions refused, expiry, and what `inspect` shows without keys.

mod support;
use support::{bin, json_of, run, secret_file};

use predicates::prelude::*;
use serde_json::{json, Value};
use typed_cookies::interop::rails::{CookieJar, Defaults};
use typed_cookies::time::{Duration, OffsetDateTime};
use typed_cookies::Clock;

/// The `secret_key_base` of tests/rails/.
const SKB: &str = "4c1b2f0e9d8a7c6b5a493827160f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5";

/// Written by Rails 6.1 (tests/interop/rails_peer.rb, `op: write`, `jar: signed`):
/// `cookies.signed[:remember] = { user_id: 42, name: "ada" }`, no expiry.
const RAILS_SIGNED: &str = "eyJfcmFpbHMiOnsibWVzc2FnZSI6ImV5SjFjMlZ5WDJsa0lqbzBNaXdpYm1GdFpTSTZJbUZrWVNKOSIsImV4cCI6bnVsbCwicHVyIjoiY29va2llLnJlbWVtYmVyIn19--b01d4c89f1060f1f397a41867760b5aeec15f05a";

/// Written by Rails 6.1's CookieStore (`op: session_write`): `_app_session` holding
/// `user_id: 42` and the session id Rails chose.
const RAILS_SESSION: &str = "yTCjLoXeiNzFTfyXxPOvV5YE%2BO6%2BkgE2%2BQiZFzaDmCUIaLynDbUI%2BybX%2Fxj0WKLzV9OQhFgQC%2FxfOMs6qzwyEx0LIW1y1xPMZSJjgft7DuDtVXiC1UZuutsDJ9de%2BRHGjuKF%2BxWaZW3K5zwUzmsZfXrh0rkCj696RL1szZDo81KzMAv6J9DFr2VZf23l%2Fgng9LIKog%3D%3D--G2xqwlTSHXCafDPS--p3zHWJKq9iRx8Tp0oBiPug%3D%3D";

/// The same with Rails 7.0's SHA-256 key generator: `_app_session` holding `user_id: 7`.
const RAILS_7_SESSION: &str = "2Qk5MlC%2Fm06WRsjkv1N%2BoSYghyA6nU%2FWChQApCX8MVML17JM7Hst3Ac3s1waQ0ra2IhKGNzkloSwc6e32fCbv6e0beSJDtfvTVB9%2FkU%2BVhQenp7k36inGRpwev%2Fgd7z4abFAwrlL2LJEOJaldArYpv9jT%2BVv8qTlEnk%2FRW%2BA0PhKHO8U%2FxFEDNaqAULtL2NzKs8wTg%3D%3D--lY2ttJdWxUCuJJ6J--5ZXEle85b5B5Agbtl%2FxZNQ%3D%3D";

#[test]
fn values_rails_wrote_open() {
    let (code, out, err) = run(
        &[
            "open",
            "--rails",
            "--rails-cookie",
            "signed",
            "--name",
            "remember",
            RAILS_SIGNED,
        ],
        SKB,
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(json_of(&out), json!({"user_id": 42, "name": "ada"}));

    let (code, out, err) = run(
        &["open", "--rails", "--name", "_app_session", RAILS_SESSION],
        SKB,
    );
    assert_eq!(code, Some(0), "{err}");
    let session = json_of(&out);
    assert_eq!(session["user_id"], 42);
    assert_eq!(session["session_id"].as_str().unwrap().len(), 32);
    // `--rails-cookie session` is the same jar.
    let args = [
        "open",
        "--rails",
        "--rails-cookie",
        "session",
        "--name",
        "_app_session",
    ];
    assert_eq!(run(&[&args[..], &[RAILS_SESSION]].concat(), SKB).0, Some(0));

    // Rails 7's keys: only with --rails-version 7 (and the 6.1 value not with it).
    let seven = [
        "open",
        "--rails",
        "--rails-version",
        "7",
        "--name",
        "_app_session",
    ];
    let (code, out, _) = run(&[&seven[..], &[RAILS_7_SESSION]].concat(), SKB);
    assert_eq!(
        (code, json_of(&out)["user_id"].clone()),
        (Some(0), json!(7))
    );
    assert_eq!(
        run(&[&seven[..], &[RAILS_SESSION]].concat(), SKB).0,
        Some(1)
    );
    let six = ["open", "--rails", "--name", "_app_session", RAILS_7_SESSION];
    assert_eq!(run(&six, SKB).0, Some(1));

    // The old secret_key_base as a fallback (second line of the file) still opens.
    let file = secret_file("rotated", &format!("a-new-secret-key-base\n{SKB}\n"));
    bin()
        .args([
            "open",
            "--json",
            "--rails",
            "--name",
            "_app_session",
            "--keys-file",
        ])
        .arg(&file)
        .arg(RAILS_SESSION)
        .assert()
        .success()
        .stdout(predicate::str::contains("\"verdict\":\"valid\""));
}

#[test]
fn wrong_secret_name_or_jar_is_refused() {
    let (code, out, err) = run(
        &["open", "--rails", "--name", "_app_session", RAILS_SESSION],
        "another-secret",
    );
    assert_eq!((code, out.as_str()), (Some(1), ""));
    assert!(
        err.contains("invalid") && !err.contains("another-secret"),
        "{err}"
    );
    // The purpose `cookie.remember` names the cookie.
    let signed = [
        "open",
        "--rails",
        "--rails-cookie",
        "signed",
        "--name",
        "other",
        RAILS_SIGNED,
    ];
    assert_eq!(run(&signed, SKB).0, Some(1));
    // A signed value is not one of the encrypted jar.
    assert_eq!(
        run(
            &["open", "--rails", "--name", "remember", RAILS_SIGNED],
            SKB
        )
        .0,
        Some(1)
    );
    // Tampered.
    let tampered = RAILS_SIGNED.replacen("eyJ", "eyK", 1);
    let args = [
        "open",
        "--rails",
        "--rails-cookie",
        "signed",
        "--name",
        "remember",
        &tampered,
    ];
    assert_eq!(run(&args, SKB).0, Some(1));
    // Usage: no name, --max-age when opening (the value has its own expiry), an empty secret.
    for args in [
        &["open", "--rails", RAILS_SESSION][..],
        &[
            "open",
            "--rails",
            "--name",
            "_app_session",
            "--max-age",
            "1h",
            RAILS_SESSION,
        ],
        &[
            "inspect",
            "--rails",
            "--name",
            "_app_session",
            "--max-age",
            "1h",
            RAILS_SESSION,
        ],
        &["seal", "--rails", "--name", "c", "--salt", "s", "1"],
        &["seal", "--rails", "--name", "c", "--compress", "1"],
    ] {
        assert_eq!(run(args, SKB).0, Some(2), "{args:?}");
    }
    assert_eq!(
        run(&["seal", "--rails", "--name", "c", "1"], "\n").0,
        Some(2)
    );
}

#[test]
fn seal_and_open_round_trip_with_the_library() {
    let jar = CookieJar::new(SKB).unwrap();
    let payload = json!({"user_id": 7, "roles": ["admin"], "note": "Zoë <&>"});
    for (kind, version) in [("signed", "6.1"), ("encrypted", "6.1"), ("session", "7")] {
        let jar = if version == "7" {
            jar.clone().load_defaults(Defaults::V7_0)
        } else {
            jar.clone()
        };
        let (code, out, err) = run(
            &[
                "seal",
                "--rails",
                "--rails-cookie",
                kind,
                "--rails-version",
                version,
                "--name",
                "prefs",
                "--max-age",
                "2h",
                &payload.to_string(),
            ],
            SKB,
        );
        assert_eq!(code, Some(0), "{kind}: {err}");
        let value = out.trim();
        let opened: Value = if kind == "signed" {
            jar.signed("prefs").open(value).unwrap()
        } else {
            jar.encrypted("prefs").open(value).unwrap()
        };
        assert_eq!(opened, payload, "{kind}");
        // `expires:` 2h: expired for the library three hours later.
        let later = jar
            .clone()
            .clock(Clock::fixed(OffsetDateTime::now_utc() + Duration::hours(3)));
        let late = if kind == "signed" {
            later.signed("prefs").open::<Value>(value)
        } else {
            later.encrypted("prefs").open::<Value>(value)
        };
        assert!(
            matches!(late, Err(typed_cookies::OpenError::Expired { .. })),
            "{kind}"
        );

        // The library seals, the CLI opens.
        let sealed = if kind == "signed" {
            jar.signed("prefs").seal(&payload).unwrap()
        } else {
            jar.encrypted("prefs").seal(&payload).unwrap()
        };
        let (code, out, _) = run(
            &[
                "open",
                "--rails",
                "--rails-cookie",
                kind,
                "--rails-version",
                version,
                "--name",
                "prefs",
                &sealed,
            ],
            SKB,
        );
        assert_eq!((code, json_of(&out)), (Some(0), payload.clone()), "{kind}");
    }

    // Expired values say so.
    let old = jar
        .clone()
        .clock(Clock::fixed(OffsetDateTime::now_utc() - Duration::hours(2)))
        .encrypted("prefs")
        .expires_in(Duration::hours(1))
        .seal(&1)
        .unwrap();
    let (code, _, err) = run(&["open", "--rails", "--name", "prefs", &old], SKB);
    assert_eq!(code, Some(1));
    assert!(err.contains("expired at"), "{err}");
}

#[test]
fn inspect_shows_the_structure_without_keys_and_verifies_with_them() {
    bin()
        .args(["inspect", "--rails", RAILS_SIGNED])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "signed (cookies.signed, HMAC-SHA1)",
        ))
        .stdout(predicate::str::contains("cookie.remember (UNVERIFIED)"))
        .stdout(predicate::str::contains(
            "UNVERIFIED: anyone can write this",
        ));
    let out = bin()
        .args(["inspect", "--json", "--rails", RAILS_SIGNED])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            v["kind"].clone(),
            v["unverified_purpose"].clone(),
            v["unverified_payload"].clone()
        ),
        (
            json!("signed"),
            json!("cookie.remember"),
            json!({"user_id": 42, "name": "ada"})
        )
    );
    assert!(v.get("verdict").is_none() && v.get("payload").is_none());
    let out = bin()
        .args(["inspect", "--json", "--rails", RAILS_SESSION])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "aes-256-gcm");
    assert!(v.get("unverified_payload").is_none());

    // With keys: the jar by structure, and a verdict.
    let (code, out, _) = run(
        &[
            "inspect",
            "--json",
            "--rails",
            "--name",
            "remember",
            RAILS_SIGNED,
        ],
        SKB,
    );
    let v = json_of(&out);
    assert_eq!((code, v["verdict"].clone()), (Some(0), json!("valid")));
    assert_eq!(v["payload"]["name"], "ada");
    let (code, out, _) = run(
        &[
            "inspect",
            "--json",
            "--rails",
            "--name",
            "_app_session",
            RAILS_SESSION,
        ],
        SKB,
    );
    assert_eq!(
        (code, json_of(&out)["verdict"].clone()),
        (Some(0), json!("valid"))
    );
    let (code, out, _) = run(
        &[
            "inspect",
            "--rails",
            "--name",
            "_app_session",
            RAILS_SESSION,
        ],
        "wrong",
    );
    assert_eq!(code, Some(1));
    assert!(out.contains("verdict     invalid"), "{out}");

    // Not a Rails value: exit 1, malformed.
    let out = bin()
        .args(["inspect", "--json", "--rails", "hello--world"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "malformed");
}

#[test]
fn an_unverified_payload_is_printed_escaped() {
    // A forged signed value (no key needed to write one) whose payload and purpose carry
    // terminal controls and a bidi override.
    use base64::Engine as _;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let message = b64(b"\"\\u001b[2Jgone\\u202e\"");
    let data = b64(format!(
        r#"{{"_rails":{{"message":"{message}","exp":null,"pur":"cookie.x\u001b]0;owned\u0007"}}}}"#
    )
    .as_bytes());
    let forged = format!("{data}--{}", "ab".repeat(20));
    for json in [false, true] {
        let mut cmd = bin();
        cmd.args(["inspect", "--rails", &forged]);
        if json {
            cmd.arg("--json");
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let stdout = String::from_utf8(out.stdout).unwrap();
        let raw = stdout
            .chars()
            .find(|&c| c != '\n' && typed_cookies_cli::escape::is_unsafe(c));
        assert_eq!(raw, None, "{stdout}");
        assert!(
            stdout.contains("gone") && stdout.contains("owned"),
            "{stdout}"
        );
    }
}
