--[[
  Record the outcome of a request made through a live lease, without releasing it (for
  long leases that make many requests).

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
    ARGV[3] lease id
    ARGV[4] outcome: '' none (nothing is recorded, as release without one), '1' ok, '0' failure
    ARGV[5] error category            ARGV[6] HTTP status code
    ARGV[7] retryAfterMs              ARGV[8] message
    ARGV[9] latencyMs                 ARGV[10] new session data
    ARGV[11] random number in [0, 1) for cooldown jitter ('' = none)

  Output:
    { 1 }   recorded
    { -1 }  the pool does not exist
    { -2 }  unknown or already released
    { -3 }  the lease has expired
]]
--- @include "includes/outcomes"

local ctx = poolContext(KEYS, ARGV[1])
local proxyId, leaseId = ARGV[2], ARGV[3]
if not poolSettings(ctx) then
  return { -1 }
end
local deadline = rcall('ZSCORE', ctx.deadlines, leaseMember(proxyId, leaseId))
if not deadline then
  return { -2 }
end
if tonumber(deadline) <= ctx.now then
  return { -3 }
end
local outcome = readOutcome(ARGV, 4)
if outcome then
  local lease = readLease(ctx, leaseId, proxyId) or { id = leaseId, proxyId = proxyId }
  applyOutcome(ctx, lease, outcome, loadProxy(ctx, proxyId), false)
end
return { 1 }
