//! The Onecheckout simulator: a merchant account, orders with their status machine and events,
//! cursor-paginated order lists with every documented filter, and the documented rate limits,
//! all in memory, served under [`PATH_PREFIX`] like the real servers.
//!
//! Requests and answers are the generated client's types (`payspec_onecheckout::types`), and
//! request bodies are checked with the same [`Validate`] rules the client applies before
//! sending, so the spec (`specs/onecheckout/openapi.yaml`) drives both sides.
//!
//! # Routes
//!
//! The API of the spec (under [`PATH_PREFIX`]):
//!
//! | Route | Credential |
//! |---|---|
//! | `GET /me`, `POST /me` | `X-API-Key: <api key>` or `Authorization: Bearer <token>` |
//! | `POST /orders`, `POST /orders-list` | `Authorization: Bearer <token>` |
//! | `GET /orders/{id}`, `POST /orders/{id}/capture`, `GET /orders/{id}/events` | `Authorization: Bearer <token>` |
//!
//! Sandbox-only routes (not in the spec; they stand in for the payer and the merchant
//! dashboard):
//!
//! | Route | What it does |
//! |---|---|
//! | `POST /sandbox/orders/{id}/pay` | The payer pays: `OPEN` → `AWAITING_CAPTURE` (`"capture": "manual"`) or `PAID` (`"automatic"`, the default). Optional JSON body `{"capture": "manual" \| "automatic", "method": "paypal" \| "stripe_hosted"}` (method default `stripe_hosted`). Authenticated by the pay link's `?token=<payment_token>` or by a merchant credential (API key or Bearer). This is the `pay` link of every order. |
//! | `POST /sandbox/orders/{id}/refund` | `PAID` → `REFUNDED`. API key or Bearer. |
//! | `POST /sandbox/orders/{id}/cancel` | `OPEN` or `AWAITING_CAPTURE` → `CANCELLED`. API key or Bearer. |
//!
//! # Decisions (where the spec leaves the sandbox a choice)
//!
//! * **Credentials**: the Bearer token [`TEST_TOKEN`] and the API key [`TEST_API_KEY`], both
//!   of the one merchant (`Credentials::id` is its id). No credential the operation accepts →
//!   400 `api_key_required` (an order operation sent with `X-API-Key` only is in that case: the
//!   spec gives the order operations the Bearer token only); a credential that is sent but
//!   wrong → 401 `api_key_invalid`. When `/me` gets both headers, both must be valid.
//! * **Error shapes**: the detailed shape `{"error": {"code", "message", "details"}}` for every
//!   error, except a missing order id (`/orders/`, `/orders//capture`, ...), which answers the
//!   bare shape `{"error": "id_required"}`. `validation_error` lists every field at fault in
//!   `details` (`field` is the JSON path, e.g. `order_lines[0].quantity`; `issue` starts with
//!   it). Missing members and members of the wrong type, found from the embedded spec
//!   ([`crate::schema`]), are reported first; the spec's limits
//!   ([`Validate`]) are checked once the body parses.
//! * **Bodies** are read as JSON whatever their `Content-Type`; unknown members are ignored.
//! * **Extra checks** beyond the spec's limits: the order currency must be one of the
//!   merchant's currencies (`USD`, `EUR`, as in the seed) → 400 `currency_invalid`; the total
//!   must be ≥ 0 and fit a decimal → 400 `amount_invalid`; `success_url`, `cancel_url` and
//!   `webhook_url` must be `http://` or `https://` URLs and `email` must contain an `@` with
//!   text on both sides → 400 `validation_error`.
//! * **Orders**: `amount` = Σ `quantity` × `unit_price` + `tax_amount`, exact. The id (and the
//!   token, event ids, payment ids) come from the sandbox's deterministic [`Ids`]. `name` is
//!   `Order #ORD-0001` (merchant prefix and a per-sandbox counter). `links`: `pay` (the
//!   sandbox pay route above, `?token=` the payment token), `order` (`GET /orders/{id}`),
//!   `success` and `cancel` (the order's URLs, else the merchant's defaults). URLs are built
//!   from the request's `Host` header. `paid` is set when the order becomes `PAID` (automatic
//!   pay or capture); `payment_method`, `payment_gateway`, `gateway_id` and `payment_id` when
//!   the payer pays.
//! * **Events**: creating an order records none; paying with manual capture records
//!   `payment_created` (`PENDING`); paying with automatic capture records `payment_created`
//!   (`PENDING`) then `payment_succeeded` (`COMPLETED`); a capture records
//!   `payment_succeeded` (`COMPLETED`); a refund `order_refunded` and a cancellation
//!   `order_cancelled` (no payment status). Each event carries the order as it was after the
//!   change. Listed oldest first.
//! * **Status errors**: any transition not listed above → 400 `order_status_invalid`, the
//!   order unchanged. An unknown order id → 404 `id_invalid`.
//! * **`POST /me`** changes only the members present (and not `null`), sets `updated` when
//!   something changed, and answers the whole merchant. An empty body is a validation error;
//!   `{}` changes nothing.
//! * **Lists** (`POST /orders-list`): orders in creation order. Time windows are epoch
//!   milliseconds, `from` inclusive and `to` exclusive, matched exactly (not rounded to the
//!   hour); an order without the timestamp (`paid` of an unpaid order) never matches a window
//!   on it; a window whose `from` is not before its `to` matches nothing. `limit` defaults to
//!   [`DEFAULT_LIMIT`]; outside 1..=[`MAX_LIMIT`] → 400 `validation_error`. `anchor` is the id
//!   of the order a page starts at (inclusive, among the orders that match); absent or empty
//!   is the first page; an id of no order → 400 `validation_error` (field `anchor`).
//!   `next_anchor` is the id of the first order of the next page, `""` on the last page;
//!   `anchor` echoes the request's (`""` when absent); `count` is the number of orders that
//!   match the filters, on every page. A `status` this spec does not know → 400
//!   `validation_error`.
//! * **Rate limits**, per credential (the token and the API key each have their own budget),
//!   counted for every request that carries a valid credential, before anything else is
//!   checked: at most [`MAX_IN_FLIGHT`] requests in flight (from the request's arrival to its
//!   answer) and [`REQUESTS_PER_MINUTE`] requests per rolling [`RATE_WINDOW`] (on the real
//!   clock, not `X-Sandbox-Now`). Beyond either: 429 with code [`RATE_LIMITED_CODE`] (a code
//!   the spec's open `ErrorCode` does not list) and `Retry-After` in whole seconds: `1` for
//!   the in-flight limit, the time until the oldest request of the window leaves it for the
//!   per-minute limit. Rejected requests do not count. The pay route used with the pay link's
//!   token (the payer's browser) is not limited.
//! * **Clock**: timestamps are the system clock in epoch milliseconds, or the value of the
//!   sandbox-only header [`NOW_HEADER`] (`X-Sandbox-Now: <epoch ms>`) for that request (an
//!   invalid value → 400 `validation_error`, field `X-Sandbox-Now`).
//! * **Unknown routes** → 404 with code `not_found`; a known route with another method → 405
//!   with code `method_not_allowed` (both outside the spec).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use payspec_onecheckout::types::{
    CreateOrderRequest, ErrorCode, ErrorDetail, ErrorFieldIssue, ErrorResponse, ErrorValue, Event,
    EventType, Link, LinkRel, ListOrdersRequest, ListOrdersResponse, Merchant, MerchantUpdate,
    NewOrderLine, Order, OrderEvents, OrderLine, OrderStatus, PaymentGateway, PaymentMethod,
    PaymentStatus,
};
use payspec_onecheckout::{EpochMillis, SecretString, Validate};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::common::body::{self, BodyFault};
use crate::common::clock::{Clock, ClockFault};
use crate::common::errors::ErrorShape;
use crate::common::headers::{base_url, bearer_token, header_text};
use crate::common::store::Locked;
use crate::schema::Schemas;
use crate::{Credentials, Ids};

