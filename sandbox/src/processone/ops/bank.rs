//! The EFT operations (`/api/Eft/...`).

use payspec_processone::contracts::data_contracts::ServerReferenceData;
use payspec_processone::contracts::eft::{
    self, CreditEftRequest, CreditEftResponse, DebitEftRequest, DebitEftResponse, EftDetails,
    GetBankDataRequest, GetBankDataResponse, RefundEftRequest, RefundEftResponse, SaveEftRequest,
    SaveEftResponse, VerifyBankAccountRequest, VerifyBankAccountResponse, VoidEftRequest,
    VoidEftResponse,
};

use super::super::EFT_FEE_FLAT;
use super::super::model::{Eft, check_account, default_fee_type, eft_fee};
use super::*;

/// The bank account of a request: routing number, account number, then (when `name`) the
/// customer name.
fn checked_eft(details: Option<&EftDetails>, name: bool) -> Answer<Eft> {
    let details = details.ok_or_else(|| {
        fail_with(
            ResponseCode::InvalidAccountNumber,
            "The bank account (EftDetails, or a Token where the operation takes one) is required.",
        )
    })?;
    let account = exposed(details.account_number.as_ref());
    check_account(details.routing_number.as_deref(), account)?;
    let customer_name = trimmed(details.customer_name.as_deref()).map(str::to_owned);
    if name && customer_name.is_none() {
        return Err(fail_with(
            ResponseCode::EFTCustomerNameMissing,
            "EftDetails.CustomerName is required.",
        ));
    }
    Ok(Eft {
        routing_number: details
            .routing_number
            .as_deref()
            .unwrap_or_default()
            .trim()
            .to_owned(),
        account_number: account.unwrap_or_default().trim().to_owned(),
        account_type: details.r#type.clone(),
        customer_name,
    })
}

/// The bank account of a token or of `details`, and the token used.
fn eft_method(
    st: &State,
    token: Option<&str>,
    details: Option<&EftDetails>,
    name: bool,
) -> Answer<(Eft, Option<String>)> {
    if trimmed(token).is_none() {
        return Ok((checked_eft(details, name)?, None));
    }
    let (token, saved_token) = saved(st, token)?;
    match &saved_token.method {
        Method::Eft(eft) => Ok((eft.clone(), Some(token.to_owned()))),
        Method::Card(_) => Err(fail_with(
            ResponseCode::IncorrectTransactionId,
            "The token is a saved credit card, not a bank account.",
        )),
    }
}

/// The bank account validation table's refusal of `eft`, if any.
fn validate_account(eft: &Eft) -> Answer<()> {
    match testdata::by_number(testdata::BANK_VALIDATION_TABLE, &eft.account_number) {
        Some(row) if row.code != ResponseCode::Success => {
            Err(fail(row.code.clone(), row.description))
        }
        _ => Ok(()),
    }
}

fn bank_name(eft: &Eft) -> Option<String> {
    testdata::bank(&eft.routing_number).map(|b| b.name.to_owned())
}

/// What an EFT credit or debit asks for.
struct EftPayment {
    kind: TransactionType,
    amount: Decimal,
    fee: Decimal,
    token: Option<String>,
    details: Option<EftDetails>,
    bypass_validation: bool,
    save: bool,
    callback_id: Option<String>,
    customer_id: Option<String>,
    client_reference_data: Option<ClientReferenceData>,
    account_group_code: Option<String>,
}

/// What an EFT credit or debit did.
struct EftDone {
    id: i32,
    batch: i32,
    code: ResponseCode,
    message: String,
    eft: Eft,
    token: Option<String>,
}

fn eft_payment(st: &mut State, cx: &Cx, p: EftPayment) -> Answer<EftDone> {
    let bad_amount = || {
        fail_with(
            ResponseCode::InvalidEFTAmount,
            "Amount must be greater than 0 with at most two decimal places.",
        )
    };
    if p.amount < Decimal::ZERO || cents(p.amount).is_none() {
        return Err(bad_amount());
    }
    let (eft, used_token) = eft_method(st, p.token.as_deref(), p.details.as_ref(), true)?;
    if p.amount.is_zero() && eft.account_number != testdata::EFT_AMOUNT_ACCOUNT {
        return Err(bad_amount());
    }
    if !p.bypass_validation {
        validate_account(&eft)?;
    }
    let posted = p.amount.checked_add(p.fee).ok_or_else(bad_amount)?;
    let method = Method::Eft(eft.clone());
    let family = |k: &TransactionType| -> bool {
        if p.kind == TransactionType::CreditEft {
            *k == TransactionType::CreditEft
        } else {
            matches!(
                k,
                TransactionType::DebitEft
                    | TransactionType::DebitEftNoFee
                    | TransactionType::RecurringEft
            )
        }
    };
    let crd1 = client_ref1(p.client_reference_data.as_ref());
    let duplicate = st.duplicate_of(family, p.amount, &method, crd1, cx.now_ms);
    let (code, message) = match duplicate {
        Some(id) => duplicate_outcome(id),
        None => eft_outcome(&eft, p.amount),
    };
    let ok = code == ResponseCode::Success;
    let new_token = (ok && p.save && used_token.is_none()).then(|| st.ids.token());
    let token = used_token.or_else(|| new_token.clone());
    let mut txn = Txn::new(p.kind, method.clone(), cx.now_ms);
    txn.status = status_of(ok);
    txn.batch = st.open_batch;
    txn.original_amount = p.amount;
    txn.posted_amount = posted;
    txn.callback_id = p.callback_id;
    txn.token = token.clone();
    txn.customer_id = p.customer_id.clone();
    txn.client_reference_data = p.client_reference_data.clone();
    txn.account_group_code = p.account_group_code;
    let batch = txn.batch;
    let id = st.record(txn);
    if let Some(new_token) = new_token {
        st.tokens.insert(
            new_token,
            Token {
                method,
                customer_id: p.customer_id,
                client_reference_data: p.client_reference_data,
                transaction_id: id,
            },
        );
    }
    Ok(EftDone {
        id,
        batch,
        code,
        message,
        eft,
        token,
    })
}

