-- Starts a delivery of a trial, atomically: refuses a trial its sweep does not hold (a crafted or
-- stale job writes nothing), then counts the delivery, marks the trial active with that number,
-- and announces it. The number (1 for the first delivery, 2 for a re-delivery, ...) is the
-- delivery's fencing token and its attempt number.
-- KEYS[1] sweep record   KEYS[2] trials hash   KEYS[3] cancel flag   KEYS[4] results hash
-- KEYS[5] active hash    KEYS[6] deliveries hash
-- ARGV[1] trialId  ARGV[2] active-trial JSON, without its attempt  ARGV[3] events channel  ARGV[4] event JSON
-- Returns { 0 } when the sweep or the trial is unknown, else { 1, fence, cancelled, earlier result or false }.
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then
  return { 0 }
end
local cancelled = redis.call('EXISTS', KEYS[3])
local earlier = redis.call('HGET', KEYS[4], ARGV[1])
local fence = redis.call('HINCRBY', KEYS[6], ARGV[1], 1)
local active = cjson.decode(ARGV[2])
active['attempt'] = fence
redis.call('HSET', KEYS[5], ARGV[1], cjson.encode(active))
redis.call('PUBLISH', ARGV[3], ARGV[4])
return { 1, fence, cancelled, earlier }
