-- wrk script: POST the GraphQL body in BODY_FILE; print latency percentiles as JSON.
-- Every answer is checked: one whose body carries GraphQL `"errors"` is counted, so that
-- a refused or failing query cannot pass for a fast one.
local file = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"

local threads = {}

setup = function(thread)
  table.insert(threads, thread)
end

init = function(args)
  graphql_errors = 0
end

response = function(status, headers, body)
  if string.find(body, '"errors"', 1, true) then
    graphql_errors = graphql_errors + 1
  end
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  local graphql = 0
  for _, thread in ipairs(threads) do
    graphql = graphql + thread:get("graphql_errors")
  end
  io.write(string.format(
    'JSON {"requests": %d, "duration_us": %d, "errors": %d, "non2xx": %d, '
    .. '"graphql_errors": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, errors, summary.errors.status, graphql,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
