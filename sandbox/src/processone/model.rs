//! The simulator's state (transactions, tokens, batches), its clock (the merchant's Pacific
//! time), deterministic ids, and the checks and arithmetic shared by the operations.

use std::collections::BTreeMap;

use payspec_processone::ResponseCode;
use payspec_processone::contracts::data_contracts::{ClientReferenceData, Customer};
use payspec_processone::contracts::enums::{
    CreditCardNetworkType, CreditCardType, EftAccountType, TransactionStatus, TransactionType,
};
use payspec_processone::contracts::transaction::TransactionInformation;
use payspec_runtime::DateTime;
use rust_decimal::{Decimal, RoundingStrategy};

use super::testdata;
use super::{CARD_FEE_MINIMUM, CARD_FEE_PERCENT, EFT_FEE_FLAT, INSTANCE_NAME};

/// The first transaction id of a sandbox.
pub const FIRST_TRANSACTION_ID: i32 = 1001;
/// The duplicate-detection window, in milliseconds (the documented default of 2 minutes).
pub const DUPLICATE_WINDOW_MS: i64 = 2 * 60 * 1000;

const MS_PER_SECOND: i64 = 1000;
const MS_PER_HOUR: i64 = 3600 * MS_PER_SECOND;
const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;

// ---- outcomes -----------------------------------------------------------------------------------

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

// ---- clock: the merchant's time zone (US Pacific) -----------------------------------------------

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The first Sunday on or after `days`.
fn sunday_on_or_after(days: i64) -> i64 {
    // 1970-01-01 was a Thursday: (days + 4) mod 7 is 0 on Sundays.
    let weekday = (days + 4).rem_euclid(7);
    days + (7 - weekday) % 7
}

/// The Pacific offset from UTC (milliseconds, negative) and the zone's short name at `utc_ms`:
/// PDT (UTC−7) from the second Sunday of March, 02:00 PST, to the first Sunday of November,
/// 02:00 PDT; PST (UTC−8) otherwise (the US rules of 2007, applied to every year).
pub(crate) fn pacific(utc_ms: i64) -> (i64, &'static str) {
    let (year, _, _) = civil_from_days(utc_ms.div_euclid(MS_PER_DAY));
    let start =
        (sunday_on_or_after(days_from_civil(year, 3, 1)) + 7) * MS_PER_DAY + 10 * MS_PER_HOUR;
    let end = sunday_on_or_after(days_from_civil(year, 11, 1)) * MS_PER_DAY + 9 * MS_PER_HOUR;
    if (start..end).contains(&utc_ms) {
        (-7 * MS_PER_HOUR, "PDT")
    } else {
        (-8 * MS_PER_HOUR, "PST")
    }
}

/// The local (Pacific) calendar year and month at `utc_ms`.
pub(crate) fn local_year_month(utc_ms: i64) -> (i64, i64) {
    let (offset, _) = pacific(utc_ms);
    let (year, month, _) = civil_from_days(utc_ms.saturating_add(offset).div_euclid(MS_PER_DAY));
    (year, month)
}

/// How a date-time is written: JSON as Json.NET writes the service's dates (local time, whole
/// seconds, no offset), XML as DataContractSerializer writes a local `DateTime` (fraction
/// trimmed, with the offset).
pub(crate) fn shown(utc_ms: i64, xml: bool) -> DateTime {
    let (offset, _) = pacific(utc_ms);
    let local = utc_ms.saturating_add(offset);
    let (y, mo, d) = civil_from_days(local.div_euclid(MS_PER_DAY));
    let in_day = local.rem_euclid(MS_PER_DAY);
    let (h, mi, s, ms) = (
        in_day / MS_PER_HOUR,
        in_day % MS_PER_HOUR / 60_000,
        in_day % 60_000 / MS_PER_SECOND,
        in_day % MS_PER_SECOND,
    );
    let mut text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
    if xml {
        if ms != 0 {
            let fraction = format!("{ms:03}");
            text.push('.');
            text.push_str(fraction.trim_end_matches('0'));
        }
        let minutes = (-offset) / 60_000;
        text.push_str(&format!("-{:02}:{:02}", minutes / 60, minutes % 60));
    }
    DateTime::parse(&text).unwrap_or_else(|_| payspec_runtime::dcs::default_date_time())
}

