--[[
  Release a lease, optionally with the outcome of its last request, in one step. Safe to
  repeat: only the call that removes the deadline entry gives capacity back, so a double
  release decrements once (and a repeated outcome is not counted twice).

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
    ARGV[4] '1' to append pool stats to the reply
    ARGV[5] outcome: '' none, '1' ok, '0' failure
    ARGV[6] error category            ARGV[7] HTTP status code
    ARGV[8] retryAfterMs              ARGV[9] message
    ARGV[10] latencyMs                 ARGV[11] new session data
    ARGV[12] random number in [0, 1) for cooldown jitter ('' = none)

  Output:
    { 1, stats, heldMs }       released
    { 0, stats, 'not_found' }  unknown or already released (an outcome is ignored)
    { 0, stats, 'expired' }    the deadline had passed: its capacity is reclaimed now and
                               the outcome still counts for the proxy's health
]]
--- @include "includes/outcomes"

local ctx = poolContext(KEYS, ARGV[1])
local proxyId, leaseId = ARGV[2], ARGV[3]
local wantStats = ARGV[4] == '1'
local member = leaseMember(proxyId, leaseId)

local deadline = rcall('ZSCORE', ctx.deadlines, member)
if not deadline then
  return { 0, poolStatsIf(ctx, wantStats), 'not_found' }
end
rcall('ZREM', ctx.deadlines, member)
local record = readLease(ctx, leaseId, proxyId)
local lease = record or { id = leaseId, proxyId = proxyId }
local expired = tonumber(deadline) <= ctx.now
if expired then
  rcall('HINCRBY', ctx.key, 'stat:leasesExpired', 1)
  logEntry(ctx, { type = 'lease_expired', proxyId = proxyId, leaseId = leaseId,
    consumer = lease.consumer, sessionId = lease.sessionId, scope = lease.scope })
end
local outcome = readOutcome(ARGV, 5)
local p = loadProxy(ctx, proxyId)
if outcome and poolSettings(ctx) then
  applyOutcome(ctx, lease, outcome, p, true)
end
endLease(ctx, proxyId, leaseId, record, p)

if expired then
  return { 0, poolStatsIf(ctx, wantStats), 'expired' }
end
return { 1, poolStatsIf(ctx, wantStats), ctx.now - (lease.acquiredAt or ctx.now) }
