//! Exact JSON numbers for [`Decimal`] fields.
//!
//! Money amounts must never pass through `f64`. serde_json's reader hands these helpers the raw
//! text of the number (through [`crate::json_text`], without the `arbitrary_precision`
//! feature, which would change how every other crate of the program reads numbers), and this
//! module parses that text exactly. Output is written as a JSON number with the decimal's
//! scale kept: `10.50` is sent as `10.50`, `100` as `100`.
//!
//! The exact text is there when serde_json's reader decodes the type directly (`from_str`,
//! `from_slice`, `from_reader`, which is how the generated clients read responses). A value
//! that went through a `serde_json::Value` or serde's buffering (an untagged enum, a flattened
//! struct) had its numbers read as `f64` first: it is recovered exactly when that `f64`'s
//! shortest form is the text (`10.5`, `0.1`), but a scale (`10.50`) or digits beyond 17 are
//! gone.
//!
//! Use [`number`] for `Decimal` fields, [`number_opt`] for `Option<Decimal>` fields and
//! [`number_nullable`] for `Nullable<Decimal>` fields:
//!
//! ```
//! use rust_decimal::Decimal;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Payment {
//!     #[serde(with = "payspec_runtime::decimal::number")]
//!     amount: Decimal,
//!     #[serde(
//!         default,
//!         skip_serializing_if = "Option::is_none",
//!         with = "payspec_runtime::decimal::number_opt"
//!     )]
//!     fee: Option<Decimal>,
//! }
//!
//! let p: Payment = serde_json::from_str(r#"{"amount": 10.50}"#).unwrap();
//! assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"amount":10.50}"#);
//! ```
//!
//! These helpers write JSON numbers; they are meant for JSON bodies only.

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{Error as _, Serialize, Serializer};

use crate::json_text::{NUMBER_TOKEN, RAW_TOKEN};

/// Why a text could not be read as an exact [`Decimal`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseDecimalError {
    reason: &'static str,
}

impl fmt::Display for ParseDecimalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason)
    }
}

impl std::error::Error for ParseDecimalError {}

fn err(reason: &'static str) -> ParseDecimalError {
    ParseDecimalError { reason }
}

/// Parses a number written with JSON's number grammar (`-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`)
/// into a [`Decimal`], exactly.
///
/// The scale written is kept (`"0.10"` has scale 2). A value that does not fit a `Decimal`
/// (more than 28 fraction digits, or beyond ±79228162514264337593543950335) is an error,
/// never rounded.
pub fn parse_exact(text: &str) -> Result<Decimal, ParseDecimalError> {
    let (mantissa, exponent) = split_json_number(text)?;
    let value = Decimal::from_str_exact(mantissa).map_err(|e| match e {
        rust_decimal::Error::Underflow => err("has more fraction digits than a decimal can hold"),
        _ => err("is outside the range of a decimal"),
    })?;
    let Some(exponent) = exponent else {
        return Ok(value);
    };
    apply_exponent(value, exponent)
}

/// Checks `text` against JSON's number grammar and splits it into the mantissa and the
/// exponent (if any).
fn split_json_number(text: &str) -> Result<(&str, Option<&str>), ParseDecimalError> {
    let b = text.as_bytes();
    let digits_from = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let mut i = 0;
    if b.first() == Some(&b'-') {
        i = 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits_from(i + 1),
        _ => return Err(err("is not a number")),
    }
    if b.get(i) == Some(&b'.') {
        let end = digits_from(i + 1);
        if end == i + 1 {
            return Err(err("is not a number"));
        }
        i = end;
    }
    let mantissa_end = i;
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let end = digits_from(i);
        if end == i || end != b.len() {
            return Err(err("is not a number"));
        }
        // The grammar was checked byte by byte, so these are ASCII boundaries.
        return Ok((&text[..mantissa_end], Some(&text[mantissa_end + 1..])));
    }
    if i != b.len() {
        return Err(err("is not a number"));
    }
    Ok((text, None))
}