/// The instant of a date-time of a request, in milliseconds since 1970 (UTC). A date-time
/// without an offset is the merchant's local (Pacific) time, as the service reads it.
pub(crate) fn instant_ms(d: &DateTime) -> i64 {
    match d.to_utc() {
        Some(utc) => utc.timestamp_millis(),
        None => {
            let local = d.naive_local().and_utc().timestamp_millis();
            // The offset in force at that local time: try standard time first.
            let (offset, _) = pacific(local.saturating_add(8 * MS_PER_HOUR));
            local.saturating_sub(offset)
        }
    }
}

/// `utc_ms` truncated to whole seconds (the precision the JSON dates show).
pub(crate) fn whole_seconds(utc_ms: i64) -> i64 {
    utc_ms - utc_ms.rem_euclid(MS_PER_SECOND)
}

// ---- deterministic ids --------------------------------------------------------------------------

/// Tokens and authorization codes: splitmix64 over (salt, counter). The salt comes from the
/// sandbox's [`crate::Ids`] once, when the router is built, so the sequence depends on the seed
/// and on this simulator's requests only.
#[derive(Debug)]
pub(crate) struct Gen {
    salt: u64,
    n: u64,
}

impl Gen {
    pub(crate) fn new(salt: u64) -> Gen {
        Gen { salt, n: 0 }
    }

