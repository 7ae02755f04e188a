//! What the binary prints from a value — an unverified payload, a verified one, a foreign
//! session's claims, a `Set-Cookie` line's name and attributes — never carries control or
//! bidi characters raw: an ESC sequence that clears the screen or retitles the window, a `\r`
//! that overwrites the line, U+0085 (NEL), U+202E (right-to-left override) and the isolates
//! are escaped, in text as `\u{202e}` and in JSON as `\u202e` (the same JSON value).

mod support;
use support::bin;

use assert_cmd::Command;
use serde_json::{json, Value};
use typed_cookies::interop::flask;
use typed_cookies::{Key, KeyRing};
use typed_cookies_cli::escape;

/// What an attacker writes into a payload or a cookie name.
const HOSTILE: &str =
    "\u{1b}[2J\u{1b}]0;owned\u{7}ok\rfake\u{85}line\u{9b}31m\u{202e}exe.txt\u{2066}\u{200f}\u{61c}\u{7f}";

/// The characters that must not appear raw.
const RAW: [char; 10] = [
    '\u{1b}', '\r', '\u{7}', '\u{85}', '\u{9b}', '\u{202e}', '\u{2066}', '\u{200f}', '\u{61c}',
    '\u{7f}',
];

/// Runs `cmd` and returns stdout, after checking that neither stream has a raw unsafe
/// character (newlines between lines aside).
fn printed(cmd: &mut Command, expected_code: i32) -> String {
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(expected_code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for stream in [&out.stdout, &out.stderr] {
        let text = String::from_utf8(stream.clone()).expect("UTF-8 output");
        for c in RAW {
            assert!(!text.contains(c), "{c:?} printed raw in {text:?}");
        }
        assert!(
            !text.split('\n').flat_map(str::chars).any(escape::is_unsafe),
            "{text:?}"
        );
    }
    String::from_utf8(out.stdout).unwrap()
}

fn signed_value(keys: &KeyRing) -> String {
    keys.signed("app.v1")
        .no_expiry()
        .seal(&json!({ "name": HOSTILE }))
        .unwrap()
}

#[test]
fn inspect_escapes_the_unverified_payload() {
    let value = signed_value(&KeyRing::new(Key::generate()));
    let text = printed(bin().args(["inspect", &value]), 0);
    assert!(text.contains(r"\u202eexe.txt"), "{text}");
    assert!(text.contains(r"\u0085line"), "{text}");
    assert!(text.contains("UNVERIFIED"), "{text}");

    let json: Value =
        serde_json::from_str(&printed(bin().args(["inspect", "--json", &value]), 0)).unwrap();
    // Escaped on screen, the same value for a program.
    assert_eq!(json["unverified_payload"]["name"], HOSTILE);
}

#[test]
fn inspect_and_open_escape_the_verified_payload() {
    let keys = KeyRing::new(Key::generate());
    let value = signed_value(&keys);
    let line = keys.primary().to_base64();
    let with_keys = |args: &[&str]| {
        let mut cmd = bin();
        cmd.args(args)
            .args(["--keys-env", "TC_KEYS", "--salt", "app.v1", "--no-expiry"])
            .arg(&value)
            .env("TC_KEYS", &line);
        cmd
    };
    let text = printed(&mut with_keys(&["inspect"]), 0);
    assert!(text.contains("verdict     valid"), "{text}");
    assert!(text.contains(r"\u202e"), "{text}");

    // `open` prints JSON: escaped with JSON's own escapes, so it parses to the payload.
    let payload: Value = serde_json::from_str(&printed(&mut with_keys(&["open"]), 0)).unwrap();
    assert_eq!(payload, json!({ "name": HOSTILE }));
    let opened: Value =
        serde_json::from_str(&printed(&mut with_keys(&["open", "--json"]), 0)).unwrap();
    assert_eq!(opened["payload"]["name"], HOSTILE);
    let inspected: Value =
        serde_json::from_str(&printed(&mut with_keys(&["inspect", "--json"]), 0)).unwrap();
    assert_eq!(inspected["payload"]["name"], HOSTILE);
}

#[test]
fn foreign_sessions_are_escaped_too() {
    let cookie = flask::session("flask-secret")
        .seal(&json!({ HOSTILE: HOSTILE }))
        .unwrap();
    let run = |args: &[&str]| {
        let mut cmd = bin();
        cmd.args(args)
            .args(["--flask", "--keys-env", "TC_KEYS", &cookie])
            .env("TC_KEYS", "flask-secret");
        cmd
    };
    let text = printed(&mut run(&["inspect"]), 0);
    assert!(text.contains(r"\u202e"), "{text}");
    let json: Value = serde_json::from_str(&printed(&mut run(&["inspect", "--json"]), 0)).unwrap();
    assert_eq!(json["payload"][HOSTILE], HOSTILE);
    let payload: Value = serde_json::from_str(&printed(&mut run(&["open"]), 0)).unwrap();
    assert_eq!(payload[HOSTILE], HOSTILE);
}

#[test]
fn check_set_cookie_escapes_the_lines_characters() {
    // No C0 control here (the browser ignores such a line before anything is printed of it),
    // but C1 controls and bidi characters, which it stores.
    let name = "\u{202e}sid\u{85}\u{9b}2J\u{2066}";
    let line = format!("{name}=1; Domain=ex\u{202e}.com; Path=/\u{85}; Foo\u{2067}=1");
    let text = printed(bin().args(["check-set-cookie", &line]), 1);
    assert!(text.contains(r"\u{202e}"), "{text}");
    assert!(text.contains(r"Foo\u{2067}"), "{text}");
    let json: Value = serde_json::from_str(&printed(
        bin().args(["check-set-cookie", "--json", &line]),
        1,
    ))
    .unwrap();
    assert_eq!(json["name"], name);

    // Stored (not rejected), the name is quoted in the `stored as` line.
    let line = format!("{name}=1; Path=/\u{85}\u{202e}");
    let text = printed(bin().args(["check-set-cookie", &line]), 0);
    assert!(text.contains(r"path /\u{85}\u{202e}"), "{text}");
    assert!(
        text.contains(r"stored as `\u{202e}sid\u{85}\u{9b}2J\u{2066}`"),
        "{text}"
    );
}
