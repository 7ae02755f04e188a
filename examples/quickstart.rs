//! Quickstart: seal a session cookie signed and encrypted, open it, watch a tampered, an idle
//! and an expired value being refused, refresh an active session, and rotate the key.
//!
//! `cargo run --example quickstart`. Keys come from `APP_KEYS` (comma-separated
//! base64, primary first; make one with `cargo run --example keygen`) or, when it is not set,
//! one is generated for this run. A malformed `APP_KEYS` is an error, not ignored.

use serde::{Deserialize, Serialize};
use typed_cookies::time::{Duration, OffsetDateTime};
use typed_cookies::{Key, KeyError, KeyRing, ManualClock, SealedCookie};

/// Signed preferences: readable by the browser, but any change is detected.
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(name = "__Host-prefs", salt = "quickstart.prefs.v1", max_age = "7d")]
struct Prefs {
    theme: String,
    lang: String,
}

/// An encrypted session: neither readable nor changeable; ends 8 hours after sign-in, or
/// after 30 minutes without a request.
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "quickstart.session.v1",
    max_age = "8h",
    idle = "30m",
    encrypt,
    same_site = "strict"
)]
struct Session {
    user_id: u64,
    name: String,
    roles: Vec<String>,
}

/// The keys from `APP_KEYS`, or a new one when the variable is not set.
fn keys() -> Result<KeyRing, KeyError> {
    match KeyRing::from_env("APP_KEYS") {
        Ok(keys) => {
            println!("keys: {keys:?}, from APP_KEYS");
            Ok(keys)
        }
        Err(KeyError::MissingEnv { .. }) => {
            let keys = KeyRing::new(Key::generate());
            println!(
                "keys: a new key for this run, {:?} (set APP_KEYS to keep values valid across runs)",
                keys.primary()
            );
            Ok(keys)
        }
        Err(malformed) => Err(malformed),
    }
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let keys = keys()?;

    println!("\n== signed: readable, tamper-proof");
    let prefs = Prefs {
        theme: "dark".into(),
        lang: "en".into(),
    };
    let signed = prefs.seal(&keys)?;
    println!("value ({} bytes): {signed}", signed.len());
    println!("opened: {:?}", Prefs::open(&keys, &signed)?);

    println!("\n== encrypted: confidential too");
    let session = Session {
        user_id: 42,
        name: "Ada Lovelace".into(),
        roles: vec!["admin".into(), "ops".into()],
    };
    let header = session.to_set_cookie(&keys)?;
    let value = header["__Host-sid=".len()..]
        .split(';')
        .next()
        .unwrap_or_default();
    println!("value ({} bytes): {value}", value.len());
    println!("Set-Cookie: {header}");
    println!("opened: {:?}", Session::open(&keys, value)?);
    let request = format!("theme=light; __Host-sid={value}; other=1");
    println!(
        "from a Cookie header: {:?}",
        Session::from_cookie_header(&keys, &request)?.map(|s| s.name)
    );
    println!("sign-out: Set-Cookie: {}", Session::removal());

    println!("\n== refused");
    let mut tampered = value.to_owned().into_bytes();
    let middle = tampered.len() / 2;
    tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered)?;
    // Whatever the change, a failed authentication is one error (`OpenError::Invalid`); the
    // other refusals are read from the header's public bytes or come only after
    // authentication, so none tells a forger anything (docs/security-properties.md, "What a refusal tells").
    println!(
        "tampered (fails authentication; every such failure is this one error): {}",
        Session::open(&keys, &tampered).unwrap_err()
    );
    println!(
        "as the wrong type (told by the header's public format byte, before any key is used): {}",
        Prefs::open(&keys, value).unwrap_err()
    );

    // Time is the key ring's clock: a ManualClock moves it, as tests do (no sleeping).
    println!("\n== lifetimes, with a clock we move");
    let start = OffsetDateTime::now_utc();
    let clock = ManualClock::new(start);
    let timed = keys.with_clock(clock.clone());
    let signed_in = session.seal(&timed)?;
    clock.advance(Duration::minutes(31));
    println!(
        "as if it were now + 31 min, no request since sign-in: {}",
        Session::open(&timed, &signed_in).unwrap_err()
    );
    clock.set(start + Duration::minutes(20));
    let opened = Session::open_with_metadata(&timed, &signed_in)?;
    println!(
        "as if it were now + 20 min: opens; refresh due: {:?} (past half of the 30 min idle window)",
        opened.refresh_due(),
    );
    let refreshed = opened.reseal(&timed)?; // what the adapters' refresh middleware does
    clock.set(start + Duration::minutes(45));
    println!(
        "as if it were now + 45 min, refreshed at + 20: opens for user {}",
        Session::open(&timed, &refreshed)?.user_id
    );
    clock.set(start + Duration::hours(8) + Duration::seconds(1));
    println!(
        "as if it were now + 8 h, however active: {}",
        Session::open(&timed, &refreshed).unwrap_err()
    );

    println!("\n== key rotation");
    let new_key = Key::generate();
    let rotated = KeyRing::with_fallbacks(new_key, [keys.primary().clone()])?;
    let opened = Session::open_with_metadata(&rotated, value)?;
    println!(
        "sealed with the old key ({}), opens after rotation; refresh due: {:?}",
        opened.key_id(),
        opened.refresh_due()
    );
    let resealed = opened.reseal(&rotated)?;
    let again = Session::open_with_metadata(&rotated, &resealed)?;
    println!(
        "resealed with the new primary ({}): refresh due: {:?}",
        again.key_id(),
        again.refresh_due()
    );
    Ok(())
}
