--[[
  Create a pool, or update the settings of an existing one. Live counters are kept.

  Input:
    KEYS[1] pool     (hash) settings and live counters of the pool

    ARGV[1] pool name
    ARGV[2..n] settings as field, value pairs (selector, leaseMs, failureThreshold, ...)

  Output:
    { 1 } the pool was created
    { 0 } the pool existed and was updated
]]
local rcall = redis.call
--- @include "includes/nowMs"

local poolKey = KEYS[1]
local created = rcall('EXISTS', poolKey) == 0

for i = 2, #ARGV, 2 do
  rcall('HSET', poolKey, ARGV[i], ARGV[i + 1])
end

if created then
  rcall('HSET', poolKey, 'name', ARGV[1], 'createdAt', nowMs(), 'seq', 0,
    'activeProxies', 0, 'leasedProxies', 0)
  return { 1 }
end
rcall('HSET', poolKey, 'updatedAt', nowMs())
return { 0 }
