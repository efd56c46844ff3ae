-- bench/run's wrk script: the replay script named by REPLAY_LUA (../shared/bench/load/replay.lua,
-- or bench/load/replay.lua without it) plus an exact count of the answers by status class. wrk's
-- own "Non-2xx or 3xx responses" counts only statuses above 399; here a 2xx is a 2xx.
dofile(os.getenv("REPLAY_LUA"))
local replay_setup = setup
local threads = {}
function setup(thread)
  if replay_setup then replay_setup(thread) end
  table.insert(threads, thread)
end
ok, other = 0, 0
function response(status, headers, body)
  if status >= 200 and status <= 299 then ok = ok + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local o, n = 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok")
    n = n + t:get("other")
  end
  io.write(string.format("bench-statuses: 2xx=%d other=%d\n", o, n))
end
