//! The Onecheckout simulator, driven through the generated client (`payspec_onecheckout`), and
//! with raw HTTP where the client would refuse to send (invalid bodies, missing credentials)
//! or for the sandbox-only routes (`/sandbox/orders/{id}/pay|refund|cancel`).

use std::str::FromStr;
use std::time::Duration;

use futures::StreamExt;
use payspec_onecheckout::types::{
    CreateOrderRequest, ErrorCode, ErrorDetail, ErrorResponse, ErrorValue, EventType, LinkRel,
    ListOrdersRequest, MerchantUpdate, NewOrderLine, Order, OrderStatus, PaymentGateway,
    PaymentMethod, PaymentStatus,
};
use payspec_onecheckout::{Client, EpochMillis, Error, RetryPolicy};
use payspec_sandbox::onecheckout::{NOW_HEADER, RATE_LIMITED_CODE, REQUESTS_PER_MINUTE};
use payspec_sandbox::{Sandbox, SandboxOptions};
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// 2024-10-23T20:00:00Z, a whole hour.
const T0: i64 = 1_729_713_600_000;
const HOUR: i64 = 3_600_000;

async fn sandbox() -> Sandbox {
    Sandbox::start().await.expect("sandbox starts")
}

fn token(sb: &Sandbox) -> &str {
    &sb.onecheckout.credentials.secret
}

fn api_key(sb: &Sandbox) -> &str {
    sb.onecheckout
        .credentials
        .api_key
        .as_deref()
        .expect("an API key")
}

fn url(sb: &Sandbox, path: &str) -> String {
    format!("{}{path}", sb.onecheckout.base_url)
}

fn bearer_client(sb: &Sandbox) -> Client {
    Client::builder(&sb.onecheckout.base_url)
        .bearer_auth(token(sb))
        .retry(RetryPolicy::none())
        .build()
        .expect("client")
}

fn key_client(sb: &Sandbox) -> Client {
    Client::builder(&sb.onecheckout.base_url)
        .api_key_auth(api_key(sb))
        .retry(RetryPolicy::none())
        .build()
        .expect("client")
}

/// A Bearer client whose requests all carry `X-Sandbox-Now: now`.
fn client_at(sb: &Sandbox, now: i64) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(NOW_HEADER, reqwest::header::HeaderValue::from(now));
    let http = reqwest::Client::builder().default_headers(headers);
    Client::builder(&sb.onecheckout.base_url)
        .bearer_auth(token(sb))
        .retry(RetryPolicy::none())
        .http_client_builder(http)
        .build()
        .expect("client")
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

fn line(title: &str, quantity: &str, unit_price: &str) -> NewOrderLine {
    NewOrderLine::new(dec(quantity), title, dec(unit_price))
}

/// The spec's example: 2 × 19.99 + 1 × 16.99 + 5.00 tax = 61.97.
fn order_request(reference: &str) -> CreateOrderRequest {
    CreateOrderRequest::new(
        "USD",
        vec![
            line("Premium T-Shirt", "2", "19.99"),
            line("Coffee Mug", "1", "16.99"),
        ],
    )
    .with_reference_id(reference)
    .with_success_url("https://store.example.com/thanks")
    .with_tax_amount(dec("5.00"))
}

/// A raw request: method, URL, optional `Authorization: Bearer`, optional JSON body.
async fn raw(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    bearer: Option<&str>,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = http.request(method, url);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("response");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("body");
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("a JSON body")
    };
    (status, headers, value)
}

/// The order's `pay` link, called as the payer would (the link carries the payment token).
async fn pay(order: &Order, options: Value, now: Option<i64>) -> Order {
    let href = order
        .links
        .iter()
        .find(|l| l.rel == LinkRel::Pay)
        .map(|l| l.href.clone())
        .expect("a pay link");
    let mut request = reqwest::Client::new().post(&href).json(&options);
    if let Some(now) = now {
        request = request.header(NOW_HEADER, now);
    }
    let response = request.send().await.expect("pay answers");
    assert_eq!(response.status().as_u16(), 200, "pay {href}");
    response.json().await.expect("an order")
}

/// A sandbox dashboard action (`refund`, `cancel`) with the Bearer token.
async fn dashboard(sb: &Sandbox, id: &str, action: &str) -> (u16, Value) {
    let (status, _, body) = raw(
        &reqwest::Client::new(),
        reqwest::Method::POST,
        &url(sb, &format!("/sandbox/orders/{id}/{action}")),
        Some(token(sb)),
        None,
    )
    .await;
    (status, body)
}

