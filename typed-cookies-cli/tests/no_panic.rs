//! No input makes the command panic: arbitrary lines (multi-byte characters at every position
//! of every attribute value included) through the `Set-Cookie` checker, holding it to what
//! `typed_cookies_cli::fuzzing::check_set_cookie` asserts (the fuzz target's oracle: escaped
//! output, JSON that parses, a bounded expiry), and the real binary on
//! the inputs that used to panic or sit at the edges (`Expires=a€`, forged header times,
//! non-UTF-8 arguments, multi-byte flags and keys), and on arbitrary and mutated Rails,
//! Express and Laravel values (`open` with keys, `inspect` with and without). A panic would be
//! exit code 101 and a `panicked` line; every case here must end with 0, 1 or 2, and print
//! nothing unescaped.

mod support;
use support::bin;

use assert_cmd::Command;
use base64::Engine as _;
use proptest::prelude::*;
use typed_cookies::time::{OffsetDateTime, PrimitiveDateTime};
use typed_cookies::{Key, KeyRing};
use typed_cookies_cli::fuzzing::check_set_cookie;

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap() // 2026-01-01
}

/// Multi-byte characters of every width, and ones that must be escaped when printed.
const WIDE: [char; 7] = ['é', '€', '😀', '\u{85}', '\u{202e}', '\u{2066}', '\u{fffd}'];

/// Each attribute with a value the checker understands.
const LINE: &str = "__Host-sid=abc; Expires=Thu, 01 Jan 2026 00:00:00 GMT; Max-Age=7200; \
                    Domain=example.com; Path=/; SameSite=Lax; Secure; HttpOnly";

#[test]
fn the_reported_line_no_longer_panics() {
    let report = check_set_cookie("__Host-a=1; Secure; Path=/; Expires=a€", now());
    assert!(!report.rejected());
    assert!(report
        .findings
        .iter()
        .any(|f| f.code == "expires-unparsable"));
}

/// Every wide character at every character position of the whole line: in names, values,
/// attribute names and each attribute's value (Expires, Max-Age, Domain, Path, SameSite).
#[test]
fn a_multi_byte_character_at_every_position_of_every_value() {
    let positions: Vec<usize> = LINE
        .char_indices()
        .map(|(i, _)| i)
        .chain([LINE.len()])
        .collect();
    for c in WIDE {
        for &at in &positions {
            let mut line = LINE.to_owned();
            line.insert(at, c);
            check_set_cookie(&line, now());
            // ...and replacing the character there.
            let mut line = LINE.to_owned();
            if at < LINE.len() {
                let next = LINE[at..].chars().next().unwrap();
                line.replace_range(at..at + next.len_utf8(), &c.to_string());
                check_set_cookie(&line, now());
            }
        }
    }
}

/// A value for `attribute` from a mix of ASCII date/number/domain pieces and wide characters.
fn attribute_value() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("Thu".to_owned()),
        Just("01".to_owned()),
        Just("Jan".to_owned()),
        Just("2026".to_owned()),
        Just("00:00:00".to_owned()),
        Just("-".to_owned()),
        Just(".".to_owned()),
        Just("/".to_owned()),
        Just(" ".to_owned()),
        Just("9".repeat(25)),
        "[a-z0-9]{0,4}",
        proptest::sample::select(WIDE.to_vec()).prop_map(String::from),
        any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(piece, 0..8).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_string_is_checked_without_panicking(line in any::<String>()) {
        check_set_cookie(&line, now());
    }

    #[test]
    fn any_attribute_value_is_checked_without_panicking(
        name in "(__Host-|__Secure-|__host-|)[a-z€]{0,3}",
        attribute in proptest::sample::select(
            vec!["Expires", "Max-Age", "Domain", "Path", "SameSite", "Partitioned", "X-€"],
        ),
        value in attribute_value(),
        secure in any::<bool>(),
    ) {
        let line = format!(
            "Set-Cookie: {name}=v; {attribute}={value}{}",
            if secure { "; Secure" } else { "" }
        );
        check_set_cookie(&line, now());
    }

    /// Any instant `time` can hold, to the ends of its range: the lifetime math saturates.
    #[test]
    fn any_now_is_checked_without_overflowing(
        secs in PrimitiveDateTime::MIN.assume_utc().unix_timestamp()
            ..=PrimitiveDateTime::MAX.assume_utc().unix_timestamp(),
        value in attribute_value(),
        max_age in any::<bool>(),
    ) {
        let now = OffsetDateTime::from_unix_timestamp(secs).unwrap();
        let line = format!("a=1; {}={value}", if max_age { "Max-Age" } else { "Expires" });
        check_set_cookie(&line, now);
        let line = "a=1; Max-Age=99999999999999999999999";
        check_set_cookie(line, now);
    }
}

// The real binary: exit code 0, 1 or 2 and no panic message, whatever the input.

fn assert_clean_exit(cmd: &mut Command, what: &str) -> std::process::Output {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0..=2)) && !stderr.contains("panicked"),
        "{what}: {:?} {stderr}",
        out.status
    );
    out
}

