//! The OneInc ProcessOne simulator, driven through the generated client
//! (`payspec_processone::Client`), in JSON and in XML: the seed's test-data tables (card +
//! amount, per-card charge, save and void / refund, EFT amounts and accounts, bank account
//! validation), tokens, transaction look-ups, batches with voids and refunds, duplicate
//! detection, convenience fees, authentication, deterministic ids, and the answers to bodies
//! that are not contracts (raw reqwest). The tables are restated here from the seed, not read
//! from the simulator, so a wrong row fails.

use std::sync::atomic::{AtomicUsize, Ordering};

use payspec_processone::contracts::credit_card::{
    ChargeCreditCardRequest, ChargeCreditCardResponse, ConvenienceFeeRequest, CreditCardDetails,
    GetAcceptedCardTypesRequest, GetCardDataRequest, GetCardUpdatesRequest,
    RefundCreditCardRequest, RefundCreditCardResponse, SaveCreditCardRequest,
    UpdateCreditCardRequest, VerifyCreditCardRequest, VoidCreditCardRequest,
    VoidCreditCardResponse,
};
use payspec_processone::contracts::data_contracts::{ClientReferenceData, Customer};
use payspec_processone::contracts::eft::{
    self, CreditEftRequest, CreditEftResponse, DebitEftRequest, EftDetails, GetBankDataRequest,
    RefundEftRequest, RefundEftResponse, SaveEftRequest, VerifyBankAccountRequest,
    VerifyBankAccountResponse, VoidEftRequest, VoidEftResponse,
};
use payspec_processone::contracts::enums::{
    CreditCardNetworkType, CreditCardType, EftAccountType, TokenType, TransactionStatus,
    TransactionType,
};
use payspec_processone::contracts::health_status::CheckHealthStatusRequest;
use payspec_processone::contracts::payment_token::{
    GetInfoRequest, GetTokenInfoBatchRequest, RemovePaymentTokenRequest,
};
use payspec_processone::contracts::transaction::{
    GetTransactionByCallbackIdRequest, GetTransactionByIdRequest, GetTransactionsByBatchIdRequest,
    GetTransactionsByCustomerAndClientRefDataRequest, GetTransactionsByTypeRequest,
    TransactionInformation, UpdateTransactionMetadataRequest,
};
use payspec_processone::{
    Client, ClientBuilder, DataContract, DateTime, Error, ProcessOneError, WireFormat,
};
use payspec_sandbox::processone::{FIRST_TRANSACTION_ID, TEST_AUTHENTICATION_KEY};
use payspec_sandbox::{Sandbox, SandboxOptions};
use rust_decimal::Decimal;

const FORMATS: [WireFormat; 2] = [WireFormat::Json, WireFormat::Xml];

/// "Now" of most tests: 10:00 PST.
const NOW: &str = "2030-01-15T18:00:00Z";

// ---- helpers ------------------------------------------------------------------------------------

async fn sandbox() -> Sandbox {
    Sandbox::start().await.expect("sandbox starts")
}

fn builder(sandbox: &Sandbox, format: WireFormat) -> ClientBuilder {
    ClientBuilder::with_base_url(&sandbox.processone.base_url)
        .authentication_key(sandbox.processone.credentials.secret.as_str())
        .format(format)
}

/// A client whose every request carries `X-Sandbox-Now: now`.
fn client_at(sandbox: &Sandbox, format: WireFormat, now: &str) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "x-sandbox-now",
        reqwest::header::HeaderValue::from_str(now).expect("header value"),
    );
    let http = reqwest::Client::builder().default_headers(headers);
    builder(sandbox, format)
        .http_client_builder(http)
        .build()
        .expect("client")
}

fn client(sandbox: &Sandbox, format: WireFormat) -> Client {
    client_at(sandbox, format, NOW)
}

fn dec(text: &str) -> Decimal {
    payspec_runtime::decimal::parse_exact(text).expect("decimal")
}