/// The status and parsed body of an `Error::Api`.
fn api_error<T: std::fmt::Debug>(result: Result<T, Error>) -> (u16, ErrorResponse) {
    match result {
        Err(Error::Api { status, body, .. }) => (status.as_u16(), body),
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn detail(body: &ErrorResponse) -> &ErrorDetail {
    match &body.error {
        ErrorValue::Detail(d) => d,
        other => panic!("expected the detailed error shape, got {other:?}"),
    }
}

/// The `field`s of a raw `validation_error` body.
fn raw_fields(body: &Value) -> Vec<String> {
    assert_eq!(body["error"]["code"], "validation_error", "{body}");
    body["error"]["details"]
        .as_array()
        .expect("details")
        .iter()
        .map(|d| d["field"].as_str().expect("a field").to_owned())
        .collect()
}

#[tokio::test]
async fn account_reads_with_api_key_and_bearer_and_updates_partially() {
    let sb = sandbox().await;
    let merchant_id = sb.onecheckout.credentials.id.clone();

    let by_key = key_client(&sb)
        .get_account()
        .await
        .expect("read with X-API-Key");
    assert_eq!(by_key.id.as_deref(), Some(merchant_id.as_str()));
    assert_eq!(by_key.currencies, vec!["USD", "EUR"]);
    assert_eq!(
        by_key.payment_methods,
        vec![PaymentMethod::Paypal, PaymentMethod::StripeHosted]
    );
    let by_bearer = bearer_client(&sb)
        .get_account()
        .await
        .expect("read with Bearer");
    assert_eq!(by_bearer, by_key);

    let update = MerchantUpdate::new()
        .with_full_name("Jane Merchant")
        .with_webhook_url("https://shop.example.com/hooks/onecheckout");
    let updated = key_client(&sb)
        .update_account(&update)
        .await
        .expect("update");
    assert_eq!(updated.full_name.as_deref(), Some("Jane Merchant"));
    assert_eq!(
        updated.webhook_url.as_deref(),
        Some("https://shop.example.com/hooks/onecheckout")
    );
    // The members not sent keep their values.
    assert_eq!(updated.email, by_key.email);
    assert_eq!(updated.phone, by_key.phone);
    assert_eq!(updated.success_url, by_key.success_url);
    assert!(updated.updated.is_some());
    let again = bearer_client(&sb).get_account().await.expect("read again");
    assert_eq!(again, updated);

    // The sandbox checks the email, as the spec's example error does.
    let bad = MerchantUpdate::new().with_email("not-an-email");
    let (status, body) = api_error(bearer_client(&sb).update_account(&bad).await);
    assert_eq!(status, 400);
    assert_eq!(body.code(), Some(ErrorCode::ValidationError));
    assert_eq!(detail(&body).details[0].field.as_deref(), Some("email"));
    assert_eq!(
        detail(&body).details[0].issue.as_deref(),
        Some("email is invalid")
    );
}

#[tokio::test]
async fn manual_capture_flow_moves_through_the_statuses_and_records_events_in_order() {
    let sb = sandbox().await;
    let client = bearer_client(&sb);

    let created = client
        .create_order(&order_request("store-order-1001"))
        .await
        .expect("created");
    assert_eq!(created.status, OrderStatus::Open);
    assert_eq!(created.amount, Some(dec("61.97")));
    assert_eq!(created.currency.as_deref(), Some("USD"));
    assert_eq!(created.reference_id.as_deref(), Some("store-order-1001"));
    assert_eq!(
        created.merchant_id.as_deref(),
        Some(sb.onecheckout.credentials.id.as_str())
    );
    assert_eq!(created.order_lines.len(), 2);
    assert_eq!(created.created, created.updated);
    assert!(created.paid.is_none());
    let token = created
        .payment_token
        .as_ref()
        .expect("a payment token")
        .expose()
        .clone();
    let rels: Vec<&LinkRel> = created.links.iter().map(|l| &l.rel).collect();
    assert_eq!(
        rels,
        [
            &LinkRel::Pay,
            &LinkRel::Order,
            &LinkRel::Success,
            &LinkRel::Cancel
        ]
    );
    let pay_link = &created.links[0].href;
    assert!(
        pay_link.starts_with(&sb.onecheckout.base_url),
        "{pay_link} is on this server"
    );
    assert!(pay_link.ends_with(&format!("?token={token}")));
    assert_eq!(created.links[2].href, "https://store.example.com/thanks");
    assert_eq!(
        client
            .list_order_events(&created.id)
            .await
            .expect("events")
            .events,
        []
    );

    let authorized = pay(
        &created,
        json!({"capture": "manual", "method": "paypal"}),
        None,
    )
    .await;
    assert_eq!(authorized.status, OrderStatus::AwaitingCapture);
    let read = client.get_order(&created.id).await.expect("read");
    assert_eq!(read.status, OrderStatus::AwaitingCapture);
    assert_eq!(read.payment_method, Some(PaymentMethod::Paypal));
    assert_eq!(read.payment_gateway, Some(PaymentGateway::Paypal));
    assert!(read.payment_id.is_some());
    assert!(read.gateway_id.is_some());
    assert!(read.paid.is_none(), "paid is set when the order is PAID");

    let captured = client.capture_order(&created.id).await.expect("captured");
    assert_eq!(captured.status, OrderStatus::Paid);
    assert!(captured.paid.is_some());
    assert_eq!(captured.payment_id, read.payment_id);
    assert_eq!(
        client.get_order(&created.id).await.expect("read").status,
        OrderStatus::Paid
    );

    let events = client
        .list_order_events(&created.id)
        .await
        .expect("events")
        .events;
    let kinds: Vec<(EventType, Option<PaymentStatus>)> = events
        .iter()
        .map(|e| (e.type_.clone(), e.payment_status.clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            (EventType::PaymentCreated, Some(PaymentStatus::Pending)),
            (EventType::PaymentSucceeded, Some(PaymentStatus::Completed)),
        ]
    );
    assert!(
        events
            .iter()
            .all(|e| e.order_id.as_deref() == Some(created.id.as_str()))
    );
    assert!(events[0].created <= events[1].created);
    assert_ne!(events[0].id, events[1].id);
    assert_eq!(
        events[1].order.as_ref().map(|o| &o.status),
        Some(&OrderStatus::Paid)
    );

    // A second capture is refused, the order unchanged.
    let (status, body) = api_error(client.capture_order(&created.id).await);
    assert_eq!(status, 400);
    assert_eq!(body.code(), Some(ErrorCode::OrderStatusInvalid));
}

#[tokio::test]
async fn automatic_pay_refund_and_cancel_follow_the_status_machine() {
    let sb = sandbox().await;
    let client = bearer_client(&sb);

    let order = client
        .create_order(&order_request("auto"))
        .await
        .expect("created");
    let paid = pay(&order, json!({}), None).await;
    assert_eq!(paid.status, OrderStatus::Paid);
    assert_eq!(paid.payment_method, Some(PaymentMethod::StripeHosted));
    assert_eq!(paid.payment_gateway, Some(PaymentGateway::Stripe));
    assert!(
        paid.payment_id
            .as_deref()
            .is_some_and(|p| p.starts_with("pi_"))
    );
    assert!(paid.paid.is_some());

    // Paying twice is refused.
    let href = &order.links[0].href;
    let (status, _, body) = raw(
        &reqwest::Client::new(),
        reqwest::Method::POST,
        href,
        None,
        None,
    )
    .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (400, &json!("order_status_invalid"))
    );

    let (status, refunded) = dashboard(&sb, &order.id, "refund").await;
    assert_eq!((status, &refunded["status"]), (200, &json!("REFUNDED")));
    let (status, body) = dashboard(&sb, &order.id, "cancel").await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (400, &json!("order_status_invalid"))
    );
    let (status, body) = dashboard(&sb, &order.id, "refund").await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (400, &json!("order_status_invalid"))
    );

    let kinds: Vec<EventType> = client
        .list_order_events(&order.id)
        .await
        .expect("events")
        .events
        .into_iter()
        .map(|e| e.type_)
        .collect();
    assert_eq!(
        kinds,
        [
            EventType::PaymentCreated,
            EventType::PaymentSucceeded,
            EventType::from("order_refunded"),
        ]
    );

    // OPEN → CANCELLED, and AWAITING_CAPTURE → CANCELLED.
    let open = client
        .create_order(&order_request("to-cancel"))
        .await
        .expect("created");
    let (status, cancelled) = dashboard(&sb, &open.id, "cancel").await;
    assert_eq!((status, &cancelled["status"]), (200, &json!("CANCELLED")));
    let (status, body) = dashboard(&sb, &open.id, "refund").await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (400, &json!("order_status_invalid"))
    );
    let (status, _, body) = raw(
        &reqwest::Client::new(),
        reqwest::Method::POST,
        &open.links[0].href,
        None,
        None,
    )
    .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (400, &json!("order_status_invalid"))
    );

    let held = client
        .create_order(&order_request("held"))
        .await
        .expect("created");
    pay(&held, json!({"capture": "manual"}), None).await;
    let (status, cancelled) = dashboard(&sb, &held.id, "cancel").await;
    assert_eq!((status, &cancelled["status"]), (200, &json!("CANCELLED")));
    let (status, body) = api_error(client.capture_order(&held.id).await);
    assert_eq!(status, 400);
    assert_eq!(body.code(), Some(ErrorCode::OrderStatusInvalid));
    let kinds: Vec<EventType> = client
        .list_order_events(&held.id)
        .await
        .expect("events")
        .events
        .into_iter()
        .map(|e| e.type_)
        .collect();
    assert_eq!(
        kinds,
        [
            EventType::PaymentCreated,
            EventType::from("order_cancelled")
        ]
    );

    // The pay route checks the token of the pay link.
    let other = client
        .create_order(&order_request("token"))
        .await
        .expect("created");
    let (status, _, body) = raw(
        &reqwest::Client::new(),
        reqwest::Method::POST,
        &url(
            &sb,
            &format!("/sandbox/orders/{}/pay?token=tok_wrong", other.id),
        ),
        None,
        None,
    )
    .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (401, &json!("api_key_invalid"))
    );
    // Bad pay options are a validation error.
    let (status, _, body) = raw(
        &reqwest::Client::new(),
        reqwest::Method::POST,
        &other.links[0].href,
        None,
        Some(json!({"capture": "later", "method": "cash"})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(raw_fields(&body), ["capture", "method"]);
}

#[tokio::test]
async fn capturing_an_unpaid_order_is_order_status_invalid() {
    let sb = sandbox().await;
    let client = bearer_client(&sb);
    let order = client
        .create_order(&order_request("unpaid"))
        .await
        .expect("created");

    let result = client.capture_order(&order.id).await;
    let Err(Error::Api { status, body, .. }) = result else {
        panic!("expected an API error, got {result:?}");
    };
    assert_eq!(status.as_u16(), 400);
    assert_eq!(body.code(), Some(ErrorCode::OrderStatusInvalid));
    assert!(detail(&body).message.as_deref().is_some_and(|m| {
        m.starts_with("The operation is not permitted for the order's current status")
    }));
    assert_eq!(
        client.get_order(&order.id).await.expect("read").status,
        OrderStatus::Open
    );
    assert_eq!(
        client
            .list_order_events(&order.id)
            .await
            .expect("events")
            .events,
        []
    );
}

#[tokio::test]
async fn invalid_create_bodies_get_validation_error_with_the_fields_at_fault() {
    let sb = sandbox().await;
    let http = reqwest::Client::new();
    let orders = url(&sb, "/orders");
    let post = |body: Value| {
        raw(
            &http,
            reqwest::Method::POST,
            &orders,
            Some(token(&sb)),
            Some(body),
        )
    };

    // Members missing or of the wrong type.
    let (status, _, body) = post(json!({
        "order_lines": [{"title": "T", "quantity": "many"}, 7],
        "tax_amount": "a lot"
    }))
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        raw_fields(&body),
        [
            "currency",
            "order_lines[0].quantity",
            "order_lines[0].unit_price",
            "order_lines[1]",
            "tax_amount"
        ]
    );
    assert_eq!(body["error"]["details"][0]["issue"], "currency is required");
    // The body parses with the generated types.
    let parsed: ErrorResponse = serde_json::from_value(body).expect("an ErrorResponse");
    assert_eq!(parsed.code(), Some(ErrorCode::ValidationError));

    // The spec's limits (the client's `Validate`), checked once the body parses.
    let (status, _, body) = post(json!({
        "currency": "US",
        "order_lines": [{"title": "T", "quantity": 0, "unit_price": 1}],
        "tax_amount": -1
    }))
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        raw_fields(&body),
        ["currency", "order_lines[0].quantity", "tax_amount"]
    );
    let (status, _, body) = post(json!({"currency": "USD", "order_lines": []})).await;
    assert_eq!(status, 400);
    assert_eq!(raw_fields(&body), ["order_lines"]);

    // Not JSON, not an object, no body.
    for bad in ["{", "[1]", ""] {
        let response = http
            .post(&orders)
            .bearer_auth(token(&sb))
            .body(bad)
            .send()
            .await
            .expect("response");
        assert_eq!(response.status().as_u16(), 400, "{bad:?}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(raw_fields(&body), ["body"], "{bad:?}");
    }

    // A currency the merchant does not take, and a negative total.
    let (status, _, body) = post(json!({
        "currency": "GBP",
        "order_lines": [{"title": "T", "quantity": 1, "unit_price": 1}]
    }))
    .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (400, &json!("currency_invalid"))
    );
    let (status, _, body) = post(json!({
        "currency": "USD",
        "order_lines": [{"title": "T", "quantity": 1, "unit_price": -5}]
    }))
    .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (400, &json!("amount_invalid"))
    );

    // The generated client refuses the same body before sending it.
    let mut request = order_request("invalid");
    request.currency = "US".to_owned();
    let result = bearer_client(&sb).create_order(&request).await;
    assert!(matches!(result, Err(Error::Validation(_))), "{result:?}");

    // Totals are exact.
    let order = bearer_client(&sb)
        .create_order(
            &CreateOrderRequest::new("EUR", vec![line("a", "3", "0.1"), line("b", "0.5", "0.07")])
                .with_tax_amount(dec("0.2")),
        )
        .await
        .expect("created");
    assert_eq!(order.amount, Some(dec("0.535")));
}

