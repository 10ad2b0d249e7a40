//! The 1-CP Corporate Checkout simulator, driven through the generated client
//! (`payspec_onecp::Client`): status, the life of a transaction (created, paid, cancelled), the
//! refunds computed from cancellation policies (date and offset penalties, fixed amounts and
//! percentages, no policy), multipart cancellations with an invoice file, and the error paths.
//! The sandbox-only endpoints (`/sandbox/...`) are called with plain reqwest.

use payspec_onecp::multipart::{CancelContractForm, CancelTransactionForm};
use payspec_onecp::types::{
    ApiStatus, CancelResponse, CancelStatus, CancelTransactionRequest, CorporateCheckout,
    TransactionStatus,
};
use payspec_onecp::{Client, FilePart};
use payspec_runtime::Error;
use payspec_sandbox::{Sandbox, SandboxOptions};
use rust_decimal::Decimal;
use serde_json::{Value, json};

const LIMIT: usize = 10 * 1024 * 1024;

// ---- helpers ------------------------------------------------------------------------------------

async fn sandbox() -> Sandbox {
    Sandbox::start().await.expect("sandbox starts")
}

fn builder(sandbox: &Sandbox) -> payspec_onecp::ClientBuilder {
    let c = &sandbox.onecp.credentials;
    Client::builder(&sandbox.onecp.base_url).basic_auth(&c.id, c.secret.as_str())
}

fn client(sandbox: &Sandbox) -> Client {
    builder(sandbox).build().expect("client")
}

/// A client whose every request carries `X-Sandbox-Now: now`: "now" for the cancellations.
fn client_at(sandbox: &Sandbox, now: &str) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "x-sandbox-now",
        reqwest::header::HeaderValue::from_str(now).expect("header value"),
    );
    let http = reqwest::Client::builder().default_headers(headers);
    builder(sandbox)
        .http_client_builder(http)
        .build()
        .expect("client")
}

fn url(sandbox: &Sandbox, path: &str) -> String {
    format!("{}{path}", sandbox.onecp.base_url)
}

fn dec(text: &str) -> Decimal {
    payspec_runtime::decimal::parse_exact(text).expect("decimal")
}

/// An exact decimal from a JSON number of the sandbox state (serde_json keeps the number's
/// text: the test crate enables `arbitrary_precision`, which a `--workspace` build unifies).
fn dec_of(value: &Value) -> Decimal {
    assert!(value.is_number(), "not a number: {value}");
    dec(&value.to_string())
}

fn checkout(items: Value) -> CorporateCheckout {
    serde_json::from_value(json!({
        "currency": "EUR",
        "title": "Off site event",
        "items": items,
    }))
    .expect("a CorporateCheckout")
}

async fn create(client: &Client, items: Value) -> String {
    client
        .initialize_transaction(&checkout(items))
        .await
        .expect("initialize")
        .transaction_id
}

/// `POST /sandbox/transactions/{id}/pay` with `body`: the payer pays.
async fn pay_with(sandbox: &Sandbox, id: &str, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(url(sandbox, &format!("/sandbox/transactions/{id}/pay")))
        .json(&body)
        .send()
        .await
        .expect("pay")
}

async fn pay(sandbox: &Sandbox, id: &str, paid_at: &str) -> Value {
    let response = pay_with(sandbox, id, json!({ "paidAt": paid_at })).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("state")
}

/// `GET /sandbox/transactions/{id}`: the stored state.
async fn state(sandbox: &Sandbox, id: &str) -> Value {
    let response = reqwest::get(url(sandbox, &format!("/sandbox/transactions/{id}")))
        .await
        .expect("state");
    assert_eq!(response.status(), 200);
    response.json().await.expect("state JSON")
}

/// Cancels every item of `id` at `now` (JSON `PATCH /cancel/{id}`) and returns the refund total
/// of that cancellation.
async fn cancel_all_at(sandbox: &Sandbox, id: &str, now: &str) -> Decimal {
    let answer = client_at(sandbox, now)
        .cancel_transaction(id, &CancelTransactionRequest::default())
        .await
        .expect("cancel");
    assert_success(&answer);
    let s = state(sandbox, id).await;
    let last = s["cancellations"]
        .as_array()
        .and_then(|c| c.last())
        .expect("a cancellation")
        .clone();
    dec_of(&last["refundTotal"])
}

fn assert_success(answer: &CancelResponse) {
    assert_eq!(answer.status, CancelStatus::Success);
    assert_eq!(answer.error_message, None);
}

fn status_of<T: std::fmt::Debug>(result: Result<T, Error<()>>) -> (u16, Value) {
    match result {
        Err(Error::UnexpectedResponse { status, body, .. }) => (
            status.as_u16(),
            serde_json::from_slice(&body).unwrap_or(Value::Null),
        ),
        other => panic!("expected an unexpected response, got {other:?}"),
    }
}

