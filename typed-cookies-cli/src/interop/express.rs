//! `--express`, `--express-session`, `--cookie-session`: Express's signed cookies,
//! express-session's `connect.sid` and cookie-session's two cookies, through
//! `typed_cookies::interop::express`, and what `inspect` shows of one without keys.

use serde_json::Value;
use typed_cookies::interop::express::{self, ValueKind};
use typed_cookies::interop::Digest;
use typed_cookies::{OpenError, SealError};
use zeroize::Zeroizing;

use super::{Interop, Seen};
use crate::cli::{FormatArgs, KeygripDigest};
use crate::render::json_line;

/// One of the three Express cookies, with its secrets.
pub enum Cookie {
    /// cookie-parser's signed cookie.
    Signed(express::SignedCookie),
    /// express-session's session id.
    SessionId(express::SessionIdCookie),
    /// cookie-session, and the `NAME.sig` value to open with (`--sig`).
    Session(express::CookieSession, Option<String>),
}

impl Cookie {
    /// The cookie of `kind` (one of the three) under `first`, with `rest` as older secrets.
    pub fn new(kind: Interop, first: &str, rest: &[Zeroizing<String>], args: &FormatArgs) -> Self {
        let rest = rest.iter().map(|s| s.as_bytes());
        match kind {
            Interop::ExpressSession => {
                Cookie::SessionId(express::session_id_cookie(first).fallbacks(rest))
            }
            Interop::CookieSession => {
                let mut session = express::cookie_session(first)
                    .fallbacks(rest)
                    .digest(match args.digest.unwrap_or_default() {
                        KeygripDigest::Sha1 => Digest::Sha1,
                        KeygripDigest::Sha256 => Digest::Sha256,
                        KeygripDigest::Sha512 => Digest::Sha512,
                    });
                if let Some(name) = &args.name {
                    session = session.name(name.clone());
                }
                Cookie::Session(session, args.sig.clone())
            }
            _ => Cookie::Signed(express::signed_cookie(first).fallbacks(rest)),
        }
    }

    /// The value(s) to print: the signed value, or cookie-session's `NAME=…` and
    /// `NAME.sig=…`. A session id must be a JSON string.
    pub fn seal(&self, payload: &Value) -> Result<Vec<String>, SealError> {
        match self {
            Cookie::Signed(c) => c.seal(payload).map(|v| vec![v]),
            Cookie::SessionId(c) => match payload {
                Value::String(id) => c.seal(id).map(|v| vec![v]),
                _ => Err(SealError::Serialize {
                    reason: "an express-session id is a JSON string, e.g. '\"AbC123\"'".to_owned(),
                }),
            },
            Cookie::Session(c, _) => c.seal(payload).map(|cookie| {
                vec![
                    format!("{}={}", c.cookie_name(), cookie.value),
                    format!("{}={}", c.sig_name(), cookie.sig),
                ]
            }),
        }
    }

    /// What the app reads from the value (a session id as a JSON string).
    pub fn open(&self, value: &str) -> Result<Value, OpenError> {
        match self {
            Cookie::Signed(c) => c.open(value),
            Cookie::SessionId(c) => c.open(value).map(Value::String),
            // `Interop::check_open` refuses a missing --sig first; without one nothing verifies.
            Cookie::Session(c, sig) => c.open(value, sig.as_deref().ok_or(OpenError::Invalid)?),
        }
    }
}

/// The structure of an Express value, unauthenticated.
pub fn unverified(value: &str) -> Result<Seen, OpenError> {
    let inspection = express::inspect(value)?;
    let mut seen = Seen::default();
    match inspection.kind {
        ValueKind::Signed => {
            seen.add(
                "kind",
                "signed (`s:`, cookie-signature HMAC-SHA256): a signed cookie (--express) or express-session's id (--express-session)".to_owned(),
                "kind",
                "signed".into(),
            );
            let text = String::from_utf8_lossy(&inspection.unverified_payload);
            match text.strip_prefix("j:").map(serde_json::from_str::<Value>) {
                Some(Ok(json)) => seen.add(
                    "payload",
                    format!(
                        "{}  (`j:` JSON; UNVERIFIED: anyone can write this)",
                        json_line(&json)
                    ),
                    "unverified_payload",
                    json,
                ),
                _ => {
                    let text = Value::String(text.into_owned());
                    seen.add(
                        "payload",
                        format!(
                            "{}  (text; UNVERIFIED: anyone can write this)",
                            json_line(&text)
                        ),
                        "unverified_payload",
                        text,
                    );
                }
            }
        }
        ValueKind::CookieSession => {
            seen.add(
                "kind",
                "cookie-session (base64 JSON; its signature is in the NAME.sig cookie)".to_owned(),
                "kind",
                "cookie-session".into(),
            );
            seen.payload(&inspection.unverified_payload, "not JSON");
        }
        _ => seen.add(
            "kind",
            "an Express value of another kind".to_owned(),
            "kind",
            "unknown".into(),
        ),
    }
    Ok(seen)
}
