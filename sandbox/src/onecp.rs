//! The 1-CP Corporate Checkout simulator: the operations of `specs/onecp/openapi.yaml`, with
//! state, over the generated types of `payspec-onecp` (requests are read as, and answers written
//! from, `payspec_onecp::types::*`, and checked with the spec's rules through
//! [`payspec_runtime::Validate`]).
//!
//! # Authentication
//!
//! Every operation of the spec needs HTTP Basic authentication with the test credentials
//! [`CLIENT_ID`] / [`CLIENT_SECRET`] (returned by [`router`]). A missing, malformed or wrong
//! `Authorization` header is answered `401` with a short `text/plain` body and
//! `WWW-Authenticate: Basic realm="1-CP sandbox"` (the spec documents no body). The `/sandbox/`
//! endpoints below need no credentials: they stand for the payer and the test harness, not
//! for the API's caller.
//!
//! # Operations of the spec
//!
//! | Request | Answer |
//! |---|---|
//! | `GET /status` | `201` `StatusResponse` `{"status": "ready", "provider": "<id>"}` (seed 000's status code); the provider id is a deterministic id, the same for every call. |
//! | `POST /initialize`, `POST /transactions` | The JSON body is read as a `CorporateCheckout` and checked with the spec's rules (mixed penalty kinds, an incomplete `Location`, a quantity under 1, no items, ...). A valid one is stored as a new `PENDING` transaction under a new deterministic id: `201` `{"transactionId": "<id>"}`. The `Content-Type` is not checked. |
//! | `GET /status/{transactionId}` | `200` `TransactionStatusResponse`: the status and a `checkout` whose `reference` is the transaction id; once paid, also `payment` (`reference`: a deterministic payment id, `provider`: `"sandbox"` unless the payment said otherwise) and whatever `customer`, `beneficiary`, `billing`, `card` and `reporting` the payment carried. `404` for an unknown id. |
//! | `PATCH /cancel` | Cancels items of the transaction `contractId` (seed 000). `multipart/form-data` as the spec has it, or, leniently, a JSON object with the same members. `400` without `contractId` or for an unknown one (the id is a body member here, and the spec documents no `404` for this operation). |
//! | `PATCH /cancel/{transactionId}` | The same, the transaction in the path: a JSON `CancelTransactionRequest` or `multipart/form-data` (told apart by `Content-Type`; no `Content-Type` is read as JSON, an empty JSON body as `{}`, any other type is `415`). `404` for an unknown id (checked before the body is read). |
//!
//! Statuses: `PENDING` (created), `PAID` (after the payer paid, see below), and `CANCELLED`, a
//! value the spec does not list (its status enum is open) that a transaction takes once every
//! one of its items is cancelled. A partly cancelled transaction keeps its status.
//!
//! # Sandbox-only endpoints (not part of the spec)
//!
//! - `POST /sandbox/transactions/{transactionId}/pay` simulates the payer completing 1-CP's hosted
//!   checkout: the `PENDING` transaction becomes `PAID`. Optional JSON body (an empty body is
//!   `{}`): `{"paidAt": "<RFC 3339>", "provider": "...", "customer": {...}, "beneficiary": {...},
//!   "billing": {...}, "card": {...}, "reporting": {...}}` (the last five in the shapes of the
//!   spec's `TransactionCheckout`; any other member is refused, to catch typos). `paidAt`
//!   defaults to the `X-Sandbox-Now` header, else to now.
//!   Answers `200` with the transaction's sandbox state (below); `404` for an unknown id, `409`
//!   for a transaction that is not `PENDING` (already paid, or cancelled), `400` for a body
//!   that does not parse.
//! - `GET /sandbox/transactions/{transactionId}` answers `200` with the stored state, in JSON:
//!   `transactionId`, `status`, `paidAt` (or `null`), `paymentReference`, `currency`, `total`
//!   (of the items), `items` (per item: `index`, `name`, `total`, `cancelled`, and once
//!   cancelled `penalty`, `penaltyIndex` (the position in the item's `penalties` of the penalty
//!   that applied, or `null`), `refund` and `cancelledAt`), `refundTotal` (of every
//!   cancellation), `cancellations` (per cancellation: `via`, `at`, `itemsOrder` (the items it
//!   cancelled), `refunds` (per item, as in `items`), `refundTotal`, `requestedAmount` (the
//!   request's `amount`, recorded as sent, or `null`), `invoiceTitle`, `invoiceNumber`, and
//!   `file`: `{"fileName", "contentType", "size"}` of the received invoice file, or `null`) and
//!   `checkout` (the `CorporateCheckout` as received). Every amount is a JSON number written
//!   exactly (read it with `payspec_runtime::decimal::number`). `404` for an unknown id.
//! - The request header `X-Sandbox-Now: <RFC 3339>` sets "now" for a cancellation (and the
//!   default payment date), so tests can place it before or after a penalty's date. A value
//!   that does not parse is `400`.
//!
//! # Errors
//!
//! The spec documents no error shape. Every error but `401` is answered with
//! `{"message": "<what went wrong>", "errors": [{"path": "<JSON path or field>", "message":
//! "..."}]}` (`errors` may be empty): the path names the offending member (as the client's
//! validation does, e.g. `items[0].cancellationPolicy.penalties`), `itemsOrder[1]` the second
//! `itemsOrder` value, `X-Sandbox-Now` the header, and is empty for a body that is not JSON or
//! not the expected shape (the message then comes from the JSON parser, with line and column).
//! Statuses: `400` invalid request, `404` unknown transaction, `409` (pay) wrong status, `413`
//! body too large, `415` unsupported `Content-Type`. Exceptions, answered by the HTTP layer in
//! plain text: a body over [`MAX_JSON_BYTES`] sent to `POST /initialize`, `POST /transactions` or
//! the pay endpoint (`413`), and a path segment that is not valid percent-encoded UTF-8 (`400`).
//! Members the spec's types do not know are ignored in every JSON body of the spec (so `{}` or
//! an object of unknown members sent to `PATCH /cancel/{transactionId}` cancels every item).
//!
//! # Refunds
//!
//! A cancellation cancels the items `itemsOrder` (0-based positions in the checkout's `items`;
//! repeated positions count once; a position out of range is `400`). Without `itemsOrder` (or
//! with an empty one), it cancels every item not cancelled yet. If an item it names is already
//! cancelled (or, without `itemsOrder`, every item is), nothing changes and the answer is
//! `400` with the error on `itemsOrder`. (The spec's `CancelResponse` has an `errorMessage`, "why
//! the cancellation failed", but documents no status value other than `SUCCESS`: inventing one
//! would be a response the spec does not describe, which schemathesis rightly flags.)
//! Otherwise the answer is `200` `{"status": "SUCCESS"}` and every cancelled item gets a
//! refund:
//!
//! - The item's total is its `total` when set, else `price × quantity.amount` (price 0 and
//!   quantity 1 when absent) plus `totalTax` when set. `taxes` are not evaluated. A total that
//!   does not fit a decimal is refused with `400` when the checkout is created.
//! - A transaction that is not paid (`PENDING`) refunds nothing: its items are cancelled with a
//!   refund and a penalty of 0 (nothing was paid).
//! - No `cancellationPolicy`: the whole total is refunded (1-CP's default policy, seed 001).
//! - `DATE_PENALTY`: a penalty applies once now ≥ its `until`. Of the applicable ones, the one
//!   with the latest `until` is used (on a tie, the larger amount). The policy's `reference` is
//!   not used.
//! - `OFFSET_PENALTY`: the offset (`amount` × unit: `HOURS` = 1 hour, `DAYS` = 24 hours,
//!   `MONTHS` = 30 days, fractions allowed) counts from the policy's reference date. With
//!   `PAYMENT_DATE` (the payment date) a penalty applies once now ≥ payment date + offset
//!   ("after payment"); with `START_PERIOD` (the item's `period.start`) once
//!   now ≥ start − offset ("within the offset before the start"). Of the applicable ones, the
//!   largest penalty is used. A `START_PERIOD` policy on an item without `period.start`, or a
//!   `PAYMENT_DATE` one without a payment date, has no reference date: no offset penalty
//!   applies.
//! - The penalty's value is `FIXED_AMOUNT` (that amount) or `PERCENTAGE` (that percentage of the
//!   item's total), kept between 0 and the item's total: the refund, total − penalty, is never
//!   negative and never more than the total (and 0 for an item whose total is negative).
//! - Dates without an offset (`2024-05-01T00:00:00`) are read as UTC.
//! - Amounts are `rust_decimal::Decimal`, computed exactly and never rounded (a percentage of
//!   `100.01` may have more decimals than the currency has; exact unless more than 28 fraction
//!   digits would be needed).
//! - The request's `amount` is recorded (`requestedAmount`) but does not change the refund, which
//!   always follows the policies; `invoiceTitle`, `invoiceNumber` and the `file` are recorded.
//! - A multipart `file` over 10 MB ([`MAX_FILE_BYTES`], as the client checks) is `400` (the rest of
//!   the body is still read, so the client gets the answer); a multipart body over
//!   [`MAX_MULTIPART_BYTES`] is `413`, a JSON body over [`MAX_JSON_BYTES`] too. In a multipart
//!   body, a field other than the documented ones is ignored, a documented field sent twice
//!   (other than `itemsOrder`) is `400`.
//!
//! State lives in memory for the life of the [`crate::Sandbox`]; ids come from the sandbox's
//! [`Ids`], so they are deterministic for a seed.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use base64::Engine as _;
use payspec_onecp::types::{
    ApiStatus, CancelResponse, CancelStatus, CancelTransactionRequest, CancellationPenaltyOffset,
    CancellationPenaltyValue, CancellationReference, CheckoutBeneficiary, CheckoutBilling,
    CheckoutCustomer, CheckoutPayment, CorporateCheckout, Item, Penalty, PenaltyOffsetUnit,
    PenaltyValueUnit, StatusResponse, TransactionCheckout, TransactionCreated, TransactionStatus,
    TransactionStatusResponse,
};
use payspec_runtime::{DateTime, EpochMillis};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::common::body::{self, BodyFault, MAX_BODY_BYTES};
use crate::common::clock::{Clock, ClockFault};
use crate::common::headers::media_type;
use crate::common::store::Locked;
use crate::{Credentials, Ids};

