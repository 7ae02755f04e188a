//! `typed_cookies::interop::rails` against the real Rails 6.1 (`tests/interop/rails_peer.rb`)
//! in both directions, and attacked through its public API, several against the real Rails:
//! moving a value between cookies, purposes and
//! kinds (signed, encrypted, `MessageVerifier` tokens, legacy AES-256-CBC), stripping or
//! spelling metadata (`_rails` in user data, nested envelopes, the 7.1 layout), expiry in
//! every `exp` spelling, Ruby Marshal, non-canonical base64 and escapes, oversized and deep
//! input, seeded mutation sweeps for panics, verdicts that must not depend on anything
//! unauthenticated, rotations and digests, and secrets in `Debug`/`Display`.
//!
//! Values with chosen bytes are signed here with HMAC-SHA256 under the key Rails derives
//! (`KeyGenerator.new(secret_key_base).generate_key("signed cookie")`), opened by a jar whose
//! `signed_cookie_digest` is SHA-256, so each case reaches what runs after authentication.
//!
//! One module per concept; `peer_cookies.rs` and `peer_messages.rs` check the interop itself
//! against the real Rails in both directions, the others attack it.

#![cfg(feature = "rails")]

#[path = "../interop/peer.rs"]
mod interop;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use interop::Peer;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use sha2::Sha256;
use typed_cookies::interop::rails::{
    self, Cipher, CookieJar, Defaults, KeyGenerator, MessageEncryptor, MessageVerifier, Rotation,
};
use typed_cookies::interop::Digest;
use typed_cookies::time::{Duration, OffsetDateTime, PrimitiveDateTime, UtcOffset};
use typed_cookies::{Clock, OpenError};

const RUBY_HINT: &str = "ruby with Rails 6.1's ActionPack and ActiveSupport (Debian: `apt-get install ruby ruby-actionpack ruby-activesupport`, as .ci/run does)";
const NOW: i64 = 1_700_000_000;
/// A `secret_key_base` as `bin/rails secret` makes them.
const SKB: &str = "4c1b2f0e9d8a7c6b5a493827160f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5";
const OLD_SKB: &str = "0ld5ecretkeybase0ld5ecretkeybase0ld5ecretkeybase0ld5ecretkeybase";

fn at(secs: i64) -> Clock {
    Clock::fixed(OffsetDateTime::from_unix_timestamp(secs).unwrap())
}

fn rails_peer(test: &str) -> Option<Peer> {
    Peer::start(test, "ruby", "rails_peer.rb", RUBY_HINT)
}

/// The key of `cookies.signed` for [`SKB`] (Rails 6.1).
fn signed_cookie_key() -> Vec<u8> {
    KeyGenerator::new(SKB)
        .unwrap()
        .generate_key(rails::SIGNED_COOKIE_SALT, 64)
        .unwrap()
        .to_vec()
}

/// `base64(data)--hex(HMAC-SHA256(key, base64(data)))`: a `MessageVerifier` message with
/// `digest: "SHA256"` whose signed bytes are exactly `data`.
fn sign256(key: &[u8], data: &[u8]) -> String {
    sign_text(key, &STANDARD.encode(data))
}

/// Signs the text of the data part as it is (for non-canonical base64).
fn sign_text(key: &[u8], text: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(text.as_bytes());
    let tag: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{text}--{tag}")
}

/// The jar of [`SKB`] whose signed cookies are HMAC-SHA256 (so [`sign256`] makes them).
fn jar256() -> CookieJar {
    CookieJar::new(SKB)
        .unwrap()
        .signed_cookie_digest(Digest::Sha256)
        .clock(at(NOW))
}

/// `{"_rails":{"message":base64(json),"exp":exp,"pur":pur}}` (the 6.1 layout).
fn legacy_envelope(json: &Value, exp: Value, pur: Value) -> Vec<u8> {
    let message = STANDARD.encode(serde_json::to_vec(json).unwrap());
    serde_json::to_vec(&json!({"_rails": {"message": message, "exp": exp, "pur": pur}})).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// What Rails' cookie jar reads (`cookies.signed[name]` / `.encrypted[name]`): `Ok(Some)`,
/// `Ok(None)` for nil, `Err` for an exception Rails raised.
fn rails_reads(
    rb: &mut Peer,
    settings: &Value,
    jar: &str,
    name: &str,
    value: &str,
    now: i64,
) -> Result<Option<Value>, String> {
    let mut request = settings.clone();
    for (k, v) in [
        ("op", json!("read")),
        ("jar", json!(jar)),
        ("name", json!(name)),
        ("value", json!(value)),
        ("now", json!(now)),
    ] {
        request[k] = v;
    }
    let answer = rb.call(request);
    if let Some(e) = answer.get("error") {
        return Err(format!("{e}: {}", answer["message"]));
    }
    Ok((answer["found"] == true).then(|| answer["value"].clone()))
}

/// What Rails' `MessageVerifier.new(secret, digest: "SHA256", serializer: JSON).verified(token,
/// purpose:)` answers (`Err` for an exception it raised).
fn rails_verifies_or_raises(
    rb: &mut Peer,
    secret: &[u8],
    token: &str,
    purpose: Option<&str>,
    now: i64,
) -> Result<Option<Value>, String> {
    let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    let answer = rb.call(
        json!({"op": "verifier_verify", "secret": hex, "digest": "SHA256",
        "value": token, "purpose": purpose, "now": now}),
    );
    if let Some(e) = answer.get("error") {
        return Err(format!("{e}: {}", answer["message"]));
    }
    Ok((answer["found"] == true).then(|| answer["value"].clone()))
}

/// [`rails_verifies_or_raises`] where Rails must not raise.
fn rails_verifies(
    rb: &mut Peer,
    secret: &[u8],
    token: &str,
    purpose: Option<&str>,
    now: i64,
) -> Option<Value> {
    rails_verifies_or_raises(rb, secret, token, purpose, now).unwrap()
}

/// The same verdicts as the real Rails.
mod against_rails;
/// Base64, escapes, sizes, depth.
mod encoding;
/// `exp`: spellings, refusals, layouts, the ends of time.
mod expiry;
/// `_rails` in data, envelope layouts, Marshal.
mod metadata;
/// Between kinds, cookies and purposes; rotations and digests.
mod moving;
/// Seeded sweeps for panics and forgeries; verdicts independent of unauthenticated input.
mod mutations;
/// Cookies both ways with the real Rails: jars, the session cookie, verdicts, rotations.
mod peer_cookies;
/// `MessageVerifier` and `MessageEncryptor` both ways with the real Rails; the example app.
mod peer_messages;
/// `Debug` and `Display`.
mod secrets;
