//! What the 1-CP simulator stores: transactions with their payment, refunds and
//! cancellations, under one lock, and the view the sandbox endpoints show of them.

use std::collections::HashMap;
use std::sync::Arc;

use payspec_onecp::types::{
    CheckoutBeneficiary, CheckoutBilling, CheckoutCustomer, CorporateCheckout, TransactionStatus,
};
use payspec_runtime::DateTime;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::Ids;
use crate::common::store::Locked;

use super::NANOS_PER_SECOND;

// ---- state --------------------------------------------------------------------------------------

pub(super) struct Shared {
    pub(super) ids: Arc<Ids>,
    pub(super) provider: String,
    pub(super) transactions: Locked<HashMap<String, Transaction>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Status {
    Pending,
    Paid,
    Cancelled,
}

impl Status {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "PENDING",
            Status::Paid => "PAID",
            Status::Cancelled => "CANCELLED",
        }
    }

    pub(super) fn to_api(self) -> TransactionStatus {
        match self {
            Status::Pending => TransactionStatus::Pending,
            Status::Paid => TransactionStatus::Paid,
            Status::Cancelled => TransactionStatus::from(self.as_str()),
        }
    }
}

pub(super) struct Payment {
    pub(super) at: At,
    pub(super) reference: String,
    pub(super) provider: String,
    pub(super) customer: Option<CheckoutCustomer>,
    pub(super) beneficiary: Option<CheckoutBeneficiary>,
    pub(super) billing: Option<CheckoutBilling>,
    pub(super) card: Map<String, Value>,
    pub(super) reporting: Map<String, Value>,
}

pub(super) struct Transaction {
    pub(super) id: String,
    pub(super) checkout: CorporateCheckout,
    /// Per item, its total (see the module docs).
    pub(super) totals: Vec<Decimal>,
    pub(super) status: Status,
    pub(super) payment: Option<Payment>,
    /// Per item, its refund once cancelled.
    pub(super) refunds: Vec<Option<ItemRefund>>,
    pub(super) cancellations: Vec<Cancellation>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ItemRefund {
    pub(super) index: usize,
    #[serde(with = "payspec_runtime::decimal::number")]
    pub(super) total: Decimal,
    #[serde(with = "payspec_runtime::decimal::number")]
    pub(super) penalty: Decimal,
    pub(super) penalty_index: Option<usize>,
    #[serde(with = "payspec_runtime::decimal::number")]
    pub(super) refund: Decimal,
    pub(super) cancelled_at: DateTime,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FileInfo {
    pub(super) file_name: Option<String>,
    pub(super) content_type: Option<String>,
    pub(super) size: u64,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Cancellation {
    pub(super) via: &'static str,
    pub(super) at: DateTime,
    pub(super) items_order: Vec<usize>,
    pub(super) refunds: Vec<ItemRefund>,
    #[serde(with = "payspec_runtime::decimal::number")]
    pub(super) refund_total: Decimal,
    #[serde(with = "payspec_runtime::decimal::number_opt")]
    pub(super) requested_amount: Option<Decimal>,
    pub(super) invoice_title: Option<String>,
    pub(super) invoice_number: Option<String>,
    pub(super) file: Option<FileInfo>,
}

/// An instant: as written (for the records) and in nanoseconds since 1970 (to compare).
#[derive(Clone, Copy, Debug)]
pub(super) struct At {
    pub(super) shown: DateTime,
    pub(super) nanos: i128,
}

impl At {
    pub(super) fn new(shown: DateTime) -> At {
        At {
            shown,
            nanos: instant(&shown),
        }
    }
}

/// Nanoseconds since 1970-01-01T00:00:00Z; a date-time without an offset is read as UTC.
pub(super) fn instant(d: &DateTime) -> i128 {
    let utc = d.to_utc().unwrap_or_else(|| d.naive_local().and_utc());
    i128::from(utc.timestamp()) * NANOS_PER_SECOND + i128::from(utc.timestamp_subsec_nanos())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SandboxItem<'a> {
    pub(super) index: usize,
    pub(super) name: Option<&'a str>,
    #[serde(with = "payspec_runtime::decimal::number")]
    pub(super) total: Decimal,
    pub(super) cancelled: bool,
    #[serde(with = "payspec_runtime::decimal::number_opt")]
    pub(super) penalty: Option<Decimal>,
    pub(super) penalty_index: Option<usize>,
    #[serde(with = "payspec_runtime::decimal::number_opt")]
    pub(super) refund: Option<Decimal>,
    pub(super) cancelled_at: Option<DateTime>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SandboxTransaction<'a> {
    pub(super) transaction_id: &'a str,
    pub(super) status: &'static str,
    pub(super) paid_at: Option<DateTime>,
    pub(super) payment_reference: Option<&'a str>,
    pub(super) currency: &'a str,
    #[serde(with = "payspec_runtime::decimal::number")]
    pub(super) total: Decimal,
    pub(super) items: Vec<SandboxItem<'a>>,
    #[serde(with = "payspec_runtime::decimal::number")]
    pub(super) refund_total: Decimal,
    pub(super) cancellations: &'a [Cancellation],
    pub(super) checkout: &'a CorporateCheckout,
}

pub(super) fn sandbox_view(tx: &Transaction) -> SandboxTransaction<'_> {
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
