//! Simple values as DataContractSerializer reads and writes them.
//!
//! The reading rules were confirmed against the real serializer (Mono 6.8; see
//! `tests/peers/dotnet/PROBE.md`). Where the real reader silently changes a value (a decimal
//! with more than 28 fraction digits is rounded, a date-time with more than 7 fraction digits is
//! rounded) these parsers refuse it instead.

use rust_decimal::Decimal;

use super::enums::DcsEnum;
use super::is_xml_space;
use crate::DateTime;

/// A value written as the text of one element.
pub trait XmlScalar: Sized {
    /// The XSD type name, for error messages.
    const XSD_TYPE: &'static str;

    /// Reads the element's text (entities already resolved).
    fn parse_xml(text: &str) -> Result<Self, String>;

    /// Appends the text to write (before escaping; none of these need escaping except enum
    /// names, which are XML names). Fails for values XML cannot carry.
    fn format_xml(&self, out: &mut String) -> Result<(), String>;
}

impl XmlScalar for i32 {
    const XSD_TYPE: &'static str = "xs:int";

    fn parse_xml(text: &str) -> Result<i32, String> {
        let t = text.trim_matches(is_xml_space);
        let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("{} is not an xs:int", super::shown(text)));
        }
        let t = t.strip_prefix('+').unwrap_or(t);
        t.parse::<i32>()
            .map_err(|_| format!("{} is outside the range of xs:int", super::shown(text)))
    }

    fn format_xml(&self, out: &mut String) -> Result<(), String> {
        use std::fmt::Write;
        let _ = write!(out, "{self}");
        Ok(())
    }
}

impl XmlScalar for bool {
    const XSD_TYPE: &'static str = "xs:boolean";

    fn parse_xml(text: &str) -> Result<bool, String> {
        match text.trim_matches(is_xml_space) {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(format!(
                "{} is not an xs:boolean (true, false, 1 or 0)",
                super::shown(text)
            )),
        }
    }

    fn format_xml(&self, out: &mut String) -> Result<(), String> {
        out.push_str(if *self { "true" } else { "false" });
        Ok(())
    }
}

/// Most fraction digits a .NET decimal holds.
const MAX_SCALE: usize = 28;

impl XmlScalar for Decimal {
    const XSD_TYPE: &'static str = "xs:decimal";

    /// `[+-]digits[.digits]` with optional surrounding whitespace, `.5` and `1.` included;
    /// never an exponent. The scale is kept; `-0.00` reads as `0.00` as in .NET.
    fn parse_xml(text: &str) -> Result<Decimal, String> {
        let t = text.trim_matches(is_xml_space);
        let (negative, body) = match t.as_bytes().first() {
            Some(b'-') => (true, &t[1..]),
            Some(b'+') => (false, &t[1..]),
            _ => (false, t),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (int.is_empty() && frac.is_empty()) || !digits_ok(int) || !digits_ok(frac) {
            return Err(format!("{} is not an xs:decimal", super::shown(text)));
        }
        if frac.len() > MAX_SCALE {
            return Err(format!(
                "{} has more than {MAX_SCALE} fraction digits (the service would round it)",
                super::shown(text)
            ));
        }
        let int = int.trim_start_matches('0');
        let mut normalized = String::with_capacity(int.len() + frac.len() + 3);
        if negative {
            normalized.push('-');
        }
        normalized.push_str(if int.is_empty() { "0" } else { int });
        if !frac.is_empty() {
            normalized.push('.');
            normalized.push_str(frac);
        }
        let mut value = Decimal::from_str_exact(&normalized)
            .map_err(|_| format!("{} is outside the range of xs:decimal", super::shown(text)))?;
        if value.is_zero() {
            value.set_sign_positive(true);
        }
        Ok(value)
    }

    fn format_xml(&self, out: &mut String) -> Result<(), String> {
        use std::fmt::Write;
        let mut v = *self;
        if v.is_zero() {
            v.set_sign_positive(true);
        }
        let _ = write!(out, "{v}");
        Ok(())
    }
}

impl XmlScalar for DateTime {
    const XSD_TYPE: &'static str = "xs:dateTime";

    /// `YYYY-MM-DDTHH:MM:SS[.f{1,7}][Z|±HH:MM]`, or a date alone (read as midnight, no
    /// offset), as .NET's reader takes them; the year must be 0001 or later.
    fn parse_xml(text: &str) -> Result<DateTime, String> {
        let t = text.trim_matches(is_xml_space);
        let value = if t.len() == 10 {
            DateTime::parse(&format!("{t}T00:00:00"))
        } else {
            DateTime::parse(t)
        }
        .map_err(|e| e.to_string())?;
        if value.fraction_digits() > 7 {
            return Err(format!(
                "{} has more than 7 fraction digits (the service would round it)",
                super::shown(text)
            ));
        }
        if value.naive_local().date() < first_day() {
            return Err(format!(
                "{} is before 0001-01-01, the first .NET date",
                super::shown(text)
            ));
        }
        Ok(value)
    }

    fn format_xml(&self, out: &mut String) -> Result<(), String> {
        use std::fmt::Write;
        let _ = write!(out, "{self}");
        Ok(())
    }
}

fn first_day() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(chrono::NaiveDate::MIN)
}

impl<E: DcsEnum> XmlScalar for E {
    const XSD_TYPE: &'static str = E::ENUM_NAME;

    fn parse_xml(text: &str) -> Result<E, String> {
        E::parse_xml_name(text)
    }