/// The API path prefix of the real servers.
pub const PATH_PREFIX: &str = "/api/v1.0";

/// The test Bearer token (`Credentials::secret`).
pub const TEST_TOKEN: &str = "oc_test_token";

/// The test API key (`Credentials::api_key`).
pub const TEST_API_KEY: &str = "oc_test_key";

/// The most requests one credential may have in flight at once (the documented 10).
pub const MAX_IN_FLIGHT: usize = 10;

/// The most requests one credential may make per [`RATE_WINDOW`] (the documented 1000).
pub const REQUESTS_PER_MINUTE: usize = 1000;

/// The rolling window of [`REQUESTS_PER_MINUTE`].
pub const RATE_WINDOW: Duration = Duration::from_secs(60);

/// The error code of a 429 (not in the spec's list; its `ErrorCode` is open).
pub const RATE_LIMITED_CODE: &str = "rate_limit_exceeded";

/// The page size of `POST /orders-list` when the request has no `limit`.
pub const DEFAULT_LIMIT: i32 = 20;

/// The largest `limit` of `POST /orders-list`.
pub const MAX_LIMIT: i32 = 1024;

/// The sandbox-only header that sets "now" for one request (here in epoch milliseconds, the
/// API's own time format).
pub use crate::NOW_HEADER;

/// How the simulator reads [`NOW_HEADER`]: in epoch milliseconds, as the API writes instants.
const CLOCK: Clock = Clock::EpochMillis;

/// The merchant's currencies (the seed's example account).
const CURRENCIES: [&str; 2] = ["USD", "EUR"];

/// ISO 4217 currencies without a minor unit, for `zero_decimal`.
const ZERO_DECIMAL: [&str; 16] = [
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
    "XAF", "XOF", "XPF",
];

