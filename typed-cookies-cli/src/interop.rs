//! The foreign formats, through `typed_cookies::interop`: Django, Flask and iron-session here;
//! Rails, Express and Laravel in the submodules, which also say what a value shows without
//! keys (`inspect`).

mod express;
mod laravel;
mod rails;
mod seen;

use serde_json::Value;
use time::{Duration, OffsetDateTime};
use typed_cookies::interop::{django, flask, iron};
use typed_cookies::{OpenError, SealError};

use crate::cli::{FormatArgs, RailsCookie};
use crate::secrets;
use crate::Failure;

pub use seen::Seen;

/// The foreign formats the CLI reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interop {
    /// `django.core.signing.dumps` / `loads`.
    Django,
    /// The signed_cookies session engine's `sessionid`.
    DjangoSession,
    /// Flask's `session` cookie.
    Flask,
    /// An iron-session v8 cookie.
    Iron,
    /// A Rails signed or encrypted cookie (the session cookie included).
    Rails,
    /// An Express signed cookie (cookie-parser).
    Express,
    /// express-session's `connect.sid`.
    ExpressSession,
    /// cookie-session's `NAME` and `NAME.sig` cookies.
    CookieSession,
    /// A Laravel encrypted value or `EncryptCookies` cookie.
    Laravel,
}

impl Interop {
    /// Its name in output.
    pub fn label(self) -> &'static str {
        match self {
            Interop::Django => "django signing",
            Interop::DjangoSession => "django session",
            Interop::Flask => "flask session",
            Interop::Iron => "iron-session",
            Interop::Rails => "rails cookie",
            Interop::Express => "express signed cookie",
            Interop::ExpressSession => "express-session id",
            Interop::CookieSession => "cookie-session",
            Interop::Laravel => "laravel encrypted value",
        }
    }

    /// Whether `inspect` shows something of its values without keys ([`unverified`]).
    pub fn inspects_without_keys(self) -> bool {
        matches!(
            self,
            Interop::Rails
                | Interop::Express
                | Interop::ExpressSession
                | Interop::CookieSession
                | Interop::Laravel
        )
    }

    /// How its values expire, when that is not a max age of ours (`inspect`'s `expiry` line).
    pub fn expiry_note(self) -> Option<&'static str> {
        match self {
            Interop::Rails => Some("the value's own `exp` (none when it has none)"),
            Interop::Express | Interop::ExpressSession | Interop::CookieSession => {
                Some("none: Express values never expire (only their secret's retirement ends them)")
            }
            Interop::Laravel => Some(
                "none: Laravel values carry no time (they open as long as the key is configured)",
            ),
            _ => None,
        }
    }

    /// What opening (or verifying) needs beyond sealing: refused as usage errors.
    pub fn check_open(self, args: &FormatArgs) -> Result<(), Failure> {
        match self {
            Interop::Rails if args.max_age.is_some() => Err(Failure::usage(
                "Rails values carry their own expiry (`exp`), always checked: --max-age with --rails is for seal (`expires:`)",
            )),
            Interop::CookieSession if args.sig.is_none() => Err(Failure::usage(
                "a cookie-session value is verified by its NAME.sig cookie: give its value with --sig",
            )),
            _ => Ok(()),
        }
    }
}

/// What `inspect` shows of a value of `kind` without keys (nothing of it authenticated), or
/// why it is not such a value. `None` for the formats that show nothing without keys.
pub fn unverified(
    kind: Interop,
    value: &str,
    now: OffsetDateTime,
) -> Option<Result<Seen, OpenError>> {
    match kind {
        Interop::Rails => Some(rails::unverified(value, now)),
        Interop::Express | Interop::ExpressSession | Interop::CookieSession => {
            Some(express::unverified(value))
        }
        Interop::Laravel => Some(laravel::unverified(value)),
        _ => None,
    }
}

/// A configured sealer of one foreign format.
pub enum InteropSealer {
    /// Django.
    Django(django::Signer),
    /// Flask / itsdangerous.
    Flask(flask::Serializer),
    /// iron-session.
    Iron(iron::Sealer),
    /// Rails.
    Rails(rails::Cookie),
    /// Express, express-session, cookie-session.
    Express(express::Cookie),
    /// Laravel.
    Laravel(laravel::Crypt),
}

impl InteropSealer {
    /// Builds the sealer from the secrets text (one per line; the first seals) and the flags.
    pub fn new(kind: Interop, secrets_text: &str, args: &FormatArgs) -> Result<Self, Failure> {
        Self::build(kind, secrets_text, args, RailsCookie::Encrypted)
    }

    /// [`InteropSealer::new`] for `inspect` of `value`: a Rails cookie without
    /// --rails-cookie is opened as the jar its structure says (signed or encrypted).
    pub fn for_inspect(
        kind: Interop,
        secrets_text: &str,
        args: &FormatArgs,
        value: &str,
    ) -> Result<Self, Failure> {
        Self::build(kind, secrets_text, args, rails::jar_of(value))
    }

