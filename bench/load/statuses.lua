-- bench/run's wrk script: the replay script named by REPLAY_LUA (../shared/bench/load/replay.lua,
-- or bench/load/replay.lua without it), plus
--  * a start gate: wrk loads the script into its main state and then into each thread's state in
--    turn, starting each thread as soon as its state is loaded; with a large request file the
--    first thread would send alone for seconds while the next one loads. Each state counts itself
--    in BENCH_GATE.n once loaded; the last of BENCH_STATES (threads + 1) writes BENCH_GATE with
--    the time, and until then delay() holds every request back by 200 ms;
--  * exact counts of the answers by status class (wrk's "Non-2xx or 3xx responses" counts only
--    statuses above 399), in all and from the gate's time on, and the time of the last answer:
--    bench/run divides the 2xx answers after the gate by the time from the gate to the last one.
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

local gate = os.getenv("BENCH_GATE")
go = -1 -- the gate's time; -1 while it is closed
if gate then
  local f = io.open(gate .. ".n", "a"); f:write("x"); f:close()
  f = io.open(gate .. ".n", "r"); local loaded = #f:read("*a"); f:close()
  if loaded >= tonumber(os.getenv("BENCH_STATES") or "1") then
    go = monotonic()
    f = io.open(gate .. ".tmp", "w"); f:write(string.format("%.6f", go)); f:close()
    os.rename(gate .. ".tmp", gate)
  end
else
  go = 0
end
function delay()
  if go >= 0 then return 0 end
  local f = io.open(gate, "r")
  if not f then return 200 end
  go = tonumber(f:read("*a")); f:close()
  return 0
end

local replay_setup = setup
local threads = {}
function setup(thread)
  if replay_setup then replay_setup(thread) end
  table.insert(threads, thread)
end
ok, other, ok_after, last = 0, 0, 0, -1
function response(status, headers, body)
  local good = status >= 200 and status <= 299
  if good then ok = ok + 1 else other = other + 1 end
  local t = monotonic()
  if go >= 0 and t >= go and good then ok_after = ok_after + 1 end
  last = t
end
function done(summary, latency, requests)
  local o, n, a, g, l = 0, 0, 0, -1, -1
  for _, t in ipairs(threads) do
    o = o + t:get("ok")
    n = n + t:get("other")
    a = a + t:get("ok_after")
    if t:get("go") > g then g = t:get("go") end
    if t:get("last") > l then l = t:get("last") end
  end
  io.write(string.format("bench-statuses: 2xx=%d other=%d 2xx_after_gate=%d gate_to_last=%.6f\n", o, n, a,
    (g > 0 and l > g) and (l - g) or 0))
end
