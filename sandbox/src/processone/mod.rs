//! The OneInc ProcessOne simulator: the 28 operations of `specs/processone/openapi.yaml`, in
//! JSON and in DataContract XML, with state (transactions, batches, saved payment tokens) and
//! the test data of the seed's "Test Data" section ([`testdata`]), over the generated contracts
//! of `payspec-processone` (requests are read with their `from_json` / `from_xml`, answers
//! written with `to_json` / `to_xml`, so the XML is DataContractSerializer's layout).
//!
//! # Routes
//!
//! Every operation is `POST /api/<Area>/<Operation>` (matched ignoring case, as ASP.NET routes
//! are); the body is the operation's request contract, the answer its response contract.
//!
//! | Route | Request → response | What it does |
//! |---|---|---|
//! | `/api/PaymentToken/GetInfo` | `GetInfoRequest` → `GetInfoResponse` | The saved card or bank account of `Token`, its `ClientReferenceData` and the id of the transaction that saved it. |
//! | `/api/PaymentToken/GetTokenInfoBatch` | `GetTokenInfoBatchRequest` → `GetTokenInfoBatchResponse` | The same for each of `PaymentTokens`, in request order; unknown tokens and repeats are left out. |
//! | `/api/PaymentToken/Remove` | `RemovePaymentTokenRequest` → `RemovePaymentTokenResponse` | Deletes the token (a `RemoveSavedCreditCard` / `RemoveSavedEft` transaction is recorded). |
//! | `/api/CreditCard/Save` | `SaveCreditCardRequest` → `SaveCreditCardResponse` | Tokenizes a card (`SaveCreditCard` transaction). |
//! | `/api/CreditCard/Update` | `UpdateCreditCardRequest` → `UpdateCreditCardResponse` | Changes a saved card's expiration, ZIP, address, network type. |
//! | `/api/CreditCard/Charge` | `ChargeCreditCardRequest` → `ChargeCreditCardResponse` | Charges a card or a card token. |
//! | `/api/CreditCard/Void` | `VoidCreditCardRequest` → `VoidCreditCardResponse` | Voids a charge of the open batch. |
//! | `/api/CreditCard/Refund` | `RefundCreditCardRequest` → `RefundCreditCardResponse` | Refunds (part of) a charge of a closed batch. |
//! | `/api/CreditCard/Verify` | `VerifyCreditCardRequest` → `VerifyCreditCardResponse` | Checks a card (`VerifyCreditCard` transaction). |
//! | `/api/CreditCard/GetCardData` | `GetCardDataRequest` → `GetCardDataResponse` | Brand and network type of a card number. |
//! | `/api/CreditCard/GetConvenienceFee` | `CreditCard.ConvenienceFeeRequest` → `CreditCard.ConvenienceFeeResponse` | The card fee of an amount. |
//! | `/api/CreditCard/GetAcceptedCardTypes` | `GetAcceptedCardTypesRequest` → `GetAcceptedCardTypesResponse` | Visa, MasterCard, AmericanExpress, Discover. |
//! | `/api/CreditCard/GetCardUpdates` | `GetCardUpdatesRequest` → `GetCardUpdatesResponse` | Always an empty `CardData` list (the sandbox has no card updater). |
//! | `/api/HealthStatus/Check` | `CheckHealthStatusRequest` → `CheckHealthStatusResponse` | `IsAlive: true`. |
//! | `/api/Transaction/GetTransactionById` | `GetTransactionByIdRequest` → `GetTransactionByIdResponse` | One transaction by id. |
//! | `/api/Transaction/GetTransactionByCallbackId` | `GetTransactionByCallbackIdRequest` → `GetTransactionByCallbackIdResponse` | The latest transaction sent with that `CallbackId` (matched exactly). |
//! | `/api/Transaction/GetTransactionsByBatchId` | `GetTransactionsByBatchIdRequest` → `GetTransactionsByBatchIdResponse` | The transactions of a batch, optionally of some statuses. |
//! | `/api/Transaction/GetTransactionsByType` | `GetTransactionsByTypeRequest` → `GetTransactionsByTypeResponse` | The transactions of some types within `StartDate`..=`EndDate`, optionally of some statuses, after `AfterTransactionId`. |
//! | `/api/Transaction/UpdateTransactionMetadata` | `UpdateTransactionMetadataRequest` → `UpdateTransactionMetadataResponse` | Sets the `ClientReferenceData` fields the request gives (not null); the others keep their values. |
//! | `/api/Transaction/GetTransactionsByCustomerAndClientRefData` | `GetTransactionsByCustomerAndClientRefDataRequest` → `GetTransactionsByCustomerAndClientRefDataResponse` | The transactions of `CustomerId` within the dates, filtered by types, statuses and the `ClientReferenceData` fields given; `Offset` rows skipped, at most `Limit` (≤ 0: no limit). |
//! | `/api/Eft/Save` | `SaveEftRequest` → `SaveEftResponse` | Tokenizes a bank account (`SaveEft` transaction). |
//! | `/api/Eft/Credit` | `CreditEftRequest` → `CreditEftResponse` | Pays a bank account (`CreditEft`). |
//! | `/api/Eft/Debit` | `DebitEftRequest` → `DebitEftResponse` | Debits a bank account or an EFT token. |
//! | `/api/Eft/Void` | `VoidEftRequest` → `VoidEftResponse` | Voids a credit or debit of the open batch. |
//! | `/api/Eft/Refund` | `RefundEftRequest` → `RefundEftResponse` | Refunds (part of) a credit or debit of a closed batch. |
//! | `/api/Eft/VerifyBankAccount` | `VerifyBankAccountRequest` → `VerifyBankAccountResponse` | The bank account validation table; `ServerReferenceData1` is the outcome's description (`VerifyBankAccount` transaction). |
//! | `/api/Eft/GetBankData` | `GetBankDataRequest` → `GetBankDataResponse` | The bank of a routing number ([`testdata::BANKS`]). |
//! | `/api/Eft/GetConvenienceFee` | `Eft.ConvenienceFeeRequest` → `Eft.ConvenienceFeeResponse` | The EFT fee. |
//!
//! Sandbox-only routes (not in the spec):
//!
//! - `POST /sandbox/batches/close` (no body) closes the open batch and opens the next one; it
//!   answers `200` JSON `{"batchNumber": <the closed batch>, "transactions": <how many
//!   transactions it holds>}`. Batches are numbered from 1; batch 1 is open when the sandbox
//!   starts.
//! - The request header `X-Sandbox-Now: <RFC 3339 date-time>` ([`NOW_HEADER`]) sets "now" for
//!   that request (transaction dates, token times, expiration checks, the duplicate window); a
//!   date-time without an offset is read as UTC. Without it, the system clock. A value that does
//!   not parse is `400` (plain text).
//!
//! # Formats
//!
//! - The request is XML when its `Content-Type` is `application/xml`, `text/xml` or `…+xml`;
//!   anything else (or none) is read as JSON (keys matched ignoring case, unknown members
//!   ignored, as Json.NET does).
//! - The answer is in the format `Accept` names (the acceptable range with the highest `q` that
//!   names json or xml; `*/*` names neither), else in the request's format, with
//!   `Content-Type: application/json; charset=utf-8` or `application/xml; charset=utf-8`.
//! - Dates are written as the service writes them: in the merchant's time zone (US Pacific,
//!   `TimeZone` `PST` or `PDT`, by the US rules of 2007 for every year). JSON as Json.NET writes
//!   them (`2019-11-19T10:52:07`: whole seconds, no offset), XML as DataContractSerializer
//!   writes a local date (`2019-11-19T10:52:08.214-08:00`: fraction trimmed, with the offset).
//!   Request dates without an offset are Pacific local times; with one, that instant. Date
//!   ranges (`StartDate`..=`EndDate`) are inclusive and compare whole seconds.
//! - Amounts are `rust_decimal::Decimal` throughout, written with the scale they were sent with
//!   (`20.00` stays `20.00`); computed amounts (fees) have two decimal places.
//!
//! # Errors
//!
//! Business outcomes, failures included, are HTTP 200 with the operation's response contract,
//! its `ResponseCode` and a `Message` (the test table's description for a test-data outcome, else
//! the seed's "Response Code Definitions" wording followed by what was wrong). A request is
//! checked in this order:
//!
//! 1. `X-Sandbox-Now`, if present, must parse (else `400`).
//! 2. The body must read as the operation's request contract in its format, and hold what the
//!    spec allows: not JSON / XML, the wrong root element, a member of the wrong type, a null
//!    where the contract has no null, XML members out of order or in the wrong namespace, an enum
//!    value the spec does not list (a JSON integer or an XML name), or a date-time with more than
//!    7 fraction digits. Decision: the real ASP.NET Web API service cannot bind such a body to
//!    its contract (its request object is null), which it does not turn into a contract answer;
//!    the sandbox answers `400` with a `text/plain` body naming the problem (the spec's `default`
//!    response: "the body is not a contract"), never a 5xx. XML members after their slot or in
//!    another namespace than their declaring class's are among these: the real
//!    DataContractSerializer silently drops them (an `Amount` read as 0, a key lost), and the
//!    sandbox refuses them so that the client's encoding bug shows. (A consequence: XML that
//!    follows only the OpenAPI document's `xml` hints, which cannot say a base-class member's
//!    namespace, such as a fuzzer's, is refused.)
//! 3. `AuthenticationKey` must be [`TEST_AUTHENTICATION_KEY`], else `200` with the operation's
//!    response contract and `InvalidAuthenticationKey` (checked before anything else).
//! 4. The operation's own checks (below), then the test data.
//!
//! An unknown path is `404` (plain text), another method than `POST` `405` (no body), a body
//! over 2 MB `413`.
//!
//! # Decisions (where the seed leaves a choice)
//!
//! Test data: [`testdata`] holds every table of the seed's "Test Data" section, with the rows'
//! wording and the decisions on its ambiguities (unlisted amounts succeed; the hybrid cards
//! process as their base brand; the void / refund table applies to both operations; $0.00 is
//! Success only for account 1234567890; the mislabelled 1234567897 / 1234567898 rows are void /
//! refund outcomes).
//!
//! Cards (`Charge`, `Save`, `Verify`; checked in this order):
//! - `Amount` (charge) must be > 0 with at most two decimal places → else
//!   `InvalidCreditCardAmount`. There is no maximum amount (the amount table says "any not
//!   listed amount" succeeds).
//! - A non-empty `Token` is used when given (as the seed says, even if `CreditCard` is sent too):
//!   an unknown token, or a bank account token, → `IncorrectTransactionId` (the code the seed
//!   gives token look-ups); a saved card that has expired since → `CardExpired`. Neither a token
//!   nor a card → `InvalidCardNumber`.
//! - Card number: 12–19 digits passing the Luhn check (surrounding spaces ignored), else
//!   `InvalidCardNumber`. Brand by prefix (Visa 4; MasterCard 51–55, 2221–2720; American Express
//!   34, 37; Discover 6011, 644–649, 65); any other → `CardTypeNotAccepted`.
//! - Expiration: month 1–12 and year 2000–2099, else `InvalidExpirationDate`; a month before the
//!   current one (Pacific time) → `CardExpired`.
//! - CVV2 (`ValidationValue`, optional), charges only: 3 digits (4 for American Express), else
//!   `IncorrectValidationValue`.
//! - `Holder.Name` empty → `CreditCardCustomerNameMissing`; `Holder.Zip`, when given, must be 5
//!   digits or ZIP+4, else `InvalidZipcode`.
//! - Then the charge: duplicate detection (below), then the test tables: the per-card tables,
//!   else the card + amount table for its four cards, else Success. Every other valid card of an
//!   accepted brand (4111111111111111, the hybrid cards, any Luhn-valid number) succeeds.
//! - `Save` and `Verify` run the same checks except CVV2 (their documented codes do not include
//!   `IncorrectValidationValue`); `Save` then answers the Save table (every other card saves).
//!   `Verify` does not use the charge tables.
//!
//! Transactions:
//! - Ids are numbers, as in the seed (`"1577"`): a per-sandbox counter from
//!   [`FIRST_TRANSACTION_ID`] (`UpdateTransactionMetadata` takes an `xs:int` id). Tokens are
//!   GUIDs and authorization codes six hex digits, both from a generator seeded once from the
//!   sandbox's [`Ids`], so a seed gives the same values for the same sequence of requests.
//! - A request refused by the checks above (or by the bank account validation, the batch rules,
//!   the refund amount rules) records nothing and its answer has no `TransactionId`. A payment
//!   that reaches processing is recorded whatever its outcome: a test-data failure or a detected
//!   duplicate is a `Failed` transaction whose id is in the answer (and in look-ups); success is
//!   `Successful`.
//! - Card charges are `ChargeCreditCard` (with the fee), `ChargeCreditCardNoFee` (`ChargeFee`
//!   false) or `RecurringChargeCreditCard` (`IsRecurring`); EFT debits `DebitEft`,
//!   `DebitEftNoFee` or `RecurringEft` the same way; credits `CreditEft`. Voids are
//!   `VoidCreditCard` / `VoidEft`, refunds `RefundCreditCard` / `RefundEft`, each with
//!   `InternalReferenceTransactionId` = the payment's id. Saves, verifications and removals are
//!   recorded too (`SaveCreditCard`, `SaveEft`, `VerifyCreditCard`, `VerifyBankAccount`,
//!   `RemoveSavedCreditCard`, `RemoveSavedEft`), with amount 0.00 and batch 0 (they settle
//!   nothing).
//! - `TransactionInformation`: `OriginalAmount` the request's `Amount`, `PostedAmount` with the
//!   convenience fee; `AccountNumber` and `RoutingNumber` as sent (the seed's example shows them
//!   whole), `LastFourDigits` of the card or account, `InstanceName` [`INSTANCE_NAME`],
//!   `ProcessOneToken` the token used or created, `BankName` from [`testdata::BANKS`] (else
//!   null). `ReturnReasonType` / `ReturnReasonCode` are always null (nothing is returned).
//!
//! Batches, voids and refunds:
//! - Every payment, void and refund goes into the open batch (a void into its payment's batch,
//!   which is open by rule); `POST /sandbox/batches/close` closes it.
//! - Void: only of a `Successful` card charge (`CreditCard/Void`) or EFT credit or debit
//!   (`Eft/Void`). Unknown id, not a number, or a transaction of another kind →
//!   `IncorrectTransactionId`; a charge already voided or failed → `CreditCardVoidFailed` (EFT:
//!   `IncorrectTransactionId`, the only code the seed gives `VoidEFT` for it); a closed batch →
//!   `BatchHasBeenClosed`. Then the void / refund test tables; on success the payment becomes
//!   `Voided`. The void transaction's amount is the payment's posted amount.
//! - Refund: decision: the response-code table (`BatchHasNotBeenClosed`: "You should void payment
//!   instead") wins over the paragraph saying an unsettled refund is turned into a void, so a
//!   refund of a payment whose batch is still open → `BatchHasNotBeenClosed`. A payment that is
//!   not `Successful` (voided, failed) → `IncorrectTransactionId`. `PartialRefundAmount`
//!   absent: the rest of the payment is refunded; present: it must be > 0 with two decimal
//!   places (else `InvalidCreditCardAmount`; EFT `InvalidPartialRefundAmount`) and at most what
//!   is left (else `InvalidPartialRefundAmount`). Partial refunds are allowed (never
//!   `PartialRefundIsNotAllowed`). Refunds add up to at most the payment's `OriginalAmount` (the
//!   convenience fee is not refunded); once it is all refunded → `UnableToRefundTransaction`.
//!   The payment keeps its `Successful` status (the refunds are their own transactions).
//!
//! Duplicate detection: a card charge (or an EFT debit, or an EFT credit, each within its own
//! kind) with the same `Amount`, the same last four digits and the same `ClientReferenceData1`
//! (absent equals absent) as a `Successful` one less than 2 minutes ([`DUPLICATE_WINDOW_MS`])
//! before or after it (by the requests' clocks) → `DuplicateTransaction`, recorded as `Failed`.
//! Refunds are not checked (they carry no `ClientReferenceData`).
//!
//! Convenience fees (one fee schedule, `ConvenienceFeeType` absent, empty or `Default`; any
//! other type → `GatewayInternalError`):
//! - Cards: [`CARD_FEE_PERCENT`] % of the amount, rounded half away from zero to the cent, at
//!   least [`CARD_FEE_MINIMUM`] (`CalculationType` `Percent`, `Percent` 3.00, `MinimumAmount`
//!   1.00). `CreditCard/Charge` adds it to `PostedAmount` when `ChargeFee` is true. `ChargeFee`
//!   defaults to true when a JSON request leaves it out (Json.NET keeps the contract's default);
//!   an XML request without it reads false, as DataContractSerializer (which runs no
//!   constructor) reads it.
//! - EFT: a flat [`EFT_FEE_FLAT`] (`CalculationType` `FlatRate`), added by `Eft/Debit` when
//!   `ChargeFee` is true (default false). `Eft/Credit` has no fee.
//! - Amount 0 or less → `InvalidCreditCardAmount` / `InvalidEFTAmount`.
//!
//! EFT (`Save`, `Credit`, `Debit`, `VerifyBankAccount`):
//! - A non-empty `Token` is used when given (unknown, or a card token → `IncorrectTransactionId`),
//!   else `EftDetails` (absent → `InvalidAccountNumber`).
//! - `RoutingNumber`: 9 digits with a valid ABA check digit, else `InvalidRoutingNumber`
//!   ("any valid routing number shall be used"); `AccountNumber`: 4–17 digits, else
//!   `InvalidAccountNumber`; `CustomerName` empty → `EFTCustomerNameMissing` (not for
//!   `VerifyBankAccount`). `Type` is kept as sent.
//! - `Amount` must be ≥ 0 with two decimal places, and 0 only for account 1234567890 (else
//!   `InvalidEFTAmount`).
//! - The bank account validation table refuses its accounts in `Save` and `Debit` (unless
//!   `BypassBankAccountValidation`) and in `Credit` (which has no bypass); `VerifyBankAccount`
//!   answers it (recorded, `Failed` unless Success).
//! - Then duplicate detection, then the account and amount tables.
//!
//! Tokens: a token is created by `CreditCard/Save`, `Eft/Save`, and by a successful `Charge` /
//! `Debit` with `Save` true made with card or account details (a payment by token returns that
//! token). `GetInfo`'s `TransactionId` is the saving transaction. `Remove` with a `CustomerId`
//! that is not the token's → `IncorrectTransactionId`. `Update` of an unknown or EFT token →
//! `IncorrectTransactionId`; zero or null members are left unchanged; the resulting date must
//! not be past (`InvalidExpirationDate`); `InvalidZipcode` as above.
//!
//! Look-ups: an unknown id or callback id → `IncorrectTransactionId`.
//! `GetTransactionsByBatchId` and `GetTransactionsByType` need `QueryAuthenticationKeys` (the
//! seed marks it Required; absent or empty → `GatewayInternalError`) and list the sandbox's
//! transactions only when the list holds [`TEST_AUTHENTICATION_KEY`] (else an empty list). A
//! `BatchId` that is not a number → `GatewayInternalError`; a batch with no transactions gives
//! an empty list. `GetTransactionsByType` needs `Types` (absent or empty →
//! `GatewayInternalError`); `GetTransactionsByCustomerAndClientRefData` needs `CustomerId`.
//! Lists are in id order.
//!
//! `GetCardData`: the brand and the network type (the seed's hybrid cards `Hybrid`, the
//! `4444…` simulation cards `Debit` as in the seed's example, other cards of an accepted brand
//! `Credit`; an unaccepted brand is `Other` / `Unknown`); an invalid number →
//! `InvalidCardNumber`. `GetBankData`: the routing directory, else `InvalidRoutingNumber`.
//!
//! State lives in memory for the life of the [`crate::Sandbox`]. No request input can make the
//! simulator panic; a poisoned lock is recovered.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
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
use rust_decimal::Decimal;
use serde_json::Value;

