//! The n1co CheckoutLink simulator, driven through the generated client (`payspec_n1co`), with
//! raw HTTP where the client would refuse to send (invalid bodies, missing credentials) or for
//! the sandbox-only routes (payer, merchant portal, webhook settings and log), and a real
//! webhook receiver on loopback that checks every signature with the generated verifier.

use std::str::FromStr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use payspec_n1co::types::{
    CreatePaymentLinkRequest, LineItem, MetadataItem, OneTimeProduct, OrderDetails, OrderStatus,
    ProblemDetails, WebhookEvent, WebhookEventType,
};
use payspec_n1co::webhooks::OrderEventWebhook;
use payspec_n1co::{Client, Error, RetryPolicy};
use payspec_runtime::Nullable;
use payspec_sandbox::n1co::{NOW_HEADER, TEST_SECRET_KEY, TEST_WEBHOOK_SECRET};
use payspec_sandbox::{Sandbox, SandboxOptions};
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// 2024-05-14T13:44:23.133Z, the seed's example `created`.
const T0: &str = "2024-05-14T13:44:23.133Z";

async fn sandbox_with(seed: u64, webhook_url: Option<String>) -> Sandbox {
    Sandbox::start_with(SandboxOptions {
        seed,
        n1co_webhook_url: webhook_url,
        ..SandboxOptions::default()
    })
    .await
    .expect("sandbox starts")
}

async fn sandbox() -> Sandbox {
    sandbox_with(0, None).await
}

fn url(sb: &Sandbox, path: &str) -> String {
    format!("{}{path}", sb.n1co.base_url)
}

fn client(sb: &Sandbox) -> Client {
    Client::builder(&sb.n1co.base_url)
        .bearer_auth(sb.n1co.credentials.secret.as_str())
        .retry(RetryPolicy::none())
        .build()
        .expect("client")
}

/// A client whose requests all carry `X-Sandbox-Now: now`.
fn client_at(sb: &Sandbox, now: &str) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        NOW_HEADER,
        reqwest::header::HeaderValue::from_str(now).expect("header"),
    );
    let http = reqwest::Client::builder().default_headers(headers);
    Client::builder(&sb.n1co.base_url)
        .bearer_auth(sb.n1co.credentials.secret.as_str())
        .retry(RetryPolicy::none())
        .http_client_builder(http)
        .build()
        .expect("client")
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

fn product(name: &str, price: &str, quantity: i32) -> LineItem {
    LineItem::new(quantity).with_product(OneTimeProduct::new(name, dec(price)))
}

fn sku(sku: &str, quantity: i32) -> LineItem {
    LineItem::new(quantity).with_sku(sku)
}

/// The seed's Method 1 example plus a line of 3 × 0.10 (exactness): 2 × 15 + 3 × 20 + 0.30.
fn products_request() -> CreatePaymentLinkRequest {
    CreatePaymentLinkRequest::new()
        .with_order_name("Pizza Integration")
        .with_order_description("A delicious pizza order")
        .with_order_reference("RFC-1234")
        .with_line_items(vec![
            product("Italian Pizza", "15", 2),
            product("Roman Pizza", "20", 3),
            product("Napkin", "0.10", 3),
        ])
        .with_success_url("https://www.google.hn")
        .with_cancel_url("https://www.youtube.com")
        .with_metadata(vec![MetadataItem::new("clientId", "1234")])
}

fn amount_request(amount: &str) -> CreatePaymentLinkRequest {
    CreatePaymentLinkRequest::new()
        .with_amount(dec(amount))
        .with_order_reference("AMT-1")
}

/// A raw request: method, URL, optional Bearer, optional body (JSON value or raw text), extra
/// headers. Answers the status, headers and the body as JSON (`Null` when empty).
async fn raw(
    method: reqwest::Method,
    url: &str,
    bearer: Option<&str>,
    body: Option<Body>,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Value) {
    let (status, headers, text) = raw_text(method, url, bearer, body, headers).await;
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("a JSON body")
    };
    (status, headers, value)
}

/// [`raw`], with the body as text: where a number's exact text matters (a `Value` reads it as
/// an `f64`).
async fn raw_text(
    method: reqwest::Method,
    url: &str,
    bearer: Option<&str>,
    body: Option<Body>,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, String) {
    let http = reqwest::Client::new();
    let mut request = http.request(method, url);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    match body {
        Some(Body::Json(value)) => request = request.json(&value),
        Some(Body::Text(text)) => {
            request = request
                .header("content-type", "application/json")
                .body(text.to_owned())
        }
        None => {}
    }
    let response = request.send().await.expect("response");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    (status, headers, text)
}

