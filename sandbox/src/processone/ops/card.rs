//! The credit card operations (`/api/CreditCard/...`).

use payspec_processone::contracts::credit_card::{
    ChargeCreditCardRequest, ChargeCreditCardResponse, ConvenienceFeeRequest,
    ConvenienceFeeResponse, CreditCardDetails, GetAcceptedCardTypesRequest,
    GetAcceptedCardTypesResponse, GetCardDataRequest, GetCardDataResponse, GetCardUpdatesRequest,
    GetCardUpdatesResponse, RefundCreditCardRequest, RefundCreditCardResponse,
    SaveCreditCardRequest, SaveCreditCardResponse, UpdateCreditCardRequest,
    UpdateCreditCardResponse, VerifyCreditCardRequest, VerifyCreditCardResponse,
    VoidCreditCardRequest, VoidCreditCardResponse,
};
use payspec_processone::contracts::enums::{CreditCardNetworkType, CreditCardType};

use super::super::model::{
    Card, all_digits, brand_of, card_fee, card_number, check_expiration, check_zip,
    default_fee_type, network_of,
};
use super::super::{CARD_FEE_MINIMUM, CARD_FEE_PERCENT};
use super::*;

/// The card of a request: number, accepted type, expiration, CVV2 (when `cvv`), holder name and
/// ZIP, checked in that order.
fn checked_card(details: Option<&CreditCardDetails>, cx: &Cx, cvv: bool) -> Answer<Card> {
    let details = details.ok_or_else(|| {
        fail_with(
            ResponseCode::InvalidCardNumber,
            "The credit card (CreditCard, or a Token where the operation takes one) is required.",
        )
    })?;
    let number = card_number(exposed(details.number.as_ref()))?;
    let brand = brand_of(&number);
    if brand == CreditCardType::Other {
        return Err(fail_with(
            ResponseCode::CardTypeNotAccepted,
            "The merchant accepts Visa, MasterCard, AmericanExpress and Discover.",
        ));
    }
    check_expiration(
        details.expiration_month,
        details.expiration_year,
        cx.now_ms,
        ResponseCode::CardExpired,
    )?;
    if cvv && let Some(value) = trimmed(exposed(details.validation_value.as_ref())) {
        let digits = if brand == CreditCardType::AmericanExpress {
            4
        } else {
            3
        };
        if !all_digits(value) || value.len() != digits {
            return Err(fail_with(
                ResponseCode::IncorrectValidationValue,
                &format!("The CVV2 code of this card is {digits} digits."),
            ));
        }
    }
    let holder = details.holder.clone().unwrap_or_default();
    if trimmed(holder.name.as_deref()).is_none() {
        return Err(fail_with(
            ResponseCode::CreditCardCustomerNameMissing,
            "CreditCard.Holder.Name is required.",
        ));
    }
    check_zip(holder.zip.as_deref())?;
    let network = network_of(&number, &brand);
    Ok(Card {
        number,
        brand,
        network,
        expiration_month: details.expiration_month,
        expiration_year: details.expiration_year,
        holder,
    })
}

/// The test tables' answer to a charge of `amount` with card `number`.
fn charge_outcome(number: &str, amount: Decimal) -> (ResponseCode, String) {
    if let Some(row) = testdata::by_number(testdata::CHARGE_TABLE, number)
        .or_else(|| testdata::by_number(testdata::CHARGE_FOR_VOID_REFUND_TABLE, number))
    {
        return outcome_of_number(row);
    }
    if testdata::AMOUNT_TABLE_CARDS.contains(&number) {
        let row = testdata::by_amount(testdata::CARD_AMOUNT_TABLE, cents(amount))
            .or_else(|| testdata::CARD_AMOUNT_TABLE.first());
        if let Some(row) = row {
            return outcome_of_amount(row);
        }
    }
    plain_success()
}

fn card_of(method: &Method) -> Option<&Card> {
    match method {
        Method::Card(card) => Some(card),
        Method::Eft(_) => None,
    }
}

