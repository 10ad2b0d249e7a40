//! The "Test Data" section of seed 003 (the ProcessOne documentation), as data: every table the
//! simulator answers from, each row with the seed's own wording (its description is the
//! `Message` of the answer). The module docs of [`crate::processone`] say how and when each
//! table applies; the decisions where the seed is ambiguous are written at the table.
//!
//! Amounts are in cents (`100` is `1.00`) and compared by value (`2`, `2.0` and `2.00` are the
//! same amount).

use payspec_processone::ResponseCode;
use payspec_processone::contracts::enums::{CreditCardNetworkType, CreditCardType};

/// One of the seed's test cards ("You can use the following card numbers for testing
/// purposes").
#[derive(Debug)]
pub struct TestCard {
    /// The seed's card type column.
    pub label: &'static str,
    /// The card number.
    pub number: &'static str,
    /// The card type the sandbox answers (`CreditCardType`, `BaseCardType`).
    pub brand: CreditCardType,
    /// The network type `GetCardData` answers.
    pub network: CreditCardNetworkType,
    /// The CVV2 length the seed asks for ("Any 3 digit", "Any 4 digit").
    pub cvv_digits: usize,
    /// The seed's comment.
    pub comment: &'static str,
}

/// The seed's test cards. Every card takes "any future date". Decision: the sandbox merchant is
/// not provisioned for Pinless Debit, so the hybrid cards process as their base brand (Visa,
/// Discover, MasterCard), as the seed says such a merchant sees them.
pub const TEST_CARDS: &[TestCard] = &[
    TestCard {
        label: "Visa",
        number: "4111111111111111",
        brand: CreditCardType::Visa,
        network: CreditCardNetworkType::Credit,
        cvv_digits: 3,
        comment: "",
    },
    TestCard {
        label: "MasterCard",
        number: "5431111111111111",
        brand: CreditCardType::MasterCard,
        network: CreditCardNetworkType::Credit,
        cvv_digits: 3,
        comment: "See available amount combinations below.",
    },
    TestCard {
        label: "Discover",
        number: "6011601160116611",
        brand: CreditCardType::Discover,
        network: CreditCardNetworkType::Credit,
        cvv_digits: 3,
        comment: "See available amount combinations below.",
    },
    TestCard {
        label: "AmericanExpress",
        number: "341111111111111",
        brand: CreditCardType::AmericanExpress,
        network: CreditCardNetworkType::Credit,
        cvv_digits: 4,
        comment: "See available amount combinations below.",
    },
    TestCard {
        label: "Hybrid Visa PinlessDebit Star",
        number: "4024007167282317",
        brand: CreditCardType::Visa,
        network: CreditCardNetworkType::Hybrid,
        cvv_digits: 3,
        comment: "This is as a Hybrid Visa card. If your Merchant is provisioned for Pinless Debit \
                  cards, the card will process as a pinless debit Star. If your merchant account \
                  is not setup for Pinless Debit, it will process as a Visa",
    },
    TestCard {
        label: "Hybrid Discover PinlessDebit Pulse",
        number: "6011172923498605",
        brand: CreditCardType::Discover,
        network: CreditCardNetworkType::Hybrid,
        cvv_digits: 3,
        comment: "This is as a Hybrid Discover card. If your Merchant is provisioned for Pinless \
                  Debit cards, the card will process as a pinless debit Pulse. If your merchant \
                  account is not setup for Pinless Debit, it will process as a Discover",
    },
    TestCard {
        label: "Hybrid MasterCard PinlessDebit Nyce",
        number: "5384483278305365",
        brand: CreditCardType::MasterCard,
        network: CreditCardNetworkType::Hybrid,
        cvv_digits: 3,
        comment: "This is as a Hybrid Mastercard. If your Merchant is provisioned for Pinless Debit \
                  cards, the card will process as a pinless debit Nyce. If your merchant account \
                  is not setup for Pinless Debit, it will process as a Mastercard",
    },
];

/// The prefix of the seed's `4444 4444 4444 4xxx` simulation cards. Decision: they are debit
/// cards for `GetCardData` (the seed's own `GetCardData` example answers `Debit` for
/// 4444444444444448).
pub const DEBIT_TEST_PREFIX: &str = "444444444444";