/// A ClientReferenceData1 no other payment of the test run has (so no duplicate detection).
fn unique_ref() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    format!("POL-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

fn refs(ref1: &str) -> ClientReferenceData {
    ClientReferenceData::new().with_client_reference_data1(ref1)
}

fn holder(name: &str) -> Customer {
    Customer::new()
        .with_name(name)
        .with_zip("12345")
        .with_address("test address")
}

/// A card expiring 12/2031 (after [`NOW`]), with a CVV2 of the right length.
fn card(number: &str) -> CreditCardDetails {
    let cvv = if number.starts_with("34") || number.starts_with("37") {
        "1234"
    } else {
        "123"
    };
    CreditCardDetails::new()
        .with_expiration_month(12)
        .with_expiration_year(2031)
        .with_holder(holder("John Stevens"))
        .with_number(number)
        .with_validation_value(cvv)
}

fn charge(number: &str, amount: &str) -> ChargeCreditCardRequest {
    ChargeCreditCardRequest::new()
        .with_amount(dec(amount))
        .with_charge_fee(false)
        .with_credit_card(card(number))
        .with_client_reference_data(refs(&unique_ref()))
}

fn eft_details(account: &str) -> EftDetails {
    EftDetails::new()
        .with_account_number(account)
        .with_customer_name("John Stevens")
        .with_routing_number("121042882")
        .with_type(EftAccountType::Checking)
}

fn debit(account: &str, amount: &str) -> DebitEftRequest {
    DebitEftRequest::new()
        .with_amount(dec(amount))
        .with_eft_details(eft_details(account))
        .with_client_reference_data(refs(&unique_ref()))
}

fn credit(account: &str, amount: &str) -> CreditEftRequest {
    CreditEftRequest::new()
        .with_amount(dec(amount))
        .with_eft_details(eft_details(account))
        .with_client_reference_data(refs(&unique_ref()))
}

/// `request` carrying `key` as its `AuthenticationKey`. The member cannot be set in Rust (the
/// client puts its own key there), so the request is decoded from its JSON with the key added.
fn with_key<T: DataContract>(request: &T, key: &str) -> T {
    let mut json: serde_json::Value =
        serde_json::from_slice(&request.to_json().expect("json")).expect("json value");
    json["AuthenticationKey"] = key.into();
    let keyed = T::from_json(&serde_json::to_vec(&json).expect("json")).expect("keyed request");
    // Every other member came through unchanged.
    let back: serde_json::Value =
        serde_json::from_slice(&keyed.to_json().expect("json")).expect("json value");
    assert_eq!(back, json);
    keyed
}

/// The response code and the whole response, whether the client returned it as a success or
/// as a [`ProcessOneError`].
fn outcome<T: DataContract>(result: Result<T, Error<ProcessOneError>>) -> (String, T) {
    match result {
        Ok(value) => ("Success".to_owned(), value),
        Err(Error::Api { body, status, .. }) => {
            assert_eq!(status, 200, "business outcomes are HTTP 200");
            let code = body
                .code
                .as_ref()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default();
            let value = body.response::<T>().expect("the whole response decodes");
            (code, value)
        }
        Err(other) => panic!("not a ProcessOne answer: {other:?}"),
    }
}

/// The code of an error answer (panics on success).
fn code_of<T: std::fmt::Debug>(result: Result<T, Error<ProcessOneError>>) -> String {
    match result {
        Err(Error::Api { body, .. }) => body
            .code
            .as_ref()
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
        other => panic!("expected a ProcessOne error, got {other:?}"),
    }
}

async fn transaction(client: &Client, id: &str) -> TransactionInformation {
    client
        .get_transaction_by_id(GetTransactionByIdRequest::new().with_transaction_id(id))
        .await
        .expect("transaction by id")
        .transaction_information
        .expect("transaction information")
}

async fn status_of(client: &Client, id: &str) -> TransactionStatus {
    transaction(client, id).await.transaction_status
}

async fn close_batch(sandbox: &Sandbox) -> serde_json::Value {
    let response = reqwest::Client::new()
        .post(format!(
            "{}/sandbox/batches/close",
            sandbox.processone.base_url
        ))
        .send()
        .await
        .expect("close batch");
    assert_eq!(response.status(), 200);
    response.json().await.expect("close batch JSON")
}

async fn void(client: &Client, id: &str) -> (String, VoidCreditCardResponse) {
    outcome(
        client
            .void_credit_card(VoidCreditCardRequest::new().with_transaction_id(id))
            .await,
    )
}

async fn refund(
    client: &Client,
    id: &str,
    amount: Option<&str>,
) -> (String, RefundCreditCardResponse) {
    let mut request = RefundCreditCardRequest::new().with_transaction_id(id);
    request.partial_refund_amount = amount.map(dec);
    outcome(client.refund_credit_card(request).await)
}

async fn void_eft(client: &Client, id: &str) -> (String, VoidEftResponse) {
    outcome(
        client
            .void_eft(VoidEftRequest::new().with_transaction_id(id))
            .await,
    )
}

async fn refund_eft(
    client: &Client,
    id: &str,
    amount: Option<&str>,
) -> (String, RefundEftResponse) {
    let mut request = RefundEftRequest::new().with_transaction_id(id);
    request.partial_refund_amount = amount.map(dec);
    outcome(client.refund_eft(request).await)
}

async fn charged(client: &Client, request: ChargeCreditCardRequest) -> ChargeCreditCardResponse {
    let (code, response) = outcome(client.charge_credit_card(request).await);
    assert_eq!(code, "Success", "{:?}", response.message);
    response
}

/// Owned copies of ids, to compare with a list of ids.
fn owned(ids: &[&String]) -> Vec<String> {
    ids.iter().map(|id| (*id).clone()).collect()
}

fn id_of(id: &Option<String>) -> String {
    id.clone().expect("a transaction id")
}

// ---- the seed's test data -----------------------------------------------------------------------

const AMOUNT_CARDS: [&str; 4] = [
    "4444444444444448",
    "5431111111111111",
    "341111111111111",
    "6011601160116611",
];

/// The card + amount table (amounts, code, description); the first row adds unlisted amounts.
const AMOUNT_TABLE: &[(&[&str], &str, &str)] = &[
    (
        &["1.00", "1", "8.00", "123.45"],
        "Success",
        "Test: Charge approved",
    ),
    (
        &["2.00", "12.00", "12.0"],
        "IncorrectValidationValue",
        "Test: CVV2 code is invalid",
    ),
    (&["3.00", "13.00"], "Declined", "Test: Declined"),
    (
        &["4.00"],
        "OverMaximumPayment",
        "Test: Exceed max payment amount",
    ),
    (
        &["5.00", "15.00"],
        "DuplicateTransaction",
        "Test: Duplicate transaction",
    ),
    (
        &["6.00", "16.00"],
        "GatewayInternalError",
        "Test: System is down",
    ),
    (
        &["7.00", "17.00"],
        "InvalidCardNumber",
        "Test: Invalid card number returned by gateway",
    ),
    (
        &["14.00"],
        "AvsVerificationFailed",
        "Test: Avs verification failed",
    ),
    (
        &["18.00"],
        "Call",
        "Test: Issuer wants voice contact with cardholder",
    ),
    (
        &["19.00"],
        "NoProcessorResponse",
        "Test: No response from Processor",
    ),
];

const CHARGE_TABLE: &[(&str, &str, &str)] = &[
    ("4444444444444125", "Success", "Test: Charge approved"),
    (
        "4444444444444133",
        "IncorrectValidationValue",
        "Test: CVV2 code is invalid",
    ),
    ("4444444444444141", "Declined", "Test: Insufficient funds"),
    (
        "4444444444444158",
        "OverMaximumPayment",
        "Test: Amount sent exceeds maximum allowable amount.",
    ),
    (
        "4444444444444166",
        "DuplicateTransaction",
        "Test: Duplicate transaction",
    ),
    (
        "4444444444444174",
        "GatewayInternalError",
        "Test: System is down",
    ),
    (
        "4444444444444182",
        "InvalidCardNumber",
        "Test: Invalid card number returned by gateway",
    ),
    ("4444444444444190", "Success", "Test: Charge approved"),
    (
        "4444444444444208",
        "IncorrectValidationValue",
        "Test: CVV2 code is invalid",
    ),
    ("4444444444444216", "Declined", "Test: Insufficient funds"),
    (
        "4444444444444224",
        "AvsVerificationFailed",
        "Test: Avs verification failed",
    ),
    (
        "4444444444444232",
        "DuplicateTransaction",
        "Test: Duplicate transaction",
    ),
    (
        "4444444444444240",
        "GatewayInternalError",
        "Test: System is down",
    ),
    (
        "4444444444444257",
        "InvalidCardNumber",
        "Test: Invalid card number returned by gateway",
    ),
    (
        "4444444444444265",
        "Call",
        "Test: Issuer wants voice contact with cardholder",
    ),
    (
        "4444444444444273",
        "NoProcessorResponse",
        "Test: No response from Processor",
    ),
];

const VOID_REFUND_TABLE: &[(&str, &str, &str)] = &[
    (
        "4444444444444299",
        "InvalidCardNumber",
        "Test: This is an invalid card number or account is closed",
    ),
    (
        "4444444444444307",
        "IncorrectValidationValue",
        "Test: CVV2 code is invalid",
    ),
    ("4444444444444315", "Declined", "Test: Insufficient funds"),
    (
        "4444444444444323",
        "InvalidCreditCardAmount",
        "Test: Amount sent exceeds maximum allowable amount.",
    ),
    (
        "4444444444444331",
        "DuplicateTransaction",
        "Test: Duplicate transaction",
    ),
    (
        "4444444444444349",
        "GatewayInternalError",
        "Test: System is down",
    ),
    (
        "4444444444444356",
        "AvsVerificationFailed",
        "Test: Avs Verification Failed",
    ),
    (
        "4444444444444364",
        "CardTypeNotAccepted",
        "Test: The card type provided is not supported",
    ),
    (
        "4444444444444372",
        "CardExpired",
        "Test: The Card is Expired",
    ),
    (
        "4444444444444380",
        "Call",
        "Test: Issuer wants voice contact with cardholder",
    ),
    (
        "4444444444444398",
        "NoProcessorResponse",
        "Test: No response from Processor",
    ),
    ("4444444444444505", "Success", "Test: Refund successful"),
    ("4444444444444513", "Success", "Test: Void successful"),
];

const ALL_PATHS: [&str; 28] = [
    "/api/PaymentToken/GetInfo",
    "/api/PaymentToken/GetTokenInfoBatch",
    "/api/PaymentToken/Remove",
    "/api/CreditCard/Save",
    "/api/CreditCard/Update",
    "/api/CreditCard/Charge",
    "/api/CreditCard/Void",
    "/api/CreditCard/Refund",
    "/api/CreditCard/Verify",
    "/api/CreditCard/GetCardData",
    "/api/CreditCard/GetConvenienceFee",
    "/api/CreditCard/GetAcceptedCardTypes",
    "/api/CreditCard/GetCardUpdates",
    "/api/HealthStatus/Check",
    "/api/Transaction/GetTransactionById",
    "/api/Transaction/GetTransactionByCallbackId",
    "/api/Transaction/GetTransactionsByBatchId",
    "/api/Transaction/GetTransactionsByType",
    "/api/Transaction/UpdateTransactionMetadata",
    "/api/Transaction/GetTransactionsByCustomerAndClientRefData",
    "/api/Eft/Save",
    "/api/Eft/Credit",
    "/api/Eft/Debit",
    "/api/Eft/Void",
    "/api/Eft/Refund",
    "/api/Eft/VerifyBankAccount",
    "/api/Eft/GetBankData",
    "/api/Eft/GetConvenienceFee",
];

// ---- card test data -----------------------------------------------------------------------------

#[tokio::test]
async fn the_card_amount_table_every_row_every_card() {
    for format in FORMATS {
        let sb = sandbox().await;
        let client = client(&sb, format);
        for (amounts, expected, description) in AMOUNT_TABLE {
            for amount in *amounts {
                for number in AMOUNT_CARDS {
                    let (code, response) =
                        outcome(client.charge_credit_card(charge(number, amount)).await);
                    assert_eq!(code, *expected, "{format:?} card {number} amount {amount}");
                    assert_eq!(response.message.as_deref(), Some(*description));
                    // Processed payments are recorded, failed ones as Failed.
                    let id = id_of(&response.transaction_id);
                    assert_eq!(response.posted_amount, Some(dec(amount)));
                    let info = transaction(&client, &id).await;
                    let status = if *expected == "Success" {
                        TransactionStatus::Successful
                    } else {
                        TransactionStatus::Failed
                    };
                    assert_eq!(info.transaction_status, status);
                    assert_eq!(info.original_amount, dec(amount));
                    assert_eq!(
                        response.authorization_code.is_some(),
                        *expected == "Success"
                    );
                }
            }
        }
        // Cards outside the table succeed whatever the amount.
        for number in [
            "4111111111111111",
            "4024007167282317",
            "6011172923498605",
            "5384483278305365",
        ] {
            for amount in ["3.00", "6.00", "19.00"] {
                let response = charged(&client, charge(number, amount)).await;
                assert_eq!(response.message.as_deref(), Some("Success"));
            }
        }
    }
}

#[tokio::test]
async fn the_per_card_charge_and_save_tables() {
    for format in FORMATS {
        let sb = sandbox().await;
        let client = client(&sb, format);
        for (number, expected, description) in CHARGE_TABLE {
            // Regardless of amount.
            for amount in ["1.00", "3.00", "57.10"] {
                let (code, response) =
                    outcome(client.charge_credit_card(charge(number, amount)).await);
                assert_eq!(code, *expected, "{format:?} {number} {amount}");
                assert_eq!(response.message.as_deref(), Some(*description));
                assert_eq!(response.credit_card_type, CreditCardType::Visa);
                assert_eq!(response.holder_name.as_deref(), Some("John Stevens"));
            }
        }
        for (number, _, _) in VOID_REFUND_TABLE {
            let response = charged(&client, charge(number, "2.00")).await;
            assert_eq!(response.message.as_deref(), Some("Test: Charge approved"));
        }
        let (code, saved) = outcome(
            client
                .save_credit_card(
                    SaveCreditCardRequest::new().with_credit_card(card("4444444444444117")),
                )
                .await,
        );
        assert_eq!(code, "Success");
        assert_eq!(saved.message.as_deref(), Some("Test: Successfully saved"));
        assert!(saved.token.is_some());
        // Charge-table cards save fine: the tables apply to charges.
        let (code, _) = outcome(
            client
                .save_credit_card(
                    SaveCreditCardRequest::new().with_credit_card(card("4444444444444141")),
                )
                .await,
        );
        assert_eq!(code, "Success");
    }
}

#[tokio::test]
async fn the_void_refund_table() {
    for format in FORMATS {
        let sb = sandbox().await;
        let client = client(&sb, format);
        let mut to_void = Vec::new();
        let mut to_refund = Vec::new();
        for (number, _, _) in VOID_REFUND_TABLE {
            to_void.push(id_of(
                &charged(&client, charge(number, "10.00"))
                    .await
                    .transaction_id,
            ));
            to_refund.push(id_of(
                &charged(&client, charge(number, "10.00"))
                    .await
                    .transaction_id,
            ));
        }
        for ((number, expected, description), id) in VOID_REFUND_TABLE.iter().zip(&to_void) {
            let (code, response) = void(&client, id).await;
            assert_eq!(code, *expected, "{format:?} void {number}");
            assert_eq!(response.message.as_deref(), Some(*description));
            let void_id = id_of(&response.transaction_id);
            assert_ne!(&void_id, id);
            let voided = transaction(&client, &void_id).await;
            assert_eq!(voided.transaction_type, TransactionType::VoidCreditCard);
            assert_eq!(
                voided.internal_reference_transaction_id.as_deref(),
                Some(id.as_str())
            );
            let ok = *expected == "Success";
            assert_eq!(
                voided.transaction_status,
                if ok {
                    TransactionStatus::Successful
                } else {
                    TransactionStatus::Failed
                }
            );
            let original = if ok {
                TransactionStatus::Voided
            } else {
                TransactionStatus::Successful
            };
            assert_eq!(status_of(&client, id).await, original);
        }
        close_batch(&sb).await;
        for ((number, expected, description), id) in VOID_REFUND_TABLE.iter().zip(&to_refund) {
            let (code, response) = refund(&client, id, None).await;
            assert_eq!(code, *expected, "{format:?} refund {number}");
            assert_eq!(response.message.as_deref(), Some(*description));
            let refunded = transaction(&client, &id_of(&response.transaction_id)).await;
            assert_eq!(refunded.transaction_type, TransactionType::RefundCreditCard);
            assert_eq!(refunded.original_amount, dec("10.00"));
            // A failed refund refunds nothing (the card fails the same way again); a successful
            // one leaves nothing to refund.
            let (again, _) = refund(&client, id, None).await;
            let expected_again = if *expected == "Success" {
                "UnableToRefundTransaction"
            } else {
                expected
            };
            assert_eq!(again, expected_again, "{number}");
        }
    }
}

// ---- EFT test data ------------------------------------------------------------------------------

#[tokio::test]
async fn the_eft_tables() {
    for format in FORMATS {
        let sb = sandbox().await;
        let client = client(&sb, format);
        // The test account.
        let mut details = eft_details("123456789");
        details.routing_number = Some("121042882".to_owned());
        let mut request = debit("123456789", "25.00");
        request.eft_details = Some(details);
        let (code, response) = outcome(client.debit_eft(request).await);
        assert_eq!(code, "Success");
        assert_eq!(response.bank_name.as_deref(), Some("Wells Fargo Bank"));
        let info = transaction(&client, &id_of(&response.transaction_id)).await;
        assert_eq!(info.bank_account_type, EftAccountType::Checking);
        assert_eq!(info.routing_number.as_deref(), Some("121042882"));
        assert_eq!(info.last_four_digits.as_deref(), Some("6789"));
        assert_eq!(info.transaction_type, TransactionType::DebitEftNoFee);

        // Account 1234567890 by amount, for credit and debit.
        let amounts = [
            ("0.00", "Success", "Test: Successfully saved"),
            ("1.00", "Success", "Test: Transaction approved"),
            (
                "2.00",
                "ACHTransactionFailed",
                "Test: Not able to process bank account payment",
            ),
            ("3.00", "GatewayInternalError", "Test: System is down"),
            (
                "4.00",
                "NoProcessorResponse",
                "Test: No response from Processor",
            ),
            ("5.00", "Success", "Success"),
        ];
        for (amount, expected, description) in amounts {
            let (code, response) = outcome(client.debit_eft(debit("1234567890", amount)).await);
            assert_eq!(code, expected, "{format:?} debit {amount}");
            assert_eq!(response.message.as_deref(), Some(description));
            let (code, response) = outcome(client.credit_eft(credit("1234567890", amount)).await);
            assert_eq!(code, expected, "{format:?} credit {amount}");
            assert_eq!(response.message.as_deref(), Some(description));
            assert!(response.transaction_id.is_some());
        }
        // $0 is only an amount on that account.
        let (code, response) = outcome(client.debit_eft(debit("1234567892", "0.00")).await);
        assert_eq!(code, "InvalidEFTAmount");
        assert_eq!(response.transaction_id, None);
        assert_eq!(
            code_of(client.credit_eft(credit("1234567890", "-1.00")).await),
            "InvalidEFTAmount"
        );

        // Accounts regardless of amount.
        let accounts = [
            (
                "1234567892",
                "Success",
                "Test: Bank account transaction is successfully approved",
            ),
            (
                "1234567893",
                "ACHTransactionFailed",
                "Test: Not able to process bank account payment",
            ),
            ("1234567894", "GatewayInternalError", "Test: System is down"),
            (
                "1234567895",
                "NoProcessorResponse",
                "Test: No response from Processor",
            ),
            (
                "1234567896",
                "Success",
                "Test: Bank account transaction is successfully approved",
            ),
            (
                "1234567897",
                "Success",
                "Test: Bank account transaction is successfully approved",
            ),
            (
                "1234567898",
                "Success",
                "Test: Bank account transaction is successfully approved",
            ),
        ];
        for (account, expected, description) in accounts {
            for amount in ["1.00", "2.00", "77.70"] {
                let (code, response) = outcome(client.debit_eft(debit(account, amount)).await);
                assert_eq!(code, expected, "{format:?} debit {account} {amount}");
                assert_eq!(response.message.as_deref(), Some(description));
                let (code, _) = outcome(client.credit_eft(credit(account, amount)).await);
                assert_eq!(code, expected, "{format:?} credit {account} {amount}");
            }
        }
        let (code, saved) = outcome(
            client
                .save_eft(SaveEftRequest::new().with_eft_details(eft_details("1234567891")))
                .await,
        );
        assert_eq!(code, "Success");
        assert_eq!(saved.message.as_deref(), Some("Test: Successfully saved"));

        // Void and refund outcomes: account 1234567890 by the payment's amount, and the
        // 1234567896..98 accounts.
        let void_refund = [
            (
                "1234567890",
                "11.00",
                "ACHTransactionFailed",
                "Test: Not able to process bank account payment",
            ),
            (
                "1234567890",
                "12.00",
                "GatewayInternalError",
                "Test: System is down",
            ),
            (
                "1234567890",
                "13.00",
                "NoProcessorResponse",
                "Test: No response from Processor",
            ),
            (
                "1234567896",
                "20.00",
                "ACHTransactionFailed",
                "Test: Not able to process bank account payment",
            ),
            (
                "1234567897",
                "20.00",
                "GatewayInternalError",
                "Test: System is down",
            ),
            (
                "1234567898",
                "20.00",
                "NoProcessorResponse",
                "Test: No response from Processor",
            ),
            ("1234567890", "21.00", "Success", "Success"),
            ("123456789", "21.00", "Success", "Success"),
        ];
        let mut to_refund = Vec::new();
        for (account, amount, expected, description) in void_refund {
            let debited = outcome(client.debit_eft(debit(account, amount)).await);
            assert_eq!(debited.0, "Success");
            let (code, response) = void_eft(&client, &id_of(&debited.1.transaction_id)).await;
            assert_eq!(code, expected, "{format:?} void {account} {amount}");
            assert_eq!(response.message.as_deref(), Some(description));
            let credited = outcome(client.credit_eft(credit(account, amount)).await);
            assert_eq!(credited.0, "Success");
            to_refund.push((id_of(&credited.1.transaction_id), expected, description));
        }
        close_batch(&sb).await;
        for (id, expected, description) in to_refund {
            let (code, response) = refund_eft(&client, &id, None).await;
            assert_eq!(code, expected, "{format:?} refund of {id}");
            assert_eq!(response.message.as_deref(), Some(description));
        }
    }
}

#[tokio::test]
async fn the_bank_account_validation_table() {
    let table = [
        ("1234567890", "Success", "Test: Charge approved"),
        (
            "2234567890",
            "InvalidAccountNumber",
            "Test: Invalid Account Number",
        ),
        (
            "3234567890",
            "InvalidRoutingNumber",
            "Test: Invalid Routing Number",
        ),
        ("4234567890", "GatewayInternalError", "Test: System is down"),
    ];
    for format in FORMATS {
        let sb = sandbox().await;
        let client = client(&sb, format);
        for (account, expected, description) in table {
            // Any valid routing number.
            for routing in ["121042882", "123123123", "011000015"] {
                let mut details = eft_details(account);
                details.routing_number = Some(routing.to_owned());
                let (code, response): (String, VerifyBankAccountResponse) = outcome(
                    client
                        .verify_bank_account(
                            VerifyBankAccountRequest::new().with_eft_details(details),
                        )
                        .await,
                );
                assert_eq!(code, expected, "{format:?} {account} {routing}");
                assert_eq!(response.message.as_deref(), Some(description));
                assert_eq!(
                    response
                        .server_reference_data
                        .and_then(|s| s.server_reference_data1)
                        .as_deref(),
                    Some(description)
                );
            }
            // Save and Debit validate the account unless told not to; Credit always does.
            let save = |bypass| {
                SaveEftRequest::new()
                    .with_eft_details(eft_details(account))
                    .with_bypass_bank_account_validation(bypass)
            };
            assert_eq!(outcome(client.save_eft(save(false)).await).0, expected);
            assert_eq!(outcome(client.save_eft(save(true)).await).0, "Success");
            let mut request = debit(account, "9.99");
            assert_eq!(outcome(client.debit_eft(request.clone()).await).0, expected);
            request.bypass_bank_account_validation = true;
            request.client_reference_data = Some(refs(&unique_ref()));
            assert_eq!(outcome(client.debit_eft(request).await).0, "Success");
            assert_eq!(
                outcome(client.credit_eft(credit(account, "9.99")).await).0,
                expected
            );
        }
        // A routing number whose check digit is wrong.
        let mut details = eft_details("1234567890");
        details.routing_number = Some("121042883".to_owned());
        let result = client
            .verify_bank_account(VerifyBankAccountRequest::new().with_eft_details(details))
            .await;
        assert_eq!(code_of(result), "InvalidRoutingNumber");
    }
}

// ---- tokens -------------------------------------------------------------------------------------

#[tokio::test]
async fn token_life_cycle() {
    for format in FORMATS {
        let sb = sandbox().await;
        let client = client(&sb, format);
        let saved = client
            .save_credit_card(
                SaveCreditCardRequest::new()
                    .with_credit_card(card("5431111111111111"))
                    .with_customer_id("CUST-1")
                    .with_client_reference_data(refs("POLICY-9"))
                    .with_callback_id("save-cb"),
            )
            .await
            .expect("save");
        let card_token = saved.token.clone().expect("token");
        assert_eq!(saved.base_card_type, CreditCardType::MasterCard);
        assert_eq!(saved.time_zone.as_deref(), Some("PST"));
        let created = saved
            .token_creation_time
            .expect("creation time")
            .to_string();
        match format {
            WireFormat::Json => assert_eq!(created, "2030-01-15T10:00:00"),
            WireFormat::Xml => assert_eq!(created, "2030-01-15T10:00:00-08:00"),
        }

        let info = client
            .get_info(GetInfoRequest::new().with_token(card_token.clone()))
            .await
            .expect("get info");
        assert_eq!(info.token_type, TokenType::CreditCard);
        let cc = info.credit_card.expect("card info");
        assert_eq!(cc.last_four_digits.as_deref(), Some("1111"));
        assert_eq!(cc.r#type, CreditCardType::MasterCard);
        assert_eq!((cc.expiration_month, cc.expiration_year), (12, 2031));
        assert_eq!(
            cc.holder.and_then(|h| h.name).as_deref(),
            Some("John Stevens")
        );
        assert_eq!(info.eft, None);
        assert_eq!(
            info.client_reference_data
                .and_then(|c| c.client_reference_data1)
                .as_deref(),
            Some("POLICY-9")
        );
        let save_id = info.transaction_id.expect("save transaction");
        let save_txn = transaction(&client, &save_id).await;
        assert_eq!(save_txn.transaction_type, TransactionType::SaveCreditCard);
        assert_eq!(
            save_txn.process_one_token.as_deref(),
            Some(card_token.as_str())
        );

        let eft_saved = client
            .save_eft(
                SaveEftRequest::new()
                    .with_eft_details(eft_details("123456789"))
                    .with_customer_id("CUST-1"),
            )
            .await
            .expect("save eft");
        let eft_token = eft_saved.token.expect("eft token");
        assert_eq!(eft_saved.bank_name.as_deref(), Some("Wells Fargo Bank"));

        let batch = client
            .get_token_info_batch(GetTokenInfoBatchRequest::new().with_payment_tokens(vec![
                Some(eft_token.clone()),
                Some("00000000-0000-4000-8000-000000000000".to_owned()),
                Some(card_token.clone()),
                Some(eft_token.clone()),
            ]))
            .await
            .expect("batch");
        let results: Vec<_> = batch
            .token_info_results
            .expect("results")
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(results.len(), 2);
        assert_eq!(results[0].token_type, TokenType::Eft);
        let e = results[0].eft.clone().expect("eft info");
        assert_eq!(e.last_four_digits.as_deref(), Some("6789"));
        assert_eq!(e.routing_number.as_deref(), Some("121042882"));
        assert_eq!(e.r#type, EftAccountType::Checking);
        assert_eq!(results[1].token_type, TokenType::CreditCard);

        // Charging by token; the card is not sent again.
        let by_token = charged(
            &client,
            ChargeCreditCardRequest::new()
                .with_amount(dec("42.00"))
                .with_token(card_token.clone())
                .with_client_reference_data(refs(&unique_ref())),
        )
        .await;
        assert_eq!(by_token.token.as_deref(), Some(card_token.as_str()));
        assert_eq!(by_token.credit_card_type, CreditCardType::MasterCard);
        let txn = transaction(&client, &id_of(&by_token.transaction_id)).await;
        assert_eq!(txn.process_one_token.as_deref(), Some(card_token.as_str()));
        assert_eq!(txn.last_four_digits.as_deref(), Some("1111"));
        // The token's card still follows the amount table.
        let mut declined = charge("5431111111111111", "3.00");
        declined.credit_card = None;
        declined.token = Some(card_token.clone());
        assert_eq!(
            code_of(client.charge_credit_card(declined).await),
            "Declined"
        );
        // A bank account token is not a card.
        let mut wrong = charge("4111111111111111", "1.00");
        wrong.token = Some(eft_token.clone());
        assert_eq!(
            code_of(client.charge_credit_card(wrong).await),
            "IncorrectTransactionId"
        );
        // Debit by EFT token.
        let mut by_eft_token = debit("1", "15.00");
        by_eft_token.eft_details = None;
        by_eft_token.token = Some(eft_token.clone());
        let (code, debited) = outcome(client.debit_eft(by_eft_token).await);
        assert_eq!(code, "Success");
        assert_eq!(debited.token.as_deref(), Some(eft_token.as_str()));

        // Update the saved card.
        let update = |month, year, zip: &str| {
            UpdateCreditCardRequest::new()
                .with_token(card_token.clone())
                .with_expiration_month(month)
                .with_expiration_year(year)
                .with_zip_code(zip)
        };
        let updated = client
            .update_credit_card(update(3, 2033, "54321"))
            .await
            .expect("update");
        assert_eq!(updated.time_zone.as_deref(), Some("PST"));
        assert!(updated.update_time.is_some());
        assert_eq!(
            code_of(client.update_credit_card(update(1, 2029, "54321")).await),
            "InvalidExpirationDate"
        );
        assert_eq!(
            code_of(client.update_credit_card(update(3, 2033, "5432")).await),
            "InvalidZipcode"
        );
        let info = client
            .get_info(GetInfoRequest::new().with_token(card_token.clone()))
            .await
            .expect("info after update")
            .credit_card
            .expect("card");
        assert_eq!((info.expiration_month, info.expiration_year), (3, 2033));
        assert_eq!(info.holder.and_then(|h| h.zip).as_deref(), Some("54321"));

        // Remove: another customer's id is refused, then it is gone.
        let remove = |customer: Option<&str>| {
            let mut request = RemovePaymentTokenRequest::new().with_token(card_token.clone());
            request.customer_id = customer.map(str::to_owned);
            request
        };
        assert_eq!(
            code_of(client.remove_payment_token(remove(Some("CUST-2"))).await),
            "IncorrectTransactionId"
        );
        client
            .remove_payment_token(remove(Some("CUST-1")))
            .await
            .expect("remove");
        let gone = client
            .get_info(GetInfoRequest::new().with_token(card_token.clone()))
            .await;
        assert_eq!(code_of(gone), "IncorrectTransactionId");
        assert_eq!(
            code_of(client.remove_payment_token(remove(None)).await),
            "IncorrectTransactionId"
        );
        let mut after = charge("4111111111111111", "1.00");
        after.credit_card = None;
        after.token = Some(card_token.clone());
        assert_eq!(
            code_of(client.charge_credit_card(after).await),
            "IncorrectTransactionId"
        );
        let batch = client
            .get_token_info_batch(
                GetTokenInfoBatchRequest::new()
                    .with_payment_tokens(vec![Some(card_token.clone()), Some(eft_token.clone())]),
            )
            .await
            .expect("batch after remove");
        assert_eq!(batch.token_info_results.map(|r| r.len()), Some(1));
        let removals = client
            .get_transactions_by_type(
                GetTransactionsByTypeRequest::new()
                    .with_types(vec![TransactionType::RemoveSavedCreditCard])
                    .with_query_authentication_keys(vec![Some(TEST_AUTHENTICATION_KEY.into())])
                    .with_start_date(DateTime::parse("2030-01-01T00:00:00").expect("date"))
                    .with_end_date(DateTime::parse("2030-12-31T00:00:00").expect("date")),
            )
            .await
            .expect("removals");
        assert_eq!(removals.transactions.map(|t| t.len()), Some(1));

        // A charge (and a debit) with Save tokenizes the payment method.
        let mut save = charge("6011601160116611", "8.10");
        save.save = true;
        let saved_by_charge = charged(&client, save).await;
        let token = saved_by_charge.token.clone().expect("token from charge");
        let info = client
            .get_info(GetInfoRequest::new().with_token(token))
            .await
            .expect("info of charge token");
        assert_eq!(info.transaction_id, saved_by_charge.transaction_id);
        assert_eq!(
            info.credit_card.map(|c| c.base_card_type),
            Some(CreditCardType::Discover)
        );
        let mut failed_save = charge("6011601160116611", "3.00");
        failed_save.save = true;
        let (code, failed) = outcome(client.charge_credit_card(failed_save).await);
        assert_eq!((code.as_str(), failed.token), ("Declined", None));
        let mut save_debit = debit("1234567892", "3.33");
        save_debit.save = true;
        let (_, debited) = outcome(client.debit_eft(save_debit).await);
        let mut by_debit_token = GetInfoRequest::new();
        by_debit_token.token = debited.token;
        let info = client
            .get_info(by_debit_token)
            .await
            .expect("info of debit token");
        assert_eq!(info.token_type, TokenType::Eft);
    }
}

// ---- transactions -------------------------------------------------------------------------------

#[tokio::test]
async fn transaction_lookups() {
    for format in FORMATS {
        let sb = sandbox().await;
        let client = client(&sb, format);
        let mut first = charge("4111111111111111", "100.00");
        first.charge_fee = true;
        first.callback_id = Some("cb-1".to_owned());
        first.customer_id = Some("CUST-7".to_owned());
        first.account_group_code = Some("Default".to_owned());
        first.client_reference_data = Some(
            ClientReferenceData::new()
                .with_client_reference_data1("Q-1")
                .with_client_reference_data3("Office A"),
        );
        let first = charged(&client, first).await;
        let first_id = id_of(&first.transaction_id);
        assert_eq!(first_id, FIRST_TRANSACTION_ID.to_string());
        assert_eq!(first.batch_number, 1);
        assert_eq!(first.posted_amount, Some(dec("103.00")));

        let info = transaction(&client, &first_id).await;
        assert_eq!(info.transaction_id.as_deref(), Some(first_id.as_str()));
        assert_eq!(info.original_amount, dec("100.00"));
        assert_eq!(info.posted_amount, dec("103.00"));
        assert_eq!(info.transaction_type, TransactionType::ChargeCreditCard);
        assert_eq!(info.transaction_status, TransactionStatus::Successful);
        assert_eq!(info.batch_number, 1);
        assert_eq!(info.last_four_digits.as_deref(), Some("1111"));
        assert_eq!(info.credit_card_type, CreditCardType::Visa);
        assert_eq!(info.base_card_type, Some(CreditCardType::Visa));
        assert_eq!(info.credit_card_expiration_month, Some(12));
        assert_eq!(info.credit_card_expiration_year, Some(2031));
        assert_eq!(info.customer_name.as_deref(), Some("John Stevens"));
        assert_eq!(info.customer_id.as_deref(), Some("CUST-7"));
        assert_eq!(info.account_group_code.as_deref(), Some("Default"));
        assert_eq!(info.instance_name.as_deref(), Some("payspec-sandbox"));
        assert_eq!(info.time_zone.as_deref(), Some("PST"));
        assert_eq!(info.account_number, None);
        let shown = info.payment_date.to_string();
        match format {
            WireFormat::Json => assert_eq!(shown, "2030-01-15T10:00:00"),
            WireFormat::Xml => assert_eq!(shown, "2030-01-15T10:00:00-08:00"),
        }
        let by_callback = client
            .get_transaction_by_callback_id(
                GetTransactionByCallbackIdRequest::new().with_callback_id("cb-1"),
            )
            .await
            .expect("by callback id")
            .transaction_information
            .expect("information");
        assert_eq!(by_callback.transaction_id, Some(first_id.clone()));
        for unknown in ["99999", "abc", ""] {
            let result = client
                .get_transaction_by_id(
                    GetTransactionByIdRequest::new().with_transaction_id(unknown),
                )
                .await;
            assert_eq!(code_of(result), "IncorrectTransactionId");
        }
        let result = client
            .get_transaction_by_callback_id(
                GetTransactionByCallbackIdRequest::new().with_callback_id("cb-none"),
            )
            .await;
        assert_eq!(code_of(result), "IncorrectTransactionId");

        // A later charge (PDT), an EFT debit and a declined charge, for the customer.
        let later = client_at(&sb, format, "2030-07-04T19:30:00.250Z");
        let mut second = charge("5431111111111111", "20.00");
        second.customer_id = Some("CUST-7".to_owned());
        second.client_reference_data = Some(
            ClientReferenceData::new()
                .with_client_reference_data1("Q-2")
                .with_client_reference_data3("Office A"),
        );
        let second = charged(&later, second).await;
        let second_id = id_of(&second.transaction_id);
        let second_info = transaction(&later, &second_id).await;
        assert_eq!(second_info.time_zone.as_deref(), Some("PDT"));
        let shown = second_info.payment_date.to_string();
        match format {
            WireFormat::Json => assert_eq!(shown, "2030-07-04T12:30:00"),
            WireFormat::Xml => assert_eq!(shown, "2030-07-04T12:30:00.25-07:00"),
        }
        let mut third = debit("1234567892", "30.00");
        third.customer_id = Some("CUST-7".to_owned());
        let third_id = id_of(&outcome(later.debit_eft(third).await).1.transaction_id);
        let mut declined = charge("5431111111111111", "3.00");
        declined.customer_id = Some("CUST-7".to_owned());
        let declined_id = id_of(
            &outcome(later.charge_credit_card(declined).await)
                .1
                .transaction_id,
        );
        let info = transaction(&client, &third_id).await;
        assert_eq!(
            info.account_number.as_ref().map(|a| a.expose().as_str()),
            Some("1234567892")
        );
        assert_eq!(info.bank_name.as_deref(), Some("Wells Fargo Bank"));

        // By batch: every one is in batch 1.
        let by_batch = |keys: Option<Vec<&str>>, statuses: Option<Vec<TransactionStatus>>| {
            let mut request = GetTransactionsByBatchIdRequest::new().with_batch_id("1");
            request.query_authentication_keys =
                keys.map(|k| k.into_iter().map(|k| Some(k.into())).collect());
            request.transaction_statuses = statuses;
            request
        };
        let ids = |list: Option<Vec<Option<TransactionInformation>>>| -> Vec<String> {
            list.unwrap_or_default()
                .into_iter()
                .flatten()
                .filter_map(|t| t.transaction_id)
                .collect()
        };
        let all = client
            .get_transactions_by_batch_id(by_batch(
                Some(vec!["other-key", TEST_AUTHENTICATION_KEY]),
                None,
            ))
            .await
            .expect("by batch");
        assert_eq!(
            ids(all.transactions),
            owned(&[&first_id, &second_id, &third_id, &declined_id])
        );
        let failed = client
            .get_transactions_by_batch_id(by_batch(
                Some(vec![TEST_AUTHENTICATION_KEY]),
                Some(vec![TransactionStatus::Failed]),
            ))
            .await
            .expect("failed by batch");
        assert_eq!(ids(failed.transactions), owned(&[&declined_id]));
        let others = client
            .get_transactions_by_batch_id(by_batch(Some(vec!["other-key"]), None))
            .await
            .expect("other keys");
        assert!(ids(others.transactions).is_empty());
        assert_eq!(
            code_of(
                client
                    .get_transactions_by_batch_id(by_batch(None, None))
                    .await
            ),
            "GatewayInternalError"
        );
        let mut bad = by_batch(Some(vec![TEST_AUTHENTICATION_KEY]), None);
        bad.batch_id = Some("eleven".to_owned());
        assert_eq!(
            code_of(client.get_transactions_by_batch_id(bad).await),
            "GatewayInternalError"
        );
        let mut empty = by_batch(Some(vec![TEST_AUTHENTICATION_KEY]), None);
        empty.batch_id = Some("2".to_owned());
        let empty = client
            .get_transactions_by_batch_id(empty)
            .await
            .expect("empty batch");
        assert!(ids(empty.transactions).is_empty());

        // By type, within dates (local times without an offset are Pacific).
        let by_type = |types: Vec<TransactionType>, start: &str, end: &str, after| {
            let mut request = GetTransactionsByTypeRequest::new()
                .with_types(types)
                .with_start_date(DateTime::parse(start).expect("start"))
                .with_end_date(DateTime::parse(end).expect("end"))
                .with_query_authentication_keys(vec![Some(TEST_AUTHENTICATION_KEY.into())]);
            request.after_transaction_id = after;
            request
        };
        let charges = vec![
            TransactionType::ChargeCreditCard,
            TransactionType::ChargeCreditCardNoFee,
        ];
        let found = client
            .get_transactions_by_type(by_type(
                charges.clone(),
                "2030-01-15T10:00:00",
                "2030-07-04T12:30:00",
                None,
            ))
            .await
            .expect("by type");
        assert_eq!(
            ids(found.transactions),
            owned(&[&first_id, &second_id, &declined_id])
        );
        let found = client
            .get_transactions_by_type(by_type(
                charges.clone(),
                "2030-01-15T10:00:01",
                "2030-12-31T00:00:00Z",
                None,
            ))
            .await
            .expect("by type, later");
        assert_eq!(ids(found.transactions), owned(&[&second_id, &declined_id]));
        let first_num: i32 = first_id.parse().expect("numeric id");
        let found = client
            .get_transactions_by_type(by_type(
                vec![
                    TransactionType::ChargeCreditCardNoFee,
                    TransactionType::DebitEftNoFee,
                ],
                "2030-01-01T00:00:00",
                "2030-12-31T00:00:00",
                Some(first_num + 1),
            ))
            .await
            .expect("by type, after");
        assert_eq!(ids(found.transactions), owned(&[&third_id, &declined_id]));
        let found = client
            .get_transactions_by_type(by_type(
                charges.clone(),
                "2030-01-15T18:00:00Z",
                "2030-01-15T18:00:00Z",
                None,
            ))
            .await
            .expect("by type, one instant");
        assert_eq!(ids(found.transactions), owned(&[&first_id]));
        assert_eq!(
            code_of(
                client
                    .get_transactions_by_type(by_type(
                        Vec::new(),
                        "2030-01-01T00:00:00",
                        "2030-12-31T00:00:00",
                        None
                    ))
                    .await
            ),
            "GatewayInternalError"
        );

        // By customer and client reference data.
        let by_customer = |crd: Option<ClientReferenceData>, limit, offset| {
            let mut request = GetTransactionsByCustomerAndClientRefDataRequest::new()
                .with_customer_id("CUST-7")
                .with_start_date(DateTime::parse("2030-01-01T00:00:00").expect("start"))
                .with_end_date(DateTime::parse("2031-01-01T00:00:00").expect("end"))
                .with_limit(limit)
                .with_offset(offset);
            request.client_reference_data = crd;
            request
        };
        let found = client
            .get_transactions_by_customer_and_client_ref_data(by_customer(None, 0, 0))
            .await
            .expect("by customer");
        assert_eq!(
            ids(found.transactions),
            owned(&[&first_id, &second_id, &third_id, &declined_id])
        );
        let office = Some(ClientReferenceData::new().with_client_reference_data3("Office A"));
        let found = client
            .get_transactions_by_customer_and_client_ref_data(by_customer(office.clone(), 0, 0))
            .await
            .expect("by office");
        assert_eq!(ids(found.transactions), owned(&[&first_id, &second_id]));
        let found = client
            .get_transactions_by_customer_and_client_ref_data(by_customer(None, 2, 1))
            .await
            .expect("a page");
        assert_eq!(ids(found.transactions), owned(&[&second_id, &third_id]));
        let mut no_customer = by_customer(None, 0, 0);
        no_customer.customer_id = None;
        assert_eq!(
            code_of(
                client
                    .get_transactions_by_customer_and_client_ref_data(no_customer)
                    .await
            ),
            "GatewayInternalError"
        );

        // Metadata: the fields given change, the others stay.
        client
            .update_transaction_metadata(
                UpdateTransactionMetadataRequest::new()
                    .with_transaction_id(first_num)
                    .with_client_reference_data(
                        ClientReferenceData::new()
                            .with_client_reference_data2("EXT-99")
                            .with_client_reference_data3("Office B"),
                    ),
            )
            .await
            .expect("update metadata");
        let crd = transaction(&client, &first_id)
            .await
            .client_reference_data
            .expect("metadata");
        assert_eq!(crd.client_reference_data1.as_deref(), Some("Q-1"));
        assert_eq!(crd.client_reference_data2.as_deref(), Some("EXT-99"));
        assert_eq!(crd.client_reference_data3.as_deref(), Some("Office B"));
        let found = client
            .get_transactions_by_customer_and_client_ref_data(by_customer(office, 0, 0))
            .await
            .expect("by office after update");
        assert_eq!(ids(found.transactions), owned(&[&second_id]));
        assert_eq!(
            code_of(
                client
                    .update_transaction_metadata(
                        UpdateTransactionMetadataRequest::new().with_transaction_id(5)
                    )
                    .await
            ),
            "IncorrectTransactionId"
        );
    }
}

// ---- batches, voids and refunds -----------------------------------------------------------------

#[tokio::test]
async fn voids_before_the_batch_closes_refunds_after() {
    for format in FORMATS {
        let sb = sandbox().await;
        let client = client(&sb, format);
        let voided = id_of(
            &charged(&client, charge("4111111111111111", "10.00"))
                .await
                .transaction_id,
        );
        let (code, response) = void(&client, &voided).await;
        assert_eq!(code, "Success");
        assert_eq!(response.batch_number, 1);
        assert!(response.authorization_code.is_some());
        assert_eq!(status_of(&client, &voided).await, TransactionStatus::Voided);
        let void_txn = transaction(&client, &id_of(&response.transaction_id)).await;
        assert_eq!(void_txn.original_amount, dec("10.00"));
        assert_eq!(void(&client, &voided).await.0, "CreditCardVoidFailed");
        assert_eq!(
            refund(&client, &voided, None).await.0,
            "IncorrectTransactionId"
        );
        let failed = id_of(
            &outcome(
                client
                    .charge_credit_card(charge("5431111111111111", "3.00"))
                    .await,
            )
            .1
            .transaction_id,
        );
        assert_eq!(void(&client, &failed).await.0, "CreditCardVoidFailed");
        assert_eq!(void(&client, "424242").await.0, "IncorrectTransactionId");
        assert_eq!(
            void(&client, "not a number").await.0,
            "IncorrectTransactionId"
        );
        // A void transaction is not a payment.
        assert_eq!(
            void(&client, &id_of(&response.transaction_id)).await.0,
            "IncorrectTransactionId"
        );

        let mut with_fee = charge("4111111111111111", "10.00");
        with_fee.charge_fee = true;
        let paid = charged(&client, with_fee).await;
        assert_eq!(paid.posted_amount, Some(dec("11.00")));
        let paid = id_of(&paid.transaction_id);
        assert_eq!(
            refund(&client, &paid, Some("4.00")).await.0,
            "BatchHasNotBeenClosed"
        );
        let full = id_of(
            &charged(&client, charge("341111111111111", "25.50"))
                .await
                .transaction_id,
        );
        let eft_paid = id_of(
            &outcome(client.debit_eft(debit("1234567892", "40.00")).await)
                .1
                .transaction_id,
        );
        assert_eq!(
            refund_eft(&client, &eft_paid, None).await.0,
            "BatchHasNotBeenClosed"
        );

        let closed = close_batch(&sb).await;
        assert_eq!(closed["batchNumber"], 1);
        assert_eq!(closed["transactions"], 6);
        assert_eq!(void(&client, &paid).await.0, "BatchHasBeenClosed");
        assert_eq!(void_eft(&client, &eft_paid).await.0, "BatchHasBeenClosed");

        // Partial refunds up to the original amount (the fee is not refunded).
        let (code, first) = refund(&client, &paid, Some("4.00")).await;
        assert_eq!(code, "Success");
        assert_eq!(first.batch_number, 2);
        let first_txn = transaction(&client, &id_of(&first.transaction_id)).await;
        assert_eq!(first_txn.original_amount, dec("4.00"));
        assert_eq!(
            first_txn.transaction_type,
            TransactionType::RefundCreditCard
        );
        assert_eq!(
            first_txn.internal_reference_transaction_id.as_deref(),
            Some(paid.as_str())
        );
        let (code, too_much) = refund(&client, &paid, Some("6.01")).await;
        assert_eq!(code, "InvalidPartialRefundAmount");
        assert_eq!(too_much.transaction_id, None);
        assert_eq!(
            refund(&client, &paid, Some("0")).await.0,
            "InvalidCreditCardAmount"
        );
        assert_eq!(
            refund(&client, &paid, Some("1.001")).await.0,
            "InvalidCreditCardAmount"
        );
        assert_eq!(refund(&client, &paid, Some("6.00")).await.0, "Success");
        assert_eq!(
            refund(&client, &paid, Some("0.01")).await.0,
            "UnableToRefundTransaction"
        );
        assert_eq!(
            refund(&client, &paid, None).await.0,
            "UnableToRefundTransaction"
        );
        assert_eq!(
            status_of(&client, &paid).await,
            TransactionStatus::Successful
        );
        // Without an amount: the whole rest.
        let (code, whole) = refund(&client, &full, None).await;
        assert_eq!(code, "Success");
        assert_eq!(
            transaction(&client, &id_of(&whole.transaction_id))
                .await
                .original_amount,
            dec("25.50")
        );
        // EFT: the same rules.
        let (code, part) = refund_eft(&client, &eft_paid, Some("15.00")).await;
        assert_eq!(code, "Success");
        assert_eq!(part.batch_number, 2);
        assert_eq!(
            refund_eft(&client, &eft_paid, Some("25.01")).await.0,
            "InvalidPartialRefundAmount"
        );
        assert_eq!(
            refund_eft(&client, &eft_paid, Some("-1")).await.0,
            "InvalidPartialRefundAmount"
        );
        assert_eq!(refund_eft(&client, &eft_paid, None).await.0, "Success");
        assert_eq!(
            refund_eft(&client, &eft_paid, None).await.0,
            "UnableToRefundTransaction"
        );
        // Batch 2 is open: new EFT payments are voidable there, and a card payment is not an EFT.
        let fresh = id_of(
            &outcome(client.credit_eft(credit("1234567892", "12.34")).await)
                .1
                .transaction_id,
        );
        let (code, voided) = void_eft(&client, &fresh).await;
        assert_eq!(code, "Success");
        assert_eq!(
            transaction(&client, &id_of(&voided.transaction_id))
                .await
                .transaction_type,
            TransactionType::VoidEft
        );
        assert_eq!(void_eft(&client, &fresh).await.0, "IncorrectTransactionId");
        assert_eq!(void_eft(&client, &full).await.0, "IncorrectTransactionId");
        assert_eq!(
            refund(&client, &eft_paid, None).await.0,
            "IncorrectTransactionId"
        );
        let closed = close_batch(&sb).await;
        assert_eq!(closed["batchNumber"], 2);
    }
}

// ---- duplicate detection ------------------------------------------------------------------------

#[tokio::test]
async fn duplicates_within_two_minutes() {
    for format in FORMATS {
        let sb = sandbox().await;
        let at = |now: &str| client_at(&sb, format, now);
        let payment = |amount: &str, number: &str, ref1: &str| {
            let mut request = charge(number, amount);
            request.client_reference_data = Some(refs(ref1));
            request
        };
        let t0 = at("2030-03-01T12:00:00Z");
        let first = charged(&t0, payment("25.00", "4111111111111111", "POL-D")).await;
        let first_id = id_of(&first.transaction_id);
        // Same amount, last four and ClientReferenceData1 within 2 minutes.
        for now in [
            "2030-03-01T12:00:00Z",
            "2030-03-01T12:01:00Z",
            "2030-03-01T12:01:59.999Z",
        ] {
            let (code, response) = outcome(
                at(now)
                    .charge_credit_card(payment("25.00", "4111111111111111", "POL-D"))
                    .await,
            );
            assert_eq!(code, "DuplicateTransaction", "{format:?} at {now}");
            assert!(
                response
                    .message
                    .as_deref()
                    .is_some_and(|m| m.contains(&first_id))
            );
            assert_eq!(
                status_of(&t0, &id_of(&response.transaction_id)).await,
                TransactionStatus::Failed
            );
        }
        // Another amount, card (last four) or reference is not a duplicate.
        let t1 = at("2030-03-01T12:01:00Z");
        charged(&t1, payment("25.01", "4111111111111111", "POL-D")).await;
        charged(&t1, payment("25.00", "4444444444444125", "POL-D")).await;
        charged(&t1, payment("25.00", "4024007167282317", "POL-D")).await;
        charged(&t1, payment("25.00", "4111111111111111", "POL-E")).await;
        // 2 minutes later it is a new payment.
        let t2 = at("2030-03-01T12:02:00Z");
        charged(&t2, payment("25.00", "4111111111111111", "POL-D")).await;
        // ... which itself starts a new window.
        assert_eq!(
            code_of(
                at("2030-03-01T12:03:30Z")
                    .charge_credit_card(payment("25.00", "4111111111111111", "POL-D"))
                    .await
            ),
            "DuplicateTransaction"
        );
        // A voided payment is no longer a duplicate candidate.
        let t3 = at("2030-03-01T13:00:00Z");
        let v = charged(&t3, payment("9.00", "4111111111111111", "POL-V")).await;
        assert_eq!(void(&t3, &id_of(&v.transaction_id)).await.0, "Success");
        charged(&t3, payment("9.00", "4111111111111111", "POL-V")).await;

        // A payment whose ClientReferenceData1 is changed afterwards is compared by its new value.
        let t4 = at("2030-03-01T14:00:00Z");
        let moved = charged(&t4, payment("7.00", "4111111111111111", "POL-OLD")).await;
        t4.update_transaction_metadata(
            UpdateTransactionMetadataRequest::new()
                .with_transaction_id(
                    id_of(&moved.transaction_id)
                        .parse::<i32>()
                        .expect("numeric id"),
                )
                .with_client_reference_data(refs("POL-NEW")),
        )
        .await
        .expect("update metadata");
        assert_eq!(
            code_of(
                t4.charge_credit_card(payment("7.00", "4111111111111111", "POL-NEW"))
                    .await
            ),
            "DuplicateTransaction"
        );
        charged(&t4, payment("7.00", "4111111111111111", "POL-OLD")).await;

        // EFT debits (and credits, each among their own kind).
        let mut d = debit("1234567892", "50.00");
        d.client_reference_data = Some(refs("POL-EFT"));
        assert_eq!(outcome(t0.debit_eft(d.clone()).await).0, "Success");
        assert_eq!(
            outcome(at("2030-03-01T12:01:30Z").debit_eft(d.clone()).await).0,
            "DuplicateTransaction"
        );
        let mut c = credit("1234567892", "50.00");
        c.client_reference_data = Some(refs("POL-EFT"));
        assert_eq!(outcome(t0.credit_eft(c.clone()).await).0, "Success");
        assert_eq!(
            outcome(at("2030-03-01T12:00:30Z").credit_eft(c).await).0,
            "DuplicateTransaction"
        );
        assert_eq!(
            outcome(at("2030-03-01T12:02:00Z").debit_eft(d).await).0,
            "Success"
        );
    }
}

// ---- fees ---------------------------------------------------------------------------------------

#[tokio::test]
async fn convenience_fees() {
    for format in FORMATS {
        let sb = sandbox().await;
        let client = client(&sb, format);
        let card_fee = |amount: &str, fee_type: Option<&str>| {
            let mut request = ConvenienceFeeRequest::new().with_amount(dec(amount));
            request.convenience_fee_type = fee_type.map(str::to_owned);
            request
        };
        for (amount, fee) in [
            ("100.0", "3.00"),
            ("20.00", "1.00"),
            ("33.35", "1.00"),
            ("50.50", "1.52"),
            ("49.99", "1.50"),
            ("1000.50", "30.02"),
        ] {
            let quote = client
                .get_credit_card_convenience_fee(card_fee(amount, None))
                .await
                .expect("card fee");
            assert_eq!(quote.convenience_fee, dec(fee), "{amount}");
            assert_eq!(quote.convenience_fee.to_string(), fee);
            assert_eq!(quote.calculation_type.as_deref(), Some("Percent"));
            assert_eq!(quote.percent, Some(dec("3.00")));
            assert_eq!(quote.minimum_amount, Some(dec("1.00")));
            assert_eq!(quote.flat_rate, None);
        }
        let quote = client
            .get_credit_card_convenience_fee(card_fee("10.00", Some("Default")))
            .await
            .expect("default type");
        assert_eq!(quote.convenience_fee, dec("1.00"));
        assert_eq!(
            code_of(
                client
                    .get_credit_card_convenience_fee(card_fee("0", None))
                    .await
            ),
            "InvalidCreditCardAmount"
        );
        assert_eq!(
            code_of(
                client
                    .get_credit_card_convenience_fee(card_fee("10", Some("Premium")))
                    .await
            ),
            "GatewayInternalError"
        );
        let eft_fee = |amount: &str| eft::ConvenienceFeeRequest::new().with_amount(dec(amount));
        let quote = client
            .get_eft_convenience_fee(eft_fee("250.00"))
            .await
            .expect("eft fee");
        assert_eq!(quote.convenience_fee.to_string(), "1.50");
        assert_eq!(quote.calculation_type.as_deref(), Some("FlatRate"));
        assert_eq!(quote.flat_rate, Some(dec("1.50")));
        assert_eq!(
            code_of(client.get_eft_convenience_fee(eft_fee("-3")).await),
            "InvalidEFTAmount"
        );

        // Charges add the fee to the posted amount.
        let mut with_fee = charge("4111111111111111", "50.50");
        with_fee.charge_fee = true;
        let paid = charged(&client, with_fee).await;
        assert_eq!(paid.posted_amount, Some(dec("52.02")));
        let info = transaction(&client, &id_of(&paid.transaction_id)).await;
        assert_eq!(
            (info.original_amount, info.posted_amount),
            (dec("50.50"), dec("52.02"))
        );
        assert_eq!(info.transaction_type, TransactionType::ChargeCreditCard);
        let no_fee = charged(&client, charge("4111111111111111", "50.50")).await;
        assert_eq!(no_fee.posted_amount, Some(dec("50.50")));
        assert_eq!(
            transaction(&client, &id_of(&no_fee.transaction_id))
                .await
                .transaction_type,
            TransactionType::ChargeCreditCardNoFee
        );
        let mut recurring = charge("4111111111111111", "50.50");
        recurring.is_recurring = true;
        let recurring = charged(&client, recurring).await;
        assert_eq!(
            transaction(&client, &id_of(&recurring.transaction_id))
                .await
                .transaction_type,
            TransactionType::RecurringChargeCreditCard
        );
        let mut unknown_type = charge("4111111111111111", "50.50");
        unknown_type.charge_fee = true;
        unknown_type.convenience_fee_type = Some("Premium".to_owned());
        assert_eq!(
            code_of(client.charge_credit_card(unknown_type).await),
            "GatewayInternalError"
        );
        let mut eft_with_fee = debit("1234567892", "80.00");
        eft_with_fee.charge_fee = true;
        let (code, debited) = outcome(client.debit_eft(eft_with_fee).await);
        assert_eq!(code, "Success");
        let info = transaction(&client, &id_of(&debited.transaction_id)).await;
        assert_eq!(info.posted_amount, dec("81.50"));
        assert_eq!(info.transaction_type, TransactionType::DebitEft);
    }
}

/// `ChargeFee` left out: true in JSON (Json.NET keeps the contract's default), false in XML
/// (DataContractSerializer runs no constructor).
#[tokio::test]
async fn charge_fee_defaults_per_format() {
    let sb = sandbox().await;
    let url = format!("{}/api/CreditCard/Charge", sb.processone.base_url);
    let json = format!(
        r#"{{"amount": 100.00, "authenticationKey": "{TEST_AUTHENTICATION_KEY}",
            "creditCard": {{"number": "4111111111111111", "expirationMonth": 12,
            "expirationYear": 2031, "holder": {{"name": "J S"}}}},
            "clientReferenceData": {{"clientReferenceData1": "raw-json"}}}}"#
    );
    let response = reqwest::Client::new()
        .post(&url)
        .header("content-type", "application/json")
        .header("x-sandbox-now", NOW)
        .body(json)
        .send()
        .await
        .expect("raw JSON charge");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let body = response.bytes().await.expect("body");
    let answer = ChargeCreditCardResponse::from_json(&body).expect("response contract");
    assert_eq!(answer.response_code.as_deref(), Some("Success"));
    assert_eq!(answer.posted_amount, Some(dec("103.00")));

    let request = with_key(
        &charge("4111111111111111", "100.00"),
        TEST_AUTHENTICATION_KEY,
    );
    let xml = String::from_utf8(request.to_xml().expect("xml")).expect("utf-8");
    let without = xml.replace("<ChargeFee>false</ChargeFee>", "");
    assert_ne!(xml, without);
    let response = reqwest::Client::new()
        .post(&url)
        .header("content-type", "application/xml")
        .header("x-sandbox-now", NOW)
        .body(without)
        .send()
        .await
        .expect("raw XML charge");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/xml; charset=utf-8"
    );
    let body = response.bytes().await.expect("body");
    let text = String::from_utf8_lossy(&body).to_string();
    assert!(
        text.starts_with(
            "<ChargeCreditCardResponse xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\""
        ),
        "{text}"
    );
    assert!(text.contains("<TransactionDate>2030-01-15T10:00:00-08:00</TransactionDate>"));
    let answer = ChargeCreditCardResponse::from_xml(&body).expect("response contract");
    assert_eq!(answer.posted_amount, Some(dec("100.00")));
}

