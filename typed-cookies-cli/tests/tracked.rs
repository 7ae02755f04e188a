//! Tracked values (`revocable`, `one_time`, `replay` types issued by `Guard::issue`, and runtime
//! one-time tokens) through the binary: `open` and `inspect` read the claims bit from the value
//! itself and show the session id, subject, epoch and replay nonce — saying that no store was
//! consulted — and a refusal names what is wrong (salt or keys, mode, a possible client
//! binding) without the library's advice to authors of types.

use assert_cmd::Command;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use typed_cookies::guard::{ClientContext, Guard};
use typed_cookies::store::MemoryStore;
use typed_cookies::time::{Duration, OffsetDateTime};
use typed_cookies::{Key, KeyRing, SealedCookie};

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-rv",
    salt = "cli.tracked.revocable.v1",
    max_age = "2h",
    revocable
)]
struct Revocable {
    user: String,
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-rp",
    salt = "cli.tracked.replay.v1",
    max_age = "2h",
    encrypt,
    replay = "5s"
)]
struct Replay {
    user: String,
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-ot",
    salt = "cli.tracked.once.v1",
    max_age = "1h",
    one_time
)]
struct OneTime {
    user: String,
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-bd",
    salt = "cli.tracked.bound.v1",
    max_age = "2h",
    revocable,
    bind = "user_agent"
)]
struct Bound {
    user: String,
}

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(name = "__Host-pl", salt = "cli.tracked.plain.v1", max_age = "2h")]
struct Plain {
    user: String,
}

/// Runs a future that never waits (the `MemoryStore`'s).
fn ready<F: std::future::Future>(future: F) -> F::Output {
    struct Noop;
    impl std::task::Wake for Noop {
        fn wake(self: std::sync::Arc<Self>) {}
    }
    let waker = std::task::Waker::from(std::sync::Arc::new(Noop));
    let mut cx = std::task::Context::from_waker(&waker);
    match std::pin::pin!(future).poll(&mut cx) {
        std::task::Poll::Ready(out) => out,
        std::task::Poll::Pending => panic!("the store waited"),
    }
}

struct Fixture {
    keys: KeyRing,
    line: String,
    guard: Guard,
}

fn fixture() -> Fixture {
    let key = Key::generate();
    Fixture {
        line: key.to_base64(),
        keys: KeyRing::new(key),
        guard: Guard::new(MemoryStore::new()),
    }
}

impl Fixture {
    fn issue<T: SealedCookie>(&self, value: &T, subject: Option<&str>) -> (String, String) {
        let issued = ready(
            self.guard
                .issue(&self.keys, value, subject, &ClientContext::new()),
        )
        .unwrap();
        let id = issued.session_id().unwrap().to_string();
        (issued.value().to_owned(), id)
    }

    /// `typed-cookies <args> --keys-env TC_KEYS`: exit code, stdout, stderr.
    fn run(&self, args: &[&str]) -> (Option<i32>, String, String) {
        let out = Command::cargo_bin("typed-cookies")
            .unwrap()
            .args(args)
            .args(["--keys-env", "TC_KEYS"])
            .env("TC_KEYS", &self.line)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }

    /// `open --json` and `inspect --json` of `value` under `salt`: both outputs, after
    /// checking both exit with `code`.
    fn json(&self, value: &str, salt: &str, extra: &[&str], code: i32) -> [Value; 2] {
        [
            vec!["open", value, "--json", "--salt", salt, "--max-age", "2h"],
            vec!["inspect", value, "--json", "--salt", salt],
        ]
        .map(|mut args| {
            args.extend_from_slice(extra);
            let (status, stdout, stderr) = self.run(&args);
            assert_eq!(status, Some(code), "{args:?}: {stdout} {stderr}");
            serde_json::from_str(&stdout).unwrap()
        })
    }
}

fn assert_not_checked(shown: &Value) {
    assert_eq!(shown["tracked"], json!(true), "{shown}");
    assert_eq!(shown["revocation_checked"], json!(false), "{shown}");
    assert!(shown["revocation_note"]
        .as_str()
        .unwrap()
        .contains("NOT checked"));
    assert_eq!(shown["verdict"], json!("valid"), "{shown}");
    assert!(shown["message"].as_str().unwrap().contains("NOT checked"));
}

