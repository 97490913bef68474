-- A proxy's labels and tags live in its hash as "label:<name>" = value and "tag:<tag>" = 1,
-- mirrored by sets "label:<name>:<value>" and "tag:<tag>" that filters use as indexes.
local function dropLabelMemberships(prefix, proxyKey, proxyId)
  local fields = rcall('HGETALL', proxyKey)
  for i = 1, #fields, 2 do
    local field = fields[i]
    if string.sub(field, 1, 6) == 'label:' then
      rcall('SREM', prefix .. field .. ':' .. fields[i + 1], proxyId)
      rcall('HDEL', proxyKey, field)
    elseif string.sub(field, 1, 4) == 'tag:' then
      rcall('SREM', prefix .. field, proxyId)
      rcall('HDEL', proxyKey, field)
    end
  end
end

local function addLabelMemberships(prefix, proxyKey, proxyId, labels, tags)
  for _, pair in ipairs(labels) do
    rcall('HSET', proxyKey, 'label:' .. pair[1], pair[2])
    rcall('SADD', prefix .. 'label:' .. pair[1] .. ':' .. pair[2], proxyId)
  end
  for _, tag in ipairs(tags) do
    rcall('HSET', proxyKey, 'tag:' .. tag, '1')
    rcall('SADD', prefix .. 'tag:' .. tag, proxyId)
  end
end
