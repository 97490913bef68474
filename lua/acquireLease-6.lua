--[[
  Lease one proxy of a pool: reclaim a bounded batch of expired leases, pick the best
  available proxy for the selector and filter, take one unit of its capacity and record the
  lease with a server-time deadline and a fencing token. All in one atomic step.

  Input:
    KEYS[1] pool                (hash) settings and live counters of the pool
    KEYS[2] proxies             (zset) every proxy id by insertion order
    KEYS[3] availableByOrder    (zset) leasable proxies by insertion order   (first-available)
    KEYS[4] availableByLastUse  (zset) leasable proxies by last-use sequence (round-robin)
    KEYS[5] availableByLoad     (zset) leasable proxies by live lease count  (least-used)
    KEYS[6] leaseDeadlines      (zset) "<proxyId>:<leaseId>" by expiry time (ms)

    ARGV[1] key prefix of the pool, e.g. "lh:{latam}:"
    ARGV[2] lease id (unique, chosen by the client)
    ARGV[3] consumer
    ARGV[4] lease duration in ms, or '' for the pool's leaseMs
    ARGV[5] selector, or '' for the pool's default
    ARGV[6] compiled filter JSON (see includes/pickProxy), or '' for none
    ARGV[7] how many expired leases to reclaim first, at most
    ARGV[8] '1' to append pool stats to the reply

  Output:
    { -1 } the pool does not exist
    { 0, stats } no proxy is available
    { 1, stats, leaseId, proxyId, fencingToken, acquiredAt, expiresAt, proxyHashFlat }
    stats = {} unless ARGV[8] is '1'; see includes/poolStats for its fields.
]]
local rcall = redis.call
--- @include "includes/nowMs"
--- @include "includes/reclaimExpired"
--- @include "includes/pickProxy"
--- @include "includes/poolStats"

-- Lease records outlive their deadline a little so a late release can still be explained.
local LEASE_RECORD_GRACE_MS = 3600000

local poolKey, proxiesKey, deadlinesKey = KEYS[1], KEYS[2], KEYS[6]
local availableKeys = { KEYS[3], KEYS[4], KEYS[5] }
local prefix, leaseId, consumer = ARGV[1], ARGV[2], ARGV[3]

local settings = rcall('HMGET', poolKey, 'leaseMs', 'selector')
if not settings[1] then
  return { -1 }
end

local now = nowMs()
reclaimExpired(poolKey, availableKeys, deadlinesKey, prefix, now, tonumber(ARGV[7]))

local function stats()
  if ARGV[8] == '1' then
    return poolStats(poolKey, proxiesKey, KEYS[3], deadlinesKey, now)
  end
  return {}
end

local selector = ARGV[5] ~= '' and ARGV[5] or settings[2]
local indexKey = KEYS[4]
if selector == 'first-available' then
  indexKey = KEYS[3]
elseif selector == 'least-used' then
  indexKey = KEYS[5]
end

local proxyId = pickProxy(prefix, indexKey, compileFilter(ARGV[6]), indexKey ~= KEYS[3])
if not proxyId then
  return { 0, stats() }
end

local proxyKey = prefix .. 'proxy:' .. proxyId
local token = rcall('HINCRBY', poolKey, 'seq', 1)
if rcall('HINCRBY', proxyKey, 'activeLeases', 1) == 1 then
  rcall('HINCRBY', poolKey, 'leasedProxies', 1)
end
rcall('HSET', proxyKey, 'lastUsedSeq', token, 'lastLeasedAt', now)
refreshAvailability(availableKeys, proxyKey, proxyId)

local durationMs = ARGV[4] ~= '' and tonumber(ARGV[4]) or tonumber(settings[1])
local expiresAt = now + durationMs
local leaseKey = prefix .. 'lease:' .. leaseId
rcall('HSET', leaseKey, 'proxyId', proxyId, 'consumer', consumer, 'acquiredAt', now,
  'expiresAt', expiresAt, 'fencingToken', token)
rcall('PEXPIREAT', leaseKey, expiresAt + LEASE_RECORD_GRACE_MS)
rcall('ZADD', deadlinesKey, expiresAt, leaseMember(proxyId, leaseId))

return { 1, stats(), leaseId, proxyId, token, now, expiresAt, rcall('HGETALL', proxyKey) }