/// The test tables' answer to a credit or debit of `amount` from `eft`.
fn eft_outcome(eft: &Eft, amount: Decimal) -> (ResponseCode, String) {
    if let Some(row) = testdata::by_number(testdata::EFT_CREDIT_DEBIT_TABLE, &eft.account_number) {
        return outcome_of_number(row);
    }
    if eft.account_number == testdata::EFT_AMOUNT_ACCOUNT
        && let Some(row) =
            testdata::by_amount(testdata::EFT_CREDIT_DEBIT_AMOUNT_TABLE, cents(amount))
    {
        return outcome_of_amount(row);
    }
    plain_success()
}

pub(crate) fn save_eft(st: &mut State, cx: &Cx, rq: SaveEftRequest) -> Answer<SaveEftResponse> {
    let eft = checked_eft(rq.eft_details.as_ref(), true)?;
    if !rq.bypass_bank_account_validation {
        validate_account(&eft)?;
    }
    let (code, message) = testdata::by_number(testdata::EFT_SAVE_TABLE, &eft.account_number)
        .map_or_else(plain_success, outcome_of_number);
    if code != ResponseCode::Success {
        return Err(fail(code, message));
    }
    let token = st.ids.token();
    let method = Method::Eft(eft.clone());
    let mut txn = Txn::new(TransactionType::SaveEft, method.clone(), cx.now_ms);
    txn.callback_id = rq.callback_id;
    txn.token = Some(token.clone());
    txn.customer_id = rq.customer_id.clone();
    txn.client_reference_data = rq.client_reference_data.clone();
    txn.account_group_code = rq.account_group_code;
    let id = st.record(txn);
    st.tokens.insert(
        token.clone(),
        Token {
            method,
            customer_id: rq.customer_id,
            client_reference_data: rq.client_reference_data,
            transaction_id: id,
        },
    );
    let mut response = SaveEftResponse::new()
        .with_time_zone(cx.zone(cx.now_ms))
        .with_token(token)
        .with_token_creation_time(cx.date(cx.now_ms));
    response.bank_name = bank_name(&eft);
    Ok(answer(response, &code, &message))
}

pub(crate) fn credit_eft(
    st: &mut State,
    cx: &Cx,
    rq: CreditEftRequest,
) -> Answer<CreditEftResponse> {
    let done = eft_payment(
        st,
        cx,
        EftPayment {
            kind: TransactionType::CreditEft,
            amount: rq.amount,
            fee: Decimal::ZERO,
            token: rq.token,
            details: rq.eft_details,
            bypass_validation: false,
            save: false,
            callback_id: rq.callback_id,
            customer_id: rq.customer_id,
            client_reference_data: rq.client_reference_data,
            account_group_code: rq.account_group_code,
        },
    )?;
    let mut response = CreditEftResponse::new()
        .with_batch_number(done.batch)
        .with_time_zone(cx.zone(cx.now_ms))
        .with_transaction_date(cx.date(cx.now_ms))
        .with_transaction_id(done.id.to_string());
    response.bank_name = bank_name(&done.eft);
    Ok(answer(response, &done.code, &done.message))
}

