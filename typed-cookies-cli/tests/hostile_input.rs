//! Fresh-eye hostile input for the `typed-cookies` binary: every subcommand with values an
//! attacker writes (forged headers of every version and format byte, claims blocks whose
//! subject holds terminal escapes, compressed junk, foreign envelopes with controls in their
//! purposes and names), names, salts and key sources with control and bidi characters, huge
//! inputs, non-UTF-8 stdin, and a stdout whose reader is gone. Each run must end with exit 0, 1
//! or 2 (never a panic's 101), and nothing it prints may hold a raw control or bidi character
//! ([`escape::is_unsafe`]) other than the newlines between lines.
//!
//! Argument errors are clap's text: printed through the same escaping
//! (`argument_errors_do_not_echo_controls_or_bidi`, which failed while clap printed them).

mod support;
use support::bin;

use assert_cmd::Command;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use typed_cookies::{Key, KeyRing};
use typed_cookies_cli::escape;

/// What an attacker puts wherever text is shown: ESC sequences (clear screen, window title),
/// `\r`, BEL, C1 (NEL, CSI), bidi overrides and isolates, LRM/RLM, ALM, DEL, line separator.
const HOSTILE: &str = "\u{1b}[2J\u{1b}]0;owned\u{7}ok\rfake\u{85}\u{9b}31m\u{202e}exe\u{2066}\u{200f}\u{61c}\u{7f}\u{2028}";

/// Whether `stream` holds a raw unsafe character (the newlines between lines aside).
fn unsafe_chars(stream: &[u8]) -> Vec<char> {
    String::from_utf8_lossy(stream)
        .chars()
        .filter(|&c| c != '\n' && escape::is_unsafe(c))
        .collect()
}

/// Runs `cmd`: exit 0, 1 or 2, no panic, no raw unsafe character on either stream.
fn clean(cmd: &mut Command, what: &str) -> std::process::Output {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0..=2)) && !stderr.contains("panicked"),
        "{what}: {:?} {stderr}",
        out.status
    );
    for (name, stream) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let raw = unsafe_chars(stream);
        assert!(
            raw.is_empty(),
            "{what}: {name} prints {raw:?} raw: {:?}",
            String::from_utf8_lossy(stream)
        );
    }
    out
}

fn key_line() -> String {
    Key::generate().to_base64()
}

/// A v1 or v2 header of `format` under `key_id`, issued at `issued` (v2: `age` seconds after
/// the session's creation), then `body` (payload and MAC or nonce, ciphertext and tag).
fn forged(version: u8, format: u8, key_id: [u8; 4], issued: i64, age: u32, body: &[u8]) -> String {
    let mut raw = vec![version, format];
    raw.extend_from_slice(&key_id);
    raw.extend_from_slice(&issued.to_be_bytes());
    if version == 2 {
        raw.extend_from_slice(&age.to_be_bytes());
    }
    raw.extend_from_slice(body);
    URL_SAFE_NO_PAD.encode(raw)
}

