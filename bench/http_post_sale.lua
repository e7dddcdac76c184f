-- bench/http_post_sale.lua
--
-- wrk script for issue 5's posting target: every request is a till's
-- POST /api/v1/transactions of a one-line member sale with a new
-- external_id, so each one is a real posting (points, lot, ledger, monthly
-- bucket, tier check, audit row) and none is an idempotent repeat.
--
-- Environment:
--   VIPCARE_BENCH_TOKEN    a session token of an admin (posts at any store)
--   VIPCARE_BENCH_MEMBERS  member ids 1..N to spread the sales over (default 1000)
--   VIPCARE_BENCH_STORE    store id of the sales (default 1)
--   VIPCARE_BENCH_RUN      a tag making external ids unique across runs
--
--   wrk --latency -t2 -c16 -d20s -s bench/http_post_sale.lua http://127.0.0.1:PORT

local token = os.getenv("VIPCARE_BENCH_TOKEN")
local members = tonumber(os.getenv("VIPCARE_BENCH_MEMBERS") or "1000")
local store = tonumber(os.getenv("VIPCARE_BENCH_STORE") or "1")
local run = os.getenv("VIPCARE_BENCH_RUN") or tostring(os.time())
local thread_no = 0
-- `id` is a global on purpose: setup() sets it in each thread's Lua state with
-- thread:set, after this file has run there. A `local id` here would hide
-- that global, and every thread would then post the same external ids: half
-- the requests of a two-thread run would be idempotent repeats, not sales.
id = 0
local counter = 0

function setup(thread)
  thread:set("id", thread_no)
  thread_no = thread_no + 1
end

-- The request around the member and the external id's counter, built once in
-- init(): wrk's own format() and a string.format per request made the load
-- tool's Lua ~16 % of its CPU, on the two cores it shares with the server.
local head, body_start, body_member, body_end

function init(args)
  if token == nil or token == "" then error("VIPCARE_BENCH_TOKEN is not set") end
  head = "POST /api/v1/transactions HTTP/1.1\r\n" ..
         "Host: " .. wrk.headers["Host"] .. "\r\n" ..
         "Authorization: Bearer " .. token .. "\r\n" ..
         "Content-Type: application/json\r\n" ..
         "Content-Length: "
  body_start = '{"external_id":"BENCH-' .. run .. '-' .. id .. '-'
  body_member = '","member_id":'
  body_end = ',"store_id":' .. store ..
    ',"occurred_at":"2026-11-23T10:00:00+08:00","lines":[{"sku":"W-001","category":"女装",' ..
    '"list_price_fen":59900,"paid_fen":59900}]}'
end

function request()
  counter = counter + 1
  -- Members in a scattered order so concurrent requests rarely hit one member.
  local member = (counter * 7919 + id * 104729) % members + 1
  local body = body_start .. counter .. body_member .. member .. body_end
  return head .. #body .. "\r\n\r\n" .. body
end
