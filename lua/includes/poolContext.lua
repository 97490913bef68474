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

-- Pool settings, read once per call; nil when the pool does not exist. Unrolled on purpose:
-- every call of every script reads them, and a loop over the names cost ~4 µs more.
local function poolSettings(ctx)
  if ctx.settings == nil then
    local v = rcall('HMGET', ctx.key, unpack(SETTING_NAMES))
    if not v[1] then
      return nil
    end
    ctx.settings = {
      leaseMs = tonumber(v[1]) or 0, selector = v[2], failureThreshold = tonumber(v[3]) or 0,
      cooldownBaseMs = tonumber(v[4]) or 0, cooldownMaxMs = tonumber(v[5]) or 0,
      cooldownJitter = v[6] == '1', disableAfterOpens = tonumber(v[7]) or 0,
      maxSessions = tonumber(v[8]) or 0, sessionMaxUsage = tonumber(v[9]) or 0,
      sessionMaxAgeMs = tonumber(v[10]) or 0, scopeMaxConcurrency = tonumber(v[11]) or 0,
      errorLogMaxLength = tonumber(v[12]) or 0, name = v[13], healthIndexes = v[14] == '1',
    }
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
