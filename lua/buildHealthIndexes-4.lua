--[[
  One bounded batch of building the healthiest / lowest-latency indexes of a pool whose
  healthIndexes are `building` (see upsertPool): the next `batch` leasable proxies after the
  cursor, by insertion order. Every other script keeps the indexes current meanwhile (a
  proxy leased, released or scored behind the cursor is re-indexed by that script), so when
  the cursor reaches the end the indexes are complete and the state becomes '1'.

  Input:
    KEYS[1] pool                (hash) settings and live counters of the pool
    KEYS[2] availableByOrder    (zset) leasable proxies by insertion order
    KEYS[3] availableByHealth   (zset) leasable proxies by -health score
    KEYS[4] availableByLatency  (zset) leasable proxies by mean latency

    ARGV[1] key prefix of the pool, e.g. "lh:{latam}:"
    ARGV[2] batch: proxies indexed by this call, at most

  Output:
    { 1, indexed, done }  indexed = proxies indexed by this call; done = 1 once complete
                          (also when nothing was being built)
    { -1 }                the pool does not exist
]]
--- @include "includes/proxyRecord"
--- @include "includes/indexWalk"

local poolKey, prefix, batch = KEYS[1], ARGV[1], tonumber(ARGV[2])
local state = rcall('HMGET', poolKey, 'leaseMs', 'healthIndexes', 'healthIndexCursor')
if not state[1] then
  return { -1 }
end
if state[2] ~= 'building' then
  return { 1, 0, 1 }
end

local page = pageAfter(KEYS[2], state[3] or '-inf', batch)
for i = 1, #page, 2 do
  local proxyId = page[i]
  local f = rcall('HMGET', prefix .. 'proxy:' .. proxyId, 'healthScore', 'latencySumMs',
    'latencyCount')
  -- Scored exactly as refreshAvailability scores them.
  local scores = scoresOf({ healthScore = f[1], latencySumMs = f[2], latencyCount = f[3] }, 5)
  rcall('ZADD', KEYS[3], scores[4], proxyId)
  rcall('ZADD', KEYS[4], scores[5], proxyId)
end

local indexed = #page / 2
local cursor = cursorAfter(page, batch)
if cursor == '' then
  rcall('HSET', poolKey, 'healthIndexes', '1')
  rcall('HDEL', poolKey, 'healthIndexCursor')
  return { 1, indexed, 1 }
end
rcall('HSET', poolKey, 'healthIndexCursor', cursor)
return { 1, indexed, 0 }