/// The test client (widget) id the simulator accepts.
pub const CLIENT_ID: &str = "sandbox-widget";
/// The test client (backend) secret the simulator accepts.
pub const CLIENT_SECRET: &str = "sandbox-secret";
/// The largest cancellation invoice file accepted: 10 MB (10 × 1024 × 1024 bytes).
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;
/// The largest `multipart/form-data` cancellation body read (larger ones are `413`).
pub const MAX_MULTIPART_BYTES: usize = 64 * 1024 * 1024;
/// The largest JSON body read (larger ones are `413`).
pub const MAX_JSON_BYTES: usize = MAX_BODY_BYTES;
/// The sandbox-only request header that sets "now" (RFC 3339) for a cancellation or payment.
pub use crate::NOW_HEADER;

/// How the simulator reads [`NOW_HEADER`].
const CLOCK: Clock = Clock::Rfc3339;
const PAYMENT_PROVIDER: &str = "sandbox";
const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// The simulator's routes and test credentials.
pub fn router(ids: Arc<Ids>) -> (axum::Router, Credentials) {
    let provider = ids.next_hex();
    let shared = Arc::new(Shared {
        ids,
        provider,
        transactions: Locked::new(HashMap::new()),
    });
    let api = Router::new()
        .route("/status", get(get_status))
        .route("/status/{transaction_id}", get(get_transaction_status))
        .route("/initialize", post(initialize))
        .route("/transactions", post(initialize))
        .route(
            "/cancel",
            patch(cancel_contract).layer(DefaultBodyLimit::max(MAX_MULTIPART_BYTES)),
        )
        .route(
            "/cancel/{transaction_id}",
            patch(cancel_transaction).layer(DefaultBodyLimit::max(MAX_MULTIPART_BYTES)),
        )
        .route_layer(middleware::from_fn(require_basic_auth));
    let sandbox = Router::new()
        .route("/sandbox/transactions/{transaction_id}", get(sandbox_state))
        .route(
            "/sandbox/transactions/{transaction_id}/pay",
            post(sandbox_pay),
        );
    let router = api
        .merge(sandbox)
        .layer(DefaultBodyLimit::max(MAX_JSON_BYTES))
        .with_state(shared);
    let credentials = Credentials {
        id: CLIENT_ID.to_owned(),
        secret: CLIENT_SECRET.to_owned(),
        api_key: None,
        webhook_secret: None,
    };
    (router, credentials)
}

