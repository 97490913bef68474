--[[
  Claim the proxies an active health check should probe now: open circuits and benched
  proxies (both sit in the cooldowns index) not probed within the interval. A claim stamps
  the proxy's lastProbeAt, so worker replicas sweeping the same pool never probe a proxy
  twice in one interval. Bounded: at most ARGV[4] cooldown entries looked at (latest due
  first), ARGV[3] claimed.

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
    ARGV[2] interval (ms): a proxy probed less than this long ago is skipped
    ARGV[3] how many proxies to claim, at most
    ARGV[4] how many cooldown entries to look at, at most

  Output:
    { -1 } the pool does not exist
    { 1, { proxyId, url, proxyId, url, ... } } the claimed proxies (the url carries credentials:
      the caller must not log it)
]]
--- @include "includes/poolContext"

local ctx = poolContext(KEYS, ARGV[1])
if not poolSettings(ctx) then
  return { -1 }
end
local intervalMs, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local claimed, count = {}, 0
-- Latest due first: those would wait longest without a probe, and the short rests (rate limits,
-- reuse delays) that crowd the front of the index are passed over.
for _, proxyId in ipairs(rcall('ZRANGE', ctx.cooldowns, 0, tonumber(ARGV[4]) - 1, 'REV')) do
  if count >= limit then
    break
  end
  local key = proxyKey(ctx, proxyId)
  local f = rcall('HMGET', key, 'status', 'circuit', 'bench', 'lastProbeAt', 'url')
  if f[1] == 'active' and (f[2] == 'open' or f[3] == 'benched')
      and ctx.now - (tonumber(f[4]) or 0) >= intervalMs then
    rcall('HSET', key, 'lastProbeAt', ctx.now)
    claimed[#claimed + 1] = proxyId
    claimed[#claimed + 1] = f[5]
    count = count + 1
  end
end
return { 1, claimed }
