-- Creates a sweep in one step, or does nothing when it exists (returns 0). Redis refuses a script
-- for lack of memory only at its first write, never half-way, so the trials, the count of trials
-- still without a job, the index entry and the record are written all together or not at all.
-- KEYS[1] sweep record, KEYS[2] sweep index (zset), KEYS[3] trials hash, KEYS[4] unqueued counter
-- ARGV[1] record JSON, ARGV[2] index score, ARGV[3] sweep id, ARGV[4..] trialId, config, ...
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
-- HSET in slices: unpack() of a whole 100,000-trial sweep would overflow Lua's stack.
for i = 4, #ARGV, 2000 do
  redis.call('HSET', KEYS[3], unpack(ARGV, i, math.min(i + 1999, #ARGV)))
end
redis.call('SET', KEYS[4], (#ARGV - 3) / 2)
redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[3])
redis.call('SET', KEYS[1], ARGV[1])
return 1
