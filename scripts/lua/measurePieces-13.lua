--[[
  Benchmark only (pnpm bench:pieces), never loaded by the client: times the pieces of an
  acquire and a release inside Redis, each run ARGV[3] times in a loop between two TIME
  calls, so the figures are the server's own cost with no network in them. It changes the
  pool it is given (takes and ends leases): run it on a private server.

  Input:
    KEYS[1] pool                (hash) settings and live counters of the pool
    KEYS[2] unavailable         (zset)
    KEYS[3] availableByOrder    (zset)
    KEYS[4] availableByLastUse  (zset)
    KEYS[5] availableByLoad     (zset)
    KEYS[6] availableByHealth   (zset)
    KEYS[7] availableByLatency  (zset)
    KEYS[8] leaseDeadlines      (zset)
    KEYS[9] cooldowns           (zset)
    KEYS[10] errorLog           (stream)
    KEYS[11] sessions           (zset)
    KEYS[12] idleSessions       (zset)
    KEYS[13] leases             (hash)

    ARGV[1] key prefix of the pool
    ARGV[2] id of a proxy of the pool (uncapped)
    ARGV[3] iterations per piece
    ARGV[4] a compiled filter JSON that matches some proxies of the pool

  Output:
    { { piece, microseconds per run (string) }, ... }
]]
--- @include "includes/outcomes"
--- @include "includes/cooldowns"

local iterations = tonumber(ARGV[3])
local proxyId = ARGV[2]
local results = {}

local function clockMicros()
  local t = rcall('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end

local function measure(piece, run)
  local started = clockMicros()
  for i = 1, iterations do
    run(i)
  end
  results[#results + 1] = { piece,
    string.format('%.2f', (clockMicros() - started) / iterations) }
end

local ctx = poolContext(KEYS, ARGV[1])
poolSettings(ctx)
local success = readOutcome({ '', '', '', '', '1', '', '', '', '', '150', '', '0.5' }, 5)
local filter = compileFilter(ARGV[4], nil)

measure('TIME', function() rcall('TIME') end)
measure('pool context + hot settings', function() poolSettings(poolContext(KEYS, ARGV[1])) end)
measure('pool context + all settings', function()
  local unused = poolSettings(poolContext(KEYS, ARGV[1])).name
end)
measure('lazy sweeps, nothing due', function()
  reclaimExpired(ctx, 100)
  recoverDueCooldowns(ctx, 100)
end)
measure('pick, round-robin, no filter', function() pickProxy(ctx.prefix, ctx.available[2], nil, true) end)
measure('pick, round-robin, filtered', function()
  pickProxy(ctx.prefix, ctx.available[2], compileFilter(ARGV[4], nil), true)
end)
measure('load a proxy for a lease', function() loadProxy(ctx, proxyId, true) end)
measure('load a proxy in full', function() loadProxy(ctx, proxyId) end)
measure('take a lease', function(i)
  takeLease(ctx, { id = 'A' .. i, proxyId = proxyId, consumer = 'bench', durationMs = 600000 })
end)
measure('release: deadline + lease record', function(i)
  local member = leaseMember(proxyId, 'A' .. i)
  rcall('ZSCORE', ctx.deadlines, member)
  rcall('ZREM', ctx.deadlines, member)
  readLease(ctx, 'A' .. i, proxyId)
end)
measure('release: load + success outcome + save', function(i)
  local p = loadProxy(ctx, proxyId)
  applyOutcome(ctx, { id = 'A' .. i, proxyId = proxyId }, success, p, true)
  saveProxy(p)
end)
measure('release: load + end the lease', function(i)
  endLease(ctx, proxyId, 'A' .. i, { id = 'A' .. i, proxyId = proxyId }, loadProxy(ctx, proxyId))
end)
measure('acquire reply: 8 proxy fields', function()
  rcall('HMGET', proxyKey(ctx, proxyId), 'url', 'tags', 'label:country', 'label:city',
    'label:region', 'label:source', 'label:isp', 'label:asn')
end)
return results
