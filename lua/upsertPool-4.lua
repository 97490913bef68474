--[[
  Create a pool, or update the settings of an existing one. Live counters are kept.
  Turning `healthIndexes` on builds the healthiest / lowest-latency indexes from the proxies
  available now (one pass, O(available)); turning it off drops them.

  Input:
    KEYS[1] pool                (hash) settings and live counters of the pool
    KEYS[2] availableByOrder    (zset) leasable proxies by insertion order
    KEYS[3] availableByHealth   (zset) leasable proxies by -health score
    KEYS[4] availableByLatency  (zset) leasable proxies by mean latency

    ARGV[1] pool name
    ARGV[2] key prefix of the pool, e.g. "lh:{latam}:"
    ARGV[3..n] settings as field, value pairs (selector, leaseMs, failureThreshold, ...)

  Output:
    { 1 } the pool was created
    { 0 } the pool existed and was updated
]]
--- @include "includes/nowMs"

local poolKey, prefix = KEYS[1], ARGV[2]
local created = rcall('EXISTS', poolKey) == 0
local hadHealthIndexes = rcall('HGET', poolKey, 'healthIndexes') == '1'

for i = 3, #ARGV, 2 do
  rcall('HSET', poolKey, ARGV[i], ARGV[i + 1])
end
local wantsHealthIndexes = rcall('HGET', poolKey, 'healthIndexes') == '1'

if wantsHealthIndexes and not hadHealthIndexes then
  for _, proxyId in ipairs(rcall('ZRANGE', KEYS[2], 0, -1)) do
    local f = rcall('HMGET', prefix .. 'proxy:' .. proxyId, 'healthScore', 'latencySumMs',
      'latencyCount')
    local count = tonumber(f[3]) or 0
    rcall('ZADD', KEYS[3], -(tonumber(f[1]) or 0.5), proxyId)
    rcall('ZADD', KEYS[4], count > 0 and (tonumber(f[2]) / count) or 0, proxyId)
  end
elseif hadHealthIndexes and not wantsHealthIndexes then
  rcall('DEL', KEYS[3], KEYS[4])
end

if created then
  rcall('HSET', poolKey, 'name', ARGV[1], 'createdAt', nowMs(), 'seq', 0,
    'activeProxies', 0, 'leasedProxies', 0)
  return { 1 }
end
rcall('HSET', poolKey, 'updatedAt', nowMs())
return { 0 }