/// A row keyed by amount.
#[derive(Debug)]
pub struct AmountRow {
    /// The amounts of the row, in cents.
    pub cents: &'static [i64],
    /// The seed's amount column.
    pub amount_text: &'static str,
    /// The response code.
    pub code: ResponseCode,
    /// The seed's description.
    pub description: &'static str,
}

/// A row keyed by card or account number.
#[derive(Debug)]
pub struct NumberRow {
    /// The card or bank account number.
    pub number: &'static str,
    /// The response code.
    pub code: ResponseCode,
    /// The seed's description.
    pub description: &'static str,
}

/// The cards of the card + amount table ("Use the following card number and amount combination
/// to simulate different API response codes"). Every row of the table lists these four cards.
pub const AMOUNT_TABLE_CARDS: [&str; 4] = [
    "4444444444444448",
    "5431111111111111",
    "341111111111111",
    "6011601160116611",
];

/// The card + amount table, for a charge (`CreditCard/Charge`) with one of
/// [`AMOUNT_TABLE_CARDS`]. "1.00 or any not listed amount" is Success. The amount is the
/// request's `Amount` (before any convenience fee).
pub const CARD_AMOUNT_TABLE: &[AmountRow] = &[
    AmountRow {
        cents: &[100],
        amount_text: "1.00 or any not listed amount",
        code: ResponseCode::Success,
        description: "Test: Charge approved",
    },
    AmountRow {
        cents: &[200, 1200],
        amount_text: "2.00 or 12.00",
        code: ResponseCode::IncorrectValidationValue,
        description: "Test: CVV2 code is invalid",
    },
    AmountRow {
        cents: &[300, 1300],
        amount_text: "3.00 or 13.00",
        code: ResponseCode::Declined,
        description: "Test: Declined",
    },
    AmountRow {
        cents: &[400],
        amount_text: "4.00",
        code: ResponseCode::OverMaximumPayment,
        description: "Test: Exceed max payment amount",
    },
    AmountRow {
        cents: &[500, 1500],
        amount_text: "5.00 or 15.00",
        code: ResponseCode::DuplicateTransaction,
        description: "Test: Duplicate transaction",
    },
    AmountRow {
        cents: &[600, 1600],
        amount_text: "6.00 or 16.00",
        code: ResponseCode::GatewayInternalError,
        description: "Test: System is down",
    },
    AmountRow {
        cents: &[700, 1700],
        amount_text: "7.00 or 17.00",
        code: ResponseCode::InvalidCardNumber,
        description: "Test: Invalid card number returned by gateway",
    },
    AmountRow {
        cents: &[1400],
        amount_text: "14.00",
        code: ResponseCode::AvsVerificationFailed,
        description: "Test: Avs verification failed",
    },
    AmountRow {
        cents: &[1800],
        amount_text: "18.00",
        code: ResponseCode::Call,
        description: "Test: Issuer wants voice contact with cardholder",
    },
    AmountRow {
        cents: &[1900],
        amount_text: "19.00",
        code: ResponseCode::NoProcessorResponse,
        description: "Test: No response from Processor",
    },
];

/// "Test Data for Save transaction type" (`CreditCard/Save`, regardless of amount).
pub const SAVE_TABLE: &[NumberRow] = &[NumberRow {
    number: "4444444444444117",
    code: ResponseCode::Success,
    description: "Test: Successfully saved",
}];

/// "Test Data for Charge transaction type" (`CreditCard/Charge`, regardless of amount).
pub const CHARGE_TABLE: &[NumberRow] = &[
    row(
        "4444444444444125",
        ResponseCode::Success,
        "Test: Charge approved",
    ),
    row(
        "4444444444444133",
        ResponseCode::IncorrectValidationValue,
        "Test: CVV2 code is invalid",
    ),
    row(
        "4444444444444141",
        ResponseCode::Declined,
        "Test: Insufficient funds",
    ),
    row(
        "4444444444444158",
        ResponseCode::OverMaximumPayment,
        "Test: Amount sent exceeds maximum allowable amount.",
    ),
    row(
        "4444444444444166",
        ResponseCode::DuplicateTransaction,
        "Test: Duplicate transaction",
    ),
    row(
        "4444444444444174",
        ResponseCode::GatewayInternalError,
        "Test: System is down",
    ),
    row(
        "4444444444444182",
        ResponseCode::InvalidCardNumber,
        "Test: Invalid card number returned by gateway",
    ),
    row(
        "4444444444444190",
        ResponseCode::Success,
        "Test: Charge approved",
    ),
    row(
        "4444444444444208",
        ResponseCode::IncorrectValidationValue,
        "Test: CVV2 code is invalid",
    ),
    row(
        "4444444444444216",
        ResponseCode::Declined,
        "Test: Insufficient funds",
    ),
    row(
        "4444444444444224",
        ResponseCode::AvsVerificationFailed,
        "Test: Avs verification failed",
    ),
    row(
        "4444444444444232",
        ResponseCode::DuplicateTransaction,
        "Test: Duplicate transaction",
    ),
    row(
        "4444444444444240",
        ResponseCode::GatewayInternalError,
        "Test: System is down",
    ),
    row(
        "4444444444444257",
        ResponseCode::InvalidCardNumber,
        "Test: Invalid card number returned by gateway",
    ),
    row(
        "4444444444444265",
        ResponseCode::Call,
        "Test: Issuer wants voice contact with cardholder",
    ),
    row(
        "4444444444444273",
        ResponseCode::NoProcessorResponse,
        "Test: No response from Processor",
    ),
];

