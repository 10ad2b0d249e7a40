-- wrk script: Onecheckout GET /orders/{id} with the Bearer token (an order created before the run).
-- Run by `cargo xtask load`, which passes the order's path and the token in the environment.

wrk.method = "GET"
wrk.path = os.getenv("PAYSPEC_OC_ORDER_PATH") or "/missing"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("PAYSPEC_OC_TOKEN") or "missing")
wrk.headers["Accept"] = "application/json"

function done(summary, latency, requests)
  io.write(string.format("non-2xx or socket errors: %d\n",
    summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