/// The simulator's routes and test credentials. `rate_limited`: whether the documented rate
/// limits apply (always, except for load tests of the simulator itself, see
/// [`crate::SandboxOptions::unlimited`]).
pub fn router(ids: Arc<Ids>, rate_limited: bool) -> (axum::Router, Credentials) {
    let limits = Limits {
        max_in_flight: MAX_IN_FLIGHT,
        per_window: REQUESTS_PER_MINUTE,
        window: RATE_WINDOW,
    };
    let merchant_id = ids.next_hex();
    let credentials = Credentials {
        id: merchant_id.clone(),
        secret: TEST_TOKEN.to_owned(),
        api_key: Some(TEST_API_KEY.to_owned()),
        webhook_secret: None,
    };
    let merchant = Merchant {
        id: Some(merchant_id.clone()),
        email: Some("merchant@example.com".to_owned()),
        full_name: Some("Sandbox Merchant".to_owned()),
        phone: Some("+1234567890".to_owned()),
        address: Some("123 Business St, City".to_owned()),
        theme: Some("default".to_owned()),
        order_prefix: Some("ORD-".to_owned()),
        currencies: CURRENCIES.iter().map(|c| (*c).to_owned()).collect(),
        payment_methods: vec![PaymentMethod::Paypal, PaymentMethod::StripeHosted],
        success_url: Some("https://store.example.com/success".to_owned()),
        cancel_url: Some("https://store.example.com/cancel".to_owned()),
        webhook_url: Some("https://store.example.com/webhook".to_owned()),
        created: Some(EpochMillis::now()),
        updated: None,
    };
    let sim = Arc::new(Sim {
        ids,
        merchant_id,
        token_limiter: Arc::new(Limiter::new(limits)),
        key_limiter: Arc::new(Limiter::new(limits)),
        data: Locked::new(Data {
            merchant,
            orders: Vec::new(),
            index: HashMap::new(),
        }),
    });
    let p = |path: &str| format!("{PATH_PREFIX}{path}");
    let router = axum::Router::new()
        .route(&p("/me"), get(get_me).post(update_me))
        .route(&p("/orders"), post(create_order))
        .route(&p("/orders-list"), post(list_orders))
        .route(&p("/orders/{id}"), get(get_order))
        .route(&p("/orders/{id}/capture"), post(capture_order))
        .route(&p("/orders/{id}/events"), get(order_events))
        .route(&p("/sandbox/orders/{id}/pay"), post(pay_order))
        .route(&p("/sandbox/orders/{id}/refund"), post(refund_order))
        .route(&p("/sandbox/orders/{id}/cancel"), post(cancel_order))
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed);
    let router = if rate_limited {
        router.layer(axum::middleware::from_fn_with_state(
            sim.clone(),
            rate_limit,
        ))
    } else {
        router
    };
    (router.with_state(sim), credentials)
}

// ---------------------------------------------------------------------------------------------
// State

struct Sim {
    ids: Arc<Ids>,
    merchant_id: String,
    token_limiter: Arc<Limiter>,
    key_limiter: Arc<Limiter>,
    data: Locked<Data>,
}

struct Data {
    merchant: Merchant,
    /// In creation order.
    orders: Vec<Record>,
    /// Order id → position in `orders`.
    index: HashMap<String, usize>,
}

struct Record {
    order: Order,
    events: Vec<Event>,
}

// ---------------------------------------------------------------------------------------------
// Rate limits

#[derive(Clone, Copy, Debug)]
struct Limits {
    max_in_flight: usize,
    per_window: usize,
    window: Duration,
}

struct Limiter {
    limits: Limits,
    in_flight: AtomicUsize,
    /// When the admitted requests of the current window arrived, oldest first (at most
    /// `per_window` of them).
    recent: Locked<VecDeque<Instant>>,
}

/// A request over a limit: wait this many seconds.
#[derive(Debug, PartialEq, Eq)]
enum Refused {
    InFlight,
    PerWindow(u64),
}