/// The `errors[].path` of a 400 body.
fn paths(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["path"].as_str().expect("path").to_owned())
        .collect()
}

/// An item of total 200 with `penalties` under `reference`.
fn item_with(reference: &str, penalties: Value) -> Value {
    json!({
        "name": "Conference ticket",
        "category": "CONFERENCE",
        "price": 200,
        "period": {"start": "2024-09-01T10:00:00Z", "end": "2024-09-03T18:00:00Z"},
        "cancellationPolicy": {"reference": reference, "penalties": penalties},
    })
}

// ---- status and credentials ---------------------------------------------------------------------

#[tokio::test]
async fn status_is_201_ready_with_a_deterministic_provider() {
    let a = Sandbox::start_with(SandboxOptions {
        seed: 42,
        ..SandboxOptions::default()
    })
    .await
    .expect("sandbox");
    let b = Sandbox::start_with(SandboxOptions {
        seed: 42,
        ..SandboxOptions::default()
    })
    .await
    .expect("sandbox");
    let status = client(&a).get_status().await.expect("status");
    assert_eq!(status.status, ApiStatus::Ready);
    let provider = status.provider.expect("provider");
    assert_eq!(provider.len(), 24);
    assert!(provider.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(
        client(&b).get_status().await.expect("status").provider,
        Some(provider.clone())
    );
    // The same provider on every call, and the seed's status code.
    assert_eq!(
        client(&a).get_status().await.expect("status").provider,
        Some(provider)
    );
    let raw = reqwest::Client::new()
        .get(url(&a, "/status"))
        .basic_auth(&a.onecp.credentials.id, Some(&a.onecp.credentials.secret))
        .send()
        .await
        .expect("status");
    assert_eq!(raw.status(), 201);
    assert_eq!(a.onecp.credentials.id, "sandbox-widget");
    assert_eq!(a.onecp.credentials.secret, "sandbox-secret");
}

#[tokio::test]
async fn wrong_or_missing_credentials_are_401() {
    let sandbox = sandbox().await;
    let wrong = Client::builder(&sandbox.onecp.base_url)
        .basic_auth(&sandbox.onecp.credentials.id, "not-the-secret")
        .build()
        .expect("client");
    let (status, _) = status_of(wrong.get_status().await);
    assert_eq!(status, 401);
    let (status, _) = status_of(
        wrong
            .initialize_transaction(&checkout(json!([{"price": 1}])))
            .await,
    );
    assert_eq!(status, 401);
    let (status, _) = status_of(
        wrong
            .get_transaction_status("667999d063824b596cf82155")
            .await,
    );
    assert_eq!(status, 401);

    let http = reqwest::Client::new();
    let none = http
        .get(url(&sandbox, "/status"))
        .send()
        .await
        .expect("send");
    assert_eq!(none.status(), 401);
    assert!(none.headers().contains_key("www-authenticate"));
    let bearer = http
        .get(url(&sandbox, "/status"))
        .bearer_auth("sandbox-secret")
        .send()
        .await
        .expect("send");
    assert_eq!(bearer.status(), 401);
    let garbage = http
        .get(url(&sandbox, "/status"))
        .header("authorization", "Basic %%%not-base64%%%")
        .send()
        .await
        .expect("send");
    assert_eq!(garbage.status(), 401);
}

// ---- the life of a transaction ------------------------------------------------------------------

#[tokio::test]
async fn initialize_then_pending_then_pay_then_paid() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let id = create(
        &client,
        json!([{"name": "Flight FRA-MUC", "category": "FLIGHT", "price": 180}]),
    )
    .await;
    assert_eq!(id.len(), 24);

    let pending = client.get_transaction_status(&id).await.expect("status");
    assert_eq!(pending.status, TransactionStatus::Pending);
    let checkout = pending.checkout.expect("checkout");
    assert_eq!(checkout.reference.as_deref(), Some(id.as_str()));
    assert_eq!(checkout.payment, None);

    let paid_state = pay_with(
        &sandbox,
        &id,
        json!({
            "paidAt": "2024-05-01T12:00:00Z",
            "customer": {"firstName": "John", "lastName": "Doe", "email": "john.doe@example.com"},
            "billing": {"name": "ACME Corporation", "externalIds": {"sap_id": "12345"}},
        }),
    )
    .await;
    assert_eq!(paid_state.status(), 200);
    let paid_state: Value = paid_state.json().await.expect("state");
    assert_eq!(paid_state["status"], "PAID");
    assert_eq!(paid_state["paidAt"], "2024-05-01T12:00:00Z");

    let paid = client.get_transaction_status(&id).await.expect("status");
    assert_eq!(paid.status, TransactionStatus::Paid);
    let checkout = paid.checkout.expect("checkout");
    assert_eq!(checkout.reference.as_deref(), Some(id.as_str()));
    let payment = checkout.payment.expect("payment");
    assert_eq!(payment.provider.as_deref(), Some("sandbox"));
    assert_eq!(
        payment.reference.as_deref(),
        paid_state["paymentReference"].as_str()
    );
    assert_eq!(
        checkout.customer.expect("customer").first_name.as_deref(),
        Some("John")
    );
    assert_eq!(
        checkout
            .billing
            .expect("billing")
            .external_ids
            .get("sap_id")
            .map(String::as_str),
        Some("12345")
    );

    // Paying twice is refused.
    assert_eq!(pay_with(&sandbox, &id, json!({})).await.status(), 409);

    // The older guide's path creates a transaction the same way.
    let older = client
        .create_transaction(&checkout_of_one())
        .await
        .expect("create")
        .transaction_id;
    assert_ne!(older, id);
    assert_eq!(
        client
            .get_transaction_status(&older)
            .await
            .expect("status")
            .status,
        TransactionStatus::Pending
    );
}