use crate::common::clock::{Clock, ClockFault};
use crate::common::headers::{header_text, media_type};
use crate::common::store::Locked;
use crate::{Credentials, Ids};

mod model;
mod ops;
pub mod testdata;

pub use model::{DUPLICATE_WINDOW_MS, FIRST_TRANSACTION_ID};

/// The test authentication key (`Credentials::secret`): the `AuthenticationKey` every request
/// must carry.
pub const TEST_AUTHENTICATION_KEY: &str = "p1-sandbox-0b7c5e2a-auth-key";

/// The merchant instance name (`Credentials::id`, `TransactionInformation.InstanceName`).
pub const INSTANCE_NAME: &str = "payspec-sandbox";

/// The sandbox-only request header that sets "now" (RFC 3339) for one request.
pub use crate::NOW_HEADER;

/// How the simulator reads [`NOW_HEADER`].
const CLOCK: Clock = Clock::Rfc3339;

/// The credit card convenience fee, in percent of the amount (3.00).
pub const CARD_FEE_PERCENT: Decimal = Decimal::from_parts(300, 0, 0, false, 2);

/// The smallest credit card convenience fee (1.00).
pub const CARD_FEE_MINIMUM: Decimal = Decimal::from_parts(100, 0, 0, false, 2);

/// The flat EFT convenience fee (1.50).
pub const EFT_FEE_FLAT: Decimal = Decimal::from_parts(150, 0, 0, false, 2);

