-- Writes a sweep's baseline result, but only for the current delivery of its job (as
-- save-result.lua for a trial): a worker that lost the job and comes back late holds an older
-- fencing token, and its write is refused.
-- KEYS[1] baseline hash
-- ARGV[1] fence (0: unfenced)  ARGV[2] result JSON
-- Returns 1 when written, 0 when a later delivery holds the job.
local fence = tonumber(ARGV[1])
if fence > 0 and tonumber(redis.call('HGET', KEYS[1], 'deliveries') or '0') ~= fence then
  return 0
end
redis.call('HSET', KEYS[1], 'result', ARGV[2])
redis.call('HDEL', KEYS[1], 'active', 'failure', 'cancelled')
return 1
