--[[
  One bounded batch of deleting a pool. The first call refuses while the pool has live
  leases (expired ones are reclaimed first, up to ARGV[3]); otherwise it marks the pool as
  deleting by dropping its leaseMs setting, so every other script answers "pool not found"
  at once. Each call then deletes up to ARGV[2] proxies with their sessions and label / tag
  memberships, then up to ARGV[2] remaining sessions, and when nothing is left the fixed
  pool keys. Callers loop until done = 1. Scope keys (no registry, they carry a TTL) are
  swept by the client afterwards.

  Input:
    KEYS[1] pool                (hash) settings and live counters of the pool
    KEYS[2] unavailable         (zset) proxies not leasable now, by insertion order
    KEYS[3] availableByOrder    (zset) leasable proxies by insertion order   (first-available)
    KEYS[4] availableByLastUse  (zset) leasable proxies by last-use sequence (round-robin)
    KEYS[5] availableByLoad     (zset) leasable proxies by live lease count  (least-used)
    KEYS[6] availableByHealth   (zset) leasable proxies by -health score     (healthiest)
    KEYS[7] availableByLatency  (zset) leasable proxies by mean latency      (lowest-latency)
    KEYS[8] leaseDeadlines      (zset) "<proxyId>:<leaseId>" by expiry time (ms)
    KEYS[9] cooldowns           (zset) proxies with an open circuit or a rest, by due time
    KEYS[10] errorLog           (stream) failures, transitions and expiries, capped
    KEYS[11] sessions           (zset) live sessions by creation time
    KEYS[12] idleSessions       (zset) live sessions without a lease, by last use
    KEYS[13] leases             (hash) leaseId -> "acquiredAt|fencingToken|scope|sessionId|consumer"

    ARGV[1] key prefix of the pool
    ARGV[2] batch: proxies (then sessions) deleted by this call, at most
    ARGV[3] how many expired leases to reclaim first, at most

  Output:
    { 1, proxiesDeleted, done }  done = 1 once every fixed key of the pool is gone
    { -1 }                       the pool does not exist
    { -11, liveLeases }          the pool has live leases (nothing was deleted)
]]
--- @include "includes/leases"
--- @include "includes/labelMemberships"

local ctx = poolContext(KEYS, ARGV[1])
local batch = tonumber(ARGV[2])
local state = rcall('HMGET', ctx.key, 'leaseMs', 'deleting')
if not state[1] and not state[2] then
  return { -1 }
end
-- leaseMs present: not marked yet (or revived by upsertPool meanwhile), so check for leases.
if state[1] then
  reclaimExpired(ctx, tonumber(ARGV[3]))
  -- Every live lease has one deadline, and the expired ones were just reclaimed.
  local live = rcall('ZCARD', ctx.deadlines)
  if live > 0 then
    return { -11, live }
  end
  rcall('HSET', ctx.key, 'deleting', '1')
  rcall('HDEL', ctx.key, 'leaseMs')
end

-- `unavailable` and `byOrder` together list every proxy once.
local proxies = rcall('ZRANGE', ctx.unavailable, 0, batch - 1)
if #proxies < batch then
  for _, id in ipairs(rcall('ZRANGE', ctx.available[1], 0, batch - 1 - #proxies)) do
    proxies[#proxies + 1] = id
  end
end
for _, proxyId in ipairs(proxies) do
  local sessionsKey = ctx.prefix .. 'proxySessions:' .. proxyId
  for _, sessionId in ipairs(rcall('SMEMBERS', sessionsKey)) do
    rcall('DEL', sessionKey(ctx, sessionId))
    rcall('ZREM', ctx.sessions, sessionId)
    rcall('ZREM', ctx.idleSessions, sessionId)
  end
  rcall('DEL', sessionsKey)
  local key = proxyKey(ctx, proxyId)
  dropLabelMemberships(ctx.prefix, key, proxyId)
  rcall('ZREM', ctx.unavailable, proxyId)
  rcall('ZREM', ctx.cooldowns, proxyId)
  for _, index in ipairs(ctx.available) do
    rcall('ZREM', index, proxyId)
  end
  rcall('DEL', key)
end
if #proxies > 0 then
  return { 1, #proxies, 0 }
end

-- Sessions no proxy lists any more (defensive: every session is bound to a proxy).
local sessions = rcall('ZRANGE', ctx.sessions, 0, batch - 1)
if #sessions > 0 then
  for _, sessionId in ipairs(sessions) do
    rcall('DEL', sessionKey(ctx, sessionId))
    rcall('ZREM', ctx.sessions, sessionId)
  end
  return { 1, 0, 0 }
end

-- Only the fixed keys are left; they are small now (the error log is capped).
rcall('DEL', ctx.key, ctx.unavailable, ctx.deadlines, ctx.cooldowns, ctx.errorLog,
  ctx.sessions, ctx.idleSessions, ctx.leases, unpack(ctx.available))
return { 1, 0, 1 }
