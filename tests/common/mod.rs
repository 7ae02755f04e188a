//! Helpers shared by the integration tests: fixed times and a sample payload.
#![allow(dead_code)]

use serde::{Deserialize, Serialize};
use typed_cookies::time::OffsetDateTime;
use typed_cookies::OpenError;

/// A fixed "now": 2026-03-01T12:00:00Z.
pub fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_772_366_400).unwrap()
}

/// A session-like payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub user_id: u64,
    pub name: String,
    pub roles: Vec<String>,
}

pub fn profile() -> Profile {
    Profile {
        user_id: 4242,
        name: "Grace Hopper".into(),
        roles: vec!["admin".into(), "billing".into()],
    }
}

/// Every value differing from `value` in exactly one character (each position, each of a few
/// replacement characters of the base64url alphabet).
pub fn one_char_changes(value: &str) -> impl Iterator<Item = String> + '_ {
    (0..value.len()).flat_map(move |i| {
        ['A', 'Q', 'g', 'w', '0', '-', '_']
            .into_iter()
            .filter(move |&c| value.as_bytes()[i] != c as u8)
            .map(move |c| {
                let mut changed = value.to_owned();
                changed.replace_range(i..=i, c.encode_utf8(&mut [0; 4]));
                changed
            })
    })
}

/// Whether `result` is one of the refusals that come at or before authentication: a changed
/// or forged value must never get further (to a payload decoding error, or to a value).
pub fn refused_before_trusting<T>(result: &Result<T, OpenError>) -> bool {
    matches!(
        result,
        Err(OpenError::TooLarge { .. }
            | OpenError::Malformed
            | OpenError::UnknownVersion { .. }
            | OpenError::WrongFormat { .. }
            | OpenError::UnknownKey { .. }
            | OpenError::Invalid)
    )
}
