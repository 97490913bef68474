--- @include "includes/poolContext"

-- Append one entry to the pool's error-log stream, capped (approximately) at the pool's
-- errorLogMaxLength. `fields` is a table of name -> value; empty values are left out.
local ERROR_LOG_FIELDS = { 'type', 'proxyId', 'sessionId', 'leaseId', 'consumer', 'category',
  'statusCode', 'message', 'latencyMs', 'reason', 'subject', 'from', 'to', 'scope', 'probe' }

local function logEntry(ctx, fields)
  local settings = poolSettings(ctx)
  local maxLen = settings and settings.errorLogMaxLength or 10000
  if maxLen <= 0 then
    maxLen = 10000
  end
  local args = { 'XADD', ctx.errorLog, 'MAXLEN', '~', maxLen, '*', 'pool',
    settings and settings.name or '', 'at', ctx.now }
  for _, name in ipairs(ERROR_LOG_FIELDS) do
    local value = fields[name]
    if value ~= nil and value ~= '' and value ~= false then
      args[#args + 1] = name
      args[#args + 1] = value
    end
  end
  rcall(unpack(args))
end

-- `probe`: decided by an active health check (the entry is marked as a probe's).
local function logTransition(ctx, subject, proxyId, sessionId, from, to, reason, probe)
  logEntry(ctx, { type = 'transition', subject = subject, proxyId = proxyId,
    sessionId = sessionId, from = from, to = to, reason = reason, probe = probe and '1' or nil })
end
