//! The n1co CheckoutLink simulator: payment links with an expiry, their orders moving
//! `PENDING` → `PAID` / `CANCELLED` / `FINALIZED` through a simulated payer and merchant
//! dashboard, RFC 7807 validation errors, and order-event webhooks POSTed to a configurable URL,
//! signed with `X-H4B-Hmac-Sha256` exactly as the real service signs them. All in memory, served
//! under [`PATH_PREFIX`] like the real servers (`https://api-pay.n1co.shop/api`).
//!
//! Requests and answers are the generated client's types (`payspec_n1co::types`); request bodies
//! are checked against the embedded spec (`specs/n1co/openapi.yaml`, through
//! [`crate::schema::Schemas`]) and then with the same [`Validate`] rules
//! the client applies before sending, so the spec drives both sides.
//!
//! # Routes
//!
//! The API of the spec (under [`PATH_PREFIX`]), both with `Authorization: Bearer
//! <`[`TEST_SECRET_KEY`]`>`:
//!
//! | Route | Answer |
//! |---|---|
//! | `POST /paymentlink/checkout` | `200` `CreatePaymentLinkResponse` `{orderCode, orderId, paymentLinkUrl}`; sends the webhook `Created`. `400` ProblemDetails for a body the spec rejects. |
//! | `GET /paymentlink/order/{orderCode}` | `200` `OrderDetails`; `404` ProblemDetails for an unknown code. |
//!
//! Sandbox-only routes (not in the spec; they stand in for the payer and the merchant portal):
//!
//! | Route | Credential | What it does |
//! |---|---|---|
//! | `POST /sandbox/pay/{orderCode}` | none (the payer) | The payer pays. Optional JSON body `{"buyer": {"name", "phone", "email"}, "outcome": "success" \| "error"}`. `success` (the default): `PENDING` → `PAID`, webhook `SuccessPayment`, `200` `OrderDetails` (with `payment`). `error`: the order stays `PENDING`, webhook `PaymentError`, `402` ProblemDetails. `409` when the order is not `PENDING`, `410` when the link has expired. This is every order's `paymentLinkUrl`. |
//! | `GET /sandbox/pay/{orderCode}` | none | What the payer's page shows, as JSON: code, id, name, description, status, line items, total, currency, `expiresAt`, `expired`. |
//! | `GET /sandbox/vouchers/{orderCode}` | none | The payment voucher of a paid order (the `payment.voucherUrl`): `authorizationCode`, `orderCode`, `orderId`, `total`, `currencyCode`, `buyer`, `paidAt`. `404` before payment. |
//! | `POST /sandbox/orders/{orderCode}/cancel` | Bearer | `PENDING` → `CANCELLED`, webhook `Cancelled`, `200` `OrderDetails`. |
//! | `POST /sandbox/orders/{orderCode}/finalize` | Bearer | `PAID` → `FINALIZED`, webhook `Finalized`, `200` `OrderDetails`. |
//! | `GET /sandbox/webhook`, `PUT /sandbox/webhook` | Bearer | Reads / sets where webhooks go: `{"url": "http://..."}` or `{"url": null}` (stop sending). Answers `{"url": ...}`. The [`router`]'s `webhook_url` is the initial value. |
//! | `GET /sandbox/webhooks` | Bearer | The delivery log, oldest first: `{"url": <current URL>, "deliveries": [{sequence, type, orderCode, orderId, at, url, body, signature, delivered, status, error}]}` — `body` the exact text sent, `signature` its `X-H4B-Hmac-Sha256`, `status` the HTTP status received (or `null`), `error` why it was not delivered (or `null`). |
//!
//! # Decisions (where the docs leave the sandbox a choice)
//!
//! * **Credentials**: the one test store ([`TEST_STORE_ID`], `Credentials::id`), its secret key
//!   [`TEST_SECRET_KEY`] (Bearer) and webhook secret [`TEST_WEBHOOK_SECRET`]. A missing or wrong
//!   Bearer → `401` ProblemDetails with `WWW-Authenticate: Bearer`, checked before anything
//!   else.
//! * **Error shape**: every error is an RFC 7807 ProblemDetails `{type, title, status, detail}`
//!   (`type` the RFC 7231 section of the status, as ASP.NET writes it), sent as
//!   `application/json` (the spec's content type) rather than ASP.NET's
//!   `application/problem+json`. Validation errors are `400` "One or more validation errors
//!   occurred." with `errors` keyed by the member's JSON path (`lineItems[0].quantity`), each a
//!   list of sentences. A rule on a whole object (the spec's "exactly one of" `oneOf`s) is
//!   listed under every member the rule names (`amount` and `lineItems`, or
//!   `lineItems[0].sku` and `lineItems[0].product`), the names read from the spec. An empty body
//!   is keyed `""`, a body that is not JSON or not an object `"$"` (as ASP.NET does); a bad
//!   `X-Sandbox-Now` is keyed `X-Sandbox-Now`.
//! * **Body checks**, in order: members missing or of the wrong type (from the spec), then
//!   `null` where the spec does not allow it and arrays under their `minItems` (from the spec:
//!   the generated type cannot tell an empty `lineItems` from an absent one), then the spec's
//!   limits ([`Validate`]). Unknown members are ignored; the `Content-Type` is not checked.
//! * **Beyond the spec**: a `sku` must be one of the sandbox store's products ([`CATALOGUE`]:
//!   `PIZZA-001` Italian Pizza 15.00, `PIZZA-002` Roman Pizza 20.00) → else `400` at
//!   `lineItems[i].sku`; a one-time product's `price` must be ≥ 0 → else `400` at
//!   `lineItems[i].product.price`; a line-item order's total must be > 0 and fit a decimal →
//!   else `400` at `lineItems`. `successUrl`, `cancelUrl` and `locationCode` are kept as sent
//!   (any string).
//! * **Orders**: `orderCode` is `PL-` and 8 upper-case hex digits and the `authorizationCode` 6,
//!   both from the sandbox's deterministic [`Ids`] (the same request sequence on the same seed
//!   gives the same codes); `orderId` counts from 1 per sandbox. Line subtotal = `price` ×
//!   `quantity`, `subtotal` = Σ line subtotals (or the `amount`), `totalDetails` all `0.00`,
//!   `total` = `subtotal`: exact decimals, scale as computed. An amount-only link has
//!   `lineItems: []`. `name` defaults to `PaymentLink Order`, `expirationMinutes` to 1440.
//!   `created` is UTC with milliseconds (`2024-05-14T13:44:23.133Z`). The `store` is a fixed
//!   sandbox store in El Salvador (USD). `payment` appears once the order is paid; its `buyer`
//!   is the pay request's, else the spec's example buyer (John Doe).
//! * **URLs** (`paymentLinkUrl`, `voucherUrl`) are built from the request's `Host` header:
//!   `http://HOST/api/sandbox/pay/{orderCode}`, `http://HOST/api/sandbox/vouchers/{orderCode}`.
//! * **Expiry**: a link expires at `created + expirationMinutes`; a pay request at or after that
//!   instant → `410` Gone, the order unchanged (still `PENDING`: the spec's status list has no
//!   expired status) and no webhook. Cancelling an expired `PENDING` order is allowed.
//! * **Transitions**: only `PENDING` → `PAID` (pay), `PENDING` → `CANCELLED` (cancel), `PAID` →
//!   `FINALIZED` (finalize); anything else → `409` Conflict, the order unchanged. The status is
//!   checked before the expiry. An unknown code → `404`.
//! * **Webhooks**: one per change (`Created`, `SuccessPayment`, `PaymentError`, `Cancelled`,
//!   `Finalized`), POSTed with `Content-Type: application/json`, `User-Agent: H4B` and
//!   `X-H4B-Hmac-Sha256` = Base64 HMAC-SHA256 of the exact body keyed with
//!   [`TEST_WEBHOOK_SECRET`]. The body is the generated `WebhookEvent`: `orderId` (the id as a
//!   string), `orderReference`, `orderType` [`ORDER_TYPE`], `description`, `metadata` (the
//!   order's name / value pairs as an object, a repeated name keeping its last value; absent
//!   when the order has none, which readers see as `null`), `level` `Info`, `type`. The
//!   delivery is awaited (at most [`WEBHOOK_TIMEOUT`], no proxy, no redirects) before the
//!   triggering request answers, so the receiver has it by then; it runs on its own task, so
//!   a caller that hangs up does not cancel it. A failure (refused, timeout, non-2xx) is only
//!   logged; without a URL nothing is sent and the log says so. The URL is the one configured
//!   when the event happened.
//! * **Clock**: times are the system clock, or the sandbox-only header [`NOW_HEADER`]
//!   (`X-Sandbox-Now: <RFC 3339>`, read as UTC when it has no offset) for that request — on
//!   create it sets `created`, on pay it decides the expiry. An invalid value → `400`.
//! * **Unknown routes** → `404` ProblemDetails; a known route with another method → `405`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use payspec_n1co::types::{
    Buyer, CreatePaymentLinkRequest, CreatePaymentLinkResponse, LineItem, OrderDetails,
    OrderLineItem, OrderStatus, Payment, ProblemDetails, Store, TotalDetails, WebhookEvent,
    WebhookEventType,
};
use payspec_n1co::webhooks::OrderEventWebhook;
use payspec_n1co::{DateTime, Validate};
use payspec_runtime::EpochMillis;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::common::body::{self, BodyFault};
use crate::common::clock::{Clock, ClockFault};
use crate::common::errors::ErrorShape;
use crate::common::headers::{base_url, bearer_token};
use crate::common::store::Locked;
use crate::schema::{Problem, Schemas};
use crate::{Credentials, Ids};

