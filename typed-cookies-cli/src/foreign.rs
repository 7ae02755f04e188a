//! Django, Flask and iron-session values, through `typed_cookies::interop`.

use serde_json::Value;
use time::Duration;
use typed_cookies::interop::{django, flask, iron};
use typed_cookies::{OpenError, SealError};

use crate::cli::FormatArgs;
use crate::secrets;
use crate::Failure;

/// The foreign formats the CLI reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Foreign {
    /// `django.core.signing.dumps` / `loads`.
    Django,
    /// The signed_cookies session engine's `sessionid`.
    DjangoSession,
    /// Flask's `session` cookie.
    Flask,
    /// An iron-session v8 cookie.
    Iron,
}

impl Foreign {
    /// Its name in output.
    pub fn label(self) -> &'static str {
        match self {
            Foreign::Django => "django signing",
            Foreign::DjangoSession => "django session",
            Foreign::Flask => "flask session",
            Foreign::Iron => "iron-session",
        }
    }
}

/// A configured sealer of one foreign format.
pub enum ForeignSealer {
    /// Django.
    Django(django::Signer),
    /// Flask / itsdangerous.
    Flask(flask::Serializer),
    /// iron-session.
    Iron(iron::Sealer),
}

impl ForeignSealer {
    /// Builds the sealer from the secrets text (one per line; the first seals) and the flags.
    pub fn new(kind: Foreign, secrets_text: &str, args: &FormatArgs) -> Result<Self, Failure> {
        let secrets = secrets::lines(secrets_text);
        let Some((first, rest)) = secrets.split_first() else {
            return Err(Failure::usage(format!(
                "no secret found for {}",
                kind.label()
            )));
        };
        let fallbacks = rest.iter().map(|s| s.as_bytes());
        Ok(match kind {
            Foreign::Django | Foreign::DjangoSession => {
                let mut signer = if kind == Foreign::Django {
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
                if args.compress || kind == Foreign::DjangoSession {
                    signer = signer.compress(true);
                }
                ForeignSealer::Django(signer)
            }
            Foreign::Flask => {
                let mut s = flask::session(first.as_bytes()).fallbacks(fallbacks);
                if let Some(salt) = &args.salt {
                    s = s.salt(salt.clone());
                }
                if let Some(max_age) = args.max_age {
                    s = s.max_age(max_age);
                }
                ForeignSealer::Flask(s)
            }
            Foreign::Iron => {
                let passwords = secrets
                    .iter()
                    .map(|line| iron_password(line))
                    .collect::<Vec<_>>();
                let mut s = iron::session(passwords.iter().map(|(id, pw)| (*id, *pw)))
                    .map_err(|e| Failure::usage(format!("bad iron-session password: {e}")))?;
                if let Some(max_age) = args.max_age {
                    s = s.ttl(max_age);
                }
                ForeignSealer::Iron(s)
            }
        })
    }

    /// Seals a JSON payload.
    pub fn seal(&self, payload: &Value) -> Result<String, SealError> {
        match self {
            ForeignSealer::Django(s) => s.seal(payload),
            ForeignSealer::Flask(s) => s.seal(payload),
            ForeignSealer::Iron(s) => s.seal(payload),
        }
    }

    /// Opens a value as JSON.
    pub fn open(&self, value: &str) -> Result<Value, OpenError> {
        match self {
            ForeignSealer::Django(s) => s.open(value),
            ForeignSealer::Flask(s) => s.open(value),
            ForeignSealer::Iron(s) => s.open(value),
        }
    }

    /// The max age it applies (`None`: none).
    pub fn max_age_note(kind: Foreign, args: &FormatArgs) -> Option<Duration> {
        args.max_age.or(match kind {
            Foreign::Django => None,
            Foreign::DjangoSession => Some(django::SESSION_COOKIE_AGE),
            Foreign::Flask => Some(flask::PERMANENT_SESSION_LIFETIME),
            Foreign::Iron => Some(iron::SESSION_TTL),
        })
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
