//! The 28 operations of the spec. Each takes the state, the request's context and the parsed
//! request, and answers the response contract, or a [`Fail`] (a response with only
//! `ResponseCode` and `Message`) for a request refused before anything is recorded. The
//! authentication key is checked before these run.

use payspec_processone::ResponseCode;
use payspec_processone::contracts::data_contracts::ClientReferenceData;
use payspec_processone::contracts::enums::{TransactionStatus, TransactionType};
use payspec_runtime::SecretString;
use payspec_runtime::dcs::DcsEnum;
use rust_decimal::Decimal;

use super::contracts::{Coded, Cx};
use super::errors::{Fail, definition, fail, fail_with};
use super::model::{Method, cents, money};
use super::state::{State, Token, Txn};
use super::testdata::{self, AmountRow, NumberRow};

mod bank;
mod card;
mod lookup;

pub(crate) use bank::*;
pub(crate) use card::*;
pub(crate) use lookup::*;

type Answer<T> = Result<T, Fail>;

/// `response` with `code` and `message` set.
fn answer<R: Coded>(mut response: R, code: &ResponseCode, message: &str) -> R {
    response.set_outcome(code, message);
    response
}

fn success<R: Coded>(response: R) -> R {
    answer(response, &ResponseCode::Success, "Success")
}

/// The (code, message) of a test-table row.
fn outcome_of_number(row: &NumberRow) -> (ResponseCode, String) {
    (row.code.clone(), row.description.to_owned())
}

fn outcome_of_amount(row: &AmountRow) -> (ResponseCode, String) {
    (row.code.clone(), row.description.to_owned())
}

fn plain_success() -> (ResponseCode, String) {
    (ResponseCode::Success, "Success".to_owned())
}

fn status_name(status: &TransactionStatus) -> &'static str {
    status
        .known()
        .map_or("in an unknown status", |(name, _)| name)
}

fn exposed(secret: Option<&SecretString>) -> Option<&str> {
    secret.map(|s| s.expose().as_str())
}

fn trimmed(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

fn client_ref1(data: Option<&ClientReferenceData>) -> Option<&str> {
    data.and_then(|c| c.client_reference_data1.as_deref())
}

fn unknown_fee_type(fee_type: Option<&str>) -> Fail {
    fail_with(
        ResponseCode::GatewayInternalError,
        &format!(
            "The convenience fee type {:?} is not configured for this merchant (only Default is).",
            fee_type.unwrap_or_default()
        ),
    )
}

fn token_not_found() -> Fail {
    fail_with(
        ResponseCode::IncorrectTransactionId,
        "No saved payment method has this token.",
    )
}

/// The saved payment method of `token`.
fn saved<'a>(state: &'a State, token: Option<&str>) -> Answer<(&'a str, &'a Token)> {
    let token = trimmed(token).ok_or_else(token_not_found)?;
    state
        .tokens
        .get_key_value(token)
        .map(|(k, v)| (k.as_str(), v))
        .ok_or_else(token_not_found)
}

/// The void / refund test table's answer for a payment made with `method`.
fn void_refund_outcome(original: &Txn) -> (ResponseCode, String) {
    let row = match &original.method {
        Method::Card(card) => testdata::by_number(testdata::VOID_REFUND_TABLE, &card.number),
        Method::Eft(eft) => {
            testdata::by_number(testdata::EFT_VOID_REFUND_TABLE, &eft.account_number)
        }
    };
    if let Some(row) = row {
        return outcome_of_number(row);
    }
    if let Method::Eft(eft) = &original.method
        && eft.account_number == testdata::EFT_AMOUNT_ACCOUNT
        && let Some(row) = testdata::by_amount(
            testdata::EFT_VOID_REFUND_AMOUNT_TABLE,
            cents(original.original_amount),
        )
    {
        return outcome_of_amount(row);
    }
    plain_success()
}

fn duplicate_outcome(id: i32) -> (ResponseCode, String) {
    let code = ResponseCode::DuplicateTransaction;
    let message = format!("{} (duplicate of transaction {id})", definition(&code));
    (code, message)
}

fn status_of(ok: bool) -> TransactionStatus {
    if ok {
        TransactionStatus::Successful
    } else {
        TransactionStatus::Failed
    }
}

/// The payment `text` names, if `is_kind` accepts it.
fn payment(
    state: &State,
    text: Option<&str>,
    is_kind: fn(&Txn) -> bool,
    what: &str,
) -> Answer<Txn> {
    state
        .find(text)
        .filter(|t| is_kind(t))
        .cloned()
        .ok_or_else(|| {
            fail_with(
                ResponseCode::IncorrectTransactionId,
                &format!("No {what} has this TransactionId."),
            )
        })
}

