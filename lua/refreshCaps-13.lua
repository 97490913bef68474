--[[
  One bounded batch of re-indexing a pool's proxies after its defaultMaxConcurrency changed:
  the next `batch` proxies after the cursor (by insertion order) of one of the two indexes
  that together list the pool. A proxy with a cap of its own, or without leases, is below
  any new cap and keeps its place; the others are re-indexed by the cap as it is now, so one
  at a lowered cap leaves the available indexes and one below a raised cap comes back.
  Meanwhile acquire checks what it picks against the cap as it is now (confirmLeasable), so
  no lease is ever granted past it.

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

    ARGV[1] key prefix of the pool, e.g. "lh:{latam}:"
    ARGV[2] which index to walk: 'unavailable' or 'available'
    ARGV[3] cursor: the insertion order after which to go on, or '-inf' to start
    ARGV[4] batch: proxies looked at by this call, at most

  Output:
    { 1, cursor, refreshed }  cursor = where the next call goes on, or '' when the walk of
                              that index is done; refreshed = proxies re-indexed
    { -1 }                    the pool does not exist
  Events: SPUBLISH on "<prefix>capacity" for every proxy that becomes leasable.
]]
--- @include "includes/proxyRecord"
--- @include "includes/indexWalk"

local ctx = poolContext(KEYS, ARGV[1])
if not poolSettings(ctx) then
  return { -1 }
end
local batch = tonumber(ARGV[4])
local page = pageAfter(walkedIndex(ctx, ARGV[2]), ARGV[3], batch)
local refreshed = 0
for i = 1, #page, 2 do
  local f = rcall('HMGET', proxyKey(ctx, page[i]), 'maxConcurrency', 'activeLeases')
  if (tonumber(f[1]) or 0) == 0 and (tonumber(f[2]) or 0) > 0 then
    refreshAvailability(ctx, page[i])
    refreshed = refreshed + 1
  end
end
return { 1, cursorAfter(page, batch), refreshed }