fn checkout_of_one() -> CorporateCheckout {
    checkout(json!([{"name": "Taxi", "category": "TAXI_SHUTTLE", "price": 35.50}]))
}

#[tokio::test]
async fn ids_are_deterministic_per_seed() {
    let options = SandboxOptions {
        seed: 9,
        ..SandboxOptions::default()
    };
    let a = Sandbox::start_with(options.clone()).await.expect("sandbox");
    let b = Sandbox::start_with(options).await.expect("sandbox");
    let ca = client(&a);
    let cb = client(&b);
    for _ in 0..3 {
        let x = ca
            .initialize_transaction(&checkout_of_one())
            .await
            .expect("a")
            .transaction_id;
        let y = cb
            .initialize_transaction(&checkout_of_one())
            .await
            .expect("b")
            .transaction_id;
        assert_eq!(x, y);
    }
}

#[tokio::test]
async fn unknown_transactions_are_404_or_400_in_a_body() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let unknown = "667999d063824b596cf82155";
    let (status, body) = status_of(client.get_transaction_status(unknown).await);
    assert_eq!(status, 404);
    assert!(body["message"].as_str().expect("message").contains(unknown));
    let (status, _) = status_of(
        client
            .cancel_transaction(unknown, &CancelTransactionRequest::default())
            .await,
    );
    assert_eq!(status, 404);
    let (status, _) = status_of(
        client
            .cancel_transaction_multipart(unknown, CancelTransactionForm::new())
            .await,
    );
    assert_eq!(status, 404);
    // PATCH /cancel names the transaction in its body: an unknown one is a 400 on contractId.
    let (status, body) = status_of(
        client
            .cancel_contract(CancelContractForm::new(unknown))
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["path"], "contractId");
    let http = reqwest::Client::new();
    let s = http
        .get(url(&sandbox, &format!("/sandbox/transactions/{unknown}")))
        .send()
        .await
        .expect("send");
    assert_eq!(s.status(), 404);
    assert_eq!(pay_with(&sandbox, unknown, json!({})).await.status(), 404);
}

// ---- refunds ------------------------------------------------------------------------------------

#[tokio::test]
async fn date_penalty_before_and_after_its_date() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let penalties = json!([
        {"type": "DATE_PENALTY", "until": "2024-06-01T00:00:00Z", "value": {"amount": 50, "unit": "FIXED_AMOUNT"}},
        {"type": "DATE_PENALTY", "until": "2024-07-01T00:00:00Z", "value": {"amount": 75, "unit": "PERCENTAGE"}},
    ]);
    let item = item_with("PAYMENT_DATE", penalties);
    let mut ids = Vec::new();
    for _ in 0..4 {
        let id = create(&client, json!([item.clone()])).await;
        pay(&sandbox, &id, "2024-05-01T00:00:00Z").await;
        ids.push(id);
    }
    // Before the first date: no penalty, full refund.
    assert_eq!(
        cancel_all_at(&sandbox, &ids[0], "2024-05-31T23:59:59Z").await,
        dec("200")
    );
    // From the first date: 200 − 50.
    assert_eq!(
        cancel_all_at(&sandbox, &ids[1], "2024-06-01T00:00:00Z").await,
        dec("150")
    );
    // From the second date, the latest passed date applies: 200 − 75 % of 200.
    assert_eq!(
        cancel_all_at(&sandbox, &ids[2], "2024-07-15T08:00:00+02:00").await,
        dec("50")
    );
    // An offset in "now" counts: 2024-06-01T01:00:00+02:00 is still May in UTC.
    assert_eq!(
        cancel_all_at(&sandbox, &ids[3], "2024-06-01T01:00:00+02:00").await,
        dec("200")
    );

    let s = state(&sandbox, &ids[2]).await;
    assert_eq!(s["status"], "CANCELLED");
    let item = &s["items"][0];
    assert_eq!(item["cancelled"], true);
    assert_eq!(dec_of(&item["total"]), dec("200"));
    assert_eq!(dec_of(&item["penalty"]), dec("150"));
    assert_eq!(item["penaltyIndex"], 1);
    assert_eq!(dec_of(&item["refund"]), dec("50"));
    assert_eq!(dec_of(&s["refundTotal"]), dec("50"));
    assert_eq!(item["cancelledAt"], "2024-07-15T08:00:00+02:00");
    let s = state(&sandbox, &ids[0]).await;
    assert_eq!(s["items"][0]["penaltyIndex"], Value::Null);
    assert_eq!(dec_of(&s["items"][0]["penalty"]), dec("0"));
}

