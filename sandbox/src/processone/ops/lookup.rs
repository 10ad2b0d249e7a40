//! Health, payment tokens and transaction look-ups (`/api/HealthStatus/...`, `/api/PaymentToken/...`, `/api/Transaction/...`).

use payspec_processone::contracts::enums::TokenType;
use payspec_processone::contracts::health_status::{
    CheckHealthStatusRequest, CheckHealthStatusResponse,
};
use payspec_processone::contracts::payment_token::{
    GetInfoRequest, GetInfoResponse, GetTokenInfoBatchRequest, GetTokenInfoBatchResponse,
    RemovePaymentTokenRequest, RemovePaymentTokenResponse, TokenCreditCardInfo, TokenEftInfo,
    TokenInfo,
};
use payspec_processone::contracts::transaction::{
    GetTransactionByCallbackIdRequest, GetTransactionByCallbackIdResponse,
    GetTransactionByIdRequest, GetTransactionByIdResponse, GetTransactionsByBatchIdRequest,
    GetTransactionsByBatchIdResponse, GetTransactionsByCustomerAndClientRefDataRequest,
    GetTransactionsByCustomerAndClientRefDataResponse, GetTransactionsByTypeRequest,
    GetTransactionsByTypeResponse, TransactionInformation, UpdateTransactionMetadataRequest,
    UpdateTransactionMetadataResponse,
};

use super::super::TEST_AUTHENTICATION_KEY;
use super::super::model::{instant_ms, whole_seconds};
use super::*;

pub(crate) fn health(
    _st: &mut State,
    _cx: &Cx,
    _rq: CheckHealthStatusRequest,
) -> Answer<CheckHealthStatusResponse> {
    let response = CheckHealthStatusResponse::new().with_is_alive(true);
    Ok(success(response))
}

/// (TokenType, CreditCard, Eft) of a saved payment method.
fn token_details(token: &Token) -> (TokenType, Option<TokenCreditCardInfo>, Option<TokenEftInfo>) {
    let last_four = token.method.last_four();
    match &token.method {
        Method::Card(card) => (
            TokenType::CreditCard,
            Some(
                TokenCreditCardInfo::new()
                    .with_base_card_type(card.brand.clone())
                    .with_expiration_month(card.expiration_month)
                    .with_expiration_year(card.expiration_year)
                    .with_holder(card.holder.clone())
                    .with_last_four_digits(last_four)
                    .with_type(card.brand.clone()),
            ),
            None,
        ),
        Method::Eft(eft) => (
            TokenType::Eft,
            None,
            Some({
                let mut info = TokenEftInfo::new()
                    .with_last_four_digits(last_four)
                    .with_routing_number(eft.routing_number.clone())
                    .with_type(eft.account_type.clone());
                info.customer_name = eft.customer_name.clone();
                info
            }),
        ),
    }
}

pub(crate) fn token_info(st: &mut State, _cx: &Cx, rq: GetInfoRequest) -> Answer<GetInfoResponse> {
    let (_, token) = saved(st, rq.token.as_deref())?;
    let (token_type, credit_card, eft) = token_details(token);
    let mut response = GetInfoResponse::new()
        .with_token_type(token_type)
        .with_transaction_id(token.transaction_id.to_string());
    response.client_reference_data = token.client_reference_data.clone();
    response.credit_card = credit_card;
    response.eft = eft;
    Ok(success(response))
}

pub(crate) fn token_info_batch(
    st: &mut State,
    _cx: &Cx,
    rq: GetTokenInfoBatchRequest,
) -> Answer<GetTokenInfoBatchResponse> {
    let mut seen: Vec<&str> = Vec::new();
    let mut results = Vec::new();
    for text in rq.payment_tokens.iter().flatten().flatten() {
        let Some(text) = trimmed(Some(text.as_str())) else {
            continue;
        };
        if seen.contains(&text) {
            continue;
        }
        seen.push(text);
        let Some(token) = st.tokens.get(text) else {
            continue;
        };
        let (token_type, credit_card, eft) = token_details(token);
        let mut info = TokenInfo::new()
            .with_token_type(token_type)
            .with_transaction_id(token.transaction_id.to_string());
        info.client_reference_data = token.client_reference_data.clone();
        info.credit_card = credit_card;
        info.eft = eft;
        results.push(Some(info));
    }
    let response = GetTokenInfoBatchResponse::new().with_token_info_results(results);
    Ok(success(response))
}

