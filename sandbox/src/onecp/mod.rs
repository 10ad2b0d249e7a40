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

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, patch, post};

use crate::common::body::MAX_BODY_BYTES;
use crate::common::clock::Clock;
use crate::common::simulator::Simulator;
use crate::common::store::Locked;
use crate::{Credentials, Ids, SandboxOptions};

mod cancel;
mod errors;
mod handlers;
mod refunds;
mod state;

use handlers::{
    cancel_contract, cancel_transaction, get_status, get_transaction_status, initialize,
    require_basic_auth, sandbox_pay, sandbox_state,
};
use state::Shared;

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
    // Other bodies are capped at MAX_JSON_BYTES, the sandbox's limit for every simulator.
    let router = api.merge(sandbox).with_state(shared);
    let credentials = Credentials {
        id: CLIENT_ID.to_owned(),
        secret: CLIENT_SECRET.to_owned(),
        api_key: None,
        webhook_secret: None,
    };
    (router, credentials)
}

/// The 1-CP Corporate Checkout simulator in the sandbox's registry.
pub(crate) struct Onecp;

impl Simulator for Onecp {
    fn name(&self) -> &'static str {
        "onecp"
    }

    fn port(&self, options: &SandboxOptions) -> u16 {
        options.onecp_port
    }

    fn router(&self, ids: Arc<Ids>, _options: &SandboxOptions) -> (axum::Router, Credentials) {
        router(ids)
    }
}