// ---- authentication, ids ------------------------------------------------------------------------

#[tokio::test]
async fn a_wrong_key_is_invalid_authentication_key() {
    for format in FORMATS {
        let sb = sandbox().await;
        let wrong = ClientBuilder::with_base_url(&sb.processone.base_url)
            .authentication_key("not-the-key")
            .format(format)
            .build()
            .expect("client");
        let (code, health) = outcome(
            wrong
                .check_health_status(CheckHealthStatusRequest::default())
                .await,
        );
        assert_eq!(code, "InvalidAuthenticationKey");
        assert!(!health.is_alive);
        assert_eq!(
            code_of(
                wrong
                    .charge_credit_card(charge("4111111111111111", "1.00"))
                    .await
            ),
            "InvalidAuthenticationKey"
        );
        assert_eq!(
            code_of(wrong.debit_eft(debit("1234567892", "1.00")).await),
            "InvalidAuthenticationKey"
        );
        assert_eq!(
            code_of(
                wrong
                    .get_transaction_by_id(GetTransactionByIdRequest::default())
                    .await
            ),
            "InvalidAuthenticationKey"
        );
        assert_eq!(
            code_of(wrong.get_info(GetInfoRequest::default()).await),
            "InvalidAuthenticationKey"
        );
        // Nothing was recorded: the first valid charge gets the first id.
        let client = client(&sb, format);
        let first = charged(&client, charge("4111111111111111", "1.00")).await;
        assert_eq!(first.transaction_id, Some(FIRST_TRANSACTION_ID.to_string()));
        let health = client
            .check_health_status(CheckHealthStatusRequest::default())
            .await
            .expect("health");
        assert!(health.is_alive);
        assert_eq!(health.message.as_deref(), Some("Success"));
    }
}

