--- @include "includes/refreshAvailability"

-- Give one lease's capacity back to its proxy and keep the pool's leasedProxies counter exact.
local function releaseSlot(poolKey, availableKeys, prefix, proxyId)
  local proxyKey = prefix .. 'proxy:' .. proxyId
  if rcall('EXISTS', proxyKey) == 0 then
    return
  end
  local left = rcall('HINCRBY', proxyKey, 'activeLeases', -1)
  if left == 0 then
    rcall('HINCRBY', poolKey, 'leasedProxies', -1)
  elseif left < 0 then
    -- Cannot happen while every lease is released once; never let a bug go negative.
    rcall('HSET', proxyKey, 'activeLeases', 0)
  end
  refreshAvailability(availableKeys, proxyKey, proxyId)
end