/// One admitted request in flight; dropping it frees the slot.
struct InFlight(Arc<Limiter>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Limiter {
    fn new(limits: Limits) -> Self {
        Limiter {
            limits,
            in_flight: AtomicUsize::new(0),
            recent: Locked::new(VecDeque::new()),
        }
    }

    /// Admits one request arriving at `now`, or says how long to wait. O(1) amortized.
    fn admit(self: &Arc<Self>, now: Instant) -> Result<InFlight, Refused> {
        let before = self.in_flight.fetch_add(1, Ordering::AcqRel);
        // From here on, dropping `slot` gives the slot back, on every path.
        let slot = InFlight(self.clone());
        if before >= self.limits.max_in_flight {
            return Err(Refused::InFlight);
        }
        let mut recent = self.recent.lock();
        while let Some(&oldest) = recent.front() {
            if now.saturating_duration_since(oldest) >= self.limits.window {
                recent.pop_front();
            } else {
                break;
            }
        }
        if recent.len() >= self.limits.per_window {
            let wait = match recent.front() {
                Some(&oldest) => (oldest + self.limits.window).saturating_duration_since(now),
                None => self.limits.window,
            };
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return Err(Refused::PerWindow(secs.max(1)));
        }
        recent.push_back(now);
        Ok(slot)
    }
}

/// Counts every request that carries a valid credential against that credential's limits.
async fn rate_limit(State(sim): State<Arc<Sim>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let limiter = if bearer_token(headers) == Some(TEST_TOKEN) {
        Some(&sim.token_limiter)
    } else if header_text(headers, "x-api-key") == Some(TEST_API_KEY) {
        Some(&sim.key_limiter)
    } else {
        None
    };
    let _slot = match limiter.map(|l| l.admit(Instant::now())) {
        None => None,
        Some(Ok(slot)) => Some(slot),
        Some(Err(refused)) => return too_many_requests(refused),
    };
    next.run(request).await
}

fn too_many_requests(refused: Refused) -> Response {
    let (secs, message) = match refused {
        Refused::InFlight => (
            1,
            format!("Too many simultaneous requests: at most {MAX_IN_FLIGHT} per API key."),
        ),
        Refused::PerWindow(secs) => (
            secs,
            format!("Too many requests: at most {REQUESTS_PER_MINUTE} per minute per API key."),
        ),
    };
    let mut response = detailed_response(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::from(RATE_LIMITED_CODE),
        message,
        Vec::new(),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    response
}

// ---------------------------------------------------------------------------------------------
// Errors

/// Onecheckout's error shape: `{"error": {"code", "message", "details"}}`, or the bare
/// `{"error": "<code>"}`.
pub(crate) enum Shape {}

type Refusal = crate::common::errors::Refusal<Shape>;
type Answer<T> = Result<T, Refusal>;

fn detailed(
    status: StatusCode,
    code: ErrorCode,
    message: impl Into<String>,
    details: Vec<ErrorFieldIssue>,
) -> Refusal {
    Refusal::new(detailed_response(status, code, message, details))
}

fn detailed_response(
    status: StatusCode,
    code: ErrorCode,
    message: impl Into<String>,
    details: Vec<ErrorFieldIssue>,
) -> Response {
    let body = ErrorResponse {
        error: ErrorValue::Detail(ErrorDetail {
            code,
            message: Some(message.into()),
            details,
        }),
    };
    (status, Json(body)).into_response()
}

fn bare(status: StatusCode, code: ErrorCode) -> Response {
    let body = ErrorResponse {
        error: ErrorValue::Code(code),
    };
    (status, Json(body)).into_response()
}

fn issue(field: &str, message: &str) -> ErrorFieldIssue {
    ErrorFieldIssue {
        field: Some(field.to_owned()),
        issue: Some(if field.is_empty() {
            message.to_owned()
        } else {
            format!("{field} {message}")
        }),
    }
}

fn validation_error(details: Vec<ErrorFieldIssue>) -> Refusal {
    detailed(
        StatusCode::BAD_REQUEST,
        ErrorCode::ValidationError,
        "The request body contains invalid data.",
        details,
    )
}

fn id_invalid(id: &str) -> Refusal {
    detailed(
        StatusCode::NOT_FOUND,
        ErrorCode::IdInvalid,
        format!("No order has the id {id:?}."),
        Vec::new(),
    )
}

fn status_invalid(status: &OrderStatus, operation: &str) -> Refusal {
    detailed(
        StatusCode::BAD_REQUEST,
        ErrorCode::OrderStatusInvalid,
        format!(
            "The operation is not permitted for the order's current status: cannot {operation} \
             an order in status {status}."
        ),
        Vec::new(),
    )
}

impl ErrorShape for Shape {
    fn clock_fault(_: ClockFault) -> Response {
        validation_error(vec![issue(
            "X-Sandbox-Now",
            "must be an integer number of milliseconds since the Unix epoch",
        )])
        .into_response()
    }

    fn body_fault(fault: BodyFault) -> Response {
        let issues = match fault {
            BodyFault::Missing => vec![issue("body", "is required: a JSON object")],
            BodyFault::NotJson(e) => vec![issue("body", &format!("is not valid JSON: {e}"))],
            BodyFault::NotObject => vec![issue("body", "must be a JSON object")],
            BodyFault::Members(problems) => problems
                .iter()
                .map(|(path, problem)| issue(path, problem))
                .collect(),
            BodyFault::NotA { error, .. } => vec![issue("body", &format!("is invalid: {error}"))],
            BodyFault::Rules { error, .. } => error
                .violations
                .iter()
                .map(|v| issue(&v.path, &v.message))
                .collect(),
        };
        validation_error(issues).into_response()
    }
}

// ---------------------------------------------------------------------------------------------
// Authentication and the sandbox clock

#[derive(Clone, Copy, PartialEq, Eq)]
enum Accept {
    /// `Authorization: Bearer <token>` only (the order operations).
    Bearer,
    /// `X-API-Key` or `Authorization: Bearer` (`/me`, the sandbox dashboard routes).
    KeyOrBearer,
}

fn authenticate(headers: &HeaderMap, accept: Accept) -> Answer<()> {
    // Sent and not blank, even if it is not text (then it is an invalid credential).
    let sent = |name: &str| {
        headers
            .get(name)
            .is_some_and(|v| !v.as_bytes().trim_ascii().is_empty())
    };
    let authorization = sent(header::AUTHORIZATION.as_str());
    let key = sent("x-api-key");
    let invalid = || {
        detailed(
            StatusCode::UNAUTHORIZED,
            ErrorCode::ApiKeyInvalid,
            "The provided API key is invalid or expired.",
            Vec::new(),
        )
    };
    if authorization && bearer_token(headers) != Some(TEST_TOKEN) {
        return Err(invalid());
    }
    match accept {
        Accept::Bearer => {
            if !authorization {
                return Err(detailed(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::ApiKeyRequired,
                    "The API key was not provided: this operation needs \
                     `Authorization: Bearer <token>` (X-API-Key is not accepted here).",
                    Vec::new(),
                ));
            }
        }
        Accept::KeyOrBearer => {
            if key && header_text(headers, "x-api-key") != Some(TEST_API_KEY) {
                return Err(invalid());
            }
            if !authorization && !key {
                return Err(detailed(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::ApiKeyRequired,
                    "The API key was not provided: send `X-API-Key: <api key>` or \
                     `Authorization: Bearer <token>`.",
                    Vec::new(),
                ));
            }
        }
    }
    Ok(())
}

/// "Now" for this request: `X-Sandbox-Now` when sent, else the system clock.
fn now(headers: &HeaderMap) -> Answer<EpochMillis> {
    Ok(EpochMillis::from_millis(CLOCK.now_millis(headers)?))
}

// ---------------------------------------------------------------------------------------------
// Request bodies

/// The spec's component schemas, for the checks of request bodies.
static SCHEMAS: std::sync::LazyLock<Schemas> = std::sync::LazyLock::new(|| {
    Schemas::from_yaml(include_str!("../../specs/onecheckout/openapi.yaml"))
        .expect("the embedded Onecheckout spec parses (a test checks it)")
});

/// Parses a JSON object body into `T` as the spec's `schema`, every fault reported as a
/// `validation_error` naming its field, then checks the spec's limits ([`Validate`]). An
/// empty body is `{}` when `empty_is_object`.
fn parse_body<T>(body: &Bytes, schema: &'static str, empty_is_object: bool) -> Answer<T>
where
    T: serde::de::DeserializeOwned + Validate,
{
    Ok(body::checked(body, &SCHEMAS, schema, empty_is_object)?)
}

fn is_http_url(url: &str) -> bool {
    ["http://", "https://"].iter().any(|scheme| {
        url.get(..scheme.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
            && url.len() > scheme.len()
    })
}

fn check_url(field: &str, url: Option<&String>, issues: &mut Vec<ErrorFieldIssue>) {
    if url.is_some_and(|url| !is_http_url(url)) {
        issues.push(issue(field, "must be an http:// or https:// URL"));
    }
}

// ---------------------------------------------------------------------------------------------
// Account

async fn get_me(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Answer<Json<Merchant>> {
    authenticate(&headers, Accept::KeyOrBearer)?;
    Ok(Json(sim.data.lock().merchant.clone()))
}

async fn update_me(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<Json<Merchant>> {
    authenticate(&headers, Accept::KeyOrBearer)?;
    let now = now(&headers)?;
    let update: MerchantUpdate = parse_body(&body, "MerchantUpdate", false)?;
    let mut issues = Vec::new();
    if let Some(email) = &update.email {
        let valid = email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.trim().is_empty() && !domain.trim().is_empty());
        if !valid {
            issues.push(issue("email", "is invalid"));
        }
    }
    check_url("webhook_url", update.webhook_url.as_ref(), &mut issues);
    check_url("success_url", update.success_url.as_ref(), &mut issues);
    check_url("cancel_url", update.cancel_url.as_ref(), &mut issues);
    if !issues.is_empty() {
        return Err(validation_error(issues));
    }
    let mut data = sim.data.lock();
    let m = &mut data.merchant;
    let mut changed = false;
    for (target, value) in [
        (&mut m.email, update.email),
        (&mut m.full_name, update.full_name),
        (&mut m.phone, update.phone),
        (&mut m.address, update.address),
        (&mut m.webhook_url, update.webhook_url),
        (&mut m.success_url, update.success_url),
        (&mut m.cancel_url, update.cancel_url),
    ] {
        if let Some(value) = value {
            *target = Some(value);
            changed = true;
        }
    }
    if changed {
        m.updated = Some(now);
    }
    Ok(Json(m.clone()))
}

// ---------------------------------------------------------------------------------------------
// Orders

fn to_order_line(line: NewOrderLine) -> OrderLine {
    OrderLine {
        compared_price: line.compared_price,
        image_url: line.image_url,
        key: line.key,
        properties: line.properties,
        quantity: Some(line.quantity),
        title: Some(line.title),
        unit_price: Some(line.unit_price),
    }
}

/// Σ quantity × unit_price + tax, exact; `None` on overflow.
fn total(request: &CreateOrderRequest) -> Option<Decimal> {
    let mut sum = request.tax_amount.unwrap_or(Decimal::ZERO);
    for line in &request.order_lines {
        sum = sum.checked_add(line.quantity.checked_mul(line.unit_price)?)?;
    }
    Some(sum)
}

async fn create_order(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<Json<Order>> {
    authenticate(&headers, Accept::Bearer)?;
    let now = now(&headers)?;
    let request: CreateOrderRequest = parse_body(&body, "CreateOrderRequest", false)?;
    let mut issues = Vec::new();
    check_url("success_url", request.success_url.as_ref(), &mut issues);
    check_url("cancel_url", request.cancel_url.as_ref(), &mut issues);
    if !issues.is_empty() {
        return Err(validation_error(issues));
    }
    if !CURRENCIES.contains(&request.currency.as_str()) {
        return Err(detailed(
            StatusCode::BAD_REQUEST,
            ErrorCode::CurrencyInvalid,
            format!(
                "The currency {:?} is not enabled for this merchant (enabled: {}).",
                request.currency,
                CURRENCIES.join(", ")
            ),
            vec![issue("currency", "is not enabled for this merchant")],
        ));
    }
    let amount = match total(&request) {
        Some(amount) if amount >= Decimal::ZERO => amount,
        Some(_) => {
            return Err(detailed(
                StatusCode::BAD_REQUEST,
                ErrorCode::AmountInvalid,
                "The amount of the order is negative.",
                vec![issue("amount", "must not be negative")],
            ));
        }
        None => {
            return Err(detailed(
                StatusCode::BAD_REQUEST,
                ErrorCode::AmountInvalid,
                "The amount of the order is too large.",
                vec![issue("amount", "is too large")],
            ));
        }
    };

    let id = sim.ids.next_hex();
    let token = format!("tok_{}", sim.ids.next_hex());
    let base = base_url(&headers, PATH_PREFIX);
    let mut data = sim.data.lock();
    let prefix = data.merchant.order_prefix.clone().unwrap_or_default();
    let number = data.orders.len() + 1;
    let mut links = vec![
        Link {
            href: format!("{base}/sandbox/orders/{id}/pay?token={token}"),
            rel: LinkRel::Pay,
        },
        Link {
            href: format!("{base}/orders/{id}"),
            rel: LinkRel::Order,
        },
    ];
    let success = request
        .success_url
        .clone()
        .or_else(|| data.merchant.success_url.clone());
    let cancel = request
        .cancel_url
        .clone()
        .or_else(|| data.merchant.cancel_url.clone());
    if let Some(href) = success {
        links.push(Link {
            href,
            rel: LinkRel::Success,
        });
    }
    if let Some(href) = cancel {
        links.push(Link {
            href,
            rel: LinkRel::Cancel,
        });
    }
    let order = Order {
        id: id.clone(),
        name: Some(format!("Order #{prefix}{number:04}")),
        payment_token: Some(SecretString::new(token)),
        status: OrderStatus::Open,
        zero_decimal: Some(ZERO_DECIMAL.contains(&request.currency.as_str())),
        currency: Some(request.currency),
        amount: Some(amount),
        tax_amount: request.tax_amount,
        order_lines: request.order_lines.into_iter().map(to_order_line).collect(),
        reference_id: request.reference_id,
        payment_method: None,
        payment_gateway: None,
        gateway_id: None,
        payment_id: None,
        merchant_id: Some(sim.merchant_id.clone()),
        created: Some(now),
        updated: Some(now),
        paid: None,
        shipping: None,
        links,
    };
    let position = data.orders.len();
    data.index.insert(id, position);
    data.orders.push(Record {
        order: order.clone(),
        events: Vec::new(),
    });
    Ok(Json(order))
}

/// The `{id}` of a route: an empty one answers `id_required` (bare shape), one that does
/// not decode `id_invalid`.
fn order_id(path: Result<Path<String>, PathRejection>) -> Answer<String> {
    match path {
        Ok(Path(id)) if id.is_empty() => Err(Refusal::new(bare(
            StatusCode::BAD_REQUEST,
            ErrorCode::IdRequired,
        ))),
        Ok(Path(id)) => Ok(id),
        Err(_) => Err(id_invalid("(undecodable)")),
    }
}

async fn get_order(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Answer<Json<Order>> {
    authenticate(&headers, Accept::Bearer)?;
    let id = order_id(path)?;
    let data = sim.data.lock();
    let record = data
        .index
        .get(&id)
        .and_then(|&i| data.orders.get(i))
        .ok_or_else(|| id_invalid(&id))?;
    Ok(Json(record.order.clone()))
}

async fn order_events(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Answer<Json<OrderEvents>> {
    authenticate(&headers, Accept::Bearer)?;
    let id = order_id(path)?;
    let data = sim.data.lock();
    let record = data
        .index
        .get(&id)
        .and_then(|&i| data.orders.get(i))
        .ok_or_else(|| id_invalid(&id))?;
    Ok(Json(OrderEvents {
        events: record.events.clone(),
    }))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CaptureMode {
    Manual,
    Automatic,
}

enum Action {
    Pay {
        capture: CaptureMode,
        method: PaymentMethod,
    },
    Capture,
    Refund,
    Cancel,
}

/// Applies `action` to the order `id` at `now`, recording its events; answers the order.
fn transition(sim: &Sim, id: &str, action: Action, now: EpochMillis) -> Answer<Order> {
    let mut data = sim.data.lock();
    let index = data.index.get(id).copied().ok_or_else(|| id_invalid(id))?;
    let record = data.orders.get_mut(index).ok_or_else(|| id_invalid(id))?;
    let order = &mut record.order;
    let mut events: Vec<(&str, Option<PaymentStatus>)> = Vec::new();
    match action {
        Action::Pay { capture, method } => {
            if order.status != OrderStatus::Open {
                return Err(status_invalid(&order.status, "pay"));
            }
            let (gateway, gateway_id, payment_id) = match method {
                PaymentMethod::Paypal => (
                    PaymentGateway::Paypal,
                    "gateway_paypal_sandbox",
                    format!("PAYID-{}", sim.ids.next_hex().to_ascii_uppercase()),
                ),
                _ => (
                    PaymentGateway::Stripe,
                    "gateway_stripe_sandbox",
                    format!("pi_{}", sim.ids.next_hex()),
                ),
            };
            order.payment_method = Some(method);
            order.payment_gateway = Some(gateway);
            order.gateway_id = Some(gateway_id.to_owned());
            order.payment_id = Some(payment_id);
            events.push(("payment_created", Some(PaymentStatus::Pending)));
            match capture {
                CaptureMode::Manual => order.status = OrderStatus::AwaitingCapture,
                CaptureMode::Automatic => {
                    order.status = OrderStatus::Paid;
                    order.paid = Some(now);
                    events.push(("payment_succeeded", Some(PaymentStatus::Completed)));
                }
            }
        }
        Action::Capture => {
            if order.status != OrderStatus::AwaitingCapture {
                return Err(status_invalid(&order.status, "capture"));
            }
            order.status = OrderStatus::Paid;
            order.paid = Some(now);
            events.push(("payment_succeeded", Some(PaymentStatus::Completed)));
        }
        Action::Refund => {
            if order.status != OrderStatus::Paid {
                return Err(status_invalid(&order.status, "refund"));
            }
            order.status = OrderStatus::Refunded;
            events.push(("order_refunded", None));
        }
        Action::Cancel => {
            if !matches!(
                order.status,
                OrderStatus::Open | OrderStatus::AwaitingCapture
            ) {
                return Err(status_invalid(&order.status, "cancel"));
            }
            order.status = OrderStatus::Cancelled;
            events.push(("order_cancelled", None));
        }
    }
    order.updated = Some(now);
    let snapshot = order.clone();
    for (kind, payment_status) in events {
        record.events.push(Event {
            id: sim.ids.next_hex(),
            order_id: Some(snapshot.id.clone()),
            type_: EventType::from(kind),
            merchant_id: Some(sim.merchant_id.clone()),
            created: Some(now),
            error: None,
            order: Some(snapshot.clone()),
            payment_status,
        });
    }
    Ok(snapshot)
}

async fn capture_order(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Answer<Json<Order>> {
    authenticate(&headers, Accept::Bearer)?;
    let now = now(&headers)?;
    let id = order_id(path)?;
    transition(&sim, &id, Action::Capture, now).map(Json)
}

/// The value of `name` in a query string (not percent-decoded: the tokens are hex).
fn query_param<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

async fn pay_order(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Answer<Json<Order>> {
    let id = order_id(path)?;
    match query_param(query.as_deref(), "token") {
        Some(token) => {
            let data = sim.data.lock();
            let record = data
                .index
                .get(&id)
                .and_then(|&i| data.orders.get(i))
                .ok_or_else(|| id_invalid(&id))?;
            let expected = record
                .order
                .payment_token
                .as_ref()
                .map(|t| t.expose().as_str());
            if expected != Some(token) {
                return Err(detailed(
                    StatusCode::UNAUTHORIZED,
                    ErrorCode::ApiKeyInvalid,
                    "The payment token does not belong to this order.",
                    Vec::new(),
                ));
            }
        }
        None => authenticate(&headers, Accept::KeyOrBearer)?,
    }
    let now = now(&headers)?;
    let (capture, method) = pay_options(&body)?;
    transition(&sim, &id, Action::Pay { capture, method }, now).map(Json)
}

/// The optional body of the pay route: `{"capture": "manual"|"automatic", "method":
/// "paypal"|"stripe_hosted"}`.
fn pay_options(body: &Bytes) -> Answer<(CaptureMode, PaymentMethod)> {
    let mut capture = CaptureMode::Automatic;
    let mut method = PaymentMethod::StripeHosted;
    let object = body::object(body)?;
    let mut issues = Vec::new();
    match object.get("capture") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s == "manual" => capture = CaptureMode::Manual,
        Some(Value::String(s)) if s == "automatic" => capture = CaptureMode::Automatic,
        Some(_) => issues.push(issue("capture", "must be \"manual\" or \"automatic\"")),
    }
    match object.get("method") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if PaymentMethod::from(s.as_str()).is_known() => {
            method = PaymentMethod::from(s.as_str());
        }
        Some(_) => issues.push(issue("method", "must be \"paypal\" or \"stripe_hosted\"")),
    }
    if issues.is_empty() {
        Ok((capture, method))
    } else {
        Err(validation_error(issues))
    }
}

async fn refund_order(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Answer<Json<Order>> {
    authenticate(&headers, Accept::KeyOrBearer)?;
    let now = now(&headers)?;
    let id = order_id(path)?;
    transition(&sim, &id, Action::Refund, now).map(Json)
}

async fn cancel_order(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Answer<Json<Order>> {
    authenticate(&headers, Accept::KeyOrBearer)?;
    let now = now(&headers)?;
    let id = order_id(path)?;
    transition(&sim, &id, Action::Cancel, now).map(Json)
}

// ---------------------------------------------------------------------------------------------
// Lists

/// Whether `value` lies in `[from, to)`; no bound given matches everything.
fn in_window(
    value: Option<EpochMillis>,
    from: Option<EpochMillis>,
    to: Option<EpochMillis>,
) -> bool {
    if from.is_none() && to.is_none() {
        return true;
    }
    let Some(value) = value else {
        return false;
    };
    from.is_none_or(|from| value >= from) && to.is_none_or(|to| value < to)
}

fn matches(order: &Order, filter: &ListOrdersRequest) -> bool {
    filter.status.as_ref().is_none_or(|s| *s == order.status)
        && in_window(
            order.created,
            filter.created_hour_from,
            filter.created_hour_to,
        )
        && in_window(
            order.updated,
            filter.updated_hour_from,
            filter.updated_hour_to,
        )
        && in_window(order.paid, filter.paid_hour_from, filter.paid_hour_to)
}

async fn list_orders(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<Json<ListOrdersResponse>> {
    authenticate(&headers, Accept::Bearer)?;
    let request: ListOrdersRequest = parse_body(&body, "ListOrdersRequest", true)?;
    let limit = request.limit.unwrap_or(DEFAULT_LIMIT);
    // Validate checked 1..=MAX_LIMIT.
    let page_size = usize::try_from(limit).unwrap_or(1).max(1);
    let anchor = request.anchor.clone().unwrap_or_default();
    let data = sim.data.lock();
    let start = if anchor.is_empty() {
        0
    } else {
        data.index.get(&anchor).copied().ok_or_else(|| {
            validation_error(vec![issue(
                "anchor",
                "is not the id of an order (send the `next_anchor` of a previous page)",
            )])
        })?
    };
    let count = data
        .orders
        .iter()
        .filter(|r| matches(&r.order, &request))
        .count();
    let mut page = data
        .orders
        .iter()
        .skip(start)
        .filter(|r| matches(&r.order, &request));
    let orders: Vec<Order> = page
        .by_ref()
        .take(page_size)
        .map(|r| r.order.clone())
        .collect();
    let next_anchor = page.next().map(|r| r.order.id.clone()).unwrap_or_default();
    Ok(Json(ListOrdersResponse {
        anchor: Some(anchor),
        limit: Some(limit),
        count: Some(i64::try_from(count).unwrap_or(i64::MAX)),
        next_anchor: Some(next_anchor),
        orders,
    }))
}

// ---------------------------------------------------------------------------------------------
// Fallbacks

async fn fallback(headers: HeaderMap, method: Method, uri: Uri) -> Response {
    let path = uri.path();
    let rest = path.strip_prefix(PATH_PREFIX).unwrap_or("");
    let missing_id = match rest {
        "/orders/" | "/orders//capture" | "/orders//events" => Some(Accept::Bearer),
        "/sandbox/orders//pay" | "/sandbox/orders//refund" | "/sandbox/orders//cancel" => {
            Some(Accept::KeyOrBearer)
        }
        _ => None,
    };
    if let Some(accept) = missing_id {
        if let Err(refusal) = authenticate(&headers, accept) {
            return refusal.into_response();
        }
        return bare(StatusCode::BAD_REQUEST, ErrorCode::IdRequired);
    }
    detailed_response(
        StatusCode::NOT_FOUND,
        ErrorCode::from("not_found"),
        format!("No such endpoint: {method} {path}"),
        Vec::new(),
    )
}

async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    detailed_response(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::from("method_not_allowed"),
        format!("{} does not accept {method}.", uri.path()),
        Vec::new(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_spec_drives_the_member_checks() {
        let problems = SCHEMAS.check(
            "CreateOrderRequest",
            &serde_json::json!({"tax_amount": "x"}),
        );
        let paths: Vec<&str> = problems.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["currency", "order_lines", "tax_amount"]);
    }

    fn limiter(max_in_flight: usize, per_window: usize) -> Arc<Limiter> {
        Arc::new(Limiter::new(Limits {
            max_in_flight,
            per_window,
            window: Duration::from_secs(60),
        }))
    }

    #[test]
    fn in_flight_limit_frees_slots_on_drop() {
        let l = limiter(MAX_IN_FLIGHT, 1000);
        let now = Instant::now();
        let held: Vec<InFlight> = (0..MAX_IN_FLIGHT)
            .map(|_| l.admit(now).map_err(|_| ()).expect("admitted"))
            .collect();
        assert_eq!(l.admit(now).err(), Some(Refused::InFlight));
        assert_eq!(l.in_flight.load(Ordering::Acquire), MAX_IN_FLIGHT);
        drop(held);
        assert_eq!(l.in_flight.load(Ordering::Acquire), 0);
        assert!(l.admit(now).is_ok());
    }

    #[test]
    fn rolling_window_refuses_with_the_wait_until_a_slot_frees() {
        let l = limiter(100, 3);
        let t0 = Instant::now();
        for i in 0..3 {
            assert!(l.admit(t0 + Duration::from_secs(i * 10)).is_ok());
        }
        // The oldest (t0) leaves the window at t0 + 60 s: 35 s from t0 + 25 s.
        assert_eq!(
            l.admit(t0 + Duration::from_secs(25)).err(),
            Some(Refused::PerWindow(35))
        );
        // Rounded up, never 0.
        assert_eq!(
            l.admit(t0 + Duration::from_millis(59_999)).err(),
            Some(Refused::PerWindow(1))
        );
        assert!(l.admit(t0 + Duration::from_secs(60)).is_ok());
        // A refused request does not count.
        assert_eq!(l.recent.lock().len(), 3);
    }

    #[test]
    fn windows_are_inclusive_from_and_exclusive_to() {
        let t = |ms| Some(EpochMillis::from_millis(ms));
        assert!(in_window(t(10), t(10), t(20)));
        assert!(!in_window(t(20), t(10), t(20)));
        assert!(in_window(t(19), None, t(20)));
        assert!(!in_window(None, t(0), None));
        assert!(in_window(None, None, None));
        assert!(!in_window(t(15), t(20), t(10)));
    }

    #[test]
    fn body_faults_name_their_fields() {
        let body = Bytes::from_static(
            br#"{"currency": 5, "order_lines": [{"title": "T", "quantity": "x"}, 3]}"#,
        );
        let Err(refusal) = parse_body::<CreateOrderRequest>(&body, "CreateOrderRequest", false)
        else {
            panic!("accepted");
        };
        assert_eq!(refusal.status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn totals_are_exact_and_overflow_is_caught() {
        let request: CreateOrderRequest = serde_json::from_str(
            r#"{"currency": "USD", "tax_amount": 0.2,
                "order_lines": [{"title": "a", "quantity": 3, "unit_price": 0.1}]}"#,
        )
        .expect("parses");
        assert_eq!(total(&request), Some(Decimal::new(5, 1)));
        let huge: CreateOrderRequest = serde_json::from_str(
            r#"{"currency": "USD", "order_lines": [
                {"title": "a", "quantity": 79228162514264337593543950335, "unit_price": 2}]}"#,
        )
        .expect("parses");
        assert_eq!(total(&huge), None);
    }

    #[test]
    fn query_params_and_urls() {
        assert_eq!(query_param(Some("a=1&token=abc"), "token"), Some("abc"));
        assert_eq!(query_param(Some("tokenx=1"), "token"), None);
        assert_eq!(query_param(None, "token"), None);
        assert!(is_http_url("https://x"));
        assert!(!is_http_url("https://"));
        assert!(!is_http_url("ftp://x"));
        assert!(!is_http_url("é"));
    }
}
