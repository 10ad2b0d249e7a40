//! What the simulator needs of the generated contracts: the request's `AuthenticationKey`,
//! the checks beyond their readers, setting a response's outcome, and the request's context.

use payspec_processone::ResponseCode;
use payspec_processone::contracts::credit_card::{
    ChargeCreditCardRequest, ChargeCreditCardResponse, ConvenienceFeeRequest,
    ConvenienceFeeResponse, GetAcceptedCardTypesRequest, GetAcceptedCardTypesResponse,
    GetCardDataRequest, GetCardDataResponse, GetCardUpdatesRequest, GetCardUpdatesResponse,
    RefundCreditCardRequest, RefundCreditCardResponse, SaveCreditCardRequest,
    SaveCreditCardResponse, UpdateCreditCardRequest, UpdateCreditCardResponse,
    VerifyCreditCardRequest, VerifyCreditCardResponse, VoidCreditCardRequest,
    VoidCreditCardResponse,
};
use payspec_processone::contracts::eft::{
    self, CreditEftRequest, CreditEftResponse, DebitEftRequest, DebitEftResponse, EftDetails,
    GetBankDataRequest, GetBankDataResponse, RefundEftRequest, RefundEftResponse, SaveEftRequest,
    SaveEftResponse, VerifyBankAccountRequest, VerifyBankAccountResponse, VoidEftRequest,
    VoidEftResponse,
};
use payspec_processone::contracts::health_status::{
    CheckHealthStatusRequest, CheckHealthStatusResponse,
};
use payspec_processone::contracts::payment_token::{
    GetInfoRequest, GetInfoResponse, GetTokenInfoBatchRequest, GetTokenInfoBatchResponse,
    RemovePaymentTokenRequest, RemovePaymentTokenResponse,
};
use payspec_processone::contracts::transaction::{
    GetTransactionByCallbackIdRequest, GetTransactionByCallbackIdResponse,
    GetTransactionByIdRequest, GetTransactionByIdResponse, GetTransactionsByBatchIdRequest,
    GetTransactionsByBatchIdResponse, GetTransactionsByCustomerAndClientRefDataRequest,
    GetTransactionsByCustomerAndClientRefDataResponse, GetTransactionsByTypeRequest,
    GetTransactionsByTypeResponse, UpdateTransactionMetadataRequest,
    UpdateTransactionMetadataResponse,
};
use payspec_runtime::dcs::{DataContract, DcsEnum};
use payspec_runtime::{DateTime, SecretString};
use serde_json::Value;

use super::model::{pacific, shown};

/// What an operation needs to know about its request besides the body.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cx {
    /// "Now", in milliseconds since 1970 (UTC).
    pub(crate) now_ms: i64,
    /// Whether the answer is XML (dates are written differently).
    pub(crate) xml: bool,
}

impl Cx {
    /// A date-time of the answer.
    pub(crate) fn date(&self, utc_ms: i64) -> DateTime {
        shown(utc_ms, self.xml)
    }

    /// The merchant's time zone name at `utc_ms`.
    pub(crate) fn zone(&self, utc_ms: i64) -> String {
        pacific(utc_ms).1.to_owned()
    }
}

/// A request contract: it carries the `AuthenticationKey`.
pub(crate) trait Keyed {
    /// `AuthenticationKey`.
    fn key(&self) -> Option<&SecretString>;
}

/// A request contract, with what the simulator checks beyond its reader.
pub(crate) trait RequestContract: DataContract + Keyed {
    /// What the spec refuses that the contract's reader accepts: enum values it does not list,
    /// date-times with more than 7 fraction digits.
    fn problems(&self) -> Vec<String> {
        Vec::new()
    }

    /// Defaults a JSON request gets for members it leaves out (`raw` is the body).
    fn json_defaults(&mut self, _raw: &Value) {}
}

/// A response contract: `ResponseCode` and `Message` can be set.
pub(crate) trait Coded: DataContract {
    fn set_outcome(&mut self, code: &ResponseCode, message: &str);
}

macro_rules! coded {
    ($($t:ty),* $(,)?) => {
        $(
            impl Coded for $t {
                fn set_outcome(&mut self, code: &ResponseCode, message: &str) {
                    self.response_code = Some(code.as_str().to_owned());
                    self.message = Some(message.to_owned());
                }
            }
        )*
    };
}

coded!(
    GetInfoResponse,
    GetTokenInfoBatchResponse,
    RemovePaymentTokenResponse,
    SaveCreditCardResponse,
    UpdateCreditCardResponse,
    ChargeCreditCardResponse,
    VoidCreditCardResponse,
    RefundCreditCardResponse,
    VerifyCreditCardResponse,
    GetCardDataResponse,
    ConvenienceFeeResponse,
    GetAcceptedCardTypesResponse,
    GetCardUpdatesResponse,
    CheckHealthStatusResponse,
    GetTransactionByIdResponse,
    GetTransactionByCallbackIdResponse,
    GetTransactionsByBatchIdResponse,
    GetTransactionsByTypeResponse,
    UpdateTransactionMetadataResponse,
    GetTransactionsByCustomerAndClientRefDataResponse,
    SaveEftResponse,
    CreditEftResponse,
    DebitEftResponse,
    VoidEftResponse,
    RefundEftResponse,
    VerifyBankAccountResponse,
    GetBankDataResponse,
    eft::ConvenienceFeeResponse,
);

