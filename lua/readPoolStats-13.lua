--[[
  Pool statistics as the pool's keys hold them now, without writing anything: for observers
  that must not change what they observe (a /metrics scrape). Unlike getPoolStats it
  reclaims nothing first, so a lease past its deadline that nobody has reclaimed yet is not
  counted in totalLeases but may still count its proxy in leasedProxies (and keep it out
  of availableProxies) until the next acquire or the worker's lease-expiry job reclaims it.

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

  Output:
    { -1 } the pool does not exist
    { 1, { totalProxies, activeProxies, availableProxies, leasedProxies, totalLeases,
           openCircuits, liveSessions } }
]]
--- @include "includes/leases"

local ctx = poolContext(KEYS, ARGV[1])
if not poolSettings(ctx) then
  return { -1 }
end
return { 1, poolStats(ctx) }