/// Multiplies `value` by ten to the power `exponent` (text like `3`, `+3` or `-2`), exactly.
fn apply_exponent(value: Decimal, exponent: &str) -> Result<Decimal, ParseDecimalError> {
    let (negative, digits) = match exponent.as_bytes().first() {
        Some(b'-') => (true, &exponent[1..]),
        Some(b'+') => (false, &exponent[1..]),
        _ => (false, exponent),
    };
    let out_of_range = || err("is outside the range of a decimal");
    let too_precise = || err("has more fraction digits than a decimal can hold");
    // Any exponent that does not fit in u32 is far outside what a decimal holds.
    let exp: u32 = digits.parse().map_err(|_| {
        if negative {
            too_precise()
        } else {
            out_of_range()
        }
    })?;
    let scale = value.scale();
    let mut result = value;
    if negative {
        let new_scale = scale.checked_add(exp).ok_or_else(too_precise)?;
        if new_scale > Decimal::MAX_SCALE {
            return Err(too_precise());
        }
        result.set_scale(new_scale).map_err(|_| too_precise())?;
    } else if exp <= scale {
        result.set_scale(scale - exp).map_err(|_| out_of_range())?;
    } else {
        // Drop the scale, then multiply the integer mantissa by the remaining power of ten.
        result.set_scale(0).map_err(|_| out_of_range())?;
        if !result.is_zero() {
            for _ in 0..exp - scale {
                result = result.checked_mul(Decimal::TEN).ok_or_else(out_of_range)?;
            }
        }
        // `set_scale(0)` keeps the mantissa, so the product above has scale 0 too.
    }
    Ok(result)
}

/// Writes `value` as a JSON number with its scale kept: to serde_json's writer as raw text (its
/// `RawValue`), so the number never passes through `f64`.
fn serialize_decimal<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    // A decimal's `Display` is always a JSON number (digits, an optional sign and point).
    let raw = serde_json::value::RawValue::from_string(value.to_string())
        .map_err(|_| S::Error::custom(format!("decimal {value} is not a JSON number")))?;
    raw.serialize(serializer)
}

struct DecimalVisitor;

impl DecimalVisitor {
    fn parse<E: de::Error>(text: &str, what: &str) -> Result<Decimal, E> {
        parse_exact(text).map_err(|e| E::custom(format_args!("{what} {text:?} {e}")))
    }

    /// A value's raw JSON text: a number, or a string holding one.
    fn parse_json<E: de::Error>(raw: &str) -> Result<Decimal, E> {
        let raw = raw.trim();
        match raw.as_bytes().first() {
            Some(b'-' | b'0'..=b'9') => Self::parse(raw, "number"),
            Some(b'"') => {
                let text: String = serde_json::from_str(raw).map_err(E::custom)?;
                Self::parse(&text, "string")
            }
            Some(b'n') => Err(E::invalid_type(de::Unexpected::Unit, &DecimalVisitor)),
            Some(b't' | b'f') => Err(E::invalid_type(
                de::Unexpected::Bool(raw == "true"),
                &DecimalVisitor,
            )),
            Some(b'[') => Err(E::invalid_type(de::Unexpected::Seq, &DecimalVisitor)),
            _ => Err(E::invalid_type(de::Unexpected::Map, &DecimalVisitor)),
        }
    }
}

impl<'de> Visitor<'de> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal number, or a string holding one")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Decimal, E> {
        if v.unsigned_abs() > MAX_MANTISSA {
            return Err(E::custom(format_args!(
                "number {v} is outside the range of a decimal"
            )));
        }
        // In range (checked above), so this cannot panic.
        Ok(Decimal::from_i128_with_scale(v, 0))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Decimal, E> {
        match i128::try_from(v) {
            Ok(v) => self.visit_i128(v),
            Err(_) => Err(E::custom(format_args!(
                "number {v} is outside the range of a decimal"
            ))),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        // serde_json's reader never gets here (it hands over the raw text). serde's buffered
        // content does: the text is recovered exactly when it was the shortest round-trip form
        // of this f64 (`15.0`, `10.5`, `1e-7`), which Rust's `{:?}` writes.
        if !v.is_finite() {
            return Err(E::invalid_type(de::Unexpected::Float(v), &self));
        }
        Self::parse(&format!("{v:?}"), "number")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        Self::parse(v, "string")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Decimal, A::Error> {
        // serde_json's reader hands over the value's raw text as a one-entry map from a private
        // key (`RAW_TOKEN`, asked for by `deserialize_decimal`); with `arbitrary_precision` (if
        // the user's program turns it on), a `deserialize_any` number arrives the same way
        // under `NUMBER_TOKEN`.
        let key: Option<String> = map.next_key()?;
        match key.as_deref() {
            Some(RAW_TOKEN) => {
                let raw: String = map.next_value()?;
                Self::parse_json(&raw)
            }
            Some(NUMBER_TOKEN) => {
                let raw: String = map.next_value()?;
                Self::parse(&raw, "number")
            }
            _ => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
        }
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Decimal, D::Error> {
        // Not serde_json's reader (serde's buffered content): what that representation kept.
        d.deserialize_any(self)
    }
}

/// The largest magnitude a [`Decimal`] mantissa holds (2^96 - 1).
const MAX_MANTISSA: u128 = (1u128 << 96) - 1;

fn deserialize_decimal<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    deserializer.deserialize_newtype_struct(RAW_TOKEN, DecimalVisitor)
}

/// `#[serde(with = "payspec_runtime::decimal::number")]` for a [`Decimal`] field.
pub mod number {
    use rust_decimal::Decimal;
    use serde::{Deserializer, Serializer};

    /// Writes `value` as a JSON number with its scale kept.
    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        super::serialize_decimal(value, serializer)
    }

    /// Reads a JSON number (or a string holding one) exactly.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        super::deserialize_decimal(deserializer)
    }
}

