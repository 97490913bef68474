--- @include "includes/transitions"
--- @include "includes/proxyRecord"
--- @include "includes/leaseMember"

-- Scope keys outlive the last lease or rest that needs them by this much, then expire.
local SCOPE_KEY_GRACE_MS = 3600000

-- A lease record is one field of the pool's `leases` hash (no key, no TTL per lease: less
-- than half the memory), removed when the lease ends, whether released or reclaimed:
--   leaseId -> "acquiredAt|fencingToken|scope|sessionId|consumer"
-- (its expiry is its score in leaseDeadlines). The consumer goes last: it alone may hold '|'.
local function packLease(acquiredAt, token, scope, sessionId, consumer)
  return acquiredAt .. '|' .. token .. '|' .. (scope or '') .. '|' .. (sessionId or '') .. '|'
    .. consumer
end

local function scopeKey(ctx, scope, what)
  return ctx.prefix .. 'scope:' .. scope .. ':' .. what
end

-- Keep a key a lease (or a rest) needs alive until `untilMs` and a grace period after, then
-- let it expire by itself: scope keys, and a session's record under a lease. A missing key
-- is left missing.
local function keepKeyAlive(ctx, key, untilMs)
  local ttl = rcall('PTTL', key)
  local wanted = boundedMs(untilMs - ctx.now) + SCOPE_KEY_GRACE_MS
  if ttl ~= -2 and ttl < wanted then
    rcall('PEXPIRE', key, wanted)
  end
end

