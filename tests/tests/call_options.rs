//! Per-call options and response metadata, the same way on every provider's client: a read of
//! each provider against a scripted loopback server.
//!
//! For each client:
//!
//! 1. `send_with_metadata` with a per-call header: the output comes with the status and the
//!    headers the server sent; the header went out beside the credential, which it did not
//!    replace; no request id (no provider documents one);
//! 2. a per-call header that would replace a credential's header is refused before sending;
//! 3. a per-call retry policy of one attempt: a 503 comes back as is, sent once;
//! 4. a per-call timeout shorter than the server's answer: a timeout, well before the
//!    client's own 30 s;
//! 5. the same call without options again uses the client's: the 503 is retried.

use std::time::{Duration, Instant};

use payspec_runtime::{Error, RetryPolicy};
use payspec_tests::{Scripted, ScriptedServer};

/// The client's own retry policy: quick retries, so step 5 does not wait long.
fn quick() -> RetryPolicy {
    RetryPolicy {
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

macro_rules! per_call_options {
    (
        $test:ident,
        client: |$url:ident| $client:expr,
        call: |$c:ident| $call:expr,
        answer: $answer:expr,
        status: $status:expr,
        credential: ($auth:expr, $auth_value:expr),
    ) => {
        #[tokio::test]
        async fn $test() {
            let ok = || -> Scripted { $answer.with_header("x-provider-trace", "t-1") };
            let server = ScriptedServer::start(vec![
                ok(),
                Scripted::text(503, "busy"),
                ok().after(Duration::from_millis(1500)),
                Scripted::text(503, "busy"),
                ok(),
            ])
            .await;
            let $url = server.url();
            let client = $client;
            let sent = || server.requests().len();

            // 1. Metadata, and a per-call header beside the credential.
            let response = {
                let $c = &client;
                $call
            }
            .header("X-Correlation-Id", "c-1")
            .send_with_metadata()
            .await
            .expect("the first call");
            assert_eq!(response.status().as_u16(), $status);
            assert_eq!(response.headers()["x-provider-trace"], "t-1");
            assert_eq!(response.request_id(), None);
            assert_eq!(response.idempotency_key(), None);
            let first = &server.requests()[0];
            assert_eq!(first.header("x-correlation-id").as_deref(), Some("c-1"));
            if let Some(value) = $auth_value {
                assert_eq!(first.header($auth).as_deref(), Some(value));
            }

            // 2. A header that carries a credential: refused, nothing sent.
            let err = {
                let $c = &client;
                $call
            }
            .header($auth, "forged")
            .await
            .expect_err("a credential header per call");
            assert!(
                matches!(&err, Error::ReservedHeader { name } if name == $auth),
                "{err:?}"
            );
            assert_eq!(sent(), 1);

            // 3. One attempt for this call: the 503 as is.
            let err = {
                let $c = &client;
                $call
            }
            .retry(RetryPolicy::none())
            .await
            .expect_err("a 503");
            assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{err:?}");
            assert_eq!(sent(), 2);

            // 4. A timeout for this call.
            let started = Instant::now();
            let err = {
                let $c = &client;
                $call
            }
            .retry(RetryPolicy::none())
            .timeout(Duration::from_millis(200))
            .await
            .expect_err("a timeout");
            assert!(err.is_timeout(), "{err:?}");
            assert!(started.elapsed() < Duration::from_millis(1400));
            assert_eq!(sent(), 3);

            // 5. Without options: the client's retry policy retries the 503.
            {
                let $c = &client;
                $call
            }
            .await
            .expect("retried after the 503");
            assert_eq!(sent(), 5);
        }
    };
}

per_call_options!(
    onecheckout,
    client: |url| payspec_onecheckout::Client::builder(url)
        .bearer_auth("tok_1")
        .retry(quick())
        .build()
        .unwrap(),
    call: |c| c.get_account(),
    answer: Scripted {
        status: 200,
        headers: Vec::new(),
        body: payspec_tests::fixture_text("onecheckout", "me-response.json"),
    },
    status: 200,
    credential: ("x-api-key", None::<&str>),
);

per_call_options!(
    n1co,
    client: |url| payspec_n1co::Client::builder(url)
        .bearer_auth("sk_1")
        .retry(quick())
        .build()
        .unwrap(),
    call: |c| c.get_order("PL-001"),
    answer: Scripted {
        status: 200,
        headers: Vec::new(),
        body: payspec_tests::fixture_text("n1co", "order_schema_sample.json"),
    },
    status: 200,
    credential: ("authorization", Some("Bearer sk_1")),
);

per_call_options!(
    onecp,
    client: |url| payspec_onecp::Client::builder(url)
        .basic_auth("merchant", "s3cret")
        .retry(quick())
        .build()
        .unwrap(),
    call: |c| c.get_status(),
    answer: Scripted {
        status: 201,
        headers: Vec::new(),
        body: payspec_tests::fixture_text("onecp", "status-response.json"),
    },
    status: 201,
    credential: ("authorization", Some("Basic bWVyY2hhbnQ6czNjcmV0")),
);

per_call_options!(
    processone,
    client: |url| payspec_processone::Client::builder(url)
        .authentication_key("key_1")
        .retry(quick())
        .build()
        .unwrap(),
    call: |c| c.check_health_status(
        payspec_processone::contracts::health_status::CheckHealthStatusRequest::new()
    ),
    answer: Scripted {
        status: 200,
        headers: Vec::new(),
        body: payspec_tests::fixture_text(
            "processone",
            "json/HealthStatus.CheckHealthStatusResponse.json"
        ),
    },
    status: 200,
    credential: ("authorization", None::<&str>),
);
