-- Extends a lock only while this holder still owns it (its token).
-- KEYS[1] lock key; ARGV[1] token; ARGV[2] new time to live in ms
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
