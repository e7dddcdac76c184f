-- bench/http_lookup.lua
--
-- wrk script for issue 2's HTTP lookup target: every request is a till's
-- GET /api/v1/members?q=<card number or mobile> with a bearer token, over
-- wrk's keep-alive connections, for a key drawn at random from a file.
--
-- Environment (bench/run.sh sets both):
--   VIPCARE_BENCH_KEYS   file with one card number or mobile per line
--   VIPCARE_BENCH_TOKEN  a session token from POST /api/v1/auth/login
--
--   wrk --latency -t2 -c16 -d20s -s bench/http_lookup.lua http://127.0.0.1:PORT
--
-- There is no response() hook, so wrk does not hand bodies to Lua and the
-- client stays cheap; wrk itself counts "Non-2xx or 3xx responses", and
-- bench/run.sh checks one request with curl before the runs.

local keys = {}
local token = os.getenv("VIPCARE_BENCH_TOKEN")
local keys_path = os.getenv("VIPCARE_BENCH_KEYS")

local function load_keys()
  if token == nil or token == "" then
    error("VIPCARE_BENCH_TOKEN is not set")
  end
  if keys_path == nil or keys_path == "" then
    error("VIPCARE_BENCH_KEYS is not set")
  end
  local f = assert(io.open(keys_path, "r"))
  for line in f:lines() do
    -- Keys are digits only (cards and mobiles), so they need no URL escaping.
    local key = line:match("^%s*(%d+)%s*$")
    if key then keys[#keys + 1] = key end
  end
  f:close()
  if #keys == 0 then error(keys_path .. " holds no keys") end
end

-- Runs once per wrk thread, each in its own Lua state.
function init(args)
  load_keys()
  -- Different threads draw different sequences.
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Accept"] = "application/json"
end

function request()
  return wrk.format("GET", "/api/v1/members?q=" .. keys[math.random(#keys)])
end
