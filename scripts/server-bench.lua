-- wrk script of scripts/server_bench.py: GET / with one of the seeded session cookies
-- (the file named by $COOKIES, one `name=value` a line), in turn, so each connection
-- carries many sessions. The requests are formatted once, in init.
local requests = {}
local i = 0

function init(args)
  for line in io.lines(os.getenv("COOKIES")) do
    requests[#requests + 1] = wrk.format("GET", "/", { ["Cookie"] = line })
  end
end

function request()
  i = i % #requests + 1
  return requests[i]
end