#[tokio::test]
async fn offset_penalty_counts_from_the_payment_date() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    // 14 days after payment: 50; one month (30 days) after payment: 100 %.
    let penalties = json!([
        {"type": "OFFSET_PENALTY", "offset": {"amount": 14, "unit": "DAYS"}, "value": {"amount": 50, "unit": "FIXED_AMOUNT"}, "condition": "AFTER_PAYMENT"},
        {"type": "OFFSET_PENALTY", "offset": {"amount": 1, "unit": "MONTHS"}, "value": {"amount": 100, "unit": "PERCENTAGE"}},
    ]);
    let item = item_with("PAYMENT_DATE", penalties);
    let cases = [
        ("2024-05-14T23:59:59Z", "200"),
        ("2024-05-15T00:00:00Z", "150"),
        ("2024-05-30T23:59:59Z", "150"),
        ("2024-05-31T00:00:00Z", "0"),
    ];
    for (now, refund) in cases {
        let id = create(&client, json!([item.clone()])).await;
        pay(&sandbox, &id, "2024-05-01T00:00:00Z").await;
        assert_eq!(
            cancel_all_at(&sandbox, &id, now).await,
            dec(refund),
            "at {now}"
        );
    }
}

#[tokio::test]
async fn offset_penalty_counts_before_the_period_start() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    // Total: 80.00 × 2 + 15.20 = 175.20. Within 7 days of the start: 30; within 48 hours: 25 %.
    let item = json!({
        "name": "Hotel Alexanderplatz, 2 nights",
        "category": "ACCOMMODATION",
        "price": 80.00,
        "quantity": {"amount": 2, "unit": "PER_NIGHT"},
        "totalTax": 15.20,
        "period": {"start": "2024-09-01T10:00:00Z", "end": "2024-09-03T10:00:00Z"},
        "location": {"street": "Alexanderplatz", "house": "7", "city": "Berlin"},
        "cancellationPolicy": {
            "description": "Free cancellation until a week before arrival.",
            "reference": "START_PERIOD",
            "penalties": [
                {"type": "OFFSET_PENALTY", "offset": {"amount": 7, "unit": "DAYS"}, "value": {"amount": 30, "unit": "FIXED_AMOUNT"}},
                {"type": "OFFSET_PENALTY", "offset": {"amount": 48, "unit": "HOURS"}, "value": {"amount": 25, "unit": "PERCENTAGE"}},
            ],
        },
    });
    let cases = [
        // 12 days before: nothing applies.
        ("2024-08-20T10:00:00Z", "175.20"),
        // Exactly 7 days before: 175.20 − 30.
        ("2024-08-25T10:00:00Z", "145.20"),
        // 22 hours before: both apply, the larger (25 % = 43.80) is taken.
        ("2024-08-31T12:00:00Z", "131.40"),
        // After the start: still within the offsets.
        ("2024-09-02T10:00:00Z", "131.40"),
    ];
    for (now, refund) in cases {
        let id = create(&client, json!([item.clone()])).await;
        pay(&sandbox, &id, "2024-05-01T00:00:00Z").await;
        assert_eq!(
            cancel_all_at(&sandbox, &id, now).await,
            dec(refund),
            "at {now}"
        );
    }
}