#[tokio::test]
async fn lists_page_by_anchor_stream_every_order_once_and_filter() {
    let sb = sandbox().await;
    let mut ids = Vec::new();
    for hour in 0..3 {
        let client = client_at(&sb, T0 + hour * HOUR);
        for i in 0..15 {
            let order = client
                .create_order(&order_request(&format!("h{hour}-{i}")))
                .await
                .expect("created");
            assert_eq!(
                order.created,
                Some(EpochMillis::from_millis(T0 + hour * HOUR))
            );
            ids.push(order.id);
        }
    }
    let client = bearer_client(&sb);

    // Three pages of 20, 20 and 5, chained by next_anchor.
    let mut pages = Vec::new();
    let mut anchor: Option<String> = None;
    loop {
        let mut request = ListOrdersRequest::new().with_limit(20);
        request.anchor = anchor.clone();
        let page = client.list_orders(&request).await.expect("page");
        assert_eq!(page.count, Some(45));
        assert_eq!(page.limit, Some(20));
        assert_eq!(page.anchor, Some(anchor.clone().unwrap_or_default()));
        let next = page
            .next_anchor
            .clone()
            .expect("next_anchor is always sent");
        pages.push(page.orders.iter().map(|o| o.id.clone()).collect::<Vec<_>>());
        if next.is_empty() {
            break;
        }
        anchor = Some(next);
    }
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [20, 20, 5]);
    assert_eq!(pages.concat(), ids);
    assert_eq!(pages[1][0], ids[20]);

    // The default limit is 20.
    let first = client
        .list_orders(&ListOrdersRequest::default())
        .await
        .expect("page");
    assert_eq!((first.limit, first.orders.len()), (Some(20), 20));
    assert_eq!(first.next_anchor.as_deref(), Some(ids[20].as_str()));

    // The stream follows the anchors: every order once, in creation order.
    let streamed: Vec<String> = client
        .list_orders_stream(&ListOrdersRequest::new().with_limit(20))
        .map(|o| o.expect("an order").id)
        .collect()
        .await;
    assert_eq!(streamed, ids);

    // Created-hour windows: from inclusive, to exclusive.
    let window = |from: i64, to: i64| {
        ListOrdersRequest::new()
            .with_created_hour_from(EpochMillis::from_millis(from))
            .with_created_hour_to(EpochMillis::from_millis(to))
    };
    let second_hour = client
        .list_orders(&window(T0 + HOUR, T0 + 2 * HOUR))
        .await
        .expect("page");
    assert_eq!(second_hour.count, Some(15));
    let got: Vec<String> = second_hour.orders.iter().map(|o| o.id.clone()).collect();
    assert_eq!(got, ids[15..30]);
    assert_eq!(second_hour.next_anchor.as_deref(), Some(""));
    let first_hour = client
        .list_orders(&window(T0, T0 + HOUR))
        .await
        .expect("page");
    assert_eq!(first_hour.count, Some(15));
    let from_only = client
        .list_orders(
            &ListOrdersRequest::new()
                .with_created_hour_from(EpochMillis::from_millis(T0 + HOUR + 1)),
        )
        .await
        .expect("page");
    assert_eq!(from_only.count, Some(15));

    // Status filters: 5 paid (automatic capture), 3 awaiting capture, paid three hours in.
    let paid_at = T0 + 3 * HOUR;
    for (i, id) in ids[..8].iter().enumerate() {
        let order = client.get_order(id).await.expect("read");
        let capture = if i < 5 { "automatic" } else { "manual" };
        pay(&order, json!({"capture": capture}), Some(paid_at)).await;
    }
    let by_status =
        |status: OrderStatus| ListOrdersRequest::new().with_status(status).with_limit(7);
    let paid = client
        .list_orders(&by_status(OrderStatus::Paid))
        .await
        .expect("page");
    assert_eq!(paid.count, Some(5));
    assert!(paid.orders.iter().all(|o| o.status == OrderStatus::Paid));
    let awaiting = client
        .list_orders(&by_status(OrderStatus::AwaitingCapture))
        .await
        .expect("page");
    assert_eq!(awaiting.count, Some(3));
    let open: Vec<Order> = client
        .list_orders_stream(&by_status(OrderStatus::Open))
        .map(|o| o.expect("an order"))
        .collect()
        .await;
    assert_eq!(open.len(), 37);
    assert!(open.iter().all(|o| o.status == OrderStatus::Open));
    assert_eq!(
        open.iter().map(|o| o.id.clone()).collect::<Vec<_>>(),
        ids[8..]
    );

    // Paid and updated windows.
    let paid_window = client
        .list_orders(
            &ListOrdersRequest::new()
                .with_paid_hour_from(EpochMillis::from_millis(paid_at))
                .with_paid_hour_to(EpochMillis::from_millis(paid_at + HOUR)),
        )
        .await
        .expect("page");
    assert_eq!(paid_window.count, Some(5));
    let updated_window = client
        .list_orders(
            &ListOrdersRequest::new().with_updated_hour_from(EpochMillis::from_millis(paid_at)),
        )
        .await
        .expect("page");
    assert_eq!(updated_window.count, Some(8));

    // Out-of-range limits (sent raw: the client refuses them), unknown anchors and statuses.
    let list = |body: Value| {
        let http = reqwest::Client::new();
        let url = url(&sb, "/orders-list");
        let token = token(&sb).to_owned();
        async move { raw(&http, reqwest::Method::POST, &url, Some(&token), Some(body)).await }
    };
    for limit in [0, 1025, -3] {
        let (status, _, body) = list(json!({"limit": limit})).await;
        assert_eq!(status, 400, "limit {limit}");
        assert_eq!(raw_fields(&body), ["limit"]);
    }
    let (status, _, body) = list(json!({"limit": 1024})).await;
    assert_eq!(
        (status, body["orders"].as_array().map(Vec::len)),
        (200, Some(45))
    );
    let (status, _, body) = list(json!({"anchor": "no-such-order"})).await;
    assert_eq!(status, 400);
    assert_eq!(raw_fields(&body), ["anchor"]);
    let (status, _, body) = list(json!({"status": "SHIPPED"})).await;
    assert_eq!(status, 400);
    assert_eq!(raw_fields(&body), ["status"]);
    let result = client
        .list_orders(&ListOrdersRequest::new().with_limit(0))
        .await;
    assert!(matches!(result, Err(Error::Validation(_))), "{result:?}");
}