/// "Test Data for Charge transaction type (for subsequent void / refund)": every one charges
/// with Success (regardless of amount); the void or refund of the charge then answers
/// [`VOID_REFUND_TABLE`].
pub const CHARGE_FOR_VOID_REFUND_TABLE: &[NumberRow] = &[
    row(
        "4444444444444299",
        ResponseCode::Success,
        "Test: Charge approved",
    ),
    row(
        "4444444444444307",
        ResponseCode::Success,
        "Test: Charge approved",
    ),
    row(
        "4444444444444315",
        ResponseCode::Success,
        "Test: Charge approved",
    ),
    row(
        "4444444444444323",
        ResponseCode::Success,
        "Test: Charge approved",
    ),
    row(
        "4444444444444331",
        ResponseCode::Success,
        "Test: Charge approved",
    ),
    row(
        "4444444444444349",
        ResponseCode::Success,
        "Test: Charge approved",
    ),
    row(
        "4444444444444356",
        ResponseCode::Success,
        "Test: Charge approved",
    ),
    row(
        "4444444444444364",
        ResponseCode::Success,
        "Test: Charge approved",
    ),
    row(
        "4444444444444372",
        ResponseCode::Success,
        "Test: Charge approved",
    ),
    row(
        "4444444444444380",
        ResponseCode::Success,
        "Test: Charge approved",
    ),
    row(
        "4444444444444398",
        ResponseCode::Success,
        "Test: Charge approved",
    ),
    row(
        "4444444444444505",
        ResponseCode::Success,
        "Test: Charge approved",
    ),
    row(
        "4444444444444513",
        ResponseCode::Success,
        "Test: Charge approved",
    ),
];

/// "Test Data for void / refund transaction type": the answer of `CreditCard/Void` and
/// `CreditCard/Refund` for a charge made with the card. Decision: the table applies to both
/// operations, so 4444444444444505 ("Refund successful") and 4444444444444513 ("Void
/// successful") succeed for either; the rules of voids and refunds (open or closed batch,
/// amounts) are checked first.
pub const VOID_REFUND_TABLE: &[NumberRow] = &[
    row(
        "4444444444444299",
        ResponseCode::InvalidCardNumber,
        "Test: This is an invalid card number or account is closed",
    ),
    row(
        "4444444444444307",
        ResponseCode::IncorrectValidationValue,
        "Test: CVV2 code is invalid",
    ),
    row(
        "4444444444444315",
        ResponseCode::Declined,
        "Test: Insufficient funds",
    ),
    row(
        "4444444444444323",
        ResponseCode::InvalidCreditCardAmount,
        "Test: Amount sent exceeds maximum allowable amount.",
    ),
    row(
        "4444444444444331",
        ResponseCode::DuplicateTransaction,
        "Test: Duplicate transaction",
    ),
    row(
        "4444444444444349",
        ResponseCode::GatewayInternalError,
        "Test: System is down",
    ),
    row(
        "4444444444444356",
        ResponseCode::AvsVerificationFailed,
        "Test: Avs Verification Failed",
    ),
    row(
        "4444444444444364",
        ResponseCode::CardTypeNotAccepted,
        "Test: The card type provided is not supported",
    ),
    row(
        "4444444444444372",
        ResponseCode::CardExpired,
        "Test: The Card is Expired",
    ),
    row(
        "4444444444444380",
        ResponseCode::Call,
        "Test: Issuer wants voice contact with cardholder",
    ),
    row(
        "4444444444444398",
        ResponseCode::NoProcessorResponse,
        "Test: No response from Processor",
    ),
    row(
        "4444444444444505",
        ResponseCode::Success,
        "Test: Refund successful",
    ),
    row(
        "4444444444444513",
        ResponseCode::Success,
        "Test: Void successful",
    ),
];

