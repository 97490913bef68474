-- Bounded walks over a pool's proxies by insertion order, one page per script call so no call
-- holds Redis for long (refreshCaps, liftBenches, buildHealthIndexes). The client drives the
-- walk with the cursor each page returns.

-- Which of the two indexes that together list the pool a walk is on: 'available' (by order)
-- or 'unavailable'.
local function walkedIndex(ctx, which)
  return which == 'available' and ctx.available[1] or ctx.unavailable
end

-- The next `batch` members of `indexKey` after insertion order `cursor` ('-inf' to start), as
-- ZRANGE ... WITHSCORES answers: { id, order, id, order, ... }.
local function pageAfter(indexKey, cursor, batch)
  local after = cursor == '-inf' and '-inf' or '(' .. cursor
  return rcall('ZRANGE', indexKey, after, '+inf', 'BYSCORE', 'LIMIT', 0, batch, 'WITHSCORES')
end

-- Where the walk goes on after `page`, or '' when that page was its last.
local function cursorAfter(page, batch)
  if #page < 2 * batch then
    return ''
  end
  return page[#page]
end
