//! Cancelling: reading a cancellation (JSON or `multipart/form-data`) and applying it to a
//! transaction.

use axum::Json;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use payspec_onecp::types::{CancelResponse, CancelStatus, CancelTransactionRequest};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::common::body::{self, BodyFault};
use crate::common::headers::media_type;

use super::errors::{
    ApiError, already_cancelled, detail, error, invalid, multipart_error, not_found, shorten,
};
use super::refunds::applicable_penalty;
use super::state::{At, Cancellation, FileInfo, ItemRefund, Shared, Status};
use super::{MAX_FILE_BYTES, MAX_JSON_BYTES};

// ---- reading a cancellation ---------------------------------------------------------------------

#[derive(Default)]
pub(super) struct CancelInput {
    pub(super) contract_id: Option<String>,
    pub(super) items_order: Vec<i64>,
    pub(super) amount: Option<Decimal>,
    pub(super) invoice_title: Option<String>,
    pub(super) invoice_number: Option<String>,
    pub(super) file: Option<FileInfo>,
}

/// The cancellation in `request`, as JSON or `multipart/form-data` by its `Content-Type`.
/// `contract_in_body`: read `contractId` too (`PATCH /cancel`).
pub(super) async fn read_cancel(
    request: Request,
    contract_in_body: bool,
) -> Result<CancelInput, ApiError> {
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

pub(super) async fn read_json(
    request: Request,
    contract_in_body: bool,
) -> Result<CancelInput, ApiError> {
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

pub(super) async fn read_multipart(request: Request) -> Result<CancelInput, ApiError> {
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

pub(super) fn cancel(
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
    let body = CancelResponse::new(CancelStatus::Success);
    Ok((StatusCode::OK, Json(body)).into_response())
}