/// The seed's EFT test account ("You can use the following EFT data for testing purposes"):
/// account number, routing number, account type (Checking).
pub const EFT_TEST_ACCOUNT: (&str, &str, &str) = ("123456789", "121042882", "Checking");

/// The account of the EFT amount tables.
pub const EFT_AMOUNT_ACCOUNT: &str = "1234567890";

/// "Test Data for Credit and Debit transaction types" (account [`EFT_AMOUNT_ACCOUNT`]).
/// Decisions: an amount not listed is Success (as for cards); $0.00 is Success for this account
/// only (the seed's row), while every other account answers `InvalidEFTAmount` for an amount of
/// 0 ("Amount must be greater than $0"). A negative amount is `InvalidEFTAmount` everywhere.
pub const EFT_CREDIT_DEBIT_AMOUNT_TABLE: &[AmountRow] = &[
    AmountRow {
        cents: &[0],
        amount_text: "$0.00",
        code: ResponseCode::Success,
        description: "Test: Successfully saved",
    },
    AmountRow {
        cents: &[100],
        amount_text: "$1.00",
        code: ResponseCode::Success,
        description: "Test: Transaction approved",
    },
    AmountRow {
        cents: &[200],
        amount_text: "$2.00",
        code: ResponseCode::ACHTransactionFailed,
        description: "Test: Not able to process bank account payment",
    },
    AmountRow {
        cents: &[300],
        amount_text: "$3.00",
        code: ResponseCode::GatewayInternalError,
        description: "Test: System is down",
    },
    AmountRow {
        cents: &[400],
        amount_text: "$4.00",
        code: ResponseCode::NoProcessorResponse,
        description: "Test: No response from Processor",
    },
];

/// "Test Data for Void and Refund transaction types. You can only void or refund an already
/// existing transaction." (account [`EFT_AMOUNT_ACCOUNT`]). Decision: the amount is the
/// original credit's or debit's `Amount` (a void has no amount; a partial refund's amount does
/// not count). The credit or debit itself succeeds (these amounts are not in
/// [`EFT_CREDIT_DEBIT_AMOUNT_TABLE`]).
pub const EFT_VOID_REFUND_AMOUNT_TABLE: &[AmountRow] = &[
    AmountRow {
        cents: &[1100],
        amount_text: "$11.00",
        code: ResponseCode::ACHTransactionFailed,
        description: "Test: Not able to process bank account payment",
    },
    AmountRow {
        cents: &[1200],
        amount_text: "$12.00",
        code: ResponseCode::GatewayInternalError,
        description: "Test: System is down",
    },
    AmountRow {
        cents: &[1300],
        amount_text: "$13.00",
        code: ResponseCode::NoProcessorResponse,
        description: "Test: No response from Processor",
    },
];

/// "SaveEft" rows of the account table (`Eft/Save`, regardless of amount).
pub const EFT_SAVE_TABLE: &[NumberRow] = &[row(
    "1234567891",
    ResponseCode::Success,
    "Test: Successfully saved",
)];

/// "Credit or Debit" rows of the account table (`Eft/Credit`, `Eft/Debit`, regardless of
/// amount), including the three "for subsequent Void or refund" accounts, whose credit or debit
/// succeeds.
pub const EFT_CREDIT_DEBIT_TABLE: &[NumberRow] = &[
    row(
        "1234567892",
        ResponseCode::Success,
        "Test: Bank account transaction is successfully approved",
    ),
    row(
        "1234567893",
        ResponseCode::ACHTransactionFailed,
        "Test: Not able to process bank account payment",
    ),
    row(
        "1234567894",
        ResponseCode::GatewayInternalError,
        "Test: System is down",
    ),
    row(
        "1234567895",
        ResponseCode::NoProcessorResponse,
        "Test: No response from Processor",
    ),
    row(
        "1234567896",
        ResponseCode::Success,
        "Test: Bank account transaction is successfully approved",
    ),
    row(
        "1234567897",
        ResponseCode::Success,
        "Test: Bank account transaction is successfully approved",
    ),
    row(
        "1234567898",
        ResponseCode::Success,
        "Test: Bank account transaction is successfully approved",
    ),
];