#[test]
fn check_set_cookie_exits_cleanly_on_multi_byte_values() {
    let out = assert_clean_exit(
        bin().args(["check-set-cookie", "__Host-a=1; Secure; Path=/; Expires=a€"]),
        "the reported line",
    );
    assert_eq!(out.status.code(), Some(0));
    for attribute in ["Expires=a", "Max-Age=1", "Domain=a.b", "Path=/a"] {
        for c in ['€', '😀', '\u{85}'] {
            for at in [attribute.find('=').unwrap() + 1, attribute.len()] {
                let mut attribute = attribute.to_owned();
                attribute.insert(at, c);
                let line = format!("__Host-a=1; Secure; Path=/; {attribute}");
                for json in [false, true] {
                    let mut cmd = bin();
                    cmd.args(["check-set-cookie", &line]);
                    if json {
                        cmd.arg("--json");
                    }
                    assert_clean_exit(&mut cmd, &line);
                }
            }
        }
    }
}

/// A signed value whose header claims `issued_at` (unix seconds, any `i64`).
fn forged(issued_at: i64) -> String {
    let keys = KeyRing::new(Key::generate());
    let value = keys.signed("s").no_expiry().seal(&1u8).unwrap();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut raw = b64.decode(value).unwrap();
    // Version 1: version, format, 4-byte key id, then the issue time (FORMAT.md).
    raw[6..14].copy_from_slice(&issued_at.to_be_bytes());
    b64.encode(raw)
}

#[test]
fn inspect_exits_cleanly_on_forged_times_and_odd_values() {
    for secs in [i64::MIN, -1, 0, 253_402_300_800, i64::MAX] {
        let value = forged(secs);
        for json in [false, true] {
            let mut cmd = bin();
            cmd.args(["inspect", &value]);
            if json {
                cmd.arg("--json");
            }
            let out = assert_clean_exit(&mut cmd, &format!("issued at {secs}"));
            assert_eq!(out.status.code(), Some(0), "{secs}");
        }
    }
    for value in [
        "a€",
        "€",
        "😀😀😀😀",
        "\u{85}",
        "AQ€",
        &"€".repeat(2000),
        "",
    ] {
        assert_clean_exit(bin().args(["inspect", value]), value);
        assert_clean_exit(bin().args(["inspect", "--json", value]), value);
    }
}

#[test]
fn other_commands_exit_cleanly_on_multi_byte_input() {
    let keys = KeyRing::new(Key::generate()).primary().to_base64();
    let runs: Vec<(Vec<&str>, Option<&str>)> = vec![
        (
            vec!["open", "--salt", "s", "--no-expiry", "a€"],
            Some(keys.as_str()),
        ),
        (
            vec!["open", "--salt", "s€", "--max-age", "1€", "x"],
            Some(keys.as_str()),
        ),
        (
            vec!["open", "--salt", "s", "--max-age", "€", "x"],
            Some(keys.as_str()),
        ),
        (
            vec!["open", "--salt", "s", "--max-age", "9999999999999999w", "x"],
            Some(keys.as_str()),
        ),
        (vec!["open", "--django", "a€:b€:c€"], Some("sécret€")),
        (vec!["open", "--flask", "€.€.€"], Some("sécret€")),
        (
            vec!["open", "--iron", "Fe26.2*€*€"],
            Some("1€=a_password_of_at_least_32_characters_long"),
        ),
        (
            vec!["seal", "--salt", "s", "--no-expiry", "\"€\u{202e}\""],
            Some(keys.as_str()),
        ),
        (
            vec!["seal", "--salt", "s", "--no-expiry", "{€"],
            Some(keys.as_str()),
        ),
        (vec!["seal", "--django", "\"€\""], Some("€")),
        (vec!["inspect", "--salt", "s€", "a€"], Some(keys.as_str())),
        (vec!["key-id"], Some("€,😀")),
        (vec!["rotate"], Some("€")),
        (vec!["rotate", "--keep", "1€"], Some(keys.as_str())),
        (vec!["keygen", "--ring", "€"], None),
    ];
    for (args, secret) in runs {
        let mut cmd = bin();
        cmd.args(&args);
        if let Some(secret) = secret {
            cmd.args(["--keys-env", "TC_KEYS"]).env("TC_KEYS", secret);
        }
        assert_clean_exit(&mut cmd, &args.join(" "));
    }
}

#[cfg(unix)]
#[test]
fn non_utf8_arguments_are_usage_errors() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let bad = OsStr::from_bytes(b"__Host-a=1; Expires=a\xe2\x82");
    let out = assert_clean_exit(bin().arg("check-set-cookie").arg(bad), "non-UTF-8 header");
    assert_eq!(out.status.code(), Some(2));
    let out = assert_clean_exit(bin().arg("inspect").arg(bad), "non-UTF-8 value");
    assert_eq!(out.status.code(), Some(2));
}

// Rails, Express and Laravel: arbitrary and mutated values through `open` and `inspect`.

const RAILS_SECRET: &str = "a-rails-secret-key-base";
const EXPRESS_SECRET: &str = "an express secret";
const LARAVEL_KEY: &str = "base64:q2kFjq0yG0aOsdIuKsbZ2VQ3bAbVYc+l0HoUQ8PmBbU=";