#[tokio::test]
async fn unknown_ids_are_id_invalid_and_missing_ids_id_required() {
    let sb = sandbox().await;
    let client = bearer_client(&sb);

    let (status, body) = api_error(client.get_order("no-such-order").await);
    assert_eq!((status, body.code()), (404, Some(ErrorCode::IdInvalid)));
    let (status, body) = api_error(client.capture_order("no-such-order").await);
    assert_eq!((status, body.code()), (404, Some(ErrorCode::IdInvalid)));
    let (status, body) = api_error(client.list_order_events("no-such-order").await);
    assert_eq!((status, body.code()), (404, Some(ErrorCode::IdInvalid)));
    let (status, body) = dashboard(&sb, "no-such-order", "refund").await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (404, &json!("id_invalid"))
    );

    // A missing id answers the bare error shape.
    let http = reqwest::Client::new();
    for (method, path) in [
        (reqwest::Method::GET, "/orders/"),
        (reqwest::Method::POST, "/orders//capture"),
        (reqwest::Method::GET, "/orders//events"),
    ] {
        let (status, _, body) = raw(&http, method, &url(&sb, path), Some(token(&sb)), None).await;
        assert_eq!(
            (status, &body),
            (400, &json!({"error": "id_required"})),
            "{path}"
        );
        let parsed: ErrorResponse = serde_json::from_value(body).expect("an ErrorResponse");
        assert_eq!(parsed.code(), Some(ErrorCode::IdRequired));
    }
    let (status, _, body) = raw(
        &http,
        reqwest::Method::GET,
        &url(&sb, "/nowhere"),
        None,
        None,
    )
    .await;
    assert_eq!((status, &body["error"]["code"]), (404, &json!("not_found")));
    let (status, _, body) = raw(&http, reqwest::Method::DELETE, &url(&sb, "/me"), None, None).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (405, &json!("method_not_allowed"))
    );
}

