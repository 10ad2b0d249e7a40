-- wrk script: ProcessOne POST /api/CreditCard/Charge (JSON), a successful charge of the Visa test
-- card. Each request has its own ClientReferenceData1, so that none is a duplicate of another
-- (the simulator refuses the same amount, last four and ClientReferenceData1 within 2 minutes).
-- Run by `cargo xtask load`, which first checks that this body is answered `Success`; the key
-- comes from the environment. (No `response` hook: reading every body in Lua would slow wrk.)

local key = os.getenv("PAYSPEC_P1_KEY") or "missing"
local counter = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  thread_id = thread_id or 0
  wrk.method = "POST"
  wrk.path = "/api/CreditCard/Charge"
  wrk.headers["Content-Type"] = "application/json; charset=utf-8"
  wrk.headers["Accept"] = "application/json"
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"AuthenticationKey":"%s","Amount":1.00,"ChargeFee":false,"IsRecurring":false,"Save":false,' ..
    '"CreditCard":{"Number":"4111111111111111","ExpirationMonth":12,"ExpirationYear":2031,' ..
    '"ValidationValue":"123","Holder":{"Name":"Load Test","Zip":"98101"}},' ..
    '"ClientReferenceData":{"ClientReferenceData1":"LOAD-%d-%d"}}',
    key, thread_id, counter)
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  io.write(string.format("non-2xx or socket errors: %d\n",
    summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
