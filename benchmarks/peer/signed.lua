-- wrk script: POST pre-signed Standard Webhooks requests, each with its own webhook-id.
--
-- Settings come from the environment (the benchmark sets them):
--   BENCH_DIR      folder written by benchmarks/peer/requests.py: body.prefix, body.suffix, requests.tsv
--   BENCH_PATH     request path, e.g. /webhooks/shop or /order
--   BENCH_THREADS  the -t given to wrk (each thread takes every n-th request line)
--   BENCH_LIMIT    0: send until the duration ends; N: send exactly N requests in all, then
--                  idle (a connection that must send again asks for BENCH_NOOP_PATH, answered 404)
--   BENCH_OUT      file this script writes its counts and latency percentiles to (JSON)
-- Each body is body.prefix .. order id .. body.suffix, byte for byte what requests.py signed.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC, the sink's clock too
  return tonumber(ts.tv_sec) * 1000000 + math.floor(tonumber(ts.tv_nsec) / 1000)
end

local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local dir = os.getenv("BENCH_DIR")
local path = os.getenv("BENCH_PATH") or "/"
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
local limit = tonumber(os.getenv("BENCH_LIMIT") or "0")
local noop_path = os.getenv("BENCH_NOOP_PATH") or "/__bench_noop"

-- main thread: give each thread its index
local threads = {}
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

-- per thread: globals, so that done() can read them with thread:get()
prefix, suffix, reqs, quota = nil, nil, nil, -1
idx, sent, ok, bad, noop, wrapped, responses = 0, 0, 0, 0, 0, 0, 0
first_send, last_response, done_flag = 0, 0, 0
log = {}
statuses = {}

function init(args)
  prefix = slurp(dir .. "/body.prefix")
  suffix = slurp(dir .. "/body.suffix")
  reqs = {}
  local n = 0
  for line in io.lines(dir .. "/requests.tsv") do
    if n % nthreads == tid then
      local oid, id, stamp, sig = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)$")
      reqs[#reqs + 1] = { oid = oid, id = id, ts = stamp, sig = sig }
    end
    n = n + 1
  end
  if limit > 0 then
    quota = math.floor(limit / nthreads) + ((tid < limit % nthreads) and 1 or 0)
  else
    quota = -1
  end
end

verified = false

function request()
  if not verified then
    -- wrk calls request() once in the first thread's state before the run, to check the script;
    -- that request is never sent, so it must not use up an order
    verified = true
    if tid == 0 then return wrk.format("GET", noop_path) end
  end
  if quota >= 0 and sent >= quota then
    noop = noop + 1
    return wrk.format("GET", noop_path)
  end
  idx = idx + 1
  if idx > #reqs then
    idx = 1
    wrapped = wrapped + 1
  end
  local r = reqs[idx]
  sent = sent + 1
  local t = now_us()
  if first_send == 0 then first_send = t end
  if quota >= 0 then log[#log + 1] = r.oid .. " " .. t end
  return wrk.format("POST", path, {
    ["content-type"] = "application/json",
    ["webhook-id"] = r.id,
    ["webhook-timestamp"] = r.ts,
    ["webhook-signature"] = r.sig,
  }, prefix .. r.oid .. suffix)
end

if limit > 0 then
  -- once this thread has sent its share, a connection asking for more waits 50 ms per no-op request
  function delay()
    if sent >= quota then return 50 end
    return 0
  end
end

function response(status, headers, body)
  if status == 404 and quota >= 0 and sent >= quota then
    return -- the answer to an idle connection's no-op request
  end
  responses = responses + 1
  last_response = now_us()
  if status >= 200 and status < 300 then
    ok = ok + 1
  else
    bad = bad + 1
    statuses[tostring(status)] = (statuses[tostring(status)] or 0) + 1
  end
  if quota >= 0 and responses >= quota and done_flag == 0 then
    done_flag = 1
    local f = io.open(os.getenv("BENCH_OUT") .. ".thread" .. tid, "w")
    if f then f:write("done\n"); f:close() end
  end
end

local function percentiles(h)
  local out = {}
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do out[tostring(p)] = h:percentile(p) end
  out["max"] = h.max
  out["mean"] = h.mean
  return out
end

local function json_str(s) return '"' .. tostring(s):gsub('\\', '\\\\'):gsub('"', '\\"') .. '"' end

local function to_json(v)
  local t = type(v)
  if t == "table" then
    local parts = {}
    if #v > 0 then
      for _, x in ipairs(v) do parts[#parts + 1] = to_json(x) end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    for k, x in pairs(v) do parts[#parts + 1] = json_str(k) .. ":" .. to_json(x) end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif t == "number" then
    return string.format("%.17g", v)
  elseif t == "nil" then
    return "null"
  end
  return json_str(v)
end

function done(summary, latency, requests)
  local totals = { sent = 0, ok = 0, bad = 0, noop = 0, wrapped = 0, first_send = nil, last_response = 0 }
  local statuses_all = {}
  local sends = {}
  for _, t in ipairs(threads) do
    totals.sent = totals.sent + t:get("sent")
    totals.ok = totals.ok + t:get("ok")
    totals.bad = totals.bad + t:get("bad")
    totals.noop = totals.noop + t:get("noop")
    totals.wrapped = totals.wrapped + t:get("wrapped")
    local fs = t:get("first_send")
    if fs > 0 and (totals.first_send == nil or fs < totals.first_send) then totals.first_send = fs end
    local lr = t:get("last_response")
    if lr > totals.last_response then totals.last_response = lr end
    for k, n in pairs(t:get("statuses")) do statuses_all[k] = (statuses_all[k] or 0) + n end
    for _, line in ipairs(t:get("log")) do sends[#sends + 1] = line end
  end
  local out = os.getenv("BENCH_OUT")
  if #sends > 0 then
    local f = assert(io.open(out .. ".sends", "w"))
    f:write(table.concat(sends, "\n"), "\n")
    f:close()
  end
  totals.statuses = statuses_all
  totals.duration_us = summary.duration
  totals.requests = summary.requests
  totals.errors = summary.errors
  totals.latency_us = percentiles(latency)
  local f = assert(io.open(out, "w"))
  f:write(to_json(totals), "\n")
  f:close()
end