#[tokio::test]
async fn missing_and_wrong_credentials() {
    let sb = sandbox().await;

    // The client has no Bearer token: it refuses to send the order operation.
    let result = key_client(&sb)
        .create_order(&order_request("no-bearer"))
        .await;
    match result {
        Err(Error::MissingCredential { operation, needed }) => {
            assert_eq!(operation, "create_order");
            assert_eq!(needed, ["bearerAuth"]);
        }
        other => panic!("expected MissingCredential, got {other:?}"),
    }
    // Nothing was sent: no order exists.
    let list = bearer_client(&sb)
        .list_orders(&ListOrdersRequest::default())
        .await
        .expect("list");
    assert_eq!(list.count, Some(0));

    // Raw, without any credential: api_key_required, on every operation.
    let http = reqwest::Client::new();
    let body = serde_json::to_value(order_request("raw")).expect("JSON");
    let (status, _, answer) = raw(
        &http,
        reqwest::Method::POST,
        &url(&sb, "/orders"),
        None,
        Some(body.clone()),
    )
    .await;
    assert_eq!(
        (status, &answer["error"]["code"]),
        (400, &json!("api_key_required"))
    );
    let (status, _, answer) = raw(&http, reqwest::Method::GET, &url(&sb, "/me"), None, None).await;
    assert_eq!(
        (status, &answer["error"]["code"]),
        (400, &json!("api_key_required"))
    );
    let (status, _, answer) = raw(
        &http,
        reqwest::Method::POST,
        &url(&sb, "/orders-list"),
        None,
        Some(json!({})),
    )
    .await;
    assert_eq!(
        (status, &answer["error"]["code"]),
        (400, &json!("api_key_required"))
    );
    let parsed: ErrorResponse = serde_json::from_value(answer).expect("an ErrorResponse");
    assert_eq!(parsed.code(), Some(ErrorCode::ApiKeyRequired));

    // The API key is not a credential of the order operations.
    let response = http
        .post(url(&sb, "/orders"))
        .header("X-API-Key", api_key(&sb))
        .json(&body)
        .send()
        .await
        .expect("response");
    assert_eq!(response.status().as_u16(), 400);
    let answer: Value = response.json().await.expect("JSON");
    assert_eq!(answer["error"]["code"], "api_key_required");

    // Wrong credentials: api_key_invalid (401), through the client.
    let wrong_bearer = Client::builder(&sb.onecheckout.base_url)
        .bearer_auth("oc_wrong")
        .build()
        .expect("client");
    let (status, body) = api_error(wrong_bearer.create_order(&order_request("wrong")).await);
    assert_eq!((status, body.code()), (401, Some(ErrorCode::ApiKeyInvalid)));
    let (status, body) = api_error(wrong_bearer.get_account().await);
    assert_eq!((status, body.code()), (401, Some(ErrorCode::ApiKeyInvalid)));
    let wrong_key = Client::builder(&sb.onecheckout.base_url)
        .api_key_auth("oc_wrong")
        .build()
        .expect("client");
    let (status, body) = api_error(wrong_key.get_account().await);
    assert_eq!((status, body.code()), (401, Some(ErrorCode::ApiKeyInvalid)));
}