/// The flags of each new format, its secret, and a genuine value to mutate.
fn foreign_runs() -> Vec<(Vec<&'static str>, &'static str, String)> {
    use typed_cookies::interop::{express, laravel, rails};
    let payload = serde_json::json!({"user": "\u{202e}ada", "n": [1, 2]});
    let jar = rails::CookieJar::new(RAILS_SECRET).unwrap();
    let cookies = laravel::cookies(LARAVEL_KEY).unwrap();
    let gcm = laravel::Encrypter::new(LARAVEL_KEY, "AES-256-GCM".parse().unwrap()).unwrap();
    let session = express::cookie_session(EXPRESS_SECRET)
        .seal(&payload)
        .unwrap();
    vec![
        (
            vec!["--rails", "--rails-cookie", "signed", "--name", "c"],
            RAILS_SECRET,
            jar.signed("c").seal(&payload).unwrap(),
        ),
        (
            vec!["--rails", "--name", "c"],
            RAILS_SECRET,
            jar.encrypted("c").seal(&payload).unwrap(),
        ),
        (
            vec!["--express"],
            EXPRESS_SECRET,
            express::signed_cookie(EXPRESS_SECRET)
                .seal(&payload)
                .unwrap(),
        ),
        (
            vec!["--express-session"],
            EXPRESS_SECRET,
            express::session_id_cookie(EXPRESS_SECRET)
                .seal("abc")
                .unwrap(),
        ),
        (
            vec!["--cookie-session", "--sig", "c2lnbmF0dXJl"],
            EXPRESS_SECRET,
            session.value,
        ),
        (
            vec!["--laravel", "--name", "c"],
            LARAVEL_KEY,
            cookies.seal("c", &payload).unwrap(),
        ),
        (
            vec!["--laravel", "--cipher", "AES-256-GCM"],
            LARAVEL_KEY,
            gcm.seal(&payload).unwrap(),
        ),
    ]
}

/// `open` with keys and `inspect` with and without them, in text and JSON: a clean exit,
/// and no control or bidi character printed raw.
fn run_foreign(flags: &[&str], secret: &str, value: &str, json: bool) {
    let mut commands: Vec<Command> = Vec::new();
    for (command, keys) in [("open", true), ("inspect", true), ("inspect", false)] {
        let mut cmd = bin();
        cmd.arg(command).args(flags);
        if json {
            cmd.arg("--json");
        }
        if keys {
            cmd.args(["--keys-env", "TC_KEYS"]).env("TC_KEYS", secret);
        }
        cmd.args(["--", value]);
        commands.push(cmd);
    }
    for mut cmd in commands {
        let out = assert_clean_exit(&mut cmd, &format!("{flags:?} {value:?}"));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let raw = stdout
            .chars()
            .find(|&c| c != '\n' && typed_cookies_cli::escape::is_unsafe(c));
        assert_eq!(
            raw, None,
            "{flags:?} {value:?} printed {raw:?} raw: {stdout}"
        );
    }
}

#[test]
fn genuine_foreign_values_open_and_print_escaped() {
    for (flags, secret, value) in foreign_runs() {
        for json in [false, true] {
            run_foreign(&flags, secret, &value, json);
        }
    }
}

/// A character for an edit: the ones that mean something in these formats, wide ones,
/// and any other.
fn edit_char() -> impl Strategy<Value = char> {
    prop_oneof![
        proptest::sample::select(vec![
            '%', '-', '.', ':', '=', '"', '{', '}', '|', 'A', '/', '+'
        ]),
        proptest::sample::select(WIDE.to_vec()),
        any::<char>().prop_filter("an argument cannot hold NUL", |c| *c != '\0'),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// Genuine values with characters replaced, inserted or cut off.
    #[test]
    fn mutated_foreign_values_exit_cleanly(
        run in proptest::sample::select((0..7usize).collect::<Vec<_>>()),
        edits in proptest::collection::vec(
            (any::<proptest::sample::Index>(), edit_char(), any::<bool>()),
            1..4,
        ),
        cut in proptest::option::of(any::<proptest::sample::Index>()),
        json in any::<bool>(),
    ) {
        let runs = foreign_runs();
        let (flags, secret, value) = &runs[run];
        let mut chars: Vec<char> = value.chars().collect();
        for (at, c, insert) in edits {
            let at = at.index(chars.len() + 1);
            if insert || at == chars.len() {
                chars.insert(at, c);
            } else {
                chars[at] = c;
            }
        }
        if let Some(cut) = cut {
            chars.truncate(cut.index(chars.len() + 1));
        }
        let value: String = chars.into_iter().collect();
        run_foreign(flags, secret, &value, json);
    }

    /// Any string as a value of each format.
    #[test]
    fn arbitrary_foreign_values_exit_cleanly(
        run in proptest::sample::select((0..7usize).collect::<Vec<_>>()),
        value in any::<String>().prop_map(|s| s.replace('\0', "")),
        json in any::<bool>(),
    ) {
        let runs = foreign_runs();
        let (flags, secret, _) = &runs[run];
        run_foreign(flags, secret, &value, json);
    }
}