#[tokio::test]
async fn fixed_penalties_are_capped_and_no_policy_refunds_everything() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let items = json!([
        // No policy: full refund of total (given): 99.99.
        {"name": "Dinner", "category": "F_AND_B", "price": 80, "total": 99.99},
        // A fixed penalty above the total: nothing refunded.
        {
            "name": "Parking", "category": "PARKING", "price": 12.5, "quantity": {"amount": 4},
            "cancellationPolicy": {"reference": "PAYMENT_DATE", "penalties": [
                {"type": "DATE_PENALTY", "until": "2024-01-01T00:00:00Z", "value": {"amount": 500, "unit": "FIXED_AMOUNT"}},
            ]},
        },
        // A percentage with more decimals than cents: exact, 33.3 % of 100.01 = 33.30333.
        {
            "name": "Fee", "category": "FEE", "price": 100.01,
            "cancellationPolicy": {"reference": "PAYMENT_DATE", "penalties": [
                {"type": "DATE_PENALTY", "until": "2024-01-01T00:00:00", "value": {"amount": 33.3, "unit": "PERCENTAGE"}},
            ]},
        },
    ]);
    let id = create(&client, items).await;
    pay(&sandbox, &id, "2024-05-01T00:00:00Z").await;
    assert_eq!(
        cancel_all_at(&sandbox, &id, "2024-06-01T00:00:00Z").await,
        dec("99.99") + dec("0") + dec("66.70667")
    );
    let s = state(&sandbox, &id).await;
    let refunds: Vec<Decimal> = s["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| dec_of(&i["refund"]))
        .collect();
    assert_eq!(refunds, vec![dec("99.99"), dec("0"), dec("66.70667")]);
    assert_eq!(dec_of(&s["items"][1]["total"]), dec("50.0"));
    assert_eq!(dec_of(&s["items"][1]["penalty"]), dec("50"));
    assert_eq!(dec_of(&s["total"]), dec("250.00"));
}

#[tokio::test]
async fn partial_cancellations_then_already_cancelled_items_fail() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let id = create(
        &client,
        json!([
            {"name": "a", "price": 10},
            {"name": "b", "price": 20},
            {"name": "c", "price": 30.25},
        ]),
    )
    .await;
    pay(&sandbox, &id, "2024-05-01T00:00:00Z").await;
    let at = client_at(&sandbox, "2024-05-02T00:00:00Z");

    // Items 0 and 2 (item 2 named twice: cancelled once).
    let request = CancelTransactionRequest::new()
        .with_items_order(vec![2, 0, 2])
        .with_amount(dec("40.25"))
        .with_invoice_title("Cancellation Invoice")
        .with_invoice_number("INV-2024-001");
    assert_success(&at.cancel_transaction(&id, &request).await.expect("cancel"));
    let s = state(&sandbox, &id).await;
    assert_eq!(s["status"], "PAID");
    assert_eq!(dec_of(&s["refundTotal"]), dec("40.25"));
    let c = &s["cancellations"][0];
    assert_eq!(c["via"], "PATCH /cancel/{transactionId}");
    assert_eq!(c["itemsOrder"], json!([2, 0]));
    assert_eq!(dec_of(&c["requestedAmount"]), dec("40.25"));
    assert_eq!(c["invoiceTitle"], "Cancellation Invoice");
    assert_eq!(c["invoiceNumber"], "INV-2024-001");
    assert_eq!(c["file"], Value::Null);
    assert_eq!(
        s["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["cancelled"].clone())
            .collect::<Vec<_>>(),
        vec![json!(true), json!(false), json!(true)]
    );

    // Item 0 again: refused (400 on itemsOrder), nothing changes.
    let again = CancelTransactionRequest::new().with_items_order(vec![0, 1]);
    let (status, body) = status_of(at.cancel_transaction(&id, &again).await);
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["path"], "itemsOrder");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("already cancelled: item(s) 0")
    );
    assert_eq!(state(&sandbox, &id).await["items"][1]["cancelled"], false);

    // Without itemsOrder: the remaining item; then the transaction is cancelled.
    assert_eq!(
        cancel_all_at(&sandbox, &id, "2024-05-03T00:00:00Z").await,
        dec("20")
    );
    let s = state(&sandbox, &id).await;
    assert_eq!(s["status"], "CANCELLED");
    assert_eq!(dec_of(&s["refundTotal"]), dec("60.25"));
    assert_eq!(
        client
            .get_transaction_status(&id)
            .await
            .expect("status")
            .status,
        TransactionStatus::from("CANCELLED")
    );
    // Nothing left to cancel.
    let (status, body) = status_of(
        at.cancel_transaction(&id, &CancelTransactionRequest::default())
            .await,
    );
    assert_eq!(status, 400);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("every item of the transaction is already cancelled")
    );
}

