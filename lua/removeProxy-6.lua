--[[
  Remove one proxy from a pool with all its index entries. Refuses while the proxy has
  live leases, so no lease ever points at a proxy that is gone (expired ones are reclaimed
  first).

  Input:
    KEYS[1] pool                (hash) settings and live counters of the pool
    KEYS[2] proxies             (zset) every proxy id by insertion order
    KEYS[3] availableByOrder    (zset)
    KEYS[4] availableByLastUse  (zset)
    KEYS[5] availableByLoad     (zset)
    KEYS[6] leaseDeadlines      (zset) "<proxyId>:<leaseId>" by expiry time (ms)

    ARGV[1] key prefix of the pool
    ARGV[2] proxy id
    ARGV[3] how many expired leases to reclaim first, at most

  Output:
    { 1 } removed
    { -1 } the pool does not exist
    { -4 } the proxy is not in the pool
    { -5, activeLeases } the proxy has live leases
]]
local rcall = redis.call
--- @include "includes/nowMs"
--- @include "includes/reclaimExpired"
--- @include "includes/labelMemberships"

local poolKey, proxiesKey, deadlinesKey = KEYS[1], KEYS[2], KEYS[6]
local availableKeys = { KEYS[3], KEYS[4], KEYS[5] }
local prefix, proxyId = ARGV[1], ARGV[2]
local proxyKey = prefix .. 'proxy:' .. proxyId

if rcall('EXISTS', poolKey) == 0 then
  return { -1 }
end
reclaimExpired(poolKey, availableKeys, deadlinesKey, prefix, nowMs(), tonumber(ARGV[3]))
if rcall('EXISTS', proxyKey) == 0 then
  return { -4 }
end
local state = rcall('HMGET', proxyKey, 'activeLeases', 'status')
local activeLeases = tonumber(state[1]) or 0
if activeLeases > 0 then
  return { -5, activeLeases }
end

dropLabelMemberships(prefix, proxyKey, proxyId)
for _, key in ipairs({ proxiesKey, KEYS[3], KEYS[4], KEYS[5] }) do
  rcall('ZREM', key, proxyId)
end
if state[2] == 'active' then
  rcall('HINCRBY', poolKey, 'activeProxies', -1)
end
rcall('DEL', proxyKey)
return { 1 }
