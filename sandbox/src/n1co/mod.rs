//! The n1co CheckoutLink simulator: payment links with an expiry, their orders moving
//! `PENDING` → `PAID` / `CANCELLED` / `FINALIZED` through a simulated payer and merchant
//! dashboard, RFC 7807 validation errors, and order-event webhooks POSTed to a configurable URL,
//! signed with `X-H4B-Hmac-Sha256` exactly as the real service signs them. All in memory, served
//! under [`PATH_PREFIX`] like the real servers (`https://api-pay.n1co.shop/api`).
//!
//! Requests and answers are the generated client's types (`payspec_n1co::types`); request bodies
//! are checked against the embedded spec (`specs/n1co/openapi.yaml`, through
//! [`crate::schema::Schemas`]) and then with the same [`Validate`](payspec_n1co::Validate) rules
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
//!   limits ([`Validate`](payspec_n1co::Validate)). Unknown members are ignored; the `Content-Type` is not checked.
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

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post};
use payspec_n1co::webhooks::OrderEventWebhook;

use crate::common::clock::Clock;
use crate::common::simulator::Simulator;
use crate::common::store::Locked;
use crate::{Credentials, Ids, SandboxOptions};

mod errors;
mod handlers;
mod spec;
mod state;
mod webhooks;

use handlers::{
    cancel, create_payment_link, fallback, finalize, get_order, get_webhook, method_not_allowed,
    pay, pay_page, set_webhook, voucher, webhook_log,
};
use state::{Data, Sim};

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

/// The n1co CheckoutLink simulator in the sandbox's registry.
pub(crate) struct N1co;

impl Simulator for N1co {
    fn name(&self) -> &'static str {
        "n1co"
    }

    fn path_prefix(&self) -> &'static str {
        PATH_PREFIX
    }

    fn port(&self, options: &SandboxOptions) -> u16 {
        options.n1co_port
    }

    fn router(&self, ids: Arc<Ids>, options: &SandboxOptions) -> (axum::Router, Credentials) {
        router(ids, options.n1co_webhook_url.clone())
    }
}