    fn next(&mut self) -> u64 {
        let n = self.n;
        self.n = n.wrapping_add(1);
        let mut z = self
            .salt
            .wrapping_add(n.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A token in the shape of the seed's tokens (a version-4 GUID).
    pub(crate) fn token(&mut self) -> String {
        let a = self.next();
        let b = self.next();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0x0fff,
            ((b >> 48) & 0x3fff) | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }

    /// A six-character gateway authorization code.
    pub(crate) fn authorization_code(&mut self) -> String {
        format!("{:06X}", self.next() & 0xff_ffff)
    }
}

// ---- payment methods ----------------------------------------------------------------------------

/// A checked credit card.
#[derive(Clone, Debug)]
pub(crate) struct Card {
    /// The digits (kept to look the card up in the test tables; never shown).
    pub(crate) number: String,
    pub(crate) brand: CreditCardType,
    pub(crate) network: CreditCardNetworkType,
    pub(crate) expiration_month: i32,
    pub(crate) expiration_year: i32,
    pub(crate) holder: Customer,
}

/// A checked bank account.
#[derive(Clone, Debug)]
pub(crate) struct Eft {
    pub(crate) routing_number: String,
    pub(crate) account_number: String,
    pub(crate) account_type: EftAccountType,
    pub(crate) customer_name: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) enum Method {
    Card(Card),
    Eft(Eft),
}

impl Method {
    pub(crate) fn last_four(&self) -> String {
        let digits = match self {
            Method::Card(c) => &c.number,
            Method::Eft(e) => &e.account_number,
        };
        let start = digits.len().saturating_sub(4);
        digits.get(start..).unwrap_or_default().to_owned()
    }
}

/// Whether `text` is only ASCII digits (and not empty).
pub(crate) fn all_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// The Luhn check of a string of digits.
pub(crate) fn luhn(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, b) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(b.wrapping_sub(b'0'));
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

/// The card brand by the number's prefix: Visa (4), MasterCard (51–55, 2221–2720), American
/// Express (34, 37), Discover (6011, 644–649, 65); `Other` for any other prefix.
pub(crate) fn brand_of(number: &str) -> CreditCardType {
    let prefix = |n: usize| -> u32 { number.get(..n).and_then(|p| p.parse().ok()).unwrap_or(0) };
    if number.starts_with('4') {
        CreditCardType::Visa
    } else if (51..=55).contains(&prefix(2)) || (2221..=2720).contains(&prefix(4)) {
        CreditCardType::MasterCard
    } else if matches!(prefix(2), 34 | 37) {
        CreditCardType::AmericanExpress
    } else if prefix(4) == 6011 || (644..=649).contains(&prefix(3)) || prefix(2) == 65 {
        CreditCardType::Discover
    } else {
        CreditCardType::Other
    }
}

/// The network type of a card number: the seed's hybrid cards are `Hybrid`, its `4444…`
/// simulation cards `Debit`, every other card of an accepted brand `Credit`, others `Unknown`.
pub(crate) fn network_of(number: &str, brand: &CreditCardType) -> CreditCardNetworkType {
    if let Some(card) = testdata::test_card(number) {
        return card.network.clone();
    }
    if number.starts_with(testdata::DEBIT_TEST_PREFIX) {
        return CreditCardNetworkType::Debit;
    }
    if *brand == CreditCardType::Other {
        CreditCardNetworkType::Unknown
    } else {
        CreditCardNetworkType::Credit
    }
}

/// A card number as sent, trimmed, if it is 12 to 19 digits passing the Luhn check.
pub(crate) fn card_number(number: Option<&str>) -> Result<String, Fail> {
    let number = number.map(str::trim).unwrap_or_default();
    if number.is_empty() {
        return Err(fail_with(
            ResponseCode::InvalidCardNumber,
            "The credit card number is required.",
        ));
    }
    if !all_digits(number) || !(12..=19).contains(&number.len()) || !luhn(number) {
        return Err(fail_with(
            ResponseCode::InvalidCardNumber,
            "The credit card number must be 12 to 19 digits that pass the Luhn check.",
        ));
    }
    Ok(number.to_owned())
}

/// Checks an expiration date: month 1–12 and year 2000–2099 (else `InvalidExpirationDate`), not
/// before the current month in the merchant's time zone (else `expired`).
pub(crate) fn check_expiration(
    month: i32,
    year: i32,
    now_ms: i64,
    expired: ResponseCode,
) -> Result<(), Fail> {
    if !(1..=12).contains(&month) || !(2000..=2099).contains(&year) {
        return Err(fail_with(
            ResponseCode::InvalidExpirationDate,
            "ExpirationMonth must be 1 to 12 and ExpirationYear a four-digit year (2000 to 2099).",
        ));
    }
    let (now_year, now_month) = local_year_month(now_ms);
    if (i64::from(year), i64::from(month)) < (now_year, now_month) {
        return Err(fail_with(
            expired,
            &format!("The card expired at the end of {month:02}/{year}."),
        ));
    }
    Ok(())
}

/// Checks a ZIP code when one is given: 5 digits, or ZIP+4 (`12345-6789` or 9 digits).
pub(crate) fn check_zip(zip: Option<&str>) -> Result<(), Fail> {
    let Some(zip) = zip.map(str::trim).filter(|z| !z.is_empty()) else {
        return Ok(());
    };
    let plain = all_digits(zip) && (zip.len() == 5 || zip.len() == 9);
    let plus4 = zip.len() == 10
        && zip.get(5..6) == Some("-")
        && zip.get(..5).is_some_and(all_digits)
        && zip.get(6..).is_some_and(all_digits);
    if plain || plus4 {
        Ok(())
    } else {
        Err(fail_with(
            ResponseCode::InvalidZipcode,
            "A ZIP code is 5 digits or ZIP+4 (12345-6789).",
        ))
    }
}

/// Whether a routing number is 9 digits with a valid ABA check digit.
pub(crate) fn routing_valid(routing: &str) -> bool {
    if routing.len() != 9 || !all_digits(routing) {
        return false;
    }
    let d: Vec<u32> = routing.bytes().map(|b| u32::from(b - b'0')).collect();
    let weights = [3, 7, 1, 3, 7, 1, 3, 7, 1];
    let sum: u32 = d.iter().zip(weights).map(|(d, w)| d * w).sum();
    sum.is_multiple_of(10)
}

/// Checks a bank account: a routing number with a valid check digit (else
/// `InvalidRoutingNumber`), an account number of 4 to 17 digits (else `InvalidAccountNumber`).
pub(crate) fn check_account(routing: Option<&str>, account: Option<&str>) -> Result<(), Fail> {
    if !routing.map(str::trim).is_some_and(routing_valid) {
        return Err(fail_with(
            ResponseCode::InvalidRoutingNumber,
            "The routing number must be 9 digits with a valid ABA check digit.",
        ));
    }
    let account = account.map(str::trim).unwrap_or_default();
    if !all_digits(account) || !(4..=17).contains(&account.len()) {
        return Err(fail_with(
            ResponseCode::InvalidAccountNumber,
            "The account number must be 4 to 17 digits.",
        ));
    }
    Ok(())
}

// ---- amounts and fees ---------------------------------------------------------------------------

/// The amount in whole cents, if it has no more than two decimal places' worth of value.
pub(crate) fn cents(amount: Decimal) -> Option<i64> {
    let scaled = amount.checked_mul(Decimal::ONE_HUNDRED)?;
    if scaled.fract().is_zero() {
        i64::try_from(scaled.trunc()).ok()
    } else {
        None
    }
}

/// An amount written with exactly two decimal places.
pub(crate) fn money(mut amount: Decimal) -> Decimal {
    amount.rescale(2);
    amount
}

/// The credit card convenience fee of `amount`: [`CARD_FEE_PERCENT`] % rounded half away from
/// zero to the cent, at least [`CARD_FEE_MINIMUM`].
pub(crate) fn card_fee(amount: Decimal) -> Option<Decimal> {
    let percent = amount
        .checked_mul(CARD_FEE_PERCENT)?
        .checked_div(Decimal::ONE_HUNDRED)?;
    let rounded = percent.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    Some(money(rounded.max(CARD_FEE_MINIMUM)))
}

/// The EFT convenience fee: the flat [`EFT_FEE_FLAT`].
pub(crate) fn eft_fee() -> Decimal {
    money(EFT_FEE_FLAT)
}

/// Whether a convenience fee type names the merchant's (only) fee schedule: absent, empty or
/// `Default` (any case).
pub(crate) fn default_fee_type(fee_type: Option<&str>) -> bool {
    fee_type
        .map(str::trim)
        .is_none_or(|t| t.is_empty() || t.eq_ignore_ascii_case("Default"))
}

// ---- state --------------------------------------------------------------------------------------

/// One recorded transaction.
#[derive(Clone, Debug)]
pub(crate) struct Txn {
    pub(crate) id: i32,
    pub(crate) callback_id: Option<String>,
    pub(crate) kind: TransactionType,
    pub(crate) status: TransactionStatus,
    /// The batch (0: none, for transactions that move no money).
    pub(crate) batch: i32,
    pub(crate) at_ms: i64,
    pub(crate) original_amount: Decimal,
    pub(crate) posted_amount: Decimal,
    pub(crate) method: Method,
    pub(crate) token: Option<String>,
    pub(crate) customer_id: Option<String>,
    pub(crate) client_reference_data: Option<ClientReferenceData>,
    pub(crate) account_group_code: Option<String>,
    /// The transaction a void or refund is of.
    pub(crate) reference: Option<i32>,
    /// The sum of the successful refunds of this payment.
    pub(crate) refunded: Decimal,
}

impl Txn {
    /// A blank transaction of `kind` for `method`, at `at_ms`, Successful, not in a batch.
    pub(crate) fn new(kind: TransactionType, method: Method, at_ms: i64) -> Txn {
        Txn {
            id: 0,
            callback_id: None,
            kind,
            status: TransactionStatus::Successful,
            batch: 0,
            at_ms,
            original_amount: money(Decimal::ZERO),
            posted_amount: money(Decimal::ZERO),
            method,
            token: None,
            customer_id: None,
            client_reference_data: None,
            account_group_code: None,
            reference: None,
            refunded: Decimal::ZERO,
        }
    }

    pub(crate) fn is_card_payment(&self) -> bool {
        matches!(
            self.kind,
            TransactionType::ChargeCreditCard
                | TransactionType::ChargeCreditCardNoFee
                | TransactionType::RecurringChargeCreditCard
        )
    }

    pub(crate) fn is_eft_payment(&self) -> bool {
        matches!(
            self.kind,
            TransactionType::CreditEft
                | TransactionType::DebitEft
                | TransactionType::DebitEftNoFee
                | TransactionType::RecurringEft
        )
    }

    pub(crate) fn client_ref1(&self) -> Option<&str> {
        self.client_reference_data
            .as_ref()
            .and_then(|c| c.client_reference_data1.as_deref())
    }

    /// The transaction as `TransactionInformation`, its date written for `xml` or JSON.
    pub(crate) fn information(&self, xml: bool) -> TransactionInformation {
        let (_, zone) = pacific(self.at_ms);
        let mut info = TransactionInformation {
            account_group_code: self.account_group_code.clone(),
            batch_number: self.batch,
            client_reference_data: self.client_reference_data.clone(),
            customer_id: self.customer_id.clone(),
            instance_name: Some(INSTANCE_NAME.to_owned()),
            internal_reference_transaction_id: self.reference.map(|r| r.to_string()),
            last_four_digits: Some(self.method.last_four()),
            original_amount: self.original_amount,
            payment_date: shown(self.at_ms, xml),
            posted_amount: self.posted_amount,
            process_one_token: self.token.clone(),
            time_zone: Some(zone.to_owned()),
            transaction_id: Some(self.id.to_string()),
            transaction_status: self.status.clone(),
            transaction_type: self.kind.clone(),
            ..TransactionInformation::default()
        };
        match &self.method {
            Method::Card(card) => {
                info.base_card_type = Some(card.brand.clone());
                info.credit_card_type = card.brand.clone();
                info.credit_card_expiration_month = Some(card.expiration_month);
                info.credit_card_expiration_year = Some(card.expiration_year);
                info.customer_name = card.holder.name.clone();
            }
            Method::Eft(eft) => {
                info.account_number = Some(eft.account_number.clone().into());
                info.routing_number = Some(eft.routing_number.clone());
                info.bank_account_type = eft.account_type.clone();
                info.bank_name = testdata::bank(&eft.routing_number).map(|b| b.name.to_owned());
                info.customer_name = eft.customer_name.clone();
            }
        }
        info
    }
}

/// A saved payment method.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub(crate) method: Method,
    pub(crate) customer_id: Option<String>,
    pub(crate) client_reference_data: Option<ClientReferenceData>,
    /// The transaction that saved it (a save, or the charge or debit with `Save`).
    pub(crate) transaction_id: i32,
}

/// Everything the simulator remembers.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) ids: Gen,
    /// Every transaction, by id (ids are consecutive from [`FIRST_TRANSACTION_ID`]).
    pub(crate) transactions: Chunked<Txn>,
    pub(crate) tokens: BTreeMap<String, Token>,
    /// The open batch; every lower number is closed.
    pub(crate) open_batch: i32,
    /// The ids of the transactions by what duplicate detection compares (amount, last four,
    /// ClientReferenceData1), so that a payment is checked against its few look-alikes instead
    /// of every transaction (the load run made the whole scan the bottleneck). Entries are
    /// added, never removed: [`State::duplicate_of`] re-checks each candidate.
    /// A B-tree rather than a hash map: growing it never rehashes every entry at once, which
    /// under load held the state's lock long enough to show in the p99 latency.
    duplicate_keys: BTreeMap<DuplicateKey, Vec<i32>>,
}