#[tokio::test]
async fn ids_are_deterministic_per_seed() {
    async fn run(seed: u64) -> Vec<String> {
        let sb = Sandbox::start_with(SandboxOptions {
            seed,
            ..SandboxOptions::default()
        })
        .await
        .expect("sandbox");
        let client = client(&sb, WireFormat::Json);
        let mut out = Vec::new();
        let saved = client
            .save_credit_card(
                SaveCreditCardRequest::new().with_credit_card(card("4111111111111111")),
            )
            .await
            .expect("save");
        out.push(saved.token.expect("token"));
        let mut request = charge("5431111111111111", "5.55");
        request.client_reference_data = Some(refs("SAME"));
        let paid = charged(&client, request).await;
        out.push(paid.transaction_id.expect("id"));
        out.push(paid.authorization_code.expect("code"));
        let debited = outcome(client.debit_eft(debit("1234567892", "2.22")).await).1;
        out.push(debited.transaction_id.expect("id"));
        out
    }
    let a = run(42).await;
    assert_eq!(a, run(42).await);
    let c = run(43).await;
    assert_ne!(a[0], c[0], "tokens depend on the seed");
    assert_eq!(a[1], "1002");
    assert_eq!(a[1], c[1], "transaction ids are a per-sandbox counter");
}

