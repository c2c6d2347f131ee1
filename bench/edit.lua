-- wrk: durable edits, PATCH /v1/groups/g-edit-{0..7} with a new name each
-- time, as the admin whose token is in $CUSTODIAN_TOKEN (bench/http_bench.sh,
-- bench/replicas_bench.sh).
wrk.method = "PATCH"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("CUSTODIAN_TOKEN")
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/v1/groups/g-edit-" .. (n % 8), nil, '{"name":"E' .. n .. '"}')
end