#[tokio::test]
async fn cancelling_an_unpaid_transaction_refunds_nothing() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let id = create(
        &client,
        json!([{"name": "a", "price": 10}, {"name": "b", "price": 20}]),
    )
    .await;
    assert_eq!(
        cancel_all_at(&sandbox, &id, "2024-05-02T00:00:00Z").await,
        dec("0")
    );
    let s = state(&sandbox, &id).await;
    assert_eq!(s["status"], "CANCELLED");
    assert_eq!(s["paidAt"], Value::Null);
    assert_eq!(dec_of(&s["items"][1]["refund"]), dec("0"));
    // A cancelled transaction cannot be paid any more.
    let response = pay_with(&sandbox, &id, json!({})).await;
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.expect("error body");
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("CANCELLED")
    );
}

// ---- multipart ----------------------------------------------------------------------------------

#[tokio::test]
async fn multipart_cancel_contract_with_an_invoice_file() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let id = create(
        &client,
        json!([
            item_with("PAYMENT_DATE", json!([
                {"type": "DATE_PENALTY", "until": "2024-06-01T00:00:00Z", "value": {"amount": 10, "unit": "PERCENTAGE"}},
            ])),
            {"name": "b", "price": 20},
        ]),
    )
    .await;
    pay(&sandbox, &id, "2024-05-01T00:00:00Z").await;
    let invoice = b"%PDF-1.4 cancellation invoice".to_vec();
    let mut form = CancelContractForm::new(&id);
    form.items_order = vec![0];
    form.amount = Some(dec("1000"));
    form.invoice_title = Some("Cancellation Invoice".into());
    form.invoice_number = Some("INV-2024-001".into());
    form.file = Some(
        FilePart::from_bytes(invoice.clone())
            .file_name("invoice.pdf")
            .content_type("application/pdf"),
    );
    let answer = client_at(&sandbox, "2024-06-02T00:00:00Z")
        .cancel_contract(form)
        .await
        .expect("cancel");
    assert_success(&answer);

    let s = state(&sandbox, &id).await;
    let c = &s["cancellations"][0];
    assert_eq!(c["via"], "PATCH /cancel");
    assert_eq!(c["at"], "2024-06-02T00:00:00Z");
    assert_eq!(c["itemsOrder"], json!([0]));
    assert_eq!(dec_of(&c["requestedAmount"]), dec("1000"));
    assert_eq!(c["invoiceTitle"], "Cancellation Invoice");
    assert_eq!(c["invoiceNumber"], "INV-2024-001");
    assert_eq!(
        c["file"],
        json!({"fileName": "invoice.pdf", "contentType": "application/pdf", "size": invoice.len()})
    );
    assert_eq!(dec_of(&c["refunds"][0]["refund"]), dec("180"));
    assert_eq!(dec_of(&s["refundTotal"]), dec("180"));
    assert_eq!(s["status"], "PAID");

    // The path form, multipart, for the other item.
    let mut form = CancelTransactionForm::new();
    form.file = Some(FilePart::from_bytes(vec![7u8; 2048]).file_name("second.pdf"));
    let answer = client_at(&sandbox, "2024-06-03T00:00:00Z")
        .cancel_transaction_multipart(&id, form)
        .await
        .expect("cancel");
    assert_success(&answer);
    let s = state(&sandbox, &id).await;
    let c = &s["cancellations"][1];
    assert_eq!(c["via"], "PATCH /cancel/{transactionId}");
    assert_eq!(c["itemsOrder"], json!([1]));
    assert_eq!(c["file"]["fileName"], "second.pdf");
    assert_eq!(c["file"]["size"], 2048);
    assert_eq!(c["file"]["contentType"], "application/octet-stream");
    assert_eq!(dec_of(&s["refundTotal"]), dec("200"));
    assert_eq!(s["status"], "CANCELLED");
}

#[tokio::test]
async fn a_file_over_10_mb_is_refused() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let id = create(&client, json!([{"name": "a", "price": 10}])).await;

    // The client refuses it before sending.
    let mut form = CancelTransactionForm::new();
    form.file = Some(FilePart::from_bytes(vec![0u8; LIMIT + 1]));
    match client.cancel_transaction_multipart(&id, form).await {
        Err(Error::Validation(e)) => assert_eq!(e.violations[0].path, "file"),
        other => panic!("expected a validation error, got {other:?}"),
    }

    // Sent raw, the sandbox answers 400 and cancels nothing.
    let part = reqwest::multipart::Part::bytes(vec![0u8; LIMIT + 1]).file_name("big.pdf");
    let form = reqwest::multipart::Form::new()
        .text("contractId", id.clone())
        .part("file", part);
    let response = reqwest::Client::new()
        .patch(url(&sandbox, "/cancel"))
        .basic_auth("sandbox-widget", Some("sandbox-secret"))
        .multipart(form)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("error body");
    assert_eq!(paths(&body), vec!["file"]);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("10485760")
    );
    assert_eq!(state(&sandbox, &id).await["cancellations"], json!([]));

    // Exactly 10 MB is accepted.
    let mut form = CancelTransactionForm::new();
    form.file = Some(FilePart::from_bytes(vec![0u8; LIMIT]));
    assert_success(
        &client
            .cancel_transaction_multipart(&id, form)
            .await
            .expect("cancel"),
    );
    assert_eq!(
        state(&sandbox, &id).await["cancellations"][0]["file"]["size"],
        LIMIT
    );
}