/// Records a void of `original` (in its batch); on success the payment becomes Voided.
fn record_void(
    st: &mut State,
    cx: &Cx,
    original: &Txn,
    kind: TransactionType,
    callback_id: Option<String>,
) -> (i32, ResponseCode, String) {
    let (code, message) = void_refund_outcome(original);
    let ok = code == ResponseCode::Success;
    let mut txn = Txn::new(kind, original.method.clone(), cx.now_ms);
    txn.status = status_of(ok);
    txn.batch = original.batch;
    txn.original_amount = original.posted_amount;
    txn.posted_amount = original.posted_amount;
    txn.callback_id = callback_id;
    txn.token = original.token.clone();
    txn.customer_id = original.customer_id.clone();
    txn.client_reference_data = original.client_reference_data.clone();
    txn.account_group_code = original.account_group_code.clone();
    txn.reference = Some(original.id);
    let id = st.record(txn);
    if ok && let Some(payment) = st.get_mut(original.id) {
        payment.status = TransactionStatus::Voided;
    }
    (id, code, message)
}

/// The amount a refund of `original` refunds: `partial`, else what is left; checked against
/// what is left. `bad_amount` is the code of an amount of 0 or less.
fn refund_amount(
    original: &Txn,
    partial: Option<Decimal>,
    bad_amount: ResponseCode,
) -> Answer<Decimal> {
    let left = original
        .original_amount
        .checked_sub(original.refunded)
        .unwrap_or(Decimal::ZERO);
    if left <= Decimal::ZERO {
        return Err(fail_with(
            ResponseCode::UnableToRefundTransaction,
            &format!("Transaction {} is fully refunded.", original.id),
        ));
    }
    let Some(amount) = partial else {
        return Ok(left);
    };
    if amount <= Decimal::ZERO || cents(amount).is_none() {
        return Err(fail_with(
            bad_amount,
            "PartialRefundAmount must be greater than 0 with at most two decimal places.",
        ));
    }
    if amount > left {
        return Err(fail_with(
            ResponseCode::InvalidPartialRefundAmount,
            &format!(
                "At most {} of transaction {} is left to refund.",
                money(left),
                original.id
            ),
        ));
    }
    Ok(amount)
}

/// Records a refund of `amount` of `original` (in the open batch); on success the amount counts
/// as refunded.
fn record_refund(
    st: &mut State,
    cx: &Cx,
    original: &Txn,
    kind: TransactionType,
    amount: Decimal,
    callback_id: Option<String>,
) -> (i32, i32, ResponseCode, String) {
    let (code, message) = void_refund_outcome(original);
    let ok = code == ResponseCode::Success;
    let mut txn = Txn::new(kind, original.method.clone(), cx.now_ms);
    txn.status = status_of(ok);
    txn.batch = st.open_batch;
    txn.original_amount = amount;
    txn.posted_amount = amount;
    txn.callback_id = callback_id;
    txn.token = original.token.clone();
    txn.customer_id = original.customer_id.clone();
    txn.client_reference_data = original.client_reference_data.clone();
    txn.account_group_code = original.account_group_code.clone();
    txn.reference = Some(original.id);
    let batch = txn.batch;
    let id = st.record(txn);
    if ok && let Some(payment) = st.get_mut(original.id) {
        payment.refunded = payment
            .refunded
            .checked_add(amount)
            .unwrap_or(payment.refunded);
    }
    (id, batch, code, message)
}

fn check_voidable(st: &State, original: &Txn, not_successful: ResponseCode) -> Answer<()> {
    if original.status != TransactionStatus::Successful {
        return Err(fail_with(
            not_successful,
            &format!(
                "Transaction {} is {} and cannot be voided.",
                original.id,
                status_name(&original.status)
            ),
        ));
    }
    if original.batch < st.open_batch {
        return Err(fail_with(
            ResponseCode::BatchHasBeenClosed,
            &format!(
                "Batch {} of transaction {} is closed: refund the payment instead.",
                original.batch, original.id
            ),
        ));
    }
    Ok(())
}

fn check_refundable(st: &State, original: &Txn) -> Answer<()> {
    if original.status != TransactionStatus::Successful {
        return Err(fail_with(
            ResponseCode::IncorrectTransactionId,
            &format!(
                "Transaction {} is {}: only a successful payment can be refunded.",
                original.id,
                status_name(&original.status)
            ),
        ));
    }
    if original.batch >= st.open_batch {
        return Err(fail_with(
            ResponseCode::BatchHasNotBeenClosed,
            &format!(
                "Batch {} of transaction {} is still open.",
                original.batch, original.id
            ),
        ));
    }
    Ok(())
}
