-- Put a proxy into, or take it out of, the three "available" indexes, from its own state.
-- A proxy is leasable when it is active and below its concurrency cap (0 = no cap).
-- availableKeys = { byOrder, byLastUse, byLoad }.
local function refreshAvailability(availableKeys, proxyKey, proxyId)
  local f = rcall('HMGET', proxyKey, 'status', 'activeLeases', 'maxConcurrency', 'order', 'lastUsedSeq')
  local active = tonumber(f[2]) or 0
  local cap = tonumber(f[3]) or 0
  if f[1] == 'active' and (cap == 0 or active < cap) then
    rcall('ZADD', availableKeys[1], f[4], proxyId)
    rcall('ZADD', availableKeys[2], f[5], proxyId)
    rcall('ZADD', availableKeys[3], active, proxyId)
  else
    rcall('ZREM', availableKeys[1], proxyId)
    rcall('ZREM', availableKeys[2], proxyId)
    rcall('ZREM', availableKeys[3], proxyId)
  end
end