// ---- invalid requests ---------------------------------------------------------------------------

fn mixed_kinds() -> Value {
    json!({
        "currency": "EUR",
        "title": "Off site event",
        "items": [item_with("PAYMENT_DATE", json!([
            {"type": "DATE_PENALTY", "until": "2024-06-01T00:00:00Z", "value": {"amount": 50, "unit": "FIXED_AMOUNT"}},
            {"type": "OFFSET_PENALTY", "offset": {"amount": 14, "unit": "DAYS"}, "value": {"amount": 50, "unit": "FIXED_AMOUNT"}},
        ]))],
    })
}

#[tokio::test]
async fn mixed_penalty_kinds_are_refused_by_the_client_and_by_the_sandbox() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let checkout: CorporateCheckout = serde_json::from_value(mixed_kinds()).expect("checkout");
    match client.initialize_transaction(&checkout).await {
        Err(Error::Validation(e)) => {
            assert_eq!(e.violations.len(), 1);
            assert_eq!(
                e.violations[0].path,
                "items[0].cancellationPolicy.penalties"
            );
        }
        other => panic!("expected a validation error, got {other:?}"),
    }

    for path in ["/initialize", "/transactions"] {
        let response = reqwest::Client::new()
            .post(url(&sandbox, path))
            .basic_auth("sandbox-widget", Some("sandbox-secret"))
            .json(&mixed_kinds())
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.expect("error body");
        assert_eq!(paths(&body), vec!["items[0].cancellationPolicy.penalties"]);
        let message = body["errors"][0]["message"].as_str().expect("message");
        assert!(
            message.contains("DATE_PENALTY") && message.contains("OFFSET_PENALTY"),
            "{message}"
        );
        assert!(
            body["message"]
                .as_str()
                .expect("message")
                .starts_with("invalid request: ")
        );
    }
}

