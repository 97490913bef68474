--[[
  Record an active health check's result for one proxy: it counts in the proxy's health like
  a lease's outcome, and decides at once. A success closes the circuit and takes the proxy off
  the bench (whatever its cooldown still had to run); a failure keeps it out as it is. The
  entries it logs are marked as probes (probe = 1): a failed probe is a failure entry, a
  passed one the transitions it caused.

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

    ARGV[1] key prefix of the pool
    ARGV[2] proxy id
    ARGV[3] '1' passed, '0' failed
    ARGV[4] error category (failed)     ARGV[5] HTTP status code ('' = none)
    ARGV[6] message ('' = none)         ARGV[7] latency ms ('' = none)

  Output:
    { -1 } the pool does not exist
    { -4 } the proxy is not in the pool
    { 1, decided } decided: 'closed' (back in rotation), 'kept_out', or 'disabled' (a
      disabled proxy's health counts, nothing else changes)
]]
--- @include "includes/proxyRecord"
--- @include "includes/transitions"

-- As readOutcome: an hour at most, so HINCRBY never overflows.
local MAX_LATENCY_MS = 3600000

local ctx = poolContext(KEYS, ARGV[1])
if not poolSettings(ctx) then
  return { -1 }
end
local proxyId, ok = ARGV[2], ARGV[3] == '1'
local p = loadProxy(ctx, proxyId)
if not p then
  return { -4 }
end
local latencyMs = ARGV[7] ~= '' and math.max(0, math.min(tonumber(ARGV[7]) or 0, MAX_LATENCY_MS)) or nil

setProxyField(p, 'requests', (tonumber(p.requests) or 0) + 1)
if ok then
  setProxyField(p, 'successes', (tonumber(p.successes) or 0) + 1)
  setProxyField(p, 'lastSuccessAt', ctx.now)
elseif ARGV[4] == 'rate_limit' then
  -- As with a lease: a rate limit is not a failure of the proxy (it still keeps it out).
  rcall('HINCRBY', p.key, 'rateLimits', 1)
  logEntry(ctx, { type = 'failure', proxyId = proxyId, consumer = 'health-check',
    category = ARGV[4], statusCode = ARGV[5], message = ARGV[6], latencyMs = latencyMs, probe = '1' })
else
  rcall('HINCRBY', p.key, 'fail:' .. ARGV[4], 1)
  setProxyField(p, 'failures', (tonumber(p.failures) or 0) + 1)
  setProxyField(p, 'lastFailureAt', ctx.now)
  logEntry(ctx, { type = 'failure', proxyId = proxyId, consumer = 'health-check',
    category = ARGV[4], statusCode = ARGV[5], message = ARGV[6], latencyMs = latencyMs, probe = '1' })
end
if latencyMs then
  rcall('HINCRBY', p.key, latencyBucketField(latencyMs), 1)
  setProxyField(p, 'latencySumMs', (tonumber(p.latencySumMs) or 0) + math.floor(latencyMs + 0.5))
  setProxyField(p, 'latencyCount', (tonumber(p.latencyCount) or 0) + 1)
end
rcall('HINCRBY', ctx.key, ok and 'stat:healthChecksPassed' or 'stat:healthChecksFailed', 1)
saveProxy(p)

local decided = 'kept_out'
if p.status ~= 'active' then
  decided = 'disabled'
elseif ok then
  if (p.circuit or 'closed') ~= 'closed' or p.bench then
    resetCircuit(ctx, proxyId, 'health_check_passed', true)
  end
  decided = 'closed'
end
storeHealthScore(p.key, ctx.now)
scheduleRecovery(ctx, proxyId)
refreshAvailability(ctx, proxyId)
return { 1, decided }