#[test]
fn a_revocable_value_shows_its_session_subject_and_time_epoch() {
    let f = fixture();
    // A sign-out everywhere first: the session is stamped with that time (microseconds).
    let epoch = ready(f.guard.sign_out_everywhere(&f.keys, "user:ann")).unwrap();
    let (value, id) = f.issue(&Revocable { user: "ann".into() }, Some("user:ann"));
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(epoch) * 1000).unwrap();
    assert!((OffsetDateTime::now_utc() - at).abs() < Duration::minutes(5));

    for shown in f.json(&value, "cli.tracked.revocable.v1", &[], 0) {
        assert_not_checked(&shown);
        assert_eq!(shown["domain"], json!("derived"));
        assert_eq!(shown["payload"], json!({"user": "ann"}));
        let claims = &shown["claims"];
        assert_eq!(claims["session_id"], json!(id));
        assert_eq!(claims["subject"], json!("user:ann"));
        assert_eq!(claims["epoch"], json!(epoch));
        assert_eq!(claims["epoch_reading"], json!("time"));
        let shown_at = claims["epoch_time"].as_str().unwrap();
        let parsed = OffsetDateTime::parse(
            shown_at,
            &typed_cookies::time::format_description::well_known::Rfc3339,
        );
        assert_eq!(parsed.ok(), Some(at), "{shown_at}");
        assert_eq!(claims["replay_nonce"], Value::Null);
    }

    // Text: `inspect` labels every claim; `open` prints the bare payload, the claims on stderr.
    let (code, stdout, _) = f.run(&["inspect", &value, "--salt", "cli.tracked.revocable.v1"]);
    assert_eq!(code, Some(0), "{stdout}");
    for expected in [
        format!("session id  {id}"),
        "subject     \"user:ann\"".into(),
        format!("epoch       {epoch} (microseconds: "),
        "replay nonce none (not a `replay` type)".into(),
        "revocation  NOT checked: no store was consulted".into(),
        "verdict     valid (authentic and fresh; revocation status NOT checked".into(),
    ] {
        assert!(stdout.contains(&expected), "{expected}\n{stdout}");
    }
    let (code, stdout, stderr) = f.run(&[
        "open",
        &value,
        "--salt",
        "cli.tracked.revocable.v1",
        "--no-expiry",
    ]);
    assert_eq!((code, stdout.as_str()), (Some(0), "{\"user\":\"ann\"}\n"));
    assert!(stderr.contains(&format!("session id: {id}")), "{stderr}");
    assert!(stderr.contains("revocation: NOT checked"), "{stderr}");
}

