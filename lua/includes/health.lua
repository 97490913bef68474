-- Health of a proxy from its counters. Weights (seed): 60% success rate, 20% recency of the
-- last success, 20% latency; an open circuit multiplies by 0.1, half-open by 0.5; disabled
-- is 0. Unknowns are neutral (0.5) so a new proxy is neither favoured nor starved.
local LATENCY_BOUNDS_MS = { 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000 }
local RECENCY_HALF_LIFE_MS = 3600000
local HEALTH_FIELDS = { 'status', 'circuit', 'successes', 'failures', 'lastSuccessAt',
  'latencySumMs', 'latencyCount' }

local function latencyBucketField(ms)
  for _, bound in ipairs(LATENCY_BOUNDS_MS) do
    if ms <= bound then
      return 'lat:' .. bound
    end
  end
  return 'lat:inf'
end

-- f = { status, circuit, successes, failures, lastSuccessAt, latencySumMs, latencyCount }
local function healthScoreOf(f, now)
  if f[1] == 'disabled' then
    return 0
  end
  local successes, failures = tonumber(f[3]) or 0, tonumber(f[4]) or 0
  local successRate = (successes + 1) / (successes + failures + 2)
  local recency = 0.5
  local lastSuccess = tonumber(f[5]) or 0
  if lastSuccess > 0 then
    recency = 0.5 ^ (math.max(0, now - lastSuccess) / RECENCY_HALF_LIFE_MS)
  elseif successes + failures > 0 then
    recency = 0
  end
  local latency = 0.5
  local count = tonumber(f[7]) or 0
  if count > 0 then
    latency = 1 / (1 + (tonumber(f[6]) / count) / 1000)
  end
  local score = 0.6 * successRate + 0.2 * recency + 0.2 * latency
  if f[2] == 'open' then
    score = score * 0.1
  elseif f[2] == 'half-open' then
    score = score * 0.5
  end
  return score
end

local function healthScore(key, now)
  return healthScoreOf(rcall('HMGET', key, unpack(HEALTH_FIELDS)), now)
end

local function formatScore(score)
  return string.format('%.6f', score)
end

-- The stored score orders the "healthiest" index; it is refreshed at every outcome and
-- transition (recency decay between outcomes is not reflected until the next one).
local function storeHealthScore(key, now)
  local score = healthScore(key, now)
  rcall('HSET', key, 'healthScore', formatScore(score))
  return score
end