pub(crate) fn debit_eft(st: &mut State, cx: &Cx, rq: DebitEftRequest) -> Answer<DebitEftResponse> {
    let fee = if rq.charge_fee {
        if !default_fee_type(rq.convenience_fee_type.as_deref()) {
            return Err(unknown_fee_type(rq.convenience_fee_type.as_deref()));
        }
        eft_fee()
    } else {
        Decimal::ZERO
    };
    let kind = if rq.is_recurring {
        TransactionType::RecurringEft
    } else if rq.charge_fee {
        TransactionType::DebitEft
    } else {
        TransactionType::DebitEftNoFee
    };
    let done = eft_payment(
        st,
        cx,
        EftPayment {
            kind,
            amount: rq.amount,
            fee,
            token: rq.token,
            details: rq.eft_details,
            bypass_validation: rq.bypass_bank_account_validation,
            save: rq.save,
            callback_id: rq.callback_id,
            customer_id: rq.customer_id,
            client_reference_data: rq.client_reference_data,
            account_group_code: rq.account_group_code,
        },
    )?;
    let mut response = DebitEftResponse::new()
        .with_batch_number(done.batch)
        .with_time_zone(cx.zone(cx.now_ms))
        .with_transaction_date(cx.date(cx.now_ms))
        .with_transaction_id(done.id.to_string());
    response.bank_name = bank_name(&done.eft);
    response.token = done.token;
    Ok(answer(response, &done.code, &done.message))
}

pub(crate) fn void_eft(st: &mut State, cx: &Cx, rq: VoidEftRequest) -> Answer<VoidEftResponse> {
    let original = payment(
        st,
        rq.transaction_id.as_deref(),
        Txn::is_eft_payment,
        "EFT credit or debit",
    )?;
    check_voidable(st, &original, ResponseCode::IncorrectTransactionId)?;
    let (id, code, message) =
        record_void(st, cx, &original, TransactionType::VoidEft, rq.callback_id);
    let response = VoidEftResponse::new().with_transaction_id(id.to_string());
    Ok(answer(response, &code, &message))
}

pub(crate) fn refund_eft(
    st: &mut State,
    cx: &Cx,
    rq: RefundEftRequest,
) -> Answer<RefundEftResponse> {
    let original = payment(
        st,
        rq.transaction_id.as_deref(),
        Txn::is_eft_payment,
        "EFT credit or debit",
    )?;
    check_refundable(st, &original)?;
    let amount = refund_amount(
        &original,
        rq.partial_refund_amount,
        ResponseCode::InvalidPartialRefundAmount,
    )?;
    let (id, batch, code, message) = record_refund(
        st,
        cx,
        &original,
        TransactionType::RefundEft,
        amount,
        rq.callback_id,
    );
    let response = RefundEftResponse::new()
        .with_batch_number(batch)
        .with_transaction_id(id.to_string());
    Ok(answer(response, &code, &message))
}

pub(crate) fn verify_bank_account(
    st: &mut State,
    cx: &Cx,
    rq: VerifyBankAccountRequest,
) -> Answer<VerifyBankAccountResponse> {
    let (eft, token) = eft_method(st, rq.token.as_deref(), rq.eft_details.as_ref(), false)?;
    let (code, message) = testdata::by_number(testdata::BANK_VALIDATION_TABLE, &eft.account_number)
        .map_or_else(plain_success, outcome_of_number);
    let ok = code == ResponseCode::Success;
    let mut txn = Txn::new(
        TransactionType::VerifyBankAccount,
        Method::Eft(eft),
        cx.now_ms,
    );
    txn.status = status_of(ok);
    txn.token = token;
    txn.customer_id = rq.customer_id;
    txn.client_reference_data = rq.client_reference_data;
    st.record(txn);
    let response = VerifyBankAccountResponse::new().with_server_reference_data(
        ServerReferenceData::new().with_server_reference_data1(message.clone()),
    );
    Ok(answer(response, &code, &message))
}

pub(crate) fn bank_data(
    _st: &mut State,
    _cx: &Cx,
    rq: GetBankDataRequest,
) -> Answer<GetBankDataResponse> {
    let routing = trimmed(rq.routing_number.as_deref()).unwrap_or_default();
    let bank = testdata::bank(routing).ok_or_else(|| {
        fail_with(
            ResponseCode::InvalidRoutingNumber,
            "The routing number is not in the sandbox's bank directory.",
        )
    })?;
    let mut response = GetBankDataResponse::new().with_bank_name(bank.name);
    response.bank_address = bank.address.map(str::to_owned);
    response.bank_city = bank.city.map(str::to_owned);
    response.bank_state = bank.state.map(str::to_owned);
    response.description = bank.description.map(str::to_owned);
    Ok(success(response))
}

pub(crate) fn eft_fee_quote(
    _st: &mut State,
    _cx: &Cx,
    rq: eft::ConvenienceFeeRequest,
) -> Answer<eft::ConvenienceFeeResponse> {
    if !default_fee_type(rq.convenience_fee_type.as_deref()) {
        return Err(unknown_fee_type(rq.convenience_fee_type.as_deref()));
    }
    if rq.amount <= Decimal::ZERO {
        return Err(fail_with(
            ResponseCode::InvalidEFTAmount,
            "Amount must be greater than 0.",
        ));
    }
    let response = eft::ConvenienceFeeResponse::new()
        .with_calculation_type("FlatRate")
        .with_convenience_fee(eft_fee())
        .with_flat_rate(money(EFT_FEE_FLAT));
    Ok(success(response))
}
