-- Atomic token buckets: a request passes only if EVERY bucket named in KEYS holds `cost` tokens, and then
-- `cost` is taken from each of them; a refused request takes nothing from any bucket.
--
-- KEYS[i]            one bucket per key (the limiter passes the tenant's bucket, then the principal's)
-- ARGV[1]            cost (tokens this request needs, >= 1)
-- ARGV[2i], ARGV[2i+1]  capacity (burst) and refill rate (tokens per second) of KEYS[i]
--
-- A bucket is a hash {t = tokens after the last taking, ts = server time of that taking, in microseconds}.
-- A missing key is a full bucket. Tokens refill continuously: t + (now - ts) * rate, capped at capacity. Time is
-- the server's (TIME), so every gateway instance sees one clock. After a taking the key gets a PEXPIRE of the time
-- it needs to refill completely: once expired it is indistinguishable from a full bucket, so idle keys vanish.
--
-- Returns {allowed (1/0), retry_after_ms, limited_by, remaining}:
--   retry_after_ms  0 when allowed; otherwise when the slowest short bucket will hold `cost` tokens (>= 1)
--   limited_by      0 when allowed; otherwise the index in KEYS of that bucket
--   remaining       whole tokens left in the emptiest bucket (after this taking, if allowed)
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local cost = tonumber(ARGV[1])
local tokens = {}
local wait_us = 0
local limited_by = 0

for i = 1, #KEYS do
  local capacity = tonumber(ARGV[2 * i])
  local rate = tonumber(ARGV[2 * i + 1])
  local state = redis.call('HMGET', KEYS[i], 't', 'ts')
  local t = tonumber(state[1])
  local ts = tonumber(state[2])
  if t == nil or ts == nil then
    t = capacity
  elseif now > ts then
    t = math.min(capacity, t + (now - ts) * rate / 1000000)
  else
    t = math.min(capacity, t) -- the server clock went back: no refill until it passes ts again
  end
  tokens[i] = t
  if t < cost then
    -- whole microseconds, rounded up; the 1e-6 keeps float noise (1000.0000000001) from adding a microsecond
    local wait = math.ceil((cost - t) * 1000000 / rate - 0.000001)
    if wait > wait_us or limited_by == 0 then
      wait_us = wait
      limited_by = i
    end
  end
end

if limited_by == 0 then
  for i = 1, #KEYS do
    local capacity = tonumber(ARGV[2 * i])
    local rate = tonumber(ARGV[2 * i + 1])
    local t = tokens[i] - cost
    tokens[i] = t
    redis.call('HSET', KEYS[i], 't', string.format('%.17g', t), 'ts', string.format('%.0f', now))
    redis.call('PEXPIRE', KEYS[i], string.format('%.0f', math.max(1, math.ceil((capacity - t) * 1000 / rate))))
  end
end

local remaining = tokens[1]
for i = 2, #KEYS do
  remaining = math.min(remaining, tokens[i])
end

if limited_by == 0 then
  return {1, 0, 0, math.floor(remaining)}
end
return {0, math.max(1, math.ceil(wait_us / 1000)), limited_by, math.floor(remaining)}
