-- Live pool counts, all O(1): { totalProxies, activeProxies, availableProxies,
-- leasedProxies, totalLeases }. Leases whose deadline has passed are not counted as live.
local function poolStats(poolKey, proxiesKey, availableByOrderKey, deadlinesKey, now)
  local counters = rcall('HMGET', poolKey, 'activeProxies', 'leasedProxies')
  return {
    rcall('ZCARD', proxiesKey),
    tonumber(counters[1]) or 0,
    rcall('ZCARD', availableByOrderKey),
    tonumber(counters[2]) or 0,
    rcall('ZCOUNT', deadlinesKey, '(' .. now, '+inf'),
  }
end
