--[[
  Reclaim a bounded batch of expired leases (their deadline has passed), giving their
  capacity back. Callers loop while `remaining` > 0.

  Input:
    KEYS[1] pool                (hash) settings and live counters of the pool
    KEYS[2] availableByOrder    (zset)
    KEYS[3] availableByLastUse  (zset)
    KEYS[4] availableByLoad     (zset)
    KEYS[5] leaseDeadlines      (zset) "<proxyId>:<leaseId>" by expiry time (ms)

    ARGV[1] key prefix of the pool
    ARGV[2] batch size

  Output:
    { reclaimed, remaining }  remaining = expired leases still waiting after this batch
]]
local rcall = redis.call
--- @include "includes/nowMs"
--- @include "includes/reclaimExpired"

local now = nowMs()
local reclaimed = reclaimExpired(KEYS[1], { KEYS[2], KEYS[3], KEYS[4] }, KEYS[5], ARGV[1], now,
  tonumber(ARGV[2]))
return { reclaimed, rcall('ZCOUNT', KEYS[5], '-inf', now) }
