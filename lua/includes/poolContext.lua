--- @include "includes/nowMs"

-- Every pool script (but upsertPool and extendLease) takes the same KEYS in the same order,
-- documented in each header. The context gathers them with the pool's key prefix (from
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

local SETTING_NAMES = { 'leaseMs', 'selector', 'failureThreshold', 'cooldownBaseMs',
  'cooldownMaxMs', 'cooldownJitter', 'disableAfterOpens', 'maxSessions', 'sessionMaxUsage',
  'sessionMaxAgeMs', 'scopeMaxConcurrency', 'errorLogMaxLength', 'name', 'healthIndexes' }

-- Pool settings, read once per call; nil when the pool does not exist.
local function poolSettings(ctx)
  if ctx.settings == nil then
    local values = rcall('HMGET', ctx.key, unpack(SETTING_NAMES))
    if not values[1] then
      return nil
    end
    local s = {}
    for i, name in ipairs(SETTING_NAMES) do
      s[name] = values[i]
    end
    for _, name in ipairs({ 'leaseMs', 'failureThreshold', 'cooldownBaseMs', 'cooldownMaxMs',
        'disableAfterOpens', 'maxSessions', 'sessionMaxUsage', 'sessionMaxAgeMs',
        'scopeMaxConcurrency', 'errorLogMaxLength' }) do
      s[name] = tonumber(s[name]) or 0
    end
    s.cooldownJitter = s.cooldownJitter == '1'
    s.healthIndexes = s.healthIndexes == '1'
    ctx.settings = s
  end
  return ctx.settings
end

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
  return (settings and settings.healthIndexes) and 5 or 3
end
