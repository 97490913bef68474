-- Choosing a proxy from an "available" index (a sorted set whose lowest score is the best
-- choice for the selector), honouring a compiled filter.
--
-- filter (decoded JSON, built by the TypeScript client):
--   fields  = { 'label:country', 'tag:residential', ... }  hash fields read per candidate
--   all     = { {fieldIndex, value}, ... }                 every condition holds
--   any     = { clause, ... }                              at least one clause holds
--   none    = { clause, ... }                              no clause holds
--   exclude = { proxyId, ... }
--   drive   = { 'label:country:AR', ... }                  sets that contain every match
-- plus, when the acquire has a scope: scopeRestKey / scopeLoadKey / scopeCap / now, so a
-- proxy resting (or at its cap) for that scope is passed over.
--
-- Cost: without a filter, one ZRANGE (O(log N)). With one, either walk the smallest
-- "drive" set when it is small (exact), or walk the index from its head, checking
-- candidates; a filter matching a fraction f of available proxies needs about 1/f checks.
--
-- Round-robin and least-used are the exception: leasing a match moves it to the tail of
-- their index (higher last-use sequence, higher load), so under steady filtered traffic
-- the head fills with non-matching proxies and a head walk grows with the pool. With a
-- large drive set they take the best of a random sample of matches instead (approximate
-- LRU / least load, O(sample)); first-available stays exact.
-- Whatever the path, when the cheap steps find nothing the search finishes exhaustively
-- over the smaller of the drive set and the rest of the index, so a match is never missed.

-- A drive set this small is searched exactly (every member scored); a larger one is sampled
-- or walked. Exact costs ~0.6 µs a member: at 256 a 10 % filter on a 2,000-proxy pool took
-- ~200 µs a pick, more than the sampled pick on a 100,000-proxy pool (~11 µs).
local DRIVE_SET_LIMIT = 32
local SCAN_PAGE = 32
local SCAN_BUDGET = 1024
-- Eight, not more: sampling and scoring cost grows with it (~0.6 µs a candidate), and the
-- best of eight random matches is on average among the oldest ~11% for round-robin.
local SAMPLE_SIZE = 8

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

local function clauseHolds(values, clause)
  for _, cond in ipairs(clause) do
    if values[cond[1]] ~= cond[2] then
      return false
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
  local values = rcall('HMGET', prefix .. 'proxy:' .. proxyId, unpack(filter.fields))
  if not clauseHolds(values, filter.all) then
    return false
  end
  if #filter.any > 0 then
    local anyHolds = false
    for _, clause in ipairs(filter.any) do
      if clauseHolds(values, clause) then
        anyHolds = true
        break
      end
    end
    if not anyHolds then
      return false
    end
  end
  for _, clause in ipairs(filter.none) do
    if clauseHolds(values, clause) then
      return false
    end
  end
  return true
end

