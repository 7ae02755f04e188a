//! `typed_cookies::interop::express` against the real Express 4, cookie-parser,
//! cookie-signature, cookie-session (keygrip) and express-session
//! (`tests/interop/node/express_peer.mjs`, which sends each value through a small Express app
//! over loopback), one peer harness for:
//!
//! - `peer.rs`: values made there open here and the other way round, byte for byte where the
//!   format is deterministic, with secret and key rotation; a changed byte, a wrong secret and
//!   an unsigned value get the same verdict on both sides (none of these formats carries an
//!   expiry);
//! - `guide.rs`: empty secrets verify nothing; what the migration guide must say (SHA-256
//!   cookie-session keys apart from the signed-cookie secret, the cookie-signature versions);
//! - `attacks.rs`: signatures moved between cookies and names, percent-encoding tricks (lower
//!   case, double encoding, `%00`, `+`, quotes, overlong UTF-8), truncated, padded and
//!   non-canonical signatures, dots in signed values, deep JSON, mutation sweeps, rotation,
//!   no secret in `Debug` output or errors, and the guide's recipes with the real Express.

#[path = "../interop/peer.rs"]
mod interop;

mod attacks;
mod guide;
mod peer;

use interop::Peer;
use serde_json::{json, Value};
use typed_cookies::interop::express;

const HINT: &str = "node with `npm ci` in tests/interop/node (express, cookie-parser, \
                    cookie-signature, cookie-session, express-session)";
const SECRET: &str = "a new secret ✓";
const OLD: &str = "keyboard cat";

fn node(test: &str) -> Option<Peer> {
    Peer::start(test, "node", "node/express_peer.mjs", HINT)
}

/// cookie-parser's verdict on `c=<cookie>`: `Ok(value)`, or `Err("invalid" | "unsigned")`.
fn parser_verdict(
    js: &mut Peer,
    secrets: Value,
    name: &str,
    cookie: &str,
) -> Result<Value, String> {
    let answer =
        js.call(json!({"op": "cookie_open", "secrets": secrets, "name": name, "cookie": cookie}));
    match answer["verdict"].as_str() {
        Some("ok") => Ok(answer["value"].clone()),
        Some(other) => Err(other.to_owned()),
        None => panic!("peer answered {answer} for {cookie:?}"),
    }
}

/// express-session's reading of `connect.sid=<value>`: the id, or `None` when refused.
fn session_verdict(js: &mut Peer, secrets: Value, value: &str) -> Option<String> {
    let answer = js.call(json!({"op": "sid_open", "secrets": secrets,
                                "name": express::SESSION_ID_COOKIE_NAME, "value": value}));
    assert!(answer.get("error").is_none(), "{answer} for {value:?}");
    answer["id"].as_str().map(str::to_owned)
}

/// Every byte of `text` as a `%XX` escape (what `decodeURIComponent` reads as `text`).
fn encode_every_byte(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// `value` with its percent-escapes' hex digits in lower case.
fn lower_escapes(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let escape = rest.get(at..at + 3).unwrap_or(&rest[at..]);
        out.push_str(&escape.to_ascii_lowercase());
        rest = &rest[at + escape.len()..];
    }
    out.push_str(rest);
    out
}

/// Decodes `%XX` escapes once (for values known to be well formed UTF-8).
fn decode_once(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&value[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn base64_std(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