#[tokio::test]
async fn the_request_after_the_per_minute_budget_gets_429_with_retry_after() {
    let sb = sandbox().await;
    let http = reqwest::Client::new();
    let me = url(&sb, "/me");
    for i in 0..REQUESTS_PER_MINUTE {
        let response = http
            .get(&me)
            .bearer_auth(token(&sb))
            .send()
            .await
            .expect("response");
        assert_eq!(response.status().as_u16(), 200, "request {}", i + 1);
    }
    let (status, headers, body) =
        raw(&http, reqwest::Method::GET, &me, Some(token(&sb)), None).await;
    assert_eq!(status, 429);
    assert_eq!(body["error"]["code"], RATE_LIMITED_CODE);
    let retry_after: u64 = headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After in seconds");
    assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
    // The generated client sees the 429 as the documented error.
    let (status, body) = api_error(bearer_client(&sb).get_account().await);
    assert_eq!(
        (status, body.code()),
        (429, Some(ErrorCode::from(RATE_LIMITED_CODE)))
    );

    // The limits are per credential: the API key has its own budget.
    key_client(&sb)
        .get_account()
        .await
        .expect("the API key is not limited yet");
}

/// A body that sends `{` at once and the rest only when `release` turns true: the request is
/// in flight at the server (which is reading its body) until then.
fn held_body(release: tokio::sync::watch::Receiver<bool>) -> reqwest::Body {
    let head =
        futures::stream::once(async { Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"{")) });
    let tail = futures::stream::once(async move {
        let mut release = release;
        let _ = release.wait_for(|go| *go).await;
        Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"}"))
    });
    reqwest::Body::wrap_stream(head.chain(tail))
}

