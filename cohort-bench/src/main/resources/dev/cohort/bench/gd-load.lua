-- cohort-bench gd-throughput: one wrk connection per thread, each a client running one kind of
-- call in a closed loop. Filled in by GdLoad: MODE, AUTH, RUN (unique per wrk run), BATCH.
--   plain    POST /invoke/samples.orders/placeOrder (no guarantee)
--   key      the same with a new Idempotency-Key
--   classic  POST /gd/tx {"tid"} + POST /gd/tx/{tid}/invoke/... + DELETE /gd/tx/{tid}
--   compact  POST /gd/tx/{tid}/invoke/...?start=true, and DELETE /gd/tx?tids=... once BATCH wait
-- Every answer is checked; a transaction counts only once all its requests answered as expected.
local mode = "@MODE@"
local auth = "@AUTH@"
local run = "@RUN@"
local batch = @BATCH@

local threads = {}
local n = 0

function setup(thread)
  n = n + 1
  thread:set("id", n)
  table.insert(threads, thread)
end

local counter, step, tid, session = 0, 0, nil, nil
local unended, ending = {}, false
ok, orders, errors, sample = 0, 0, 0, ""

local function body(ref)
  return '{"sku":"bench","qty":1,"ref":"' .. ref .. '"}'
end

local function headers()
  local h = { ["Authorization"] = auth, ["Content-Type"] = "application/json" }
  if session then h["X-Cohort-Session"] = session end
  return h
end

local function fresh()
  counter = counter + 1
  return run .. "-" .. id .. "-" .. counter
end

function request()
  local h = headers()
  if mode == "plain" then
    return wrk.format("POST", "/invoke/samples.orders/placeOrder", h, body(fresh()))
  elseif mode == "key" then
    local key = fresh()
    h["Idempotency-Key"] = key
    return wrk.format("POST", "/invoke/samples.orders/placeOrder", h, body(key))
  elseif mode == "classic" then
    if step == 0 then
      tid = fresh()
      return wrk.format("POST", "/gd/tx", h, '{"tid":"' .. tid .. '"}')
    elseif step == 1 then
      return wrk.format("POST", "/gd/tx/" .. tid .. "/invoke/samples.orders/placeOrder", h, body(tid))
    end
    return wrk.format("DELETE", "/gd/tx/" .. tid, h)
  end
  if ending then
    return wrk.format("DELETE", "/gd/tx?tids=" .. table.concat(unended, ","), h)
  end
  tid = fresh()
  return wrk.format("POST", "/gd/tx/" .. tid .. "/invoke/samples.orders/placeOrder?start=true&ttlSeconds=600", h, body(tid))
end

local function header(hs, name)
  for k, v in pairs(hs) do
    if string.lower(k) == name then return v end
  end
  return nil
end

local function fail(what, status, text)
  errors = errors + 1
  if sample == "" then
    sample = what .. " answered " .. status .. ": " .. string.sub(text or "", 1, 200)
  end
  step, ending, unended = 0, false, {}
end

local function placed(status, hs, text)
  return status == 200 and string.find(text, '"orderId"', 1, true) ~= nil
    and header(hs, "idempotent-replayed") == nil
end

function response(status, hs, text)
  local s = header(hs, "x-cohort-session")
  if s then session = s end
  if mode == "plain" or mode == "key" then
    if not placed(status, hs, text) then return fail(mode, status, text) end
    ok, orders = ok + 1, orders + 1
  elseif mode == "classic" then
    if step == 0 then
      if status ~= 201 then return fail("start", status, text) end
      step = 1
    elseif step == 1 then
      if not placed(status, hs, text) or header(hs, "x-cohort-tx-state") ~= "DONE" then
        return fail("invoke", status, text)
      end
      orders = orders + 1
      step = 2
    else
      if status ~= 204 then return fail("end", status, text) end
      ok = ok + 1
      step = 0
    end
  elseif ending then
    if status ~= 204 then return fail("end", status, text) end
    ok = ok + #unended
    unended, ending = {}, false
  else
    if not placed(status, hs, text) or header(hs, "x-cohort-tx-state") ~= "DONE" then
      return fail("invoke?start=true", status, text)
    end
    orders = orders + 1
    table.insert(unended, tid)
    ending = #unended >= batch
  end
end

function done(summary, latency, requests)
  local o, p, e, first = 0, 0, 0, ""
  for _, t in ipairs(threads) do
    o = o + t:get("ok")
    p = p + t:get("orders")
    e = e + t:get("errors")
    if first == "" then first = t:get("sample") end
  end
  io.write(string.format("cohort-gd: ok=%d orders=%d errors=%d duration_us=%d requests=%d p50_us=%d p99_us=%d\n",
    o, p, e, summary.duration, summary.requests, latency:percentile(50), latency:percentile(99)))
  if first ~= "" then io.write("cohort-gd-sample: " .. first .. "\n") end
end
