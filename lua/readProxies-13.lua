--[[
  Read proxies with their health score computed now, after processing due cooldowns so a
  reader never sees a circuit that should already be half-open.

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
    ARGV[2] how many due cooldowns to process first, at most
    ARGV[3..n] proxy ids

  Output:
    { -1 } the pool does not exist
    { 1, now, { { proxyHashFlat, healthScore } or {} ... } } one entry per id, in order
]]
--- @include "includes/cooldowns"

local ctx = poolContext(KEYS, ARGV[1])
if not poolSettings(ctx) then
  return { -1 }
end
recoverDueCooldowns(ctx, tonumber(ARGV[2]))
local out = {}
for i = 3, #ARGV do
  local key = proxyKey(ctx, ARGV[i])
  if rcall('EXISTS', key) == 1 then
    out[#out + 1] = { rcall('HGETALL', key), string.format('%.6f', healthScore(key, ctx.now)) }
  else
    out[#out + 1] = {}
  end
end
return { 1, ctx.now, out }
