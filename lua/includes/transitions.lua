--- @include "includes/poolContext"
--- @include "includes/errorLog"
--- @include "includes/health"
--- @include "includes/proxyRecord"

-- State changes of proxies and sessions. Each one is logged with its reason.

-- Retire a session: disabled for good, out of every index; the record stays a day so a
-- resume attempt can be told why.
local SESSION_RECORD_TTL_MS = 86400000

local function disableSession(ctx, sessionId, reason)
  local key = sessionKey(ctx, sessionId)
  local f = rcall('HMGET', key, 'status', 'proxyId')
  if f[1] ~= 'active' then
    return false
  end
  rcall('HSET', key, 'status', 'disabled', 'disabledReason', reason, 'disabledAt', ctx.now)
  rcall('ZREM', ctx.sessions, sessionId)
  rcall('ZREM', ctx.idleSessions, sessionId)
  if f[2] then
    rcall('SREM', ctx.prefix .. 'proxySessions:' .. f[2], sessionId)
  end
  rcall('PEXPIRE', key, SESSION_RECORD_TTL_MS)
  logTransition(ctx, 'session', f[2], sessionId, 'active', 'disabled', reason)
  return true
end

-- Retire every session bound to a proxy (it is disabled or removed), SSCAN_COUNT at a time.
local function disableSessionsOf(ctx, proxyId, reason)
  local setKey, cursor = ctx.prefix .. 'proxySessions:' .. proxyId, '0'
  repeat
    local reply = rcall('SSCAN', setKey, cursor, 'COUNT', SSCAN_COUNT)
    cursor = reply[1]
    for _, sessionId in ipairs(reply[2]) do
      disableSession(ctx, sessionId, reason)
    end
  until cursor == '0'
end

local function enableSession(ctx, sessionId, reason)
  local key = sessionKey(ctx, sessionId)
  local f = rcall('HMGET', key, 'status', 'proxyId', 'createdAt', 'leaseId')
  if f[1] ~= 'disabled' then
    return false
  end
  local settings = poolSettings(ctx)
  rcall('HSET', key, 'status', 'active', 'consecutiveFailures', 0)
  rcall('HDEL', key, 'disabledReason', 'disabledAt')
  rcall('ZADD', ctx.sessions, f[3], sessionId)
  if not f[4] then
    rcall('ZADD', ctx.idleSessions, ctx.now, sessionId)
  end
  rcall('SADD', ctx.prefix .. 'proxySessions:' .. f[2], sessionId)
  rcall('PEXPIRE', key, boundedMs(math.max(1, tonumber(f[3]) + settings.sessionMaxAgeMs - ctx.now))
    + SESSION_RECORD_TTL_MS)
  logTransition(ctx, 'session', f[2], sessionId, 'disabled', 'active', reason)
  return true
end

local function setCircuit(ctx, proxyId, to, reason, probe)
  local key = proxyKey(ctx, proxyId)
  local from = rcall('HGET', key, 'circuit') or 'closed'
  if from == to then
    return
  end
  rcall('HSET', key, 'circuit', to)
  -- The pool keeps a live count of open circuits for its stats.
  if to == 'open' then
    rcall('HINCRBY', ctx.key, 'openCircuits', 1)
  elseif from == 'open' then
    rcall('HINCRBY', ctx.key, 'openCircuits', -1)
  end
  logTransition(ctx, 'proxy', proxyId, nil, from, to, reason, probe)
end

-- Bench states as the error log names them (see includes/bench.lua).
local BENCH_LOG_STATE = { benched = 'benched', probe = 'bench_probe' }

local function poolSeq(ctx)
  return tonumber(rcall('HGET', ctx.key, 'seq')) or 0
end

-- Off the bench, back in rotation (logged; `probe`: decided by an active health check). The
-- pool's sequence now fences off the outcomes of leases granted before. The caller re-indexes.
local function unbenchProxy(ctx, proxyId, reason, probe)
  local key = proxyKey(ctx, proxyId)
  local from = rcall('HGET', key, 'bench')
  if not from then
    return
  end
  if from == 'probe' and rcall('HGET', key, 'circuit') ~= 'half-open' then
    rcall('HDEL', key, 'probeLeaseId')
  end
  rcall('HDEL', key, 'bench', 'benchedUntil', 'benchReason', 'benches')
  rcall('HSET', key, 'benchedSeq', poolSeq(ctx))
  logEntry(ctx, { type = 'transition', subject = 'proxy', proxyId = proxyId,
    from = BENCH_LOG_STATE[from], to = 'in_rotation', reason = reason, probe = probe and '1' or nil })
end

-- A fresh start: circuit closed, failure and rate-limit streaks cleared, off the bench.
local function resetCircuit(ctx, proxyId, reason, probe)
  local key = proxyKey(ctx, proxyId)
  setCircuit(ctx, proxyId, 'closed', reason, probe)
  rcall('HSET', key, 'consecutiveFailures', 0, 'opens', 0, 'rateLimitStreak', 0)
  rcall('HDEL', key, 'cooldownUntil', 'rateLimitedUntil', 'probeLeaseId')
  unbenchProxy(ctx, proxyId, reason, probe)
end

-- Operator-level status. Disabling retires the proxy's sessions with it; re-enabling (only
-- ever by a transition) starts it afresh with a closed circuit.
local function setProxyStatus(ctx, proxyId, status, reason)
  local key = proxyKey(ctx, proxyId)
  local current = rcall('HGET', key, 'status')
  if not current then
    return false
  end
  if current == status then
    return false
  end
  rcall('HSET', key, 'status', status)
  if status == 'disabled' then
    rcall('HINCRBY', ctx.key, 'activeProxies', -1)
    disableSessionsOf(ctx, proxyId, 'proxy_disabled')
  else
    rcall('HINCRBY', ctx.key, 'activeProxies', 1)
  end
  logTransition(ctx, 'proxy', proxyId, nil, current, status, reason)
  if status == 'active' then
    resetCircuit(ctx, proxyId, reason)
  end
  storeHealthScore(key, ctx.now)
  scheduleRecovery(ctx, proxyId)
  refreshAvailability(ctx, proxyId)
  return true
end

-- Cooldown before a retry: base * 2^n, capped, with full jitter when the pool enables it.
-- `random` in [0, 1) comes from the caller, so the script stays deterministic.
local function cooldownMs(settings, n, random)
  local ms = boundedMs(math.min(settings.cooldownBaseMs * (2 ^ n), settings.cooldownMaxMs))
  if settings.cooldownJitter then
    ms = ms * random
  end
  return math.max(1, math.floor(ms))
end

-- Open the circuit for the doubled cooldown; maybe disable the proxy for good.
local function openCircuit(ctx, proxyId, reason, random)
  local settings = poolSettings(ctx)
  local key = proxyKey(ctx, proxyId)
  local opens = rcall('HINCRBY', key, 'opens', 1)
  rcall('HINCRBY', ctx.key, 'stat:circuitOpens', 1)
  local ms = cooldownMs(settings, opens - 1, random)
  -- The pool's sequence now: every lease granted before this opening has a fencing token no
  -- greater than it (see circuitVerdictOf).
  rcall('HSET', key, 'cooldownUntil', ctx.now + ms,
    'circuitOpenedSeq', tonumber(rcall('HGET', ctx.key, 'seq')) or 0)
  rcall('HDEL', key, 'probeLeaseId')
  setCircuit(ctx, proxyId, 'open', reason)
  if settings.disableAfterOpens > 0 and opens >= settings.disableAfterOpens then
    setProxyStatus(ctx, proxyId, 'disabled', 'circuit_opened_' .. opens .. '_times')
  end
end
