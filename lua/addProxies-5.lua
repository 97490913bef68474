--[[
  Add proxies to a pool, or update them (labels, tags, maxConcurrency) if already there.
  Idempotent: a proxy's id is the hash of its normalised URL. Live leases, counters and
  the round-robin position of an existing proxy are kept.

  Input:
    KEYS[1] pool                (hash) settings and live counters of the pool
    KEYS[2] proxies             (zset) every proxy id by insertion order
    KEYS[3] availableByOrder    (zset) leasable proxies by insertion order
    KEYS[4] availableByLastUse  (zset) leasable proxies by last-use sequence
    KEYS[5] availableByLoad     (zset) leasable proxies by live lease count

    ARGV[1] key prefix of the pool, e.g. "lh:{latam}:"
    ARGV[2] JSON array of proxies: { id, url, protocol, host, port, username?, password?,
            maxConcurrency (0 = no cap), labels = {{name, value}...}, tags = {tag...} }

  Output:
    { -1 } the pool does not exist
    { 1, { proxyHashFlat... } } the stored state of each input proxy, in input order
]]
local rcall = redis.call
--- @include "includes/nowMs"
--- @include "includes/refreshAvailability"
--- @include "includes/labelMemberships"

local poolKey, proxiesKey = KEYS[1], KEYS[2]
local availableKeys = { KEYS[3], KEYS[4], KEYS[5] }
local prefix = ARGV[1]

if rcall('EXISTS', poolKey) == 0 then
  return { -1 }
end

local now = nowMs()
local stored = {}
for i, p in ipairs(cjson.decode(ARGV[2])) do
  local proxyKey = prefix .. 'proxy:' .. p.id
  if rcall('EXISTS', proxyKey) == 1 then
    dropLabelMemberships(prefix, proxyKey, p.id)
  else
    local order = rcall('HINCRBY', poolKey, 'seq', 1)
    rcall('HSET', proxyKey, 'order', order, 'lastUsedSeq', order, 'status', 'active',
      'activeLeases', 0, 'addedAt', now)
    rcall('ZADD', proxiesKey, order, p.id)
    rcall('HINCRBY', poolKey, 'activeProxies', 1)
  end
  rcall('HSET', proxyKey, 'id', p.id, 'url', p.url, 'protocol', p.protocol, 'host', p.host,
    'port', p.port, 'maxConcurrency', p.maxConcurrency, 'updatedAt', now)
  if p.username then
    rcall('HSET', proxyKey, 'username', p.username)
  end
  if p.password then
    rcall('HSET', proxyKey, 'password', p.password)
  end
  addLabelMemberships(prefix, proxyKey, p.id, p.labels, p.tags)
  refreshAvailability(availableKeys, proxyKey, p.id)
  stored[i] = rcall('HGETALL', proxyKey)
end
return { 1, stored }