/// The simulator's routes and test credentials.
pub fn router(ids: Arc<Ids>) -> (axum::Router, Credentials) {
    let hex = ids.next_hex();
    let salt = hex
        .get(..16)
        .and_then(|h| u64::from_str_radix(h, 16).ok())
        .unwrap_or(0);
    let shared = Arc::new(Shared {
        state: Locked::new(model::State::new(salt)),
    });
    let router = Router::new()
        .route("/api/{area}/{operation}", post(api))
        .route("/sandbox/batches/close", post(close_batch))
        .fallback(not_found)
        .with_state(shared);
    let credentials = Credentials {
        id: INSTANCE_NAME.to_owned(),
        secret: TEST_AUTHENTICATION_KEY.to_owned(),
        api_key: None,
        webhook_secret: None,
    };
    (router, credentials)
}

// ---- state and context --------------------------------------------------------------------------

struct Shared {
    state: Locked<model::State>,
}

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
        model::shown(utc_ms, self.xml)
    }

    /// The merchant's time zone name at `utc_ms`.
    pub(crate) fn zone(&self, utc_ms: i64) -> String {
        model::pacific(utc_ms).1.to_owned()
    }
}

// ---- formats ------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Json => "JSON",
            Format::Xml => "XML",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json; charset=utf-8",
            Format::Xml => "application/xml; charset=utf-8",
        }
    }

    /// Reads a contract in this format.
    fn read<T: DataContract>(self, body: &[u8]) -> Result<T, String> {
        match self {
            Format::Json => T::from_json(body).map_err(|e| e.to_string()),
            Format::Xml => T::from_xml(body).map_err(|e| e.to_string()),
        }
    }

    /// Writes a contract in this format.
    fn write<T: DataContract>(self, contract: &T) -> Result<Vec<u8>, String> {
        match self {
            Format::Json => contract.to_json().map_err(|e| e.to_string()),
            Format::Xml => contract.to_xml().map_err(|e| e.to_string()),
        }
    }

    /// The format a media type names, if any.
    fn of_media_type(media: &str) -> Option<Format> {
        let media = media.trim().to_ascii_lowercase();
        if media == "application/xml" || media == "text/xml" || media.ends_with("+xml") {
            Some(Format::Xml)
        } else if media.contains("json") {
            Some(Format::Json)
        } else {
            None
        }
    }
}

