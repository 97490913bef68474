-- leaseDeadlines members are "<proxyId>:<leaseId>", so a deadline alone is enough to give the
-- capacity back even if the lease record is gone.
local function leaseMember(proxyId, leaseId)
  return proxyId .. ':' .. leaseId
end

local function splitLeaseMember(member)
  local sep = string.find(member, ':', 1, true)
  return string.sub(member, 1, sep - 1), string.sub(member, sep + 1)
end
