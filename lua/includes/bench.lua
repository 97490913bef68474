--- @include "includes/transitions"

-- Benching (pool setting minHealthScore, seed 003's min_health_score): a proxy whose health
-- score after a failure is below the minimum rests for the pool's cooldown, then serves ONE
-- probe lease (or passes an active health check) before it is back, like a half-open circuit.
-- Proxy hash fields:
--   bench          'benched' (resting, not leasable) | 'probe' (one probe lease) | absent
--   benchedUntil   server ms the rest ends (while 'benched')
--   benchReason    why it was benched
--   benches        benchings in a row: the rest doubles with each, reset when it comes back
--   benchedSeq     the pool's sequence at the last bench change: a lease granted before it
--                  (fencing token not above it) never moves the bench (resilience4j's verdicts)
-- Transitions are logged as from/to among 'in_rotation', 'benched', 'bench_probe'
-- (unbenchProxy lives in includes/transitions: a reset or re-enable takes a proxy off the bench).

-- The pool's minHealthScore (0 = off), read once per call and only on the paths that need it.
local function minHealthScore(ctx)
  if ctx.minHealthScore == nil then
    ctx.minHealthScore = tonumber(rcall('HGET', ctx.key, 'minHealthScore')) or 0
  end
  return ctx.minHealthScore
end

-- Bench (or bench again) for the doubled cooldown. Writes the hash; the caller re-indexes.
local function benchProxy(ctx, proxyId, reason, random, probe)
  local key = proxyKey(ctx, proxyId)
  local from = rcall('HGET', key, 'bench')
  local benches = rcall('HINCRBY', key, 'benches', 1)
  local ms = cooldownMs(poolSettings(ctx), benches - 1, random)
  rcall('HSET', key, 'bench', 'benched', 'benchedUntil', ctx.now + ms, 'benchReason', reason,
    'benchedSeq', poolSeq(ctx))
  if from == 'probe' and rcall('HGET', key, 'circuit') ~= 'half-open' then
    rcall('HDEL', key, 'probeLeaseId')
  end
  logEntry(ctx, { type = 'transition', subject = 'proxy', proxyId = proxyId,
    from = BENCH_LOG_STATE[from] or 'in_rotation', to = 'benched', reason = reason,
    probe = probe and '1' or nil })
end

-- A benched proxy whose rest is over awaits its probe (called by recoverDueCooldowns).
-- Returns whether it moved.
local function endBenchRest(ctx, proxyId)
  local key = proxyKey(ctx, proxyId)
  local f = rcall('HMGET', key, 'bench', 'benchedUntil')
  if f[1] ~= 'benched' or (tonumber(f[2]) or 0) > ctx.now then
    return false
  end
  rcall('HSET', key, 'bench', 'probe')
  rcall('HDEL', key, 'benchedUntil')
  logTransition(ctx, 'proxy', proxyId, nil, 'benched', 'bench_probe', 'bench_elapsed')
  return true
end

-- The bench's verdict on a lease's outcome (after the health counters and the circuit took
-- it; `p` is the proxy's record, `score` its new health score, `isProbe` whether the lease was
-- the probe when the outcome came, before the circuit took it). Only the probe lease decides
-- a probing proxy; nothing moves a resting one; otherwise a failure of a lease granted after
-- the last bench change benches the proxy when its score is below the minimum.
-- Returns whether the hash was written (the caller then syncs and re-indexes).
local function applyBenchVerdict(ctx, lease, o, p, score, isProbe)
  if o.category == 'rate_limit' then
    return false
  end
  if p.bench == 'probe' then
    if not isProbe then
      return false
    end
    if o.ok then
      unbenchProxy(ctx, lease.proxyId, 'probe_succeeded')
    else
      benchProxy(ctx, lease.proxyId, 'probe_failed', o.random)
    end
    return true
  end
  if p.bench or o.ok or p.status ~= 'active' then
    return false
  end
  local minimum = minHealthScore(ctx)
  if minimum <= 0 or score >= minimum then
    return false
  end
  local fence = tonumber(rcall('HGET', p.key, 'benchedSeq')) or -1
  if (lease.token or 0) <= fence then
    return false
  end
  benchProxy(ctx, lease.proxyId, 'health_below_minimum', o.random)
  return true
end
