//! The invalidation messages a store publishes when an answer of
//! [`status`](crate::store::RevocationStore::status) changes, and their parsing.
//!
//! ```text
//! s:{id}        a session was revoked (id: 32 lowercase hex digits, as stores key it)
//! e:{subject}   a subject signed out everywhere (its epoch moved)
//! ```
//!
//! Store-independent (no key prefix, no namespace, no hash tag), so a store's key layout can
//! change without touching the caches that listen. A session message drops the id's entry in
//! every namespace (ids are random: dropping more than needed is only a miss). Nothing in a
//! message is secret: the session id and the subject are already key names in the store.

use crate::store::SessionId;

/// What a message asks a near cache to drop.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Invalidation<'a> {
    /// The session's entry (its revocation changed).
    Session(SessionId),
    /// The subject's entry (its epoch moved).
    Subject(&'a str),
    /// A message this version does not understand: drop everything (fail safe).
    Everything,
}

/// The message published when `id` is revoked.
pub fn session_message(id: SessionId) -> String {
    format!("s:{id}")
}

/// The message published when `subject`'s epoch moves ("sign out everywhere").
pub fn subject_message(subject: &str) -> String {
    format!("e:{subject}")
}

/// Reads a message; anything malformed drops everything.
pub(super) fn parse(message: &[u8]) -> Invalidation<'_> {
    match message {
        [b's', b':', hex @ ..] => {
            session_id(hex).map_or(Invalidation::Everything, Invalidation::Session)
        }
        [b'e', b':', subject @ ..] => {
            std::str::from_utf8(subject).map_or(Invalidation::Everything, Invalidation::Subject)
        }
        _ => Invalidation::Everything,
    }
}

/// 32 lowercase hex digits as the id they spell.
fn session_id(hex: &[u8]) -> Option<SessionId> {
    if hex.len() != 32 {
        return None;
    }
    let mut bytes = [0u8; 16];
    for (byte, pair) in bytes.iter_mut().zip(hex.chunks_exact(2)) {
        *byte = (digit(pair[0])? << 4) | digit(pair[1])?;
    }
    Some(SessionId::from_bytes(bytes))
}

fn digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip() {
        let id = SessionId::generate();
        assert_eq!(
            parse(session_message(id).as_bytes()),
            Invalidation::Session(id)
        );
        assert_eq!(
            parse(subject_message("user:42").as_bytes()),
            Invalidation::Subject("user:42")
        );
        assert_eq!(
            parse(subject_message("").as_bytes()),
            Invalidation::Subject("")
        );
    }

    #[test]
    fn anything_malformed_drops_everything() {
        for bad in [
            &b""[..],
            b"s:",
            b"s:abc",
            b"x:1",
            b"s:ABABABABABABABABABABABABABABABAB",
            b"s:0123456789abcdef0123456789abcdeg",
            b"s:0123456789abcdef0123456789abcdef0",
            b"e:\xff",
        ] {
            assert_eq!(parse(bad), Invalidation::Everything, "{bad:?}");
        }
    }
}
