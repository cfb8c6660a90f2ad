-- Starts a delivery of a sweep's baseline job, atomically (as start-trial.lua for a trial): refuses
-- a sweep that does not exist, counts the delivery (its fencing token and attempt number) and marks
-- the baseline active with it.
-- KEYS[1] sweep record   KEYS[2] baseline hash   KEYS[3] cancel flag
-- ARGV[1] active JSON, without its attempt
-- Returns { 0 } when the sweep is unknown, else { 1, fence, cancelled, earlier result or false }.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return { 0 }
end
local cancelled = redis.call('EXISTS', KEYS[3])
local earlier = redis.call('HGET', KEYS[2], 'result')
local fence = redis.call('HINCRBY', KEYS[2], 'deliveries', 1)
local active = cjson.decode(ARGV[1])
active['attempt'] = fence
redis.call('HSET', KEYS[2], 'active', cjson.encode(active))
return { 1, fence, cancelled, earlier }