// ---- card, EFT and other checks -----------------------------------------------------------------

#[tokio::test]
async fn card_and_account_checks() {
    for format in FORMATS {
        let sb = sandbox().await;
        let client = client(&sb, format);
        let cases: Vec<(ChargeCreditCardRequest, &str)> = vec![
            (charge("4111111111111112", "1.00"), "InvalidCardNumber"),
            (charge("41111111", "1.00"), "InvalidCardNumber"),
            (charge("3530111333300000", "1.00"), "CardTypeNotAccepted"),
            (
                charge("4111111111111111", "0.00"),
                "InvalidCreditCardAmount",
            ),
            (
                charge("4111111111111111", "-5.00"),
                "InvalidCreditCardAmount",
            ),
            (
                charge("4111111111111111", "1.005"),
                "InvalidCreditCardAmount",
            ),
            (
                {
                    let mut r = charge("4111111111111111", "1.00");
                    r.credit_card = None;
                    r
                },
                "InvalidCardNumber",
            ),
            (
                {
                    let mut r = charge("4111111111111111", "1.00");
                    if let Some(c) = r.credit_card.as_mut() {
                        c.expiration_year = 2029;
                    }
                    r
                },
                "CardExpired",
            ),
            (
                {
                    let mut r = charge("4111111111111111", "1.00");
                    if let Some(c) = r.credit_card.as_mut() {
                        c.expiration_month = 13;
                    }
                    r
                },
                "InvalidExpirationDate",
            ),
            (
                {
                    let mut r = charge("341111111111111", "1.00");
                    if let Some(c) = r.credit_card.as_mut() {
                        c.validation_value = Some("123".into());
                    }
                    r
                },
                "IncorrectValidationValue",
            ),
            (
                {
                    let mut r = charge("4111111111111111", "1.00");
                    if let Some(c) = r.credit_card.as_mut() {
                        c.holder = Some(Customer::default());
                    }
                    r
                },
                "CreditCardCustomerNameMissing",
            ),
            (
                {
                    let mut r = charge("4111111111111111", "1.00");
                    if let Some(h) = r.credit_card.as_mut().and_then(|c| c.holder.as_mut()) {
                        h.zip = Some("ABCDE".to_owned());
                    }
                    r
                },
                "InvalidZipcode",
            ),
        ];
        for (request, expected) in cases {
            let (code, response) = outcome(client.charge_credit_card(request).await);
            assert_eq!(code, expected, "{format:?}");
            assert_eq!(response.transaction_id, None, "refused before processing");
        }
        // The expiry month of "now" is still valid.
        let mut this_month = charge("4111111111111111", "1.00");
        if let Some(c) = this_month.credit_card.as_mut() {
            (c.expiration_month, c.expiration_year) = (1, 2030);
        }
        charged(&client, this_month).await;
        // Verify runs the same checks (not CVV2) and records a verification.
        let verify = |number: &str, year| {
            VerifyCreditCardRequest::new()
                .with_credit_card(
                    card(number)
                        .with_expiration_year(year)
                        .with_validation_value("1"),
                )
                .with_callback_id(format!("verify-{number}-{year}"))
        };
        client
            .verify_credit_card(verify("4111111111111111", 2031))
            .await
            .expect("verify");
        let verified = client
            .get_transaction_by_callback_id(
                GetTransactionByCallbackIdRequest::new()
                    .with_callback_id("verify-4111111111111111-2031"),
            )
            .await
            .expect("verification")
            .transaction_information
            .expect("information");
        assert_eq!(verified.transaction_type, TransactionType::VerifyCreditCard);
        assert_eq!(verified.batch_number, 0);
        assert_eq!(
            code_of(
                client
                    .verify_credit_card(verify("4111111111111111", 2020))
                    .await
            ),
            "CardExpired"
        );
        assert_eq!(
            code_of(client.verify_credit_card(verify("1234", 2031)).await),
            "InvalidCardNumber"
        );

        // EFT details.
        let eft_cases: Vec<(DebitEftRequest, &str)> = vec![
            (
                {
                    let mut r = debit("1234567892", "1.00");
                    if let Some(d) = r.eft_details.as_mut() {
                        d.customer_name = Some("  ".to_owned());
                    }
                    r
                },
                "EFTCustomerNameMissing",
            ),
            (
                {
                    let mut r = debit("1234567892", "1.00");
                    if let Some(d) = r.eft_details.as_mut() {
                        d.routing_number = Some("12104288".to_owned());
                    }
                    r
                },
                "InvalidRoutingNumber",
            ),
            (debit("12ab5678", "1.00"), "InvalidAccountNumber"),
            (debit("123", "1.00"), "InvalidAccountNumber"),
            (
                {
                    let mut r = debit("1234567892", "1.00");
                    r.eft_details = None;
                    r
                },
                "InvalidAccountNumber",
            ),
            (debit("1234567892", "2.505"), "InvalidEFTAmount"),
            (
                {
                    let mut r = debit("1234567892", "1.00");
                    r.eft_details = None;
                    r.token = Some("no-such-token".to_owned());
                    r
                },
                "IncorrectTransactionId",
            ),
        ];
        for (request, expected) in eft_cases {
            let (code, response) = outcome(client.debit_eft(request).await);
            assert_eq!(code, expected, "{format:?}");
            assert_eq!(response.transaction_id, None);
        }
        let mut nameless = eft_details("1234567892");
        nameless.customer_name = None;
        let save_without_name = client
            .save_eft(SaveEftRequest::new().with_eft_details(nameless.clone()))
            .await;
        assert_eq!(code_of(save_without_name), "EFTCustomerNameMissing");
        let credit_without = client
            .credit_eft(
                CreditEftRequest::new()
                    .with_eft_details(nameless)
                    .with_amount(dec("5")),
            )
            .await;
        let (code, response): (String, CreditEftResponse) = outcome(credit_without);
        assert_eq!(code, "EFTCustomerNameMissing");
        assert_eq!(response.transaction_id, None);
    }
}

