-- wrk script: cycle through the request lines of a file and report the run as one JSON line.
-- Each line is a path, optionally followed by TAB-separated "Header: value" fields.
-- Usage: wrk -s bench/lua/paths.lua http://127.0.0.1:8001 -- paths.txt

local requests_list = {}
local position = 0

function init(args)
  for line in io.lines(args[1]) do
    local fields = {}
    for field in string.gmatch(line, "[^\t]+") do
      table.insert(fields, field)
    end
    local headers = {}
    for i = 2, #fields do
      local name, value = string.match(fields[i], "^([^:]+):%s*(.*)$")
      headers[name] = value
    end
    table.insert(requests_list, wrk.format("GET", fields[1], headers))
  end
  -- Threads start at different offsets so they do not request the same page in lockstep.
  position = math.random(#requests_list)
end

function request()
  position = position % #requests_list + 1
  return requests_list[position]
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"errors_connect": %d, "errors_read": %d, "errors_write": %d, "errors_status": %d, "errors_timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
