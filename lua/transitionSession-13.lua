--[[
  Operator transition of a session's status (active | disabled) with a reason. Logged.

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
    ARGV[2] session id
    ARGV[3] 'active' or 'disabled'
    ARGV[4] reason

  Output:
    { 1, changed }  changed = 1 when the status changed
    { -1 } the pool does not exist
    { -6 } the session does not exist (or its record has expired)
    { -8 } re-enabling is refused: its proxy is gone or disabled
]]
--- @include "includes/transitions"

local ctx = poolContext(KEYS, ARGV[1])
if not poolSettings(ctx) then
  return { -1 }
end
local key = sessionKey(ctx, ARGV[2])
local proxyId = rcall('HGET', key, 'proxyId')
if not proxyId then
  return { -6 }
end
if ARGV[3] == 'disabled' then
  return { 1, disableSession(ctx, ARGV[2], ARGV[4]) and 1 or 0 }
end
if rcall('HGET', proxyKey(ctx, proxyId), 'status') ~= 'active' then
  return { -8 }
end
return { 1, enableSession(ctx, ARGV[2], ARGV[4]) and 1 or 0 }