// ---- state --------------------------------------------------------------------------------------

struct Shared {
    ids: Arc<Ids>,
    provider: String,
    transactions: Locked<HashMap<String, Transaction>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Pending,
    Paid,
    Cancelled,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "PENDING",
            Status::Paid => "PAID",
            Status::Cancelled => "CANCELLED",
        }
    }

    fn to_api(self) -> TransactionStatus {
        match self {
            Status::Pending => TransactionStatus::Pending,
            Status::Paid => TransactionStatus::Paid,
            Status::Cancelled => TransactionStatus::from(self.as_str()),
        }
    }
}

struct Payment {
    at: At,
    reference: String,
    provider: String,
    customer: Option<CheckoutCustomer>,
    beneficiary: Option<CheckoutBeneficiary>,
    billing: Option<CheckoutBilling>,
    card: Map<String, Value>,
    reporting: Map<String, Value>,
}

struct Transaction {
    id: String,
    checkout: CorporateCheckout,
    /// Per item, its total (see the module docs).
    totals: Vec<Decimal>,
    status: Status,
    payment: Option<Payment>,
    /// Per item, its refund once cancelled.
    refunds: Vec<Option<ItemRefund>>,
    cancellations: Vec<Cancellation>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ItemRefund {
    index: usize,
    #[serde(with = "payspec_runtime::decimal::number")]
    total: Decimal,
    #[serde(with = "payspec_runtime::decimal::number")]
    penalty: Decimal,
    penalty_index: Option<usize>,
    #[serde(with = "payspec_runtime::decimal::number")]
    refund: Decimal,
    cancelled_at: DateTime,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct FileInfo {
    file_name: Option<String>,
    content_type: Option<String>,
    size: u64,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Cancellation {
    via: &'static str,
    at: DateTime,
    items_order: Vec<usize>,
    refunds: Vec<ItemRefund>,
    #[serde(with = "payspec_runtime::decimal::number")]
    refund_total: Decimal,
    #[serde(with = "payspec_runtime::decimal::number_opt")]
    requested_amount: Option<Decimal>,
    invoice_title: Option<String>,
    invoice_number: Option<String>,
    file: Option<FileInfo>,
}

/// An instant: as written (for the records) and in nanoseconds since 1970 (to compare).
#[derive(Clone, Copy, Debug)]
struct At {
    shown: DateTime,
    nanos: i128,
}

impl At {
    fn new(shown: DateTime) -> At {
        At {
            shown,
            nanos: instant(&shown),
        }
    }
}

/// Nanoseconds since 1970-01-01T00:00:00Z; a date-time without an offset is read as UTC.
fn instant(d: &DateTime) -> i128 {
    let utc = d.to_utc().unwrap_or_else(|| d.naive_local().and_utc());
    i128::from(utc.timestamp()) * NANOS_PER_SECOND + i128::from(utc.timestamp_subsec_nanos())
}

// ---- errors -------------------------------------------------------------------------------------

/// An error answer: `status` with `{"message", "errors"}` (see the module docs).
#[derive(Debug, Serialize)]
struct ApiError {
    #[serde(skip)]
    status: StatusCode,
    message: String,
    errors: Vec<ErrorDetail>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self)).into_response()
    }
}

#[derive(Debug, Serialize)]
struct ErrorDetail {
    path: String,
    message: String,
}

fn detail(path: impl Into<String>, message: impl Into<String>) -> ErrorDetail {
    ErrorDetail {
        path: path.into(),
        message: message.into(),
    }
}

fn error(status: StatusCode, message: impl Into<String>, errors: Vec<ErrorDetail>) -> ApiError {
    ApiError {
        status,
        message: message.into(),
        errors,
    }
}

/// A 400 listing `errors`, its message their summary.
fn invalid(errors: Vec<ErrorDetail>) -> ApiError {
    let summary: Vec<String> = errors
        .iter()
        .map(|e| {
            if e.path.is_empty() {
                e.message.clone()
            } else {
                format!("{}: {}", e.path, e.message)
            }
        })
        .collect();
    error(
        StatusCode::BAD_REQUEST,
        format!("invalid request: {}", summary.join("; ")),
        errors,
    )
}

