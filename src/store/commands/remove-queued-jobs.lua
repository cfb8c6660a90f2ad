-- Removes up to ARGV[3] queued (waiting, paused, delayed or prioritized) jobs whose id starts with
-- ARGV[2] (one sweep's: "<sweepId>."), atomically, and counts that sweep's active jobs. One pass
-- over each list or sorted set: BullMQ's own removeJob does an LREM per job, which is quadratic
-- for a sweep of 100,000 waiting jobs. Active (locked) jobs are never touched: they finish.
-- KEYS[1] wait list  KEYS[2] paused list  KEYS[3] delayed zset  KEYS[4] prioritized zset
-- KEYS[5] active list
-- ARGV[1] job key prefix ("<prefix>:<queue>:")  ARGV[2] job id prefix  ARGV[3] most jobs to remove
-- ARGV[4] Lua pattern the rest of the id must match (a trial id), so that another sweep whose id
-- happens to start with this one's is never touched
-- Returns { active jobs of the sweep, { removed job ids } }.
local jobPrefix, idPrefix, limit, rest = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local n = #idPrefix
local removed = {}
local function mine(id)
  return string.sub(id, 1, n) == idPrefix and string.find(string.sub(id, n + 1), rest) ~= nil
end
local function take(id)
  if #removed < limit and mine(id) then
    redis.call('DEL', jobPrefix .. id, jobPrefix .. id .. ':logs')
    removed[#removed + 1] = id
    return true
  end
  return false
end
-- Lists are rebuilt without the removed ids, order kept.
for _, key in ipairs({ KEYS[1], KEYS[2] }) do
  local ids = redis.call('LRANGE', key, 0, -1)
  local kept = {}
  for _, id in ipairs(ids) do
    if not take(id) then kept[#kept + 1] = id end
  end
  if #kept < #ids then
    redis.call('DEL', key)
    for i = 1, #kept, 5000 do
      redis.call('RPUSH', key, unpack(kept, i, math.min(i + 4999, #kept)))
    end
  end
end
for _, key in ipairs({ KEYS[3], KEYS[4] }) do
  local gone = {}
  for _, id in ipairs(redis.call('ZRANGE', key, 0, -1)) do
    if take(id) then gone[#gone + 1] = id end
  end
  for i = 1, #gone, 5000 do
    redis.call('ZREM', key, unpack(gone, i, math.min(i + 4999, #gone)))
  end
end
local active = 0
for _, id in ipairs(redis.call('LRANGE', KEYS[5], 0, -1)) do
  if mine(id) then active = active + 1 end
end
return { active, removed }
