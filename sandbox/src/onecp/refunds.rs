//! What a cancelled item refunds: its total and the penalty of its cancellation policy that
//! applies at the moment of cancelling.

use payspec_onecp::types::{
    CancellationPenaltyOffset, CancellationPenaltyValue, CancellationReference, Item, Penalty,
    PenaltyOffsetUnit, PenaltyValueUnit,
};
use rust_decimal::Decimal;

use super::state::instant;

/// The item's total: `total`, else `price × quantity + totalTax`; `None` on overflow.
pub(super) fn item_total(item: &Item) -> Option<Decimal> {
    if let Some(total) = item.total {
        return Some(total);
    }
    let price = item.price.unwrap_or(Decimal::ZERO);
    let quantity = item
        .quantity
        .as_ref()
        .and_then(|q| q.amount)
        .unwrap_or(Decimal::ONE);
    let net = price.checked_mul(quantity)?;
    match item.total_tax {
        Some(tax) => net.checked_add(tax),
        None => Some(net),
    }
}

/// The penalty that applies to `item` (of total `total`) when cancelled at `now`: its position
/// in the policy's penalties and its amount, or `None` (full refund).
pub(super) fn applicable_penalty(
    item: &Item,
    total: Decimal,
    paid_at: Option<i128>,
    now: i128,
) -> Option<(usize, Decimal)> {
    let policy = item.cancellation_policy.as_ref()?;
    let reference = match policy.reference {
        CancellationReference::PaymentDate => paid_at,
        CancellationReference::StartPeriod => item
            .period
            .as_ref()
            .and_then(|p| p.start.as_ref())
            .map(instant),
        // A reference this simulator does not know (a newer spec): no offset penalty applies.
        _ => None,
    };
    // (index, amount, until) of the best date penalty, (index, amount) of the best offset one.
    let mut by_date: Option<(usize, Decimal, i128)> = None;
    let mut by_offset: Option<(usize, Decimal)> = None;
    for (index, penalty) in policy.penalties.iter().enumerate() {
        match penalty {
            Penalty::DatePenalty(p) => {
                let until = instant(&p.until);
                if now < until {
                    continue;
                }
                let amount = penalty_amount(&p.value, total);
                let better = by_date
                    .is_none_or(|(_, best, best_until)| (until, amount) > (best_until, best));
                if better {
                    by_date = Some((index, amount, until));
                }
            }
            Penalty::OffsetPenalty(p) => {
                let Some(reference) = reference else {
                    continue;
                };
                if !offset_reached(policy.reference, reference, now, &p.offset) {
                    continue;
                }
                let amount = penalty_amount(&p.value, total);
                if by_offset.is_none_or(|(_, best)| amount > best) {
                    by_offset = Some((index, amount));
                }
            }
            // A kind of penalty this simulator does not know (a newer spec): it never applies.
            _ => {}
        }
    }
    // The spec forbids mixing kinds (checked at creation); were both present, the larger wins.
    match (by_date.map(|(i, a, _)| (i, a)), by_offset) {
        (Some(d), Some(o)) => Some(if o.1 > d.1 { o } else { d }),
        (d, o) => d.or(o),
    }
}

/// The penalty's amount for an item of total `total`, kept between 0 and the total.
pub(super) fn penalty_amount(value: &CancellationPenaltyValue, total: Decimal) -> Decimal {
    let cap = total.max(Decimal::ZERO);
    let raw = match value.unit {
        PenaltyValueUnit::FixedAmount => Some(value.amount),
        PenaltyValueUnit::Percentage => total
            .checked_mul(value.amount)
            .and_then(|x| x.checked_div(Decimal::ONE_HUNDRED)),
        // A unit this simulator does not know (a newer spec): no penalty.
        _ => Some(Decimal::ZERO),
    };
    // A percentage whose product overflows is far above 100 %: the whole total.
    raw.unwrap_or(cap).max(Decimal::ZERO).min(cap)
}

/// Whether the offset penalty applies at `now`: `PAYMENT_DATE`, now ≥ reference + offset;
/// `START_PERIOD`, now ≥ reference − offset.
pub(super) fn offset_reached(
    kind: CancellationReference,
    reference: i128,
    now: i128,
    offset: &CancellationPenaltyOffset,
) -> bool {
    let unit_seconds: i64 = match offset.unit {
        PenaltyOffsetUnit::Hours => 3_600,
        PenaltyOffsetUnit::Days => 86_400,
        PenaltyOffsetUnit::Months => 30 * 86_400,
        // A unit this simulator does not know (a newer spec): never reached.
        _ => return false,
    };
    let unit_nanos = Decimal::from(unit_seconds) * Decimal::from(1_000_000_000i64);
    let after_start = kind == CancellationReference::StartPeriod;
    let Some(offset_nanos) = offset.amount.checked_mul(unit_nanos) else {
        // An offset too long for a decimal: reached from the start of time for START_PERIOD
        // (start − ∞), never for PAYMENT_DATE (payment + ∞); the other way round if negative.
        return after_start == offset.amount.is_sign_positive();
    };
    // Both instants lie in years 0000..=9999, so the difference fits a decimal.
    let Ok(elapsed) = Decimal::try_from_i128_with_scale(now - reference, 0) else {
        return false;
    };
    if after_start {
        -elapsed <= offset_nanos
    } else {
        elapsed >= offset_nanos
    }
}

