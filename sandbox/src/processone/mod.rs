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
use axum::routing::post;
use rust_decimal::Decimal;

use crate::common::clock::Clock;
use crate::common::simulator::Simulator;
use crate::common::store::Locked;
use crate::{Credentials, Ids, SandboxOptions};

mod contracts;
mod errors;
mod handlers;
mod model;
mod ops;
mod state;
pub mod testdata;

pub use state::{DUPLICATE_WINDOW_MS, FIRST_TRANSACTION_ID};

use handlers::{api, close_batch, not_found};
use state::{Shared, State};

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
        state: Locked::new(State::new(salt)),
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

/// The OneInc ProcessOne simulator in the sandbox's registry.
pub(crate) struct ProcessOne;

impl Simulator for ProcessOne {
    fn name(&self) -> &'static str {
        "processone"
    }

    fn port(&self, options: &SandboxOptions) -> u16 {
        options.processone_port
    }

    fn router(&self, ids: Arc<Ids>, _options: &SandboxOptions) -> (axum::Router, Credentials) {
        router(ids)
    }
}