/// The API path prefix of the real servers.
pub const PATH_PREFIX: &str = "/api";

/// The test store's id (`Credentials::id`).
pub const TEST_STORE_ID: &str = "n1co-sandbox-store";

/// The test secret key, sent as `Authorization: Bearer <key>` (`Credentials::secret`).
pub const TEST_SECRET_KEY: &str = "n1co_test_secret_key";

/// The secret that signs the webhooks (`Credentials::webhook_secret`).
pub const TEST_WEBHOOK_SECRET: &str = "n1co_test_webhook_secret";

/// The sandbox-only header that sets "now" (RFC 3339) for one request.
pub use crate::NOW_HEADER;

/// How the simulator reads [`NOW_HEADER`].
const CLOCK: Clock = Clock::Rfc3339;

/// How long a webhook delivery may take before it is logged as failed.
pub const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(5);

/// The link's lifetime when the request gives no `expirationMinutes` (one day).
pub const DEFAULT_EXPIRATION_MINUTES: i32 = 1440;

/// The `orderType` of every webhook (a payment link is a "fast link" charge).
pub const ORDER_TYPE: &str = "FASTLINK_CHARGE";

/// The header that carries the webhook signature.
pub const SIGNATURE_HEADER: &str = "X-H4B-Hmac-Sha256";