pub(crate) fn charge_card(
    st: &mut State,
    cx: &Cx,
    rq: ChargeCreditCardRequest,
) -> Answer<ChargeCreditCardResponse> {
    let amount = rq.amount;
    if amount <= Decimal::ZERO || cents(amount).is_none() {
        return Err(fail_with(
            ResponseCode::InvalidCreditCardAmount,
            "Amount must be greater than 0 with at most two decimal places.",
        ));
    }
    let fee = if rq.charge_fee {
        if !default_fee_type(rq.convenience_fee_type.as_deref()) {
            return Err(unknown_fee_type(rq.convenience_fee_type.as_deref()));
        }
        card_fee(amount)
    } else {
        Some(money(Decimal::ZERO))
    };
    let posted = fee.and_then(|fee| amount.checked_add(fee)).ok_or_else(|| {
        fail_with(
            ResponseCode::InvalidCreditCardAmount,
            "Amount is too large.",
        )
    })?;
    let (card, used_token) = match trimmed(rq.token.as_deref()) {
        Some(_) => {
            let (token, saved) = saved(st, rq.token.as_deref())?;
            let card = card_of(&saved.method).cloned().ok_or_else(|| {
                fail_with(
                    ResponseCode::IncorrectTransactionId,
                    "The token is a saved bank account, not a credit card.",
                )
            })?;
            check_expiration(
                card.expiration_month,
                card.expiration_year,
                cx.now_ms,
                ResponseCode::CardExpired,
            )?;
            (card, Some(token.to_owned()))
        }
        None => (checked_card(rq.credit_card.as_ref(), cx, true)?, None),
    };
    let kind = if rq.is_recurring {
        TransactionType::RecurringChargeCreditCard
    } else if rq.charge_fee {
        TransactionType::ChargeCreditCard
    } else {
        TransactionType::ChargeCreditCardNoFee
    };
    let method = Method::Card(card.clone());
    let crd1 = client_ref1(rq.client_reference_data.as_ref());
    let duplicate = st.duplicate_of(
        |k| {
            matches!(
                k,
                TransactionType::ChargeCreditCard
                    | TransactionType::ChargeCreditCardNoFee
                    | TransactionType::RecurringChargeCreditCard
            )
        },
        amount,
        &method,
        crd1,
        cx.now_ms,
    );
    let (code, message) = match duplicate {
        Some(id) => duplicate_outcome(id),
        None => charge_outcome(&card.number, amount),
    };
    let ok = code == ResponseCode::Success;
    let new_token = (ok && rq.save && used_token.is_none()).then(|| st.ids.token());
    let token = used_token.or_else(|| new_token.clone());
    let mut txn = Txn::new(kind, method.clone(), cx.now_ms);
    txn.status = status_of(ok);
    txn.batch = st.open_batch;
    txn.original_amount = amount;
    txn.posted_amount = posted;
    txn.callback_id = rq.callback_id;
    txn.token = token.clone();
    txn.customer_id = rq.customer_id.clone();
    txn.client_reference_data = rq.client_reference_data.clone();
    txn.account_group_code = rq.account_group_code;
    let batch = txn.batch;
    let id = st.record(txn);
    if let Some(new_token) = new_token {
        st.tokens.insert(
            new_token,
            Token {
                method,
                customer_id: rq.customer_id,
                client_reference_data: rq.client_reference_data,
                transaction_id: id,
            },
        );
    }
    let mut response = ChargeCreditCardResponse::new()
        .with_base_card_type(card.brand.clone())
        .with_batch_number(batch)
        .with_credit_card_type(card.brand)
        .with_posted_amount(posted)
        .with_time_zone(cx.zone(cx.now_ms))
        .with_transaction_date(cx.date(cx.now_ms))
        .with_transaction_id(id.to_string());
    response.authorization_code = ok.then(|| st.ids.authorization_code());
    response.holder_name = card.holder.name;
    response.holder_zip = card.holder.zip;
    response.token = token;
    Ok(answer(response, &code, &message))
}

pub(crate) fn void_card(
    st: &mut State,
    cx: &Cx,
    rq: VoidCreditCardRequest,
) -> Answer<VoidCreditCardResponse> {
    let original = payment(
        st,
        rq.transaction_id.as_deref(),
        Txn::is_card_payment,
        "credit card payment",
    )?;
    check_voidable(st, &original, ResponseCode::CreditCardVoidFailed)?;
    let (id, code, message) = record_void(
        st,
        cx,
        &original,
        TransactionType::VoidCreditCard,
        rq.callback_id,
    );
    let ok = code == ResponseCode::Success;
    let mut response = VoidCreditCardResponse::new()
        .with_batch_number(original.batch)
        .with_transaction_id(id.to_string());
    response.authorization_code = ok.then(|| st.ids.authorization_code());
    Ok(answer(response, &code, &message))
}

pub(crate) fn refund_card(
    st: &mut State,
    cx: &Cx,
    rq: RefundCreditCardRequest,
) -> Answer<RefundCreditCardResponse> {
    let original = payment(
        st,
        rq.transaction_id.as_deref(),
        Txn::is_card_payment,
        "credit card payment",
    )?;
    check_refundable(st, &original)?;
    let amount = refund_amount(
        &original,
        rq.partial_refund_amount,
        ResponseCode::InvalidCreditCardAmount,
    )?;
    let (id, batch, code, message) = record_refund(
        st,
        cx,
        &original,
        TransactionType::RefundCreditCard,
        amount,
        rq.callback_id,
    );
    let ok = code == ResponseCode::Success;
    let mut response = RefundCreditCardResponse::new()
        .with_batch_number(batch)
        .with_transaction_id(id.to_string());
    response.authorization_code = ok.then(|| st.ids.authorization_code());
    Ok(answer(response, &code, &message))
}

