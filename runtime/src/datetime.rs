//! Timestamps kept exactly as the wire carried them.
//!
//! Payment providers write timestamps in different ways (`2019-11-19T10:52:08`,
//! `2019-11-19T10:52:08.2141523-08:00`, `2024-05-14T13:44:23.133Z`), and some of them compare
//! a value a client echoes back byte for byte. [`DateTime`] therefore keeps the local date and
//! time, the number of fraction digits written and the offset (or its absence), and writes
//! them back unchanged.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// The offset part of a [`DateTime`], as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Offset {
    /// No offset was written: a local time whose zone is not stated.
    Unspecified,
    /// Written as `Z`.
    Utc,
    /// Written as `+HH:MM` or `-HH:MM`: seconds east of UTC, a whole number of minutes,
    /// less than 24 hours in magnitude. `+00:00` is `Fixed(0)`, not `Utc`.
    Fixed(i32),
}

/// An RFC 3339-style timestamp that remembers how it was written.
///
/// Two values that name the same instant but were written differently are not equal; compare
/// [`DateTime::to_utc`] for the instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DateTime {
    naive: NaiveDateTime,
    fraction_digits: u8,
    offset: Offset,
}

/// Why a timestamp could not be read or built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateTimeError {
    input: String,
    reason: String,
}

impl DateTimeError {
    fn new(input: impl Into<String>, reason: impl Into<String>) -> Self {
        DateTimeError {
            input: input.into(),
            reason: reason.into(),
        }
    }

    /// The text (or, for [`DateTime::new`], a description of the value) that was rejected.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// What was wrong with it.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for DateTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Network input can be arbitrarily long; show enough to recognize it.
        const SHOWN: usize = 64;
        let shown: String = self.input.chars().take(SHOWN).collect();
        let more = if self.input.chars().nth(SHOWN).is_some() {
            "..."
        } else {
            ""
        };
        write!(f, "invalid date-time {shown:?}{more}: {}", self.reason)
    }
}

impl std::error::Error for DateTimeError {}

/// Offsets must be smaller than a day in magnitude.
const MAX_OFFSET_SECONDS: u32 = 24 * 3600;

/// 0000-01-01T00:00:00, the first instant this format can write.
const FIRST: NaiveDateTime = match NaiveDate::from_ymd_opt(0, 1, 1) {
    Some(d) => d.and_time(NaiveTime::MIN),
    None => NaiveDateTime::MIN,
};

/// 9999-12-31T23:59:59.999999999, the last instant this format can write.
const LAST: NaiveDateTime = match (
    NaiveDate::from_ymd_opt(9999, 12, 31),
    NaiveTime::from_hms_nano_opt(23, 59, 59, 999_999_999),
) {
    (Some(d), Some(t)) => d.and_time(t),
    _ => NaiveDateTime::MAX,
};

