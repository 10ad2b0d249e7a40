//! The generated Onecheckout client against HTTP servers on loopback: cursor pagination as a
//! stream (anchors, filters, stops, a repeating server), the concurrency limit from the spec's
//! `x-rate-limit`, 429 handling (retried reads, never-retried writes), authentication per
//! operation, partial updates, both error shapes, and timeouts.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, Uri};
use futures::StreamExt;
use payspec_onecheckout::types::{
    CreateOrderRequest, ErrorCode, ListOrdersRequest, MerchantUpdate, OrderStatus,
};
use payspec_onecheckout::{Client, ClientOptions, EpochMillis, RetryPolicy, Server};
use payspec_runtime::Error;
use payspec_tests::{Recorded, Scripted, ScriptedServer};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

const API_KEY: &str = "ak_live_very_secret_api_key";
const TOKEN: &str = "tok_live_very_secret_bearer";

fn fixture(name: &str) -> String {
    payspec_tests::fixture_text("onecheckout", name)
}

/// A fixture as a scripted 200 answer, its text sent as is (numbers keep their scale).
fn ok(name: &str) -> Scripted {
    Scripted {
        status: 200,
        headers: Vec::new(),
        body: fixture(name),
    }
}

fn raw(status: u16, body: &str) -> Scripted {
    Scripted {
        status,
        headers: Vec::new(),
        body: body.into(),
    }
}

fn bearer(url: &str) -> Client {
    Client::builder(url).bearer_auth(TOKEN).build().unwrap()
}

fn create_request() -> CreateOrderRequest {
    serde_json::from_str(&fixture("create-order-request.json")).unwrap()
}

