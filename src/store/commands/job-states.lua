-- Where each job is, in O(1) per job: 0 no job, 1 in the queue (waiting, delayed, active or kept
-- as completed), 2 failed for good. BullMQ's getState looks a waiting job up with LPOS over the
-- whole wait list, which is quadratic for a sweep of 100,000 queued jobs.
-- KEYS[1] failed zset
-- ARGV[1] job key prefix ("<prefix>:<queue>:")  ARGV[2..] job ids
local states = {}
for i = 2, #ARGV do
  local id = ARGV[i]
  if redis.call('EXISTS', ARGV[1] .. id) == 0 then
    states[i - 1] = 0
  elseif redis.call('ZSCORE', KEYS[1], id) then
    states[i - 1] = 2
  else
    states[i - 1] = 1
  end
end
return states
