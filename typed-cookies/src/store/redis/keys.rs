//! The Redis key layout of [`RedisStore`](super::RedisStore), and the clamping of times to what
//! Redis (and its Lua numbers) can hold exactly.
//!
//! ```text
//! {prefix}:rev:{len}:{namespace}:{id}     revocation   value: until (unix s)   EX until − now + 1
//! {prefix}:once:{len}:{namespace}:{id}    one-time use value: until (unix s)   EX until − now + 1
//! {prefix}:nonce:{len}:{namespace}:{id}   replay nonce hash cur, until, replaced, prev, changed
//! {prefix}:epoch:{len}:{subject}          epoch        integer (a time; max(old + 1, t)), no expiry
//! ```
//!
//! `len` is the byte length of the namespace (or subject) in decimal, so a namespace or subject
//! containing `:` cannot make two different entries share a key: reading a key from the left,
//! `len` says exactly where the namespace ends. `id` is the session id in 32 lowercase hex
//! digits.

use crate::store::SessionId;

/// The longest lifetime given to a Redis entry: about 100 years. A later `until` is cut to
/// `now` + this (the entry then vanishes earlier than asked, never later).
pub(super) const MAX_TTL: i64 = 100 * 366 * 24 * 3600;

/// Times beyond ±2^53 − 1 are clamped: Lua compares them as doubles, exact up to there.
const LUA_EXACT: i64 = (1 << 53) - 1;

/// The kinds of entries, each under its own word in the key.
#[derive(Clone, Copy)]
pub(super) enum Kind {
    Revoked,
    Claimed,
    Nonce,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Revoked => "rev",
            Kind::Claimed => "once",
            Kind::Nonce => "nonce",
        }
    }
}

/// The key of `id`'s entry of `kind` in `namespace`.
pub(super) fn entry(prefix: &str, kind: Kind, namespace: &str, id: SessionId) -> String {
    format!(
        "{prefix}:{}:{}:{namespace}:{id}",
        kind.word(),
        namespace.len()
    )
}

/// The key of `subject`'s epoch counter.
pub(super) fn epoch(prefix: &str, subject: &str) -> String {
    format!("{prefix}:epoch:{}:{subject}", subject.len())
}

/// A unix time as Lua compares it exactly.
pub(super) fn time(t: i64) -> i64 {
    t.clamp(-LUA_EXACT, LUA_EXACT)
}

/// `until` as stored: no later than `now` + [`MAX_TTL`], and exact in Lua.
pub(super) fn until(until: i64, now: i64) -> i64 {
    time(until.min(now.saturating_add(MAX_TTL)))
}

/// The seconds an entry live until `until` (inclusive) must stay in Redis: through the whole
/// second `until`, at least 1 (Redis refuses `EX 0`), at most [`MAX_TTL`] + 1.
pub(super) fn ttl(until: i64, now: i64) -> i64 {
    until
        .saturating_sub(now)
        .saturating_add(1)
        .clamp(1, MAX_TTL + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: SessionId = SessionId::from_bytes([0xab; 16]);

    #[test]
    fn layout() {
        assert_eq!(
            entry("tc", Kind::Revoked, "reset", ID),
            format!("tc:rev:5:reset:{}", "ab".repeat(16))
        );
        assert_eq!(epoch("tc", "alice"), "tc:epoch:5:alice");
    }

    #[test]
    fn colons_in_namespaces_or_subjects_never_collide() {
        // Without the length, "a:b" + id and "a" + "b:…" could meet; with it they cannot.
        let pairs = [("a:b", "a"), ("a", "a:"), ("", ":"), ("x:1:y", "x")];
        for (one, other) in pairs {
            for kind in [Kind::Revoked, Kind::Claimed, Kind::Nonce] {
                assert_ne!(entry("p", kind, one, ID), entry("p", kind, other, ID));
            }
            assert_ne!(epoch("p", one), epoch("p", other));
        }
        assert_ne!(epoch("p", "1:a"), epoch("p", "a"));
        assert_ne!(
            entry("p", Kind::Revoked, "ns", ID),
            entry("p", Kind::Claimed, "ns", ID)
        );
    }

    #[test]
    fn ttl_covers_the_last_second_and_never_zero() {
        assert_eq!(ttl(1_010, 1_000), 11);
        assert_eq!(ttl(1_000, 1_000), 1);
        assert_eq!(ttl(900, 1_000), 1);
        assert_eq!(ttl(i64::MAX, i64::MIN), MAX_TTL + 1);
        assert_eq!(ttl(i64::MIN, i64::MAX), 1);
    }

    #[test]
    fn times_are_clamped_to_what_lua_holds_exactly() {
        assert_eq!(until(2_000, 1_000), 2_000);
        assert_eq!(until(i64::MAX, 1_000), 1_000 + MAX_TTL);
        assert_eq!(until(i64::MAX, i64::MAX), LUA_EXACT);
        assert_eq!(time(i64::MIN), -LUA_EXACT);
    }
}
