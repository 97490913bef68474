--- @include "includes/leases"
--- @include "includes/bench"

-- Outcomes of requests made through a lease, applied atomically: health counters, the
-- shared circuit breaker, rate-limit rests (global or per scope), the session's fate, and
-- an error-log entry for every failure.
--
-- o = { ok, category, statusCode, retryAfterMs, message, latencyMs, sessionData, random }

-- Rest a proxy after a rate limit (or a block under a scope): for the lease's scope only
-- when it has one, otherwise for everyone (on the proxy's record `p`).
local function restProxy(ctx, lease, ms, p)
  local untilMs = ctx.now + boundedMs(ms)
  if lease.scope then
    local restKey = scopeKey(ctx, lease.scope, 'rest')
    local current = tonumber(rcall('ZSCORE', restKey, lease.proxyId)) or 0
    if untilMs > current then
      rcall('ZADD', restKey, untilMs, lease.proxyId)
    end
    rcall('ZREMRANGEBYSCORE', restKey, '-inf', ctx.now)
    keepKeyAlive(ctx, restKey, untilMs)
    return
  end
  if untilMs > (tonumber(p.rateLimitedUntil) or 0) then
    setProxyField(p, 'rateLimitedUntil', untilMs)
  end
end

local function applySessionOutcome(ctx, lease, o)
  local settings = poolSettings(ctx)
  local key = sessionKey(ctx, lease.sessionId)
  if rcall('HGET', key, 'status') ~= 'active' then
    return
  end
  if o.sessionData then
    rcall('HSET', key, 'data', o.sessionData)
  end
  local uses = rcall('HINCRBY', key, 'usageCount', 1)
  rcall('HSET', key, 'lastUsedAt', ctx.now)
  if o.ok then
    rcall('HSET', key, 'consecutiveFailures', 0)
  elseif o.category ~= 'rate_limit' then
    -- A rate limit is the proxy's (or the site's) problem, never the session's.
    local failures = rcall('HINCRBY', key, 'consecutiveFailures', 1)
    if o.category == 'auth' or o.category == 'blocked' then
      disableSession(ctx, lease.sessionId, o.category)
      return
    end
    if failures >= settings.failureThreshold then
      disableSession(ctx, lease.sessionId, 'consecutive_failures')
      return
    end
  end
  if uses >= settings.sessionMaxUsage then
    disableSession(ctx, lease.sessionId, 'max_usage')
  end
end