#[cfg(test)]
mod tests {
    use super::super::NANOS_PER_SECOND;
    use super::*;
    use payspec_runtime::DateTime;

    fn at(text: &str) -> i128 {
        instant(&DateTime::parse(text).expect("date-time"))
    }

    fn dec(text: &str) -> Decimal {
        payspec_runtime::decimal::parse_exact(text).expect("decimal")
    }

    fn offset(amount: &str, unit: PenaltyOffsetUnit) -> CancellationPenaltyOffset {
        CancellationPenaltyOffset::new(dec(amount), unit)
    }

    #[test]
    fn instants_read_offsets_and_treat_local_times_as_utc() {
        assert_eq!(at("1970-01-01T00:00:01Z"), NANOS_PER_SECOND);
        assert_eq!(at("1970-01-01T00:00:01"), NANOS_PER_SECOND);
        assert_eq!(at("1970-01-01T01:00:01+01:00"), NANOS_PER_SECOND);
        assert_eq!(at("1970-01-01T00:00:00.5Z"), NANOS_PER_SECOND / 2);
        assert!(at("0000-01-01T00:00:00Z") < 0);
    }

    #[test]
    fn offsets_count_after_payment_and_before_the_start() {
        let reference = at("2024-05-01T00:00:00Z");
        let days = offset("14", PenaltyOffsetUnit::Days);
        let pay = CancellationReference::PaymentDate;
        let start = CancellationReference::StartPeriod;
        assert!(!offset_reached(
            pay,
            reference,
            at("2024-05-14T23:59:59Z"),
            &days
        ));
        assert!(offset_reached(
            pay,
            reference,
            at("2024-05-15T00:00:00Z"),
            &days
        ));
        assert!(!offset_reached(
            start,
            reference,
            at("2024-04-16T23:59:59Z"),
            &days
        ));
        assert!(offset_reached(
            start,
            reference,
            at("2024-04-17T00:00:00Z"),
            &days
        ));
        assert!(offset_reached(
            start,
            reference,
            at("2024-06-01T00:00:00Z"),
            &days
        ));
        let month = offset("1", PenaltyOffsetUnit::Months);
        assert!(!offset_reached(
            pay,
            reference,
            at("2024-05-30T23:00:00Z"),
            &month
        ));
        assert!(offset_reached(
            pay,
            reference,
            at("2024-05-31T00:00:00Z"),
            &month
        ));
        let hours = offset("1.5", PenaltyOffsetUnit::Hours);
        assert!(offset_reached(
            pay,
            reference,
            at("2024-05-01T01:30:00Z"),
            &hours
        ));
        assert!(!offset_reached(
            pay,
            reference,
            at("2024-05-01T01:29:59Z"),
            &hours
        ));
        let huge = offset("79228162514264337593543950335", PenaltyOffsetUnit::Months);
        assert!(!offset_reached(
            pay,
            reference,
            at("9999-01-01T00:00:00Z"),
            &huge
        ));
        assert!(offset_reached(
            start,
            reference,
            at("0001-01-01T00:00:00Z"),
            &huge
        ));
    }

    #[test]
    fn penalties_stay_between_zero_and_the_total() {
        let value = |amount: &str, unit| CancellationPenaltyValue::new(dec(amount), unit);
        let fixed = PenaltyValueUnit::FixedAmount;
        let pct = PenaltyValueUnit::Percentage;
        assert_eq!(penalty_amount(&value("50", fixed), dec("200")), dec("50"));
        assert_eq!(penalty_amount(&value("500", fixed), dec("200")), dec("200"));
        assert_eq!(penalty_amount(&value("-5", fixed), dec("200")), dec("0"));
        assert_eq!(
            penalty_amount(&value("25", pct), dec("175.20")),
            dec("43.80")
        );
        assert_eq!(
            penalty_amount(&value("33.3", pct), dec("100.01")),
            dec("33.30333")
        );
        assert_eq!(penalty_amount(&value("150", pct), dec("10")), dec("10"));
        assert_eq!(penalty_amount(&value("10", fixed), dec("-10")), dec("0"));
        let huge = value("79228162514264337593543950335", pct);
        assert_eq!(penalty_amount(&huge, dec("10")), dec("10"));
    }

    #[test]
    fn item_totals() {
        let item: Item = serde_json::from_str(
            r#"{"price": 80.00, "quantity": {"amount": 2}, "totalTax": 15.20}"#,
        )
        .expect("item");
        assert_eq!(item_total(&item), Some(dec("175.20")));
        let item: Item = serde_json::from_str(r#"{"price": 80, "total": 99.99}"#).expect("item");
        assert_eq!(item_total(&item), Some(dec("99.99")));
        let item: Item = serde_json::from_str(r#"{"price": 12.5}"#).expect("item");
        assert_eq!(item_total(&item), Some(dec("12.5")));
        assert_eq!(item_total(&Item::default()), Some(Decimal::ZERO));
        let item: Item = serde_json::from_str(
            r#"{"price": 79228162514264337593543950335, "quantity": {"amount": 2}}"#,
        )
        .expect("item");
        assert_eq!(item_total(&item), None);
    }
}