/// The `User-Agent` of the webhooks.
pub const WEBHOOK_USER_AGENT: &str = "H4B";

/// The sandbox store's products, by SKU: `(sku, productId, name, price, imageUrl)`.
pub const CATALOGUE: [(&str, i64, &str, &str, &str); 2] = [
    (
        "PIZZA-001",
        1,
        "Italian Pizza",
        "15.00",
        "https://www.test.com/image.png",
    ),
    (
        "PIZZA-002",
        2,
        "Roman Pizza",
        "20.00",
        "https://www.test.com/roman.png",
    ),
];

/// The router and the test credentials. Webhooks go to `webhook_url` until changed with
/// `PUT /sandbox/webhook`.
pub fn router(ids: Arc<Ids>, webhook_url: Option<String>) -> (axum::Router, Credentials) {
    let credentials = Credentials {
        id: TEST_STORE_ID.to_owned(),
        secret: TEST_SECRET_KEY.to_owned(),
        api_key: None,
        webhook_secret: Some(TEST_WEBHOOK_SECRET.to_owned()),
    };
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(WEBHOOK_TIMEOUT)
        .connect_timeout(WEBHOOK_TIMEOUT)
        .build()
        // Building only fails when the TLS backend cannot start; the plain client then still
        // delivers to http:// URLs.
        .unwrap_or_else(|_| reqwest::Client::new());
    let sim = Arc::new(Sim {
        ids,
        http,
        signer: OrderEventWebhook::new(TEST_WEBHOOK_SECRET),
        data: Locked::new(Data {
            orders: HashMap::new(),
            next_order_id: 1,
            webhook_url,
            deliveries: Vec::new(),
            next_sequence: 1,
        }),
    });
    let p = |path: &str| format!("{PATH_PREFIX}{path}");
    let router = axum::Router::new()
        .route(&p("/paymentlink/checkout"), post(create_payment_link))
        .route(&p("/paymentlink/order/{orderCode}"), get(get_order))
        .route(&p("/sandbox/pay/{orderCode}"), get(pay_page).post(pay))
        .route(&p("/sandbox/vouchers/{orderCode}"), get(voucher))
        .route(&p("/sandbox/orders/{orderCode}/cancel"), post(cancel))
        .route(&p("/sandbox/orders/{orderCode}/finalize"), post(finalize))
        .route(&p("/sandbox/webhook"), get(get_webhook).put(set_webhook))
        .route(&p("/sandbox/webhooks"), get(webhook_log))
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(sim);
    (router, credentials)
}

// ---------------------------------------------------------------------------------------------
// State

struct Sim {
    ids: Arc<Ids>,
    http: reqwest::Client,
    signer: OrderEventWebhook,
    data: Locked<Data>,
}

struct Data {
    /// By order code.
    orders: HashMap<String, Record>,
    next_order_id: i64,
    webhook_url: Option<String>,
    /// Oldest first.
    deliveries: Vec<Delivery>,
    next_sequence: u64,
}

struct Record {
    details: OrderDetails,
    /// Epoch milliseconds.
    created: i64,
    /// Epoch milliseconds; the link can be paid strictly before this.
    expires: i64,
    /// When it was paid (epoch milliseconds).
    paid: Option<i64>,
}

/// One entry of the delivery log.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Delivery {
    sequence: u64,
    #[serde(rename = "type")]
    type_: String,
    order_code: String,
    order_id: i64,
    at: Option<String>,
    url: Option<String>,
    body: String,
    signature: String,
    delivered: bool,
    status: Option<u16>,
    error: Option<String>,
}

/// A webhook to send, built while the state was locked.
struct Outgoing {
    sequence: u64,
    type_: WebhookEventType,
    order_code: String,
    order_id: i64,
    at: i64,
    url: Option<String>,
    body: String,
    signature: String,
}

impl Sim {
    /// The webhook for `kind` about `order`, signed, addressed to the URL configured now.
    fn event(
        &self,
        data: &mut Data,
        order: &OrderDetails,
        kind: WebhookEventType,
        description: String,
        at: i64,
    ) -> Outgoing {
        let metadata = order
            .metadata
            .as_ref()
            .filter(|m| !m.is_empty())
            .map(|items| {
                items
                    .iter()
                    .map(|m| (m.name.clone(), Value::String(m.value.clone())))
                    .collect::<Map<String, Value>>()
            });
        let event = WebhookEvent {
            description: Some(description),
            level: Some("Info".to_owned()),
            metadata,
            order_id: Some(order.order_id.to_string()),
            order_reference: order.order_reference.clone(),
            order_type: Some(ORDER_TYPE.to_owned()),
            type_: Some(kind.clone()),
        };
        // Serializing plain strings and maps cannot fail; an empty body would still be signed
        // and logged.
        let body = serde_json::to_string(&event).unwrap_or_default();
        let signature = self.signer.sign(body.as_bytes());
        let sequence = data.next_sequence;
        data.next_sequence += 1;
        Outgoing {
            sequence,
            type_: kind,
            order_code: order.order_code.clone(),
            order_id: order.order_id,
            at,
            url: data.webhook_url.clone(),
            body,
            signature,
        }
    }
}

