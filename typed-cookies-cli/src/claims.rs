//! A tracked value's claims as the command shows them: session id, subject, epoch and replay
//! nonce, read from the authenticated claims block of a value that opened (`ours`), and the
//! warning that **no store was consulted** — whether the session was revoked, signed out
//! everywhere, used (`one_time`) or replayed is not known here.
//!
//! Epochs have two readings: since "sign out everywhere" became time-based they are
//! microseconds on the store's clock (Redis's `TIME`, or the server's for `MemoryStore`);
//! stores written by earlier versions hold small counters (one per sign-out everywhere).
//! Both compare the same way, and a counter is far below any time since 2000, which is the
//! line drawn here.

use serde_json::{Map, Value};
use time::OffsetDateTime;
use typed_cookies::Opened;

use crate::render::{json_line, rfc3339};

/// What every output of an opened tracked value says (after `revocation status `).
const NOT_CHECKED: &str = "NOT checked: no store was consulted, so the session may have been revoked, signed out everywhere, used already (one_time) or replayed";

/// Epochs below this (2000-01-01T00:00:00Z in microseconds) are read as counters.
const FIRST_TIME_EPOCH: u64 = 946_684_800_000_000;

/// How an epoch reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Epoch {
    /// 0: the subject had not been signed out everywhere (or the type stamps no epoch).
    None,
    /// A counter from a version before epochs were times.
    Counter,
    /// A time on the store's clock.
    Time(OffsetDateTime),
    /// Microseconds past any date this command can show (no store writes those).
    OutOfRange,
}

impl Epoch {
    fn read(epoch: u64) -> Self {
        match epoch {
            0 => Self::None,
            e if e < FIRST_TIME_EPOCH => Self::Counter,
            e => OffsetDateTime::from_unix_timestamp_nanos(i128::from(e) * 1_000)
                .map_or(Self::OutOfRange, Self::Time),
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Counter => "counter",
            Self::Time(_) => "time",
            Self::OutOfRange => "out_of_range",
        }
    }

    fn describe(self, epoch: u64) -> String {
        match self {
            Self::None => "0 (none: no sign-out everywhere of its subject before it was issued, or a type that stamps no epoch)".into(),
            Self::Counter => format!(
                "{epoch} (a counter, from a version before epochs were times: the sign-outs everywhere of its subject before it was issued)"
            ),
            Self::Time(at) => format!(
                "{epoch} (microseconds: {} on the store's clock, its subject's last sign-out everywhere before it was issued; a later one ends it)",
                rfc3339(at)
            ),
            Self::OutOfRange => format!("{epoch} (microseconds past any date)"),
        }
    }
}

/// The claims as labelled text lines; empty for an untracked value.
pub fn lines<T>(opened: &Opened<T>) -> Vec<(&'static str, String)> {
    let (Some(id), Some(epoch), Some(nonce)) = (
        opened.session_id(),
        opened.__epoch(),
        opened.__replay_nonce(),
    ) else {
        return Vec::new();
    };
    vec![
        ("session id", id.to_string()),
        (
            "subject",
            opened.subject().map_or("none (anonymous)".into(), |s| {
                // As a JSON string: quoted, its controls and bidi characters escaped.
                json_line(&Value::String(s.to_owned()))
            }),
        ),
        ("epoch", Epoch::read(epoch).describe(epoch)),
        (
            "replay nonce",
            if nonce == 0 {
                "none (not a `replay` type)".into()
            } else {
                nonce.to_string()
            },
        ),
        ("revocation", NOT_CHECKED.into()),
    ]
}

/// `tracked`, and for a tracked value `claims` (`session_id`, `subject`, `epoch`,
/// `epoch_reading`, `epoch_time`, `replay_nonce`: a decimal string, as stores keep it, or
/// null), `revocation_checked: false` and `revocation_note`.
pub fn insert_into<T>(opened: &Opened<T>, map: &mut Map<String, Value>) {
    let (Some(id), Some(epoch), Some(nonce)) = (
        opened.session_id(),
        opened.__epoch(),
        opened.__replay_nonce(),
    ) else {
        map.insert("tracked".into(), false.into());
        return;
    };
    let reading = Epoch::read(epoch);
    let mut claims = Map::new();
    claims.insert("session_id".into(), id.to_string().into());
    claims.insert("subject".into(), opened.subject().into());
    claims.insert("epoch".into(), epoch.into());
    claims.insert("epoch_reading".into(), reading.label().into());
    if let Epoch::Time(at) = reading {
        claims.insert("epoch_time".into(), rfc3339(at).into());
    }
    claims.insert(
        "replay_nonce".into(),
        (nonce != 0).then(|| nonce.to_string()).into(),
    );
    map.insert("tracked".into(), true.into());
    map.insert("claims".into(), Value::Object(claims));
    map.insert("revocation_checked".into(), false.into());
    map.insert(
        "revocation_note".into(),
        format!("revocation status {NOT_CHECKED}").into(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epochs_read_as_counters_or_times() {
        assert_eq!(Epoch::read(0), Epoch::None);
        assert_eq!(Epoch::read(3), Epoch::Counter);
        assert_eq!(Epoch::read(FIRST_TIME_EPOCH - 1), Epoch::Counter);
        let at = Epoch::read(1_767_225_600_123_456);
        assert_eq!(
            at,
            Epoch::Time(
                OffsetDateTime::from_unix_timestamp_nanos(1_767_225_600_123_456_000).unwrap()
            )
        );
        assert!(at
            .describe(1_767_225_600_123_456)
            .contains("2026-01-01T00:00:00.123456Z"));
        assert_eq!(Epoch::read(u64::MAX), Epoch::OutOfRange);
    }
}
