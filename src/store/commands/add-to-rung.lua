-- Records a trial's score at an ASHA rung and counts, in the same atomic step, how many trials
-- reached the rung and how many of them scored strictly better. Several workers reaching the
-- same rung at once are serialized by Redis; a re-delivered trial overwrites its own entry.
-- KEYS[1] rung sorted set (higher is better); ARGV[1] trialId; ARGV[2] score
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local reached = redis.call('ZCARD', KEYS[1])
local better = redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[2], '+inf')
return { reached, better }