/// Raw DEFLATE of `data` in stored blocks (no compression library needed): what a forged
/// "compressed" payload inflates to.
fn stored_deflate(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut chunks = data.chunks(0xffff).peekable();
    if chunks.peek().is_none() {
        return vec![1, 0, 0, 0xff, 0xff];
    }
    while let Some(chunk) = chunks.next() {
        out.push(u8::from(chunks.peek().is_none()));
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out
}

/// Forged typed-cookies values: every version and format byte (claims, compressed, unknown
/// bits), times at the ends of `i64`, v2 ages that underflow, claims blocks whose subject is
/// hostile (or whose length runs past the body), payloads of hostile JSON, not-JSON bytes,
/// JSON escapes of controls, deep nesting, and compressed payloads that inflate to any of
/// those or past the inflate bound.
fn forged_values(key_id: [u8; 4]) -> Vec<String> {
    let json_escapes = br#"{"a":"\u001b[2J\u202e\u0085\u2066\r","\u001b]0;k\u0007":1}"#.to_vec();
    let raw_json = format!("{{\"{HOSTILE}\":\"{HOSTILE}\"}}").into_bytes();
    let mut deep = vec![b'['; 5000];
    deep.extend(vec![b']'; 5000]);
    let payloads: Vec<Vec<u8>> = vec![
        json_escapes,
        raw_json,
        HOSTILE.as_bytes().to_vec(),
        b"\xff\xfe\x1b[2J".to_vec(),
        deep,
        br#""\ud800""#.to_vec(),
        b"1e999999".to_vec(),
        Vec::new(),
    ];
    let mut values = Vec::new();
    for version in [1u8, 2, 0, 3, 255] {
        for format in [
            0x01u8, 0x02, 0x11, 0x12, 0x41, 0x42, 0x51, 0x81, 0x82, 0x91, 0xc1, 0xc2, 0xd2, 0x00,
            0x03, 0x21, 0xff,
        ] {
            for issued in [i64::MIN, -1, 0, 1_767_225_600, i64::MAX] {
                let age = if issued == i64::MIN { u32::MAX } else { 7 };
                for body in [&[][..], &[0u8; 31][..], &[0u8; 48][..]] {
                    values.push(forged(version, format, key_id, issued, age, body));
                }
            }
            for payload in &payloads {
                let mut body = payload.clone();
                body.extend_from_slice(&[0; 32]);
                values.push(forged(version, format, key_id, 1_767_225_600, 0, &body));
            }
        }
    }
    // Claims blocks: a hostile subject, a subject length past the end, then a payload.
    for subject in [HOSTILE.as_bytes(), &[0xff; 3][..], &[b'a'; 255][..]] {
        for declared in [subject.len() as u8, 255] {
            let mut body = vec![0x42; 16];
            body.extend_from_slice(&[0; 16]);
            body.push(declared);
            body.extend_from_slice(subject);
            body.extend_from_slice(br#"{"a":"\u001b"}"#);
            body.extend_from_slice(&[0; 32]);
            for format in [0x81, 0xc1, 0x82] {
                values.push(forged(1, format, key_id, 1_767_225_600, 0, &body));
            }
        }
    }
    // Compressed payloads that inflate to hostile text, or past the 16 KiB bound.
    for data in [
        HOSTILE.as_bytes().to_vec(),
        format!("\"{HOSTILE}\"").into_bytes(),
        vec![b' '; 40_000],
        b"\xe2\x80".to_vec(),
    ] {
        let mut body = stored_deflate(&data);
        body.extend_from_slice(&[0; 32]);
        if URL_SAFE_NO_PAD.encode(&body).len() < 4000 {
            values.push(forged(1, 0x41, key_id, 1_767_225_600, 0, &body));
        }
    }
    values
}

/// Forged values through `inspect` (with and without keys, text and JSON, both modes) and
/// `open` (both domains, JSON and plain): clean exits, nothing raw.
#[test]
fn forged_values_never_panic_nor_print_controls() {
    let key = key_line();
    let id = Key::from_base64(&key).unwrap().id().to_string();
    let key_id: [u8; 4] = (0..4)
        .map(|i| u8::from_str_radix(&id[2 * i..2 * i + 2], 16).unwrap())
        .collect::<Vec<_>>()
        .try_into()
        .unwrap();
    let values = forged_values(key_id);
    assert!(values.len() > 500);
    for value in &values {
        clean(bin().args(["inspect", value]), value);
        clean(bin().args(["inspect", "--json", value]), value);
    }
    // With keys: a sample of each shape (every 7th), so the run stays short.
    for value in values.iter().step_by(7) {
        for extra in [&[][..], &["--encrypted"][..]] {
            clean(
                bin()
                    .args(["inspect", value, "--salt", HOSTILE, "--keys-env", "TC_KEYS"])
                    .args(extra)
                    .env("TC_KEYS", &key),
                value,
            );
        }
        for json in [false, true] {
            let mut cmd = bin();
            cmd.args([
                "open",
                "--salt",
                "s",
                "--no-expiry",
                "--keys-env",
                "TC_KEYS",
            ])
            .env("TC_KEYS", &key)
            .write_stdin(value.as_str());
            if json {
                cmd.arg("--json");
            }
            clean(&mut cmd, value);
        }
    }
}

/// Genuine values whose payloads, salts and claims hold hostile text, opened and inspected:
/// the payload, the salt (in error messages) and the verdicts come out escaped.
#[test]
fn genuine_hostile_payloads_and_salts_print_escaped() {
    let key = key_line();
    let keys = KeyRing::from_base64_list(&key).unwrap();
    let payload = serde_json::json!({ HOSTILE: [HOSTILE, { "k": HOSTILE }] });
    for (value, encrypted) in [
        (
            keys.signed(HOSTILE).no_expiry().seal(&payload).unwrap(),
            false,
        ),
        (
            keys.encrypted(HOSTILE).no_expiry().seal(&payload).unwrap(),
            true,
        ),
        (
            keys.signed(HOSTILE)
                .compress()
                .no_expiry()
                .seal(&[HOSTILE; 20])
                .unwrap(),
            false,
        ),
        (
            keys.signed(HOSTILE)
                .one_time(typed_cookies::time::Duration::hours(1))
                .seal(&payload)
                .unwrap(),
            false,
        ),
    ] {
        for salt in [HOSTILE, "other"] {
            for json in [false, true] {
                let mut cmd = bin();
                cmd.args(["inspect", &value, "--salt", salt, "--keys-env", "TC_KEYS"])
                    .env("TC_KEYS", &key);
                if encrypted {
                    cmd.arg("--encrypted");
                }
                if json {
                    cmd.arg("--json");
                }
                clean(&mut cmd, &value);
                let mut cmd = bin();
                cmd.args(["open", &value, "--salt", salt, "--max-age", "1h"])
                    .args(["--keys-env", "TC_KEYS"])
                    .env("TC_KEYS", &key);
                if encrypted {
                    cmd.arg("--encrypted");
                }
                if json {
                    cmd.arg("--json");
                }
                clean(&mut cmd, &value);
            }
        }
    }
    // Sealing hostile payloads under hostile salts, in both domains.
    for extra in [&["--runtime"][..], &[][..], &["--encrypted"][..]] {
        let out = clean(
            bin()
                .args([
                    "seal",
                    &payload.to_string(),
                    "--salt",
                    HOSTILE,
                    "--no-expiry",
                ])
                .args(["--keys-env", "TC_KEYS"])
                .args(extra)
                .env("TC_KEYS", &key),
            "seal",
        );
        assert_eq!(out.status.code(), Some(0));
    }
}

/// Interop formats with hostile values (structures `inspect` reads without keys: Rails
/// purposes and expiry times, Express `j:` JSON and text, cookie-session JSON, Laravel
/// envelopes), hostile `--name`, `--sig` and `--cipher`, with and without keys, text and JSON.
#[test]
fn foreign_values_never_panic_nor_print_controls() {
    let b64 = |s: &str| STANDARD.encode(s.as_bytes());
    let escaped = serde_json::to_string(HOSTILE).unwrap();
    let rails_messages = [
        format!(
            r#"{{"_rails":{{"message":{m},"exp":"9999-12-31T23:59:59.999Z","pur":{escaped}}}}}"#,
            m = serde_json::to_string(&b64(&format!("\"{HOSTILE}\""))).unwrap()
        ),
        format!(r#"{{"_rails":{{"message":"eA==","exp":{escaped},"pur":"cookie.x"}}}}"#),
        r#"{"_rails":{"message":"eA==","exp":"-9999-01-01T00:00:00Z"}}"#.to_owned(),
        r#"{"_rails":{"message":"eA==","exp":"+275760-09-13T00:00:00.000Z"}}"#.to_owned(),
        r#"{"_rails":{"data":{"a":"\u001b"},"exp":null,"pur":"\u202e"}}"#.to_owned(),
        HOSTILE.to_owned(),
    ];
    let mut values: Vec<String> = Vec::new();
    for message in &rails_messages {
        let m = b64(message);
        for digest_len in [0, 40, 64, 128, 3] {
            values.push(format!("{m}--{}", "0".repeat(digest_len)));
        }
        values.push(format!(
            "{m}--{}--{}",
            b64("iv-iv-iv-iv-"),
            b64("tag-tag-tag-tag-")
        ));
        values.push(format!("{m}--{m}--{m}--{m}"));
    }
    for envelope in [
        format!(r#"{{"iv":{escaped},"value":"","mac":""}}"#),
        r#"{"iv":"AAAAAAAAAAAAAAAAAAAAAA==","value":"AA==","mac":"0000000000000000000000000000000000000000000000000000000000000000"}"#.to_owned(),
        r#"{"iv":"AAAAAAAAAAAAAAAA","value":"AA==","mac":"","tag":"AAAAAAAAAAAAAAAAAAAAAA=="}"#.to_owned(),
        r#"{"iv":1,"value":[],"mac":null,"tag":{}}"#.to_owned(),
    ] {
        values.push(b64(&envelope));
        values.push(b64(&envelope).replace('=', "%3D").replace('+', "%2B"));
    }
    for text in [
        format!("s:j:{{\"a\":{escaped}}}.sig"),
        format!("s:{HOSTILE}.sig"),
        format!("s%3A{}", HOSTILE.replace('\u{1b}', "%1B")),
        b64(&format!("{{\"a\":{escaped}}}")),
        format!("{HOSTILE}:{HOSTILE}:{HOSTILE}"),
        format!(".{HOSTILE}.{HOSTILE}.{HOSTILE}"),
        format!("Fe26.2*1*{HOSTILE}*a*b*c*d*e"),
        "%".repeat(4000),
        "é".repeat(2100),
    ] {
        values.push(text);
    }
    let django = "django-secret\nold-secret".to_owned();
    let iron = format!("1={}\n2={}", "p".repeat(32), "q".repeat(32));
    let rails = "a".repeat(128);
    let laravel = format!("base64:{}", STANDARD.encode([7u8; 32]));
    let formats: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--django", "--salt", HOSTILE], &django),
        (vec!["--django-session"], &django),
        (vec!["--flask", "--salt", HOSTILE], &django),
        (vec!["--iron"], &iron),
        (vec!["--rails", "--name", HOSTILE], &rails),
        (
            vec![
                "--rails",
                "--name",
                "x",
                "--rails-cookie",
                "signed",
                "--rails-version",
                "7",
            ],
            &rails,
        ),
        (
            vec!["--rails", "--name", "x", "--rails-version", "5.2"],
            &rails,
        ),
        (vec!["--express"], &django),
        (vec!["--express-session"], &django),
        (
            vec!["--cookie-session", "--name", HOSTILE, "--sig", HOSTILE],
            &django,
        ),
        (
            vec!["--cookie-session", "--sig", "abc", "--digest", "sha512"],
            &django,
        ),
        (vec!["--laravel"], &laravel),
        (
            vec!["--laravel", "--name", HOSTILE, "--php-serialize", "yes"],
            &laravel,
        ),
        (vec!["--laravel", "--cipher", HOSTILE], &laravel),
    ];
    for value in &values {
        for (flags, secret) in &formats {
            for keys in [false, true] {
                for json in [false, true] {
                    let mut cmd = bin();
                    cmd.arg("inspect").arg(value).args(flags);
                    if keys {
                        cmd.args(["--keys-env", "TC_KEYS"]).env("TC_KEYS", secret);
                    }
                    if json {
                        cmd.arg("--json");
                    }
                    clean(&mut cmd, &format!("inspect {flags:?} {value}"));
                }
            }
            clean(
                bin()
                    .args(["open", "--json", "--keys-env", "TC_KEYS"])
                    .args(flags)
                    .env("TC_KEYS", secret)
                    .write_stdin(value.as_str()),
                &format!("open {flags:?} {value}"),
            );
        }
    }
}

/// Key sources, names and paths with hostile characters appear only escaped in messages; a
/// ring of hostile entries names positions only.
#[test]
fn key_sources_and_rings_with_controls_are_escaped() {
    let key = key_line();
    let runs: Vec<(Vec<String>, Option<String>)> = vec![
        (
            vec!["key-id".into(), "--keys-env".into(), format!("X{HOSTILE}")],
            None,
        ),
        (
            vec![
                "key-id".into(),
                "--keys-file".into(),
                format!("/nonexistent/{HOSTILE}"),
            ],
            None,
        ),
        (
            vec!["key-id".into(), "--keys-env".into(), "TC_KEYS".into()],
            Some(format!("{HOSTILE},{key}")),
        ),
        (
            vec![
                "key-id".into(),
                "--keys-env".into(),
                "TC_KEYS".into(),
                "--json".into(),
            ],
            Some(format!("{key},{key}")),
        ),
        (
            vec!["rotate".into(), "--keys-env".into(), "TC_KEYS".into()],
            Some(format!("{key},,{HOSTILE}")),
        ),
        (
            vec![
                "rotate".into(),
                "--keys-env".into(),
                "TC_KEYS".into(),
                "--keep".into(),
                "1".into(),
            ],
            Some(format!(" {key} ,\u{85}")),
        ),
        (
            vec![
                "open".into(),
                "x".into(),
                "--salt".into(),
                "s".into(),
                "--no-expiry".into(),
                "--keys-env".into(),
                "TC_KEYS".into(),
            ],
            Some(HOSTILE.into()),
        ),
        (
            vec![
                "open".into(),
                "x".into(),
                "--django".into(),
                "--keys-env".into(),
                "TC_KEYS".into(),
            ],
            Some(format!("\n\n{HOSTILE}\n")),
        ),
        (
            vec![
                "seal".into(),
                "1".into(),
                "--iron".into(),
                "--keys-env".into(),
                "TC_KEYS".into(),
            ],
            Some(format!("7={HOSTILE}")),
        ),
        (
            vec![
                "seal".into(),
                "1".into(),
                "--laravel".into(),
                "--keys-env".into(),
                "TC_KEYS".into(),
            ],
            Some(format!("base64:{HOSTILE}")),
        ),
        (
            vec![
                "seal".into(),
                "1".into(),
                "--rails".into(),
                "--name".into(),
                "n".into(),
                "--keys-env".into(),
                "TC_KEYS".into(),
            ],
            Some(HOSTILE.into()),
        ),
    ];
    for (args, secret) in runs {
        let mut cmd = bin();
        cmd.args(&args);
        if let Some(secret) = &secret {
            cmd.env("TC_KEYS", secret);
        }
        let out = clean(&mut cmd, &args.join(" "));
        // A secret never comes back in a message.
        if let Some(secret) =
            secret.filter(|s| s.len() > 20 && !args.contains(&"key-id".to_owned()))
        {
            assert!(
                !String::from_utf8_lossy(&out.stderr).contains(&secret),
                "{args:?}"
            );
        }
    }
}

/// Inputs far over every limit: a value, `Set-Cookie` line, salt and payload near Linux's
/// 128 KiB per-argument cap, 50 MiB on stdin, and non-UTF-8 stdin for every reader.
#[test]
fn huge_and_non_utf8_inputs_exit_cleanly() {
    let key = key_line();
    let big = "A".repeat(60_000);
    let with_keys = |cmd: &mut Command| {
        cmd.args(["--keys-env", "TC_KEYS"]).env("TC_KEYS", &key);
    };
    clean(bin().args(["inspect", &big]), "huge inspect");
    clean(
        bin().args(["check-set-cookie", &format!("a={big}; Path=/{big}")]),
        "huge header",
    );
    clean(
        bin().args([
            "check-set-cookie",
            "--json",
            &format!("a=b{}", "; x".repeat(40_000)),
        ]),
        "many attributes",
    );
    let mut cmd = bin();
    cmd.args(["open", "x", "--salt", &big, "--no-expiry"]);
    with_keys(&mut cmd);
    clean(&mut cmd, "huge salt");
    let mut cmd = bin();
    cmd.args(["seal", &format!("\"{big}\""), "--salt", "s", "--no-expiry"]);
    with_keys(&mut cmd);
    let out = clean(&mut cmd, "huge payload");
    assert_eq!(out.status.code(), Some(1), "refused as too large");
    let mut cmd = bin();
    cmd.args(["open", "--salt", "s", "--no-expiry"])
        .write_stdin(vec![b'A'; 50 << 20]);
    with_keys(&mut cmd);
    clean(&mut cmd, "50 MiB on stdin");
    for args in [
        &[
            "open",
            "--salt",
            "s",
            "--no-expiry",
            "--keys-env",
            "TC_KEYS",
        ][..],
        &[
            "seal",
            "--salt",
            "s",
            "--no-expiry",
            "--keys-env",
            "TC_KEYS",
        ][..],
        &["rotate"][..],
        &["key-id"][..],
    ] {
        let out = clean(
            bin()
                .args(args)
                .env("TC_KEYS", &key)
                .write_stdin(b"\xff\xfe\x1b[2J\xe2\x80\xae".to_vec()),
            &args.join(" "),
        );
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

/// A stdout whose reader is gone (`typed-cookies … | head -c0`): every command that prints
/// ends with exit 2 (or 0 for clap's own `--help`), never a panic, and says why on stderr.
#[cfg(unix)]
#[test]
fn a_closed_stdout_is_an_error_not_a_panic() {
    use std::os::fd::OwnedFd;
    use std::os::unix::net::UnixStream;
    use std::process::Stdio;

    let key = key_line();
    let keys = KeyRing::from_base64_list(&key).unwrap();
    let value = keys.signed("s").no_expiry().seal(&HOSTILE).unwrap();
    let runs: [&[&str]; 9] = [
        &["keygen", "--ring", "32"],
        &["inspect", &value],
        &[
            "inspect",
            &value,
            "--json",
            "--salt",
            "s",
            "--keys-env",
            "TC_KEYS",
        ],
        &[
            "open",
            &value,
            "--salt",
            "s",
            "--no-expiry",
            "--keys-env",
            "TC_KEYS",
        ],
        &[
            "seal",
            "[1,2,3]",
            "--salt",
            "s",
            "--no-expiry",
            "--keys-env",
            "TC_KEYS",
        ],
        &["check-set-cookie", "a=b", "--json"],
        &["key-id", "--keys-env", "TC_KEYS"],
        &["rotate", "--keys-env", "TC_KEYS"],
        &["--help"],
    ];
    for args in runs {
        // A socket pair whose other end is closed: every write fails with EPIPE.
        let (ours, theirs) = UnixStream::pair().unwrap();
        drop(theirs);
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("typed-cookies"))
            .args(args)
            .env("TC_KEYS", &key)
            .stdin(Stdio::null())
            .stdout(Stdio::from(OwnedFd::from(ours)))
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(0 | 2)) && !stderr.contains("panicked"),
            "{args:?}: {:?} {stderr}",
            out.status
        );
        if args != ["--help"] {
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            assert!(
                stderr.contains("cannot write the output"),
                "{args:?}: {stderr}"
            );
        }
    }
}

/// Argument errors quote the offending argument as given: a value that starts with `-` (a
/// cookie value or `Set-Cookie` line taken from a request, passed as
/// `typed-cookies inspect "$value"`) must not reach the terminal with its `\r`, C1 controls,
/// bidi overrides — or, on a terminal (`CLICOLOR_FORCE=1`, clap's "this is a terminal"), its
/// ESC sequences. They are printed escaped, exit 2, and `--help`/`--version` still exit 0.
#[test]
fn argument_errors_do_not_echo_controls_or_bidi() {
    let payload = "-x\rfake\u{85}\u{9b}2J\u{202e}txt.exe\u{2066}";
    for args in [
        vec!["inspect", payload],
        vec!["open", payload, "--salt", "s", "--no-expiry"],
        vec!["check-set-cookie", payload],
        vec!["inspect", "x", "--max-age", payload],
    ] {
        let out = bin().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let raw = unsafe_chars(&out.stderr);
        assert!(
            raw.is_empty(),
            "{args:?}: {raw:?} in {:?}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // On a terminal: an OSC (retitle the window) and a CSI (clear the screen) from the value.
    let out = bin()
        .env("CLICOLOR_FORCE", "1")
        .args(["inspect", "--\u{1b}]0;owned\u{7}\u{1b}[2J"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("\u{1b}]0;owned") && !stderr.contains("\u{1b}[2J"),
        "{stderr:?}"
    );
    // Shown escaped, not dropped: the reader sees what the argument held.
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains(r"--\u{1b}]0;owned\u{7}\u{1b}[2J"),
        "{stderr:?}"
    );
    // A value clap quotes whole (not read as a flag): every character shown, escaped.
    let out = bin()
        .args(["inspect", "x", "--max-age", &format!("1{payload}")])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.starts_with("error: ")
            && stderr.contains(r"'1-x\u{d}fake\u{85}\u{9b}2J\u{202e}txt.exe\u{2066}'"),
        "{stderr:?}"
    );
    assert_eq!(unsafe_chars(&out.stderr), Vec::<char>::new());
    // clap's exit codes are kept: a missing subcommand is a usage error; help and version
    // are not errors (stdout, exit 0), and have no color codes even on a terminal.
    let out = bin().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    for args in [&["--help"][..], &["inspect", "--help"], &["--version"]] {
        let out = bin()
            .env("CLICOLOR_FORCE", "1")
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(out.stderr.is_empty(), "{args:?}");
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            stdout.contains("typed-cookies") || stdout.contains("Usage"),
            "{stdout}"
        );
        assert_eq!(
            unsafe_chars(stdout.as_bytes()),
            Vec::<char>::new(),
            "{stdout:?}"
        );
    }
}
