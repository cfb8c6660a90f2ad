-- Releases a lock only if this holder still owns it (its token), so a holder whose lock
-- expired never deletes the lock a later holder took.
-- KEYS[1] lock key; ARGV[1] token
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
