-- Server time in milliseconds: one clock for the whole fleet, whatever the callers' clocks say.
local function nowMs()
  local t = rcall('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
