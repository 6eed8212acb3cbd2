-- wrk script: records a USD receipt per request through POST /api/v1/entries.
-- Each request has its own Idempotency-Key, so every one is a durable write.
-- RMIS_TOKEN is the API token; RMIS_DONOR and RMIS_FUND name the donor and fund.
local token = os.getenv("RMIS_TOKEN")
local donor = os.getenv("RMIS_DONOR") or "mexico"
local fund = os.getenv("RMIS_FUND") or "foundation_core"
local counter = 0
-- Set in each thread's own Lua state by setup() below. It must be a global:
-- a `local` here would hide it, and every thread would send the same keys
-- (which the server then answers as replays, not as writes).
thread_id = 0
local threads_started = 0

function setup(thread)
  thread:set("thread_id", threads_started)
  threads_started = threads_started + 1
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"kind":"receipt","donor":"%s","fund":"%s","amount":"%d.%02d","currency":"USD","value_date":"2021-06-15","region":"global","note":"load test"}',
    donor, fund, 10 + counter % 1000, counter % 100)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = string.format("bench-%d-%d-%d", os.time(), thread_id, counter),
  }
  return wrk.format("POST", "/api/v1/entries", headers, body)
end

function response(status, headers, body)
  if status ~= 201 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