/// `#[serde(default, skip_serializing_if = "Option::is_none", with = "payspec_runtime::decimal::number_opt")]`
/// for an `Option<Decimal>` field: `None` is written as `null` (or skipped) and read from
/// `null` or an absent field.
pub mod number_opt {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    struct Exact(Decimal);

    impl Serialize for Exact {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            super::serialize_decimal(&self.0, serializer)
        }
    }

    impl<'de> Deserialize<'de> for Exact {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            super::deserialize_decimal(deserializer).map(Exact)
        }
    }

    /// Writes `Some(value)` as a JSON number with its scale kept and `None` as `null`.
    pub fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(d) => serializer.serialize_some(&Exact(*d)),
            None => serializer.serialize_none(),
        }
    }

    /// Reads `null` as `None` and a JSON number (or a string holding one) exactly.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        Ok(Option::<Exact>::deserialize(deserializer)?.map(|e| e.0))
    }
}

/// `#[serde(default, skip_serializing_if = "Nullable::is_absent", with = "payspec_runtime::decimal::number_nullable")]`
/// for a [`Nullable<Decimal>`](crate::Nullable) field: a value is written as a JSON number with
/// its scale kept, `null` as `null`, and an absent member is skipped.
pub mod number_nullable {
    use crate::Nullable;
    use rust_decimal::Decimal;
    use serde::{Deserializer, Serializer};

    /// Writes a value as a JSON number with its scale kept, and `null` (or absent) as `null`.
    pub fn serialize<S: Serializer>(
        value: &Nullable<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        super::number_opt::serialize(&value.value().copied(), serializer)
    }

