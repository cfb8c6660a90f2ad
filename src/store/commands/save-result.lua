-- Writes (or overwrites: one record per trial) a result and ranks it, atomically, but only for the
-- current delivery of the trial: a worker that lost its job (stopped, cut off) and comes back
-- after the trial was re-delivered holds an older fencing token, and its write is refused.
-- KEYS[1] deliveries  KEYS[2] results  KEYS[3] ranking  KEYS[4] failures  KEYS[5] active
-- KEYS[6] live        KEYS[7] pruned  KEYS[8] cv curves
-- ARGV[1] trialId  ARGV[2] fence (0: unfenced)  ARGV[3] result JSON  ARGV[4] rank score
-- ARGV[5] '1' when pruned  ARGV[6] events channel  ARGV[7] event JSON
-- ARGV[8] the fold and refit curves of a cross-validated trial (JSON), or '' (none)
-- Returns 1 when written, 0 when a later delivery holds the trial.
local fence = tonumber(ARGV[2])
if fence > 0 and tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') ~= fence then
  return 0
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
redis.call('HDEL', KEYS[6], ARGV[1])
if ARGV[5] == '1' then
  redis.call('SADD', KEYS[7], ARGV[1])
else
  redis.call('SREM', KEYS[7], ARGV[1])
end
if ARGV[8] ~= '' then
  redis.call('HSET', KEYS[8], ARGV[1], ARGV[8])
else
  redis.call('HDEL', KEYS[8], ARGV[1])
end
redis.call('PUBLISH', ARGV[6], ARGV[7])
return 1
