//! What an open said, for people (one line of text) and for `--json` (`verdict`, `message`,
//! `expired_at`): the library's error, or a text that says more where the command knows more
//! (see `ours`).

use serde_json::{Map, Value};
use time::OffsetDateTime;
use typed_cookies::{Mode, OpenError};

use crate::render::rfc3339;

/// The outcome of an open: its kind (`valid` or [`OpenError::kind`]) and its text.
pub struct Verdict {
    kind: &'static str,
    text: String,
    expired_at: Option<OffsetDateTime>,
}

impl Verdict {
    /// Opened.
    pub fn valid() -> Self {
        Self::valid_because("valid")
    }

    /// Opened, with a text that says what was (and was not) checked.
    pub fn valid_because(text: impl Into<String>) -> Self {
        Self {
            kind: "valid",
            text: text.into(),
            expired_at: None,
        }
    }

    /// Refused with `error`, in the words of [`Verdict::of`] unless `text` says more.
    pub fn explained(error: &OpenError, text: Option<String>) -> Self {
        let mut verdict = Self::of(error);
        if let Some(text) = text {
            verdict.text = text;
        }
        verdict
    }

    /// Refused with `error`.
    pub fn of(error: &OpenError) -> Self {
        let (text, expired_at) = match error {
            OpenError::Expired { at } => (format!("expired at {}", rfc3339(*at)), Some(*at)),
            OpenError::UnknownKey { key_id } => {
                (format!("unknown key {key_id} (not in the ring)"), None)
            }
            OpenError::Invalid => (
                "invalid (tampered, forged, wrong salt or wrong keys)".to_owned(),
                None,
            ),
            OpenError::WrongFormat { expected, found } => {
                let hint = if found.mode != expected.mode {
                    if found.mode == Mode::Encrypted {
                        " (add --encrypted)"
                    } else {
                        " (drop --encrypted)"
                    }
                } else {
                    ""
                };
                (format!("wrong format: {error}{hint}"), None)
            }
            // The library's text advises the author of a type; here the value's own header
            // says whether it is tracked (see `ours`), so this only names the mismatch.
            OpenError::TrackingMismatch { tracked } => (
                format!(
                    "tracking mismatch: opened as {}, but the value's header says {}",
                    if *tracked { "tracked" } else { "untracked" },
                    if *tracked { "untracked" } else { "tracked" }
                ),
                None,
            ),
            other => (format!("{}: {other}", other.kind().replace('_', " ")), None),
        };
        Self {
            kind: error.kind(),
            text,
            expired_at,
        }
    }

    /// Whether the value opened.
    pub fn is_valid(&self) -> bool {
        self.kind == "valid"
    }

    /// The one-line text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// `verdict`, `message` and (when expired) `expired_at`.
    pub fn insert_into(&self, map: &mut Map<String, Value>) {
        map.insert("verdict".into(), self.kind.into());
        map.insert("message".into(), self.text.clone().into());
        if let Some(at) = self.expired_at {
            map.insert("expired_at".into(), rfc3339(at).into());
        }
    }
}
