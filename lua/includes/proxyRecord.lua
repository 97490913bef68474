--- @include "includes/availability"
--- @include "includes/health"

-- Hot paths (take a lease, end one, apply an outcome) read a proxy's state once, change it
-- in Lua and write it back with one HSET, then move only the indexes whose score changed:
-- every redis.call costs about a microsecond, and these paths run on every request.
-- Rare paths (transitions) write fields directly and use refreshAvailability; a record
-- that crosses one is synced (saved, reloaded) and fully re-indexed.
local RECORD_FIELDS = { 'status', 'activeLeases', 'maxConcurrency', 'order', 'lastUsedSeq',
  'circuit', 'probeLeaseId', 'rateLimitedUntil', 'reuseDelayUntil', 'usageCount', 'bench',
  'healthScore', 'latencySumMs', 'latencyCount', 'successes', 'failures', 'lastSuccessAt',
  'consecutiveFailures', 'rateLimitStreak', 'requests', 'circuitOpenedSeq' }
-- What taking a lease reads and re-indexes by (the first eleven): every field read costs
-- ~0.25 µs, and the health fields only matter to outcomes and to the health indexes.
local LEASE_FIELD_COUNT = 11

local function fillRecord(p, values, count)
  for i = 1, count do
    p[RECORD_FIELDS[i]] = values[i] or nil
  end
end

-- Index scores as refreshAvailability writes them: order, last use, load, and with the
-- health indexes -health and latency. `n` = the pool's indexCount.
local function scoresOf(p, n)
  local scores = { tonumber(p.order), tonumber(p.lastUsedSeq), tonumber(p.activeLeases) or 0 }
  if n == 5 then
    local count = tonumber(p.latencyCount) or 0
    scores[4] = -(tonumber(p.healthScore) or 0.5)
    scores[5] = count > 0 and (tonumber(p.latencySumMs) / count) or 0
  end
  return scores
end

-- The proxy's cap: its own maxConcurrency, else the pool's defaultMaxConcurrency as it is
-- now (0 = none), so a changed default applies at the next lease taken or ended.
local function capOf(ctx, p)
  local own = tonumber(p.maxConcurrency) or 0
  if own > 0 then
    return own
  end
  return poolSettings(ctx).defaultMaxConcurrency
end

-- Leasable = status active, below its cap (0 = none), circuit not open, not resting after a
-- rate limit nor within its reuse delay, not benched, and, when half-open or awaiting its
-- bench probe, no probe lease out yet (one probe at a time).
local function leasableOf(ctx, p)
  local leases = tonumber(p.activeLeases) or 0
  local cap = capOf(ctx, p)
  local circuit = p.circuit or 'closed'
  return p.status == 'active' and (cap == 0 or leases < cap) and circuit ~= 'open'
    and (tonumber(p.rateLimitedUntil) or 0) <= ctx.now
    and (tonumber(p.reuseDelayUntil) or 0) <= ctx.now
    and p.bench ~= 'benched'
    and not ((circuit == 'half-open' or p.bench == 'probe') and p.probeLeaseId)
end

-- nil when the proxy does not exist. `forLease`: read only what taking a lease needs (all of
-- it when the pool keeps the health indexes, which are scored by health fields).
local function loadProxy(ctx, proxyId, forLease)
  local key = proxyKey(ctx, proxyId)
  local n = indexCount(ctx)
  local count = (forLease and n == 3) and LEASE_FIELD_COUNT or #RECORD_FIELDS
  local values = rcall('HMGET', key, unpack(RECORD_FIELDS, 1, count))
  if not values[1] then
    return nil
  end
  local p = { id = proxyId, key = key, changed = {}, removed = {} }
  fillRecord(p, values, count)
  p.scoresBefore = scoresOf(p, n)
  p.hadCooldown = p.circuit == 'open' or p.rateLimitedUntil ~= nil or p.bench == 'benched'
  return p
end

local function setProxyField(p, name, value)
  p[name] = value
  p.changed[name] = true
  p.removed[name] = nil
end

local function clearProxyField(p, name)
  p[name] = nil
  p.removed[name] = true
  p.changed[name] = nil
end

local function saveProxy(p)
  local set, n = { 'HSET', p.key }, 2
  for name in pairs(p.changed) do
    set[n + 1] = name
    set[n + 2] = p[name]
    n = n + 2
  end
  if n > 2 then
    rcall(unpack(set, 1, n))
    p.changed = {}
  end
  if next(p.removed) then
    local del = { 'HDEL', p.key }
    for name in pairs(p.removed) do
      del[#del + 1] = name
    end
    rcall(unpack(del))
    p.removed = {}
  end
end

-- Before a rare path writes the hash directly: save ours, and reload afterwards.
local function syncProxy(p)
  saveProxy(p)
  fillRecord(p, rcall('HMGET', p.key, unpack(RECORD_FIELDS)), #RECORD_FIELDS)
  p.scoresBefore = nil
end

-- Returns whether the proxy is leasable now and whether it just became so.
local function reindexProxy(ctx, p)
  local a = ctx.available
  local n = indexCount(ctx)
  local member = rcall('ZSCORE', a[1], p.id)
  if leasableOf(ctx, p) then
    local scores = scoresOf(p, n)
    if member and p.scoresBefore then
      for i = 2, n do
        if scores[i] ~= p.scoresBefore[i] then
          rcall('ZADD', a[i], scores[i], p.id)
        end
      end
    else
      for i = 1, n do
        rcall('ZADD', a[i], scores[i], p.id)
      end
    end
    p.scoresBefore = scores
    if not member then
      rcall('ZREM', ctx.unavailable, p.id)
      notifyCapacity(ctx)
      return true, true
    end
    return true, false
  end
  if member then
    for i = 1, n do
      rcall('ZREM', a[i], p.id)
    end
    rcall('ZADD', ctx.unavailable, p.order, p.id)
  end
  return false, false
end

-- A proxy picked from the available indexes, checked against the pool's cap as it is now:
-- the indexes hold proxies by the cap they had when last re-indexed, so after the pool's
-- defaultMaxConcurrency was lowered one at the new cap may still be listed. It is moved out
-- here, once. Returns whether it may take a lease, and its record when it was loaded.
local function confirmLeasable(ctx, proxyId)
  if poolSettings(ctx).defaultMaxConcurrency == 0 then
    return true, nil
  end
  local p = loadProxy(ctx, proxyId, true)
  if p and leasableOf(ctx, p) then
    return true, p
  end
  if p then
    reindexProxy(ctx, p)
  end
  return false, nil
end

-- Re-index a proxy from what its hash says now, whatever the indexes held: for the rare
-- paths that wrote the hash directly. Returns what reindexProxy returns.
local function refreshAvailability(ctx, proxyId)
  local p = loadProxy(ctx, proxyId)
  if not p then
    return false, false
  end
  p.scoresBefore = nil
  local leasable, added = reindexProxy(ctx, p)
  if not leasable then
    -- Also when it was in no index at all: every proxy is listed somewhere.
    rcall('ZADD', ctx.unavailable, p.order, p.id)
  end
  return leasable, added
end

local function storeRecordHealth(ctx, p)
  setProxyField(p, 'healthScore', formatScore(healthScoreOf({ p.status, p.circuit, p.successes,
    p.failures, p.lastSuccessAt, p.latencySumMs, p.latencyCount }, ctx.now)))
end
