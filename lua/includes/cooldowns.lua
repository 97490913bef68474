--- @include "includes/bench"

-- Bring back at most `limit` proxies whose cooldown is due: an open circuit becomes
-- half-open (one probe), a finished rate-limit rest or reuse delay is lifted, a benched proxy
-- whose rest is over awaits its probe lease. Run lazily inside acquire and by the worker, so
-- idle pools recover too.
local function recoverDueCooldowns(ctx, limit)
  local due = rcall('ZRANGE', ctx.cooldowns, '-inf', ctx.now, 'BYSCORE', 'LIMIT', 0, limit)
  for _, proxyId in ipairs(due) do
    local key = proxyKey(ctx, proxyId)
    local f = rcall('HMGET', key, 'circuit', 'cooldownUntil', 'rateLimitedUntil', 'status',
      'reuseDelayUntil')
    if f[4] ~= 'active' then
      rcall('ZREM', ctx.cooldowns, proxyId)
    else
      if f[1] == 'open' and (tonumber(f[2]) or 0) <= ctx.now then
        rcall('HDEL', key, 'cooldownUntil')
        setCircuit(ctx, proxyId, 'half-open', 'cooldown_elapsed')
        storeHealthScore(key, ctx.now)
      end
      if f[3] and tonumber(f[3]) <= ctx.now then
        rcall('HDEL', key, 'rateLimitedUntil')
      end
      if f[5] and tonumber(f[5]) <= ctx.now then
        rcall('HDEL', key, 'reuseDelayUntil')
      end
      endBenchRest(ctx, proxyId)
      scheduleRecovery(ctx, proxyId)
      refreshAvailability(ctx, proxyId)
    end
  end
  return #due
end
