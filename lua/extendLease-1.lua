--[[
  Renew a live lease: its deadline becomes now + the extension, never earlier than it was.

  Input:
    KEYS[1] leaseDeadlines  (zset) "<proxyId>:<leaseId>" by expiry time (ms)

    ARGV[1] proxy id
    ARGV[2] lease id
    ARGV[3] extension in ms

  Output:
    { 1, expiresAt }  the new deadline (server epoch ms)
    { -2 }            unknown or already released
    { -3 }            already expired (its capacity is reclaimed by the next sweep)
]]
--- @include "includes/nowMs"
--- @include "includes/leaseMember"

local deadlinesKey = KEYS[1]
local proxyId, leaseId = ARGV[1], ARGV[2]
local member = leaseMember(proxyId, leaseId)

local deadline = rcall('ZSCORE', deadlinesKey, member)
if not deadline then
  return { -2 }
end
deadline = tonumber(deadline)
local now = nowMs()
if deadline <= now then
  return { -3 }
end

local expiresAt = math.max(deadline, now + tonumber(ARGV[3]))
rcall('ZADD', deadlinesKey, 'XX', expiresAt, member)
return { 1, expiresAt }