macro_rules! keyed {
    ($($t:ty),* $(,)?) => {
        $(
            impl Keyed for $t {
                fn key(&self) -> Option<&SecretString> {
                    self.authentication_key()
                }
            }
        )*
    };
}

/// Every request contract carries the key; the `plain` ones need no checks beyond their
/// reader (the `checked` ones implement [`RequestContract`] by hand).
macro_rules! requests {
    (plain: $($plain:ty),* ; checked: $($checked:ty),* $(,)?) => {
        keyed!($($plain,)* $($checked,)*);
        $(impl RequestContract for $plain {})*
    };
}

requests!(
    plain:
    GetInfoRequest,
    GetTokenInfoBatchRequest,
    RemovePaymentTokenRequest,
    SaveCreditCardRequest,
    VoidCreditCardRequest,
    RefundCreditCardRequest,
    VerifyCreditCardRequest,
    GetCardDataRequest,
    ConvenienceFeeRequest,
    GetAcceptedCardTypesRequest,
    CheckHealthStatusRequest,
    GetTransactionByIdRequest,
    GetTransactionByCallbackIdRequest,
    UpdateTransactionMetadataRequest,
    VoidEftRequest,
    RefundEftRequest,
    GetBankDataRequest,
    eft::ConvenienceFeeRequest;
    checked:
    ChargeCreditCardRequest,
    UpdateCreditCardRequest,
    GetCardUpdatesRequest,
    GetTransactionsByBatchIdRequest,
    GetTransactionsByTypeRequest,
    GetTransactionsByCustomerAndClientRefDataRequest,
    SaveEftRequest,
    CreditEftRequest,
    DebitEftRequest,
    VerifyBankAccountRequest,
);

pub(super) fn enum_problem<E: DcsEnum>(path: &str, value: &E, out: &mut Vec<String>) {
    if value.known().is_none() {
        let shown = value
            .as_unknown()
            .map(ToString::to_string)
            .unwrap_or_default();
        out.push(format!(
            "{path}: {shown} is not a value of {}",
            E::ENUM_NAME
        ));
    }
}

pub(super) fn enum_list_problems<E: DcsEnum>(
    path: &str,
    values: Option<&Vec<E>>,
    out: &mut Vec<String>,
) {
    for (i, value) in values.into_iter().flatten().enumerate() {
        enum_problem(&format!("{path}[{i}]"), value, out);
    }
}

pub(super) fn date_problem(path: &str, value: &DateTime, out: &mut Vec<String>) {
    if value.fraction_digits() > 7 {
        out.push(format!(
            "{path}: an xs:dateTime has at most 7 fraction digits"
        ));
    }
}

pub(super) fn eft_details_problems(details: Option<&EftDetails>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(d) = details {
        enum_problem("EftDetails.Type", &d.r#type, &mut out);
    }
    out
}

impl RequestContract for ChargeCreditCardRequest {
    fn json_defaults(&mut self, raw: &Value) {
        let given = raw
            .as_object()
            .is_some_and(|o| o.keys().any(|k| k.eq_ignore_ascii_case("ChargeFee")));
        if !given {
            self.charge_fee = true;
        }
    }
}

impl RequestContract for UpdateCreditCardRequest {
    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        enum_problem(
            "CreditCardNetworkType",
            &self.credit_card_network_type,
            &mut out,
        );
        out
    }
}

impl RequestContract for GetCardUpdatesRequest {
    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        date_problem("StartDate", &self.start_date, &mut out);
        date_problem("EndDate", &self.end_date, &mut out);
        out
    }
}

impl RequestContract for GetTransactionsByBatchIdRequest {
    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        enum_list_problems(
            "TransactionStatuses",
            self.transaction_statuses.as_ref(),
            &mut out,
        );
        out
    }
}

impl RequestContract for GetTransactionsByTypeRequest {
    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        enum_list_problems("Types", self.types.as_ref(), &mut out);
        enum_list_problems(
            "TransactionStatuses",
            self.transaction_statuses.as_ref(),
            &mut out,
        );
        date_problem("StartDate", &self.start_date, &mut out);
        date_problem("EndDate", &self.end_date, &mut out);
        out
    }
}

impl RequestContract for GetTransactionsByCustomerAndClientRefDataRequest {
    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        enum_list_problems(
            "TransactionTypes",
            self.transaction_types.as_ref(),
            &mut out,
        );
        enum_list_problems(
            "TransactionStatuses",
            self.transaction_statuses.as_ref(),
            &mut out,
        );
        date_problem("StartDate", &self.start_date, &mut out);
        date_problem("EndDate", &self.end_date, &mut out);
        out
    }
}

impl RequestContract for SaveEftRequest {
    fn problems(&self) -> Vec<String> {
        eft_details_problems(self.eft_details.as_ref())
    }
}

impl RequestContract for CreditEftRequest {
    fn problems(&self) -> Vec<String> {
        eft_details_problems(self.eft_details.as_ref())
    }
}

impl RequestContract for DebitEftRequest {
    fn problems(&self) -> Vec<String> {
        let mut out = eft_details_problems(self.eft_details.as_ref());
        if let Some(origination) = &self.transaction_origination {
            enum_problem("TransactionOrigination", origination, &mut out);
        }
        out
    }
}

impl RequestContract for VerifyBankAccountRequest {
    fn problems(&self) -> Vec<String> {
        eft_details_problems(self.eft_details.as_ref())
    }
}

pub(super) fn coded_only<Rs: Coded>(code: &ResponseCode, message: &str) -> Rs {
    let mut response = Rs::default();
    response.set_outcome(code, message);
    response
}