fn assert_no_secret(text: &str) {
    for secret in [API_KEY, TOKEN, "very_secret"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
}

// ---------------------------------------------------------------------------------------------
// A loopback server that answers with a function of the request, holds each request for a
// while, and counts how many it holds at once.
// ---------------------------------------------------------------------------------------------

struct Loopback {
    url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    max_in_flight: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Loopback {
    async fn start<F>(hold: Duration, answer: F) -> Self
    where
        F: Fn(usize, &Recorded) -> Scripted + Send + Sync + 'static,
    {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let max_in_flight = Arc::new(AtomicUsize::new(0));
        let answer = Arc::new(answer);
        let (log, now, max) = (requests.clone(), in_flight, max_in_flight.clone());
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let (log, now, max, answer) =
                    (log.clone(), now.clone(), max.clone(), answer.clone());
                async move {
                    let current = now.fetch_add(1, Ordering::SeqCst) + 1;
                    max.fetch_max(current, Ordering::SeqCst);
                    let request = Recorded {
                        method,
                        uri,
                        headers,
                        body,
                    };
                    let n = {
                        let mut log = log.lock().unwrap();
                        log.push(request.clone());
                        log.len() - 1
                    };
                    tokio::time::sleep(hold).await;
                    let a = answer(n, &request);
                    now.fetch_sub(1, Ordering::SeqCst);
                    let mut response = axum::http::Response::builder()
                        .status(a.status)
                        .header("content-type", "application/json");
                    for (k, v) in &a.headers {
                        response = response.header(k, v);
                    }
                    response.body(axum::body::Body::from(a.body)).unwrap()
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Loopback {
            url,
            requests,
            max_in_flight,
            task,
        }
    }

    fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        self.task.abort();
    }
}

// ---------------------------------------------------------------------------------------------
// Pagination.
// ---------------------------------------------------------------------------------------------

/// A page of orders with these ids; `next` is written verbatim as the `next_anchor` member
/// (`None`: the member is left out).
fn page(ids: &[&str], next: Option<Value>) -> Scripted {
    let orders: Vec<Value> = ids
        .iter()
        .map(|id| json!({"id": id, "status": "PAID"}))
        .collect();
    let mut body = json!({"limit": 2, "count": 5, "orders": orders});
    if let Some(next) = next {
        body["next_anchor"] = next;
    }
    Scripted::json(200, body)
}

/// A server whose pages are keyed by the `anchor` of the request body ("" when there is none),
/// answering any number of requests (so a client that loops would loop forever).
async fn pager(pages: Vec<(&'static str, Scripted)>) -> Loopback {
    let pages: HashMap<&str, Scripted> = pages.into_iter().collect();
    Loopback::start(Duration::ZERO, move |_, r| {
        let body = r.json();
        let anchor = body["anchor"].as_str().unwrap_or_default().to_string();
        pages
            .get(anchor.as_str())
            .cloned()
            .unwrap_or_else(|| Scripted::json(404, json!({"error": "id_invalid"})))
    })
    .await
}

fn filters() -> ListOrdersRequest {
    ListOrdersRequest::new()
        .with_limit(2)
        .with_status(OrderStatus::Paid)
        .with_created_hour_from(EpochMillis::from_millis(1_729_641_600_000))
}

type Item = Result<payspec_onecheckout::types::Order, payspec_onecheckout::Error>;

/// Every item of the stream (with a time limit: a client that loops fails instead of hanging).
async fn drain(client: &Client, body: &ListOrdersRequest) -> Vec<Item> {
    tokio::time::timeout(
        Duration::from_secs(10),
        client.list_orders_stream(body).collect::<Vec<_>>(),
    )
    .await
    .expect("the stream ended")
}

fn ids(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .filter_map(|i| i.as_ref().ok())
        .map(|o| o.id.clone())
        .collect()
}

/// The filters of `filters()`, plus `anchor` if any: what every page request must carry.
fn expected_body(anchor: Option<&str>) -> Value {
    let mut v = json!({"limit": 2, "status": "PAID", "created_hour_from": 1_729_641_600_000_i64});
    if let Some(a) = anchor {
        v["anchor"] = json!(a);
    }
    v
}

#[tokio::test]
async fn the_stream_follows_next_anchor_until_an_empty_one() {
    let server = pager(vec![
        ("", page(&["1", "2"], Some(json!("A")))),
        ("A", page(&["3"], Some(json!("B")))),
        ("B", page(&["4", "5"], Some(json!("")))),
    ])
    .await;
    let items = drain(&bearer(&server.url), &filters()).await;
    assert_eq!(ids(&items), ["1", "2", "3", "4", "5"]);
    assert!(items.iter().all(Result::is_ok), "{items:?}");

    let bodies: Vec<Value> = server.requests().iter().map(Recorded::json).collect();
    assert_eq!(
        bodies,
        [
            expected_body(None),
            expected_body(Some("A")),
            expected_body(Some("B"))
        ]
    );
    for r in server.requests() {
        assert_eq!(r.method, "POST");
        assert_eq!(r.uri.path(), "/orders-list");
        assert_eq!(r.header("authorization"), Some(format!("Bearer {TOKEN}")));
    }
}

#[tokio::test]
async fn a_streams_options_go_with_every_page() {
    let server = pager(vec![
        ("", page(&["1", "2"], Some(json!("A")))),
        ("A", page(&["3"], None)),
    ])
    .await;
    let options = payspec_runtime::CallOptions::new()
        .with_timeout(Duration::from_secs(60))
        .with_header("X-Correlation-Id", "c-stream")
        .with_idempotency_key("not-for-pages");
    let items: Vec<Item> = bearer(&server.url)
        .list_orders_stream_with_options(&filters(), options)
        .collect()
        .await;
    assert_eq!(ids(&items), ["1", "2", "3"]);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for r in requests {
        assert_eq!(r.header("x-correlation-id").as_deref(), Some("c-stream"));
        assert_eq!(r.header("authorization"), Some(format!("Bearer {TOKEN}")));
    }
    // A per-call header that would replace the credential ends the stream at once.
    let options = payspec_runtime::CallOptions::new().with_header("Authorization", "x");
    let items: Vec<Item> = bearer(&server.url)
        .list_orders_stream_with_options(&filters(), options)
        .collect()
        .await;
    assert!(
        matches!(items.as_slice(), [Err(Error::ReservedHeader { .. })]),
        "{items:?}"
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn the_stream_stops_on_a_missing_or_null_next_anchor() {
    for last in [None, Some(Value::Null)] {
        let server = pager(vec![
            ("", page(&["1", "2"], Some(json!("A")))),
            ("A", page(&["3", "4"], Some(json!("B")))),
            ("B", page(&["5"], last.clone())),
        ])
        .await;
        let items = drain(&bearer(&server.url), &filters()).await;
        assert_eq!(ids(&items), ["1", "2", "3", "4", "5"], "last page {last:?}");
        assert!(items.iter().all(Result::is_ok), "{items:?}");
        assert_eq!(server.requests().len(), 3, "last page {last:?}");
    }
}

#[tokio::test]
async fn the_stream_starts_at_the_callers_anchor_and_skips_empty_pages() {
    let server = pager(vec![
        ("S", page(&[], Some(json!("A")))),
        ("A", page(&["7"], Some(json!("")))),
    ])
    .await;
    let body = filters().with_anchor("S");
    let items = drain(&bearer(&server.url), &body).await;
    assert_eq!(ids(&items), ["7"]);
    let bodies: Vec<Value> = server.requests().iter().map(Recorded::json).collect();
    assert_eq!(bodies, [expected_body(Some("S")), expected_body(Some("A"))]);
}

#[tokio::test]
async fn a_server_that_repeats_an_anchor_ends_the_stream_with_an_error() {
    // A -> B -> A: following it would loop forever (the server answers every request).
    let server = pager(vec![
        ("", page(&["1"], Some(json!("A")))),
        ("A", page(&["2"], Some(json!("B")))),
        ("B", page(&["3"], Some(json!("A")))),
    ])
    .await;
    let items = drain(&bearer(&server.url), &filters()).await;
    assert_eq!(items.len(), 4, "{items:?}");
    assert_eq!(ids(&items), ["1", "2", "3"]);
    match items.last().unwrap() {
        Err(Error::RepeatedCursor { cursor, pages }) => {
            assert_eq!(cursor, "A");
            assert_eq!(*pages, 3);
        }
        other => panic!("expected RepeatedCursor, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 3, "page A was not fetched again");
}

#[tokio::test]
async fn an_error_on_page_2_is_yielded_and_ends_the_stream() {
    let server = pager(vec![
        ("", page(&["1", "2"], Some(json!("A")))),
        (
            "A",
            Scripted::json(
                500,
                json!({"error": {"code": "server_error", "message": "database unavailable"}}),
            ),
        ),
        ("B", page(&["never"], None)),
    ])
    .await;
    let items = drain(&bearer(&server.url), &filters()).await;
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(ids(&items), ["1", "2"]);
    match &items[2] {
        Err(Error::Api { status, body, .. }) => {
            assert_eq!(status.as_u16(), 500);
            assert_eq!(body.code(), Some(ErrorCode::ServerError));
        }
        other => panic!("expected an Api error, got {other:?}"),
    }
    // 500 is not retried, and nothing is fetched after the error.
    assert_eq!(server.requests().len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Concurrency.
// ---------------------------------------------------------------------------------------------

enum Limit {
    /// The builder's default.
    Default,
    /// `.max_in_flight(n)`.
    Set(usize),
    /// No limit at all (`ClientOptions::max_in_flight = None`), to show the server can see more.
    Unlimited,
}

/// `calls` concurrent `get_order`s (one client, `join_all`) against a server that holds each
/// request 50 ms: checks that every call succeeds and reaches the server exactly once, and
/// returns the most requests the server held at once.
async fn peak(limit: Limit, calls: usize) -> usize {
    let server = Loopback::start(Duration::from_millis(50), |_, _| {
        ok("get-order-response.json")
    })
    .await;
    let mut builder = Client::builder(server.url.clone()).bearer_auth(TOKEN);
    match limit {
        Limit::Default => {}
        Limit::Set(n) => builder = builder.max_in_flight(n),
        Limit::Unlimited => {
            let mut options = ClientOptions::new("payspec-onecheckout-test");
            options.max_in_flight = None;
            builder = builder.options(options);
        }
    }
    let client = builder.build().unwrap();
    let ids: Vec<String> = (0..calls).map(|i| format!("{i:04}")).collect();
    let results = futures::future::join_all(ids.iter().map(|id| client.get_order(id).send())).await;
    assert_eq!(results.len(), calls);
    for r in &results {
        let order = r.as_ref().expect("every call succeeds");
        assert_eq!(order.status, OrderStatus::Paid);
    }
    let mut paths: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.uri.path().to_string())
        .collect();
    paths.sort();
    let mut expected: Vec<String> = ids.iter().map(|id| format!("/orders/{id}")).collect();
    expected.sort();
    assert_eq!(
        paths, expected,
        "every call reached the server exactly once"
    );
    server.max_in_flight()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn at_most_10_requests_are_in_flight_by_default() {
    // The default comes from the spec's x-rate-limit (max-in-flight: 10).
    let seen = peak(Limit::Default, 100).await;
    assert_eq!(seen, 10, "the server held {seen} requests at once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn max_in_flight_lowers_the_limit() {
    let seen = peak(Limit::Set(3), 30).await;
    assert_eq!(seen, 3, "the server held {seen} requests at once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_a_limit_the_server_does_see_more_than_10() {
    // The control of the two tests above: the server and the counting can see more than 10.
    let seen = peak(Limit::Unlimited, 30).await;
    assert!(seen > 10, "the server held only {seen} requests at once");
}

// ---------------------------------------------------------------------------------------------
// 429 Too Many Requests.
// ---------------------------------------------------------------------------------------------

fn too_many(retry_after: &str) -> Scripted {
    Scripted::json(429, json!({"error": "rate_limited"})).with_header("retry-after", retry_after)
}

/// An HTTP-date `seconds` from now (RFC 9110 IMF-fixdate).
fn http_date_in(seconds: u64) -> String {
    let at: chrono::DateTime<chrono::Utc> =
        (SystemTime::now() + Duration::from_secs(seconds)).into();
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

#[tokio::test]
async fn a_read_answered_429_waits_for_retry_after_and_succeeds() {
    let server = ScriptedServer::start(vec![too_many("1"), ok("get-order-response.json")]).await;
    let started = Instant::now();
    let order = bearer(&server.url()).get_order("0001").await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(order.amount.unwrap().to_string(), "61.97");
    assert_eq!(server.requests().len(), 2);
    assert!(
        elapsed >= Duration::from_secs(1),
        "retried after {elapsed:?}"
    );
    assert!(
        elapsed < Duration::from_secs(5),
        "retried after {elapsed:?}"
    );
}

#[tokio::test]
async fn list_orders_is_a_retry_safe_post() {
    let server = ScriptedServer::start(vec![too_many("1"), ok("list-orders-response.json")]).await;
    let started = Instant::now();
    let page = bearer(&server.url()).list_orders(&filters()).await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(page.orders[0].amount.unwrap().to_string(), "99.99");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].method, "POST");
    // The same body is sent again.
    assert_eq!(requests[0].body, requests[1].body);
    assert_eq!(requests[1].json(), expected_body(None));
    assert!(
        elapsed >= Duration::from_secs(1),
        "retried after {elapsed:?}"
    );
    assert!(
        elapsed < Duration::from_secs(5),
        "retried after {elapsed:?}"
    );
}

#[tokio::test]
async fn an_http_date_retry_after_is_honoured() {
    // Two seconds ahead, truncated to the second: a wait between 1 and 2 s (the backoff
    // without Retry-After would be 100-200 ms).
    let server = ScriptedServer::start(vec![
        too_many(&http_date_in(2)),
        ok("get-order-response.json"),
    ])
    .await;
    let started = Instant::now();
    bearer(&server.url()).get_order("0001").await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(server.requests().len(), 2);
    assert!(
        elapsed >= Duration::from_millis(900),
        "retried after {elapsed:?}"
    );
    assert!(
        elapsed < Duration::from_secs(5),
        "retried after {elapsed:?}"
    );
}

#[tokio::test]
async fn capture_and_create_answered_429_are_not_retried() {
    for op in ["capture_order", "create_order"] {
        let server =
            ScriptedServer::start(vec![too_many("0"), ok("get-order-response.json")]).await;
        let client = bearer(&server.url());
        let started = Instant::now();
        let err = match op {
            "capture_order" => client.capture_order("0001").await.unwrap_err(),
            _ => client.create_order(&create_request()).await.unwrap_err(),
        };
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(server.requests().len(), 1, "{op} was sent again");
        match &err {
            Error::Api {
                status,
                headers,
                body,
                ..
            } => {
                assert_eq!(status.as_u16(), 429, "{op}");
                assert_eq!(headers["retry-after"], "0");
                assert_eq!(body.code(), Some(ErrorCode::Unknown("rate_limited".into())));
            }
            other => panic!("{op}: expected Api, got {other:?}"),
        }
        assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
        // The spec documents `Retry-After` on 429: read as a duration.
        let limit = err.rate_limit().expect("a response");
        assert_eq!(limit.retry_after, Some(Duration::ZERO), "{op}");
    }
}

#[tokio::test]
async fn a_429_whose_body_is_not_the_error_shape_keeps_status_and_raw_body() {
    // A documented error status whose body is not the documented shape must keep its status
    // and raw body (`Error::UnexpectedResponse`), not become a status-less decode error.
    let server = ScriptedServer::start(vec![
        Scripted::text(429, "Too Many Requests").with_header("retry-after", "0"),
        ok("get-order-response.json"),
    ])
    .await;
    let err = bearer(&server.url())
        .capture_order("0001")
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 1);
    assert_eq!(err.raw_body(), Some(&b"Too Many Requests"[..]), "{err:?}");
    assert!(
        matches!(&err, Error::UnexpectedResponse { status, .. } if status.as_u16() == 429),
        "expected UnexpectedResponse with status 429, got {err:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Authentication per operation.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_api_key_client_reads_and_updates_the_account_with_x_api_key() {
    let server = ScriptedServer::start(vec![ok("me-response.json"), ok("me-response.json")]).await;
    let client = Client::builder(server.url())
        .api_key_auth(API_KEY)
        .build()
        .unwrap();
    let me = client.get_account().await.unwrap();
    assert_eq!(me.id.as_deref(), Some("merchant_id_uuid"));
    client
        .update_account(&MerchantUpdate::new().with_phone("+1234567891"))
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for r in &requests {
        assert_eq!(r.uri.path(), "/me");
        assert_eq!(r.header("x-api-key").as_deref(), Some(API_KEY));
        assert_eq!(r.header("authorization"), None);
    }
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[1].method, "POST");
}

#[tokio::test]
async fn an_api_key_client_cannot_use_the_order_operations_and_sends_nothing() {
    let server = ScriptedServer::start(vec![ok("get-order-response.json"); 6]).await;
    let client = Client::builder(server.url())
        .api_key_auth(API_KEY)
        .build()
        .unwrap();
    let errors = [
        client.create_order(&create_request()).await.unwrap_err(),
        client.get_order("0001").await.unwrap_err(),
        client.capture_order("0001").await.unwrap_err(),
        client.list_order_events("0001").await.unwrap_err(),
        client.list_orders(&filters()).await.unwrap_err(),
    ];
    let names = [
        "create_order",
        "get_order",
        "capture_order",
        "list_order_events",
        "list_orders",
    ];
    for (err, name) in errors.iter().zip(names) {
        match err {
            Error::MissingCredential { operation, needed } => {
                assert_eq!(*operation, name);
                assert_eq!(*needed, ["bearerAuth"]);
            }
            other => panic!("{name}: expected MissingCredential, got {other:?}"),
        }
        let text = err.to_string();
        assert!(text.contains("bearerAuth") && text.contains(name), "{text}");
        assert_no_secret(&format!("{err} {err:?}"));
    }
    // The stream fails the same way, on its first page.
    let items = drain(&client, &filters()).await;
    assert!(
        matches!(
            items.as_slice(),
            [Err(Error::MissingCredential {
                operation: "list_orders",
                ..
            })]
        ),
        "{items:?}"
    );
    assert!(server.requests().is_empty(), "something was sent");
    // Neither credential: /me fails too, naming both alternatives.
    let none = Client::builder(server.url()).build().unwrap();
    match none.get_account().await.unwrap_err() {
        Error::MissingCredential { operation, needed } => {
            assert_eq!(operation, "get_account");
            assert_eq!(needed, ["apiKeyAuth", "bearerAuth"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_bearer_client_sends_the_token_on_me_and_orders() {
    let server = ScriptedServer::start(vec![
        ok("me-response.json"),
        ok("me-response.json"),
        ok("create-order-response.json"),
        ok("get-order-response.json"),
        ok("get-order-response.json"),
        ok("order-events-response.json"),
        ok("list-orders-response.json"),
    ])
    .await;
    let client = bearer(&server.url());
    client.get_account().await.unwrap();
    client
        .update_account(&MerchantUpdate::default())
        .await
        .unwrap();
    client.create_order(&create_request()).await.unwrap();
    client.get_order("0001").await.unwrap();
    client.capture_order("0001").await.unwrap();
    client.list_order_events("0001").await.unwrap();
    client.list_orders(&filters()).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 7);
    for r in &requests {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {TOKEN}")),
            "{} {}",
            r.method,
            r.uri
        );
        assert_eq!(r.header("x-api-key"), None);
    }
}

#[tokio::test]
async fn with_both_credentials_me_uses_the_api_key_and_orders_the_token() {
    let server = ScriptedServer::start(vec![
        ok("me-response.json"),
        ok("me-response.json"),
        ok("get-order-response.json"),
    ])
    .await;
    let client = Client::builder(server.url())
        .bearer_auth(TOKEN)
        .api_key_auth(API_KEY)
        .build()
        .unwrap();
    client.get_account().await.unwrap();
    client
        .update_account(&MerchantUpdate::default())
        .await
        .unwrap();
    client.get_order("0001").await.unwrap();
    let requests = server.requests();
    // /me: the first alternative of the spec (apiKeyAuth), and only that one.
    for r in &requests[..2] {
        assert_eq!(r.header("x-api-key").as_deref(), Some(API_KEY));
        assert_eq!(r.header("authorization"), None);
    }
    // Orders: bearer only; the API key is not sent where it is not needed.
    assert_eq!(
        requests[2].header("authorization"),
        Some(format!("Bearer {TOKEN}"))
    );
    assert_eq!(requests[2].header("x-api-key"), None);
}

#[test]
fn secrets_never_appear_in_debug_output() {
    let builder = Client::builder(Server::Production.url())
        .api_key_auth(API_KEY)
        .bearer_auth(TOKEN);
    assert_no_secret(&format!("{builder:?}"));
    let client = builder.build().unwrap();
    assert_no_secret(&format!("{client:?}"));
    assert_no_secret(&format!("{client:#?}"));
    // A credential a header cannot carry is refused without echoing it.
    let err = Client::builder(Server::Production.url())
        .bearer_auth("tok_live_very_secret\nbroken")
        .build()
        .unwrap_err();
    assert_no_secret(&format!("{err} {err:?}"));
    let err = Client::builder(Server::Production.url())
        .api_key_auth("ak_live_very_secret\r\nX: y")
        .build()
        .unwrap_err();
    assert_no_secret(&format!("{err} {err:?}"));
}

// ---------------------------------------------------------------------------------------------
// What goes on the wire.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn update_account_sends_only_the_fields_that_are_set() {
    let server = ScriptedServer::start(vec![Scripted::json(
        200,
        json!({"id": "merchant_id_uuid", "phone": "+1234567891"}),
    )])
    .await;
    let updated = bearer(&server.url())
        .update_account(&MerchantUpdate::new().with_phone("+1234567891"))
        .await
        .unwrap();
    // The answer carries only the updated fields.
    assert_eq!(updated.phone.as_deref(), Some("+1234567891"));
    assert_eq!(updated.email, None);
    let r = &server.requests()[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.uri.path(), "/me");
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(r.json(), json!({"phone": "+1234567891"}));
    assert_eq!(&r.body[..], br#"{"phone":"+1234567891"}"#);
}

#[tokio::test]
async fn every_operation_uses_its_method_path_and_body() {
    let server = ScriptedServer::start(vec![
        ok("me-response.json"),
        ok("create-order-response.json"),
        ok("list-orders-response.json"),
        ok("get-order-response.json"),
        ok("get-order-response.json"),
        ok("order-events-response.json"),
    ])
    .await;
    let client = bearer(&server.url());
    let me = client.get_account().await.unwrap();
    assert_eq!(me.created.unwrap().as_millis(), 1_698_765_432_000);
    let created = client.create_order(&create_request()).await.unwrap();
    assert_eq!(created.amount.unwrap().to_string(), "61.97");
    let page = client.list_orders(&filters()).await.unwrap();
    assert_eq!(page.next_anchor.as_deref(), Some("order_id_for_next_page"));
    let order = client.get_order("a/b c").await.unwrap();
    assert_eq!(order.created.unwrap().as_millis(), 1_729_712_400_000);
    client.capture_order("0001").await.unwrap();
    let events = client.list_order_events("0001").await.unwrap();
    assert_eq!(events.events.len(), 2);

    let r = server.requests();
    let shape: Vec<(String, String)> = r
        .iter()
        .map(|r| (r.method.to_string(), r.uri.path().to_string()))
        .collect();
    let expected = [
        ("GET", "/me"),
        ("POST", "/orders"),
        ("POST", "/orders-list"),
        ("GET", "/orders/a%2Fb%20c"),
        ("POST", "/orders/0001/capture"),
        ("GET", "/orders/0001/events"),
    ];
    assert_eq!(shape, expected.map(|(m, p)| (m.to_string(), p.to_string())));
    // The create body is the caller's request, amounts with their scale.
    let create_text: Value = serde_json::from_str(&fixture("create-order-request.json")).unwrap();
    assert_eq!(r[1].json(), create_text);
    assert!(String::from_utf8_lossy(&r[1].body).contains(r#""tax_amount":5.00"#));
    assert_eq!(r[2].json(), expected_body(None));
    for i in [0, 3, 4, 5] {
        assert!(r[i].body.is_empty(), "{} has a body", r[i].uri);
    }
    for r in &r {
        assert_eq!(r.header("accept").as_deref(), Some("application/json"));
        assert_eq!(r.header("api-version"), None);
        assert!(
            r.header("user-agent")
                .unwrap()
                .starts_with("payspec-onecheckout/")
        );
    }
}

#[tokio::test]
async fn invalid_requests_are_refused_before_sending() {
    let server = ScriptedServer::start(vec![ok("get-order-response.json"); 4]).await;
    let client = bearer(&server.url());
    let mut bad = create_request();
    bad.currency = "US".into();
    let err = client.create_order(&bad).await.unwrap_err();
    assert!(
        matches!(&err, Error::Validation(v) if v.to_string().contains("currency")),
        "{err:?}"
    );
    let err = client
        .list_orders(&ListOrdersRequest::new().with_limit(2000))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation(v) if v.to_string().contains("limit")),
        "{err:?}"
    );
    let err = client.get_order("").await.unwrap_err();
    assert!(matches!(&err, Error::Validation(_)), "{err:?}");
    assert!(server.requests().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Errors.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_detailed_error_shape_is_typed_and_displayed_with_its_message() {
    let server = ScriptedServer::start(vec![raw(400, &fixture("error-detailed.json"))]).await;
    let err = bearer(&server.url())
        .create_order(&create_request())
        .await
        .unwrap_err();
    match &err {
        Error::Api { status, body, .. } => {
            assert_eq!(status.as_u16(), 400);
            assert_eq!(body.code(), Some(ErrorCode::ValidationError));
        }
        other => panic!("expected Api, got {other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("400"), "{text}");
    assert!(
        text.contains("The request body contains invalid data."),
        "{text}"
    );
    assert!(text.contains("currency: currency is required"), "{text}");
    assert_no_secret(&format!("{err} {err:?}"));
}

#[tokio::test]
async fn the_bare_error_shape_is_typed_and_displayed_with_its_code() {
    let server = ScriptedServer::start(vec![
        raw(400, &fixture("error-code-only.json")),
        raw(
            404,
            r#"{"error":{"code":"id_invalid","message":"No order has this ID."}}"#,
        ),
        raw(403, r#"{"error":"id_invalid"}"#),
        raw(401, r#"{"error":"api_key_invalid"}"#),
        raw(400, r#"{"error":"order_status_invalid"}"#),
    ])
    .await;
    let client = bearer(&server.url());

    let err = client.get_order("0001").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(err.api_body().unwrap().code(), Some(ErrorCode::IdRequired));
    let text = err.to_string();
    assert!(
        text.contains("400") && text.contains("id_required"),
        "{text}"
    );

    let err = client.get_order("0404").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(err.api_body().unwrap().code(), Some(ErrorCode::IdInvalid));
    assert!(err.to_string().contains("No order has this ID."), "{err}");

    let err = client.list_order_events("0001").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
    assert_eq!(err.api_body().unwrap().code(), Some(ErrorCode::IdInvalid));

    let err = client.get_account().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(
        err.api_body().unwrap().code(),
        Some(ErrorCode::ApiKeyInvalid)
    );
    assert_no_secret(&format!("{err} {err:?}"));

    let err = client.capture_order("0001").await.unwrap_err();
    assert_eq!(
        err.api_body().unwrap().code(),
        Some(ErrorCode::OrderStatusInvalid)
    );
    assert!(err.to_string().contains("order_status_invalid"), "{err}");
}

#[tokio::test]
async fn an_undocumented_status_keeps_the_raw_body() {
    let server = ScriptedServer::start(vec![Scripted::text(409, "conflict")]).await;
    let err = bearer(&server.url()).get_order("0001").await.unwrap_err();
    match &err {
        Error::UnexpectedResponse { status, body, .. } => {
            assert_eq!(status.as_u16(), 409);
            assert_eq!(&body[..], b"conflict");
        }
        other => panic!("expected UnexpectedResponse, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Timeouts.
// ---------------------------------------------------------------------------------------------

#[test]
fn timeouts_and_the_concurrency_limit_are_on_by_default() {
    let builder = Client::builder(Server::Production.url());
    let shown = format!("{builder:?}");
    assert!(shown.contains("timeout: 30s"), "{shown}");
    assert!(shown.contains("connect_timeout: 10s"), "{shown}");
    assert!(shown.contains("max_in_flight: Some(10)"), "{shown}");
    assert_eq!(
        Server::Production.url(),
        "https://onecheckout.sandbox.whatee.io/api/v1.0"
    );
    assert_eq!(
        Server::Staging.url(),
        "https://api-staging.onecheckout.com/api/v1.0"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_gives_a_timeout() {
    // A listener that accepts and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            held.push(s);
        }
    });
    let client = Client::builder(url)
        .bearer_auth(TOKEN)
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.get_order("0001").await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(matches!(err, Error::Timeout(_)));
    assert_eq!(err.to_string(), "request timed out");
    assert!(started.elapsed() < Duration::from_secs(2));
    // A capture that times out is not sent again (it may have been carried out).
    let err = client.capture_order("0001").await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_no_secret(&format!("{err} {err:?}"));
    hold.abort();
}