pub(crate) fn remove_token(
    st: &mut State,
    cx: &Cx,
    rq: RemovePaymentTokenRequest,
) -> Answer<RemovePaymentTokenResponse> {
    let (token, saved_token) = saved(st, rq.token.as_deref())?;
    if let Some(customer) = trimmed(rq.customer_id.as_deref())
        && saved_token.customer_id.as_deref() != Some(customer)
    {
        return Err(fail_with(
            ResponseCode::IncorrectTransactionId,
            "The token was not saved for this CustomerId.",
        ));
    }
    let token = token.to_owned();
    let Some(removed) = st.tokens.remove(&token) else {
        return Err(token_not_found());
    };
    let kind = match removed.method {
        Method::Card(_) => TransactionType::RemoveSavedCreditCard,
        Method::Eft(_) => TransactionType::RemoveSavedEft,
    };
    let mut txn = Txn::new(kind, removed.method, cx.now_ms);
    txn.token = Some(token);
    txn.customer_id = removed.customer_id;
    txn.client_reference_data = removed.client_reference_data;
    st.record(txn);
    Ok(success(RemovePaymentTokenResponse::default()))
}

fn transaction_not_found(what: &str) -> Fail {
    fail_with(
        ResponseCode::IncorrectTransactionId,
        &format!("No transaction has this {what}."),
    )
}

pub(crate) fn transaction_by_id(
    st: &mut State,
    cx: &Cx,
    rq: GetTransactionByIdRequest,
) -> Answer<GetTransactionByIdResponse> {
    let txn = st
        .find(rq.transaction_id.as_deref())
        .ok_or_else(|| transaction_not_found("TransactionId"))?;
    let response =
        GetTransactionByIdResponse::new().with_transaction_information(txn.information(cx.xml));
    Ok(success(response))
}

pub(crate) fn transaction_by_callback_id(
    st: &mut State,
    cx: &Cx,
    rq: GetTransactionByCallbackIdRequest,
) -> Answer<GetTransactionByCallbackIdResponse> {
    let callback = rq
        .callback_id
        .as_deref()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| transaction_not_found("CallbackId"))?;
    let txn = st
        .transactions
        .iter()
        .rev()
        .find(|t| t.callback_id.as_deref() == Some(callback))
        .ok_or_else(|| transaction_not_found("CallbackId"))?;
    let response = GetTransactionByCallbackIdResponse::new()
        .with_transaction_information(txn.information(cx.xml));
    Ok(success(response))
}

/// Whether the query's authentication keys include the merchant's: absent or empty is refused
/// (the seed marks them Required).
fn own_key_queried(keys: Option<&Vec<Option<SecretString>>>) -> Answer<bool> {
    let keys: Vec<&str> = keys
        .into_iter()
        .flatten()
        .filter_map(|k| trimmed(exposed(k.as_ref())))
        .collect();
    if keys.is_empty() {
        return Err(fail_with(
            ResponseCode::GatewayInternalError,
            "QueryAuthenticationKeys is required: list the authentication keys whose \
             transactions to return.",
        ));
    }
    Ok(keys.contains(&TEST_AUTHENTICATION_KEY))
}

fn status_matches(statuses: Option<&Vec<TransactionStatus>>, txn: &Txn) -> bool {
    statuses.is_none_or(|s| s.is_empty() || s.contains(&txn.status))
}

fn list(txns: Vec<&Txn>, cx: &Cx) -> Vec<Option<TransactionInformation>> {
    txns.into_iter()
        .map(|t| Some(t.information(cx.xml)))
        .collect()
}

pub(crate) fn transactions_by_batch(
    st: &mut State,
    cx: &Cx,
    rq: GetTransactionsByBatchIdRequest,
) -> Answer<GetTransactionsByBatchIdResponse> {
    let own = own_key_queried(rq.query_authentication_keys.as_ref())?;
    let batch: i32 = trimmed(rq.batch_id.as_deref())
        .and_then(|b| b.parse().ok())
        .ok_or_else(|| {
            fail_with(
                ResponseCode::GatewayInternalError,
                "BatchId must be a batch number.",
            )
        })?;
    let found = st
        .transactions
        .iter()
        .filter(|t| {
            own && batch > 0
                && t.batch == batch
                && status_matches(rq.transaction_statuses.as_ref(), t)
        })
        .collect();
    let response = GetTransactionsByBatchIdResponse::new().with_transactions(list(found, cx));
    Ok(success(response))
}