impl DateTime {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fffffffff][Z|±HH:MM]`.
    ///
    /// One to nine fraction digits are accepted; `t` and `z` may be lower case (they are
    /// written back in upper case). Seconds are required, a leap second (`:60`) is rejected,
    /// and `-00:00` is read as `+00:00`.
    pub fn parse(input: &str) -> Result<DateTime, DateTimeError> {
        let fail = |reason: &str| DateTimeError::new(input, reason);
        let b = input.as_bytes();
        let num = |start: usize, len: usize, what: &str| -> Result<u32, DateTimeError> {
            let field = b
                .get(start..start + len)
                .filter(|d| d.iter().all(u8::is_ascii_digit))
                .ok_or_else(|| fail(&format!("expected {len} digits for the {what}")))?;
            Ok(field
                .iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')))
        };
        let sep = |at: usize, want: &[u8], what: &str| -> Result<(), DateTimeError> {
            match b.get(at) {
                Some(c) if want.contains(c) => Ok(()),
                _ => Err(fail(&format!("expected {what} at position {}", at + 1))),
            }
        };

        let year = num(0, 4, "year")?;
        sep(4, b"-", "'-'")?;
        let month = num(5, 2, "month")?;
        sep(7, b"-", "'-'")?;
        let day = num(8, 2, "day")?;
        sep(10, b"Tt", "'T'")?;
        let hour = num(11, 2, "hour")?;
        sep(13, b":", "':'")?;
        let minute = num(14, 2, "minute")?;
        sep(16, b":", "':' and seconds")?;
        let second = num(17, 2, "second")?;

        let mut pos = 19;
        let mut nanos = 0u32;
        let mut fraction_digits = 0u8;
        if b.get(pos) == Some(&b'.') {
            pos += 1;
            let start = pos;
            while b.get(pos).is_some_and(u8::is_ascii_digit) {
                pos += 1;
            }
            let count = pos - start;
            if count == 0 {
                return Err(fail("expected digits after '.'"));
            }
            if count > 9 {
                return Err(fail("more than 9 fraction digits"));
            }
            // At most 9 digits, so these conversions are exact and cannot overflow.
            let digits = num(start, count, "fraction")?;
            nanos = digits * 10u32.pow(9 - count as u32);
            fraction_digits = count as u8;
        }

        let offset = match b.get(pos..).unwrap_or_default() {
            [] => Offset::Unspecified,
            [b'Z' | b'z'] => Offset::Utc,
            [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
                let oh = num(pos + 1, 2, "offset hours")?;
                let om = num(pos + 4, 2, "offset minutes")?;
                if oh > 23 || om > 59 {
                    return Err(fail("offset out of range"));
                }
                // At most 23:59, so this fits an i32.
                let secs = (oh * 3600 + om * 60) as i32;
                Offset::Fixed(if *sign == b'-' { -secs } else { secs })
            }
            _ => return Err(fail("expected 'Z', '+HH:MM', '-HH:MM' or the end")),
        };

        // Four digits, so at most 9999.
        let date =
            NaiveDate::from_ymd_opt(year as i32, month, day).ok_or_else(|| fail("no such date"))?;
        if second == 60 {
            return Err(fail("leap seconds are not supported"));
        }
        let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
            .ok_or_else(|| fail("no such time of day"))?;
        Ok(DateTime {
            naive: NaiveDateTime::new(date, time),
            fraction_digits,
            offset,
        })
    }

    /// Builds a value from its parts.
    ///
    /// Fails if `fraction_digits` is over 9, if `naive` has nonzero digits past
    /// `fraction_digits` (they would be lost when written), if `naive` is a leap second, if
    /// its year is outside 0000..=9999, or if a fixed offset is not a whole number of minutes
    /// under 24 hours.
    pub fn new(
        naive: NaiveDateTime,
        fraction_digits: u8,
        offset: Offset,
    ) -> Result<DateTime, DateTimeError> {
        let fail = |reason: String| DateTimeError::new(format!("{naive:?} {offset:?}"), reason);
        if fraction_digits > 9 {
            return Err(fail(format!(
                "{fraction_digits} fraction digits requested; at most 9 are allowed"
            )));
        }
        let nanos = naive.nanosecond();
        if nanos >= 1_000_000_000 {
            return Err(fail("leap seconds are not supported".into()));
        }
        if !nanos.is_multiple_of(10u32.pow(9 - u32::from(fraction_digits))) {
            return Err(fail(format!(
                "nanoseconds {nanos:09} need more than {fraction_digits} fraction digits"
            )));
        }
        if !(0..=9999).contains(&naive.year()) {
            return Err(fail("year outside 0000..=9999".into()));
        }
        if let Offset::Fixed(secs) = offset
            && (secs % 60 != 0 || secs.unsigned_abs() >= MAX_OFFSET_SECONDS)
        {
            return Err(fail(format!(
                "offset of {secs} seconds is not whole minutes under 24 hours"
            )));
        }
        Ok(DateTime {
            naive,
            fraction_digits,
            offset,
        })
    }

    /// The UTC instant `value`, written with `Z` and as few fraction digits as it needs.
    ///
    /// A leap second (which chrono can represent) is written as `23:59:59.999999999`. Years
    /// outside 0000..=9999 cannot be written in this format; they are clamped to the first or
    /// last representable instant.
    pub fn from_utc(value: chrono::DateTime<Utc>) -> DateTime {
        let mut naive = value.naive_utc();
        if naive < FIRST {
            naive = FIRST;
        } else if naive > LAST {
            naive = LAST;
        }
        let nanos = naive.nanosecond().min(999_999_999);
        naive = naive.with_nanosecond(nanos).unwrap_or(naive);
        DateTime {
            naive,
            fraction_digits: minimal_digits(nanos),
            offset: Offset::Utc,
        }
    }

    /// The local date and time as written (not adjusted by the offset).
    pub fn naive_local(&self) -> NaiveDateTime {
        self.naive
    }

    /// The offset as written.
    pub fn offset(&self) -> Offset {
        self.offset
    }

    /// How many fraction-of-second digits are written (0 to 9).
    pub fn fraction_digits(&self) -> u8 {
        self.fraction_digits
    }

    /// The instant in UTC, or `None` when no offset was written.
    pub fn to_utc(&self) -> Option<chrono::DateTime<Utc>> {
        let secs = match self.offset {
            Offset::Unspecified => return None,
            Offset::Utc => 0,
            Offset::Fixed(secs) => secs,
        };
        let offset = FixedOffset::east_opt(secs)?;
        self.naive
            .checked_sub_offset(offset)
            .map(|utc| utc.and_utc())
    }
}

/// The fewest fraction digits that write `nanos` (below one second) without loss.
fn minimal_digits(nanos: u32) -> u8 {
    let mut digits = 9;
    let mut rest = nanos;
    while digits > 0 && rest.is_multiple_of(10) {
        rest /= 10;
        digits -= 1;
    }
    digits
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = &self.naive;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            n.year(),
            n.month(),
            n.day(),
            n.hour(),
            n.minute(),
            n.second()
        )?;
        if self.fraction_digits > 0 {
            let digits = format!("{:09}", n.nanosecond().min(999_999_999));
            let shown = digits
                .get(..usize::from(self.fraction_digits))
                .unwrap_or(&digits);
            write!(f, ".{shown}")?;
        }
        match self.offset {
            Offset::Unspecified => Ok(()),
            Offset::Utc => f.write_str("Z"),
            Offset::Fixed(secs) => {
                let sign = if secs < 0 { '-' } else { '+' };
                let abs = secs.unsigned_abs();
                write!(f, "{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60)
            }
        }
    }
}

impl FromStr for DateTime {
    type Err = DateTimeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DateTime::parse(s)
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = DateTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date-time string such as 2024-05-14T13:44:23.133Z")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DateTime, E> {
                DateTime::parse(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt(s: &str) -> DateTime {
        let d = DateTime::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(d.to_string(), s);
        d
    }

    fn naive(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, nanos: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_nano_opt(h, mi, s, nanos)
            .unwrap()
    }

    #[test]
    fn round_trips_exactly() {
        let d = rt("2019-11-19T10:52:08");
        assert_eq!(d.offset(), Offset::Unspecified);
        assert_eq!(d.fraction_digits(), 0);
        assert_eq!(d.naive_local(), naive(2019, 11, 19, 10, 52, 8, 0));
        assert_eq!(d.to_utc(), None);

        let d = rt("2019-11-19T10:52:08.2141523-08:00");
        assert_eq!(d.offset(), Offset::Fixed(-8 * 3600));
        assert_eq!(d.fraction_digits(), 7);
        assert_eq!(d.naive_local(), naive(2019, 11, 19, 10, 52, 8, 214_152_300));
        assert_eq!(
            d.to_utc().unwrap().to_rfc3339(),
            "2019-11-19T18:52:08.214152300+00:00"
        );

        let d = rt("2024-05-14T13:44:23.133Z");
        assert_eq!(d.offset(), Offset::Utc);
        assert_eq!(d.fraction_digits(), 3);
        assert_eq!(d.naive_local().nanosecond(), 133_000_000);

        let d = rt("2020-01-01T00:00:00.1000000Z");
        assert_eq!(d.fraction_digits(), 7);
        assert_eq!(d.naive_local().nanosecond(), 100_000_000);
        rt("2020-01-01T00:00:00.100Z");
        rt("2020-01-01T00:00:00+00:00");
        rt("2020-01-01T00:00:00.000000001+05:30");
        rt("2020-01-01T00:00:00.0-23:59");
        rt("2024-02-29T23:59:59.999999999Z");
        rt("0000-01-01T00:00:00Z");
        rt("9999-12-31T23:59:59Z");
        assert_eq!(
            DateTime::parse("2020-01-01T00:00:00+00:00")
                .unwrap()
                .offset(),
            Offset::Fixed(0)
        );
        assert_eq!(
            DateTime::parse("2020-01-01T00:00:00+05:30")
                .unwrap()
                .to_utc()
                .unwrap()
                .to_rfc3339(),
            "2019-12-31T18:30:00+00:00"
        );
    }

    #[test]
    fn normalizes_lower_case_and_negative_zero_offset() {
        let d = DateTime::parse("2024-05-14t13:44:23.133z").unwrap();
        assert_eq!(d.to_string(), "2024-05-14T13:44:23.133Z");
        let d: DateTime = "2024-05-14T13:44:23-00:00".parse().unwrap();
        assert_eq!(d.to_string(), "2024-05-14T13:44:23+00:00");
    }

    #[test]
    fn rejects_malformed_input() {
        for bad in [
            "",
            "2019-11-19",
            "2019-11-19T10:52",
            "2019-11-19T10:52Z",
            "2019-11-19 10:52:08",
            "2019-11-19T10:52:08.",
            "2019-11-19T10:52:08.Z",
            "2019-11-19T10:52:08.1234567890Z",
            "2019-11-19T10:52:08.123a",
            "2019-13-19T10:52:08",
            "2019-00-19T10:52:08",
            "2019-11-00T10:52:08",
            "2019-02-29T10:52:08",
            "2019-11-31T10:52:08",
            "2019-11-19T24:00:00",
            "2019-11-19T10:60:08",
            "2016-12-31T23:59:60Z",
            "2019-11-19T10:52:61",
            "2019-11-19T10:52:08+24:00",
            "2019-11-19T10:52:08+05:60",
            "2019-11-19T10:52:08+0500",
            "2019-11-19T10:52:08+05",
            "2019-11-19T10:52:08+5:00",
            "2019-11-19T10:52:08UTC",
            "2019-11-19T10:52:08Z ",
            "2019-11-19T10:52:08ZZ",
            " 2019-11-19T10:52:08Z",
            "19-11-19T10:52:08",
            "+2019-11-19T10:52:08",
            "2019-11-19T10:52:08.½",
            "２０19-11-19T10:52:08",
            "2019/11/19T10:52:08",
            "2019-1-19T10:52:08",
        ] {
            assert!(DateTime::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn errors_say_what_and_where() {
        let e = DateTime::parse("2019-11-19 10:52:08").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid date-time \"2019-11-19 10:52:08\": expected 'T' at position 11"
        );
        assert_eq!(e.input(), "2019-11-19 10:52:08");
        let e = DateTime::parse("2019-11-19T10:52").unwrap_err();
        assert_eq!(e.reason(), "expected ':' and seconds at position 17");
        let e = DateTime::parse("2019-02-29T10:52:08").unwrap_err();
        assert_eq!(e.reason(), "no such date");
        let e = DateTime::parse("2016-12-31T23:59:60Z").unwrap_err();
        assert_eq!(e.reason(), "leap seconds are not supported");
        let long = "x".repeat(1000);
        let shown = DateTime::parse(&long).unwrap_err().to_string();
        assert!(shown.len() < 150, "{shown}");
        assert!(shown.contains("...: "), "{shown}");
        let _: &dyn std::error::Error = &e;
    }

    #[test]
    fn new_checks_its_parts() {
        let n = naive(2024, 5, 14, 13, 44, 23, 133_000_000);
        let d = DateTime::new(n, 3, Offset::Utc).unwrap();
        assert_eq!(d.to_string(), "2024-05-14T13:44:23.133Z");
        assert_eq!(d, DateTime::parse("2024-05-14T13:44:23.133Z").unwrap());
        let d = DateTime::new(n, 6, Offset::Fixed(3600)).unwrap();
        assert_eq!(d.to_string(), "2024-05-14T13:44:23.133000+01:00");
        let d = DateTime::new(n, 3, Offset::Fixed(-(5 * 3600 + 30 * 60))).unwrap();
        assert_eq!(d.to_string(), "2024-05-14T13:44:23.133-05:30");
        assert!(DateTime::new(n, 2, Offset::Utc).is_err());
        assert!(DateTime::new(n, 0, Offset::Unspecified).is_err());
        assert!(DateTime::new(n, 10, Offset::Utc).is_err());
        assert!(DateTime::new(n, 3, Offset::Fixed(30)).is_err());
        assert!(DateTime::new(n, 3, Offset::Fixed(86_400)).is_err());
        assert!(DateTime::new(n, 3, Offset::Fixed(i32::MIN)).is_err());
        assert!(DateTime::new(n, 3, Offset::Fixed(-86_400)).is_err());
        assert!(DateTime::new(n, 3, Offset::Fixed(-86_340)).is_ok());
        let e = DateTime::new(n, 2, Offset::Utc).unwrap_err();
        assert_eq!(
            e.reason(),
            "nanoseconds 133000000 need more than 2 fraction digits"
        );
        let leap = naive(2016, 12, 31, 23, 59, 59, 1_500_000_000);
        assert!(DateTime::new(leap, 9, Offset::Utc).is_err());
        assert!(DateTime::new(naive(10_000, 1, 1, 0, 0, 0, 0), 0, Offset::Utc).is_err());
        assert!(DateTime::new(naive(-1, 1, 1, 0, 0, 0, 0), 0, Offset::Utc).is_err());
    }

    #[test]
    fn from_utc_uses_minimal_digits() {
        let at = |nanos| naive(2024, 5, 14, 13, 44, 23, nanos).and_utc();
        let s = |nanos| DateTime::from_utc(at(nanos)).to_string();
        assert_eq!(s(0), "2024-05-14T13:44:23Z");
        assert_eq!(s(133_000_000), "2024-05-14T13:44:23.133Z");
        assert_eq!(s(100_000_000), "2024-05-14T13:44:23.1Z");
        assert_eq!(s(1), "2024-05-14T13:44:23.000000001Z");
        assert_eq!(s(214_152_300), "2024-05-14T13:44:23.2141523Z");
        let d = DateTime::from_utc(at(133_000_000));
        assert_eq!(d.to_utc(), Some(at(133_000_000)));
        assert_eq!(d.offset(), Offset::Utc);
        // A leap second is clamped to the last representable instant of that second.
        let leap = naive(2016, 12, 31, 23, 59, 59, 1_500_000_000).and_utc();
        assert_eq!(
            DateTime::from_utc(leap).to_string(),
            "2016-12-31T23:59:59.999999999Z"
        );
        let far = naive(12_000, 1, 1, 0, 0, 0, 0).and_utc();
        assert_eq!(
            DateTime::from_utc(far).to_string(),
            "9999-12-31T23:59:59.999999999Z"
        );
        let before = naive(-5, 1, 1, 0, 0, 0, 0).and_utc();
        assert_eq!(
            DateTime::from_utc(before).to_string(),
            "0000-01-01T00:00:00Z"
        );
    }

    #[test]
    fn serde_as_string() {
        #[derive(Serialize, Deserialize, Debug, PartialEq)]
        struct Event {
            created: DateTime,
            updated: Option<DateTime>,
        }
        let json =
            r#"{"created":"2019-11-19T10:52:08.2141523-08:00","updated":"2019-11-19T10:52:08"}"#;
        let e: Event = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), json);
        let err = serde_json::from_str::<Event>(r#"{"created":"2019-11-19","updated":null}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("invalid date-time \"2019-11-19\""), "{err}");
        assert!(serde_json::from_str::<Event>(r#"{"created":20191119,"updated":null}"#).is_err());
    }

    #[test]
    fn equality_is_textual() {
        let a = DateTime::parse("2024-05-14T13:44:23Z").unwrap();
        let b = DateTime::parse("2024-05-14T13:44:23+00:00").unwrap();
        let c = DateTime::parse("2024-05-14T13:44:23.0Z").unwrap();
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.to_utc(), b.to_utc());
        assert_eq!(a.to_utc(), c.to_utc());
    }
}