/// A 400 listing the spec's rules `e` breaks.
fn violations(e: payspec_runtime::ValidationError) -> ApiError {
    invalid(
        e.violations
            .into_iter()
            .map(|v| detail(v.path, v.message))
            .collect(),
    )
}

impl From<ClockFault> for ApiError {
    fn from(fault: ClockFault) -> Self {
        invalid(vec![detail("X-Sandbox-Now", fault.why)])
    }
}

impl From<BodyFault> for ApiError {
    fn from(fault: BodyFault) -> Self {
        let unreadable = |message: String, e: serde_json::Error| {
            error(
                StatusCode::BAD_REQUEST,
                message,
                vec![detail("", e.to_string())],
            )
        };
        match fault {
            BodyFault::Missing => invalid(vec![detail("", "a JSON body is required")]),
            BodyFault::NotJson(e) => unreadable("the body is not JSON".to_owned(), e),
            BodyFault::NotObject => invalid(vec![detail("", "the body must be a JSON object")]),
            BodyFault::Members(problems) => invalid(
                problems
                    .into_iter()
                    .map(|(path, message)| detail(path, message))
                    .collect(),
            ),
            BodyFault::NotA { what, error } => {
                unreadable(format!("the body is not a {what}"), error)
            }
            BodyFault::Rules { error, .. } => violations(error),
        }
    }
}

fn not_found(id: &str) -> ApiError {
    error(
        StatusCode::NOT_FOUND,
        format!("no transaction with id {:?}", shorten(id)),
        Vec::new(),
    )
}

/// Request text quoted back in a message, cut to a readable length.
fn shorten(text: &str) -> String {
    const SHOWN: usize = 64;
    let mut shown: String = text.chars().take(SHOWN).collect();
    if text.chars().nth(SHOWN).is_some() {
        shown.push_str("...");
    }
    shown
}

// ---- authentication -----------------------------------------------------------------------------

async fn require_basic_auth(request: Request, next: Next) -> Response {
    if authorized(request.headers()) {
        next.run(request).await
    } else {
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Basic realm=\"1-CP sandbox\"")],
            "invalid or missing credentials",
        )
            .into_response()
    }
}

fn authorized(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some((scheme, encoded)) = value.trim().split_once(' ') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    decoded == format!("{CLIENT_ID}:{CLIENT_SECRET}").as_bytes()
}

// ---- clock --------------------------------------------------------------------------------------

/// "Now": the `X-Sandbox-Now` header when sent, else the system clock.
fn now(headers: &HeaderMap) -> Result<At, ApiError> {
    match CLOCK.sent_date(headers)? {
        Some(date) => Ok(At::new(date)),
        None => EpochMillis::now()
            .to_utc()
            .map(|utc| At::new(DateTime::from_utc(utc)))
            .ok_or_else(|| {
                error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the system clock is out of range",
                    Vec::new(),
                )
            }),
    }
}

// ---- operations of the spec ---------------------------------------------------------------------

async fn get_status(State(shared): State<Arc<Shared>>) -> Response {
    let body = StatusResponse {
        provider: Some(shared.provider.clone()),
        status: ApiStatus::Ready,
    };
    (StatusCode::CREATED, Json(body)).into_response()
}

async fn initialize(State(shared): State<Arc<Shared>>, body: Bytes) -> Result<Response, ApiError> {
    let checkout: CorporateCheckout = body::typed(&body, "CorporateCheckout")?;
    let checkout = body::valid(checkout, "CorporateCheckout")?;
    let mut totals = Vec::with_capacity(checkout.items.len());
    let mut errors = Vec::new();
    for (i, item) in checkout.items.iter().enumerate() {
        match item_total(item) {
            Some(total) => totals.push(total),
            None => errors.push(detail(
                format!("items[{i}]"),
                "the item's total (price × quantity + totalTax) is outside the range of a decimal",
            )),
        }
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let id = shared.ids.next_hex();
    let transaction = Transaction {
        id: id.clone(),
        refunds: vec![None; checkout.items.len()],
        checkout,
        totals,
        status: Status::Pending,
        payment: None,
        cancellations: Vec::new(),
    };
    shared.transactions.lock().insert(id.clone(), transaction);
    let body = TransactionCreated { transaction_id: id };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn get_transaction_status(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let transactions = shared.transactions.lock();
    let tx = transactions.get(&id).ok_or_else(|| not_found(&id))?;
    let mut checkout = TransactionCheckout {
        reference: Some(tx.id.clone()),
        ..TransactionCheckout::default()
    };
    if let Some(p) = &tx.payment {
        checkout.payment = Some(CheckoutPayment {
            provider: Some(p.provider.clone()),
            reference: Some(p.reference.clone()),
        });
        checkout.customer = p.customer.clone();
        checkout.beneficiary = p.beneficiary.clone();
        checkout.billing = p.billing.clone();
        checkout.card = p.card.clone();
        checkout.reporting = p.reporting.clone();
    }
    let body = TransactionStatusResponse {
        checkout: Some(checkout),
        status: tx.status.to_api(),
    };
    Ok((StatusCode::OK, Json(body)).into_response())
}

async fn cancel_contract(
    State(shared): State<Arc<Shared>>,
    request: Request,
) -> Result<Response, ApiError> {
    let at = now(request.headers())?;
    let input = read_cancel(request, true).await?;
    let id = input
        .contract_id
        .clone()
        .ok_or_else(|| invalid(vec![detail("contractId", "is required")]))?;
    if !shared.transactions.lock().contains_key(&id) {
        return Err(invalid(vec![detail(
            "contractId",
            format!("no transaction with id {:?}", shorten(&id)),
        )]));
    }
    cancel(&shared, &id, input, at, "PATCH /cancel")
}

async fn cancel_transaction(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let at = now(request.headers())?;
    if !shared.transactions.lock().contains_key(&id) {
        return Err(not_found(&id));
    }
    let input = read_cancel(request, false).await?;
    cancel(&shared, &id, input, at, "PATCH /cancel/{transactionId}")
}

// ---- reading a cancellation ---------------------------------------------------------------------

#[derive(Default)]
struct CancelInput {
    contract_id: Option<String>,
    items_order: Vec<i64>,
    amount: Option<Decimal>,
    invoice_title: Option<String>,
    invoice_number: Option<String>,
    file: Option<FileInfo>,
}

/// The cancellation in `request`, as JSON or `multipart/form-data` by its `Content-Type`.
/// `contract_in_body`: read `contractId` too (`PATCH /cancel`).
async fn read_cancel(request: Request, contract_in_body: bool) -> Result<CancelInput, ApiError> {
    match media_type(request.headers()).as_deref() {
        Some("multipart/form-data") => read_multipart(request).await,
        None | Some("application/json") => read_json(request, contract_in_body).await,
        Some(json) if json.ends_with("+json") => read_json(request, contract_in_body).await,
        Some(other) => Err(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "unsupported content type {:?}: send application/json or multipart/form-data",
                shorten(other)
            ),
            Vec::new(),
        )),
    }
}

