--[[
  Renew a live lease: its deadline becomes now + the extension, never earlier than it was.
  Everything the lease owns lives as long as it: its scope's load key and its session's
  record get a TTL reaching past the new deadline.

  Input:
    KEYS[1] leaseDeadlines  (zset) "<proxyId>:<leaseId>" by expiry time (ms)
    KEYS[2] leases          (hash) leaseId -> "acquiredAt|fencingToken|scope|sessionId|consumer";
                            the pool's key prefix is this key's name without "leases"

    ARGV[1] proxy id
    ARGV[2] lease id
    ARGV[3] extension in ms (at most 30 days)

  Output:
    { 1, expiresAt }  the new deadline (server epoch ms)
    { -2 }            unknown or already released
    { -3 }            already expired (its capacity is reclaimed by the next sweep)
    { -9, 'seconds' } the extension is out of range (nothing written)
]]
--- @include "includes/leases"

local proxyId, leaseId = ARGV[1], ARGV[2]
local extensionMs = tonumber(ARGV[3])
if not durationInRange(extensionMs) then
  return { -9, 'seconds' }
end
local ctx = { deadlines = KEYS[1], leases = KEYS[2], now = nowMs(),
  prefix = string.sub(KEYS[2], 1, #KEYS[2] - #'leases') }
local member = leaseMember(proxyId, leaseId)

local deadline = rcall('ZSCORE', ctx.deadlines, member)
if not deadline then
  return { -2 }
end
deadline = tonumber(deadline)
if deadline <= ctx.now then
  return { -3 }
end

local expiresAt = math.max(deadline, ctx.now + extensionMs)
rcall('ZADD', ctx.deadlines, 'XX', expiresAt, member)
local lease = readLease(ctx, leaseId, proxyId)
if lease and lease.scope then
  keepKeyAlive(ctx, scopeKey(ctx, lease.scope, 'load'), expiresAt)
end
if lease and lease.sessionId then
  keepKeyAlive(ctx, sessionKey(ctx, lease.sessionId), expiresAt)
end
return { 1, expiresAt }
