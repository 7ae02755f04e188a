//! `typed-cookies seal --salt X` mints what the user's `#[derive(SealedCookie)]` JSON type
//! with `salt = X` opens; `seal --runtime` what `keys.signed(X)` / `keys.encrypted(X)` opens
//! (and the derived type does not: the runtime sealers' own domain). `open` and `inspect`
//! open both, and `--json` says which domain did.

use assert_cmd::Command;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use typed_cookies::time::Duration;
use typed_cookies::{Key, KeyRing, OpenError, SealedCookie};

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(name = "__Host-sid", salt = "shop.session.v1", max_age = "2h")]
struct Session {
    user_id: u64,
    csrf: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(name = "__Host-cart", salt = "shop.cart.v1", max_age = "2h", encrypt)]
struct Cart {
    items: Vec<u32>,
}

/// Compressing types (`seal --compress`), signed and encrypted.
#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-filters",
    salt = "shop.filters.v1",
    max_age = "2h",
    compress
)]
struct Filters {
    tags: Vec<String>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-seen",
    salt = "shop.seen.v1",
    max_age = "2h",
    encrypt,
    compress = "i_understand_compression_leaks_length"
)]
struct Seen {
    tags: Vec<String>,
}

const SALTS: [(&str, bool); 2] = [("shop.session.v1", false), ("shop.cart.v1", true)];

fn payload(encrypted: bool) -> Value {
    if encrypted {
        json!({"items": [3, 4]})
    } else {
        json!({"user_id": 7, "csrf": "x9"})
    }
}

/// What the derived type of the salt makes of `value`.
fn derived_opens(keys: &KeyRing, encrypted: bool, value: &str) -> Result<Value, OpenError> {
    if encrypted {
        Cart::open(keys, value).map(|c| serde_json::to_value(c).unwrap())
    } else {
        Session::open(keys, value).map(|s| serde_json::to_value(s).unwrap())
    }
}

/// What the runtime sealer of the salt makes of `value`.
fn runtime_opens(
    keys: &KeyRing,
    salt: &str,
    encrypted: bool,
    value: &str,
) -> Result<Value, OpenError> {
    let builder = if encrypted {
        keys.encrypted(salt)
    } else {
        keys.signed(salt)
    };
    builder.max_age(Duration::hours(2)).open(value)
}

