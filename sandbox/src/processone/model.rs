//! The service's rules the operations share: the merchant's clock (US Pacific time), card and
//! bank account checks, amounts and convenience fees.

use payspec_processone::ResponseCode;
use payspec_runtime::DateTime;
use rust_decimal::Decimal;

use payspec_processone::contracts::data_contracts::Customer;
use payspec_processone::contracts::enums::{CreditCardNetworkType, CreditCardType, EftAccountType};
use rust_decimal::RoundingStrategy;

use super::testdata;
use super::{CARD_FEE_MINIMUM, CARD_FEE_PERCENT, EFT_FEE_FLAT};

use super::errors::{Fail, fail_with};

pub(super) const MS_PER_SECOND: i64 = 1000;
pub(super) const MS_PER_HOUR: i64 = 3600 * MS_PER_SECOND;
pub(super) const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;

// ---- clock: the merchant's time zone (US Pacific) -----------------------------------------------

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub(super) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month, day) of a day count since 1970-01-01.
pub(super) fn civil_from_days(days: i64) -> (i64, i64, i64) {
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
pub(super) fn sunday_on_or_after(days: i64) -> i64 {
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
}
