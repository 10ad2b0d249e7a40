//! [`EpochMillis`]: a Unix timestamp in milliseconds, exactly as the wire carries it.
//!
//! Some APIs (Onecheckout) write instants as JSON integers of milliseconds since
//! 1970-01-01T00:00:00Z. The value is kept as that integer, so it is sent back unchanged, and
//! converts to and from [`chrono::DateTime<Utc>`] without loss.
//!
//! ```
//! use payspec_runtime::EpochMillis;
//!
//! let t: EpochMillis = serde_json::from_str("1698765432000").unwrap();
//! assert_eq!(t.to_utc().unwrap().to_rfc3339(), "2023-10-31T15:17:12+00:00");
//! assert_eq!(serde_json::to_string(&t).unwrap(), "1698765432000");
//! ```

use std::fmt;
use std::str::FromStr;

use chrono::{TimeZone, Utc};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A Unix timestamp in milliseconds (UTC), written as a JSON integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EpochMillis(i64);

impl EpochMillis {
    /// The timestamp `millis` milliseconds after 1970-01-01T00:00:00Z.
    pub const fn from_millis(millis: i64) -> Self {
        EpochMillis(millis)
    }

    /// The milliseconds since 1970-01-01T00:00:00Z, as on the wire.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// The instant as a UTC date-time, or `None` beyond chrono's range (about ±262,000
    /// years), which a server could send but no real date reaches.
    pub fn to_utc(self) -> Option<chrono::DateTime<Utc>> {
        Utc.timestamp_millis_opt(self.0).single()
    }

    /// The instant `value`, truncated to whole milliseconds (the wire's precision).
    pub fn from_utc(value: chrono::DateTime<Utc>) -> Self {
        EpochMillis(value.timestamp_millis())
    }

    /// Now, from the system clock, in whole milliseconds.
    pub fn now() -> Self {
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        EpochMillis(match since {
            Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
            Err(before) => i64::try_from(before.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
        })
    }
}

impl From<chrono::DateTime<Utc>> for EpochMillis {
    fn from(value: chrono::DateTime<Utc>) -> Self {
        Self::from_utc(value)
    }
}

/// Writes the wire form: the integer of milliseconds.
impl fmt::Display for EpochMillis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Why a text is not a millisecond timestamp.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EpochMillisError(String);

impl fmt::Display for EpochMillisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a whole number of milliseconds within the range of an i64",
            self.0
        )
    }
}

impl std::error::Error for EpochMillisError {}

/// Parses the wire form: an optional `-` and decimal digits (no fraction, no exponent: a
/// millisecond timestamp with a fraction is not exact and is refused, never rounded).
impl FromStr for EpochMillis {
    type Err = EpochMillisError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s.strip_prefix('-').unwrap_or(s);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(EpochMillisError(s.to_owned()));
        }
        s.parse::<i64>()
            .map(EpochMillis)
            .map_err(|_| EpochMillisError(s.to_owned()))
    }
}

impl Serialize for EpochMillis {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0)
    }
}

/// The key serde_json (with `arbitrary_precision`) uses to hand a number's text to
/// `deserialize_any` visitors.
const SERDE_JSON_NUMBER_TOKEN: &str = "$serde_json::private::Number";

struct MillisVisitor;

impl<'de> Visitor<'de> for MillisVisitor {
    type Value = EpochMillis;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer number of milliseconds since the Unix epoch")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<EpochMillis, E> {
        Ok(EpochMillis(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<EpochMillis, E> {
        i64::try_from(v)
            .map(EpochMillis)
            .map_err(|_| E::custom(format!("{v} milliseconds is out of range")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<EpochMillis, E> {
        Err(E::custom(format!(
            "{v} is not a whole number of milliseconds"
        )))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<EpochMillis, A::Error> {
        match map.next_key::<String>()? {
            Some(key) if key == SERDE_JSON_NUMBER_TOKEN => {
                let text: String = map.next_value()?;
                text.parse().map_err(de::Error::custom)
            }
            _ => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
        }
    }
}

impl<'de> Deserialize<'de> for EpochMillis {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(MillisVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_round_trip_exactly() {
        for text in ["0", "1698765432000", "-1", "9223372036854775807"] {
            let t: EpochMillis = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&t).unwrap(), text);
            assert_eq!(t.to_string(), text);
            assert_eq!(text.parse::<EpochMillis>().unwrap(), t);
        }
    }

    #[test]
    fn inside_a_buffered_value_too() {
        // Untagged enums and `serde_json::Value` hand numbers over as the private map.
        let v: serde_json::Value = serde_json::from_str("[1729712500000]").unwrap();
        let t: Vec<EpochMillis> = serde_json::from_value(v).unwrap();
        assert_eq!(t, [EpochMillis::from_millis(1_729_712_500_000)]);
    }

    #[test]
    fn fractions_exponents_and_overflow_are_refused() {
        for text in [
            "1.5",
            "1e3",
            "1698765432000.0",
            "9223372036854775808",
            "\"1\"",
        ] {
            assert!(
                serde_json::from_str::<EpochMillis>(text).is_err(),
                "{text} accepted"
            );
        }
        for text in ["", "-", "+1", "1.0", " 1"] {
            assert!(text.parse::<EpochMillis>().is_err(), "{text:?} accepted");
        }
    }

    #[test]
    fn converts_to_and_from_chrono() {
        let t = EpochMillis::from_millis(1_729_712_400_123);
        let utc = t.to_utc().unwrap();
        assert_eq!(utc.to_rfc3339(), "2024-10-23T19:40:00.123+00:00");
        assert_eq!(EpochMillis::from_utc(utc), t);
        assert_eq!(EpochMillis::from_millis(i64::MAX).to_utc(), None);
    }
}