/// The request's format: XML for an XML `Content-Type`, else JSON.
fn input_format(headers: &HeaderMap) -> Format {
    media_type(headers)
        .as_deref()
        .and_then(Format::of_media_type)
        .unwrap_or(Format::Json)
}

/// The answer's format: the acceptable range of `Accept` with the highest `q` that names JSON
/// or XML (the first on a tie), else `input`.
fn output_format(headers: &HeaderMap, input: Format) -> Format {
    let Some(accept) = header_text(headers, header::ACCEPT.as_str()) else {
        return input;
    };
    let mut best: Option<(u32, Format)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let Some(format) = parts.next().and_then(Format::of_media_type) else {
            continue;
        };
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .next()
            .map_or(1000, quality);
        if q > 0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, format));
        }
    }
    best.map_or(input, |(_, f)| f)
}

/// A `q` value in thousandths (`0.5` → 500); 0 when it does not parse.
fn quality(text: &str) -> u32 {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let whole: u32 = match whole {
        "0" => 0,
        "1" => 1000,
        _ => return 0,
    };
    let digits: String = fraction.chars().take(3).collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return 0;
    }
    let fraction = format!("{digits:0<3}").parse::<u32>().unwrap_or(0);
    (whole + fraction).min(1000)
}

/// An answer in plain text, as the service's HTTP layer gives: for requests it cannot bind to
/// a contract, and unknown routes.
struct Plain(StatusCode, String);

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