#[tokio::test]
async fn health_card_data_bank_data_and_card_types() {
    for format in FORMATS {
        let sb = sandbox().await;
        let client = client(&sb, format);
        let types = client
            .get_accepted_card_types(GetAcceptedCardTypesRequest::default())
            .await
            .expect("card types");
        assert_eq!(
            types.accepted_card_types,
            Some(vec![
                CreditCardType::Visa,
                CreditCardType::MasterCard,
                CreditCardType::AmericanExpress,
                CreditCardType::Discover,
            ])
        );
        let card_data = |number: &str| GetCardDataRequest::new().with_credit_card_number(number);
        for (number, brand, network) in [
            (
                "4444444444444448",
                CreditCardType::Visa,
                CreditCardNetworkType::Debit,
            ),
            (
                "4111111111111111",
                CreditCardType::Visa,
                CreditCardNetworkType::Credit,
            ),
            (
                "5431111111111111",
                CreditCardType::MasterCard,
                CreditCardNetworkType::Credit,
            ),
            (
                "341111111111111",
                CreditCardType::AmericanExpress,
                CreditCardNetworkType::Credit,
            ),
            (
                "6011601160116611",
                CreditCardType::Discover,
                CreditCardNetworkType::Credit,
            ),
            (
                "4024007167282317",
                CreditCardType::Visa,
                CreditCardNetworkType::Hybrid,
            ),
            (
                "6011172923498605",
                CreditCardType::Discover,
                CreditCardNetworkType::Hybrid,
            ),
            (
                "5384483278305365",
                CreditCardType::MasterCard,
                CreditCardNetworkType::Hybrid,
            ),
            (
                "3530111333300000",
                CreditCardType::Other,
                CreditCardNetworkType::Unknown,
            ),
        ] {
            let data = client
                .get_card_data(card_data(number))
                .await
                .expect("card data");
            assert_eq!(
                (data.base_card_type, data.credit_card_network_type),
                (brand, network),
                "{number}"
            );
        }
        assert_eq!(
            code_of(client.get_card_data(card_data("4444444444444449")).await),
            "InvalidCardNumber"
        );
        // Hybrid cards charge as their base brand.
        let hybrid = charged(&client, charge("6011172923498605", "4.20")).await;
        assert_eq!(hybrid.credit_card_type, CreditCardType::Discover);
        assert_eq!(hybrid.base_card_type, CreditCardType::Discover);

        let bank = |routing: &str| GetBankDataRequest::new().with_routing_number(routing);
        let wells = client
            .get_bank_data(bank("121042882"))
            .await
            .expect("bank data");
        assert_eq!(wells.bank_name.as_deref(), Some("Wells Fargo Bank"));
        let test = client
            .get_bank_data(bank("123123123"))
            .await
            .expect("seed example");
        assert_eq!(
            (
                test.bank_name.as_deref(),
                test.bank_address.as_deref(),
                test.bank_city.as_deref(),
                test.bank_state.as_deref()
            ),
            (
                Some("Test Bank"),
                Some("test address"),
                Some("Test city"),
                Some("State")
            )
        );
        for unknown in ["011000015", "121042883", "abc", ""] {
            assert_eq!(
                code_of(client.get_bank_data(bank(unknown)).await),
                "InvalidRoutingNumber",
                "{unknown}"
            );
        }
        let updates = client
            .get_card_updates(
                GetCardUpdatesRequest::new()
                    .with_start_date(DateTime::parse("2030-01-01T00:00:00").expect("date"))
                    .with_end_date(DateTime::parse("2030-02-01T00:00:00").expect("date")),
            )
            .await
            .expect("card updates");
        assert_eq!(updates.card_data, Some(Vec::new()));
    }
}

