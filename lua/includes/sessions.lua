--- @include "includes/leases"
--- @include "includes/pickProxy"

-- Sticky sessions: a cookie/data identity bound to one proxy. Keys: session:<id> (hash),
-- sessions (zset, live sessions by creation time), idleSessions (zset, live sessions with
-- no lease, by last use), proxySessions:<proxyId> (set).

-- Idle sessions are looked at this many per call (one ZRANGE); see pickIdleSession.
local IDLE_SESSION_CHUNK = 32

-- Retire a session past its age limit; true when it was retired.
local function retireIfTooOld(ctx, sessionId, createdAt)
  local settings = poolSettings(ctx)
  if createdAt + settings.sessionMaxAgeMs <= ctx.now then
    disableSession(ctx, sessionId, 'max_age')
    return true
  end
  return false
end

-- A proxy that can take a lease for this session now (available, and the filter/scope
-- agree); proxyMatches is skipped when there is no filter at all.
local function proxyUsableFor(ctx, proxyId, filter)
  if not rcall('ZSCORE', ctx.available[1], proxyId) or not confirmLeasable(ctx, proxyId) then
    return false
  end
  return filter == nil or proxyMatches(ctx.prefix, proxyId, filter)
end

-- The least recently used idle session, from rank `from` of idleSessions on, whose proxy can
-- be leased now (and matches the filter); or nil and the rank to go on from. One chunk of
-- IDLE_SESSION_CHUNK, or with `exhaustive` every idle session, a chunk per call: the caller
-- walks further only when the pool is full and nothing else can serve (a filter that only a
-- recently used session matches), so an ordinary acquire stays O(chunk).
local function pickIdleSession(ctx, filter, from, exhaustive)
  local start = from
  repeat
    local candidates = rcall('ZRANGE', ctx.idleSessions, start, start + IDLE_SESSION_CHUNK - 1)
    -- Sessions dropped from idleSessions below shift the ranks after them.
    local dropped = 0
    for _, sessionId in ipairs(candidates) do
      local f = rcall('HMGET', sessionKey(ctx, sessionId), 'proxyId', 'createdAt', 'status')
      if not f[3] then
        -- The record expired: nothing is left of this session.
        rcall('ZREM', ctx.idleSessions, sessionId)
        rcall('ZREM', ctx.sessions, sessionId)
        dropped = dropped + 1
      elseif f[3] ~= 'active' then
        rcall('ZREM', ctx.idleSessions, sessionId)
        dropped = dropped + 1
      elseif retireIfTooOld(ctx, sessionId, tonumber(f[2])) then
        dropped = dropped + 1
      elseif proxyUsableFor(ctx, f[1], filter) then
        return sessionId, f[1]
      end
    end
    start = start + #candidates - dropped
  until not exhaustive or #candidates < IDLE_SESSION_CHUNK
  return nil, nil, start
end

-- Retire sessions past their age and forget those whose record expired, oldest first,
-- stopping at the first one still young: cost is bounded by what is actually due.
local function pruneSessions(ctx, limit)
  local settings = poolSettings(ctx)
  local oldest = rcall('ZRANGE', ctx.sessions, 0, limit - 1, 'WITHSCORES')
  for i = 1, #oldest, 2 do
    local sessionId, createdAt = oldest[i], tonumber(oldest[i + 1])
    if createdAt + settings.sessionMaxAgeMs > ctx.now then
      return
    end
    if rcall('EXISTS', sessionKey(ctx, sessionId)) == 0 then
      rcall('ZREM', ctx.sessions, sessionId)
      rcall('ZREM', ctx.idleSessions, sessionId)
    else
      disableSession(ctx, sessionId, 'max_age')
    end
  end
end

local function createSession(ctx, sessionId, proxyId)
  local settings = poolSettings(ctx)
  local key = sessionKey(ctx, sessionId)
  rcall('HSET', key, 'id', sessionId, 'proxyId', proxyId, 'status', 'active',
    'createdAt', ctx.now, 'lastUsedAt', ctx.now, 'usageCount', 0, 'consecutiveFailures', 0,
    'data', '')
  rcall('PEXPIRE', key, boundedMs(settings.sessionMaxAgeMs) + SESSION_RECORD_TTL_MS)
  rcall('ZADD', ctx.sessions, ctx.now, sessionId)
  rcall('SADD', ctx.prefix .. 'proxySessions:' .. proxyId, sessionId)
end