-- Whether this lease's outcome may move the proxy's circuit (resilience4j's verdicts). Every
-- outcome counts in health; only these move the circuit:
--   half-open: the probe lease alone (a straggler must not reopen or close it meanwhile);
--   open:      none (every lease out was granted before the opening);
--   closed:    a lease granted after the last opening (fencing token above the pool sequence
--              recorded at that opening), not a straggler from before it.
-- A lease whose record is gone has no known token and counts as a straggler.
local function movesCircuit(lease, p)
  local circuit = p.circuit or 'closed'
  if circuit == 'half-open' then
    return p.probeLeaseId == lease.id
  end
  if circuit == 'open' then
    return false
  end
  return (lease.token or 0) > (tonumber(p.circuitOpenedSeq) or -1)
end

-- `p`: the proxy's record (nil if the proxy is gone). `reindexLater`: the caller saves and
-- re-indexes it itself (release does, in endLease), so the write and the index updates
-- happen once.
local function applyOutcome(ctx, lease, o, p, reindexLater)
  local settings = poolSettings(ctx)

  -- Pool-wide totals (monotonic counters) that every metrics reader sees alike.
  if o.ok then
    rcall('HINCRBY', ctx.key, 'stat:successes', 1)
  else
    rcall('HINCRBY', ctx.key, 'stat:failures:' .. o.category, 1)
    logEntry(ctx, { type = 'failure', proxyId = lease.proxyId, sessionId = lease.sessionId,
      leaseId = lease.id, consumer = lease.consumer, category = o.category,
      statusCode = o.statusCode, message = o.message, latencyMs = o.latencyMs,
      scope = lease.scope })
  end
  if o.latencyMs then
    local bucket = latencyBucketField(o.latencyMs)
    rcall('HINCRBY', ctx.key, 'stat:latencySumMs', math.floor(o.latencyMs + 0.5))
    rcall('HINCRBY', ctx.key, 'stat:latencyCount', 1)
    rcall('HINCRBY', ctx.key, 'stat:' .. bucket, 1)
    if p then
      rcall('HINCRBY', p.key, bucket, 1)
      setProxyField(p, 'latencySumMs', (tonumber(p.latencySumMs) or 0) + math.floor(o.latencyMs + 0.5))
      setProxyField(p, 'latencyCount', (tonumber(p.latencyCount) or 0) + 1)
    end
  end

  if p then
    local decides = movesCircuit(lease, p)
    local isProbe = p.probeLeaseId ~= nil and p.probeLeaseId == lease.id
    setProxyField(p, 'requests', (tonumber(p.requests) or 0) + 1)
    if o.ok then
      setProxyField(p, 'successes', (tonumber(p.successes) or 0) + 1)
      setProxyField(p, 'lastSuccessAt', ctx.now)
      setProxyField(p, 'rateLimitStreak', 0)
      if decides then
        setProxyField(p, 'consecutiveFailures', 0)
        if p.circuit == 'half-open' then
          syncProxy(p)
          resetCircuit(ctx, lease.proxyId, 'probe_succeeded')
          syncProxy(p)
        end
      end
    elseif o.category == 'rate_limit' then
      -- A cooldown, not a failure: the circuit's failure count is left alone.
      rcall('HINCRBY', p.key, 'rateLimits', 1)
      local streak = (tonumber(p.rateLimitStreak) or 0) + 1
      setProxyField(p, 'rateLimitStreak', streak)
      restProxy(ctx, lease, o.retryAfterMs or cooldownMs(settings, streak - 1, o.random), p)
    else
      rcall('HINCRBY', p.key, 'fail:' .. o.category, 1)
      setProxyField(p, 'failures', (tonumber(p.failures) or 0) + 1)
      setProxyField(p, 'lastFailureAt', ctx.now)
      if lease.scope and o.category == 'blocked' then
        -- Blocked by one site: rest for that site, keep serving the others.
        restProxy(ctx, lease, o.retryAfterMs or cooldownMs(settings, 0, o.random), p)
      elseif decides then
        local failures = (tonumber(p.consecutiveFailures) or 0) + 1
        setProxyField(p, 'consecutiveFailures', failures)
        local circuit = p.circuit or 'closed'
        if circuit == 'half-open' or (circuit == 'closed' and failures >= settings.failureThreshold) then
          syncProxy(p)
          openCircuit(ctx, lease.proxyId, circuit == 'half-open' and 'probe_failed' or 'consecutive_failures', o.random)
          syncProxy(p)
        end
      end
    end
    storeRecordHealth(ctx, p)
    -- The verdict writes bench fields only (never one pending in `p`); then `p` is reloaded.
    local benchMoved = (p.bench or not o.ok)
      and applyBenchVerdict(ctx, lease, o, p, tonumber(p.healthScore), isProbe)
    if benchMoved then
      syncProxy(p)
    end
    if p.hadCooldown or benchMoved or p.circuit == 'open' or p.rateLimitedUntil then
      -- scheduleRecovery reads the hash: it must see this outcome.
      saveProxy(p)
      scheduleRecovery(ctx, lease.proxyId)
    end
    if not reindexLater then
      saveProxy(p)
      reindexProxy(ctx, p)
    end
  end

  if lease.sessionId then
    applySessionOutcome(ctx, lease, o)
  end
end

-- An hour, as the client's outcome schema: larger latencies would overflow HINCRBY's integers.
local MAX_LATENCY_MS = 3600000

-- Decode the outcome ARGV block written by the client's outcomeArgs.ts (the releaseLease and
-- recordResult headers list it).
local function readOutcome(argv, first)
  if argv[first] == '' then
    return nil
  end
  local function optional(i)
    local v = argv[first + i]
    if v == '' then
      return nil
    end
    return v
  end
  return {
    ok = argv[first] == '1',
    category = optional(1),
    statusCode = optional(2),
    -- Clamped, not refused: an outcome must never stop a release (the client bounds both).
    retryAfterMs = optional(3) and boundedMs(optional(3)),
    message = optional(4),
    latencyMs = optional(5) and math.max(0, math.min(tonumber(optional(5)) or 0, MAX_LATENCY_MS)),
    -- Sent as '=' .. data when present, so an empty blob can clear the session's data.
    sessionData = argv[first + 6] ~= '' and string.sub(argv[first + 6], 2) or nil,
    random = tonumber(argv[first + 7]) or 0,
  }
end
