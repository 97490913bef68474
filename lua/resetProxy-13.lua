--[[
  Clear a proxy's health (counters, latency, streaks) and close its circuit. Its status,
  labels, leases and sessions are kept. Logged.

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
    ARGV[3] reason

  Output:
    { 1 }  reset
    { -1 } the pool does not exist
    { -4 } the proxy is not in the pool
]]
--- @include "includes/transitions"

local HEALTH_COUNTERS = { 'requests', 'successes', 'failures', 'rateLimits', 'latencySumMs',
  'latencyCount', 'lastSuccessAt', 'lastFailureAt' }

local ctx = poolContext(KEYS, ARGV[1])
if not poolSettings(ctx) then
  return { -1 }
end
local proxyId = ARGV[2]
local key = proxyKey(ctx, proxyId)
if rcall('EXISTS', key) == 0 then
  return { -4 }
end
local fields = rcall('HKEYS', key)
for _, field in ipairs(fields) do
  if string.sub(field, 1, 4) == 'lat:' or string.sub(field, 1, 5) == 'fail:' then
    rcall('HDEL', key, field)
  end
end
rcall('HDEL', key, unpack(HEALTH_COUNTERS))
resetCircuit(ctx, proxyId, ARGV[3])
logTransition(ctx, 'proxy', proxyId, nil, 'health', 'reset', ARGV[3])
storeHealthScore(key, ctx.now)
scheduleRecovery(ctx, proxyId)
refreshAvailability(ctx, proxyId)
return { 1 }