/// An append-only list stored in fixed-size chunks: growing it never moves what is stored
/// (a `Vec` of a million transactions copies them all when it doubles, under the state's lock).
#[derive(Debug)]
pub(crate) struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Chunked<T> {
    const CHUNK: usize = 4096;

    fn new() -> Self {
        Chunked {
            chunks: Vec::new(),
            len: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn push(&mut self, value: T) {
        match self.chunks.last_mut() {
            Some(chunk) if chunk.len() < Self::CHUNK => chunk.push(value),
            _ => {
                let mut chunk = Vec::with_capacity(Self::CHUNK);
                chunk.push(value);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
    }

    fn get(&self, index: usize) -> Option<&T> {
        self.chunks
            .get(index / Self::CHUNK)?
            .get(index % Self::CHUNK)
    }

    fn get_mut(&mut self, index: usize) -> Option<&mut T> {
        self.chunks
            .get_mut(index / Self::CHUNK)?
            .get_mut(index % Self::CHUNK)
    }

    /// Oldest first (`.rev()` for newest first).
    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.chunks.iter().flatten()
    }
}

/// Amount (normalized: `1.0` and `1.00` are one key), last four digits, ClientReferenceData1.
type DuplicateKey = (Decimal, String, Option<String>);

fn duplicate_key(amount: Decimal, method: &Method, client_ref1: Option<&str>) -> DuplicateKey {
    (
        amount.normalize(),
        method.last_four(),
        client_ref1.map(str::to_owned),
    )
}

impl State {
    pub(crate) fn new(salt: u64) -> State {
        State {
            ids: Gen::new(salt),
            transactions: Chunked::new(),
            tokens: BTreeMap::new(),
            open_batch: 1,
            duplicate_keys: BTreeMap::new(),
        }
    }

    /// Records `txn` under the next id, which it returns.
    pub(crate) fn record(&mut self, mut txn: Txn) -> i32 {
        let offset = i32::try_from(self.transactions.len()).unwrap_or(i32::MAX);
        txn.id = FIRST_TRANSACTION_ID.saturating_add(offset);
        let id = txn.id;
        self.index_for_duplicates(&txn);
        self.transactions.push(txn);
        id
    }

    /// Makes `txn` findable by [`State::duplicate_of`] under its current amount, last four and
    /// ClientReferenceData1 (called again when its metadata changes).
    pub(crate) fn index_for_duplicates(&mut self, txn: &Txn) {
        let key = duplicate_key(txn.original_amount, &txn.method, txn.client_ref1());
        let ids = self.duplicate_keys.entry(key).or_default();
        if !ids.contains(&txn.id) {
            ids.push(txn.id);
        }
    }

    pub(crate) fn get(&self, id: i32) -> Option<&Txn> {
        let index = usize::try_from(id.checked_sub(FIRST_TRANSACTION_ID)?).ok()?;
        self.transactions.get(index)
    }

    pub(crate) fn get_mut(&mut self, id: i32) -> Option<&mut Txn> {
        let index = usize::try_from(id.checked_sub(FIRST_TRANSACTION_ID)?).ok()?;
        self.transactions.get_mut(index)
    }

    /// The transaction whose id is `text` (a decimal number, surrounding spaces ignored).
    pub(crate) fn find(&self, text: Option<&str>) -> Option<&Txn> {
        let id: i32 = text?.trim().parse().ok()?;
        self.get(id)
    }

    /// Closes the open batch and opens the next: (the closed batch, its transaction count).
    pub(crate) fn close_batch(&mut self) -> (i32, usize) {
        let closed = self.open_batch;
        self.open_batch = closed.saturating_add(1);
        let count = self
            .transactions
            .iter()
            .filter(|t| t.batch == closed)
            .count();
        (closed, count)
    }

    /// A successful payment of the same family (`same_family`) with the same amount, last four
    /// digits and ClientReferenceData1 within [`DUPLICATE_WINDOW_MS`] of `at_ms`.
    pub(crate) fn duplicate_of(
        &self,
        same_family: impl Fn(&TransactionType) -> bool,
        amount: Decimal,
        method: &Method,
        client_ref1: Option<&str>,
        at_ms: i64,
    ) -> Option<i32> {
        let last_four = method.last_four();
        self.duplicate_keys
            .get(&duplicate_key(amount, method, client_ref1))?
            .iter()
            .rev()
            .filter_map(|&id| self.get(id))
            .find(|t| {
                same_family(&t.kind)
                    && t.status == TransactionStatus::Successful
                    && t.reference.is_none()
                    && t.original_amount == amount
                    && t.method.last_four() == last_four
                    && t.client_ref1() == client_ref1
                    && t.at_ms.abs_diff(at_ms) < DUPLICATE_WINDOW_MS.unsigned_abs()
            })
            .map(|t| t.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        payspec_runtime::decimal::parse_exact(text).expect("decimal")
    }

    fn at(text: &str) -> i64 {
        instant_ms(&DateTime::parse(text).expect("date-time"))
    }

    #[test]
    fn pacific_time_follows_the_us_rules() {
        // 2024: PDT from 10 March 10:00 UTC to 3 November 09:00 UTC.
        assert_eq!(pacific(at("2024-03-10T09:59:59Z")).1, "PST");
        assert_eq!(pacific(at("2024-03-10T10:00:00Z")).1, "PDT");
        assert_eq!(pacific(at("2024-11-03T08:59:59Z")).1, "PDT");
        assert_eq!(pacific(at("2024-11-03T09:00:00Z")).1, "PST");
        assert_eq!(
            shown(at("2019-11-19T18:52:08.214Z"), true).to_string(),
            "2019-11-19T10:52:08.214-08:00"
        );
        assert_eq!(
            shown(at("2019-11-19T18:52:08.214Z"), false).to_string(),
            "2019-11-19T10:52:08"
        );
        assert_eq!(
            shown(at("2024-07-01T12:00:00.5Z"), true).to_string(),
            "2024-07-01T05:00:00.5-07:00"
        );
        // A local time without an offset is Pacific.
        assert_eq!(at("2019-11-19T10:52:08"), at("2019-11-19T18:52:08Z"));
        assert_eq!(at("2024-07-01T05:00:00"), at("2024-07-01T12:00:00Z"));
        assert_eq!(local_year_month(at("2025-01-01T07:59:59Z")), (2024, 12));
        assert_eq!(local_year_month(at("2025-01-01T08:00:00Z")), (2025, 1));
    }

    #[test]
    fn chunked_keeps_order_and_indexes_across_chunks() {
        let mut list = Chunked::new();
        let n = Chunked::<usize>::CHUNK * 2 + 3;
        for i in 0..n {
            list.push(i);
        }
        assert_eq!(list.len(), n);
        assert_eq!(list.get(0), Some(&0));
        assert_eq!(
            list.get(Chunked::<usize>::CHUNK),
            Some(&Chunked::<usize>::CHUNK)
        );
        assert_eq!(list.get(n - 1), Some(&(n - 1)));
        assert_eq!(list.get(n), None);
        if let Some(v) = list.get_mut(5000) {
            *v = 0;
        }
        assert_eq!(list.get(5000), Some(&0));
        assert_eq!(list.iter().count(), n);
        assert_eq!(list.iter().next_back(), Some(&(n - 1)));
        assert!(list.iter().enumerate().all(|(i, &v)| v == i || i == 5000));
    }

    #[test]
    fn days_round_trip() {
        for days in [-800_000, -1, 0, 1, 59, 10_957, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }

    #[test]
    fn card_checks() {
        assert!(luhn("4111111111111111"));
        assert!(!luhn("4111111111111112"));
        assert_eq!(brand_of("5431111111111111"), CreditCardType::MasterCard);
        assert_eq!(brand_of("2221000000000009"), CreditCardType::MasterCard);
        assert_eq!(brand_of("341111111111111"), CreditCardType::AmericanExpress);
        assert_eq!(brand_of("6011601160116611"), CreditCardType::Discover);
        assert_eq!(brand_of("3530111333300000"), CreditCardType::Other);
        assert!(card_number(Some("4111 1111 1111 1111")).is_err());
        assert!(card_number(Some(" 4111111111111111 ")).is_ok());
        assert!(check_zip(Some("12345")).is_ok());
        assert!(check_zip(Some("12345-6789")).is_ok());
        assert!(check_zip(Some("123456789")).is_ok());
        assert!(check_zip(Some("1234")).is_err());
        assert!(check_zip(Some("12345-678")).is_err());
        assert!(check_zip(None).is_ok());
        assert!(routing_valid("121042882"));
        assert!(routing_valid("123123123"));
        assert!(!routing_valid("121042883"));
        assert!(!routing_valid("12104288"));
    }

    #[test]
    fn fees_round_half_up_with_a_minimum() {
        assert_eq!(card_fee(dec("100")), Some(dec("3.00")));
        assert_eq!(card_fee(dec("20.00")), Some(dec("1.00")));
        assert_eq!(card_fee(dec("50.55")), Some(dec("1.52")));
        assert_eq!(card_fee(dec("50.50")), Some(dec("1.52")));
        assert_eq!(card_fee(dec("49.99")), Some(dec("1.50")));
        assert_eq!(card_fee(dec("33.35")), Some(dec("1.00")));
        assert_eq!(card_fee(dec("1000.50")), Some(dec("30.02")));
        assert_eq!(
            card_fee(dec("1000.50")).map(|f| f.to_string()),
            Some("30.02".into())
        );
        assert_eq!(
            card_fee(dec("100")).map(|f| f.to_string()),
            Some("3.00".into())
        );
        assert_eq!(eft_fee().to_string(), "1.50");
        assert_eq!(cents(dec("2")), Some(200));
        assert_eq!(cents(dec("2.001")), None);
        assert_eq!(cents(dec("12.00")), Some(1200));
    }

    #[test]
    fn tokens_look_like_guids_and_repeat_per_salt() {
        let mut a = Gen::new(7);
        let mut b = Gen::new(7);
        let t = a.token();
        assert_eq!(t, b.token());
        assert_eq!(t.len(), 36);
        assert_eq!(t.as_bytes().get(14), Some(&b'4'));
        assert_ne!(a.token(), t);
        assert_eq!(a.authorization_code().len(), 6);
    }
}
