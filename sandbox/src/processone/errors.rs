//! The ProcessOne simulator's error shapes: a failure answered as the operation's response
//! contract with only `ResponseCode` and `Message` ([`Fail`]), and the plain-text answers of
//! the HTTP layer ([`Plain`]), which also answers a bad sandbox clock.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use payspec_processone::ResponseCode;

use crate::common::clock::ClockFault;

/// A failure answered before anything is recorded: the operation's response contract with only
/// `ResponseCode` and `Message` set.
#[derive(Debug)]
pub(crate) struct Fail {
    pub(crate) code: ResponseCode,
    pub(crate) message: String,
}

pub(crate) fn fail(code: ResponseCode, message: impl Into<String>) -> Fail {
    Fail {
        code,
        message: message.into(),
    }
}

/// The seed's "Response Code Definitions" wording of a code (the `Message` of failures that
/// no test table words).
pub(crate) fn definition(code: &ResponseCode) -> &'static str {
    match code {
        ResponseCode::Success => "Success",
        ResponseCode::InvalidAuthenticationKey => {
            "Invalid Authentication Key. This key will be assigned to you by One Inc."
        }
        ResponseCode::IncorrectValidationValue => "The CVV2 code is invalid.",
        ResponseCode::IncorrectTransactionId => {
            "Indicates that the transactionID that you are sending for a refund or void is not a \
             valid transaction or cannot be found."
        }
        ResponseCode::InvalidCardNumber => {
            "This is an invalid card number. Can also indicate that this is a closed account."
        }
        ResponseCode::CardExpired => "The Card is Expired.",
        ResponseCode::CardTypeNotAccepted => "The card type provided is not supported.",
        ResponseCode::InvalidRoutingNumber => "You have sent in an invalid Routing Number.",
        ResponseCode::InvalidAccountNumber => "You have sent in an invalid Account Number.",
        ResponseCode::InvalidEFTAmount => "Amount must be greater than $0.",
        ResponseCode::EFTCustomerNameMissing => {
            "When processing an EFT, you must supply the customer name or you will receive this \
             error."
        }
        ResponseCode::CreditCardCustomerNameMissing => {
            "When saving a credit card you must provide the customer name."
        }
        ResponseCode::CreditCardVoidFailed => {
            "The voiding of the credit card transaction has failed."
        }
        ResponseCode::BatchHasBeenClosed => {
            "This error message is returned when you attempt to void a transaction when the batch \
             has already been closed."
        }
        ResponseCode::InvalidCreditCardAmount => {
            "You have sent in an invalid amount for credit card transaction. Usually occurs when \
             sending in a zero dollar amount."
        }
        ResponseCode::DuplicateTransaction => {
            "A duplicate payment has been entered into the system with the same Amount, Last 4, \
             PolicyNumber (ClientRefData1) in the configured specified amount of time. Default is \
             2 min but this can be changed. Please contact support team to change this amount."
        }
        ResponseCode::InvalidZipcode => "An invalid zip code was passed.",
        ResponseCode::InvalidExpirationDate => "An invalid expiration date was passed.",
        ResponseCode::UnableToRefundTransaction => "Transaction has already been refunded.",
        ResponseCode::InvalidPartialRefundAmount => {
            "An attempt was made to refund more than the original payment."
        }
        ResponseCode::BatchHasNotBeenClosed => {
            "You have attempted to refund a payment but the batch has not closed. You should void \
             payment instead."
        }
        _ => {
            "This generic error can happen for different reasons. The error description will \
             contain more detailed information as to the core of the problem."
        }
    }
}

/// A failure with the code's definition followed by `detail`.
pub(crate) fn fail_with(code: ResponseCode, detail: &str) -> Fail {
    let message = format!("{} {detail}", definition(&code));
    fail(code, message)
}

/// An answer in plain text, as the service's HTTP layer gives: for requests it cannot bind to
/// a contract, and unknown routes.
pub(super) struct Plain(StatusCode, String);

impl IntoResponse for Plain {
    fn into_response(self) -> Response {
        (
            self.0,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            self.1,
        )
            .into_response()
    }
}

impl From<ClockFault> for Plain {
    fn from(fault: ClockFault) -> Self {
        Plain(
            StatusCode::BAD_REQUEST,
            format!("X-Sandbox-Now: {}", fault.why),
        )
    }
}

pub(super) fn plain(status: StatusCode, text: String) -> Response {
    Plain(status, text).into_response()
}
