--- @include "includes/releaseSlot"
--- @include "includes/leaseMember"

-- Reclaim at most `limit` leases whose deadline has passed; returns how many were reclaimed.
-- Bounded so that an acquire never pays for a backlog of expired leases.
local function reclaimExpired(poolKey, availableKeys, deadlinesKey, prefix, now, limit)
  local due = rcall('ZRANGE', deadlinesKey, '-inf', now, 'BYSCORE', 'LIMIT', 0, limit)
  for _, member in ipairs(due) do
    local proxyId, leaseId = splitLeaseMember(member)
    rcall('ZREM', deadlinesKey, member)
    rcall('DEL', prefix .. 'lease:' .. leaseId)
    releaseSlot(poolKey, availableKeys, prefix, proxyId)
  end
  return #due
end
