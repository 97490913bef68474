--[[
  Process a bounded batch of due cooldowns: open circuits whose cooldown has elapsed
  become half-open (one probe lease), finished rate-limit rests are lifted. Callers loop
  while `remaining` > 0.

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
    ARGV[2] batch size

  Output:
    { recovered, remaining }
]]
--- @include "includes/cooldowns"

local ctx = poolContext(KEYS, ARGV[1])
local recovered = recoverDueCooldowns(ctx, tonumber(ARGV[2]))
return { recovered, rcall('ZCOUNT', ctx.cooldowns, '-inf', ctx.now) }
