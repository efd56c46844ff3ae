-- The project's own replay script (used when ../shared/bench/load is absent): each wrk thread
-- sends the lines of REQS (signature TAB body) in order from its own start, thread k at k/4 of
-- the file, as ../shared/bench/load/replay.lua does.
local path = os.getenv("REQS") or "reqs.tsv"
local target = os.getenv("TARGET_PATH") or "/v2/webhooks/revenue_recovery/pro_bench/mca_bench"
local reqs = {}
for line in io.lines(path) do
  local sig, body = line:match("^([^\t]*)\t(.*)$")
  reqs[#reqs + 1] = wrk.format("POST", target,
    {["Stripe-Signature"] = sig, ["Content-Type"] = "application/json", ["Host"] = "127.0.0.1"}, body)
end
local i = 0
function setup(thread) thread:set("offset", i * math.floor(#reqs / 4)); i = i + 1 end
local n = 0
function request()
  n = n + 1
  return reqs[((offset + n) % #reqs) + 1]
end
