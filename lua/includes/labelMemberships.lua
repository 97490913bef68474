-- A proxy's labels and tags live in its hash as "label:<name>" = value and "tag:<tag>" = 1,
-- mirrored by sets "label:<name>:<value>" and "tag:<tag>" that filters use as indexes. A
-- label name never contains ':', so the set of one name/value pair is never another's.
-- Labels beyond the six common names are also kept together as JSON in "moreLabels", so a
-- lease reads every label with one fixed HMGET. A location is "latitude" / "longitude" in
-- the hash and a member of the pool's geo index "locations".
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
  rcall('HDEL', proxyKey, 'moreLabels', 'latitude', 'longitude')
  rcall('ZREM', prefix .. 'locations', proxyId)
end

-- labels = {{name, value}...}; moreLabels = JSON of the uncommon ones, or ''; location =
-- {latitude, longitude} as decimal strings, or nil.
local function addLabelMemberships(prefix, proxyKey, proxyId, labels, tags, moreLabels, location)
  for _, pair in ipairs(labels) do
    rcall('HSET', proxyKey, 'label:' .. pair[1], pair[2])
    rcall('SADD', prefix .. 'label:' .. pair[1] .. ':' .. pair[2], proxyId)
  end
  for _, tag in ipairs(tags) do
    rcall('HSET', proxyKey, 'tag:' .. tag, '1')
    rcall('SADD', prefix .. 'tag:' .. tag, proxyId)
  end
  if moreLabels and moreLabels ~= '' then
    rcall('HSET', proxyKey, 'moreLabels', moreLabels)
  end
  if type(location) == 'table' then
    rcall('HSET', proxyKey, 'latitude', location[1], 'longitude', location[2])
    rcall('GEOADD', prefix .. 'locations', location[2], location[1], proxyId)
  end
end