pub(crate) fn transactions_by_type(
    st: &mut State,
    cx: &Cx,
    rq: GetTransactionsByTypeRequest,
) -> Answer<GetTransactionsByTypeResponse> {
    let types = rq.types.unwrap_or_default();
    if types.is_empty() {
        return Err(fail_with(
            ResponseCode::GatewayInternalError,
            "Types is required: list one or more transaction types.",
        ));
    }
    let own = own_key_queried(rq.query_authentication_keys.as_ref())?;
    let (start, end) = (instant_ms(&rq.start_date), instant_ms(&rq.end_date));
    let found = st
        .transactions
        .iter()
        .filter(|t| {
            own && types.contains(&t.kind)
                && status_matches(rq.transaction_statuses.as_ref(), t)
                && (start..=end).contains(&whole_seconds(t.at_ms))
                && rq.after_transaction_id.is_none_or(|after| t.id > after)
        })
        .collect();
    let response = GetTransactionsByTypeResponse::new().with_transactions(list(found, cx));
    Ok(success(response))
}

/// Whether every ClientReferenceData field the query sets (not empty) is the transaction's.
fn client_ref_matches(query: Option<&ClientReferenceData>, txn: &Txn) -> bool {
    let Some(q) = query else {
        return true;
    };
    let have = txn.client_reference_data.clone().unwrap_or_default();
    [
        (&q.client_reference_data1, &have.client_reference_data1),
        (&q.client_reference_data2, &have.client_reference_data2),
        (&q.client_reference_data3, &have.client_reference_data3),
        (&q.client_reference_data4, &have.client_reference_data4),
        (&q.client_reference_data5, &have.client_reference_data5),
    ]
    .into_iter()
    .all(|(want, have)| trimmed(want.as_deref()).is_none_or(|w| have.as_deref() == Some(w)))
}

pub(crate) fn transactions_by_customer(
    st: &mut State,
    cx: &Cx,
    rq: GetTransactionsByCustomerAndClientRefDataRequest,
) -> Answer<GetTransactionsByCustomerAndClientRefDataResponse> {
    let customer = trimmed(rq.customer_id.as_deref()).ok_or_else(|| {
        fail_with(
            ResponseCode::GatewayInternalError,
            "CustomerId is required.",
        )
    })?;
    let (start, end) = (instant_ms(&rq.start_date), instant_ms(&rq.end_date));
    let types = rq.transaction_types.unwrap_or_default();
    let offset = usize::try_from(rq.offset).unwrap_or(0);
    let limit = usize::try_from(rq.limit)
        .ok()
        .filter(|l| *l > 0)
        .unwrap_or(usize::MAX);
    let found = st
        .transactions
        .iter()
        .filter(|t| {
            t.customer_id.as_deref() == Some(customer)
                && (start..=end).contains(&whole_seconds(t.at_ms))
                && (types.is_empty() || types.contains(&t.kind))
                && status_matches(rq.transaction_statuses.as_ref(), t)
                && client_ref_matches(rq.client_reference_data.as_ref(), t)
        })
        .skip(offset)
        .take(limit)
        .collect();
    let response =
        GetTransactionsByCustomerAndClientRefDataResponse::new().with_transactions(list(found, cx));
    Ok(success(response))
}

pub(crate) fn update_metadata(
    st: &mut State,
    _cx: &Cx,
    rq: UpdateTransactionMetadataRequest,
) -> Answer<UpdateTransactionMetadataResponse> {
    let txn = st
        .get_mut(rq.transaction_id)
        .ok_or_else(|| transaction_not_found("TransactionId"))?;
    if let Some(new) = rq.client_reference_data {
        let current = txn
            .client_reference_data
            .get_or_insert_with(Default::default);
        let updates = [
            (
                &mut current.client_reference_data1,
                new.client_reference_data1,
            ),
            (
                &mut current.client_reference_data2,
                new.client_reference_data2,
            ),
            (
                &mut current.client_reference_data3,
                new.client_reference_data3,
            ),
            (
                &mut current.client_reference_data4,
                new.client_reference_data4,
            ),
            (
                &mut current.client_reference_data5,
                new.client_reference_data5,
            ),
        ];
        for (field, value) in updates {
            if value.is_some() {
                *field = value;
            }
        }
        let updated = txn.clone();
        st.index_for_duplicates(&updated);
    }
    Ok(success(UpdateTransactionMetadataResponse::default()))
}
