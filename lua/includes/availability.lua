--- @include "includes/poolContext"

-- Tell waiting acquirers (acquireProxy with waitMs) that a unit of capacity appeared. The
-- channel shares the pool's hash tag; each message wakes one waiter per client process.
-- Sharded pub/sub (Redis 7): on a cluster the message stays on the shard that owns the
-- pool's slot instead of being broadcast over the cluster bus to every node.
local function notifyCapacity(ctx)
  rcall('SPUBLISH', ctx.prefix .. 'capacity', '1')
end

-- Keep the proxy's entry in the cooldowns index at its next due time: the end of an open
-- circuit's cooldown, of a rate-limit rest, of a reuse delay or of a bench rest, whichever
-- comes first. A disabled proxy has nothing to recover until a person re-enables it.
local function scheduleRecovery(ctx, proxyId)
  local f = rcall('HMGET', proxyKey(ctx, proxyId), 'circuit', 'cooldownUntil', 'rateLimitedUntil',
    'status', 'reuseDelayUntil', 'bench', 'benchedUntil')
  if f[4] ~= 'active' then
    rcall('ZREM', ctx.cooldowns, proxyId)
    return
  end
  local due = nil
  if f[1] == 'open' then
    due = tonumber(f[2])
  end
  local rest = tonumber(f[3])
  if rest and rest > 0 and (due == nil or rest < due) then
    due = rest
  end
  local delay = tonumber(f[5])
  if delay and delay > ctx.now and (due == nil or delay < due) then
    due = delay
  end
  local benchEnd = f[6] == 'benched' and tonumber(f[7])
  if benchEnd and (due == nil or benchEnd < due) then
    due = benchEnd
  end
  if due then
    rcall('ZADD', ctx.cooldowns, due, proxyId)
  else
    rcall('ZREM', ctx.cooldowns, proxyId)
  end
end
