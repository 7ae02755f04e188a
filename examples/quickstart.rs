//! Quickstart: seal a session cookie signed and encrypted, open it, and watch a tampered and an
//! expired value being refused.
//!
//! Keys come from `TYPED_COOKIES_KEYS` (comma-separated base64, primary first) or are generated
//! for this run. `cargo run --example quickstart`

use serde::{Deserialize, Serialize};
use typed_cookies::time::{Duration, OffsetDateTime};
use typed_cookies::{Key, KeyRing, SealedCookie};

/// A signed session: readable by the browser, but any change is detected.
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-prefs",
    salt = "quickstart.prefs.v1",
    max_age = "7d",
    same_site = "lax"
)]
struct Prefs {
    theme: String,
    lang: String,
}

/// An encrypted session: neither readable nor changeable, expires after two hours.
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sid",
    salt = "quickstart.session.v1",
    max_age = "2h",
    encrypt,
    same_site = "strict"
)]
struct Session {
    user_id: u64,
    name: String,
    roles: Vec<String>,
}

/// The same session in the compact codec: shorter and faster, positional (see FORMAT.md).
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-sidc",
    salt = "quickstart.session-compact.v1",
    max_age = "2h",
    encrypt,
    codec = "postcard"
)]
struct CompactSession {
    user_id: u64,
    name: String,
    roles: Vec<String>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let keys = match KeyRing::from_env("TYPED_COOKIES_KEYS") {
        Ok(keys) => {
            println!("keys: {keys:?} from TYPED_COOKIES_KEYS");
            keys
        }
        Err(why) => {
            let keys = KeyRing::new(Key::generate());
            println!("keys: generated {keys:?} for this run ({why})");
            keys
        }
    };

    let prefs = Prefs {
        theme: "dark".into(),
        lang: "en".into(),
    };
    let signed = prefs.seal(&keys)?;
    println!("\nsigned    ({} bytes): {signed}", signed.len());
    println!("opened:    {:?}", Prefs::open(&keys, &signed)?);

    let session = Session {
        user_id: 42,
        name: "Ada Lovelace".into(),
        roles: vec!["admin".into(), "ops".into()],
    };
    let encrypted = session.seal(&keys)?;
    println!("\nencrypted ({} bytes): {encrypted}", encrypted.len());
    println!("opened:    {:?}", Session::open(&keys, &encrypted)?);
    println!("header:    Set-Cookie: {}", session.to_set_cookie(&keys)?);
    println!("removal:   Set-Cookie: {}", Session::removal());

    let compact = CompactSession {
        user_id: 42,
        name: "Ada Lovelace".into(),
        roles: vec!["admin".into(), "ops".into()],
    };
    let compact_value = compact.seal(&keys)?;
    println!(
        "\ncompact   ({} bytes): {compact_value}",
        compact_value.len()
    );
    println!(
        "opened:    {:?}",
        CompactSession::open(&keys, &compact_value)?
    );

    let request = format!("theme=light; __Host-sid={encrypted}; other=1");
    println!(
        "\nfrom a Cookie header: {:?}",
        Session::from_cookie_header(&keys, &request)?
    );

    let mut tampered = encrypted.clone().into_bytes();
    let middle = tampered.len() / 2;
    tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered)?;
    println!(
        "\ntampered:  {}",
        Session::open(&keys, &tampered).unwrap_err()
    );

    let later = OffsetDateTime::now_utc() + Duration::hours(2) + Duration::seconds(1);
    println!(
        "expired:   {}",
        Session::open(&keys.at(later), &encrypted).unwrap_err()
    );
    println!(
        "wrong type: {}",
        Prefs::open(&keys, &encrypted).unwrap_err()
    );
    Ok(())
}
