//! `--rails`: a Rails app's signed and encrypted cookies (the session cookie included),
//! through `typed_cookies::interop::rails`, and what `inspect` shows of one without keys.

use serde_json::Value;
use time::OffsetDateTime;
use typed_cookies::interop::rails::{self, CookieJar, Defaults, MessageKind};
use typed_cookies::interop::Digest;
use typed_cookies::{OpenError, SealError};
use zeroize::Zeroizing;

use super::Seen;
use crate::cli::{FormatArgs, RailsCookie, RailsVersion};
use crate::render::{rfc3339, when};
use crate::Failure;

/// One cookie of the app's jar: `cookies.signed[name]` or `cookies.encrypted[name]`.
pub enum Cookie {
    /// `cookies.signed[name]`.
    Signed(rails::SignedCookie),
    /// `cookies.encrypted[name]` and the session cookie.
    Encrypted(rails::EncryptedCookie),
}

impl Cookie {
    /// The cookie `--name` of the jar `kind`, under `secret_key_base` (`first`) and the old
    /// ones (`rest`), with `--rails-version`'s defaults and `--max-age` as `expires:`.
    pub fn new(
        first: &str,
        rest: &[Zeroizing<String>],
        args: &FormatArgs,
        kind: RailsCookie,
    ) -> Result<Self, Failure> {
        let name = args.name.as_deref().ok_or_else(|| {
            Failure::usage(
                "--rails needs --name: the cookie's name (its purpose `cookie.NAME` is part of the value)",
            )
        })?;
        let jar = CookieJar::new(first.as_bytes())
            .map_err(|e| Failure::usage(format!("bad Rails secret_key_base: {e}")))?
            .fallbacks(rest.iter().map(|s| s.as_bytes()))
            .load_defaults(match args.rails_version.unwrap_or_default() {
                RailsVersion::V5_2 => Defaults::V5_2,
                RailsVersion::V6_1 => Defaults::V6_1,
                RailsVersion::V7 => Defaults::V7_0,
            });
        Ok(match kind {
            RailsCookie::Signed => {
                let mut cookie = jar.signed(name);
                if let Some(max_age) = args.max_age {
                    cookie = cookie.expires_in(max_age);
                }
                Cookie::Signed(cookie)
            }
            RailsCookie::Encrypted | RailsCookie::Session => {
                let mut cookie = jar.encrypted(name);
                if let Some(max_age) = args.max_age {
                    cookie = cookie.expires_in(max_age);
                }
                Cookie::Encrypted(cookie)
            }
        })
    }

    /// The cookie value Rails writes for `payload` (escaped as Rack escapes it).
    pub fn seal(&self, payload: &Value) -> Result<String, SealError> {
        match self {
            Cookie::Signed(c) => c.seal(payload),
            Cookie::Encrypted(c) => c.seal(payload),
        }
    }

    /// What the app reads from the cookie's value.
    pub fn open(&self, value: &str) -> Result<Value, OpenError> {
        match self {
            Cookie::Signed(c) => c.open(value),
            Cookie::Encrypted(c) => c.open(value),
        }
    }
}

/// The jar a value's structure says it is from: signed, or else encrypted.
pub fn jar_of(value: &str) -> RailsCookie {
    match rails::inspect(value) {
        Ok(seen) if matches!(seen.kind, MessageKind::Signed { .. }) => RailsCookie::Signed,
        _ => RailsCookie::Encrypted,
    }
}

/// The structure of a Rails value, unauthenticated.
pub fn unverified(value: &str, now: OffsetDateTime) -> Result<Seen, OpenError> {
    let inspection = rails::inspect(value)?;
    let mut seen = Seen::default();
    let (kind, text) = match inspection.kind {
        MessageKind::Signed { digest } => (
            "signed",
            format!(
                "signed (cookies.signed, HMAC-{})",
                match digest {
                    Some(Digest::Sha1) => "SHA1",
                    Some(Digest::Sha256) => "SHA256",
                    Some(Digest::Sha512) => "SHA512",
                    _ => "? (a digest length Rails does not write)",
                }
            ),
        ),
        MessageKind::Aes256Gcm => (
            "aes-256-gcm",
            "encrypted (cookies.encrypted or the session cookie, AES-256-GCM)".to_owned(),
        ),
        MessageKind::Aes256Cbc => (
            "aes-256-cbc",
            "encrypted (AES-256-CBC + HMAC, Rails < 5.2)".to_owned(),
        ),
        _ => ("unknown", "a Rails message of another kind".to_owned()),
    };
    seen.add("kind", text, "kind", kind.into());
    if let Some(purpose) = inspection.purpose {
        seen.add(
            "purpose",
            format!("{purpose} (UNVERIFIED)"),
            "unverified_purpose",
            purpose.into(),
        );
    }
    if let Some(at) = inspection.expires_at {
        seen.add(
            "expires",
            format!("{} (UNVERIFIED)", when(at, now)),
            "unverified_expires_at",
            rfc3339(at).into(),
        );
    }
    match &inspection.unverified_payload {
        Some(payload) => seen.payload(payload, "not JSON (Ruby Marshal? never parsed)"),
        None if kind == "signed" => seen.line("payload", "unreadable (UNVERIFIED)"),
        None => seen.line("payload", "encrypted (give keys and --name to decrypt)"),
    }
    Ok(seen)
}