/// `typed-cookies <args> --keys-env TC_KEYS` (the ring `line`): exit code and stdout.
fn run(args: &[&str], line: &str) -> (Option<i32>, String) {
    let out = Command::cargo_bin("typed-cookies")
        .unwrap()
        .args(args)
        .args(["--keys-env", "TC_KEYS"])
        .env("TC_KEYS", line)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

fn seal(salt: &str, encrypted: bool, runtime: bool, line: &str) -> String {
    let mut args = vec!["seal", "--salt", salt, "--max-age", "2h"];
    if encrypted {
        args.push("--encrypted");
    }
    if runtime {
        args.push("--runtime");
    }
    let body = payload(encrypted).to_string();
    args.push(&body);
    let (code, out) = run(&args, line);
    assert_eq!(code, Some(0));
    out.trim().to_owned()
}

#[test]
fn seal_mints_what_the_derived_type_opens() {
    let key = Key::generate();
    let line = key.to_base64();
    let keys = KeyRing::new(key);
    for (salt, encrypted) in SALTS {
        let value = seal(salt, encrypted, false, &line);
        assert_eq!(
            derived_opens(&keys, encrypted, &value),
            Ok(payload(encrypted)),
            "{salt}"
        );
        assert_eq!(
            runtime_opens(&keys, salt, encrypted, &value),
            Err(OpenError::Invalid)
        );
        // Another salt's type does not open it.
        assert!(derived_opens(&keys, !encrypted, &value).is_err());
        // The type's own `max_age` decides its lifetime: none is asked for here.
        let body = payload(encrypted).to_string();
        let mut args = vec!["seal", "--salt", salt];
        if encrypted {
            args.push("--encrypted");
        }
        args.push(&body);
        let (code, out) = run(&args, &line);
        assert_eq!(code, Some(0));
        assert_eq!(
            derived_opens(&keys, encrypted, out.trim()),
            Ok(payload(encrypted))
        );
    }
    // A runtime sealer's value still needs one.
    let (code, _) = run(&["seal", "--salt", "x.v1", "--runtime", "{}"], &line);
    assert_eq!(code, Some(2));
}

#[test]
fn seal_runtime_mints_what_the_runtime_sealer_opens_and_the_type_does_not() {
    let key = Key::generate();
    let line = key.to_base64();
    let keys = KeyRing::new(key);
    for (salt, encrypted) in SALTS {
        let value = seal(salt, encrypted, true, &line);
        assert_eq!(
            runtime_opens(&keys, salt, encrypted, &value),
            Ok(payload(encrypted)),
            "{salt}"
        );
        assert_eq!(
            derived_opens(&keys, encrypted, &value),
            Err(OpenError::Invalid),
            "{salt}"
        );
    }
}

#[test]
fn open_and_inspect_open_both_and_say_which_domain() {
    let key = Key::generate();
    let line = key.to_base64();
    let keys = KeyRing::new(key);
    for (salt, encrypted) in SALTS {
        let mode: &[&str] = if encrypted { &["--encrypted"] } else { &[] };
        let derived = seal(salt, encrypted, false, &line);
        let runtime = runtime_opens_seal(&keys, salt, encrypted);
        for (value, domain) in [(&derived, "derived"), (&runtime, "runtime")] {
            for command in ["open", "inspect"] {
                let args = [
                    &[command, "--json", "--salt", salt, "--max-age", "2h"][..],
                    mode,
                    &[value],
                ]
                .concat();
                let (code, out) = run(&args, &line);
                let v: Value = serde_json::from_str(&out).unwrap();
                assert_eq!(code, Some(0), "{command} {salt} {domain}: {v}");
                assert_eq!(v["domain"], domain, "{command} {salt}");
                assert_eq!(v["payload"], payload(encrypted));
            }
        }
        // Neither domain of another salt.
        let args = [
            &[
                "open",
                "--json",
                "--salt",
                "shop.other.v1",
                "--max-age",
                "2h",
            ][..],
            mode,
            &[&derived],
        ]
        .concat();
        let (code, out) = run(&args, &line);
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!((code, v["verdict"].clone()), (Some(1), json!("invalid")));
        assert!(v.get("domain").is_none());
    }
}

fn runtime_opens_seal(keys: &KeyRing, salt: &str, encrypted: bool) -> String {
    let builder = if encrypted {
        keys.encrypted(salt)
    } else {
        keys.signed(salt)
    };
    builder
        .max_age(Duration::hours(2))
        .seal(&payload(encrypted))
        .unwrap()
}

/// `seal <args> --salt SALT --max-age 2h [--encrypted] PAYLOAD`: the value (exit 0).
fn seal_with(salt: &str, encrypted: bool, extra: &[&str], payload: &Value, line: &str) -> String {
    let body = payload.to_string();
    let mode: &[&str] = if encrypted { &["--encrypted"] } else { &[] };
    let args = [
        &["seal", "--salt", salt, "--max-age", "2h"][..],
        mode,
        extra,
        &[&body],
    ]
    .concat();
    let (code, out) = run(&args, line);
    assert_eq!(code, Some(0), "{args:?}");
    out.trim().to_owned()
}

/// `seal --compress` compresses typed-cookies values too (it was ignored for them): in both
/// modes, for the derived types' domain and with `--runtime`. The value opens where
/// compression is accepted (a `compress` type, a compressing runtime sealer) and is refused as
/// unexpected compression where it is not.
#[test]
fn seal_compress_compresses_typed_cookies_values() {
    let key = Key::generate();
    let line = key.to_base64();
    let keys = KeyRing::new(key);
    let tags = vec!["status=open".to_owned(); 40];
    let payload = json!({ "tags": tags });
    for (salt, encrypted) in [("shop.filters.v1", false), ("shop.seen.v1", true)] {
        let plain = seal_with(salt, encrypted, &[], &payload, &line);
        let packed = seal_with(salt, encrypted, &["--compress"], &payload, &line);
        assert!(
            packed.len() < plain.len() / 3,
            "{salt}: {packed} vs {plain}"
        );
        assert!(
            typed_cookies::inspect(&packed).unwrap().compressed,
            "{salt}"
        );
        assert!(
            !typed_cookies::inspect(&plain).unwrap().compressed,
            "{salt}"
        );
        let opened = if encrypted {
            Seen::open(&keys, &packed).map(|v| v.tags)
        } else {
            Filters::open(&keys, &packed).map(|v| v.tags)
        };
        assert_eq!(opened.as_ref(), Ok(&tags), "{salt}");

        let runtime = seal_with(
            salt,
            encrypted,
            &["--compress", "--runtime"],
            &payload,
            &line,
        );
        assert!(
            typed_cookies::inspect(&runtime).unwrap().compressed,
            "{salt}"
        );
        let builder = || {
            if encrypted {
                keys.encrypted(salt)
            } else {
                keys.signed(salt)
            }
        };
        assert_eq!(
            builder()
                .compress_leaking_length()
                .max_age(Duration::hours(2))
                .open::<Value>(&runtime),
            Ok(payload.clone())
        );
        assert_eq!(
            builder()
                .max_age(Duration::hours(2))
                .open::<Value>(&runtime),
            Err(OpenError::UnexpectedCompression)
        );
        // And `open` reads it back.
        let mode: &[&str] = if encrypted { &["--encrypted"] } else { &[] };
        let args = [
            &["open", "--salt", salt, "--max-age", "2h"][..],
            mode,
            &[&packed],
        ]
        .concat();
        let (code, out) = run(&args, &line);
        assert_eq!(code, Some(0));
        assert_eq!(serde_json::from_str::<Value>(&out).unwrap(), payload);
    }
}