#[test]
fn replay_and_one_time_values_and_one_time_tokens_open_with_their_claims() {
    let f = fixture();
    let (value, id) = f.issue(&Replay { user: "bo".into() }, None);
    for shown in f.json(&value, "cli.tracked.replay.v1", &["--encrypted"], 0) {
        assert_not_checked(&shown);
        assert_eq!(shown["payload"], json!({"user": "bo"}));
        let claims = &shown["claims"];
        assert_eq!(claims["session_id"], json!(id));
        assert_eq!(
            (&claims["subject"], &claims["epoch"]),
            (&Value::Null, &json!(0))
        );
        assert_eq!(claims["epoch_reading"], json!("none"));
        let nonce = claims["replay_nonce"].as_str().unwrap();
        assert!(nonce.parse::<u64>().unwrap() > 0, "{nonce}");
    }
    let (_, stdout, _) = f.run(&["inspect", &value, "--salt", "cli.tracked.replay.v1"]);
    assert!(stdout.contains("subject     none (anonymous)"), "{stdout}");

    let (value, id) = f.issue(&OneTime { user: "cy".into() }, Some("user:cy"));
    for shown in f.json(&value, "cli.tracked.once.v1", &[], 0) {
        assert_not_checked(&shown);
        assert_eq!(shown["domain"], json!("derived"));
        assert_eq!(shown["claims"]["session_id"], json!(id));
        assert_eq!(shown["claims"]["subject"], json!("user:cy"));
        assert_eq!(shown["claims"]["replay_nonce"], Value::Null);
    }
    // Reading it claimed nothing: the guard still opens it, once.
    let ctx = ClientContext::new();
    assert!(ready(f.guard.open::<OneTime>(&f.keys, &value, &ctx)).is_ok());
    assert!(ready(f.guard.open::<OneTime>(&f.keys, &value, &ctx)).is_err());

    // A runtime one-time token, in the runtime sealer's domain.
    let token = f
        .keys
        .encrypted("cli.tracked.reset")
        .one_time(Duration::hours(1))
        .seal(&json!({"user_id": 7}))
        .unwrap();
    for shown in f.json(&token, "cli.tracked.reset", &["--encrypted"], 0) {
        assert_not_checked(&shown);
        assert_eq!(shown["domain"], json!("runtime"));
        assert_eq!(shown["payload"], json!({"user_id": 7}));
        assert_eq!(shown["claims"]["session_id"].as_str().unwrap().len(), 32);
    }
    let (_, stdout, _) = f.run(&["inspect", &token, "--salt", "cli.tracked.reset"]);
    assert!(stdout.contains("runtime one-time token's"), "{stdout}");

    // An untracked value says so, and has no claims.
    let plain = Plain { user: "di".into() }.seal(&f.keys).unwrap();
    for shown in f.json(&plain, "cli.tracked.plain.v1", &[], 0) {
        assert_eq!(
            (&shown["tracked"], &shown["verdict"]),
            (&json!(false), &json!("valid"))
        );
        assert_eq!(shown.get("claims"), None);
        assert_eq!(shown.get("revocation_checked"), None);
    }
}

/// Messages of every refusal below: never the library's advice to change the salt.
fn assert_no_tracking_advice(text: &str) {
    for advice in ["change the salt", "tracking mismatch", "session claims but"] {
        assert!(!text.contains(advice), "{advice}: {text}");
    }
}

#[test]
fn a_wrong_salt_says_wrong_salt_or_keys_and_lists_binding() {
    let f = fixture();
    let (value, _) = f.issue(&Revocable { user: "ann".into() }, Some("user:ann"));
    for shown in f.json(&value, "cli.tracked.other.v1", &[], 1) {
        assert_eq!(shown["verdict"], json!("invalid"));
        let message = shown["message"].as_str().unwrap();
        assert!(message.contains("wrong salt or keys"), "{message}");
        assert!(message.contains("header says, tracked"), "{message}");
        assert!(message.contains("bound to its client"), "{message}");
        assert_no_tracking_advice(message);
        assert_eq!(shown.get("claims"), None);
    }
    let (code, _, stderr) = f.run(&[
        "open",
        &value,
        "--salt",
        "cli.tracked.other.v1",
        "--no-expiry",
    ]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("wrong salt or keys"), "{stderr}");
    assert_no_tracking_advice(&stderr);

    // Keys that do not hold the value's key: named as such.
    let other = Fixture {
        line: Key::generate().to_base64(),
        ..fixture()
    };
    let [shown, _] = other.json(&value, "cli.tracked.revocable.v1", &[], 1);
    assert_eq!(shown["verdict"], json!("unknown_key"));

    // A bound value under its own salt: the binding is the cause listed, nothing opens.
    let bound = ready(f.guard.issue(
        &f.keys,
        &Bound { user: "ann".into() },
        Some("user:ann"),
        &ClientContext::new().user_agent("Firefox"),
    ))
    .unwrap();
    for shown in f.json(bound.value(), "cli.tracked.bound.v1", &[], 1) {
        let message = shown["message"].as_str().unwrap();
        assert!(
            message.contains("cannot be verified without the client's user agent, IP or app bytes"),
            "{message}"
        );
        assert_no_tracking_advice(message);
    }
}

