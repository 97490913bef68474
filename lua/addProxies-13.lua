--[[
  Add proxies to a pool, or update them (labels, tags, location, maxConcurrency) if already
  there.
  Idempotent: a proxy's id is the hash of its normalised URL. Live leases, health,
  circuit and round-robin position of an existing proxy are kept.

  Input:
    KEYS[1] pool                (hash) settings and live counters of the pool
    KEYS[2] unavailable         (zset) proxies not leasable now, by insertion order
    KEYS[3] availableByOrder    (zset) leasable proxies by insertion order   (first-available)
    KEYS[4] availableByLastUse  (zset) leasable proxies by last-use sequence (round-robin)
    KEYS[5] availableByLoad     (zset) leasable proxies by live lease count  (least-used)
    KEYS[6] availableByHealth   (zset) leasable proxies by -health score     (healthiest)
    KEYS[7] availableByLatency  (zset) leasable proxies by mean latency      (lowest-latency)
    KEYS[8] leaseDeadlines      (zset) "<proxyId>:<leaseId>" by expiry time (ms)
    KEYS[9] cooldowns           (zset) proxies with an open circuit or a rest, by due time
    KEYS[10] errorLog           (stream) failures, transitions and expiries, capped
    KEYS[11] sessions           (zset) live sessions by creation time
    KEYS[12] idleSessions       (zset) live sessions without a lease, by last use
    KEYS[13] leases             (hash) leaseId -> "acquiredAt|fencingToken|scope|sessionId|consumer"

    ARGV[1] key prefix of the pool, e.g. "lh:{latam}:"
    ARGV[2] JSON array of proxies: { id, url (normalised), maxConcurrency (0 = no cap),
            labels = {{name, value}...}, tags = {tag...}, moreLabels (JSON of the labels
            beyond the six common names, or ''), location = {latitude, longitude} (decimal
            strings) or absent }

  Output:
    { -1 } the pool does not exist
    { 1, { proxyHashFlat... } } the stored state of each input proxy, in input order
]]
--- @include "includes/transitions"
--- @include "includes/labelMemberships"

local ctx = poolContext(KEYS, ARGV[1])
if not poolSettings(ctx) then
  return { -1 }
end

local stored = {}
for i, p in ipairs(cjson.decode(ARGV[2])) do
  local key = proxyKey(ctx, p.id)
  if rcall('EXISTS', key) == 1 then
    dropLabelMemberships(ctx.prefix, key, p.id)
  else
    local order = rcall('HINCRBY', ctx.key, 'seq', 1)
    rcall('HSET', key, 'order', order, 'lastUsedSeq', order, 'status', 'active',
      'circuit', 'closed', 'activeLeases', 0, 'addedAt', ctx.now)
    rcall('HINCRBY', ctx.key, 'activeProxies', 1)
    storeHealthScore(key, ctx.now)
  end
  -- `tags` repeats the tag:<tag> fields as one value, so a lease reply is a fixed HMGET.
  -- Protocol, host, port and credentials are read from the URL by the client: not stored
  -- twice (memory per proxy matters at 100,000 proxies).
  rcall('HSET', key, 'id', p.id, 'url', p.url, 'maxConcurrency', p.maxConcurrency,
    'tags', table.concat(p.tags, ','))
  addLabelMemberships(ctx.prefix, key, p.id, p.labels, p.tags, p.moreLabels, p.location)
  refreshAvailability(ctx, p.id)
  stored[i] = rcall('HGETALL', key)
end
return { 1, stored }
