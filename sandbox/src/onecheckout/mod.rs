//! The Onecheckout simulator: a merchant account, orders with their status machine and events,
//! cursor-paginated order lists with every documented filter, and the documented rate limits,
//! all in memory, served under [`PATH_PREFIX`] like the real servers.
//!
//! Requests and answers are the generated client's types (`payspec_onecheckout::types`), and
//! request bodies are checked with the same [`Validate`](payspec_onecheckout::Validate) rules the client applies before
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
//!   ([`Validate`](payspec_onecheckout::Validate)) are checked once the body parses.
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

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post};
use payspec_onecheckout::EpochMillis;
use payspec_onecheckout::types::{Merchant, PaymentMethod};

use crate::common::clock::Clock;
use crate::common::simulator::Simulator;
use crate::common::store::Locked;
use crate::{Credentials, Ids, SandboxOptions};

mod auth;
mod errors;
mod handlers;
mod limits;
mod state;

use handlers::{
    cancel_order, capture_order, create_order, fallback, get_me, get_order, list_orders,
    method_not_allowed, order_events, pay_order, rate_limit, refund_order, update_me,
};
use limits::{Limiter, Limits};
use state::{Data, Sim};

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
    let merchant = Merchant::new()
        .with_id(merchant_id.clone())
        .with_email("merchant@example.com")
        .with_full_name("Sandbox Merchant")
        .with_phone("+1234567890")
        .with_address("123 Business St, City")
        .with_theme("default")
        .with_order_prefix("ORD-")
        .with_currencies(
            CURRENCIES
                .iter()
                .map(|c| (*c).to_owned())
                .collect::<Vec<_>>(),
        )
        .with_payment_methods(vec![PaymentMethod::Paypal, PaymentMethod::StripeHosted])
        .with_success_url("https://store.example.com/success")
        .with_cancel_url("https://store.example.com/cancel")
        .with_webhook_url("https://store.example.com/webhook")
        .with_created(EpochMillis::now());
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

/// The Onecheckout simulator in the sandbox's registry.
pub(crate) struct Onecheckout;

impl Simulator for Onecheckout {
    fn name(&self) -> &'static str {
        "onecheckout"
    }

    fn path_prefix(&self) -> &'static str {
        PATH_PREFIX
    }

    fn port(&self, options: &SandboxOptions) -> u16 {
        options.onecheckout_port
    }

    fn router(&self, ids: Arc<Ids>, options: &SandboxOptions) -> (axum::Router, Credentials) {
        router(ids, !options.unlimited)
    }
}
