//! `typed-cookies open|seal|inspect --laravel`, run as the real binary: values the real
//! Laravel 8 `Encrypter` and `EncryptCookies` wrote open, round trips with the library both
//! ways (cookies and bare values, PHP-serialized or not, CBC and GCM, previous keys), wrong
//! keys and names refused, and what `inspect` shows without keys.

mod support;
use support::{bin, json_of, run};

use predicates::prelude::*;
use serde_json::{json, Value};
use typed_cookies::interop::laravel::{self, Cipher, EncryptCookies, Encrypter};

/// The `APP_KEY` of the library's examples.
const APP_KEY: &str = "base64:q2kFjq0yG0aOsdIuKsbZ2VQ3bAbVYc+l0HoUQ8PmBbU=";
const OTHER_KEY: &str = "base64:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

/// Written by Laravel 8's `EncryptCookies` (tests/interop/laravel_peer.php,
/// `cookie_encrypt`, AES-256-CBC) as Symfony sends it: the `laravel_session` cookie.
const LARAVEL_SESSION: &str = "eyJpdiI6Im9zMjVZbDVsbE5jcDFsNkExTW5ucEE9PSIsInZhbHVlIjoibWdNRER2YlRkakZOU1ZqK0p3ZGlPSHVHNlVOZjgrWWErKytUWGRwdml4ZVNtVGdJVUFsbWFOVXJuZVR5K01wOEpnQzk4UUE3a0VWcDIxWnEzNU90cEtCcVFzcVkrQzU4ZGp0M2RCS0FoV0sxaDhhZXd3SThOdU9QR1Vic0xJRnEiLCJtYWMiOiI3ZTdhZDMzMDA0OGZhYzY5MDIyYjk3OTYwOWNmMjcxNjY2MDE3YzA3N2ViYTZkZTUwMzljZWNjMGIyNDg0ZWQwIiwidGFnIjoiIn0%3D";
const SESSION_ID: &str = "wJ9ckz3GjnJd1yiIzWcTqVSQWkVbyK8vCGQyUDWM";

/// The `prefs` cookie holding `{"theme":"dark"}` under AES-256-GCM (`cookie_encrypt`).
const LARAVEL_GCM_PREFS: &str = "eyJpdiI6IkM4WEdFOGxQdUxMeXpQZ3MiLCJ2YWx1ZSI6IlBaaHNNYmlhWFZYR3YvTlZUVnBxMEF4VGM5S1ZCWldyUDVpSFA2YW9VT2JIYTVvaDBQYnYrYjlpd3VDNGYwN09yeGpqNTcrajRCY3IiLCJtYWMiOiIiLCJ0YWciOiJrU2N2dmc0UVgxRjFLaHBDY1NqS0hBPT0ifQ%3D%3D";

/// `Crypt::encrypt('{"id":7}')` (`encrypt`: PHP-serialized).
const LARAVEL_ENCRYPTED: &str = "eyJpdiI6IkJvMFBXZmpaV0tpd0N2dVRPeVpHMHc9PSIsInZhbHVlIjoibEhSUFZqU0lXcUZKV0xXL0hOWGtyUT09IiwibWFjIjoiMTNmMDI0NGMxOTE4ODkyMDk4MGM3YjJhNTAzMGQwOTZlMzBmNzk4NTBlNjAyMjVjNThjZDYzNjJiMjAwOGFlMyIsInRhZyI6IiJ9";

#[test]
fn values_laravel_wrote_open() {
    let args = [
        "open",
        "--laravel",
        "--name",
        "laravel_session",
        LARAVEL_SESSION,
    ];
    let (code, out, err) = run(&args, APP_KEY);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(json_of(&out), json!(SESSION_ID));
    // The previous key (second line) opens it too.
    assert_eq!(run(&args, &format!("{OTHER_KEY}\n{APP_KEY}")).0, Some(0));
    let gcm = [
        "open",
        "--laravel",
        "--cipher",
        "aes-256-gcm",
        "--name",
        "prefs",
        LARAVEL_GCM_PREFS,
    ];
    let (code, out, _) = run(&gcm, APP_KEY);
    assert_eq!((code, json_of(&out)), (Some(0), json!({"theme": "dark"})));
    let (code, out, _) = run(&["open", "--laravel", LARAVEL_ENCRYPTED], APP_KEY);
    assert_eq!((code, json_of(&out)), (Some(0), json!({"id": 7})));
    let strict = [
        "open",
        "--laravel",
        "--php-serialize",
        "yes",
        LARAVEL_ENCRYPTED,
    ];
    assert_eq!(run(&strict, APP_KEY).0, Some(0));
    // Told it is not serialized: the plaintext as it is, a string.
    let raw = [
        "open",
        "--laravel",
        "--php-serialize",
        "no",
        LARAVEL_ENCRYPTED,
    ];
    let (code, out, _) = run(&raw, APP_KEY);
    assert_eq!(
        (code, json_of(&out)),
        (Some(0), json!("s:8:\"{\"id\":7}\";"))
    );
}

