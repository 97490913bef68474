--[[
  Pool statistics from live state, after reclaiming a bounded batch of expired leases so
  that none of them is counted as live.

  Input:
    KEYS[1] pool                (hash) settings and live counters of the pool
    KEYS[2] proxies             (zset) every proxy id by insertion order
    KEYS[3] availableByOrder    (zset)
    KEYS[4] availableByLastUse  (zset)
    KEYS[5] availableByLoad     (zset)
    KEYS[6] leaseDeadlines      (zset)

    ARGV[1] key prefix of the pool
    ARGV[2] how many expired leases to reclaim first, at most

  Output:
    { -1 } the pool does not exist
    { 1, { totalProxies, activeProxies, availableProxies, leasedProxies, totalLeases } }
]]
local rcall = redis.call
--- @include "includes/nowMs"
--- @include "includes/reclaimExpired"
--- @include "includes/poolStats"

if rcall('EXISTS', KEYS[1]) == 0 then
  return { -1 }
end
local now = nowMs()
reclaimExpired(KEYS[1], { KEYS[3], KEYS[4], KEYS[5] }, KEYS[6], ARGV[1], now, tonumber(ARGV[2]))
return { 1, poolStats(KEYS[1], KEYS[2], KEYS[3], KEYS[6], now) }
