-- bench/run's wrk script: the replay script named by REPLAY_LUA (../shared/bench/load/replay.lua,
-- or bench/load/replay.lua without it) plus an exact count of the answers by status class (wrk's
-- own "Non-2xx or 3xx responses" counts only statuses above 399; here a 2xx is a 2xx), and when
-- the first and the last answer came. wrk loads the script into each thread's state in turn
-- before its timer starts, so with a large request file the first thread is sending while the
-- second still loads: the answers' own times give the period the load really lasted.
dofile(os.getenv("REPLAY_LUA"))
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec* ts);
]]
local ts = ffi.new("bench_timespec")
local function monotonic()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local replay_setup = setup
local threads = {}
function setup(thread)
  if replay_setup then replay_setup(thread) end
  table.insert(threads, thread)
end
ok, other, first, last = 0, 0, -1, -1
function response(status, headers, body)
  if status >= 200 and status <= 299 then ok = ok + 1 else other = other + 1 end
  local t = monotonic()
  if first < 0 then first = t end
  last = t
end
function done(summary, latency, requests)
  local o, n, f, l = 0, 0, nil, nil
  for _, t in ipairs(threads) do
    o = o + t:get("ok")
    n = n + t:get("other")
    local tf, tl = t:get("first"), t:get("last")
    if tf >= 0 and (f == nil or tf < f) then f = tf end
    if tl >= 0 and (l == nil or tl > l) then l = tl end
  end
  io.write(string.format("bench-statuses: 2xx=%d other=%d answers_over=%.6f\n", o, n, (f and l) and (l - f) or 0))
end
