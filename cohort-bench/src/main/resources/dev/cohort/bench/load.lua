-- wrk script for one target of dev.cohort.bench.InvokeBenchmark (rendered into a temp dir per run).
--
-- Every request is a POST of a small JSON body. A response counts only if it is a 200 whose body
-- contains the expected text; anything else is counted as unexpected and fails the run.
--
-- With sessions on, each wrk thread keeps a pool of the session ids the server handed out in
-- X-Cohort-Session: a request takes an idle id from the pool (or sends none, and the server starts
-- a session for the credentials), and its response puts the id back. No id is ever used by two
-- requests at once, so each connection in effect keeps its own session, as a real client would.
-- After calls_per_session calls an id is dropped and the next request starts a fresh session
-- (this bounds the cart of samples.cart:addItem). With log_out on, the id is not just dropped: the
-- connection that takes it next ends the session with POST /logout (a 200 {"loggedOut":true}),
-- so that sessions are removed as the load goes instead of piling up until they expire.
--
-- With ports given, the threads send their load to those ports of 127.0.0.1 in turn (thread 1 to
-- the first, thread 2 to the second, ...), e.g. one thread per node of a cluster; done() then also
-- prints how many correct responses each port gave.

local path = [==[${path}]==]
local body = [==[${body}]==]
local authorization = [==[${authorization}]==]
local expect = [==[${expect}]==]
local use_sessions = ${sessions}
local calls_per_session = ${callsPerSession}
local log_out = ${logOut}
local ports = { ${ports} }

local threads = {}
local next_port = 1

function setup(thread)
  table.insert(threads, thread)
  if #ports > 0 then
    local port = ports[next_port]
    next_port = next_port % #ports + 1
    thread.addr = wrk.lookup("127.0.0.1", tostring(port))[1]
    thread:set("port", port)
  end
end

function init(args)
  -- Globals, so that done() can read them from each thread's Lua state.
  unexpected = 0       -- responses that are not a 200 with the expected body
  missing_session = 0  -- 200 responses without X-Cohort-Session where one was expected
  sessions_started = 0 -- session ids seen for the first time (each a session the server started)
  logouts = 0          -- sessions ended with POST /logout
  correct = 0          -- responses that passed every check
  idle = {}
  calls = {}
  ending = {}          -- ids whose next request is their logout
  headers = { ["Content-Type"] = "application/json" }
  if authorization ~= "" then
    headers["Authorization"] = authorization
  end
end

function request()
  if use_sessions then
    local id = table.remove(idle)
    headers["X-Cohort-Session"] = id -- nil (none idle) removes the header: a new session
    if id ~= nil and ending[id] then
      ending[id] = nil
      return wrk.format("POST", "/logout", headers, "{}")
    end
  end
  return wrk.format("POST", path, headers, body)
end

local function session_of(response_headers)
  local id = response_headers["X-Cohort-Session"]
  if id ~= nil then
    return id
  end
  for name, value in pairs(response_headers) do
    if string.lower(name) == "x-cohort-session" then
      return value
    end
  end
  return nil
end

function response(status, response_headers, response_body)
  if log_out and string.find(response_body, '"loggedOut"', 1, true) then
    if status == 200 and string.find(response_body, '"loggedOut":true', 1, true) then
      logouts = logouts + 1
      correct = correct + 1
    else
      unexpected = unexpected + 1
      if unexpected <= 3 then
        io.write("cohort-bench-sample: unexpected logout response " .. status .. " "
          .. string.sub(response_body, 1, 300) .. "\n")
      end
    end
    return
  end
  if status ~= 200 or not string.find(response_body, expect, 1, true) then
    unexpected = unexpected + 1
    if unexpected <= 3 then
      io.write("cohort-bench-sample: unexpected response " .. status .. " "
        .. string.sub(response_body, 1, 300) .. "\n")
    end
    return
  end
  if use_sessions then
    local id = session_of(response_headers)
    if id == nil then
      missing_session = missing_session + 1
      return
    end
    local n = calls[id]
    if n == nil then
      sessions_started = sessions_started + 1
      n = 0
    end
    n = n + 1
    if calls_per_session > 0 and n >= calls_per_session then
      calls[id] = nil
      if log_out then
        ending[id] = true
        table.insert(idle, id)
      end
    else
      calls[id] = n
      table.insert(idle, id)
    end
  end
  correct = correct + 1
end

function done(summary, latency, requests)
  local unexpected_total, missing_total, started_total, logouts_total = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    unexpected_total = unexpected_total + thread:get("unexpected")
    missing_total = missing_total + thread:get("missing_session")
    started_total = started_total + thread:get("sessions_started")
    logouts_total = logouts_total + thread:get("logouts")
    local port = thread:get("port")
    if port ~= nil then
      io.write(string.format("cohort-bench-port: port=%d correct=%d\n", port, thread:get("correct")))
    end
  end
  local errors = summary.errors
  io.write(string.format(
    "cohort-bench: requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d"
      .. " unexpected=%d missing_session=%d sessions_started=%d logouts=%d"
      .. " connect_errors=%d read_errors=%d write_errors=%d timeouts=%d status_errors=%d\n",
    summary.requests, summary.duration,
    latency:percentile(50.0), latency:percentile(99.0), latency.max,
    unexpected_total, missing_total, started_total, logouts_total,
    errors.connect, errors.read, errors.write, errors.timeout, errors.status))
end
