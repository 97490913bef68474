--[[
  Release a lease and give its capacity back. Safe to repeat: only the call that removes
  the deadline entry gives capacity back, so a double release decrements once.

  Input:
    KEYS[1] pool                (hash) settings and live counters of the pool
    KEYS[2] proxies             (zset) every proxy id by insertion order
    KEYS[3] availableByOrder    (zset)
    KEYS[4] availableByLastUse  (zset)
    KEYS[5] availableByLoad     (zset)
    KEYS[6] leaseDeadlines      (zset) "<proxyId>:<leaseId>" by expiry time (ms)

    ARGV[1] key prefix of the pool
    ARGV[2] proxy id
    ARGV[3] lease id
    ARGV[4] '1' to append pool stats to the reply

  Output:
    { 1, stats, heldMs }       released
    { 0, stats, 'not_found' }  unknown or already released
    { 0, stats, 'expired' }    the deadline had passed; its capacity is reclaimed now
]]
local rcall = redis.call
--- @include "includes/nowMs"
--- @include "includes/releaseSlot"
--- @include "includes/leaseMember"
--- @include "includes/poolStats"

local poolKey, proxiesKey, deadlinesKey = KEYS[1], KEYS[2], KEYS[6]
local availableKeys = { KEYS[3], KEYS[4], KEYS[5] }
local prefix, proxyId, leaseId = ARGV[1], ARGV[2], ARGV[3]
local member = leaseMember(proxyId, leaseId)
local leaseKey = prefix .. 'lease:' .. leaseId
local now = nowMs()

local function stats()
  if ARGV[4] == '1' then
    return poolStats(poolKey, proxiesKey, KEYS[3], deadlinesKey, now)
  end
  return {}
end

local deadline = rcall('ZSCORE', deadlinesKey, member)
if not deadline then
  return { 0, stats(), 'not_found' }
end

local acquiredAt = tonumber(rcall('HGET', leaseKey, 'acquiredAt')) or now
rcall('ZREM', deadlinesKey, member)
rcall('DEL', leaseKey)
releaseSlot(poolKey, availableKeys, prefix, proxyId)

if tonumber(deadline) <= now then
  return { 0, stats(), 'expired' }
end
return { 1, stats(), now - acquiredAt }