    fn format_xml(&self, out: &mut String) -> Result<(), String> {
        match self.xml_name() {
            Some(name) => {
                out.push_str(name);
                Ok(())
            }
            None => Err(format!(
                "enum {} value {} has no known name, and XML carries names",
                E::ENUM_NAME,
                self.json_value().unwrap_or_default()
            )),
        }
    }
}

/// `0001-01-01T00:00:00`, .NET's `default(DateTime)`: what a missing non-nullable date-time
/// member reads as.
pub fn default_date_time() -> DateTime {
    let naive = first_day().and_time(chrono::NaiveTime::MIN);
    DateTime::new(naive, 0, crate::datetime::Offset::Unspecified).unwrap_or_else(|_| {
        // Cannot fail: 0001-01-01 is in range and has no fraction.
        DateTime::from_utc(chrono::DateTime::<chrono::Utc>::MIN_UTC)
    })
}

/// Appends `text` escaped as DataContractSerializer's `XmlWriter` escapes element text:
/// `<`, `>` and `&` as entities; `"`, `'`, tab and line feed raw; carriage return as `&#xD;`
/// (the real writer turns it into a line feed, losing it; the reference keeps it). Characters
/// XML 1.0 cannot carry (other C0 controls, U+FFFE, U+FFFF) are refused, as the real writer
/// refuses them.
pub(crate) fn escape_text(text: &str, out: &mut Vec<u8>) -> Result<(), String> {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let rep: &[u8] = match c {
            '<' => b"&lt;",
            '>' => b"&gt;",
            '&' => b"&amp;",
            '\r' => b"&#xD;",
            '\t' | '\n' => continue,
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {
                return Err(format!(
                    "the character U+{:04X} cannot be written in XML 1.0",
                    c as u32
                ));
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(rep);
        start = i + c.len_utf8();
    }
    out.extend_from_slice(&bytes[start..]);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Result<String, String> {
        Decimal::parse_xml(s).map(|d| {
            let mut o = String::new();
            d.format_xml(&mut o).map(|_| o).unwrap_or_default()
        })
    }

    #[test]
    fn decimals_follow_the_real_reader() {
        assert_eq!(dec("+1.0").as_deref(), Ok("1.0"));
        assert_eq!(dec(" 1.0 ").as_deref(), Ok("1.0"));
        assert_eq!(dec(".5").as_deref(), Ok("0.5"));
        assert_eq!(dec("1.").as_deref(), Ok("1"));
        assert_eq!(dec("00012.50").as_deref(), Ok("12.50"));
        assert_eq!(dec("-0.00").as_deref(), Ok("0.00"));
        assert_eq!(dec("20.00").as_deref(), Ok("20.00"));
        assert_eq!(
            dec("79228162514264337593543950335").as_deref(),
            Ok("79228162514264337593543950335")
        );
        assert_eq!(
            dec("-79228162514264337593543950335").as_deref(),
            Ok("-79228162514264337593543950335")
        );
        assert_eq!(
            dec("0.0000000000000000000000000001").as_deref(),
            Ok("0.0000000000000000000000000001")
        );
        for bad in [
            "1e2",
            "",
            ".",
            "1,5",
            "79228162514264337593543950336",
            "0.00000000000000000000000000001",
            "- 1",
            "0x10",
        ] {
            assert!(dec(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn ints_and_bools_follow_the_real_reader() {
        assert_eq!(i32::parse_xml("+5"), Ok(5));
        assert_eq!(i32::parse_xml(" 05 "), Ok(5));
        assert_eq!(i32::parse_xml("-2147483648"), Ok(i32::MIN));
        for bad in ["2147483648", "5.0", "", "+", "1 2"] {
            assert!(i32::parse_xml(bad).is_err(), "{bad:?}");
        }
        assert_eq!(bool::parse_xml("1"), Ok(true));
        assert_eq!(bool::parse_xml(" false "), Ok(false));
        for bad in ["True", "TRUE", "", "yes"] {
            assert!(bool::parse_xml(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn date_times_keep_their_form_and_refuse_rounding() {
        for ok in [
            "2019-11-19T10:52:08.2141523-08:00",
            "2019-11-19T10:52:07",
            "2020-01-02T03:04:05Z",
            "0001-01-01T00:00:00",
            "9999-12-31T23:59:59.9999999",
        ] {
            let v = DateTime::parse_xml(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            let mut o = String::new();
            v.format_xml(&mut o).ok();
            assert_eq!(o, ok);
        }
        let d = DateTime::parse_xml("2019-11-19").map(|d| d.to_string());
        assert_eq!(d.as_deref(), Ok("2019-11-19T00:00:00"));
        for bad in [
            "2019-11-19T10:52:08.21415234",
            "2019-11-19T10:52",
            "2019-11-19 10:52:07",
            "2019-11-19T10:52:07-0800",
            "0000-01-01T00:00:00",
        ] {
            assert!(DateTime::parse_xml(bad).is_err(), "{bad:?}");
        }
        assert_eq!(default_date_time().to_string(), "0001-01-01T00:00:00");
    }

    #[test]
    fn text_escaping_matches_the_real_writer() {
        let mut out = Vec::new();
        escape_text("a<b>&\"c' \t\nñ😀\r", &mut out).ok();
        assert_eq!(
            String::from_utf8_lossy(&out),
            "a&lt;b&gt;&amp;\"c' \t\nñ😀&#xD;"
        );
        assert!(escape_text("a\u{1}b", &mut Vec::new()).is_err());
        assert!(escape_text("\u{fffe}", &mut Vec::new()).is_err());
    }
}