/// Sends `out` (on its own task, so it completes even if the triggering request is dropped)
/// and waits for it; the outcome goes to the delivery log.
async fn send(sim: &Arc<Sim>, out: Outgoing) {
    let sim = sim.clone();
    let task = tokio::spawn(async move {
        let (delivered, status, error) = match &out.url {
            None => (
                false,
                None,
                Some("not sent: no webhook URL is configured".to_owned()),
            ),
            Some(url) => {
                let request = sim
                    .http
                    .post(url)
                    .header(header::CONTENT_TYPE, "application/json")
                    .header(header::USER_AGENT, WEBHOOK_USER_AGENT)
                    .header(SIGNATURE_HEADER, &out.signature)
                    .body(out.body.clone());
                match request.send().await {
                    Ok(response) => {
                        let status = response.status();
                        let error = (!status.is_success())
                            .then(|| format!("the receiver answered {status}"));
                        (status.is_success(), Some(status.as_u16()), error)
                    }
                    Err(e) if e.is_timeout() => (
                        false,
                        None,
                        Some(format!(
                            "timed out after {} s: {e}",
                            WEBHOOK_TIMEOUT.as_secs()
                        )),
                    ),
                    Err(e) => (false, None, Some(describe(&e))),
                }
            }
        };
        let delivery = Delivery {
            sequence: out.sequence,
            type_: out.type_.to_string(),
            order_code: out.order_code,
            order_id: out.order_id,
            at: rfc3339(out.at),
            url: out.url,
            body: out.body,
            signature: out.signature,
            delivered,
            status,
            error,
        };
        sim.data.lock().deliveries.push(delivery);
    });
    // The task does not panic; if it did, the delivery would only be missing from the log.
    let _ = task.await;
}

/// A transport error with its causes (reqwest's own message is terse).
fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

// ---------------------------------------------------------------------------------------------
// Errors (RFC 7807)

/// n1co's error shape: RFC 7807 problem details, as ASP.NET writes them.
pub(crate) enum Shape {}

type Refusal = crate::common::errors::Refusal<Shape>;
type Answer<T> = Result<T, Refusal>;

/// The RFC 7231 / 7235 section of `status`, as ASP.NET writes the `type`.
fn problem_type(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "https://tools.ietf.org/html/rfc7231#section-6.5.1",
        401 => "https://tools.ietf.org/html/rfc7235#section-3.1",
        402 => "https://tools.ietf.org/html/rfc7231#section-6.5.2",
        404 => "https://tools.ietf.org/html/rfc7231#section-6.5.4",
        405 => "https://tools.ietf.org/html/rfc7231#section-6.5.5",
        409 => "https://tools.ietf.org/html/rfc7231#section-6.5.8",
        410 => "https://tools.ietf.org/html/rfc7231#section-6.5.9",
        _ => "https://tools.ietf.org/html/rfc7231#section-6.6.1",
    }
}

fn problem_response(
    status: StatusCode,
    title: &str,
    detail: Option<String>,
    errors: Option<BTreeMap<String, Vec<String>>>,
) -> Response {
    let body = ProblemDetails {
        detail,
        errors,
        instance: None,
        status: Some(i32::from(status.as_u16())),
        title: Some(title.to_owned()),
        type_: Some(problem_type(status).to_owned()),
    };
    (status, Json(body)).into_response()
}

fn problem(status: StatusCode, title: &str, detail: impl Into<String>) -> Refusal {
    Refusal::new(problem_response(status, title, Some(detail.into()), None))
}

/// `400` with the `errors` map: each problem under its key(s), as sentences.
fn validation(problems: Vec<Problem>) -> Refusal {
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, message) in problems {
        let list = errors.entry(key).or_default();
        if !list.contains(&message) {
            list.push(message);
        }
    }
    Refusal::new(problem_response(
        StatusCode::BAD_REQUEST,
        "One or more validation errors occurred.",
        None,
        Some(errors),
    ))
}

/// A problem at `key`, its message a sentence naming the field.
fn at(key: &str, message: &str) -> Problem {
    let sentence = if key.is_empty() || key == "$" {
        capitalized(message)
    } else {
        format!("The field {key} {message}")
    };
    (key.to_owned(), finish_sentence(sentence))
}