-- Take one unit of a proxy's capacity for a new lease and record the lease, and start the
-- pool's reuse delays: the proxy's own (out of every index until it ends, due in cooldowns
-- like a rest) and, under a scope, the scope's (a rest for that scope only).
-- lease = { id, proxyId, consumer, durationMs, scope?, sessionId?, record? (the proxy's
-- record, loaded for a lease) }; returns token, expiresAt.
local function takeLease(ctx, lease)
  local p = lease.record or loadProxy(ctx, lease.proxyId, true)
  local reuseDelayMs = boundedMs(poolSettings(ctx).reuseDelayMs)
  -- The pool's sequence is both the fencing token and the proxy's last-use position.
  local counters = rcall('HMGET', ctx.key, 'seq', 'stat:selections', 'leasedProxies')
  local token = (tonumber(counters[1]) or 0) + 1
  local active = (tonumber(p.activeLeases) or 0) + 1
  local poolUpdate = { 'HSET', ctx.key, 'seq', token, 'stat:selections', (tonumber(counters[2]) or 0) + 1 }
  if active == 1 then
    poolUpdate[#poolUpdate + 1] = 'leasedProxies'
    poolUpdate[#poolUpdate + 1] = (tonumber(counters[3]) or 0) + 1
  end
  rcall(unpack(poolUpdate))
  setProxyField(p, 'activeLeases', active)
  setProxyField(p, 'lastUsedSeq', token)
  setProxyField(p, 'lastLeasedAt', ctx.now)
  if p.circuit == 'half-open' or p.bench == 'probe' then
    setProxyField(p, 'probeLeaseId', lease.id)
  end
  setProxyField(p, 'usageCount', (tonumber(p.usageCount) or 0) + 1)
  if reuseDelayMs > 0 then
    setProxyField(p, 'reuseDelayUntil', ctx.now + reuseDelayMs)
  end
  saveProxy(p)
  reindexProxy(ctx, p)
  if reuseDelayMs > 0 then
    -- Leasable, it had no rest or open circuit due later than this.
    rcall('ZADD', ctx.cooldowns, p.reuseDelayUntil, p.id)
  end

  local expiresAt = ctx.now + lease.durationMs
  rcall('HSET', ctx.leases, lease.id,
    packLease(ctx.now, token, lease.scope, lease.sessionId, lease.consumer))
  if lease.scope then
    local loadKey = scopeKey(ctx, lease.scope, 'load')
    rcall('HINCRBY', loadKey, lease.proxyId, 1)
    keepKeyAlive(ctx, loadKey, expiresAt)
    local scopeDelayMs = boundedMs(poolSettings(ctx).scopeReuseDelayMs)
    if scopeDelayMs > 0 then
      -- The scope's rests (rate limits, blocks) hold it: the later end wins.
      local restKey = scopeKey(ctx, lease.scope, 'rest')
      rcall('ZADD', restKey, 'GT', ctx.now + scopeDelayMs, lease.proxyId)
      rcall('ZREMRANGEBYSCORE', restKey, '-inf', ctx.now)
      keepKeyAlive(ctx, restKey, ctx.now + scopeDelayMs)
    end
  end
  if lease.sessionId then
    local key = sessionKey(ctx, lease.sessionId)
    rcall('HSET', key, 'leaseId', lease.id, 'lastUsedAt', ctx.now)
    keepKeyAlive(ctx, key, expiresAt)
    rcall('ZREM', ctx.idleSessions, lease.sessionId)
  end
  rcall('ZADD', ctx.deadlines, expiresAt, leaseMember(lease.proxyId, lease.id))
  return token, expiresAt
end

-- The record of a lease, or nil. Fields: id, proxyId, consumer, acquiredAt, token (its
-- fencing token), scope, sessionId.
local function readLease(ctx, leaseId, proxyId)
  local packed = rcall('HGET', ctx.leases, leaseId)
  if not packed then
    return nil
  end
  local a, token, scope, sessionId, consumer = string.match(packed,
    '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|(.*)$')
  return { id = leaseId, proxyId = proxyId, consumer = consumer, acquiredAt = tonumber(a),
    token = tonumber(token), scope = scope ~= '' and scope or nil,
    sessionId = sessionId ~= '' and sessionId or nil }
end

-- The session bound to a proxy that holds this lease, or nil: for a lease whose record is
-- gone. A proxy has few sessions; they are walked SSCAN_COUNT at a time all the same.
local function sessionOfLease(ctx, proxyId, leaseId)
  local setKey, cursor = ctx.prefix .. 'proxySessions:' .. proxyId, '0'
  repeat
    local reply = rcall('SSCAN', setKey, cursor, 'COUNT', SSCAN_COUNT)
    cursor = reply[1]
    for _, candidate in ipairs(reply[2]) do
      if rcall('HGET', sessionKey(ctx, candidate), 'leaseId') == leaseId then
        return candidate
      end
    end
  until cursor == '0'
  return nil
end

-- End a lease (released or expired): give its capacity back exactly once. The caller has
-- already removed its deadline entry, which is what makes this happen once. `p` is the
-- proxy's record when the caller already loaded it.
local function endLease(ctx, proxyId, leaseId, lease, p)
  rcall('HDEL', ctx.leases, leaseId)
  if lease and lease.scope then
    local loadKey = scopeKey(ctx, lease.scope, 'load')
    if rcall('HINCRBY', loadKey, proxyId, -1) <= 0 then
      rcall('HDEL', loadKey, proxyId)
    end
  end
  local sessionId = lease and lease.sessionId
  if not lease then
    -- The lease record is gone (reclaimed long after its deadline): find its session, if
    -- any, among the few bound to the proxy.
    sessionId = sessionOfLease(ctx, proxyId, leaseId)
  end
  if sessionId then
    local key = sessionKey(ctx, sessionId)
    if rcall('HGET', key, 'leaseId') == leaseId then
      rcall('HDEL', key, 'leaseId')
      if rcall('HGET', key, 'status') == 'active' then
        rcall('ZADD', ctx.idleSessions, ctx.now, sessionId)
      end
    end
  end
  p = p or loadProxy(ctx, proxyId)
  if not p then
    return
  end
  local held = tonumber(p.activeLeases) or 0
  if held == 1 then
    rcall('HINCRBY', ctx.key, 'leasedProxies', -1)
  end
  -- Never below zero, even if a bug ever ended a lease twice.
  setProxyField(p, 'activeLeases', math.max(0, held - 1))
  if p.probeLeaseId == leaseId then
    -- A probe that ended without a verdict: the next caller may probe.
    clearProxyField(p, 'probeLeaseId')
  end
  saveProxy(p)
  local leasable, justAdded = reindexProxy(ctx, p)
  if leasable and not justAdded then
    -- Room on a proxy that was already available (below a cap > 1, or a scope cap).
    notifyCapacity(ctx)
  end
end

-- Reclaim at most `limit` leases whose deadline has passed; each is logged as lease_expired.
-- Bounded so that an acquire never pays for a backlog.
local function reclaimExpired(ctx, limit)
  local due = rcall('ZRANGE', ctx.deadlines, '-inf', ctx.now, 'BYSCORE', 'LIMIT', 0, limit)
  for _, member in ipairs(due) do
    local proxyId, leaseId = splitLeaseMember(member)
    local lease = readLease(ctx, leaseId, proxyId)
    rcall('ZREM', ctx.deadlines, member)
    rcall('HINCRBY', ctx.key, 'stat:leasesExpired', 1)
    logEntry(ctx, { type = 'lease_expired', proxyId = proxyId, leaseId = leaseId,
      consumer = lease and lease.consumer, sessionId = lease and lease.sessionId,
      scope = lease and lease.scope })
    endLease(ctx, proxyId, leaseId, lease)
  end
  return #due
end

-- Live pool counts, all O(1): { totalProxies, activeProxies, availableProxies,
-- leasedProxies, totalLeases, openCircuits, liveSessions }. Expired leases are never counted as live.
local function poolStats(ctx)
  local counters = rcall('HMGET', ctx.key, 'activeProxies', 'leasedProxies')
  return {
    rcall('ZCARD', ctx.available[1]) + rcall('ZCARD', ctx.unavailable),
    tonumber(counters[1]) or 0,
    rcall('ZCARD', ctx.available[1]),
    tonumber(counters[2]) or 0,
    rcall('ZCOUNT', ctx.deadlines, '(' .. ctx.now, '+inf'),
    tonumber(rcall('HGET', ctx.key, 'openCircuits')) or 0,
    rcall('ZCARD', ctx.sessions),
  }
end

local function poolStatsIf(ctx, wanted)
  if wanted then
    return poolStats(ctx)
  end
  return {}
end