#[tokio::test]
async fn the_eleventh_request_in_flight_gets_429_with_retry_after_1() {
    let sb = sandbox().await;
    let (release, held) = tokio::sync::watch::channel(false);
    let list = url(&sb, "/orders-list");

    // Ten requests whose bodies are still arriving: ten slots taken.
    let mut pending = Vec::new();
    for _ in 0..10 {
        let request = reqwest::Client::new()
            .post(&list)
            .bearer_auth(token(&sb))
            .header("content-type", "application/json")
            .body(held_body(held.clone()));
        pending.push(tokio::spawn(request.send()));
    }

    // The eleventh is refused (retried until the ten have reached the server).
    let http = reqwest::Client::new();
    let mut refused = None;
    for _ in 0..200 {
        let (status, headers, body) = raw(
            &http,
            reqwest::Method::GET,
            &url(&sb, "/me"),
            Some(token(&sb)),
            None,
        )
        .await;
        if status == 429 {
            refused = Some((headers, body));
            break;
        }
        assert_eq!(status, 200);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (headers, body) = refused.expect("a 429 while ten requests are in flight");
    assert_eq!(
        headers.get("retry-after").and_then(|v| v.to_str().ok()),
        Some("1")
    );
    assert_eq!(body["error"]["code"], RATE_LIMITED_CODE);
    // Another credential is not affected.
    key_client(&sb)
        .get_account()
        .await
        .expect("the API key has its own slots");

    // Released, the ten complete, and the slots are free again.
    release.send(true).expect("receivers alive");
    for request in pending {
        let response = request.await.expect("task").expect("response");
        assert_eq!(response.status().as_u16(), 200);
    }
    bearer_client(&sb).get_account().await.expect("slots freed");
}

#[tokio::test]
async fn the_generated_client_stays_within_the_in_flight_limit() {
    let sb = sandbox().await;
    // Default max_in_flight (10), no retries: a 429 would surface as an error.
    let client = bearer_client(&sb);
    let created = futures::future::join_all((0..100).map(|i| {
        let client = client.clone();
        async move { client.create_order(&order_request(&format!("c{i}"))).await }
    }))
    .await;
    let ids: Vec<String> = created
        .into_iter()
        .map(|r| r.expect("no 429 from the client's own limit").id)
        .collect();
    let reads = futures::future::join_all(ids.iter().map(|id| {
        let client = client.clone();
        async move { client.get_order(id).await }
    }))
    .await;
    assert!(reads.iter().all(Result::is_ok), "{reads:?}");
    let listed = client
        .list_orders(&ListOrdersRequest::default())
        .await
        .expect("list");
    assert_eq!(listed.count, Some(100));
}

#[tokio::test]
async fn a_raw_burst_answers_200_or_429_with_retry_after_1() {
    let sb = sandbox().await;
    let http = reqwest::Client::new();
    let me = url(&sb, "/me");
    let answers = futures::future::join_all(
        (0..30).map(|_| raw(&http, reqwest::Method::GET, &me, Some(token(&sb)), None)),
    )
    .await;
    for (status, headers, body) in answers {
        match status {
            200 => assert_eq!(body["id"], json!(sb.onecheckout.credentials.id)),
            429 => {
                assert_eq!(
                    headers.get("retry-after").and_then(|v| v.to_str().ok()),
                    Some("1")
                );
                assert_eq!(body["error"]["code"], RATE_LIMITED_CODE);
            }
            other => panic!("unexpected status {other}"),
        }
    }
}

#[tokio::test]
async fn the_sandbox_clock_header_sets_timestamps() {
    let sb = sandbox().await;
    let order = client_at(&sb, T0)
        .create_order(&order_request("clock"))
        .await
        .expect("created");
    assert_eq!(order.created, Some(EpochMillis::from_millis(T0)));
    assert_eq!(order.updated, Some(EpochMillis::from_millis(T0)));
    let paid = pay(&order, json!({}), Some(T0 + 5_000)).await;
    assert_eq!(paid.paid, Some(EpochMillis::from_millis(T0 + 5_000)));
    assert_eq!(paid.updated, Some(EpochMillis::from_millis(T0 + 5_000)));
    let events = bearer_client(&sb)
        .list_order_events(&order.id)
        .await
        .expect("events")
        .events;
    assert!(
        events
            .iter()
            .all(|e| e.created == Some(EpochMillis::from_millis(T0 + 5_000)))
    );

    let response = reqwest::Client::new()
        .get(url(&sb, "/me"))
        .bearer_auth(token(&sb))
        .header(NOW_HEADER, "yesterday")
        .send()
        .await
        .expect("response");
    // `/me` reads do not use the clock; a write does.
    assert_eq!(response.status().as_u16(), 200);
    let response = reqwest::Client::new()
        .post(url(&sb, "/orders"))
        .bearer_auth(token(&sb))
        .header(NOW_HEADER, "yesterday")
        .json(&order_request("bad clock"))
        .send()
        .await
        .expect("response");
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(raw_fields(&body), ["X-Sandbox-Now"]);
}

#[tokio::test]
async fn ids_are_deterministic_per_seed() {
    let options = SandboxOptions {
        seed: 42,
        ..SandboxOptions::default()
    };
    let mut seen = Vec::new();
    for _ in 0..2 {
        let sb = Sandbox::start_with(options.clone()).await.expect("sandbox");
        let order = bearer_client(&sb)
            .create_order(&order_request("seeded"))
            .await
            .expect("created");
        assert_eq!(order.name.as_deref(), Some("Order #ORD-0001"));
        seen.push((
            sb.onecheckout.credentials.id.clone(),
            order.id,
            order.payment_token.map(|t| t.expose().clone()),
        ));
    }
    assert_eq!(seen[0], seen[1]);
    assert_eq!(seen[0].1.len(), 24);
}

#[tokio::test]
async fn malformed_requests_never_break_the_server() {
    let sb = sandbox().await;
    let http = reqwest::Client::new();
    let bodies: [&[u8]; 14] = [
        b"",
        b"null",
        b"\xff\xfe",
        b"{\"currency\": null, \"order_lines\": null}",
        b"{\"currency\": \"USD\", \"order_lines\": [{\"title\": \"t\", \"quantity\": 1e400, \"unit_price\": 1}]}",
        b"{\"currency\": \"USD\", \"order_lines\": [{\"title\": \"t\", \"quantity\": 79228162514264337593543950335, \"unit_price\": 79228162514264337593543950335}]}",
        b"{\"currency\": \"USD\", \"order_lines\": [{\"title\": \"t\", \"quantity\": 1, \"unit_price\": 1, \"properties\": [{\"key\": 1}]}]}",
        b"{\"limit\": 1e400}",
        b"{\"limit\": 99999999999999999999}",
        b"{\"limit\": 2.5}",
        b"{\"created_hour_from\": 1.5, \"paid_hour_to\": \"soon\"}",
        b"{\"anchor\": 7, \"status\": [\"OPEN\"]}",
        b"{\"email\": \"@\", \"success_url\": \"javascript:alert(1)\"}",
        b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    ];
    let routes = [
        (reqwest::Method::POST, "/orders"),
        (reqwest::Method::POST, "/orders-list"),
        (reqwest::Method::POST, "/me"),
        (reqwest::Method::POST, "/sandbox/orders/x/pay"),
        (reqwest::Method::POST, "/orders/%FF/capture"),
        (reqwest::Method::GET, "/orders/%00"),
    ];
    for (method, path) in &routes {
        for body in bodies {
            for now in [None, Some("99999999999999999999999"), Some("-1")] {
                let mut request = http
                    .request(method.clone(), url(&sb, path))
                    .bearer_auth(token(&sb))
                    .body(body.to_vec());
                if let Some(now) = now {
                    request = request.header(NOW_HEADER, now);
                }
                let response = request.send().await.expect("an answer");
                let status = response.status().as_u16();
                assert!(
                    status == 200 || (400..500).contains(&status),
                    "{method} {path} {body:?}: {status}"
                );
                let answer: Value = response.json().await.expect("a JSON answer");
                if status != 200 {
                    let parsed: ErrorResponse =
                        serde_json::from_value(answer).expect("an ErrorResponse");
                    assert!(parsed.code().is_some());
                }
            }
        }
    }
    for authorization in [
        "Bearer",
        "Bearer ",
        "Basic b2M6b2M=",
        "bearer oc_test_token",
    ] {
        let response = http
            .get(url(&sb, "/orders/x"))
            .header("authorization", authorization)
            .send()
            .await
            .expect("an answer");
        let status = response.status().as_u16();
        assert!(
            [400, 401, 404].contains(&status),
            "{authorization:?}: {status}"
        );
    }
    let response = http
        .get(url(&sb, "/me"))
        .header(
            "x-api-key",
            reqwest::header::HeaderValue::from_bytes(b"\xe9t\xe9").expect("obs-text"),
        )
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status().as_u16(), 401);
    bearer_client(&sb)
        .get_account()
        .await
        .expect("still serving");
}