enum Body {
    Json(Value),
    Text(&'static str),
}

/// The payer pays the order's link (`paymentLinkUrl`) with `body`, at `now` when given.
async fn pay_link(link: &str, body: Option<Value>, now: Option<&str>) -> (u16, Value) {
    let headers: Vec<(&str, &str)> = now.map(|n| (NOW_HEADER, n)).into_iter().collect();
    let (status, _, value) = raw(
        reqwest::Method::POST,
        link,
        None,
        body.map(Body::Json),
        &headers,
    )
    .await;
    (status, value)
}

/// `POST /sandbox/orders/{code}/{action}` with the secret key.
async fn portal(sb: &Sandbox, code: &str, action: &str) -> (u16, Value) {
    let (status, _, value) = raw(
        reqwest::Method::POST,
        &url(sb, &format!("/sandbox/orders/{code}/{action}")),
        Some(TEST_SECRET_KEY),
        None,
        &[],
    )
    .await;
    (status, value)
}

async fn set_webhook_url(sb: &Sandbox, url_value: Value) -> (u16, Value) {
    let (status, _, value) = raw(
        reqwest::Method::PUT,
        &url(sb, "/sandbox/webhook"),
        Some(TEST_SECRET_KEY),
        Some(Body::Json(json!({ "url": url_value }))),
        &[],
    )
    .await;
    (status, value)
}

async fn deliveries(sb: &Sandbox) -> Vec<Value> {
    let (status, _, value) = raw(
        reqwest::Method::GET,
        &url(sb, "/sandbox/webhooks"),
        Some(TEST_SECRET_KEY),
        None,
        &[],
    )
    .await;
    assert_eq!(status, 200, "{value}");
    value["deliveries"].as_array().cloned().expect("deliveries")
}

fn problem_of(value: &Value) -> ProblemDetails {
    serde_json::from_value(value.clone()).expect("a ProblemDetails body")
}

/// The sorted keys of a 400's `errors`, checking the RFC 7807 members on the way.
fn error_keys(status: u16, value: &Value) -> Vec<String> {
    assert_eq!(status, 400, "{value}");
    let p = problem_of(value);
    assert_eq!(p.status, Nullable::Value(400));
    assert_eq!(
        p.type_.as_deref(),
        Some("https://tools.ietf.org/html/rfc7231#section-6.5.1")
    );
    assert_eq!(
        p.title.as_deref(),
        Some("One or more validation errors occurred.")
    );
    let errors = p.errors.into_value().expect("errors");
    assert!(
        errors.values().all(|m| !m.is_empty()),
        "every key has messages: {errors:?}"
    );
    errors.into_keys().collect()
}

/// The status and ProblemDetails of a documented error answer (`Error::Api`).
fn api_problem<T: std::fmt::Debug>(result: Result<T, Error>) -> (u16, ProblemDetails) {
    match result {
        Err(Error::Api { status, body, .. }) => (status.as_u16(), body),
        other => panic!("expected an API error, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// A webhook receiver on loopback

#[derive(Clone, Default)]
struct Receiver {
    hits: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    /// The status it answers (200 unless set).
    status: Arc<AtomicU16>,
}

impl Receiver {
    fn hits(&self) -> Vec<(HeaderMap, Bytes)> {
        self.hits.lock().expect("hits").clone()
    }
}

async fn hook(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    r.hits.lock().expect("hits").push((headers, body));
    StatusCode::from_u16(r.status.load(Ordering::SeqCst)).unwrap_or(StatusCode::OK)
}

/// A receiver at `http://127.0.0.1:PORT/hook`; it stops when the test's runtime ends.
async fn receiver() -> (String, Receiver) {
    let r = Receiver::default();
    r.status.store(200, Ordering::SeqCst);
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(hook))
        .with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/hook"), r)
}

/// A loopback URL nothing listens on.
async fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    format!("http://{addr}/hook")
}

fn event_types(hits: &[(HeaderMap, Bytes)]) -> Vec<WebhookEventType> {
    let verifier = OrderEventWebhook::new(TEST_WEBHOOK_SECRET);
    hits.iter()
        .map(|(headers, body)| {
            verifier
                .verify_request(headers, body)
                .expect("a valid signature")
                .type_
                .expect("a type")
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Creating and reading links

#[tokio::test]
async fn links_by_line_items_and_by_amount_have_exact_totals() {
    let sb = sandbox().await;
    let c = client_at(&sb, T0);

    let created = c
        .create_payment_link(&products_request())
        .await
        .expect("created");
    assert!(created.order_code.starts_with("PL-"), "{created:?}");
    assert_eq!(created.order_id, 1);
    assert_eq!(
        created.payment_link_url,
        url(&sb, &format!("/sandbox/pay/{}", created.order_code))
    );
    let order = c.get_order(&created.order_code).await.expect("order");
    assert_eq!(order.order_code, created.order_code);
    assert_eq!(order.order_id, 1);
    assert_eq!(order.order_status, OrderStatus::Pending);
    assert_eq!(order.name.as_deref(), Some("Pizza Integration"));
    assert_eq!(
        order.description.as_deref(),
        Some("A delicious pizza order")
    );
    assert_eq!(order.order_reference.as_deref(), Some("RFC-1234"));
    let lines = order.line_items.clone().into_value().expect("lines");
    let subs: Vec<Option<Decimal>> = lines.iter().map(|l| l.sub_total.value().copied()).collect();
    assert_eq!(
        subs,
        [Some(dec("30")), Some(dec("60")), Some(dec("0.30"))],
        "{lines:?}"
    );
    assert_eq!(lines[2].quantity, Nullable::Value(3));
    assert_eq!(lines[2].price, Nullable::Value(dec("0.10")));
    assert_eq!(order.subtotal, Nullable::Value(dec("90.30")));
    assert_eq!(order.total, Nullable::Value(dec("90.30")));
    let details = order.total_details.clone().expect("totalDetails");
    assert_eq!(details.shipping_amount, Nullable::Value(Decimal::ZERO));
    assert_eq!(details.discount_amount, Nullable::Value(Decimal::ZERO));
    assert_eq!(details.surcharge_amount, Nullable::Value(Decimal::ZERO));
    assert_eq!(
        order.metadata,
        Nullable::Value(vec![MetadataItem::new("clientId", "1234")])
    );
    assert_eq!(
        order.payment_link_url.as_deref(),
        Some(created.payment_link_url.as_str())
    );
    assert_eq!(order.success_url.as_deref(), Some("https://www.google.hn"));
    assert_eq!(order.cancel_url.as_deref(), Some("https://www.youtube.com"));
    assert_eq!(order.created.map(|d| d.to_string()).as_deref(), Some(T0));
    let store = order.store.clone().expect("store");
    assert_eq!(store.currency_code.as_deref(), Some("USD"));
    assert!(store.name.is_value());
    assert_eq!(order.payment, None);

    // The raw JSON keeps the decimals exact (no float detour).
    let (_, _, raw_order) = raw_text(
        reqwest::Method::GET,
        &url(&sb, &format!("/paymentlink/order/{}", created.order_code)),
        Some(TEST_SECRET_KEY),
        None,
        &[],
    )
    .await;
    assert!(raw_order.contains(r#""total":90.30"#), "{raw_order}");
    assert!(raw_order.contains(r#""subTotal":0.30"#), "{raw_order}");

    // Method 2: the amount only.
    let created = c
        .create_payment_link(&amount_request("10.50"))
        .await
        .expect("created");
    assert_eq!(created.order_id, 2);
    let order = c.get_order(&created.order_code).await.expect("order");
    assert_eq!(order.subtotal, Nullable::Value(dec("10.50")));
    assert_eq!(order.total, Nullable::Value(dec("10.50")));
    assert_eq!(order.line_items, Nullable::Value(Vec::new()));
    assert_eq!(order.name.as_deref(), Some("PaymentLink Order"));

    // Products of the store by SKU.
    let request = CreatePaymentLinkRequest::new()
        .with_line_items(vec![sku("PIZZA-001", 2), sku("PIZZA-002", 1)]);
    let created = c.create_payment_link(&request).await.expect("created");
    let order = c.get_order(&created.order_code).await.expect("order");
    let lines = order.line_items.into_value().expect("lines");
    assert_eq!(lines[0].sku.as_deref(), Some("PIZZA-001"));
    assert_eq!(lines[0].product_id, Nullable::Value(1));
    assert_eq!(lines[0].name.as_deref(), Some("Italian Pizza"));
    assert_eq!(lines[0].sub_total, Nullable::Value(dec("30.00")));
    assert_eq!(order.total, Nullable::Value(dec("50.00")));

    // A SKU the store does not have.
    let request =
        CreatePaymentLinkRequest::new().with_line_items(vec![sku("PIZZA-001", 1), sku("NOPE", 1)]);
    let (status, p) = api_problem(c.create_payment_link(&request).await);
    assert_eq!(status, 400);
    let keys: Vec<String> = p.errors.into_value().expect("errors").into_keys().collect();
    assert_eq!(keys, ["lineItems[1].sku"]);
}

#[tokio::test]
async fn invalid_bodies_are_rfc7807_problems_keyed_by_field_path() {
    let sb = sandbox().await;
    let c = client(&sb);

    // Through progenitor's low-level client (no validation before sending), decoded by the
    // generated client's error type.
    let cases: Vec<(CreatePaymentLinkRequest, Vec<&str>)> = vec![
        (
            CreatePaymentLinkRequest::new()
                .with_amount(dec("10"))
                .with_line_items(vec![product("P", "1", 1)]),
            vec!["amount", "lineItems"],
        ),
        (
            CreatePaymentLinkRequest::default(),
            vec!["amount", "lineItems"],
        ),
        (amount_request("0"), vec!["amount"]),
        (amount_request("-5"), vec!["amount"]),
        (
            CreatePaymentLinkRequest::new()
                .with_line_items(vec![product("P", "1", 1), product("Q", "2", 0)]),
            vec!["lineItems[1].quantity"],
        ),
        (
            amount_request("1").with_expiration_minutes(0),
            vec!["expirationMinutes"],
        ),
        (
            CreatePaymentLinkRequest::new()
                .with_line_items(vec![product("P", "1", 1).with_sku("PIZZA-001")]),
            vec!["lineItems[0].product", "lineItems[0].sku"],
        ),
        (
            amount_request("1")
                .with_order_name("x".repeat(256))
                .with_order_reference("y".repeat(256)),
            vec!["orderName", "orderReference"],
        ),
        (
            CreatePaymentLinkRequest::new().with_line_items(vec![product("Refund", "-1", 1)]),
            vec!["lineItems[0].product.price"],
        ),
        (
            CreatePaymentLinkRequest::new().with_line_items(vec![product("Free", "0", 1)]),
            vec!["lineItems"],
        ),
    ];
    for (request, expected) in cases {
        let result = match c.raw().create_payment_link(&request).await {
            Ok(r) => Ok(r.into_inner()),
            Err(e) => Err(payspec_runtime::from_progenitor(e, None).await),
        };
        let (status, p) = api_problem(result);
        assert_eq!(status, 400, "{request:?}");
        let value = serde_json::to_value(&p).expect("json");
        assert_eq!(error_keys(status, &value), expected, "{request:?}");
    }

    // The typed client refuses the same bodies before sending.
    let both = CreatePaymentLinkRequest::new()
        .with_amount(dec("10"))
        .with_line_items(vec![product("P", "1", 1)]);
    assert!(matches!(
        c.create_payment_link(&both).await,
        Err(Error::Validation(_))
    ));

    // Bodies the generated types cannot even express.
    let raw_cases: Vec<(Body, Vec<&str>)> = vec![
        (Body::Text(""), vec![""]),
        (Body::Text("{not json"), vec!["$"]),
        (Body::Json(json!([1, 2])), vec!["$"]),
        (
            Body::Json(json!({"amount": 5, "lineItems": []})),
            vec!["lineItems"],
        ),
        (
            Body::Json(
                json!({"lineItems": [{"product": {"name": "P", "price": "x"},
                                             "quantity": "two"}, 7]}),
            ),
            vec![
                "lineItems[0].product.price",
                "lineItems[0].quantity",
                "lineItems[1]",
            ],
        ),
        (
            Body::Json(json!({"lineItems": [{"product": {"name": "P"}}]})),
            vec!["lineItems[0].product.price", "lineItems[0].quantity"],
        ),
        (
            Body::Json(json!({"amount": 1, "orderName": null, "orderDescription": null})),
            vec!["orderName"],
        ),
        (
            Body::Json(json!({"amount": 1, "expirationMinutes": 3_000_000_000u64})),
            vec!["expirationMinutes"],
        ),
        (
            Body::Json(json!({"amount": 1, "metadata": [{"name": "a"}]})),
            vec!["metadata[0].value"],
        ),
        (Body::Text(r#"{"amount": 1e400}"#), vec!["amount"]),
        (
            Body::Text(
                // A valid price (5e28, below the largest decimal) whose subtotal is not.
                r#"{"lineItems": [{"product": {"name": "P", "price": 50000000000000000000000000000},
                    "quantity": 2}]}"#,
            ),
            vec!["lineItems[0]"],
        ),
    ];
    for (body, expected) in raw_cases {
        let (status, _, value) = raw(
            reqwest::Method::POST,
            &url(&sb, "/paymentlink/checkout"),
            Some(TEST_SECRET_KEY),
            Some(body),
            &[],
        )
        .await;
        assert_eq!(error_keys(status, &value), expected, "{value}");
    }

    // Unknown members are ignored, and a null description is allowed by the spec.
    let (status, _, value) = raw(
        reqwest::Method::POST,
        &url(&sb, "/paymentlink/checkout"),
        Some(TEST_SECRET_KEY),
        Some(Body::Json(
            json!({"amount": 1, "orderDescription": null, "extra": true}),
        )),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{value}");
}

#[tokio::test]
async fn missing_or_wrong_secret_keys_are_401() {
    let sb = sandbox().await;
    let created = client(&sb)
        .create_payment_link(&amount_request("1"))
        .await
        .expect("created");

    let wrong = Client::builder(&sb.n1co.base_url)
        .bearer_auth("not-the-key")
        .retry(RetryPolicy::none())
        .build()
        .expect("client");
    let (status, p) = api_problem(wrong.create_payment_link(&amount_request("1")).await);
    assert_eq!(status, 401);
    assert_eq!(p.status, Nullable::Value(401));
    assert_eq!(p.title.as_deref(), Some("Unauthorized"));
    let (status, _) = api_problem(wrong.get_order(&created.order_code).await);
    assert_eq!(status, 401);

    // Without a key the typed client does not send at all; raw requests get 401.
    let unauthenticated = Client::builder(&sb.n1co.base_url).build().expect("client");
    assert!(matches!(
        unauthenticated.get_order(&created.order_code).await,
        Err(Error::MissingCredential { .. })
    ));
    for (method, path, bearer) in [
        (
            reqwest::Method::POST,
            "/paymentlink/checkout".to_owned(),
            None,
        ),
        (
            reqwest::Method::POST,
            "/paymentlink/checkout".to_owned(),
            Some("Basic abc"),
        ),
        (
            reqwest::Method::GET,
            format!("/paymentlink/order/{}", created.order_code),
            None,
        ),
        (
            reqwest::Method::POST,
            format!("/sandbox/orders/{}/cancel", created.order_code),
            None,
        ),
        (
            reqwest::Method::POST,
            format!("/sandbox/orders/{}/finalize", created.order_code),
            Some("wrong"),
        ),
        (reqwest::Method::GET, "/sandbox/webhooks".to_owned(), None),
        (reqwest::Method::PUT, "/sandbox/webhook".to_owned(), None),
    ] {
        let (status, headers, value) = raw(
            method.clone(),
            &url(&sb, &path),
            bearer,
            Some(Body::Json(json!({"amount": 1}))),
            &[],
        )
        .await;
        assert_eq!(status, 401, "{method} {path}: {value}");
        assert_eq!(problem_of(&value).status, Nullable::Value(401));
        assert!(
            headers
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("Bearer")),
            "{headers:?}"
        );
    }
    // Nothing was cancelled.
    let order = client(&sb)
        .get_order(&created.order_code)
        .await
        .expect("order");
    assert_eq!(order.order_status, OrderStatus::Pending);
}

#[tokio::test]
async fn unknown_codes_and_routes_are_404_problems() {
    let sb = sandbox().await;
    let (status, p) = api_problem(client(&sb).get_order("PL-NOPE").await);
    assert_eq!(status, 404);
    assert_eq!(p.status, Nullable::Value(404));
    assert_eq!(p.title.as_deref(), Some("Not Found"));

    for (method, path, bearer) in [
        (reqwest::Method::POST, "/sandbox/pay/PL-NOPE", None),
        (reqwest::Method::GET, "/sandbox/pay/PL-NOPE", None),
        (reqwest::Method::GET, "/sandbox/vouchers/PL-NOPE", None),
        (
            reqwest::Method::POST,
            "/sandbox/orders/PL-NOPE/cancel",
            Some(TEST_SECRET_KEY),
        ),
        (
            reqwest::Method::POST,
            "/sandbox/orders/PL-NOPE/finalize",
            Some(TEST_SECRET_KEY),
        ),
        (
            reqwest::Method::GET,
            "/paymentlink/order/",
            Some(TEST_SECRET_KEY),
        ),
        (reqwest::Method::GET, "/nothing/here", None),
    ] {
        let (status, _, value) = raw(method.clone(), &url(&sb, path), bearer, None, &[]).await;
        assert_eq!(status, 404, "{method} {path}: {value}");
        assert_eq!(problem_of(&value).status, Nullable::Value(404), "{value}");
    }
    let (status, _, value) = raw(
        reqwest::Method::DELETE,
        &url(&sb, "/paymentlink/checkout"),
        Some(TEST_SECRET_KEY),
        None,
        &[],
    )
    .await;
    assert_eq!(status, 405, "{value}");
    assert_eq!(problem_of(&value).status, Nullable::Value(405));
}

// ---------------------------------------------------------------------------------------------
// The payer and the portal

#[tokio::test]
async fn paying_moves_the_order_to_paid_with_payment_details() {
    let sb = sandbox().await;
    let c = client(&sb);
    let created = c
        .create_payment_link(&products_request())
        .await
        .expect("created");

    // The payer's page describes the order.
    let (status, _, page) = raw(
        reqwest::Method::GET,
        &created.payment_link_url,
        None,
        None,
        &[],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["orderStatus"], "PENDING");
    let (_, _, page_text) = raw_text(
        reqwest::Method::GET,
        &created.payment_link_url,
        None,
        None,
        &[],
    )
    .await;
    assert!(page_text.contains(r#""total":90.30"#), "{page_text}");
    assert_eq!(page["expired"], false);

    let buyer = json!({"name": "Ana", "phone": "+503 7000-0000", "email": "ana@example.com"});
    let (status, paid) = pay_link(
        &created.payment_link_url,
        Some(json!({"buyer": buyer, "outcome": "success"})),
        None,
    )
    .await;
    assert_eq!(status, 200, "{paid}");
    let paid: OrderDetails = serde_json::from_value(paid).expect("OrderDetails");
    assert_eq!(paid.order_status, OrderStatus::Paid);

    let order = c.get_order(&created.order_code).await.expect("order");
    assert_eq!(order, paid);
    let payment = order.payment.expect("payment");
    let code = payment
        .authorization_code
        .into_value()
        .expect("authorization code");
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_hexdigit()), "{code}");
    let b = payment.buyer.expect("buyer");
    assert_eq!(b.name.as_deref(), Some("Ana"));
    assert_eq!(b.phone.as_deref(), Some("+503 7000-0000"));
    assert_eq!(b.email.as_deref(), Some("ana@example.com"));
    let voucher_url = payment.voucher_url.into_value().expect("voucher URL");
    let (status, _, voucher) = raw(reqwest::Method::GET, &voucher_url, None, None, &[]).await;
    assert_eq!(status, 200, "{voucher}");
    assert_eq!(voucher["authorizationCode"], code.as_str());
    assert_eq!(voucher["orderCode"], created.order_code.as_str());
    let (_, _, voucher_text) = raw_text(reqwest::Method::GET, &voucher_url, None, None, &[]).await;
    assert!(voucher_text.contains(r#""total":90.30"#), "{voucher_text}");

    // Without a body: the default buyer.
    let created = c
        .create_payment_link(&amount_request("5"))
        .await
        .expect("created");
    let (status, paid) = pay_link(&created.payment_link_url, None, None).await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["orderStatus"], "PAID");
    assert_eq!(paid["payment"]["buyer"]["name"], "John Doe");

    // A second payment of a paid order is a conflict.
    let (status, again) = pay_link(&created.payment_link_url, None, None).await;
    assert_eq!(status, 409, "{again}");
    assert_eq!(problem_of(&again).status, Nullable::Value(409));
}

#[tokio::test]
async fn an_error_outcome_keeps_the_order_pending_and_it_can_be_paid_later() {
    let sb = sandbox().await;
    let c = client(&sb);
    let created = c
        .create_payment_link(&amount_request("12.34"))
        .await
        .expect("created");
    let (status, declined) = pay_link(
        &created.payment_link_url,
        Some(json!({"outcome": "error"})),
        None,
    )
    .await;
    assert_eq!(status, 402, "{declined}");
    assert_eq!(problem_of(&declined).status, Nullable::Value(402));
    let order = c.get_order(&created.order_code).await.expect("order");
    assert_eq!(order.order_status, OrderStatus::Pending);
    assert_eq!(order.payment, None);

    let (status, paid) = pay_link(&created.payment_link_url, Some(json!({})), None).await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["orderStatus"], "PAID");

    // Bodies the pay route does not understand.
    for body in [
        json!({"outcome": "maybe"}),
        json!({"outcom": "error"}),
        json!({"buyer": "Ana"}),
        json!({"buyer": {"name": 5}}),
        json!({"buyer": {"nickname": "A"}}),
        json!([1]),
    ] {
        let (status, value) = pay_link(&created.payment_link_url, Some(body.clone()), None).await;
        assert_eq!(status, 400, "{body}: {value}");
        assert_eq!(problem_of(&value).status, Nullable::Value(400));
    }
}

#[tokio::test]
async fn cancel_and_finalize_follow_the_status_machine() {
    let sb = sandbox().await;
    let c = client(&sb);

    let a = c
        .create_payment_link(&amount_request("1"))
        .await
        .expect("created");
    let (status, _) = portal(&sb, &a.order_code, "finalize").await;
    assert_eq!(status, 409, "a pending order cannot be finalized");
    let (status, cancelled) = portal(&sb, &a.order_code, "cancel").await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["orderStatus"], "CANCELLED");
    assert_eq!(
        c.get_order(&a.order_code)
            .await
            .expect("order")
            .order_status,
        OrderStatus::Cancelled
    );
    for (action, expected) in [("cancel", 409), ("finalize", 409)] {
        let (status, value) = portal(&sb, &a.order_code, action).await;
        assert_eq!(status, expected, "{action}: {value}");
        assert_eq!(problem_of(&value).title.as_deref(), Some("Conflict"));
    }
    let (status, _) = pay_link(&a.payment_link_url, None, None).await;
    assert_eq!(status, 409, "a cancelled order cannot be paid");

    let b = c
        .create_payment_link(&amount_request("2"))
        .await
        .expect("created");
    let (status, _) = pay_link(&b.payment_link_url, None, None).await;
    assert_eq!(status, 200);
    let (status, _) = portal(&sb, &b.order_code, "cancel").await;
    assert_eq!(status, 409, "a paid order cannot be cancelled");
    let (status, finalized) = portal(&sb, &b.order_code, "finalize").await;
    assert_eq!(status, 200, "{finalized}");
    assert_eq!(finalized["orderStatus"], "FINALIZED");
    assert!(finalized["payment"]["authorizationCode"].is_string());
    for action in ["cancel", "finalize"] {
        let (status, _) = portal(&sb, &b.order_code, action).await;
        assert_eq!(status, 409, "{action} of a finalized order");
    }
    let (status, _) = pay_link(&b.payment_link_url, None, None).await;
    assert_eq!(status, 409, "a finalized order cannot be paid");
    assert_eq!(
        c.get_order(&b.order_code)
            .await
            .expect("order")
            .order_status,
        OrderStatus::Finalized
    );
}

#[tokio::test]
async fn concurrent_payments_of_one_order_succeed_once() {
    let sb = sandbox().await;
    let created = client(&sb)
        .create_payment_link(&amount_request("3"))
        .await
        .expect("created");
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let link = created.payment_link_url.clone();
            tokio::spawn(async move { pay_link(&link, None, None).await.0 })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.expect("task"));
    }
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409, 409, 409, 409, 409, 409, 409]);
}

#[tokio::test]
async fn expired_links_answer_410_and_the_order_stays_pending() {
    let sb = sandbox().await;
    let c = client_at(&sb, T0);
    let request = amount_request("7").with_expiration_minutes(30);
    let short = c.create_payment_link(&request).await.expect("created");
    let day = c
        .create_payment_link(&amount_request("8"))
        .await
        .expect("created");

    // 30 minutes after creation, also written with an offset: expired.
    for now in ["2024-05-14T14:14:23.133Z", "2024-05-14T08:14:23.133-06:00"] {
        let (status, gone) = pay_link(&short.payment_link_url, None, Some(now)).await;
        assert_eq!(status, 410, "{now}: {gone}");
        let p = problem_of(&gone);
        assert_eq!(p.status, Nullable::Value(410));
        assert_eq!(p.title.as_deref(), Some("Gone"));
        assert!(
            gone["detail"]
                .as_str()
                .is_some_and(|d| d.contains("expired"))
        );
    }
    let order = c.get_order(&short.order_code).await.expect("order");
    assert_eq!(order.order_status, OrderStatus::Pending);
    assert_eq!(order.payment, None);
    let (_, _, page) = raw(
        reqwest::Method::GET,
        &short.payment_link_url,
        None,
        None,
        &[(NOW_HEADER, "2024-05-14T14:14:23.133Z")],
    )
    .await;
    assert_eq!(page["expired"], true);
    assert_eq!(page["expiresAt"], "2024-05-14T14:14:23.133Z");

    // The default lifetime is one day.
    let (status, _) = pay_link(
        &day.payment_link_url,
        None,
        Some("2024-05-15T13:44:23.133Z"),
    )
    .await;
    assert_eq!(status, 410);
    let (status, paid) = pay_link(
        &day.payment_link_url,
        None,
        Some("2024-05-15T13:44:23.132Z"),
    )
    .await;
    assert_eq!(status, 200, "{paid}");

    // One millisecond before the expiry still pays.
    let (status, paid) = pay_link(
        &short.payment_link_url,
        None,
        Some("2024-05-14T14:14:23.132Z"),
    )
    .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["orderStatus"], "PAID");
}

#[tokio::test]
async fn the_clock_header_must_be_rfc3339() {
    let sb = sandbox().await;
    for bad in ["yesterday", "1715694263133", "2024-13-01T00:00:00Z"] {
        let (status, _, value) = raw(
            reqwest::Method::POST,
            &url(&sb, "/paymentlink/checkout"),
            Some(TEST_SECRET_KEY),
            Some(Body::Json(json!({"amount": 1}))),
            &[(NOW_HEADER, bad)],
        )
        .await;
        assert_eq!(error_keys(status, &value), ["X-Sandbox-Now"], "{bad}");
    }
    // Without an offset it is read as UTC.
    let created = client_at(&sb, "2024-05-14T13:44:23")
        .create_payment_link(&amount_request("1"))
        .await
        .expect("created");
    let order = client(&sb)
        .get_order(&created.order_code)
        .await
        .expect("order");
    assert_eq!(
        order.created.map(|d| d.to_string()).as_deref(),
        Some("2024-05-14T13:44:23.000Z")
    );
}

// ---------------------------------------------------------------------------------------------
// Webhooks

#[tokio::test]
async fn webhooks_are_signed_like_n1co_and_arrive_before_the_answer() {
    let (hook_url, r) = receiver().await;
    let sb = sandbox_with(0, Some(hook_url.clone())).await;
    assert_eq!(
        sb.n1co.credentials.webhook_secret.as_deref(),
        Some(TEST_WEBHOOK_SECRET)
    );
    let c = client(&sb);

    let a = c
        .create_payment_link(&products_request())
        .await
        .expect("created");
    assert_eq!(r.hits().len(), 1, "delivered before the create answered");
    let (status, _) = pay_link(&a.payment_link_url, Some(json!({"outcome": "error"})), None).await;
    assert_eq!(status, 402);
    let (status, _) = pay_link(&a.payment_link_url, None, None).await;
    assert_eq!(status, 200);
    assert_eq!(portal(&sb, &a.order_code, "finalize").await.0, 200);
    let b = c
        .create_payment_link(&amount_request("4"))
        .await
        .expect("created");
    assert_eq!(portal(&sb, &b.order_code, "cancel").await.0, 200);
    // Refused transitions send nothing.
    assert_eq!(portal(&sb, &b.order_code, "cancel").await.0, 409);

    let hits = r.hits();
    assert_eq!(
        event_types(&hits),
        [
            WebhookEventType::Created,
            WebhookEventType::PaymentError,
            WebhookEventType::SuccessPayment,
            WebhookEventType::Finalized,
            WebhookEventType::Created,
            WebhookEventType::Cancelled,
        ]
    );

    let verifier = OrderEventWebhook::new(TEST_WEBHOOK_SECRET);
    for (headers, body) in &hits {
        assert_eq!(
            headers.get("user-agent").and_then(|v| v.to_str().ok()),
            Some("H4B")
        );
        assert_eq!(
            headers.get("content-type").and_then(|v| v.to_str().ok()),
            Some("application/json")
        );
        let signature = headers
            .get(OrderEventWebhook::SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .expect("signature header");
        assert_eq!(signature, verifier.sign(body));
    }

    // The payload, read from the raw bytes after the signature check.
    let (headers, body) = &hits[2];
    let event: WebhookEvent = verifier.verify_request(headers, body).expect("verified");
    assert_eq!(
        event.order_id.as_deref(),
        Some(a.order_id.to_string().as_str())
    );
    assert_eq!(event.order_reference.as_deref(), Some("RFC-1234"));
    assert_eq!(event.order_type.as_deref(), Some("FASTLINK_CHARGE"));
    assert_eq!(event.level.as_deref(), Some("Info"));
    assert!(event.description.is_value());
    let metadata = event.metadata.into_value().expect("metadata");
    assert_eq!(metadata.get("clientId"), Some(&json!("1234")));
    let raw_event: Value = serde_json::from_slice(body).expect("json");
    assert!(raw_event["orderId"].is_string(), "{raw_event}");
    // An order without metadata has none (read as null).
    let (headers, body) = &hits[4];
    let event = verifier.verify_request(headers, body).expect("verified");
    assert_eq!(event.metadata, Nullable::Absent);
    assert_eq!(
        event.order_id.as_deref(),
        Some(b.order_id.to_string().as_str())
    );

    // A tampered body, a wrong secret or a missing header fail verification.
    let mut tampered = body.to_vec();
    if let Some(byte) = tampered.iter_mut().find(|b| **b == b'4') {
        *byte = b'5';
    } else {
        tampered.push(b' ');
    }
    assert!(verifier.verify_request(headers, &tampered).is_err());
    assert!(
        OrderEventWebhook::new("another secret")
            .verify_request(headers, body)
            .is_err()
    );
    assert!(verifier.verify_request(&HeaderMap::new(), body).is_err());

    // The log has every delivery: the exact bytes, the signature, the receiver's status.
    let log = deliveries(&sb).await;
    assert_eq!(log.len(), hits.len());
    for (entry, (headers, body)) in log.iter().zip(&hits) {
        assert_eq!(entry["body"].as_str().map(str::as_bytes), Some(&body[..]));
        assert_eq!(
            entry["signature"].as_str(),
            headers
                .get(OrderEventWebhook::SIGNATURE_HEADER)
                .and_then(|v| v.to_str().ok())
        );
        assert_eq!(entry["status"], 200);
        assert_eq!(entry["delivered"], true);
        assert_eq!(entry["error"], Value::Null);
        assert_eq!(entry["url"], hook_url.as_str());
    }
    let types: Vec<&str> = log.iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(
        types,
        [
            "Created",
            "PaymentError",
            "SuccessPayment",
            "Finalized",
            "Created",
            "Cancelled"
        ]
    );
    assert_eq!(log[0]["orderCode"], a.order_code.as_str());
    assert_eq!(log[5]["orderCode"], b.order_code.as_str());
}

#[tokio::test]
async fn the_webhook_url_is_set_at_runtime_and_failures_are_only_logged() {
    let sb = sandbox().await;
    let c = client(&sb);

    // No URL: nothing is sent, the log says so.
    let a = c
        .create_payment_link(&amount_request("1"))
        .await
        .expect("created");
    let log = deliveries(&sb).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["type"], "Created");
    assert_eq!(log[0]["delivered"], false);
    assert_eq!(log[0]["url"], Value::Null);
    assert!(
        log[0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("not sent"))
    );
    assert!(log[0]["signature"].is_string());

    // A dead URL: the payment still succeeds; the error is logged.
    let dead = dead_url().await;
    let (status, value) = set_webhook_url(&sb, json!(dead)).await;
    assert_eq!(status, 200, "{value}");
    assert_eq!(value["url"], dead.as_str());
    let (status, paid) = pay_link(&a.payment_link_url, None, None).await;
    assert_eq!(status, 200, "{paid}");
    let log = deliveries(&sb).await;
    assert_eq!(log[1]["type"], "SuccessPayment");
    assert_eq!(log[1]["url"], dead.as_str());
    assert_eq!(log[1]["delivered"], false);
    assert_eq!(log[1]["status"], Value::Null);
    assert!(log[1]["error"].is_string(), "{}", log[1]);

    // A receiver that answers 500: logged with its status, the request still succeeds.
    let (hook_url, r) = receiver().await;
    r.status.store(500, Ordering::SeqCst);
    assert_eq!(set_webhook_url(&sb, json!(hook_url)).await.0, 200);
    assert_eq!(portal(&sb, &a.order_code, "finalize").await.0, 200);
    let log = deliveries(&sb).await;
    assert_eq!(log[2]["type"], "Finalized");
    assert_eq!(log[2]["status"], 500);
    assert_eq!(log[2]["delivered"], false);
    assert_eq!(event_types(&r.hits()), [WebhookEventType::Finalized]);

    // Back to 200, then switched off.
    r.status.store(200, Ordering::SeqCst);
    let b = c
        .create_payment_link(&amount_request("2"))
        .await
        .expect("created");
    assert_eq!(r.hits().len(), 2);
    let (status, value) = set_webhook_url(&sb, Value::Null).await;
    assert_eq!((status, value), (200, json!({"url": null})));
    assert_eq!(portal(&sb, &b.order_code, "cancel").await.0, 200);
    assert_eq!(r.hits().len(), 2, "nothing sent once the URL is cleared");
    let log = deliveries(&sb).await;
    let delivered: Vec<bool> = log.iter().map(|e| e["delivered"] == true).collect();
    assert_eq!(delivered, [false, false, false, true, false]);
    let sequences: Vec<u64> = log.iter().filter_map(|e| e["sequence"].as_u64()).collect();
    assert_eq!(sequences, [1, 2, 3, 4, 5]);

    // Invalid settings.
    for body in [json!("ftp://x"), json!("/relative"), json!(5)] {
        let (status, value) = set_webhook_url(&sb, body.clone()).await;
        assert_eq!(error_keys(status, &value), ["url"], "{body}");
    }
    let (status, _, value) = raw(
        reqwest::Method::PUT,
        &url(&sb, "/sandbox/webhook"),
        Some(TEST_SECRET_KEY),
        Some(Body::Json(json!({}))),
        &[],
    )
    .await;
    assert_eq!(error_keys(status, &value), ["url"]);
    let (status, _, value) = raw(
        reqwest::Method::GET,
        &url(&sb, "/sandbox/webhook"),
        Some(TEST_SECRET_KEY),
        None,
        &[],
    )
    .await;
    assert_eq!((status, value), (200, json!({"url": null})));
}

// ---------------------------------------------------------------------------------------------
// Determinism and robustness

async fn codes(seed: u64) -> Vec<(String, i64, String)> {
    let sb = sandbox_with(seed, None).await;
    let c = client(&sb);
    let mut out = Vec::new();
    for amount in ["1", "2", "3"] {
        let created = c
            .create_payment_link(&amount_request(amount))
            .await
            .expect("created");
        let (status, paid) = pay_link(&created.payment_link_url, None, None).await;
        assert_eq!(status, 200);
        let authorization = paid["payment"]["authorizationCode"]
            .as_str()
            .expect("authorization")
            .to_owned();
        out.push((created.order_code, created.order_id, authorization));
    }
    out
}

#[tokio::test]
async fn order_codes_are_deterministic_per_seed() {
    let a = codes(7).await;
    let b = codes(7).await;
    let other = codes(8).await;
    assert_eq!(a, b);
    assert_ne!(a, other);
    let ids: Vec<i64> = a.iter().map(|(_, id, _)| *id).collect();
    assert_eq!(ids, [1, 2, 3]);
    let mut unique: Vec<&String> = a.iter().map(|(code, ..)| code).collect();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 3);
    assert!(
        a.iter()
            .all(|(code, ..)| code.len() == 11 && code.starts_with("PL-"))
    );
}

#[tokio::test]
async fn malformed_requests_never_break_the_server() {
    let sb = sandbox().await;
    let checkout = url(&sb, "/paymentlink/checkout");
    let bodies: [&'static str; 10] = [
        "null",
        "\"text\"",
        "{\"amount\": {}}",
        "{\"lineItems\": {}}",
        "{\"lineItems\": [null]}",
        "{\"lineItems\": [{\"quantity\": -2147483649, \"sku\": 5}]}",
        "{\"amount\": 1, \"metadata\": \"x\"}",
        "{\"amount\": 1, \"expirationMinutes\": 1.5}",
        "{\"amount\": 1, \"orderName\": 1}",
        "{\"amount\": -0}",
    ];
    for body in bodies {
        let (status, _, value) = raw(
            reqwest::Method::POST,
            &checkout,
            Some(TEST_SECRET_KEY),
            Some(Body::Text(body)),
            &[],
        )
        .await;
        assert_eq!(status, 400, "{body}: {value}");
        assert!(
            problem_of(&value)
                .errors
                .into_value()
                .is_some_and(|e| !e.is_empty())
        );
    }
    // Path segments that are not valid UTF-8 once decoded.
    let (status, _, value) = raw(
        reqwest::Method::GET,
        &url(&sb, "/paymentlink/order/%FF%FE"),
        Some(TEST_SECRET_KEY),
        None,
        &[],
    )
    .await;
    assert_eq!(status, 404, "{value}");
    // The server still works, and a huge expiry does not overflow.
    let request = amount_request("1").with_expiration_minutes(i32::MAX);
    let created = client(&sb)
        .create_payment_link(&request)
        .await
        .expect("created");
    let (status, _) = pay_link(&created.payment_link_url, None, None).await;
    assert_eq!(status, 200);
}
