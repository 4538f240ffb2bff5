-- wrk script: each request is signed in as another benchmark citizen (session per citizen);
-- for the reorder scenario every request posts a one tap with a fresh idempotency key.
-- Environment: BENCH_MODE = home | reorder, BENCH_CSRF_FILE = the CSRF token of citizen i's
-- session on line i (tokens are bound to the session), BENCH_CITIZENS = how many citizens have
-- sessions, BENCH_THREADS = wrk threads.
local mode = os.getenv("BENCH_MODE")
local tokens = {}
for line in io.lines(os.getenv("BENCH_CSRF_FILE")) do tokens[#tokens + 1] = line end
local citizens = tonumber(os.getenv("BENCH_CITIZENS"))
local threads = tonumber(os.getenv("BENCH_THREADS"))
local counter = 0
thread_no = 0  -- set per thread by setup() (must be a global)
local next_thread = 0

function setup(thread)
  thread:set("thread_no", next_thread)
  next_thread = next_thread + 1
end

function request()
  counter = counter + 1
  -- Threads take disjoint citizens: thread t uses t, t + threads, t + 2 * threads, ...
  local citizen = (thread_no + (counter - 1) * threads) % citizens + 1
  local cookie = string.format("fsc_session=bench-session-%08d", citizen)
  if mode == "reorder" then
    local key = string.format("%08x-0000-4000-8000-%012x", thread_no, counter)
    local body = "_csrf_token=" .. tokens[citizen] .. "&idempotency_key=" .. key
    return wrk.format("POST", "/orders/reorder", {
      ["Cookie"] = cookie, ["Content-Type"] = "application/x-www-form-urlencoded"}, body)
  end
  return wrk.format("GET", "/", {["Cookie"] = cookie, ["Accept-Encoding"] = "br"})
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), errors))
end
