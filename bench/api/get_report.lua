-- wrk script: GET /api/v1/report for 2021 as of 30 June 2021.
local token = os.getenv("RMIS_TOKEN")
function request()
  return wrk.format("GET", "/api/v1/report?year=2021&as_of=2021-06-30", {["Authorization"] = "Bearer " .. token})
end
function response(status, headers, body)
  if status ~= 200 then io.stderr:write("unexpected status " .. status .. "\n") end
end