fn plain(status: StatusCode, text: String) -> Response {
    Plain(status, text).into_response()
}

// ---- contracts ----------------------------------------------------------------------------------

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
                    self.authentication_key.as_ref()
                }
            }
        )*
    };
}

/// Request contracts with no checks beyond their reader.
macro_rules! plain_request {
    ($($t:ty),* $(,)?) => {
        $(impl RequestContract for $t {})*
    };
}

keyed!(
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
    eft::ConvenienceFeeRequest,
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

plain_request!(
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
    eft::ConvenienceFeeRequest,
);

fn enum_problem<E: DcsEnum>(path: &str, value: &E, out: &mut Vec<String>) {
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

fn enum_list_problems<E: DcsEnum>(path: &str, values: Option<&Vec<E>>, out: &mut Vec<String>) {
    for (i, value) in values.into_iter().flatten().enumerate() {
        enum_problem(&format!("{path}[{i}]"), value, out);
    }
}

fn date_problem(path: &str, value: &DateTime, out: &mut Vec<String>) {
    if value.fraction_digits() > 7 {
        out.push(format!(
            "{path}: an xs:dateTime has at most 7 fraction digits"
        ));
    }
}

fn eft_details_problems(details: Option<&EftDetails>) -> Vec<String> {
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

// ---- serving ------------------------------------------------------------------------------------

type Operation<Rq, Rs> = fn(&mut model::State, &Cx, Rq) -> Result<Rs, model::Fail>;

/// One request being served.
struct Call<'a> {
    shared: &'a Shared,
    cx: Cx,
    input: Format,
    output: Format,
    body: &'a [u8],
}

impl Call<'_> {
    fn run<Rq: RequestContract, Rs: Coded>(&self, operation: Operation<Rq, Rs>) -> Response {
        let mut request = match self.input.read::<Rq>(self.body) {
            Ok(request) => request,
            Err(e) => {
                return plain(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "The request body is not a {} in {}: {e}",
                        Rq::QUALIFIED_NAME,
                        self.input.name()
                    ),
                );
            }
        };
        if self.input == Format::Json
            && let Ok(raw) = serde_json::from_slice::<Value>(self.body)
        {
            request.json_defaults(&raw);
        }
        let problems = request.problems();
        if !problems.is_empty() {
            return plain(
                StatusCode::BAD_REQUEST,
                format!(
                    "The request body is not a valid {}: {}",
                    Rq::QUALIFIED_NAME,
                    problems.join("; ")
                ),
            );
        }
        let authenticated = request
            .key()
            .is_some_and(|k| k.expose() == TEST_AUTHENTICATION_KEY);
        let response = if authenticated {
            let mut state = self.shared.state.lock();
            operation(&mut state, &self.cx, request)
                .unwrap_or_else(|f| coded_only::<Rs>(&f.code, &f.message))
        } else {
            let code = ResponseCode::InvalidAuthenticationKey;
            coded_only::<Rs>(&code, model::definition(&code))
        };
        self.encode(&response)
    }

    fn encode<Rs: Coded>(&self, response: &Rs) -> Response {
        let error = match self.output.write(response) {
            Ok(bytes) => return self.ok(bytes),
            Err(e) => e,
        };
        // A value of the request that the answer's format cannot carry (a character XML
        // forbids, say): the provider's generic error instead.
        let fallback = coded_only::<Rs>(
            &ResponseCode::GatewayInternalError,
            &format!(
                "The response cannot be written in {}: {error}",
                self.output.name()
            ),
        );
        match self.output.write(&fallback) {
            Ok(bytes) => self.ok(bytes),
            Err(e) => plain(
                StatusCode::BAD_REQUEST,
                format!("The response cannot be written: {e}"),
            ),
        }
    }

    fn ok(&self, bytes: Vec<u8>) -> Response {
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, self.output.content_type())],
            bytes,
        )
            .into_response()
    }
}