/// "Void or Refund" rows of the account table (`Eft/Void`, `Eft/Refund` of a credit or debit
/// made with the account). Decision: the seed labels the rows of 1234567897 and 1234567898
/// "Credit or Debit for subsequent Void or refund" a second time, with a failure code; since
/// their credit or debit rows already say Success and the rows follow the "Void or Refund" row of
/// 1234567896, they are read as void / refund outcomes.
pub const EFT_VOID_REFUND_TABLE: &[NumberRow] = &[
    row(
        "1234567896",
        ResponseCode::ACHTransactionFailed,
        "Test: Not able to process bank account payment",
    ),
    row(
        "1234567897",
        ResponseCode::GatewayInternalError,
        "Test: System is down",
    ),
    row(
        "1234567898",
        ResponseCode::NoProcessorResponse,
        "Test: No response from Processor",
    ),
];

/// The bank account validation table ("For testing, any valid routing number shall be used. The
/// results will depend on bank account number."): `Eft/VerifyBankAccount`, and the validation
/// that `Eft/Save`, `Eft/Debit` (unless `BypassBankAccountValidation`) and `Eft/Credit` run.
pub const BANK_VALIDATION_TABLE: &[NumberRow] = &[
    row("1234567890", ResponseCode::Success, "Test: Charge approved"),
    row(
        "2234567890",
        ResponseCode::InvalidAccountNumber,
        "Test: Invalid Account Number",
    ),
    row(
        "3234567890",
        ResponseCode::InvalidRoutingNumber,
        "Test: Invalid Routing Number",
    ),
    row(
        "4234567890",
        ResponseCode::GatewayInternalError,
        "Test: System is down",
    ),
];

/// A bank of the routing directory `Eft/GetBankData` answers from.
#[derive(Debug)]
pub struct Bank {
    /// The routing number.
    pub routing_number: &'static str,
    /// `BankName`.
    pub name: &'static str,
    /// `BankAddress`.
    pub address: Option<&'static str>,
    /// `BankCity`.
    pub city: Option<&'static str>,
    /// `BankState`.
    pub state: Option<&'static str>,
    /// `Description`.
    pub description: Option<&'static str>,
}

/// The routing directory: the seed's test routing number and the routing numbers of the seed's
/// examples (answered with the seed's `GetBankData` example). Any other routing number is
/// unknown to `GetBankData` (`InvalidRoutingNumber`); the EFT operations accept any routing
/// number with a valid ABA check digit ("any valid routing number shall be used").
pub const BANKS: &[Bank] = &[
    Bank {
        routing_number: "121042882",
        name: "Wells Fargo Bank",
        address: None,
        city: Some("San Francisco"),
        state: Some("CA"),
        description: Some("Sandbox test routing number (seed 003 test data)"),
    },
    Bank {
        routing_number: "123123123",
        name: "Test Bank",
        address: Some("test address"),
        city: Some("Test city"),
        state: Some("State"),
        description: None,
    },
    Bank {
        routing_number: "122199983",
        name: "Test Bank",
        address: Some("test address"),
        city: Some("Test city"),
        state: Some("State"),
        description: None,
    },
];

const fn row(number: &'static str, code: ResponseCode, description: &'static str) -> NumberRow {
    NumberRow {
        number,
        code,
        description,
    }
}

/// The row of `table` for `number`.
pub fn by_number(table: &'static [NumberRow], number: &str) -> Option<&'static NumberRow> {
    table.iter().find(|r| r.number == number)
}

/// The row of `table` whose amounts hold `cents`.
pub fn by_amount(table: &'static [AmountRow], cents: Option<i64>) -> Option<&'static AmountRow> {
    let cents = cents?;
    table.iter().find(|r| r.cents.contains(&cents))
}

/// The test card with `number`.
pub fn test_card(number: &str) -> Option<&'static TestCard> {
    TEST_CARDS.iter().find(|c| c.number == number)
}

/// The bank of the routing directory with `routing_number`.
pub fn bank(routing_number: &str) -> Option<&'static Bank> {
    BANKS.iter().find(|b| b.routing_number == routing_number)
}