#[test]
fn a_wrong_mode_is_named_and_tried() {
    let f = fixture();
    let (signed, _) = f.issue(&Revocable { user: "ann".into() }, Some("user:ann"));
    let (encrypted, _) = f.issue(&Replay { user: "bo".into() }, None);
    let open = |value: &str, salt: &str, extra: &[&str]| {
        let mut args = vec!["open", value, "--salt", salt, "--no-expiry"];
        args.extend_from_slice(extra);
        let (code, _, stderr) = f.run(&args);
        assert_eq!(code, Some(1), "{stderr}");
        assert_no_tracking_advice(&stderr);
        stderr
    };
    let stderr = open(&signed, "cli.tracked.revocable.v1", &["--encrypted"]);
    assert!(
        stderr.contains("wrong mode: the value is signed, not encrypted, and opens as signed with these keys and this salt (drop --encrypted)"),
        "{stderr}"
    );
    let stderr = open(&encrypted, "cli.tracked.replay.v1", &[]);
    assert!(
        stderr.contains("the value is encrypted, not signed, and opens as encrypted"),
        "{stderr}"
    );
    assert!(stderr.contains("(add --encrypted)"), "{stderr}");
    // The wrong mode and the wrong salt: the header's mode is named, and that it does not
    // open in it either.
    let stderr = open(&encrypted, "cli.tracked.other.v1", &[]);
    assert!(
        stderr.contains("the value's header says encrypted, not signed (add --encrypted); as encrypted it does not open either: invalid"),
        "{stderr}"
    );
    assert!(stderr.contains("wrong salt or keys"), "{stderr}");
    let (_, stdout, _) = f.run(&[
        "open",
        &encrypted,
        "--json",
        "--salt",
        "cli.tracked.replay.v1",
        "--no-expiry",
    ]);
    let shown: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(shown["verdict"], json!("wrong_format"));
    // `inspect` follows the header's mode unless told otherwise.
    let (code, stdout, _) = f.run(&["inspect", &encrypted, "--salt", "cli.tracked.replay.v1"]);
    assert_eq!(code, Some(0), "{stdout}");
}

#[test]
fn untracked_under_a_tracked_salt_and_tracked_under_an_untracked_one() {
    let f = fixture();
    let plain = Plain { user: "di".into() }.seal(&f.keys).unwrap();
    let (tracked, _) = f.issue(&Revocable { user: "ann".into() }, Some("user:ann"));
    for (value, salt, kind) in [
        (&plain, "cli.tracked.revocable.v1", "header says, untracked"),
        (&tracked, "cli.tracked.plain.v1", "header says, tracked"),
    ] {
        for shown in f.json(value, salt, &[], 1) {
            assert_eq!(shown["verdict"], json!("invalid"), "{shown}");
            let message = shown["message"].as_str().unwrap();
            assert!(message.contains("wrong salt or keys"), "{message}");
            assert!(message.contains(kind), "{message}");
            assert_no_tracking_advice(message);
        }
    }
}

#[test]
fn a_hostile_subject_prints_escaped() {
    let f = fixture();
    let hostile = "\u{1b}[2Jann\r\u{85}\u{202e}gpj.exe";
    let (value, _) = f.issue(&Revocable { user: "ann".into() }, Some(hostile));
    let salt = "cli.tracked.revocable.v1";
    for args in [
        vec!["inspect", &value, "--salt", salt],
        vec!["inspect", &value, "--salt", salt, "--json"],
        vec!["open", &value, "--salt", salt, "--no-expiry"],
        vec!["open", &value, "--salt", salt, "--no-expiry", "--json"],
    ] {
        let (code, stdout, stderr) = f.run(&args);
        assert_eq!(code, Some(0), "{args:?}");
        let raw: Vec<char> = format!("{stdout}{stderr}")
            .chars()
            .filter(|&c| c != '\n' && typed_cookies_cli::escape::is_unsafe(c))
            .collect();
        assert!(raw.is_empty(), "{args:?}: {raw:?}");
        if args.contains(&"--json") {
            let shown: Value = serde_json::from_str(&stdout).unwrap();
            assert_eq!(shown["claims"]["subject"], json!(hostile));
        } else {
            assert!(
                format!("{stdout}{stderr}").contains(r#""\u001b[2Jann\r\u0085\u202egpj.exe""#),
                "{stdout}{stderr}"
            );
        }
    }
}
