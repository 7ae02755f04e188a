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
//!
//! A store built for Redis Cluster ([`Layout::Cluster`]) puts a hash tag in every key, so Redis
//! hashes only the tag to choose the key's slot:
//!
//! ```text
//! {prefix}:rev:{{id}}:{len}:{namespace}       the three entries of one session share a slot
//! {prefix}:once:{{id}}:{len}:{namespace}
//! {prefix}:nonce:{{id}}:{len}:{namespace}
//! {prefix}:epoch:{{len}:{subject}}             one slot per subject
//! ```
//!
//! (`{{`…`}}` are the literal braces of the tag.) The first `{` of a key is the tag's own (a
//! cluster prefix may not contain braces), so a namespace holding braces never chooses the
//! slot; a subject holding `}` ends its tag early, which moves the key to another slot but
//! never makes two keys one. The single-node layout above is unchanged: the keys live
//! sessions' revocations are under keep working after an upgrade.

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

/// Which key layout a store writes: one Redis (the original layout), or Redis Cluster (hash
/// tags).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Layout {
    Single,
    Cluster,
}

/// The key of `id`'s entry of `kind` in `namespace`.
pub(super) fn entry(
    layout: Layout,
    prefix: &str,
    kind: Kind,
    namespace: &str,
    id: SessionId,
) -> String {
    let (word, len) = (kind.word(), namespace.len());
    match layout {
        Layout::Single => format!("{prefix}:{word}:{len}:{namespace}:{id}"),
        Layout::Cluster => format!("{prefix}:{word}:{{{id}}}:{len}:{namespace}"),
    }
}

/// The key of `subject`'s epoch counter.
pub(super) fn epoch(layout: Layout, prefix: &str, subject: &str) -> String {
    let len = subject.len();
    match layout {
        Layout::Single => format!("{prefix}:epoch:{len}:{subject}"),
        Layout::Cluster => format!("{prefix}:epoch:{{{len}:{subject}}}"),
    }
}

/// Whether `prefix` can start a cluster key: no brace, so the first `{` of every key is the
/// tag's.
pub(super) fn cluster_prefix_ok(prefix: &str) -> bool {
    !prefix.contains(['{', '}'])
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

    use Layout::{Cluster, Single};

    #[test]
    fn layout() {
        assert_eq!(
            entry(Single, "tc", Kind::Revoked, "reset", ID),
            format!("tc:rev:5:reset:{}", "ab".repeat(16))
        );
        assert_eq!(epoch(Single, "tc", "alice"), "tc:epoch:5:alice");
        assert_eq!(
            entry(Cluster, "tc", Kind::Nonce, "reset", ID),
            format!("tc:nonce:{{{}}}:5:reset", "ab".repeat(16))
        );
        assert_eq!(epoch(Cluster, "tc", "alice"), "tc:epoch:{5:alice}");
    }

    /// The part of `key` Redis Cluster hashes: the first `{…}` with something inside, else
    /// the whole key (the rule of the cluster specification).
    fn hashed(key: &str) -> &str {
        if let Some(open) = key.find('{') {
            if let Some(close) = key[open + 1..].find('}') {
                if close > 0 {
                    return &key[open + 1..open + 1 + close];
                }
            }
        }
        key
    }

    #[test]
    fn one_session_shares_a_slot_whatever_its_namespace_holds() {
        let id = ID.to_string();
        for ns in ["reset", "{evil}", "a}b{c", "{}", ""] {
            for kind in [Kind::Revoked, Kind::Claimed, Kind::Nonce] {
                assert_eq!(hashed(&entry(Cluster, "tc", kind, ns, ID)), id, "{ns}");
            }
        }
        assert_eq!(hashed(&epoch(Cluster, "tc", "alice")), "5:alice");
        // A `}` in a subject ends the tag early: another slot, never another subject's key.
        assert_eq!(hashed(&epoch(Cluster, "tc", "a}b")), "3:a");
        assert_ne!(epoch(Cluster, "tc", "a}b"), epoch(Cluster, "tc", "a}c"));
        assert!(cluster_prefix_ok("typed-cookies"));
        assert!(!cluster_prefix_ok("shop{1}") && !cluster_prefix_ok("x}"));
    }

    #[test]
    fn colons_in_namespaces_or_subjects_never_collide() {
        // Without the length, "a:b" + id and "a" + "b:…" could meet; with it they cannot.
        let pairs = [("a:b", "a"), ("a", "a:"), ("", ":"), ("x:1:y", "x")];
        for (one, other) in pairs {
            for layout in [Single, Cluster] {
                for kind in [Kind::Revoked, Kind::Claimed, Kind::Nonce] {
                    assert_ne!(
                        entry(layout, "p", kind, one, ID),
                        entry(layout, "p", kind, other, ID)
                    );
                }
                assert_ne!(epoch(layout, "p", one), epoch(layout, "p", other));
            }
        }
        for layout in [Single, Cluster] {
            assert_ne!(epoch(layout, "p", "1:a"), epoch(layout, "p", "a"));
            assert_ne!(
                entry(layout, "p", Kind::Revoked, "ns", ID),
                entry(layout, "p", Kind::Claimed, "ns", ID)
            );
        }
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
