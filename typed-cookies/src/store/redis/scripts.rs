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

/// `KEYS[1]` nonce key; `ARGV` presented, next, grace, until, now, ttl, max replaced.
/// Returns one of the `ROTATED`, `GRACE`, `UNKNOWN`, `REPLAYED` codes below; only a rotation
/// writes.
///
/// The record: `cur`, `until`, and `replaced`, the nonces replaced within the grace window
/// with when (`nonce:time`, space-separated, newest first). `prev` and `changed` (the last
/// replaced nonce and when) are written too and always read as well: an earlier version kept
/// only those (and, rotating a record, leaves `replaced` as it was), so servers of both
/// versions share one store during an upgrade.
pub(super) static ROTATE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local r = redis.call('HMGET', KEYS[1], 'cur', 'until', 'replaced', 'prev', 'changed')
local now = tonumber(ARGV[5])
local grace = tonumber(ARGV[3])
if not r[1] or not r[2] or tonumber(r[2]) < now then return 0 end
local replaced = {}
if r[4] and r[5] then
  replaced[1] = {r[4], r[5]}
end
if r[3] then
  for nonce, at in string.gmatch(r[3], '(%d+):(%-?%d+)') do
    if nonce ~= r[4] then replaced[#replaced + 1] = {nonce, at} end
  end
end
if r[1] == ARGV[1] then
  local kept = {ARGV[1] .. ':' .. ARGV[5]}
  for i = 1, #replaced do
    if #kept >= tonumber(ARGV[7]) then break end
    if now <= tonumber(replaced[i][2]) + grace then
      kept[#kept + 1] = replaced[i][1] .. ':' .. replaced[i][2]
    end
  end
  redis.call('HSET', KEYS[1], 'cur', ARGV[2], 'until', ARGV[4], 'replaced', table.concat(kept, ' '),
    'prev', ARGV[1], 'changed', ARGV[5])
  redis.call('EXPIRE', KEYS[1], ARGV[6])
  return 1
end
for i = 1, #replaced do
  if replaced[i][1] == ARGV[1] and now <= tonumber(replaced[i][2]) + grace then return 2 end
end
return 3
",
    )
});

/// [`ROTATE`]'s answers.
pub(super) const UNKNOWN: i64 = 0;
pub(super) const ROTATED: i64 = 1;
pub(super) const GRACE: i64 = 2;
pub(super) const REPLAYED: i64 = 3;