-- Best (lowest-scored, then lowest id) available candidate that matches the filter: one
-- ZMSCORE for all candidates, then the filter is checked best-first, so usually only once.
-- A sample of a few: take the best, and look further only if it fails the filter (no sort,
-- no comparator calls). A whole drive set (up to DRIVE_SET_LIMIT): sort once, so a filter
-- that most of the set fails still costs O(n log n).
local function pickBest(prefix, indexKey, candidates, filter)
  local n = #candidates
  if n == 0 then
    return nil
  end
  local raw = rcall('ZMSCORE', indexKey, unpack(candidates))
  local scores = {}
  for i = 1, n do
    -- A candidate without a score is not available and never picked.
    scores[i] = raw[i] and tonumber(raw[i]) or false
  end
  if n > 2 * SAMPLE_SIZE then
    local order = {}
    for i = 1, n do
      if scores[i] then
        order[#order + 1] = i
      end
    end
    table.sort(order, function(a, b)
      return scores[a] < scores[b] or (scores[a] == scores[b] and candidates[a] < candidates[b])
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
          or (score == scores[best] and candidates[i] < candidates[best])) then
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

local EMPTY_FILTER_JSON = '{"fields":[],"all":[],"any":[],"none":[],"exclude":[],"drive":[]}'

-- Decoded filters by their JSON: a fleet sends the same few filters over and over, and a
-- decode costs ~1.8 µs. Pure functions of the string, so keeping them between calls is safe;
-- the table is emptied when it reaches FILTER_CACHE_SIZE entries.
local FILTER_CACHE_SIZE = 256
local filterCache, filterCacheCount = {}, 0

local function decodeFilter(filterJson)
  local filter = filterCache[filterJson]
  if filter == nil then
    filter = cjson.decode(filterJson)
    filter.excluded = {}
    for _, proxyId in ipairs(filter.exclude) do
      filter.excluded[proxyId] = true
    end
    if filterCacheCount >= FILTER_CACHE_SIZE then
      filterCache, filterCacheCount = {}, 0
    end
    filterCache[filterJson] = filter
    filterCacheCount = filterCacheCount + 1
  end
  return filter
end

-- scope = { restKey, loadKey, cap, now } or nil. A filter with a scope is a fresh table
-- over the cached one (the scope's keys and time change per call).
local function compileFilter(filterJson, scope)
  if filterJson == '' and scope == nil then
    return nil
  end
  local filter = decodeFilter(filterJson ~= '' and filterJson or EMPTY_FILTER_JSON)
  if scope then
    filter = setmetatable({ scopeRestKey = scope.restKey, scopeLoadKey = scope.loadKey,
      scopeCap = scope.cap, now = scope.now }, { __index = filter })
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
      local present = rcall('ZMSCORE', availableKey, unpack(candidates))
      local available = {}
      for i, proxyId in ipairs(candidates) do
        if present[i] then
          available[#available + 1] = proxyId
        end
      end
      candidates = available
    end
  else
    candidates = rcall('ZRANDMEMBER', availableKey, SAMPLE_SIZE)
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
    for i, negative in ipairs(rcall('ZMSCORE', byHealthKey, unpack(candidates))) do
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
-- (approximate; exact for pools no bigger than the sample).
local function pickBestOfSample(prefix, availableKey, filter, byLatency)
  local candidates = sampleAvailable(prefix, availableKey, filter)
  local best, bestScore = nil, nil
  local scores = byLatency and {} or healthScoresOf(prefix, nil, candidates)
  for i, proxyId in ipairs(candidates) do
    local score
    if byLatency then
      local f = rcall('HMGET', prefix .. 'proxy:' .. proxyId, 'latencySumMs', 'latencyCount')
      local count = tonumber(f[2]) or 0
      score = count > 0 and tonumber(f[1]) / count or 0
    else
      score = -scores[i]
    end
    if bestScore == nil or score < bestScore or (score == bestScore and proxyId < best) then
      best, bestScore = proxyId, score
    end
  end
  return best
end

local function pickProxy(prefix, indexKey, filter, sampleLargeDriveSet)
  if filter == nil then
    return rcall('ZRANGE', indexKey, 0, 0)[1]
  end

  local driveKey, driveSize = smallestDriveSet(prefix, filter)
  if driveSize == 0 then
    return nil
  end
  if driveKey and driveSize <= DRIVE_SET_LIMIT then
    return pickBest(prefix, indexKey, rcall('SMEMBERS', driveKey), filter)
  end
  if driveKey and sampleLargeDriveSet then
    local sampled = pickBest(prefix, indexKey, randomMembers(driveKey), filter)
    if sampled then
      return sampled
    end
  end

  local found, nextStart = scanIndex(prefix, indexKey, filter, 0, SCAN_BUDGET)
  if found or nextStart == -1 then
    return found
  end
  -- Matches are rare among available proxies: finish with whichever is smaller, the drive
  -- set or the rest of the index. Correct always; costly only for that rare shape.
  local rest = rcall('ZCARD', indexKey) - nextStart
  if driveKey and driveSize < rest then
    return pickBest(prefix, indexKey, rcall('SMEMBERS', driveKey), filter)
  end
  found = scanIndex(prefix, indexKey, filter, nextStart, rest)
  return found
end
