--- @include "includes/poolContext"

-- Put a proxy into, or take it out of, the five "available" indexes, from its own state.
-- Leasable = status active, below its cap (0 = none), circuit not open, not resting after
-- a rate limit, and, when half-open, no probe lease out yet (one probe at a time).
local AVAILABILITY_FIELDS = { 'status', 'activeLeases', 'maxConcurrency', 'order',
  'lastUsedSeq', 'circuit', 'probeLeaseId', 'rateLimitedUntil', 'healthScore',
  'latencySumMs', 'latencyCount' }

-- Tell waiting acquirers (acquireProxy with waitMs) that a unit of capacity appeared. The
-- channel shares the pool's hash tag; each message wakes one waiter per client process.
local function notifyCapacity(ctx)
  rcall('PUBLISH', ctx.prefix .. 'capacity', '1')
end

-- Returns whether the proxy is leasable now and whether it just became so (and waiters were
-- told).
local function refreshAvailability(ctx, proxyId)
  local f = rcall('HMGET', proxyKey(ctx, proxyId), unpack(AVAILABILITY_FIELDS))
  local leases = tonumber(f[2]) or 0
  local cap = tonumber(f[3]) or 0
  local circuit = f[6] or 'closed'
  local leasable = f[1] == 'active' and (cap == 0 or leases < cap) and circuit ~= 'open'
    and (tonumber(f[8]) or 0) <= ctx.now and not (circuit == 'half-open' and f[7])
  local a = ctx.available
  local n = indexCount(ctx)
  if leasable then
    local count = tonumber(f[11]) or 0
    -- Unmeasured proxies sort first for lowest-latency, so they get measured.
    local meanLatency = count > 0 and (tonumber(f[10]) / count) or 0
    local added = rcall('ZADD', a[1], f[4], proxyId) == 1
    rcall('ZADD', a[2], f[5], proxyId)
    rcall('ZADD', a[3], leases, proxyId)
    if n == 5 then
      rcall('ZADD', a[4], -(tonumber(f[9]) or 0.5), proxyId)
      rcall('ZADD', a[5], meanLatency, proxyId)
    end
    if added then
      rcall('ZREM', ctx.unavailable, proxyId)
      notifyCapacity(ctx)
    end
    return true, added
  end
  for i = 1, n do
    rcall('ZREM', a[i], proxyId)
  end
  rcall('ZADD', ctx.unavailable, f[4], proxyId)
  return false, false
end

-- Keep the proxy's entry in the cooldowns index at its next due time: the end of an open
-- circuit's cooldown or of a rate-limit rest, whichever comes first. A disabled proxy has
-- nothing to recover until a person re-enables it.
local function scheduleRecovery(ctx, proxyId)
  local f = rcall('HMGET', proxyKey(ctx, proxyId), 'circuit', 'cooldownUntil', 'rateLimitedUntil',
    'status')
  if f[4] ~= 'active' then
    rcall('ZREM', ctx.cooldowns, proxyId)
    return
  end
  local due = nil
  if f[1] == 'open' then
    due = tonumber(f[2])
  end
  local rest = tonumber(f[3])
  if rest and rest > 0 and (due == nil or rest < due) then
    due = rest
  end
  if due then
    rcall('ZADD', ctx.cooldowns, due, proxyId)
  else
    rcall('ZREM', ctx.cooldowns, proxyId)
  end
end