async fn read_json(request: Request, contract_in_body: bool) -> Result<CancelInput, ApiError> {
    let bytes = axum::body::to_bytes(request.into_body(), MAX_JSON_BYTES)
        .await
        .map_err(|_| {
            error(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the body could not be read, or is over {MAX_JSON_BYTES} bytes"),
                Vec::new(),
            )
        })?;
    let mut members = body::object(&bytes)?;
    let mut input = CancelInput::default();
    if contract_in_body {
        match members.remove("contractId") {
            None | Some(Value::Null) => {}
            Some(Value::String(id)) => input.contract_id = Some(id).filter(|id| !id.is_empty()),
            Some(_) => return Err(invalid(vec![detail("contractId", "must be a string")])),
        }
    }
    let body: CancelTransactionRequest =
        serde_json::from_value(Value::Object(members)).map_err(|error| BodyFault::NotA {
            what: "CancelTransactionRequest",
            error,
        })?;
    let body = body::valid(body, "CancelTransactionRequest")?;
    input.items_order = body.items_order.into_iter().map(i64::from).collect();
    input.amount = body.amount;
    input.invoice_title = body.invoice_title;
    input.invoice_number = body.invoice_number;
    Ok(input)
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    error(
        e.status(),
        "the multipart body could not be read",
        vec![detail("", e.body_text())],
    )
}

async fn read_multipart(request: Request) -> Result<CancelInput, ApiError> {
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|rejection| {
            error(
                rejection.status(),
                "the multipart body could not be read",
                vec![detail("", rejection.body_text())],
            )
        })?;
    let mut input = CancelInput::default();
    let mut errors = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err(multipart_error(e)),
        };
        let name = field.name().unwrap_or("").to_owned();
        let single = matches!(
            name.as_str(),
            "contractId" | "amount" | "invoiceTitle" | "invoiceNumber" | "file"
        );
        if single && seen.contains(&name) {
            errors.push(detail(name.clone(), "must be sent once"));
        }
        seen.push(name.clone());
        match name.as_str() {
            "file" => {
                let file_name = field.file_name().map(str::to_owned);
                let content_type = field.content_type().map(str::to_owned);
                // Counted chunk by chunk, never held whole; the rest of an oversized file is
                // still read so that the client receives the answer.
                let mut size: u64 = 0;
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            size =
                                size.saturating_add(u64::try_from(chunk.len()).unwrap_or(u64::MAX))
                        }
                        Ok(None) => break,
                        Err(e) => return Err(multipart_error(e)),
                    }
                }
                if size > MAX_FILE_BYTES {
                    errors.push(detail(
                        "file",
                        format!("the file must be at most {MAX_FILE_BYTES} bytes (got {size})"),
                    ));
                }
                input.file = Some(FileInfo {
                    file_name,
                    content_type,
                    size,
                });
            }
            "contractId" | "itemsOrder" | "amount" | "invoiceTitle" | "invoiceNumber" => {
                let text = field.text().await.map_err(multipart_error)?;
                match name.as_str() {
                    "contractId" => {
                        input.contract_id = Some(text).filter(|id| !id.is_empty());
                    }
                    "itemsOrder" => match text.trim().parse::<i64>() {
                        Ok(i) => input.items_order.push(i),
                        Err(_) => {
                            let k = seen
                                .iter()
                                .filter(|n| *n == "itemsOrder")
                                .count()
                                .saturating_sub(1);
                            errors.push(detail(
                                format!("itemsOrder[{k}]"),
                                format!("is not an integer: {:?}", shorten(&text)),
                            ));
                        }
                    },
                    "amount" => match payspec_runtime::decimal::parse_exact(text.trim()) {
                        Ok(amount) => input.amount = Some(amount),
                        Err(e) => errors.push(detail(
                            "amount",
                            format!("is not a decimal number ({e}): {:?}", shorten(&text)),
                        )),
                    },
                    "invoiceTitle" => input.invoice_title = Some(text),
                    _ => input.invoice_number = Some(text),
                }
            }
            _ => loop {
                // Not a documented field: read and ignored.
                match field.chunk().await {
                    Ok(Some(_)) => {}
                    Ok(None) => break,
                    Err(e) => return Err(multipart_error(e)),
                }
            },
        }
    }
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(invalid(errors))
    }
}

// ---- cancelling ---------------------------------------------------------------------------------