// ---- the wire -----------------------------------------------------------------------------------

async fn raw(
    sandbox: &Sandbox,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    let mut request = reqwest::Client::new()
        .post(format!("{}{path}", sandbox.processone.base_url))
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("raw request");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.expect("body");
    (status, content_type, text)
}

#[tokio::test]
async fn bodies_that_are_not_contracts_never_get_a_5xx() {
    let sb = sandbox().await;
    const JSON: (&str, &str) = ("content-type", "application/json");
    const XML: (&str, &str) = ("content-type", "application/xml");
    let bad: [(&[(&str, &str)], &str); 12] = [
        (&[JSON], "{"),
        (&[JSON], "[]"),
        (&[JSON], "null"),
        (&[JSON], ""),
        (&[JSON], "\"text\""),
        (&[JSON], r#"{"Amount": "abc"}"#),
        (&[JSON], r#"{"AuthenticationKey": 5}"#),
        (&[JSON], r#"{"Types": [4], "TransactionStatuses": [99]}"#),
        (&[XML], "<nope/>"),
        (&[XML], "not xml at all"),
        (&[XML], ""),
        (&[], "\u{0}\u{1}binary"),
    ];
    for path in ALL_PATHS {
        for (headers, body) in &bad {
            let (status, content_type, text) = raw(&sb, path, headers, body).await;
            assert!(status < 500, "{path} {body:?}: {status} {text}");
            if status == 400 {
                assert_eq!(content_type, "text/plain; charset=utf-8");
                assert!(!text.is_empty());
            } else {
                // A body some contracts take (`{"Amount": "abc"}` has a member others ignore).
                assert_eq!(status, 200, "{path} {body:?}");
            }
        }
        // A body that parses: the contract, with InvalidAuthenticationKey.
        let (status, content_type, text) = raw(&sb, path, &[JSON], "{}").await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(content_type, "application/json; charset=utf-8");
        let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(value["ResponseCode"], "InvalidAuthenticationKey", "{path}");
        // Paths are matched ignoring case.
        let (status, _, _) = raw(&sb, &path.to_ascii_lowercase(), &[JSON], "{}").await;
        assert_eq!(status, 200);
    }
    // Always 400 for these: not JSON, wrong member type, an unknown enum value, the wrong root.
    for (path, headers, body) in [
        ("/api/CreditCard/Charge", &[JSON][..], "{"),
        (
            "/api/CreditCard/Charge",
            &[JSON][..],
            r#"{"Amount": "abc"}"#,
        ),
        ("/api/CreditCard/Charge", &[JSON][..], r#"{"Amount": null}"#),
        (
            "/api/Transaction/GetTransactionsByType",
            &[JSON][..],
            r#"{"Types": [4]}"#,
        ),
        (
            "/api/Transaction/GetTransactionsByType",
            &[JSON][..],
            r#"{"StartDate": "2030-01-01T00:00:00.123456789"}"#,
        ),
        (
            "/api/Eft/Debit",
            &[JSON][..],
            r#"{"TransactionOrigination": 7}"#,
        ),
        ("/api/CreditCard/Charge", &[XML][..], "<GetInfoRequest/>"),
        (
            "/api/HealthStatus/Check",
            &[XML][..],
            "<CheckHealthStatusRequest/>",
        ),
    ] {
        let (status, _, text) = raw(&sb, path, headers, body).await;
        assert_eq!(status, 400, "{path} {body}: {text}");
    }
    // The right root in XML, wrong key: the contract in XML.
    let (status, content_type, text) = raw(
        &sb,
        "/api/HealthStatus/Check",
        &[XML],
        r#"<CheckHealthStatusRequest xmlns="http://schemas.datacontract.org/2004/07/OneInc.ProcessOne.RestApi.Contracts.DataContracts.HealthStatus"/>"#,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/xml; charset=utf-8");
    assert!(
        text.contains(">InvalidAuthenticationKey</ResponseCode>"),
        "{text}"
    );
    // Accept chooses the answer's format.
    let body = format!(r#"{{"AuthenticationKey": "{TEST_AUTHENTICATION_KEY}"}}"#);
    let (status, content_type, text) = raw(
        &sb,
        "/api/HealthStatus/Check",
        &[JSON, ("accept", "application/xml")],
        &body,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/xml; charset=utf-8");
    assert!(text.contains("<IsAlive>true</IsAlive>"), "{text}");
    // Unknown routes, other methods, a bad clock header.
    assert_eq!(raw(&sb, "/api/CreditCard/Nope", &[JSON], "{}").await.0, 404);
    assert_eq!(raw(&sb, "/elsewhere", &[JSON], "{}").await.0, 404);
    let get = reqwest::get(format!("{}/api/HealthStatus/Check", sb.processone.base_url))
        .await
        .expect("GET");
    assert_eq!(get.status(), 405);
    let (status, _, text) = raw(
        &sb,
        "/api/HealthStatus/Check",
        &[JSON, ("x-sandbox-now", "yesterday")],
        &body,
    )
    .await;
    assert_eq!(status, 400);
    assert!(text.starts_with("X-Sandbox-Now"), "{text}");
}
