-- Choosing a proxy from an "available" index (a sorted set whose lowest score is the best
-- choice for the selector), honouring a compiled filter.
--
-- filter (decoded JSON, built by the TypeScript client, packages/client/src/filters.ts):
--   fields  = { 'label:country', 'tag:residential', 'latitude', ... }  hash fields read per candidate
--   a node (the filter itself is the root node):
--     all   = { {fieldIndex, value}, ... }          every condition holds
--     near  = { {latIndex, lonIndex, lat, lon, radiusMetres}, ... }  every one holds
--     any   = { { node, ... }, ... }                each group has a node that holds
--     none  = { node, ... }                         no node holds
--   drive   = { 'label:country:AR', ... }          sets that contain every match
--   geo     = { lat, lon, radiusKm }               the root's `near`: GEOSEARCH finds every match
--   cover   = { lo, hi, lo, hi, ... }              with `geo` and no drive set: score intervals of
--                                                  the geohash cells covering its circle
-- The acquire's filter argument is that JSON, optionally followed by a newline and the
-- comma-separated ids of `exclude`: only the JSON is cached (see decodeFilter).
-- plus, when the acquire has a scope: scopeRestKey / scopeLoadKey / scopeCap / now, so a
-- proxy resting (or at its cap) for that scope is passed over.
--
-- Cost: without a filter, one ZRANGE (O(log N)). With one, either walk the smallest
-- "drive" set (or the geo search) when it is small (exact), or walk the index from its head,
-- checking candidates; a filter matching a fraction f of available proxies needs about 1/f checks.
--
-- Round-robin and least-used are the exception: leasing a match moves it to the tail of
-- their index (higher last-use sequence, higher load), so under steady filtered traffic
-- the head fills with non-matching proxies and a head walk grows with the pool. With a
-- large drive set they take the best of a random sample of matches instead (approximate
-- LRU / least load, O(sample)); with only a geo condition they take the best of
-- SAMPLE_SIZE members of the radius's cover, each drawn at random (see coverSample),
-- then the best of the first DRIVE_SET_LIMIT + 1 members of the radius. first-available
-- stays exact.
-- Whatever the path, when the cheap steps find nothing the search finishes exhaustively
-- over the smaller of the drive set (or geo matches) and the rest of the index, so a match
-- is never missed.
-- No step unpacks an unbounded list: sets are walked with SSCAN and ZMSCORE/HMGET take at
-- most CHUNK arguments a call (Lua's unpack fails near 8,000).

-- A drive set this small is searched exactly (every member scored); a larger one is sampled
-- or walked. Exact costs ~0.6 µs a member: at 256 a 10 % filter on a 2,000-proxy pool took
-- ~200 µs a pick, more than the sampled pick on a 100,000-proxy pool (~11 µs).
local DRIVE_SET_LIMIT = 32
local SCAN_PAGE = 32
local SCAN_BUDGET = 1024
-- Eight, not more: sampling and scoring cost grows with it (~0.6 µs a candidate), and the
-- best of eight random matches is on average among the oldest ~11% for round-robin.
local SAMPLE_SIZE = 8
-- weighted-random and index-less healthiest/lowest-latency sample the whole index for a
-- geo-only filter: 16 draws miss a 10 % match 19 % of the time, and then a bounded GEOSEARCH
-- answers; 32 draws cost more than those misses. (round-robin/least-used use the cover.)
local GEO_SAMPLE_SIZE = 16
local CHUNK = 500

-- `cmd key items...` for any number of items, CHUNK a call; the replies concatenated.
local function callChunked(cmd, key, items)
  local n = #items
  if n <= CHUNK then
    return rcall(cmd, key, unpack(items))
  end
  local out = {}
  for first = 1, n, CHUNK do
    local reply = rcall(cmd, key, unpack(items, first, math.min(first + CHUNK - 1, n)))
    for i = 1, #reply do
      out[first + i - 1] = reply[i]
    end
  end
  return out
end

-- Up to SAMPLE_SIZE distinct random members of a set. A negative count draws with
-- replacement, which Redis does without building a temporary set (half the cost of a
-- positive count); the rare repeat is dropped here.
local function randomMembers(setKey)
  local seen, members = {}, {}
  for _, member in ipairs(rcall('SRANDMEMBER', setKey, -SAMPLE_SIZE)) do
    if not seen[member] then
      seen[member] = true
      members[#members + 1] = member
    end
  end
  return members
end

-- Great-circle distance as Redis GEO computes it (geohashGetDistance: haversine on a sphere
-- of this radius), so a `near` check agrees with GEOSEARCH to within its ~1 m resolution.
local EARTH_RADIUS_M = 6372797.560856
local RADIANS = 0.017453292519943295 -- pi / 180 (no `math` while a library loads)

local function metresBetween(lat1, lon1, lat2, lon2)
  local phi1, phi2 = lat1 * RADIANS, lat2 * RADIANS
  local u = math.sin((phi2 - phi1) / 2)
  local v = math.sin((lon2 - lon1) * RADIANS / 2)
  return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(u * u + math.cos(phi1) * math.cos(phi2) * v * v))
end

-- Degrees of latitude per metre: a latitude further off than the radius is out without trig.
local DEGREES_PER_METRE = 1 / (EARTH_RADIUS_M * RADIANS)

local function isWithin(lat, lon, centreLat, centreLon, metres)
  if math.abs(lat - centreLat) > metres * DEGREES_PER_METRE then
    return false
  end
  return metresBetween(lat, lon, centreLat, centreLon) <= metres
end

local function withinRadius(values, near)
  local lat, lon = tonumber(values[near[1]]), tonumber(values[near[2]])
  if lat == nil or lon == nil then
    return false
  end
  return isWithin(lat, lon, near[3], near[4], near[5])
end

-- A node of the filter tree holds for a candidate's field values (see the header).
local function nodeHolds(values, node)
  for _, cond in ipairs(node.all) do
    if values[cond[1]] ~= cond[2] then
      return false
    end
  end
  if node.near then
    for _, near in ipairs(node.near) do
      if not withinRadius(values, near) then
        return false
      end
    end
  end
  if node.any then
    for _, group in ipairs(node.any) do
      local holds = false
      for _, child in ipairs(group) do
        if nodeHolds(values, child) then
          holds = true
          break
        end
      end
      if not holds then
        return false
      end
    end
  end
  if node.none then
    for _, child in ipairs(node.none) do
      if nodeHolds(values, child) then
        return false
      end
    end
  end
  return true
end

local function proxyMatches(prefix, proxyId, filter)
  if filter.excluded[proxyId] then
    return false
  end
  if filter.scopeRestKey then
    local restUntil = rcall('ZSCORE', filter.scopeRestKey, proxyId)
    if restUntil and tonumber(restUntil) > filter.now then
      return false
    end
    if filter.scopeCap > 0
        and (tonumber(rcall('HGET', filter.scopeLoadKey, proxyId)) or 0) >= filter.scopeCap then
      return false
    end
  end
  if #filter.fields == 0 then
    return true
  end
  return nodeHolds(callChunked('HMGET', prefix .. 'proxy:' .. proxyId, filter.fields), filter)
end

-- Best (lowest-scored) available candidate that matches the filter: one ZMSCORE for all
-- candidates, then the filter is checked best-first, so usually only once. Equal scores
-- are broken at random (`random` in [0, 1) rotates which candidate counts as first), so a
-- pool of equal proxies is not always served by its lowest id.
-- A sample of a few: take the best, and look further only if it fails the filter (no sort,
-- no comparator calls). A whole drive set (up to DRIVE_SET_LIMIT): sort once, so a filter
-- that most of the set fails still costs O(n log n).
local function pickBest(prefix, indexKey, candidates, filter, random)
  local n = #candidates
  if n == 0 then
    return nil
  end
  local raw = callChunked('ZMSCORE', indexKey, candidates)
  local scores, rank = {}, {}
  local offset = math.floor((random or 0) * n)
  for i = 1, n do
    -- A candidate without a score is not available and never picked.
    scores[i] = raw[i] and tonumber(raw[i]) or false
    rank[i] = (i - 1 - offset) % n
  end
  if n > 2 * SAMPLE_SIZE then
    local order = {}
    for i = 1, n do
      if scores[i] then
        order[#order + 1] = i
      end
    end
    table.sort(order, function(a, b)
      return scores[a] < scores[b] or (scores[a] == scores[b] and rank[a] < rank[b])
    end)
    for _, i in ipairs(order) do
      if proxyMatches(prefix, candidates[i], filter) then
        return candidates[i]
      end
    end
    return nil
  end
  for _ = 1, n do
    local best = nil
    for i = 1, n do
      local score = scores[i]
      if score and (best == nil or score < scores[best]
          or (score == scores[best] and rank[i] < rank[best])) then
        best = i
      end
    end
    if best == nil then
      return nil
    end
    if proxyMatches(prefix, candidates[best], filter) then
      return candidates[best]
    end
    scores[best] = false
  end
  return nil
end

-- The best available match among every member of a set, of any size: walked with SSCAN,
-- CHUNK at a time, keeping the best match so far (a candidate is checked against the filter
-- only when it would beat it). For the rare search that must be exhaustive.
-- Under a scope, the members resting or at the scope's cap are found for the whole chunk
-- with one call each, not two calls a member: a miss over 10,000 capped matches is ~40 calls.
local function scopeBlocked(filter, members)
  local blocked = {}
  if not filter.scopeRestKey then
    return blocked
  end
  local rests = callChunked('ZMSCORE', filter.scopeRestKey, members)
  local loads = filter.scopeCap > 0 and callChunked('HMGET', filter.scopeLoadKey, members) or {}
  for i = 1, #members do
    blocked[i] = (rests[i] and tonumber(rests[i]) > filter.now)
      or (loads[i] and tonumber(loads[i]) >= filter.scopeCap) or false
  end
  return blocked
end

-- Folds one chunk of members into the best match so far.
local function bestOfChunk(prefix, indexKey, members, filter, best, bestScore)
  if #members == 0 then
    return best, bestScore
  end
  local scores = callChunked('ZMSCORE', indexKey, members)
  local blocked = scopeBlocked(filter, members)
  for i, proxyId in ipairs(members) do
    local score = scores[i] and tonumber(scores[i])
    if score and not blocked[i] and (bestScore == nil or score < bestScore)
        and proxyMatches(prefix, proxyId, filter) then
      best, bestScore = proxyId, score
    end
  end
  return best, bestScore
end

local function pickBestInSet(prefix, indexKey, setKey, filter)
  local cursor, best, bestScore = '0', nil, nil
  repeat
    local reply = rcall('SSCAN', setKey, cursor, 'COUNT', CHUNK)
    cursor = reply[1]
    best, bestScore = bestOfChunk(prefix, indexKey, reply[2], filter, best, bestScore)
  until cursor == '0'
  return best
end

-- The same over a list of any length (the geo matches), CHUNK at a time.
local function pickBestInList(prefix, indexKey, members, filter)
  local best, bestScore = nil, nil
  for first = 1, #members, CHUNK do
    local chunk = { unpack(members, first, math.min(first + CHUNK - 1, #members)) }
    best, bestScore = bestOfChunk(prefix, indexKey, chunk, filter, best, bestScore)
  end
  return best
end

-- Proxies located within the filter's root `near` (GEOSEARCH on the pool's geo index): at
-- most `count` of them when given (any, not the nearest: Redis stops once it has enough).
local function nearMembers(prefix, geo, count)
  if count then
    return rcall('GEOSEARCH', prefix .. 'locations', 'FROMLONLAT', geo[2], geo[1],
      'BYRADIUS', geo[3], 'km', 'COUNT', count, 'ANY')
  end
  return rcall('GEOSEARCH', prefix .. 'locations', 'FROMLONLAT', geo[2], geo[1],
    'BYRADIUS', geo[3], 'km')
end

-- SAMPLE_SIZE located proxies drawn from the root `near`'s cover (`cover`: score intervals
-- {lo, hi, lo, hi, ...}, hi exclusive, of the geohash cells covering its circle, compiled by
-- the client). The members of each interval are counted (one ZCOUNT each, O(log N)); the
-- cover's members, interval after interval, are numbered 0..total-1, and each draw reads one
-- uniformly random number of them by rank (ZRANGE, O(log N)). Independent draws, not a run of
-- neighbours: a match whose geohash neighbours lie outside the radius is drawn no more often
-- than any other (a run from one random start favoured it). The draws come from a
-- Park-Miller generator seeded by the call's random number. Most members lie within the
-- radius; pickBest checks the best of them first, so there is no GEOPOS. A cover with no more
-- than SAMPLE_SIZE members is read whole: its best match is then exact.
local function coverSample(prefix, filter, random)
  local cover, key = filter.cover, prefix .. 'locations'
  local bounds = filter.coverBounds
  local counts, total = {}, 0
  for k = 1, #cover, 2 do
    counts[k] = rcall('ZCOUNT', key, bounds[k], bounds[k + 1])
    total = total + counts[k]
  end
  local sample = {}
  if total <= SAMPLE_SIZE then
    for k = 1, #cover, 2 do
      if counts[k] > 0 then
        for _, member in ipairs(rcall('ZRANGE', key, bounds[k], bounds[k + 1], 'BYSCORE')) do
          sample[#sample + 1] = member
        end
      end
    end
    return sample
  end
  local firsts, seen = {}, {}
  local state = math.floor((random or 0) * 2147483646) + 1
  for _ = 1, SAMPLE_SIZE do
    state = (16807 * state) % 2147483647
    local n = math.floor((state - 1) / 2147483646 * total)
    local k = 1
    while n >= counts[k] do
      n = n - counts[k]
      k = k + 2
    end
    firsts[k] = firsts[k] or rcall('ZCOUNT', key, '-inf', '(' .. bounds[k])
    local member = rcall('ZRANGE', key, firsts[k] + n, firsts[k] + n)[1]
    if member and not seen[member] then
      seen[member] = true
      sample[#sample + 1] = member
    end
  end
  return sample
end

-- Walk the index from position `start`, at most `budget` candidates; returns id, next position.
local function scanIndex(prefix, indexKey, filter, start, budget)
  local stop = start + budget
  while start < stop do
    local page = rcall('ZRANGE', indexKey, start, start + SCAN_PAGE - 1)
    for _, proxyId in ipairs(page) do
      if proxyMatches(prefix, proxyId, filter) then
        return proxyId, start
      end
    end
    if #page < SCAN_PAGE then
      return nil, -1
    end
    start = start + SCAN_PAGE
  end
  return nil, start
end

local EMPTY_FILTER_JSON = '{"fields":[],"all":[],"drive":[]}'

-- Decoded filters by their JSON: a fleet sends the same few filters over and over, and a
-- decode costs ~1.8 µs. Pure functions of the string, so keeping them between calls is safe.
-- This memory is Lua's, invisible to maxmemory: the cache is bounded by entries and by the
-- bytes of its keys (emptied when either is reached), a filter larger than
-- FILTER_CACHE_MAX_ENTRY_BYTES is never kept, and `exclude` lists (which differ per call)
-- are not part of the key.
local FILTER_CACHE_SIZE = 256
local FILTER_CACHE_BYTES = 262144
local FILTER_CACHE_MAX_ENTRY_BYTES = 8192
local filterCache, filterCacheCount, filterCacheBytes = {}, 0, 0
local NO_EXCLUSIONS = {}

local function decodeFilter(filterJson)
  local filter = filterCache[filterJson]
  if filter == nil then
    filter = cjson.decode(filterJson)
    filter.excluded = NO_EXCLUSIONS
    if filter.cover then
      -- ZCOUNT's bounds, once: [lo, (hi. Scores are 52-bit integers: '%.0f' keeps every digit
      -- (a number argument keeps 14).
      filter.coverBounds = {}
      for k = 1, #filter.cover, 2 do
        filter.coverBounds[k] = string.format('%.0f', filter.cover[k])
        filter.coverBounds[k + 1] = '(' .. string.format('%.0f', filter.cover[k + 1])
      end
    end
    local size = #filterJson
    if size <= FILTER_CACHE_MAX_ENTRY_BYTES then
      if filterCacheCount >= FILTER_CACHE_SIZE or filterCacheBytes + size > FILTER_CACHE_BYTES then
        filterCache, filterCacheCount, filterCacheBytes = {}, 0, 0
      end
      filterCache[filterJson] = filter
      filterCacheCount = filterCacheCount + 1
      filterCacheBytes = filterCacheBytes + size
    end
  end
  return filter
end

-- filterArg = '' | json | json .. '\n' .. comma-separated excluded proxy ids.
-- scope = { restKey, loadKey, cap, now } or nil. The per-call parts (exclusions, the scope's
-- keys and time) live in a fresh table over the cached one.
local function compileFilter(filterArg, scope)
  if filterArg == '' and scope == nil then
    return nil
  end
  local json, excludeList = filterArg, nil
  local newline = string.find(filterArg, '\n', 1, true)
  if newline then
    json, excludeList = string.sub(filterArg, 1, newline - 1), string.sub(filterArg, newline + 1)
  end
  local filter = decodeFilter(json ~= '' and json or EMPTY_FILTER_JSON)
  if excludeList == nil and scope == nil then
    return filter
  end
  filter = setmetatable({}, { __index = filter })
  if excludeList and excludeList ~= '' then
    filter.excluded = {}
    for proxyId in string.gmatch(excludeList, '[^,]+') do
      filter.excluded[proxyId] = true
    end
  end
  if scope then
    filter.scopeRestKey, filter.scopeLoadKey = scope.restKey, scope.loadKey
    filter.scopeCap, filter.now = scope.cap, scope.now
  end
  return filter
end

-- The smallest of the filter's drive sets (every match is in each of them) and its size;
-- nil when the filter has no positive condition.
local function smallestDriveSet(prefix, filter)
  local driveKey, driveSize = nil, nil
  for _, suffix in ipairs(filter.drive) do
    local size = rcall('SCARD', prefix .. suffix)
    if driveSize == nil or size < driveSize then
      driveKey, driveSize = prefix .. suffix, size
    end
  end
  return driveKey, driveSize
end

-- A random sample of available proxies that match the filter: from the smallest drive set
-- when the filter has one (availability checked with one ZMSCORE), else from the index.
-- O(sample). Used by weighted-random, and by healthiest / lowest-latency when the pool keeps
-- no index for them.
local function sampleAvailable(prefix, availableKey, filter)
  local driveKey = filter and smallestDriveSet(prefix, filter)
  local candidates
  if driveKey then
    candidates = randomMembers(driveKey)
    if #candidates > 0 then
      local present = callChunked('ZMSCORE', availableKey, candidates)
      local available = {}
      for i, proxyId in ipairs(candidates) do
        if present[i] then
          available[#available + 1] = proxyId
        end
      end
      candidates = available
    end
  else
    candidates = rcall('ZRANDMEMBER', availableKey,
      filter and filter.geo and GEO_SAMPLE_SIZE or SAMPLE_SIZE)
  end
  if filter == nil then
    return candidates
  end
  local matching = {}
  for _, proxyId in ipairs(candidates) do
    if proxyMatches(prefix, proxyId, filter) then
      matching[#matching + 1] = proxyId
    end
  end
  return matching
end

-- Health scores of candidates: from the health index when the pool keeps one, else from
-- each proxy's record.
local function healthScoresOf(prefix, byHealthKey, candidates)
  local scores = {}
  if #candidates == 0 then
    return scores
  end
  if byHealthKey then
    for i, negative in ipairs(callChunked('ZMSCORE', byHealthKey, candidates)) do
      scores[i] = negative and -tonumber(negative) or 0.5
    end
  else
    for i, proxyId in ipairs(candidates) do
      scores[i] = tonumber(rcall('HGET', prefix .. 'proxy:' .. proxyId, 'healthScore')) or 0.5
    end
  end
  return scores
end

-- weighted-random: pick one of a sample with probability proportional to its health score.
-- `random` in [0, 1) comes from the caller.
local function pickWeightedRandom(prefix, availableKey, byHealthKey, filter, random)
  local candidates = sampleAvailable(prefix, availableKey, filter)
  local scores = healthScoresOf(prefix, byHealthKey, candidates)
  local total = 0
  for i = 1, #candidates do
    -- A floor keeps a proxy with score 0 drawable, just rarely.
    scores[i] = math.max(scores[i], 0.001)
    total = total + scores[i]
  end
  local target = random * total
  for i, proxyId in ipairs(candidates) do
    target = target - scores[i]
    if target < 0 then
      return proxyId
    end
  end
  return candidates[#candidates]
end

-- healthiest / lowest-latency on a pool without their indexes: the best of a sample
-- (approximate; exact for pools no bigger than the sample). Equal scores: a random one
-- (`random` rotates where the walk starts; ZRANDMEMBER may answer in index order).
local function pickBestOfSample(prefix, availableKey, filter, byLatency, random)
  local candidates = sampleAvailable(prefix, availableKey, filter)
  local n = #candidates
  local best, bestScore = nil, nil
  local scores = byLatency and {} or healthScoresOf(prefix, nil, candidates)
  local offset = math.floor((random or 0) * n)
  for k = 1, n do
    local i = (k - 1 + offset) % n + 1
    local proxyId = candidates[i]
    local score
    if byLatency then
      local f = rcall('HMGET', prefix .. 'proxy:' .. proxyId, 'latencySumMs', 'latencyCount')
      local count = tonumber(f[2]) or 0
      score = count > 0 and tonumber(f[1]) / count or 0
    else
      score = -scores[i]
    end
    if bestScore == nil or score < bestScore then
      best, bestScore = proxyId, score
    end
  end
  return best
end

-- The head of an index; `randomTies`: among the members sharing the head's score, one at
-- random (`random` in [0, 1)), O(log N): for scores that tie often (healthiest on a fresh
-- pool), so the lowest id is not always the one served.
local function indexHead(indexKey, randomTies, random)
  if not randomTies then
    return rcall('ZRANGE', indexKey, 0, 0)[1]
  end
  local head = rcall('ZRANGE', indexKey, 0, 0, 'WITHSCORES')
  if head[1] == nil then
    return nil
  end
  local ties = rcall('ZCOUNT', indexKey, head[2], head[2])
  if ties <= 1 then
    return head[1]
  end
  return rcall('ZRANGE', indexKey, head[2], head[2], 'BYSCORE', 'LIMIT',
    math.floor((random or 0) * ties), 1)[1]
end

-- `random` in [0, 1) breaks ties between equal scores; `randomTies` also on the unfiltered
-- path (see indexHead).
local function pickProxy(prefix, indexKey, filter, sampleLargeDriveSet, random, randomTies)
  if filter == nil then
    return indexHead(indexKey, randomTies, random)
  end

  local driveKey, driveSize = smallestDriveSet(prefix, filter)
  if driveSize == 0 then
    return nil
  end
  if driveKey and driveSize <= DRIVE_SET_LIMIT then
    return pickBest(prefix, indexKey, rcall('SMEMBERS', driveKey), filter, random)
  end
  -- Round-robin / least-used with only a geo condition: the best of a window of the radius's
  -- cover first (no probe: the common case is a radius holding many proxies).
  if filter.cover and sampleLargeDriveSet and not driveKey then
    local sampled = pickBest(prefix, indexKey, coverSample(prefix, filter, random), filter, random)
    if sampled then
      return sampled
    end
  end
  local nearFew = nil
  if filter.geo then
    -- Few proxies in the radius: the geo search has them all, searched exactly.
    nearFew = nearMembers(prefix, filter.geo, DRIVE_SET_LIMIT + 1)
    if #nearFew <= DRIVE_SET_LIMIT then
      return pickBest(prefix, indexKey, nearFew, filter, random)
    end
  end
  if driveKey and sampleLargeDriveSet then
    local sampled = pickBest(prefix, indexKey, randomMembers(driveKey), filter, random)
    if sampled then
      return sampled
    end
  elseif nearFew and sampleLargeDriveSet then
    -- A sparse radius (or a missed sample): the first members the radius holds, before any walk.
    local sampled = pickBest(prefix, indexKey, nearFew, filter, random)
    if sampled then
      return sampled
    end
  end

  local found, nextStart = scanIndex(prefix, indexKey, filter, 0, SCAN_BUDGET)
  if found or nextStart == -1 then
    return found
  end
  -- Matches are rare among available proxies: finish with whichever is smaller, the drive
  -- set (or the geo matches) or the rest of the index. Correct always; costly only for that
  -- rare shape.
  local rest = rcall('ZCARD', indexKey) - nextStart
  if driveKey and driveSize < rest then
    return pickBestInSet(prefix, indexKey, driveKey, filter)
  end
  if filter.geo and not driveKey and rest > 0 then
    local near = nearMembers(prefix, filter.geo, rest)
    if #near < rest then
      return pickBestInList(prefix, indexKey, near, filter)
    end
  end
  found = scanIndex(prefix, indexKey, filter, nextStart, rest)
  return found
end