fn capitalized(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn finish_sentence(mut text: String) -> String {
    if !text.ends_with('.') {
        text.push('.');
    }
    text
}

fn not_found(code: &str) -> Refusal {
    let shown: String = code.chars().take(64).collect();
    problem(
        StatusCode::NOT_FOUND,
        "Not Found",
        format!("No order has the code {shown:?}."),
    )
}

fn conflict(status: &OrderStatus, operation: &str) -> Refusal {
    problem(
        StatusCode::CONFLICT,
        "Conflict",
        format!("Cannot {operation} an order whose status is {status}."),
    )
}

impl ErrorShape for Shape {
    fn clock_fault(fault: ClockFault) -> Response {
        validation(vec![(
            "X-Sandbox-Now".to_owned(),
            format!(
                "The header X-Sandbox-Now {} (expected RFC 3339).",
                fault.why
            ),
        )])
        .into_response()
    }

    fn body_fault(fault: BodyFault) -> Response {
        let problems = match fault {
            BodyFault::Missing => vec![(
                String::new(),
                "A non-empty request body is required.".to_owned(),
            )],
            BodyFault::NotJson(e) => vec![at("$", &format!("the body is not valid JSON: {e}"))],
            BodyFault::NotObject => vec![at("$", "the body must be a JSON object")],
            BodyFault::Members(problems) => problems
                .iter()
                .map(|(path, message)| at(path, message))
                .collect(),
            BodyFault::NotA { error, .. } => {
                vec![at("$", &format!("the body is invalid: {error}"))]
            }
            BodyFault::Rules { schema, error } => error
                .violations
                .iter()
                .flat_map(|v| {
                    let keys = keys_for(schema, &v.path);
                    let whole_object = keys.first() != Some(&v.path);
                    keys.into_iter().map(move |key| {
                        if whole_object {
                            (
                                key,
                                finish_sentence(capitalized(&v.message.replace('`', ""))),
                            )
                        } else {
                            at(&key, &v.message)
                        }
                    })
                })
                .collect(),
        };
        validation(problems).into_response()
    }
}

// ---------------------------------------------------------------------------------------------
// Authentication, the clock, URLs

fn authenticate(headers: &HeaderMap) -> Answer<()> {
    let (challenge, detail) = match bearer_token(headers) {
        Some(TEST_SECRET_KEY) => return Ok(()),
        Some(_) => (
            "Bearer error=\"invalid_token\"",
            "The secret key is invalid: send `Authorization: Bearer <secret key>`.",
        ),
        None => (
            "Bearer",
            "No secret key: send `Authorization: Bearer <secret key>`.",
        ),
    };
    let mut response = problem_response(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        Some(detail.to_owned()),
        None,
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    );
    Err(Refusal::new(response))
}

/// "Now" for this request, in epoch milliseconds: `X-Sandbox-Now` when sent, else the system
/// clock.
fn now(headers: &HeaderMap) -> Answer<i64> {
    Ok(CLOCK.now_millis(headers)?)
}

/// `millis` as `2024-05-14T13:44:23.133Z`; `None` outside the years 0000..=9999.
fn date_time(millis: i64) -> Option<DateTime> {
    let utc = EpochMillis::from_millis(millis).to_utc()?;
    DateTime::parse(&utc.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()).ok()
}

fn rfc3339(millis: i64) -> Option<String> {
    date_time(millis).map(|d| d.to_string())
}

/// The `{orderCode}` of a route; one that does not decode is an unknown order.
fn order_code(path: Result<Path<String>, PathRejection>) -> Answer<String> {
    match path {
        Ok(Path(code)) => Ok(code),
        Err(_) => Err(not_found("(undecodable)")),
    }
}

// ---------------------------------------------------------------------------------------------
// Request bodies

const SPEC_YAML: &str = include_str!("../../specs/n1co/openapi.yaml");

/// The spec's component schemas, for the member checks.
static SCHEMAS: LazyLock<Schemas> = LazyLock::new(|| {
    Schemas::from_yaml(SPEC_YAML)
        .expect("the embedded n1co spec parses (a test checks it)")
        .refusing_nulls()
});

/// The keys a violation at `path` of the component `schema` is listed under: the members of
/// the `oneOf` rule when the rule is on a whole object, else the path itself.
fn keys_for(schema: &str, path: &str) -> Vec<String> {
    let members = SCHEMAS.one_of_members(schema, path);
    if members.is_empty() {
        vec![path.to_owned()]
    } else {
        members
    }
}

/// Reads a JSON object body as the spec's `schema`, every fault reported by its path, then
/// checks the spec's limits ([`Validate`]).
fn parse_body<T>(body: &Bytes, schema: &'static str) -> Answer<T>
where
    T: serde::de::DeserializeOwned + Validate,
{
    Ok(body::checked(body, &SCHEMAS, schema, false)?)
}

/// A JSON object body of a sandbox route (empty is `{}`); members other than `allowed` are
/// refused, to catch typos.
fn sandbox_body(body: &Bytes, allowed: &[&str]) -> Answer<Map<String, Value>> {
    let object = body::object(body)?;
    let unknown: Vec<Problem> = object
        .keys()
        .filter(|k| !allowed.contains(&k.as_str()))
        .map(|k| {
            at(
                k,
                &format!(
                    "is not a member of this body (known: {})",
                    allowed.join(", ")
                ),
            )
        })
        .collect();
    if unknown.is_empty() {
        Ok(object)
    } else {
        Err(validation(unknown))
    }
}

// ---------------------------------------------------------------------------------------------
// Creating links

fn decimal(text: &str) -> Decimal {
    payspec_runtime::decimal::parse_exact(text).unwrap_or(Decimal::ZERO)
}

fn zero() -> Decimal {
    Decimal::new(0, 2)
}

/// The order's lines and subtotal; faults keyed by their member.
fn order_lines(request: &CreatePaymentLinkRequest) -> Answer<(Vec<OrderLineItem>, Decimal)> {
    if let Some(amount) = request.amount {
        return Ok((Vec::new(), amount));
    }
    let mut problems = Vec::new();
    let mut lines = Vec::with_capacity(request.line_items.len());
    let mut subtotal = Some(Decimal::ZERO);
    for (i, item) in request.line_items.iter().enumerate() {
        let Some(line) = order_line(i, item, &mut problems) else {
            continue;
        };
        subtotal = subtotal.and_then(|s| s.checked_add(line.sub_total?));
        lines.push(line);
    }
    if !problems.is_empty() {
        return Err(validation(problems));
    }
    match subtotal {
        Some(total) if total > Decimal::ZERO => Ok((lines, total)),
        Some(_) => Err(validation(vec![at(
            "lineItems",
            "must add up to a total greater than 0",
        )])),
        None => Err(validation(vec![at(
            "lineItems",
            "add up to a total too large to represent",
        )])),
    }
}

fn order_line(i: usize, item: &LineItem, problems: &mut Vec<Problem>) -> Option<OrderLineItem> {
    let (product_id, sku, name, price, image_url) = match (&item.sku, &item.product) {
        (Some(sku), _) => {
            let Some(&(sku, id, name, price, image)) =
                CATALOGUE.iter().find(|(known, ..)| known == sku)
            else {
                let known: Vec<&str> = CATALOGUE.iter().map(|(s, ..)| *s).collect();
                problems.push(at(
                    &format!("lineItems[{i}].sku"),
                    &format!(
                        "is not a product of the store (the sandbox store has {})",
                        known.join(", ")
                    ),
                ));
                return None;
            };
            (
                Some(id),
                Some(sku.to_owned()),
                name.to_owned(),
                decimal(price),
                Some(image.to_owned()),
            )
        }
        (None, Some(product)) => {
            if product.price < Decimal::ZERO {
                problems.push(at(
                    &format!("lineItems[{i}].product.price"),
                    "must be greater than or equal to 0",
                ));
                return None;
            }
            (
                None,
                None,
                product.name.clone(),
                product.price,
                product.image_url.clone(),
            )
        }
        // Validate refused a line with neither.
        (None, None) => return None,
    };
    let sub_total = price.checked_mul(Decimal::from(item.quantity));
    if sub_total.is_none() {
        problems.push(at(
            &format!("lineItems[{i}]"),
            "has a subtotal too large to represent",
        ));
    }
    Some(OrderLineItem {
        image_url,
        name: Some(name),
        price: Some(price),
        product_id,
        promo_price: None,
        quantity: Some(item.quantity),
        sku,
        sub_total,
    })
}

fn store() -> Store {
    Store {
        country_code: Some("SV".to_owned()),
        currency_code: Some("USD".to_owned()),
        currency_symbol: Some("$".to_owned()),
        locale: Some("es_SV".to_owned()),
        name: Some("n1co Sandbox Store".to_owned()),
        timezone: Some("America/El_Salvador".to_owned()),
    }
}

/// A fresh order code, unique in `orders`.
fn new_code(ids: &Ids, orders: &HashMap<String, Record>) -> String {
    loop {
        let hex = ids.next_hex().to_ascii_uppercase();
        let code = format!("PL-{}", hex.get(..8).unwrap_or(&hex));
        if !orders.contains_key(&code) {
            return code;
        }
    }
}

async fn create_payment_link(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<Json<CreatePaymentLinkResponse>> {
    authenticate(&headers)?;
    let now = now(&headers)?;
    let request: CreatePaymentLinkRequest = parse_body(&body, "CreatePaymentLinkRequest")?;
    let (lines, subtotal) = order_lines(&request)?;
    let minutes = request
        .expiration_minutes
        .unwrap_or(DEFAULT_EXPIRATION_MINUTES);
    let expires = now.saturating_add(i64::from(minutes).saturating_mul(60_000));
    let base = base_url(&headers, PATH_PREFIX);

    let (answer, outgoing) = {
        let mut data = sim.data.lock();
        let code = new_code(&sim.ids, &data.orders);
        let id = data.next_order_id;
        data.next_order_id += 1;
        let link = format!("{base}/sandbox/pay/{code}");
        let details = OrderDetails {
            cancel_url: request.cancel_url,
            created: date_time(now),
            description: request.order_description,
            line_items: Some(lines),
            metadata: Some(request.metadata),
            name: Some(
                request
                    .order_name
                    .unwrap_or_else(|| "PaymentLink Order".to_owned()),
            ),
            order_code: code.clone(),
            order_id: id,
            order_reference: request.order_reference,
            order_status: OrderStatus::Pending,
            payment: None,
            payment_link_url: Some(link.clone()),
            store: Some(store()),
            subtotal: Some(subtotal),
            success_url: request.success_url,
            total: Some(subtotal),
            total_details: Some(TotalDetails {
                discount_amount: Some(zero()),
                shipping_amount: Some(zero()),
                surcharge_amount: Some(zero()),
            }),
        };
        let outgoing = sim.event(
            &mut data,
            &details,
            WebhookEventType::Created,
            format!("Payment link {code} created"),
            now,
        );
        data.orders.insert(
            code.clone(),
            Record {
                details,
                created: now,
                expires,
                paid: None,
            },
        );
        let answer = CreatePaymentLinkResponse {
            order_code: code,
            order_id: id,
            payment_link_url: link,
        };
        (answer, outgoing)
    };
    send(&sim, outgoing).await;
    Ok(Json(answer))
}

async fn get_order(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Answer<Json<OrderDetails>> {
    authenticate(&headers)?;
    let code = order_code(path)?;
    let data = sim.data.lock();
    let record = data.orders.get(&code).ok_or_else(|| not_found(&code))?;
    Ok(Json(record.details.clone()))
}

// ---------------------------------------------------------------------------------------------
// The payer

#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Success,
    Error,
}

/// The optional body of the pay route.
fn pay_options(body: &Bytes) -> Answer<(Buyer, Outcome)> {
    let object = sandbox_body(body, &["buyer", "outcome"])?;
    let mut problems = Vec::new();
    let outcome = match object.get("outcome") {
        None | Some(Value::Null) => Outcome::Success,
        Some(Value::String(s)) if s == "success" => Outcome::Success,
        Some(Value::String(s)) if s == "error" => Outcome::Error,
        Some(_) => {
            problems.push(at("outcome", "must be \"success\" or \"error\""));
            Outcome::Success
        }
    };
    let buyer = match object.get("buyer") {
        None | Some(Value::Null) => Buyer {
            email: Some("john.doe@example.com".to_owned()),
            name: Some("John Doe".to_owned()),
            phone: Some("+504 9999-9999".to_owned()),
        },
        Some(Value::Object(members)) => {
            let mut buyer = Buyer::default();
            for (name, value) in members {
                let slot = match name.as_str() {
                    "name" => &mut buyer.name,
                    "phone" => &mut buyer.phone,
                    "email" => &mut buyer.email,
                    _ => {
                        problems.push(at(
                            &format!("buyer.{name}"),
                            "is not a member of buyer (known: name, phone, email)",
                        ));
                        continue;
                    }
                };
                match value {
                    Value::Null => {}
                    Value::String(s) => *slot = Some(s.clone()),
                    _ => problems.push(at(&format!("buyer.{name}"), "must be a string")),
                }
            }
            buyer
        }
        Some(_) => {
            problems.push(at("buyer", "must be an object"));
            Buyer::default()
        }
    };
    if problems.is_empty() {
        Ok((buyer, outcome))
    } else {
        Err(validation(problems))
    }
}

async fn pay(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Answer<Response> {
    let code = order_code(path)?;
    let now = now(&headers)?;
    let (buyer, outcome) = pay_options(&body)?;
    let base = base_url(&headers, PATH_PREFIX);
    let (details, outgoing) = {
        let mut data = sim.data.lock();
        let record = data.orders.get_mut(&code).ok_or_else(|| not_found(&code))?;
        if record.details.order_status != OrderStatus::Pending {
            return Err(conflict(&record.details.order_status, "pay"));
        }
        if now >= record.expires {
            let expired = rfc3339(record.expires).unwrap_or_else(|| "its expiry".to_owned());
            return Err(problem(
                StatusCode::GONE,
                "Gone",
                format!("The payment link has expired (at {expired})."),
            ));
        }
        let (kind, description) = match outcome {
            Outcome::Success => {
                let hex = sim.ids.next_hex().to_ascii_uppercase();
                let authorization = hex.get(..6).unwrap_or(&hex).to_owned();
                record.details.order_status = OrderStatus::Paid;
                record.details.payment = Some(Payment {
                    authorization_code: Some(authorization.clone()),
                    buyer: Some(buyer),
                    voucher_url: Some(format!("{base}/sandbox/vouchers/{code}")),
                });
                record.paid = Some(now);
                (
                    WebhookEventType::SuccessPayment,
                    format!("Payment approved, authorization code {authorization}"),
                )
            }
            Outcome::Error => (
                WebhookEventType::PaymentError,
                "The payment was declined".to_owned(),
            ),
        };
        let details = record.details.clone();
        let outgoing = sim.event(&mut data, &details, kind, description, now);
        (details, outgoing)
    };
    send(&sim, outgoing).await;
    Ok(match outcome {
        Outcome::Success => Json(details).into_response(),
        Outcome::Error => problem_response(
            StatusCode::PAYMENT_REQUIRED,
            "Payment Required",
            Some(
                "The payment was declined (simulated); the order stays PENDING and can be paid \
                 again."
                    .to_owned(),
            ),
            None,
        ),
    })
}

async fn pay_page(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Answer<Json<Value>> {
    let code = order_code(path)?;
    let now = now(&headers)?;
    let data = sim.data.lock();
    let record = data.orders.get(&code).ok_or_else(|| not_found(&code))?;
    let d = &record.details;
    let total = serde_json::to_value(d)
        .ok()
        .and_then(|v| v.get("total").cloned());
    Ok(Json(json!({
        "orderCode": d.order_code,
        "orderId": d.order_id,
        "name": d.name,
        "description": d.description,
        "orderStatus": d.order_status,
        "lineItems": d.line_items,
        "total": total,
        "currencyCode": "USD",
        "created": rfc3339(record.created),
        "expiresAt": rfc3339(record.expires),
        "expired": now >= record.expires,
        "pay": "POST this URL, optionally with {\"buyer\": {\"name\", \"phone\", \"email\"}, \
                \"outcome\": \"success\" | \"error\"}",
    })))
}

async fn voucher(
    State(sim): State<Arc<Sim>>,
    path: Result<Path<String>, PathRejection>,
) -> Answer<Json<Value>> {
    let code = order_code(path)?;
    let data = sim.data.lock();
    let record = data.orders.get(&code).ok_or_else(|| not_found(&code))?;
    let d = &record.details;
    let Some(payment) = &d.payment else {
        return Err(problem(
            StatusCode::NOT_FOUND,
            "Not Found",
            format!("The order {code} has not been paid: it has no voucher."),
        ));
    };
    let total = serde_json::to_value(d)
        .ok()
        .and_then(|v| v.get("total").cloned());
    Ok(Json(json!({
        "authorizationCode": payment.authorization_code,
        "orderCode": d.order_code,
        "orderId": d.order_id,
        "orderStatus": d.order_status,
        "total": total,
        "currencyCode": "USD",
        "buyer": payment.buyer,
        "paidAt": record.paid.and_then(rfc3339),
    })))
}

// ---------------------------------------------------------------------------------------------
// The merchant portal

async fn change_status(
    sim: Arc<Sim>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    from: OrderStatus,
    to: OrderStatus,
    operation: &str,
    kind: WebhookEventType,
) -> Answer<Json<OrderDetails>> {
    authenticate(&headers)?;
    let code = order_code(path)?;
    let now = now(&headers)?;
    let (details, outgoing) = {
        let mut data = sim.data.lock();
        let record = data.orders.get_mut(&code).ok_or_else(|| not_found(&code))?;
        if record.details.order_status != from {
            return Err(conflict(&record.details.order_status, operation));
        }
        record.details.order_status = to.clone();
        let details = record.details.clone();
        let description = format!(
            "Order {code} {} by the merchant",
            to.as_str().to_lowercase()
        );
        let outgoing = sim.event(&mut data, &details, kind, description, now);
        (details, outgoing)
    };
    send(&sim, outgoing).await;
    Ok(Json(details))
}

async fn cancel(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Answer<Json<OrderDetails>> {
    change_status(
        sim,
        headers,
        path,
        OrderStatus::Pending,
        OrderStatus::Cancelled,
        "cancel",
        WebhookEventType::Cancelled,
    )
    .await
}

async fn finalize(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Answer<Json<OrderDetails>> {
    change_status(
        sim,
        headers,
        path,
        OrderStatus::Paid,
        OrderStatus::Finalized,
        "finalize",
        WebhookEventType::Finalized,
    )
    .await
}

fn is_http_url(url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
    })
}

async fn get_webhook(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Answer<Json<Value>> {
    authenticate(&headers)?;
    let url = sim.data.lock().webhook_url.clone();
    Ok(Json(json!({ "url": url })))
}

async fn set_webhook(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<Json<Value>> {
    authenticate(&headers)?;
    let object = sandbox_body(&body, &["url"])?;
    let url = match object.get("url") {
        None => {
            return Err(validation(vec![at(
                "url",
                "is required (null stops the webhooks)",
            )]));
        }
        Some(Value::Null) => None,
        Some(Value::String(url)) if is_http_url(url.trim()) => Some(url.trim().to_owned()),
        Some(_) => {
            return Err(validation(vec![at(
                "url",
                "must be an absolute http:// or https:// URL, or null",
            )]));
        }
    };
    sim.data.lock().webhook_url = url.clone();
    Ok(Json(json!({ "url": url })))
}

async fn webhook_log(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Answer<Json<Value>> {
    authenticate(&headers)?;
    let data = sim.data.lock();
    Ok(Json(json!({
        "url": data.webhook_url,
        "deliveries": data.deliveries,
    })))
}

// ---------------------------------------------------------------------------------------------
// Fallbacks

async fn fallback(method: Method, uri: Uri) -> Response {
    let path: String = uri.path().chars().take(256).collect();
    problem_response(
        StatusCode::NOT_FOUND,
        "Not Found",
        Some(format!("No such endpoint: {method} {path}")),
        None,
    )
}

async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    let path: String = uri.path().chars().take(256).collect();
    problem_response(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method Not Allowed",
        Some(format!("{path} does not accept {method}.")),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const CREATE: &str = "CreatePaymentLinkRequest";

    #[test]
    fn the_embedded_spec_drives_the_member_checks() {
        let problems = SCHEMAS.check(
            "CreatePaymentLinkRequest",
            &json!({"amount": "x", "lineItems": [{"product": {"name": "P"}}]}),
        );
        let paths: Vec<&str> = problems.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "amount",
                "lineItems[0].product.price",
                "lineItems[0].quantity"
            ]
        );
    }

    #[test]
    fn one_of_rules_are_keyed_by_their_members() {
        assert_eq!(keys_for(CREATE, ""), ["amount", "lineItems"]);
        assert_eq!(
            keys_for(CREATE, "lineItems[3]"),
            ["lineItems[3].sku", "lineItems[3].product"]
        );
        assert_eq!(keys_for(CREATE, "amount"), ["amount"]);
        assert_eq!(
            keys_for(CREATE, "lineItems[0].quantity"),
            ["lineItems[0].quantity"]
        );
        assert_eq!(keys_for(CREATE, "nope[1].x"), ["nope[1].x"]);
    }

    #[test]
    fn nulls_and_short_arrays_are_refused() {
        let out = SCHEMAS.check(
            CREATE,
            &json!({"orderName": null, "orderDescription": null, "lineItems": [],
                    "metadata": [{"name": "a", "value": null}]}),
        );
        let keys: Vec<&str> = out.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["lineItems", "metadata[0].value", "orderName"]);
    }

    #[test]
    fn dates_are_written_in_utc_with_milliseconds() {
        assert_eq!(
            rfc3339(1_715_694_263_133).as_deref(),
            Some("2024-05-14T13:44:23.133Z")
        );
        assert_eq!(
            rfc3339(1_715_694_263_000).as_deref(),
            Some("2024-05-14T13:44:23.000Z")
        );
        assert_eq!(rfc3339(i64::MAX), None);
    }

    #[test]
    fn webhook_urls_must_be_absolute_http() {
        assert!(is_http_url("http://127.0.0.1:9/hook"));
        assert!(is_http_url("https://example.com"));
        assert!(!is_http_url("ftp://example.com"));
        assert!(!is_http_url("/relative"));
        assert!(!is_http_url("http://"));
    }
}