async fn post_initialize(sandbox: &Sandbox, body: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(url(sandbox, "/initialize"))
        .basic_auth("sandbox-widget", Some("sandbox-secret"))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("send");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn invalid_checkouts_are_400_with_every_violation() {
    let sandbox = sandbox().await;
    let (status, body) = post_initialize(&sandbox, "{not json").await;
    assert_eq!(status, 400);
    assert_eq!(paths(&body), vec![""]);

    let (status, body) = post_initialize(
        &sandbox,
        r#"{"currency": "EUR", "title": "t", "items": []}"#,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(paths(&body), vec!["items"]);

    let broken = json!({
        "currency": "EUR",
        "title": "t",
        "items": [
            {"price": 1, "quantity": {"amount": 0}},
            {"price": 1, "location": {"street": "Alexanderplatz", "city": "Berlin"}},
            {"price": 1, "departure": {"lat": "52.36"}, "destination": "MUC"},
        ],
    });
    let (status, body) = post_initialize(&sandbox, &broken.to_string()).await;
    assert_eq!(status, 400);
    assert_eq!(
        paths(&body),
        vec![
            "items[0].quantity.amount",
            "items[1].location",
            "items[2].departure"
        ]
    );

    // An unknown penalty kind does not parse.
    let unknown = json!({
        "currency": "EUR",
        "title": "t",
        "items": [item_with("PAYMENT_DATE", json!([{"type": "LATE_PENALTY"}]))],
    });
    let (status, body) = post_initialize(&sandbox, &unknown.to_string()).await;
    assert_eq!(status, 400);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("LATE_PENALTY")
    );
}

#[tokio::test]
async fn invalid_cancellations_are_400_or_415() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let id = create(&client, json!([{"name": "a", "price": 10}])).await;
    let http = reqwest::Client::new();
    let patch = |path: &str| {
        http.patch(url(&sandbox, path))
            .basic_auth("sandbox-widget", Some("sandbox-secret"))
    };

    // PATCH /cancel without contractId.
    let form = reqwest::multipart::Form::new().text("itemsOrder", "0");
    let response = patch("/cancel").multipart(form).send().await.expect("send");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("error body");
    assert_eq!(paths(&body), vec!["contractId"]);

    // itemsOrder out of range, or not a number.
    let request = CancelTransactionRequest::new().with_items_order(vec![0, 3, -1]);
    let (status, body) = status_of(client.cancel_transaction(&id, &request).await);
    assert_eq!(status, 400);
    assert_eq!(paths(&body), vec!["itemsOrder[1]", "itemsOrder[2]"]);
    let form = reqwest::multipart::Form::new()
        .text("contractId", id.clone())
        .text("itemsOrder", "0")
        .text("itemsOrder", "first")
        .text("amount", "12,50");
    let response = patch("/cancel").multipart(form).send().await.expect("send");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("error body");
    assert_eq!(paths(&body), vec!["itemsOrder[1]", "amount"]);

    // A "now" that is not a date-time.
    let (status, body) = status_of(
        client_at(&sandbox, "tomorrow")
            .cancel_transaction(&id, &CancelTransactionRequest::default())
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(paths(&body), vec!["X-Sandbox-Now"]);

    // Neither JSON nor multipart.
    let response = patch(&format!("/cancel/{id}"))
        .header("content-type", "text/plain")
        .body("cancel it")
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 415);

    // A JSON body of the wrong shape.
    let response = patch(&format!("/cancel/{id}"))
        .json(&json!({"itemsOrder": "all"}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 400);

    // None of these cancelled anything.
    let s = state(&sandbox, &id).await;
    assert_eq!(s["cancellations"], json!([]));
    assert_eq!(s["status"], "PENDING");
}

#[tokio::test]
async fn malformed_requests_never_break_the_server() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let id = create(&client, json!([{"name": "a", "price": 10}])).await;
    let http = reqwest::Client::new();
    let send =
        |method: reqwest::Method, path: String, content_type: &'static str, body: Vec<u8>| {
            http.request(method, url(&sandbox, &path))
                .basic_auth("sandbox-widget", Some("sandbox-secret"))
                .header("content-type", content_type)
                .body(body)
                .send()
        };
    let bodies: Vec<Vec<u8>> = vec![
        b"null".to_vec(),
        b"[]".to_vec(),
        b"{\"items\": 5, \"itemsOrder\": 5}".to_vec(),
        b"{\"itemsOrder\": [99999999999]}".to_vec(),
        b"{\"amount\": 1e400, \"paidAt\": \"yesterday\"}".to_vec(),
        vec![0xff, 0xfe, 0x00, 0x7b],
    ];
    let targets = [
        (reqwest::Method::POST, "/initialize".to_owned()),
        (reqwest::Method::POST, "/transactions".to_owned()),
        (reqwest::Method::PATCH, "/cancel".to_owned()),
        (reqwest::Method::PATCH, format!("/cancel/{id}")),
        (
            reqwest::Method::POST,
            format!("/sandbox/transactions/{id}/pay"),
        ),
    ];
    for (method, path) in &targets {
        for body in &bodies {
            for content_type in ["application/json", "multipart/form-data; boundary=x"] {
                let response = send(method.clone(), path.clone(), content_type, body.clone())
                    .await
                    .expect("an answer");
                let status = response.status().as_u16();
                assert!(
                    (400..500).contains(&status),
                    "{method} {path} {content_type} {body:?}: {status}"
                );
            }
        }
    }
    // An item total beyond the range of a decimal.
    // (Written as text: a `Value` holds no number this large without `arbitrary_precision`.)
    let overflow = r#"{"currency": "EUR", "title": "t",
        "items": [{"price": 79228162514264337593543950335, "quantity": {"amount": 2}}]}"#;
    let (status, body) = post_initialize(&sandbox, overflow).await;
    assert_eq!(status, 400);
    assert_eq!(paths(&body), vec!["items[0]"]);

    // Still serving, and the transaction is intact.
    assert_eq!(
        client.get_status().await.expect("status").status,
        ApiStatus::Ready
    );
    let s = state(&sandbox, &id).await;
    assert_eq!(s["status"], "PENDING");
    assert_eq!(s["cancellations"], json!([]));

    // An empty payment body pays now.
    let response = send(
        reqwest::Method::POST,
        format!("/sandbox/transactions/{id}/pay"),
        "application/json",
        Vec::new(),
    )
    .await
    .expect("an answer");
    assert_eq!(response.status(), 200);

    // PATCH /cancel also reads a JSON body, leniently.
    let response = http
        .patch(url(&sandbox, "/cancel"))
        .basic_auth("sandbox-widget", Some("sandbox-secret"))
        .json(&json!({"contractId": id, "itemsOrder": [0]}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    let answer: CancelResponse = response.json().await.expect("answer");
    assert_success(&answer);
    assert_eq!(
        dec_of(&state(&sandbox, &id).await["refundTotal"]),
        dec("10")
    );
}
