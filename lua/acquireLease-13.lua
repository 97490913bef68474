--[[
  Lease one proxy of a pool (optionally with a sticky session): reclaim a bounded batch of
  expired leases and due cooldowns, pick the best available proxy for the selector,
  filter and scope, take one unit of its capacity and record the lease with a server-time
  deadline and a fencing token. All in one atomic step.

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
    ARGV[2] lease id (unique, chosen by the client)
    ARGV[3] consumer
    ARGV[4] lease duration in ms (at most 30 days), or '' for the pool's leaseMs
    ARGV[5] selector, or '' for the pool's default
    ARGV[6] compiled filter JSON, then optionally '\n' and the comma-separated excluded proxy
            ids (see includes/pickProxy), or '' for none
    ARGV[7] how many expired leases / due cooldowns to process first, at most
    ARGV[8] '1' to append pool stats to the reply
    ARGV[9] scope (e.g. a domain), or ''
    ARGV[10] session mode: '' none, 'new' any usable session (or a new one), 'resume'
    ARGV[11] session id: for 'new' the id a created session gets; for 'resume' the one to resume
    ARGV[12] random number in [0, 1): weighted-random's draw, and ties between equal scores

  Output:
    { -1 } the pool does not exist
    { -6 } the session to resume does not exist
    { -7, reason } the session to resume is disabled
    { -9, field } the lease duration (ARGV[4], or the pool's leaseSeconds) is out of range;
                  checked before anything is written
    { 0, stats, retryInMs } no proxy (or no session) is available now; retryInMs = ms until
                  the first rest, reuse delay or cooldown of the pool (or of the scope) ends,
                  -1 when none: when a waiting caller may try again
    { 1, stats, leaseId, proxyId, fencingToken, acquiredAt, expiresAt, leasedProxy,
      { sessionId, sessionData } or {} }
    leasedProxy = { url, tags (comma-separated), label:country, label:city, label:region,
      label:source, label:isp, label:asn, moreLabels (JSON of the other labels, or nil) }
    stats = {} unless ARGV[8] is '1'; see includes/leases poolStats.
  Events: SPUBLISH on "<prefix>capacity" for every proxy that becomes leasable (reclaimed
  leases, recovered cooldowns).
]]
--- @include "includes/cooldowns"
--- @include "includes/sessions"

-- What a lease hands out: a fixed HMGET is much cheaper than HGETALL of the whole record.
local LEASED_PROXY_FIELDS = { 'url', 'tags', 'label:country', 'label:city', 'label:region',
  'label:source', 'label:isp', 'label:asn', 'moreLabels' }

local ctx = poolContext(KEYS, ARGV[1])
local settings = poolSettings(ctx)
if not settings then
  return { -1 }
end
local leaseId, consumer = ARGV[2], ARGV[3]
local wantStats = ARGV[8] == '1'
local batch = tonumber(ARGV[7])
local durationMs = ARGV[4] ~= '' and tonumber(ARGV[4]) or settings.leaseMs
if not durationInRange(durationMs) then
  return { -9, ARGV[4] ~= '' and 'durationSeconds' or 'leaseSeconds' }
end
reclaimExpired(ctx, batch)
recoverDueCooldowns(ctx, batch)

local scope = nil
if ARGV[9] ~= '' then
  scope = { restKey = scopeKey(ctx, ARGV[9], 'rest'), loadKey = scopeKey(ctx, ARGV[9], 'load'),
    cap = settings.scopeMaxConcurrency, now = ctx.now }
end
local filter = compileFilter(ARGV[6], scope)
local selector = ARGV[5] ~= '' and ARGV[5] or settings.selector
local INDEX_OF_SELECTOR = { ['first-available'] = 1, ['round-robin'] = 2, ['least-used'] = 3,
  healthiest = 4, ['lowest-latency'] = 5 }

local random = tonumber(ARGV[12]) or 0

-- Nothing to lease now. The first due time of the cooldowns index (and of the scope's rests)
-- tells a waiting caller when capacity may come back without anyone releasing: it retries
-- then, instead of polling.
local function noLease()
  local due = tonumber(rcall('ZRANGE', ctx.cooldowns, 0, 0, 'WITHSCORES')[2] or nil)
  if scope then
    local rest = tonumber(rcall('ZRANGE', scope.restKey, '(' .. ctx.now, '+inf', 'BYSCORE',
      'LIMIT', 0, 1, 'WITHSCORES')[2] or nil)
    if rest and (due == nil or rest < due) then
      due = rest
    end
  end
  return { 0, poolStatsIf(ctx, wantStats), due and math.max(0, due - ctx.now) or -1 }
end

local function pickBySelector()
  local byHealth = settings.healthIndexes and ctx.available[4] or nil
  if selector == 'weighted-random' then
    local sampled = pickWeightedRandom(ctx.prefix, ctx.available[1], byHealth, filter, random)
    -- An empty sample (a sparse filter) falls back to an exact search.
    return sampled or pickProxy(ctx.prefix, byHealth or ctx.available[2], filter, false, random)
  end
  local index = INDEX_OF_SELECTOR[selector] or 2
  if index >= 4 and not settings.healthIndexes then
    return pickBestOfSample(ctx.prefix, ctx.available[1], filter, index == 5, random)
      or pickProxy(ctx.prefix, ctx.available[2], filter, true, random)
  end
  -- Health and latency scores tie often (a fresh pool): ties are broken at random.
  return pickProxy(ctx.prefix, ctx.available[index], filter, index == 2 or index == 3, random,
    index >= 4)
end

-- A picked proxy and its record (nil when not loaded yet); stale picks (see
-- confirmLeasable) are dropped and the pick repeated, at most `batch` times per call.
local function pickLeasable()
  for _ = 1, math.max(1, batch) do
    local picked = pickBySelector()
    if not picked then
      return nil, nil
    end
    local leasable, p = confirmLeasable(ctx, picked)
    if leasable then
      return picked, p
    end
  end
  return nil, nil
end

local proxyId, sessionId, record = nil, nil, nil
if ARGV[10] == 'resume' then
  sessionId = ARGV[11]
  local f = rcall('HMGET', sessionKey(ctx, sessionId), 'status', 'proxyId', 'createdAt',
    'leaseId', 'disabledReason')
  if not f[1] then
    return { -6 }
  end
  if f[1] ~= 'active' then
    return { -7, f[5] or 'disabled' }
  end
  if retireIfTooOld(ctx, sessionId, tonumber(f[3])) then
    return { -7, 'max_age' }
  end
  local held = f[4] and rcall('ZSCORE', ctx.deadlines, leaseMember(f[2], f[4]))
  if (held and tonumber(held) > ctx.now) or not proxyUsableFor(ctx, f[2], filter) then
    return noLease()
  end
  proxyId = f[2]
elseif ARGV[10] == 'new' then
  pruneSessions(ctx, batch)
  local nextRank
  sessionId, proxyId, nextRank = pickIdleSession(ctx, filter, 0, false)
  if not sessionId and rcall('ZCARD', ctx.sessions) >= settings.maxSessions then
    -- Full: no new session may be made, so any usable idle session must be found.
    sessionId, proxyId = pickIdleSession(ctx, filter, nextRank, true)
    if not sessionId then
      return noLease()
    end
  elseif not sessionId then
    proxyId, record = pickLeasable()
    if proxyId then
      sessionId = ARGV[11]
      createSession(ctx, sessionId, proxyId)
    end
  end
else
  proxyId, record = pickLeasable()
end
if not proxyId then
  return noLease()
end

local token, expiresAt = takeLease(ctx, { id = leaseId, proxyId = proxyId, consumer = consumer,
  durationMs = durationMs, scope = scope and ARGV[9], sessionId = sessionId, record = record })
local session = {}
if sessionId then
  session = { sessionId, rcall('HGET', sessionKey(ctx, sessionId), 'data') or '' }
end
return { 1, poolStatsIf(ctx, wantStats), leaseId, proxyId, token, ctx.now, expiresAt,
  rcall('HMGET', proxyKey(ctx, proxyId), unpack(LEASED_PROXY_FIELDS)), session }
