--[[
  Remove one proxy from a pool with all its index entries and sessions. Refuses while the
  proxy has live leases, so no lease ever points at a proxy that is gone (expired ones are
  reclaimed first).

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
    ARGV[2] proxy id
    ARGV[3] how many expired leases to reclaim first, at most

  Output:
    { 1 } removed
    { -1 } the pool does not exist
    { -4 } the proxy is not in the pool
    { -5, activeLeases } the proxy has live leases
]]
--- @include "includes/leases"
--- @include "includes/labelMemberships"

local ctx = poolContext(KEYS, ARGV[1])
local proxyId = ARGV[2]
local key = proxyKey(ctx, proxyId)
if not poolSettings(ctx) then
  return { -1 }
end
reclaimExpired(ctx, tonumber(ARGV[3]))
if rcall('EXISTS', key) == 0 then
  return { -4 }
end
local state = rcall('HMGET', key, 'activeLeases', 'status', 'circuit')
local activeLeases = tonumber(state[1]) or 0
if activeLeases > 0 then
  return { -5, activeLeases }
end

disableSessionsOf(ctx, proxyId, 'proxy_removed')
rcall('DEL', ctx.prefix .. 'proxySessions:' .. proxyId)
dropLabelMemberships(ctx.prefix, key, proxyId)
rcall('ZREM', ctx.unavailable, proxyId)
rcall('ZREM', ctx.cooldowns, proxyId)
for _, index in ipairs(ctx.available) do
  rcall('ZREM', index, proxyId)
end
if state[2] == 'active' then
  rcall('HINCRBY', ctx.key, 'activeProxies', -1)
end
if state[3] == 'open' then
  rcall('HINCRBY', ctx.key, 'openCircuits', -1)
end
rcall('DEL', key)
return { 1 }