pub(crate) fn save_card(
    st: &mut State,
    cx: &Cx,
    rq: SaveCreditCardRequest,
) -> Answer<SaveCreditCardResponse> {
    let card = checked_card(rq.credit_card.as_ref(), cx, false)?;
    let (code, message) = testdata::by_number(testdata::SAVE_TABLE, &card.number)
        .map_or_else(plain_success, outcome_of_number);
    if code != ResponseCode::Success {
        return Err(fail(code, message));
    }
    let token = st.ids.token();
    let method = Method::Card(card.clone());
    let mut txn = Txn::new(TransactionType::SaveCreditCard, method.clone(), cx.now_ms);
    txn.callback_id = rq.callback_id;
    txn.token = Some(token.clone());
    txn.customer_id = rq.customer_id.clone();
    txn.client_reference_data = rq.client_reference_data.clone();
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
    let response = SaveCreditCardResponse::new()
        .with_base_card_type(card.brand)
        .with_time_zone(cx.zone(cx.now_ms))
        .with_token(token)
        .with_token_creation_time(cx.date(cx.now_ms));
    Ok(answer(response, &code, &message))
}

pub(crate) fn update_card(
    st: &mut State,
    cx: &Cx,
    rq: UpdateCreditCardRequest,
) -> Answer<UpdateCreditCardResponse> {
    let (token, saved_token) = saved(st, rq.token.as_deref())?;
    let token = token.to_owned();
    let mut card = card_of(&saved_token.method).cloned().ok_or_else(|| {
        fail_with(
            ResponseCode::IncorrectTransactionId,
            "The token is a saved bank account, not a credit card.",
        )
    })?;
    if rq.expiration_month != 0 {
        card.expiration_month = rq.expiration_month;
    }
    if rq.expiration_year != 0 {
        card.expiration_year = rq.expiration_year;
    }
    check_expiration(
        card.expiration_month,
        card.expiration_year,
        cx.now_ms,
        ResponseCode::InvalidExpirationDate,
    )?;
    check_zip(rq.zip_code.as_deref())?;
    if let Some(zip) = trimmed(rq.zip_code.as_deref()) {
        card.holder.zip = Some(zip.to_owned());
    }
    if rq.holder_address.is_some() {
        card.holder.address = rq.holder_address;
    }
    if rq.credit_card_network_type != CreditCardNetworkType::Unknown {
        card.network = rq.credit_card_network_type;
    }
    if let Some(saved_token) = st.tokens.get_mut(&token) {
        saved_token.method = Method::Card(card);
    }
    let response = UpdateCreditCardResponse::new()
        .with_time_zone(cx.zone(cx.now_ms))
        .with_update_time(cx.date(cx.now_ms));
    Ok(success(response))
}

pub(crate) fn verify_card(
    st: &mut State,
    cx: &Cx,
    rq: VerifyCreditCardRequest,
) -> Answer<VerifyCreditCardResponse> {
    let card = checked_card(rq.credit_card.as_ref(), cx, false)?;
    let mut txn = Txn::new(
        TransactionType::VerifyCreditCard,
        Method::Card(card),
        cx.now_ms,
    );
    txn.callback_id = rq.callback_id;
    txn.customer_id = rq.customer_id;
    txn.client_reference_data = rq.client_reference_data;
    st.record(txn);
    Ok(success(VerifyCreditCardResponse::default()))
}

pub(crate) fn card_data(
    _st: &mut State,
    _cx: &Cx,
    rq: GetCardDataRequest,
) -> Answer<GetCardDataResponse> {
    let number = card_number(exposed(rq.credit_card_number.as_ref()))?;
    let brand = brand_of(&number);
    let response = GetCardDataResponse::new()
        .with_credit_card_network_type(network_of(&number, &brand))
        .with_base_card_type(brand);
    Ok(success(response))
}

pub(crate) fn card_fee_quote(
    _st: &mut State,
    _cx: &Cx,
    rq: ConvenienceFeeRequest,
) -> Answer<ConvenienceFeeResponse> {
    if !default_fee_type(rq.convenience_fee_type.as_deref()) {
        return Err(unknown_fee_type(rq.convenience_fee_type.as_deref()));
    }
    let bad = || {
        fail_with(
            ResponseCode::InvalidCreditCardAmount,
            "Amount must be greater than 0.",
        )
    };
    if rq.amount <= Decimal::ZERO {
        return Err(bad());
    }
    let fee = card_fee(rq.amount).ok_or_else(bad)?;
    let response = ConvenienceFeeResponse::new()
        .with_calculation_type("Percent")
        .with_convenience_fee(fee)
        .with_minimum_amount(money(CARD_FEE_MINIMUM))
        .with_percent(CARD_FEE_PERCENT);
    Ok(success(response))
}

pub(crate) fn accepted_card_types(
    _st: &mut State,
    _cx: &Cx,
    _rq: GetAcceptedCardTypesRequest,
) -> Answer<GetAcceptedCardTypesResponse> {
    let response = GetAcceptedCardTypesResponse::new().with_accepted_card_types(vec![
        CreditCardType::Visa,
        CreditCardType::MasterCard,
        CreditCardType::AmericanExpress,
        CreditCardType::Discover,
    ]);
    Ok(success(response))
}

pub(crate) fn card_updates(
    _st: &mut State,
    _cx: &Cx,
    _rq: GetCardUpdatesRequest,
) -> Answer<GetCardUpdatesResponse> {
    let response = GetCardUpdatesResponse::new().with_card_data(Vec::new());
    Ok(success(response))
}