fn cancel(
    shared: &Shared,
    id: &str,
    input: CancelInput,
    at: At,
    via: &'static str,
) -> Result<Response, ApiError> {
    let mut transactions = shared.transactions.lock();
    let tx = transactions.get_mut(id).ok_or_else(|| not_found(id))?;
    let count = tx.checkout.items.len();
    let mut selected: Vec<usize> = Vec::new();
    let mut errors = Vec::new();
    for (k, &position) in input.items_order.iter().enumerate() {
        match usize::try_from(position) {
            Ok(i) if i < count => {
                if !selected.contains(&i) {
                    selected.push(i);
                }
            }
            _ => errors.push(detail(
                format!("itemsOrder[{k}]"),
                format!(
                    "no item at position {position}: the checkout has {count} item(s), counted from 0"
                ),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    if input.items_order.is_empty() {
        selected = (0..count)
            .filter(|&i| tx.refunds.get(i).is_some_and(Option::is_none))
            .collect();
        if selected.is_empty() {
            return Err(already_cancelled(
                "every item of the transaction is already cancelled",
            ));
        }
    } else {
        let already: Vec<String> = selected
            .iter()
            .filter(|&&i| tx.refunds.get(i).is_some_and(Option::is_some))
            .map(usize::to_string)
            .collect();
        if !already.is_empty() {
            return Err(already_cancelled(&format!(
                "already cancelled: item(s) {} (nothing was cancelled)",
                already.join(", ")
            )));
        }
    }

    let paid_at = tx.payment.as_ref().map(|p| p.at.nanos);
    let mut refunds = Vec::with_capacity(selected.len());
    let mut refund_total = Decimal::ZERO;
    for &i in &selected {
        let (Some(item), Some(&total)) = (tx.checkout.items.get(i), tx.totals.get(i)) else {
            continue;
        };
        let (penalty, penalty_index, refund) = match tx.status {
            Status::Pending => (Decimal::ZERO, None, Decimal::ZERO),
            Status::Paid | Status::Cancelled => {
                let applied = applicable_penalty(item, total, paid_at, at.nanos);
                let penalty = applied.map_or(Decimal::ZERO, |(_, p)| p);
                let refund = total
                    .checked_sub(penalty)
                    .unwrap_or(Decimal::ZERO)
                    .max(Decimal::ZERO);
                (penalty, applied.map(|(index, _)| index), refund)
            }
        };
        let record = ItemRefund {
            index: i,
            total,
            penalty,
            penalty_index,
            refund,
            cancelled_at: at.shown,
        };
        refund_total = refund_total.saturating_add(refund);
        if let Some(slot) = tx.refunds.get_mut(i) {
            *slot = Some(record.clone());
        }
        refunds.push(record);
    }
    if tx.refunds.iter().all(Option::is_some) {
        tx.status = Status::Cancelled;
    }
    tx.cancellations.push(Cancellation {
        via,
        at: at.shown,
        items_order: selected,
        refunds,
        refund_total,
        requested_amount: input.amount,
        invoice_title: input.invoice_title,
        invoice_number: input.invoice_number,
        file: input.file,
    });
    let body = CancelResponse {
        error_message: None,
        status: CancelStatus::Success,
    };
    Ok((StatusCode::OK, Json(body)).into_response())
}

fn already_cancelled(message: &str) -> ApiError {
    invalid(vec![detail("itemsOrder", message)])
}

/// The item's total: `total`, else `price × quantity + totalTax`; `None` on overflow.
fn item_total(item: &Item) -> Option<Decimal> {
    if let Some(total) = item.total {
        return Some(total);
    }
    let price = item.price.unwrap_or(Decimal::ZERO);
    let quantity = item
        .quantity
        .as_ref()
        .and_then(|q| q.amount)
        .unwrap_or(Decimal::ONE);
    let net = price.checked_mul(quantity)?;
    match item.total_tax {
        Some(tax) => net.checked_add(tax),
        None => Some(net),
    }
}

/// The penalty that applies to `item` (of total `total`) when cancelled at `now`: its position
/// in the policy's penalties and its amount, or `None` (full refund).
fn applicable_penalty(
    item: &Item,
    total: Decimal,
    paid_at: Option<i128>,
    now: i128,
) -> Option<(usize, Decimal)> {
    let policy = item.cancellation_policy.as_ref()?;
    let reference = match policy.reference {
        CancellationReference::PaymentDate => paid_at,
        CancellationReference::StartPeriod => item
            .period
            .as_ref()
            .and_then(|p| p.start.as_ref())
            .map(instant),
    };
    // (index, amount, until) of the best date penalty, (index, amount) of the best offset one.
    let mut by_date: Option<(usize, Decimal, i128)> = None;
    let mut by_offset: Option<(usize, Decimal)> = None;
    for (index, penalty) in policy.penalties.iter().enumerate() {
        match penalty {
            Penalty::DatePenalty(p) => {
                let until = instant(&p.until);
                if now < until {
                    continue;
                }
                let amount = penalty_amount(&p.value, total);
                let better = by_date
                    .is_none_or(|(_, best, best_until)| (until, amount) > (best_until, best));
                if better {
                    by_date = Some((index, amount, until));
                }
            }
            Penalty::OffsetPenalty(p) => {
                let Some(reference) = reference else {
                    continue;
                };
                if !offset_reached(policy.reference, reference, now, &p.offset) {
                    continue;
                }
                let amount = penalty_amount(&p.value, total);
                if by_offset.is_none_or(|(_, best)| amount > best) {
                    by_offset = Some((index, amount));
                }
            }
        }
    }
    // The spec forbids mixing kinds (checked at creation); were both present, the larger wins.
    match (by_date.map(|(i, a, _)| (i, a)), by_offset) {
        (Some(d), Some(o)) => Some(if o.1 > d.1 { o } else { d }),
        (d, o) => d.or(o),
    }
}

/// The penalty's amount for an item of total `total`, kept between 0 and the total.
fn penalty_amount(value: &CancellationPenaltyValue, total: Decimal) -> Decimal {
    let cap = total.max(Decimal::ZERO);
    let raw = match value.unit {
        PenaltyValueUnit::FixedAmount => Some(value.amount),
        PenaltyValueUnit::Percentage => total
            .checked_mul(value.amount)
            .and_then(|x| x.checked_div(Decimal::ONE_HUNDRED)),
    };
    // A percentage whose product overflows is far above 100 %: the whole total.
    raw.unwrap_or(cap).max(Decimal::ZERO).min(cap)
}

/// Whether the offset penalty applies at `now`: `PAYMENT_DATE`, now ≥ reference + offset;
/// `START_PERIOD`, now ≥ reference − offset.
fn offset_reached(
    kind: CancellationReference,
    reference: i128,
    now: i128,
    offset: &CancellationPenaltyOffset,
) -> bool {
    let unit_seconds: i64 = match offset.unit {
        PenaltyOffsetUnit::Hours => 3_600,
        PenaltyOffsetUnit::Days => 86_400,
        PenaltyOffsetUnit::Months => 30 * 86_400,
    };
    let unit_nanos = Decimal::from(unit_seconds) * Decimal::from(1_000_000_000i64);
    let after_start = kind == CancellationReference::StartPeriod;
    let Some(offset_nanos) = offset.amount.checked_mul(unit_nanos) else {
        // An offset too long for a decimal: reached from the start of time for START_PERIOD
        // (start − ∞), never for PAYMENT_DATE (payment + ∞); the other way round if negative.
        return after_start == offset.amount.is_sign_positive();
    };
    // Both instants lie in years 0000..=9999, so the difference fits a decimal.
    let Ok(elapsed) = Decimal::try_from_i128_with_scale(now - reference, 0) else {
        return false;
    };
    if after_start {
        -elapsed <= offset_nanos
    } else {
        elapsed >= offset_nanos
    }
}

// ---- sandbox-only endpoints ---------------------------------------------------------------------

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PayRequest {
    paid_at: Option<DateTime>,
    provider: Option<String>,
    customer: Option<CheckoutCustomer>,
    beneficiary: Option<CheckoutBeneficiary>,
    billing: Option<CheckoutBilling>,
    #[serde(default)]
    card: Map<String, Value>,
    #[serde(default)]
    reporting: Map<String, Value>,
}

async fn sandbox_pay(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let pay: PayRequest = if body::is_blank(&body) {
        PayRequest::default()
    } else {
        body::typed(&body, "payment")?
    };
    let at = match pay.paid_at {
        Some(paid_at) => At::new(paid_at),
        None => now(&headers)?,
    };
    let mut transactions = shared.transactions.lock();
    let tx = transactions.get_mut(&id).ok_or_else(|| not_found(&id))?;
    if tx.status != Status::Pending {
        return Err(error(
            StatusCode::CONFLICT,
            format!(
                "the transaction is {}: only a PENDING transaction can be paid",
                tx.status.as_str()
            ),
            Vec::new(),
        ));
    }
    tx.status = Status::Paid;
    tx.payment = Some(Payment {
        at,
        reference: shared.ids.next_hex(),
        provider: pay.provider.unwrap_or_else(|| PAYMENT_PROVIDER.to_owned()),
        customer: pay.customer,
        beneficiary: pay.beneficiary,
        billing: pay.billing,
        card: pay.card,
        reporting: pay.reporting,
    });
    Ok((StatusCode::OK, Json(sandbox_view(tx))).into_response())
}

async fn sandbox_state(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let transactions = shared.transactions.lock();
    let tx = transactions.get(&id).ok_or_else(|| not_found(&id))?;
    Ok((StatusCode::OK, Json(sandbox_view(tx))).into_response())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SandboxItem<'a> {
    index: usize,
    name: Option<&'a str>,
    #[serde(with = "payspec_runtime::decimal::number")]
    total: Decimal,
    cancelled: bool,
    #[serde(with = "payspec_runtime::decimal::number_opt")]
    penalty: Option<Decimal>,
    penalty_index: Option<usize>,
    #[serde(with = "payspec_runtime::decimal::number_opt")]
    refund: Option<Decimal>,
    cancelled_at: Option<DateTime>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SandboxTransaction<'a> {
    transaction_id: &'a str,
    status: &'static str,
    paid_at: Option<DateTime>,
    payment_reference: Option<&'a str>,
    currency: &'a str,
    #[serde(with = "payspec_runtime::decimal::number")]
    total: Decimal,
    items: Vec<SandboxItem<'a>>,
    #[serde(with = "payspec_runtime::decimal::number")]
    refund_total: Decimal,
    cancellations: &'a [Cancellation],
    checkout: &'a CorporateCheckout,
}

fn sandbox_view(tx: &Transaction) -> SandboxTransaction<'_> {
    let items = tx
        .checkout
        .items
        .iter()
        .zip(&tx.totals)
        .zip(&tx.refunds)
        .enumerate()
        .map(|(index, ((item, &total), refund))| SandboxItem {
            index,
            name: item.name.as_deref(),
            total,
            cancelled: refund.is_some(),
            penalty: refund.as_ref().map(|r| r.penalty),
            penalty_index: refund.as_ref().and_then(|r| r.penalty_index),
            refund: refund.as_ref().map(|r| r.refund),
            cancelled_at: refund.as_ref().map(|r| r.cancelled_at),
        })
        .collect();
    SandboxTransaction {
        transaction_id: &tx.id,
        status: tx.status.as_str(),
        paid_at: tx.payment.as_ref().map(|p| p.at.shown),
        payment_reference: tx.payment.as_ref().map(|p| p.reference.as_str()),
        currency: &tx.checkout.currency,
        total: tx
            .totals
            .iter()
            .fold(Decimal::ZERO, |sum, t| sum.saturating_add(*t)),
        items,
        refund_total: tx
            .cancellations
            .iter()
            .fold(Decimal::ZERO, |sum, c| sum.saturating_add(c.refund_total)),
        cancellations: &tx.cancellations,
        checkout: &tx.checkout,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> i128 {
        instant(&DateTime::parse(text).expect("date-time"))
    }

    fn dec(text: &str) -> Decimal {
        payspec_runtime::decimal::parse_exact(text).expect("decimal")
    }

    fn offset(amount: &str, unit: PenaltyOffsetUnit) -> CancellationPenaltyOffset {
        CancellationPenaltyOffset {
            amount: dec(amount),
            unit,
        }
    }

    #[test]
    fn instants_read_offsets_and_treat_local_times_as_utc() {
        assert_eq!(at("1970-01-01T00:00:01Z"), NANOS_PER_SECOND);
        assert_eq!(at("1970-01-01T00:00:01"), NANOS_PER_SECOND);
        assert_eq!(at("1970-01-01T01:00:01+01:00"), NANOS_PER_SECOND);
        assert_eq!(at("1970-01-01T00:00:00.5Z"), NANOS_PER_SECOND / 2);
        assert!(at("0000-01-01T00:00:00Z") < 0);
    }

    #[test]
    fn offsets_count_after_payment_and_before_the_start() {
        let reference = at("2024-05-01T00:00:00Z");
        let days = offset("14", PenaltyOffsetUnit::Days);
        let pay = CancellationReference::PaymentDate;
        let start = CancellationReference::StartPeriod;
        assert!(!offset_reached(
            pay,
            reference,
            at("2024-05-14T23:59:59Z"),
            &days
        ));
        assert!(offset_reached(
            pay,
            reference,
            at("2024-05-15T00:00:00Z"),
            &days
        ));
        assert!(!offset_reached(
            start,
            reference,
            at("2024-04-16T23:59:59Z"),
            &days
        ));
        assert!(offset_reached(
            start,
            reference,
            at("2024-04-17T00:00:00Z"),
            &days
        ));
        assert!(offset_reached(
            start,
            reference,
            at("2024-06-01T00:00:00Z"),
            &days
        ));
        let month = offset("1", PenaltyOffsetUnit::Months);
        assert!(!offset_reached(
            pay,
            reference,
            at("2024-05-30T23:00:00Z"),
            &month
        ));
        assert!(offset_reached(
            pay,
            reference,
            at("2024-05-31T00:00:00Z"),
            &month
        ));
        let hours = offset("1.5", PenaltyOffsetUnit::Hours);
        assert!(offset_reached(
            pay,
            reference,
            at("2024-05-01T01:30:00Z"),
            &hours
        ));
        assert!(!offset_reached(
            pay,
            reference,
            at("2024-05-01T01:29:59Z"),
            &hours
        ));
        let huge = offset("79228162514264337593543950335", PenaltyOffsetUnit::Months);
        assert!(!offset_reached(
            pay,
            reference,
            at("9999-01-01T00:00:00Z"),
            &huge
        ));
        assert!(offset_reached(
            start,
            reference,
            at("0001-01-01T00:00:00Z"),
            &huge
        ));
    }

    #[test]
    fn penalties_stay_between_zero_and_the_total() {
        let value = |amount: &str, unit| CancellationPenaltyValue {
            amount: dec(amount),
            unit,
        };
        let fixed = PenaltyValueUnit::FixedAmount;
        let pct = PenaltyValueUnit::Percentage;
        assert_eq!(penalty_amount(&value("50", fixed), dec("200")), dec("50"));
        assert_eq!(penalty_amount(&value("500", fixed), dec("200")), dec("200"));
        assert_eq!(penalty_amount(&value("-5", fixed), dec("200")), dec("0"));
        assert_eq!(
            penalty_amount(&value("25", pct), dec("175.20")),
            dec("43.80")
        );
        assert_eq!(
            penalty_amount(&value("33.3", pct), dec("100.01")),
            dec("33.30333")
        );
        assert_eq!(penalty_amount(&value("150", pct), dec("10")), dec("10"));
        assert_eq!(penalty_amount(&value("10", fixed), dec("-10")), dec("0"));
        let huge = value("79228162514264337593543950335", pct);
        assert_eq!(penalty_amount(&huge, dec("10")), dec("10"));
    }

    #[test]
    fn item_totals() {
        let item: Item = serde_json::from_str(
            r#"{"price": 80.00, "quantity": {"amount": 2}, "totalTax": 15.20}"#,
        )
        .expect("item");
        assert_eq!(item_total(&item), Some(dec("175.20")));
        let item: Item = serde_json::from_str(r#"{"price": 80, "total": 99.99}"#).expect("item");
        assert_eq!(item_total(&item), Some(dec("99.99")));
        let item: Item = serde_json::from_str(r#"{"price": 12.5}"#).expect("item");
        assert_eq!(item_total(&item), Some(dec("12.5")));
        assert_eq!(item_total(&Item::default()), Some(Decimal::ZERO));
        let item: Item = serde_json::from_str(
            r#"{"price": 79228162514264337593543950335, "quantity": {"amount": 2}}"#,
        )
        .expect("item");
        assert_eq!(item_total(&item), None);
    }
}
