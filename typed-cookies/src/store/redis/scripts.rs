//! The Lua scripts that make [`RedisStore`](super::RedisStore)'s read-modify-write operations
//! atomic: Redis runs a script without interleaving any other command, on every connection of
//! every process. Sent once by `SCRIPT LOAD`, then by `EVALSHA` (`redis::Script` does both).
//!
//! Times arrive as decimal integers already clamped to ±2^53 (exact as Lua numbers); nonces
//! are compared as strings, so all 64 bits count. An entry whose stored `until` is before
//! `now` is treated as absent even while Redis still holds it (its TTL ends at most a second
//! later), so the answers depend on the `now` passed in, as with `MemoryStore`.

use std::sync::LazyLock;

use redis::Script;

/// `KEYS[1]` revocation key; `ARGV` until, ttl. Keeps the later of the stored and the new
/// `until` (and its TTL). Returns 1 when it wrote.
pub(super) static REVOKE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local stored = tonumber(redis.call('GET', KEYS[1]))
if stored and stored >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
",
    )
});

/// `KEYS[1]` claim key; `ARGV` until, now, ttl. 1 for the claim that wrote, 0 while an earlier
/// claim is live (its `until` not before `now`).
pub(super) static CLAIM: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local stored = tonumber(redis.call('GET', KEYS[1]))
if stored and stored >= tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1
",
    )
});

/// `KEYS[1]` nonce key; `ARGV` presented, next, grace, until, now, ttl. Returns one of the
/// `ROTATED`, `GRACE`, `UNKNOWN`, `REPLAYED` codes below; only a rotation writes.
pub(super) static ROTATE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local r = redis.call('HMGET', KEYS[1], 'cur', 'prev', 'changed', 'until')
local now = tonumber(ARGV[5])
if not r[1] or not r[3] or not r[4] or tonumber(r[4]) < now then return 0 end
if r[1] == ARGV[1] then
  redis.call('HSET', KEYS[1], 'cur', ARGV[2], 'prev', ARGV[1], 'changed', ARGV[5], 'until', ARGV[4])
  redis.call('EXPIRE', KEYS[1], ARGV[6])
  return 1
end
if r[2] and r[2] == ARGV[1] and now <= tonumber(r[3]) + tonumber(ARGV[3]) then return 2 end
return 3
",
    )
});

/// [`ROTATE`]'s answers.
pub(super) const UNKNOWN: i64 = 0;
pub(super) const ROTATED: i64 = 1;
pub(super) const GRACE: i64 = 2;
pub(super) const REPLAYED: i64 = 3;
