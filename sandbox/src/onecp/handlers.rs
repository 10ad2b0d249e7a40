//! The 1-CP simulator's axum handlers: authentication, the operations of the spec and the
//! sandbox-only endpoints.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use payspec_onecp::types::{
    ApiStatus, CheckoutBeneficiary, CheckoutBilling, CheckoutCustomer, CheckoutPayment,
    CorporateCheckout, StatusResponse, TransactionCheckout, TransactionCreated,
    TransactionStatusResponse,
};
use payspec_runtime::{DateTime, EpochMillis};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::common::body;

use super::cancel::{cancel, read_cancel};
use super::errors::{ApiError, detail, error, invalid, not_found, shorten};
use super::refunds::item_total;
use super::state::{At, Payment, Shared, Status, Transaction, sandbox_view};
use super::{CLIENT_ID, CLIENT_SECRET, CLOCK, PAYMENT_PROVIDER};

// ---- authentication -----------------------------------------------------------------------------

pub(super) async fn require_basic_auth(request: Request, next: Next) -> Response {
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

pub(super) fn authorized(headers: &HeaderMap) -> bool {
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
pub(super) fn now(headers: &HeaderMap) -> Result<At, ApiError> {
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

pub(super) async fn get_status(State(shared): State<Arc<Shared>>) -> Response {
    let body = StatusResponse::new(ApiStatus::Ready).with_provider(shared.provider.clone());
    (StatusCode::CREATED, Json(body)).into_response()
}

pub(super) async fn initialize(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> Result<Response, ApiError> {
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
    let body = TransactionCreated::new(id);
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

pub(super) async fn get_transaction_status(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let transactions = shared.transactions.lock();
    let tx = transactions.get(&id).ok_or_else(|| not_found(&id))?;
    let mut checkout = TransactionCheckout::new().with_reference(tx.id.clone());
    if let Some(p) = &tx.payment {
        checkout.payment = Some(
            CheckoutPayment::new()
                .with_provider(p.provider.clone())
                .with_reference(p.reference.clone()),
        );
        checkout.customer = p.customer.clone();
        checkout.beneficiary = p.beneficiary.clone();
        checkout.billing = p.billing.clone();
        checkout.card = p.card.clone();
        checkout.reporting = p.reporting.clone();
    }
    let body = TransactionStatusResponse::new(tx.status.to_api()).with_checkout(checkout);
    Ok((StatusCode::OK, Json(body)).into_response())
}

pub(super) async fn cancel_contract(
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

pub(super) async fn cancel_transaction(
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

// ---- sandbox-only endpoints ---------------------------------------------------------------------

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct PayRequest {
    pub(super) paid_at: Option<DateTime>,
    pub(super) provider: Option<String>,
    pub(super) customer: Option<CheckoutCustomer>,
    pub(super) beneficiary: Option<CheckoutBeneficiary>,
    pub(super) billing: Option<CheckoutBilling>,
    #[serde(default)]
    pub(super) card: Map<String, Value>,
    #[serde(default)]
    pub(super) reporting: Map<String, Value>,
}

pub(super) async fn sandbox_pay(
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

pub(super) async fn sandbox_state(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let transactions = shared.transactions.lock();
    let tx = transactions.get(&id).ok_or_else(|| not_found(&id))?;
    Ok((StatusCode::OK, Json(sandbox_view(tx))).into_response())
}
