--- @include "includes/leases"

-- Outcomes of requests made through a lease, applied atomically: health counters, the
-- shared circuit breaker, rate-limit rests (global or per scope), the session's fate, and
-- an error-log entry for every failure.
--
-- o = { ok, category, statusCode, retryAfterMs, message, latencyMs, sessionData, random }

-- Rest a proxy after a rate limit (or a block under a scope): for the lease's scope only
-- when it has one, otherwise for everyone.
local function restProxy(ctx, lease, ms)
  local untilMs = ctx.now + ms
  if lease.scope then
    local restKey = scopeKey(ctx, lease.scope, 'rest')
    local current = tonumber(rcall('ZSCORE', restKey, lease.proxyId)) or 0
    if untilMs > current then
      rcall('ZADD', restKey, untilMs, lease.proxyId)
    end
    rcall('ZREMRANGEBYSCORE', restKey, '-inf', ctx.now)
    touchScopeKey(ctx, restKey, untilMs)
    return
  end
  local key = proxyKey(ctx, lease.proxyId)
  local current = tonumber(rcall('HGET', key, 'rateLimitedUntil')) or 0
  if untilMs > current then
    rcall('HSET', key, 'rateLimitedUntil', untilMs)
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

-- `refreshLater`: the caller refreshes the proxy's availability itself (release does, in
-- endLease), so the five index updates happen once.
local function applyOutcome(ctx, lease, o, refreshLater)
  local settings = poolSettings(ctx)
  local key = proxyKey(ctx, lease.proxyId)
  local proxyExists = rcall('EXISTS', key) == 1

  -- Pool-wide totals (monotonic counters) that every metrics reader sees alike.
  if o.ok then
    rcall('HINCRBY', ctx.key, 'stat:successes', 1)
  else
    rcall('HINCRBY', ctx.key, 'stat:failures:' .. o.category, 1)
  end
  if o.latencyMs then
    rcall('HINCRBY', ctx.key, 'stat:latencySumMs', math.floor(o.latencyMs + 0.5))
    rcall('HINCRBY', ctx.key, 'stat:latencyCount', 1)
    rcall('HINCRBY', ctx.key, 'stat:' .. latencyBucketField(o.latencyMs), 1)
  end

  if not o.ok then
    logEntry(ctx, { type = 'failure', proxyId = lease.proxyId, sessionId = lease.sessionId,
      leaseId = lease.id, consumer = lease.consumer, category = o.category,
      statusCode = o.statusCode, message = o.message, latencyMs = o.latencyMs,
      scope = lease.scope })
  end

  if proxyExists then
    rcall('HINCRBY', key, 'requests', 1)
    if o.latencyMs then
      rcall('HINCRBY', key, 'latencySumMs', math.floor(o.latencyMs + 0.5))
      rcall('HINCRBY', key, 'latencyCount', 1)
      rcall('HINCRBY', key, latencyBucketField(o.latencyMs), 1)
    end
    if o.ok then
      rcall('HINCRBY', key, 'successes', 1)
      rcall('HSET', key, 'lastSuccessAt', ctx.now, 'consecutiveFailures', 0, 'rateLimitStreak', 0)
      local circuit = rcall('HGET', key, 'circuit')
      if circuit == 'half-open' or circuit == 'open' then
        resetCircuit(ctx, lease.proxyId, 'probe_succeeded')
      end
    elseif o.category == 'rate_limit' then
      -- A cooldown, not a failure: the circuit's failure count is left alone.
      rcall('HINCRBY', key, 'rateLimits', 1)
      local streak = rcall('HINCRBY', key, 'rateLimitStreak', 1)
      restProxy(ctx, lease, o.retryAfterMs or cooldownMs(settings, streak - 1, o.random))
    else
      rcall('HINCRBY', key, 'failures', 1)
      rcall('HINCRBY', key, 'fail:' .. o.category, 1)
      rcall('HSET', key, 'lastFailureAt', ctx.now)
      if lease.scope and o.category == 'blocked' then
        -- Blocked by one site: rest for that site, keep serving the others.
        restProxy(ctx, lease, o.retryAfterMs or cooldownMs(settings, 0, o.random))
      else
        local failures = rcall('HINCRBY', key, 'consecutiveFailures', 1)
        local circuit = rcall('HGET', key, 'circuit') or 'closed'
        if circuit == 'half-open' then
          openCircuit(ctx, lease.proxyId, 'probe_failed', o.random)
        elseif circuit == 'closed' and failures >= settings.failureThreshold then
          openCircuit(ctx, lease.proxyId, 'consecutive_failures', o.random)
        end
      end
    end
    storeHealthScore(key, ctx.now)
    scheduleRecovery(ctx, lease.proxyId)
    if not refreshLater then
      refreshAvailability(ctx, lease.proxyId)
    end
  end

  if lease.sessionId then
    applySessionOutcome(ctx, lease, o)
  end
end

-- Decode the outcome ARGV block written by the TypeScript client (see releaseLease-12.lua).
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
    retryAfterMs = tonumber(optional(3)),
    message = optional(4),
    latencyMs = tonumber(optional(5)),
    sessionData = optional(6),
    random = tonumber(argv[first + 7]) or 0,
  }
end