    /// Reads `null` as [`Nullable::Null`] and a JSON number (or a string holding one) exactly;
    /// a missing member never gets here (the field's `default` makes it absent).
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Nullable<Decimal>, D::Error> {
        super::number_opt::deserialize(deserializer).map(Nullable::null_if_none)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};
    use std::str::FromStr;

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Amount {
        #[serde(with = "crate::decimal::number")]
        value: Decimal,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "crate::decimal::number_opt"
        )]
        fee: Option<Decimal>,
    }

    fn de(json: &str) -> Result<Decimal, serde_json::Error> {
        let mut d = serde_json::Deserializer::from_str(json);
        let v = number::deserialize(&mut d)?;
        d.end()?;
        Ok(v)
    }

    fn ser(d: Decimal) -> String {
        let mut out = Vec::new();
        number::serialize(&d, &mut serde_json::Serializer::new(&mut out)).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn parses_exact_values_and_keeps_scale() {
        let max = de("79228162514264337593543950335").unwrap();
        assert_eq!(max, Decimal::MAX);
        assert_eq!(de("-79228162514264337593543950335").unwrap(), Decimal::MIN);
        let d = de("0.10").unwrap();
        assert_eq!((d.mantissa(), d.scale()), (10, 2));
        let d = de("20.00").unwrap();
        assert_eq!((d.mantissa(), d.scale()), (2000, 2));
        let d = de("-1.5").unwrap();
        assert_eq!((d.mantissa(), d.scale()), (-15, 1));
        let d = de("100").unwrap();
        assert_eq!((d.mantissa(), d.scale()), (100, 0));
        // 28 fraction digits is the most a decimal holds; this is not representable as f64.
        let d = de("0.1234567890123456789012345678").unwrap();
        assert_eq!(d.to_string(), "0.1234567890123456789012345678");
        // Integers past u64 come through as raw text.
        assert_eq!(
            de("18446744073709551616").unwrap().to_string(),
            "18446744073709551616"
        );
    }

    #[test]
    fn parses_exponents() {
        let d = de("1e3").unwrap();
        assert_eq!((d.mantissa(), d.scale()), (1000, 0));
        let d = de("1.5E-2").unwrap();
        assert_eq!((d.mantissa(), d.scale()), (15, 3));
        assert_eq!(de("1.25e+2").unwrap().to_string(), "125");
        assert_eq!(de("1.250e2").unwrap().to_string(), "125.0");
        assert_eq!(de("12e-1").unwrap().to_string(), "1.2");
        assert_eq!(de("0e50").unwrap(), Decimal::ZERO);
        assert_eq!(
            de("7e28").unwrap().to_string(),
            "70000000000000000000000000000"
        );
        assert_eq!(
            de("1e-28").unwrap().to_string(),
            "0.0000000000000000000000000001"
        );
    }

    #[test]
    fn accepts_strings() {
        let d = de(r#""10.50""#).unwrap();
        assert_eq!((d.mantissa(), d.scale()), (1050, 2));
        assert_eq!(de(r#""-2e2""#).unwrap().to_string(), "-200");
    }

    #[test]
    fn rejects_non_numbers_and_overflow() {
        for bad in [
            r#""abc""#,
            "true",
            "null",
            "[1]",
            r#"{"a":1}"#,
            r#""""#,
            r#""1.""#,
            r#""+1""#,
            r#"".5""#,
            r#""01""#,
            r#""1_000""#,
            r#"" 1""#,
            "1e40",
            "-1e40",
            "79228162514264337593543950336",
            "1e-29",
            "1.5e-28",
            "0.12345678901234567890123456789",
            "1e99999999999999999999",
        ] {
            assert!(de(bad).is_err(), "{bad} should be rejected");
        }
        let msg = de("1e40").unwrap_err().to_string();
        assert!(msg.contains("outside the range"), "{msg}");
        let msg = de(r#""abc""#).unwrap_err().to_string();
        assert!(msg.contains("\"abc\""), "{msg}");
    }

    #[test]
    fn binary_floats_are_read_by_their_shortest_text_and_non_finite_ones_refused() {
        use serde::de::value::{Error, F64Deserializer};
        let de = |f: f64| number::deserialize(F64Deserializer::<Error>::new(f));
        assert_eq!(de(0.1).unwrap().to_string(), "0.1");
        assert_eq!(de(15.0).unwrap().to_string(), "15.0");
        assert!(de(f64::NAN).is_err());
        assert!(de(f64::INFINITY).is_err());
    }

    #[test]
    fn serializes_with_scale() {
        for text in [
            "10.50",
            "100",
            "0.10",
            "-1.5",
            "79228162514264337593543950335",
            "0",
        ] {
            assert_eq!(ser(Decimal::from_str(text).unwrap()), text);
        }
        assert_eq!(ser(Decimal::new(2000, 2)), "20.00");
    }

    #[test]
    fn round_trips_byte_exact_in_structs() {
        for json in [
            r#"{"value":79228162514264337593543950335,"fee":0.10}"#,
            r#"{"value":20.00}"#,
            r#"{"value":-1.5,"fee":0}"#,
            r#"{"value":0.0000000000000000000000000001}"#,
        ] {
            let a: Amount = serde_json::from_str(json).unwrap();
            assert_eq!(serde_json::to_string(&a).unwrap(), json);
        }
        let a: Amount = serde_json::from_str(r#"{"value":1e3,"fee":null}"#).unwrap();
        assert_eq!(
            a,
            Amount {
                value: Decimal::from(1000),
                fee: None
            }
        );
        assert_eq!(serde_json::to_string(&a).unwrap(), r#"{"value":1000}"#);
        let a: Amount = serde_json::from_str(r#"{"value":"10.50","fee":"1.5E-2"}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"{"value":10.50,"fee":0.015}"#
        );
        assert!(serde_json::from_str::<Amount>(r#"{"value":1,"fee":true}"#).is_err());
        assert!(serde_json::from_str::<Amount>(r#"{"fee":1}"#).is_err());
    }

    #[test]
    fn nullable_decimals_keep_three_states_and_the_scale() {
        #[derive(Serialize, Deserialize, Debug, PartialEq)]
        struct Refund {
            #[serde(
                default,
                skip_serializing_if = "crate::Nullable::is_absent",
                with = "crate::decimal::number_nullable"
            )]
            fee: crate::Nullable<Decimal>,
        }
        for json in [r#"{}"#, r#"{"fee":null}"#, r#"{"fee":0.10}"#] {
            let r: Refund = serde_json::from_str(json).unwrap();
            assert_eq!(serde_json::to_string(&r).unwrap(), json);
        }
        let r: Refund = serde_json::from_str(r#"{"fee":"1.50"}"#).unwrap();
        assert_eq!(
            r.fee.value().map(Decimal::to_string).as_deref(),
            Some("1.50")
        );
        assert!(serde_json::from_str::<Refund>(r#"{"fee":true}"#).is_err());
    }

    #[test]
    fn the_reader_keeps_every_digit_without_arbitrary_precision() {
        // The workspace builds serde_json without `arbitrary_precision`: these would be f64s.
        for json in [
            r#"{"value":79228162514264337593543950335,"fee":0.10}"#,
            r#"{"value":1234567890123456789.123456789}"#,
            r#"{"value":-0.0000000000000000000000000001,"fee":10.50}"#,
        ] {
            let a: Amount = serde_json::from_slice(json.as_bytes()).unwrap();
            assert_eq!(serde_json::to_string(&a).unwrap(), json);
            let a: Amount = serde_json::from_reader(json.as_bytes()).unwrap();
            assert_eq!(serde_json::to_vec(&a).unwrap(), json.as_bytes());
        }
        // Whitespace around the number, and a string holding one.
        let a: Amount = serde_json::from_str(r#"{ "value" :  10.50 , "fee": "0.250" }"#).unwrap();
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"{"value":10.50,"fee":0.250}"#
        );
        // What is not a number is named.
        for (json, expected) in [
            (r#"{"value":null}"#, "invalid type: null"),
            (r#"{"value":true}"#, "invalid type: boolean `true`"),
            (r#"{"value":[1]}"#, "invalid type: sequence"),
            (r#"{"value":{"a":1}}"#, "invalid type: map"),
            (r#"{"value":"ten"}"#, "string \"ten\" is not a number"),
        ] {
            let e = serde_json::from_str::<Amount>(json)
                .unwrap_err()
                .to_string();
            assert!(e.contains(expected), "{json}: {e}");
        }
    }

    #[test]
    fn through_value_and_buffering_the_shortest_form_is_kept() {
        // A serde_json::Value, and serde's buffering (untagged enums), hold numbers as f64: the
        // shortest round-trip form comes back exactly, a trailing zero does not.
        let v: serde_json::Value = serde_json::from_str(r#"{"value":0.1,"fee":7}"#).unwrap();
        let a: Amount = serde_json::from_value(v).unwrap();
        assert_eq!(a.value.to_string(), "0.1");
        assert_eq!(a.fee, Some(Decimal::from(7)));
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!(v.to_string(), r#"{"fee":7,"value":0.1}"#);

        #[derive(Deserialize, Debug)]
        #[serde(untagged)]
        enum Either {
            A(Amount),
        }
        let Either::A(a) = serde_json::from_str(r#"{"value":12.34,"fee":7}"#).unwrap();
        assert_eq!(a.value.to_string(), "12.34");
        assert_eq!(a.fee, Some(Decimal::from(7)));
    }

    #[test]
    fn parse_exact_is_public_and_strict() {
        assert_eq!(parse_exact("0.10").unwrap().to_string(), "0.10");
        assert_eq!(parse_exact("-0").unwrap(), Decimal::ZERO);
        assert_eq!(parse_exact("x").unwrap_err().to_string(), "is not a number");
        assert!(parse_exact("1e").is_err());
        assert!(parse_exact("1e+").is_err());
        assert!(parse_exact("1e3x").is_err());
        assert!(parse_exact("-").is_err());
        assert!(parse_exact("١").is_err());
    }
}

#[cfg(test)]
mod from_value_tests {
    use rust_decimal::Decimal;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Price {
        #[serde(with = "crate::decimal::number")]
        price: Decimal,
    }

    #[test]
    fn through_a_json_value_the_shortest_form_is_kept() {
        for text in ["15.0", "10.5", "0.1", "1e-7", "-0.5"] {
            let value: serde_json::Value =
                serde_json::from_str(&format!(r#"{{"price":{text}}}"#)).unwrap();
            let p: Price = serde_json::from_value(value).unwrap();
            let expected = Decimal::from_str_exact(text)
                .or_else(|_| Decimal::from_scientific(text))
                .unwrap();
            assert_eq!(p.price, expected, "{text}");
            assert_eq!(p.price.scale(), expected.scale(), "{text}");
        }
    }
}