fn coded_only<Rs: Coded>(code: &ResponseCode, message: &str) -> Rs {
    let mut response = Rs::default();
    response.set_outcome(code, message);
    response
}

async fn api(
    AxumState(shared): AxumState<Arc<Shared>>,
    Path((area, operation)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now_ms = match CLOCK.now_millis(&headers) {
        Ok(now_ms) => now_ms,
        Err(fault) => return Plain::from(fault).into_response(),
    };
    let input = input_format(&headers);
    let output = output_format(&headers, input);
    let call = Call {
        shared: &shared,
        cx: Cx {
            now_ms,
            xml: output == Format::Xml,
        },
        input,
        output,
        body: &body,
    };
    let area = area.to_ascii_lowercase();
    let operation = operation.to_ascii_lowercase();
    match (area.as_str(), operation.as_str()) {
        ("paymenttoken", "getinfo") => call.run(ops::token_info),
        ("paymenttoken", "gettokeninfobatch") => call.run(ops::token_info_batch),
        ("paymenttoken", "remove") => call.run(ops::remove_token),
        ("creditcard", "save") => call.run(ops::save_card),
        ("creditcard", "update") => call.run(ops::update_card),
        ("creditcard", "charge") => call.run(ops::charge_card),
        ("creditcard", "void") => call.run(ops::void_card),
        ("creditcard", "refund") => call.run(ops::refund_card),
        ("creditcard", "verify") => call.run(ops::verify_card),
        ("creditcard", "getcarddata") => call.run(ops::card_data),
        ("creditcard", "getconveniencefee") => call.run(ops::card_fee_quote),
        ("creditcard", "getacceptedcardtypes") => call.run(ops::accepted_card_types),
        ("creditcard", "getcardupdates") => call.run(ops::card_updates),
        ("healthstatus", "check") => call.run(ops::health),
        ("transaction", "gettransactionbyid") => call.run(ops::transaction_by_id),
        ("transaction", "gettransactionbycallbackid") => call.run(ops::transaction_by_callback_id),
        ("transaction", "gettransactionsbybatchid") => call.run(ops::transactions_by_batch),
        ("transaction", "gettransactionsbytype") => call.run(ops::transactions_by_type),
        ("transaction", "updatetransactionmetadata") => call.run(ops::update_metadata),
        ("transaction", "gettransactionsbycustomerandclientrefdata") => {
            call.run(ops::transactions_by_customer)
        }
        ("eft", "save") => call.run(ops::save_eft),
        ("eft", "credit") => call.run(ops::credit_eft),
        ("eft", "debit") => call.run(ops::debit_eft),
        ("eft", "void") => call.run(ops::void_eft),
        ("eft", "refund") => call.run(ops::refund_eft),
        ("eft", "verifybankaccount") => call.run(ops::verify_bank_account),
        ("eft", "getbankdata") => call.run(ops::bank_data),
        ("eft", "getconveniencefee") => call.run(ops::eft_fee_quote),
        _ => not_found().await,
    }
}

async fn close_batch(AxumState(shared): AxumState<Arc<Shared>>) -> Response {
    let (batch, count) = shared.state.lock().close_batch();
    axum::Json(serde_json::json!({"batchNumber": batch, "transactions": count})).into_response()
}

async fn not_found() -> Response {
    plain(
        StatusCode::NOT_FOUND,
        "No HTTP resource was found that matches the request URI.".to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn formats_follow_content_type_and_accept() {
        let xml = headers(&[("content-type", "text/xml; charset=utf-8")]);
        assert_eq!(input_format(&xml), Format::Xml);
        assert_eq!(output_format(&xml, Format::Xml), Format::Xml);
        assert_eq!(input_format(&headers(&[])), Format::Json);
        let accept = headers(&[("accept", "application/xml;q=0.5, application/json")]);
        assert_eq!(output_format(&accept, Format::Xml), Format::Json);
        let accept = headers(&[("accept", "application/json;q=0.2, text/xml;q=0.9")]);
        assert_eq!(output_format(&accept, Format::Json), Format::Xml);
        let accept = headers(&[("accept", "*/*")]);
        assert_eq!(output_format(&accept, Format::Xml), Format::Xml);
        let accept = headers(&[("accept", "application/json;q=0")]);
        assert_eq!(output_format(&accept, Format::Xml), Format::Xml);
        assert_eq!(quality("0.5"), 500);
        assert_eq!(quality("1"), 1000);
        assert_eq!(quality("0.125"), 125);
        assert_eq!(quality("x"), 0);
    }
}
