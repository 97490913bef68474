--[[
  Create a pool, or change the settings it is given on an existing one: the others keep their
  values (live counters too). Defaults are written only where a field is missing, so a new
  pool gets all of them. Everything is checked before the first write.
  Turning `healthIndexes` on does not walk the pool here (a big pool would block Redis for
  the whole walk): it marks the indexes `building` with a cursor, buildHealthIndexes fills
  them in bounded batches, and until it is done the selectors use their sampled mode while
  every other script already keeps the indexes current. Turning it off drops them.

  Input:
    KEYS[1] pool                (hash) settings and live counters of the pool
    KEYS[2] availableByHealth   (zset) leasable proxies by -health score
    KEYS[3] availableByLatency  (zset) leasable proxies by mean latency

    ARGV[1] pool name
    ARGV[2] n: how many settings were given
    ARGV[3 .. 2+2n] the given settings as field, value pairs (selector, leaseMs, ...)
    ARGV[3+2n .. ] the default of every setting as field, value pairs

  Output:
    { 1, settings } the pool was created; settings = HGETALL of the pool hash
    { 0, settings } the pool existed and was updated
    { -10, field }  the merged settings conflict (cooldown max below base): nothing written
]]
--- @include "includes/nowMs"

local poolKey = KEYS[1]
local givenEnd = 2 + 2 * tonumber(ARGV[2])
local given, defaults, defaultFields = {}, {}, {}
for i = 3, givenEnd, 2 do
  given[ARGV[i]] = ARGV[i + 1]
end
for i = givenEnd + 1, #ARGV, 2 do
  defaults[ARGV[i]] = ARGV[i + 1]
  defaultFields[#defaultFields + 1] = ARGV[i]
end

local created = rcall('EXISTS', poolKey) == 0
local stored = rcall('HMGET', poolKey, 'cooldownBaseMs', 'cooldownMaxMs', 'healthIndexes')
local function merged(field, storedValue)
  return tonumber(given[field] or storedValue or defaults[field])
end
if merged('cooldownMaxMs', stored[2]) < merged('cooldownBaseMs', stored[1]) then
  return { -10, 'cooldown.maxSeconds' }
end

-- healthIndexes is a state ('0', 'building', '1'), moved below, not a plain value.
local wantsHealthIndexes = given.healthIndexes
given.healthIndexes = nil
local set = { 'HSET', poolKey, 'updatedAt', nowMs() }
for field, value in pairs(given) do
  set[#set + 1] = field
  set[#set + 1] = value
end
-- Defaults only where the pool has no value (every field of a new pool).
local present = #defaultFields > 0 and rcall('HMGET', poolKey, unpack(defaultFields)) or {}
for i, field in ipairs(defaultFields) do
  if not present[i] and not given[field] then
    set[#set + 1] = field
    set[#set + 1] = defaults[field]
  end
end
rcall(unpack(set))

local indexes = stored[3] or '0'
if wantsHealthIndexes == '1' and indexes == '0' then
  rcall('HSET', poolKey, 'healthIndexes', 'building', 'healthIndexCursor', '-inf')
elseif wantsHealthIndexes == '0' and indexes ~= '0' then
  -- UNLINK: freeing two big sorted sets happens off the main thread.
  rcall('UNLINK', KEYS[2], KEYS[3])
  rcall('HSET', poolKey, 'healthIndexes', '0')
  rcall('HDEL', poolKey, 'healthIndexCursor')
end

if created then
  rcall('HSET', poolKey, 'name', ARGV[1], 'createdAt', nowMs(), 'seq', 0,
    'activeProxies', 0, 'leasedProxies', 0)
end
return { created and 1 or 0, rcall('HGETALL', poolKey) }
