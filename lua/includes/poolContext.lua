--- @include "includes/nowMs"

-- Every pool script (but upsertPool, buildHealthIndexes and extendLease) takes the same KEYS
-- in the same order, documented in each header. The context gathers them with the pool's key prefix (from
-- which per-proxy, per-lease, per-session and per-scope keys are derived; all share the
-- pool's hash tag) and the server time of this call.
local function poolContext(keys, prefix)
  return {
    key = keys[1],
    -- Every proxy is in exactly one of `unavailable` and available[1] (byOrder), both
    -- scored by insertion order: together they list the pool, at one entry per proxy.
    unavailable = keys[2],
    -- byOrder, byLastUse, byLoad, byHealth, byLatency: the same members, five orders.
    available = { keys[3], keys[4], keys[5], keys[6], keys[7] },
    deadlines = keys[8],
    cooldowns = keys[9],
    errorLog = keys[10],
    sessions = keys[11],
    idleSessions = keys[12],
    leases = keys[13],
    prefix = prefix,
    now = nowMs(),
  }
end

-- Every call reads the first five; the rest only the paths that need them (failures,
-- sessions, scopes, the error log), on first use: each field read costs ~0.2 µs.
local HOT_SETTING_NAMES = { 'leaseMs', 'selector', 'healthIndexes', 'reuseDelayMs',
  'defaultMaxConcurrency' }
local OTHER_SETTING_NAMES = { 'failureThreshold', 'cooldownBaseMs', 'cooldownMaxMs',
  'cooldownJitter', 'disableAfterOpens', 'maxSessions', 'sessionMaxUsage', 'sessionMaxAgeMs',
  'scopeMaxConcurrency', 'errorLogMaxLength', 'name', 'scopeReuseDelayMs' }

local function loadOtherSettings(ctx, s)
  local v = rcall('HMGET', ctx.key, unpack(OTHER_SETTING_NAMES))
  s.failureThreshold = tonumber(v[1]) or 0
  s.cooldownBaseMs = tonumber(v[2]) or 0
  s.cooldownMaxMs = tonumber(v[3]) or 0
  s.cooldownJitter = v[4] == '1'
  s.disableAfterOpens = tonumber(v[5]) or 0
  s.maxSessions = tonumber(v[6]) or 0
  s.sessionMaxUsage = tonumber(v[7]) or 0
  s.sessionMaxAgeMs = tonumber(v[8]) or 0
  s.scopeMaxConcurrency = tonumber(v[9]) or 0
  s.errorLogMaxLength = tonumber(v[10]) or 0
  s.name = v[11]
  s.scopeReuseDelayMs = tonumber(v[12]) or 0
  setmetatable(s, nil)
end

-- Pool settings, read once per call; nil when the pool does not exist. The hot five are
-- read now; reading any other loads the rest (a metatable's __index), once.
local function poolSettings(ctx)
  if ctx.settings == nil then
    local v = rcall('HMGET', ctx.key, unpack(HOT_SETTING_NAMES))
    if not v[1] then
      return nil
    end
    ctx.settings = setmetatable(
      -- While upsertPool's batches build the health indexes ('building'), scripts keep them
      -- current but the selectors do not use them yet.
      { leaseMs = tonumber(v[1]) or 0, selector = v[2], healthIndexes = v[3] == '1',
        keepsHealthIndexes = v[3] == '1' or v[3] == 'building',
        -- 0: no reuse delay, no default cap.
        reuseDelayMs = tonumber(v[4]) or 0, defaultMaxConcurrency = tonumber(v[5]) or 0 },
      { __index = function(s, name)
        loadOtherSettings(ctx, s)
        return rawget(s, name)
      end })
  end
  return ctx.settings
end

-- Durations, cooldowns and ages are at most 30 days (LIMITS.maxSeconds in core). The client
-- validates its inputs; scripts check a caller's duration before their first write (failure
-- -9, nothing written) and clamp what they derive from stored settings, so no PEXPIRE can
-- fail half-way (Lua writes numbers from 1e14 up with an exponent, which Redis refuses as a
-- TTL).
local MAX_DURATION_MS = 2592000000

local function durationInRange(ms)
  return ms ~= nil and ms == ms and ms > 0 and ms <= MAX_DURATION_MS
end

local function boundedMs(ms)
  return math.max(0, math.min(tonumber(ms) or 0, MAX_DURATION_MS))
end

-- Sets that may be large are walked with SSCAN, this many a call: no reply, and no Lua
-- table, grows with the set.
local SSCAN_COUNT = 500

local function proxyKey(ctx, proxyId)
  return ctx.prefix .. 'proxy:' .. proxyId
end

local function sessionKey(ctx, sessionId)
  return ctx.prefix .. 'session:' .. sessionId
end

-- How many of the five "available" indexes the pool keeps: byHealth and byLatency only when
-- its healthIndexes setting is on (they cost ~260 B per proxy).
local function indexCount(ctx)
  local settings = poolSettings(ctx)
  return (settings and settings.keepsHealthIndexes) and 5 or 3
end