#[test]
fn wrong_keys_names_and_ciphers_are_refused() {
    let args = [
        "open",
        "--laravel",
        "--name",
        "laravel_session",
        LARAVEL_SESSION,
    ];
    let (code, out, err) = run(&args, OTHER_KEY);
    assert_eq!((code, out.as_str()), (Some(1), ""));
    assert!(
        err.contains("invalid") && !err.contains("AAAAAAAA"),
        "{err}"
    );
    // The value prefix names the cookie.
    let renamed = ["open", "--laravel", "--name", "XSRF-TOKEN", LARAVEL_SESSION];
    assert_eq!(run(&renamed, APP_KEY).0, Some(1));
    // A GCM value under the default CBC cipher: refused.
    assert_eq!(
        run(
            &["open", "--laravel", "--name", "prefs", LARAVEL_GCM_PREFS],
            APP_KEY
        )
        .0,
        Some(1)
    );
    // Usage: a key of the wrong length, an unknown cipher, options of other stacks.
    let (code, _, err) = run(&["open", "--laravel", LARAVEL_ENCRYPTED], "base64:c2hvcnQ=");
    assert_eq!(code, Some(2));
    assert!(err.contains("APP_KEY") && !err.contains("c2hvcnQ"), "{err}");
    for args in [
        &["open", "--laravel", "--cipher", "rot13", LARAVEL_ENCRYPTED][..],
        &["open", "--laravel", "--max-age", "1h", LARAVEL_ENCRYPTED],
        &["open", "--laravel", "--sig", "x", LARAVEL_ENCRYPTED],
        &["open", "--django", "--cipher", "aes-256-gcm", "x"],
        &["seal", "--laravel", "--salt", "s", "1"],
    ] {
        assert_eq!(run(args, APP_KEY).0, Some(2), "{args:?}");
    }
}

#[test]
fn seal_and_open_round_trip_with_the_library() {
    let crypt = Encrypter::new(APP_KEY, Cipher::Aes256Cbc).unwrap();
    let cookies = laravel::cookies(APP_KEY).unwrap();
    // A cookie holding JSON, and one holding a string.
    let (code, out, err) = run(
        &[
            "seal",
            "--laravel",
            "--name",
            "prefs",
            r#"{"theme":"dark"}"#,
        ],
        APP_KEY,
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        cookies.open::<Value>("prefs", out.trim()).unwrap(),
        json!({"theme": "dark"})
    );
    let (_, out, _) = run(
        &[
            "seal",
            "--laravel",
            "--name",
            "laravel_session",
            &format!("\"{SESSION_ID}\""),
        ],
        APP_KEY,
    );
    assert_eq!(
        cookies
            .open_session_id("laravel_session", out.trim())
            .unwrap(),
        SESSION_ID
    );
    // Old apps' serialized cookies.
    let args = [
        "seal",
        "--laravel",
        "--php-serialize",
        "yes",
        "--name",
        "c",
        "\"v\"",
    ];
    let (_, out, _) = run(&args, APP_KEY);
    let old = EncryptCookies::new(crypt.clone()).serialize(true);
    assert_eq!(old.open_str("c", out.trim()).unwrap(), "v");
    let (code, out, _) = run(&["open", "--laravel", "--name", "c", out.trim()], APP_KEY);
    assert_eq!((code, json_of(&out)), (Some(0), json!("v")));
    // Bare values: `encrypt()` (serialized) by default, `encryptString` with --php-serialize no.
    let (_, out, _) = run(&["seal", "--laravel", r#"[1,2]"#], APP_KEY);
    assert_eq!(crypt.decrypt(out.trim()).unwrap(), "[1,2]");
    let (_, out, _) = run(
        &["seal", "--laravel", "--php-serialize", "no", "\"hi\""],
        APP_KEY,
    );
    assert_eq!(crypt.decrypt_string(out.trim()).unwrap(), "hi");
    // GCM, and the previous key: the library seals under the old key, the CLI opens.
    let gcm = Encrypter::new(OTHER_KEY, Cipher::Aes256Gcm).unwrap();
    let theirs = EncryptCookies::new(gcm)
        .seal("prefs", &json!({"n": 1}))
        .unwrap();
    let args = [
        "open",
        "--laravel",
        "--cipher",
        "AES-256-GCM",
        "--name",
        "prefs",
        &theirs,
    ];
    let (code, out, _) = run(&args, &format!("{APP_KEY}\n{OTHER_KEY}\n"));
    assert_eq!((code, json_of(&out)), (Some(0), json!({"n": 1})));
    assert_eq!(run(&args, APP_KEY).0, Some(1));
}

#[test]
fn inspect_shows_the_envelope_without_keys_and_verifies_with_them() {
    let out = bin()
        .args(["inspect", "--json", "--laravel", LARAVEL_SESSION])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "cbc");
    assert!(v.get("payload").is_none() && v.get("verdict").is_none());
    bin()
        .args(["inspect", "--laravel", LARAVEL_GCM_PREFS])
        .assert()
        .success()
        .stdout(predicate::str::contains("AES-GCM with its `tag`"))
        .stdout(predicate::str::contains("encrypted (give keys"));
    let args = [
        "inspect",
        "--json",
        "--laravel",
        "--name",
        "laravel_session",
        LARAVEL_SESSION,
    ];
    let (code, out, _) = run(&args, APP_KEY);
    let v = json_of(&out);
    assert_eq!(
        (code, v["verdict"].clone(), v["payload"].clone()),
        (Some(0), json!("valid"), json!(SESSION_ID))
    );
    assert_eq!(run(&args, OTHER_KEY).0, Some(1));
    bin()
        .args(["inspect", "--laravel", "eyJ9"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("malformed"));
}
