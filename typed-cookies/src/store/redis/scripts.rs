//! The Lua scripts that make [`RedisStore`](super::RedisStore)'s read-modify-write operations
//! atomic: Redis runs a script without interleaving any other command, on every connection of
//! every process. Sent once by `SCRIPT LOAD`, then by `EVALSHA` (`redis::Script` does both).
//!
//! Times arrive as decimal integers already clamped to ±2^53 (exact as Lua numbers); nonces
//! are compared as strings, so all 64 bits count. An entry whose stored `until` is before
//! `now` is treated as absent even while Redis still holds it (its TTL ends at most a second
//! later), so the answers depend on the `now` passed in, as with `MemoryStore` — except the
//! replay grace window, which [`ROTATE`] measures on Redis's own clock (`TIME`): app servers'
//! clocks differ, and a window of a few seconds compared across them would take a legitimate
//! concurrent request for a replay (or accept a replay) whenever they differ by more than it.

use std::sync::LazyLock;

use redis::Script;

/// `KEYS[1]` revocation key; `ARGV` until, ttl, and the near caches' invalidation channel and
/// message (`redis/invalidation.rs`). Keeps the later of the stored and the new `until` (and
/// its TTL). Returns 1 when it wrote; otherwise rewrites the stored entry unchanged
/// (`KEEPTTL`, Redis 6+), so the call always replicates something and a `WAIT` after it
/// measures this entry's replication, not "nothing to wait for" (a revocation another server
/// wrote without waiting may sit on the primary only). Publishes either way (atomic with the write; a session
/// already revoked by a server that does not publish is dropped from the caches too), with
/// `pcall`: a Redis user without the channel (Redis 7 users have no channels by default) still
/// revokes; its near caches cannot subscribe either, so they never cache.
pub(super) static REVOKE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local raw = redis.call('GET', KEYS[1])
local stored = tonumber(raw)
local wrote = 0
if not stored or stored < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  wrote = 1
else
  redis.call('SET', KEYS[1], raw, 'KEEPTTL')
end
if ARGV[3] then redis.pcall('PUBLISH', ARGV[3], ARGV[4]) end
return wrote
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

/// `KEYS[1]` nonce key; `ARGV` presented, next, grace, until, now, ttl, max replaced, and
/// `1` to measure the grace window on `now` instead of Redis's `TIME`. Returns one of the `ROTATED`, `GRACE`, `UNKNOWN`, `REPLAYED` codes below; only a rotation
/// writes.
///
/// The record: `cur`, `until`, and `replaced`, the nonces replaced within the grace window
/// with when (`nonce:time`, space-separated, newest first; times on Redis's clock). `prev` and `changed` (the last
/// replaced nonce and when) are written too and always read as well: an earlier version kept
/// only those (and, rotating a record, leaves `replaced` as it was), so servers of both
/// versions share one store during an upgrade.
pub(super) static ROTATE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.replicate_commands then redis.replicate_commands() end
local r = redis.call('HMGET', KEYS[1], 'cur', 'until', 'replaced', 'prev', 'changed')
local now = tonumber(ARGV[5])
local grace = tonumber(ARGV[3])
if not r[1] or not r[2] or tonumber(r[2]) < now then return 0 end
-- The grace window on Redis's own clock (one clock for every app server), unless the store
-- was built to trust the caller's (ARGV[8] = 1, for tests that move time).
local at = now
if ARGV[8] ~= '1' then at = tonumber(redis.call('TIME')[1]) end
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
  local kept = {ARGV[1] .. ':' .. string.format('%d', at)}
  for i = 1, #replaced do
    if #kept >= tonumber(ARGV[7]) then break end
    if at <= tonumber(replaced[i][2]) + grace then
      kept[#kept + 1] = replaced[i][1] .. ':' .. replaced[i][2]
    end
  end
  redis.call('HSET', KEYS[1], 'cur', ARGV[2], 'until', ARGV[4], 'replaced', table.concat(kept, ' '),
    'prev', ARGV[1], 'changed', string.format('%d', at))
  redis.call('EXPIRE', KEYS[1], ARGV[6])
  return 1
end
for i = 1, #replaced do
  if replaced[i][1] == ARGV[1] and at <= tonumber(replaced[i][2]) + grace then return 2 end
end
return 3
",
    )
});

/// `KEYS[1]` epoch key; `ARGV` now (unix seconds), `1` to use it instead of Redis's clock, and
/// the near caches' invalidation channel and message (published in the same step, with
/// `pcall` as in [`REVOKE`]). Sets the epoch to `max(stored + 1, t)`, `t` the time in
/// microseconds (Redis's `TIME`, or `now` × 10⁶), and returns it. The key keeps no TTL. A stored counter of an earlier
/// version (`INCR`) is a small number, so the first bump after an upgrade moves it to `t`; an
/// earlier version's `INCR` on a time still ends every session stamped with it.
pub(super) static BUMP_EPOCH: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.replicate_commands then redis.replicate_commands() end
local t = tonumber(ARGV[1]) * 1000000
if ARGV[2] ~= '1' then
  local time = redis.call('TIME')
  t = tonumber(time[1]) * 1000000 + tonumber(time[2])
end
local stored = tonumber(redis.call('GET', KEYS[1])) or 0
local epoch = math.max(stored + 1, t)
redis.call('SET', KEYS[1], string.format('%d', epoch))
if ARGV[3] then redis.pcall('PUBLISH', ARGV[3], ARGV[4]) end
return epoch
",
    )
});

/// [`ROTATE`]'s answers.
pub(super) const UNKNOWN: i64 = 0;
pub(super) const ROTATED: i64 = 1;
pub(super) const GRACE: i64 = 2;
pub(super) const REPLAYED: i64 = 3;