    fn build(
        kind: Interop,
        secrets_text: &str,
        args: &FormatArgs,
        rails_default: RailsCookie,
    ) -> Result<Self, Failure> {
        let secrets = secrets::lines(secrets_text);
        let Some((first, rest)) = secrets.split_first() else {
            return Err(Failure::usage(format!(
                "no secret found for {}",
                kind.label()
            )));
        };
        let fallbacks = rest.iter().map(|s| s.as_bytes());
        Ok(match kind {
            Interop::Django | Interop::DjangoSession => {
                let mut signer = if kind == Interop::Django {
                    django::Signer::new(first.as_bytes())
                } else {
                    django::session_cookie(first.as_bytes())
                };
                signer = signer.fallbacks(fallbacks);
                if let Some(salt) = &args.salt {
                    signer = signer.salt(salt.clone());
                }
                if let Some(max_age) = args.max_age {
                    signer = signer.max_age(max_age);
                }
                if args.compress || kind == Interop::DjangoSession {
                    signer = signer.compress(true);
                }
                InteropSealer::Django(signer)
            }
            Interop::Flask => {
                let mut s = flask::session(first.as_bytes()).fallbacks(fallbacks);
                if let Some(salt) = &args.salt {
                    s = s.salt(salt.clone());
                }
                if let Some(max_age) = args.max_age {
                    s = s.max_age(max_age);
                }
                InteropSealer::Flask(s)
            }
            Interop::Iron => {
                let passwords = secrets
                    .iter()
                    .map(|line| iron_password(line))
                    .collect::<Vec<_>>();
                let mut s = iron::session(passwords.iter().map(|(id, pw)| (*id, *pw)))
                    .map_err(|e| Failure::usage(format!("bad iron-session password: {e}")))?;
                if let Some(max_age) = args.max_age {
                    s = s.ttl(max_age);
                }
                InteropSealer::Iron(s)
            }
            Interop::Rails => InteropSealer::Rails(rails::Cookie::new(
                first,
                rest,
                args,
                args.rails_cookie.unwrap_or(rails_default),
            )?),
            Interop::Express | Interop::ExpressSession | Interop::CookieSession => {
                InteropSealer::Express(express::Cookie::new(kind, first, rest, args))
            }
            Interop::Laravel => InteropSealer::Laravel(laravel::Crypt::new(first, rest, args)?),
        })
    }

    /// Seals a JSON payload: the line(s) to print (cookie-session's are its two cookies,
    /// `NAME=…` and `NAME.sig=…`; every other format's is the bare value).
    pub fn seal(&self, payload: &Value) -> Result<Vec<String>, SealError> {
        match self {
            InteropSealer::Django(s) => s.seal(payload).map(|v| vec![v]),
            InteropSealer::Flask(s) => s.seal(payload).map(|v| vec![v]),
            InteropSealer::Iron(s) => s.seal(payload).map(|v| vec![v]),
            InteropSealer::Rails(s) => s.seal(payload).map(|v| vec![v]),
            InteropSealer::Express(s) => s.seal(payload),
            InteropSealer::Laravel(s) => s.seal(payload).map(|v| vec![v]),
        }
    }

    /// Opens a value as JSON.
    pub fn open(&self, value: &str) -> Result<Value, OpenError> {
        match self {
            InteropSealer::Django(s) => s.open(value),
            InteropSealer::Flask(s) => s.open(value),
            InteropSealer::Iron(s) => s.open(value),
            InteropSealer::Rails(s) => s.open(value),
            InteropSealer::Express(s) => s.open(value),
            InteropSealer::Laravel(s) => s.open(value),
        }
    }

    /// The max age it applies (`None`: none of ours; see [`Interop::expiry_note`]).
    pub fn max_age_note(kind: Interop, args: &FormatArgs) -> Option<Duration> {
        match kind {
            Interop::Django => args.max_age,
            Interop::DjangoSession => args.max_age.or(Some(django::SESSION_COOKIE_AGE)),
            Interop::Flask => args.max_age.or(Some(flask::PERMANENT_SESSION_LIFETIME)),
            Interop::Iron => args.max_age.or(Some(iron::SESSION_TTL)),
            _ => None,
        }
    }
}

/// An iron-session password line: `ID=PASSWORD` with a numeric id, or a bare password (id 1,
/// as iron-session treats a single string password).
fn iron_password(line: &str) -> (u32, &str) {
    if let Some((id, pw)) = line.split_once('=') {
        if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(id) = id.parse() {
                return (id, pw);
            }
        }
    }
    (1, line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iron_password_lines() {
        assert_eq!(iron_password("2=abc=def"), (2, "abc=def"));
        assert_eq!(iron_password("abc=def"), (1, "abc=def"));
        assert_eq!(iron_password("plain"), (1, "plain"));
    }
}
