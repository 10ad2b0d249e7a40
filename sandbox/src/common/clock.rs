//! The sandbox clock: the request header [`NOW_HEADER`] sets "now" for that one request, in
//! the format of the provider's API ([`Clock`]); without it, the system clock.

use axum::http::HeaderMap;
use payspec_runtime::{DateTime, EpochMillis};

/// The sandbox-only request header that sets "now" for that one request, in every simulator
/// (RFC 3339; Onecheckout, whose API speaks epoch milliseconds, reads epoch milliseconds).
pub const NOW_HEADER: &str = "x-sandbox-now";

/// How a simulator reads [`NOW_HEADER`]: in the format its provider's API writes instants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Clock {
    /// An RFC 3339 date-time (a date-time without an offset read as UTC).
    Rfc3339,
    /// An integer number of milliseconds since the Unix epoch.
    EpochMillis,
}

/// A [`NOW_HEADER`] that holds no instant in the simulator's format; each simulator answers it
/// in its provider's error shape (its error type is `From<ClockFault>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ClockFault {
    /// The format the header was read in.
    pub(crate) clock: Clock,
    /// What is wrong with the value (`is not ASCII`, or the parser's message).
    pub(crate) why: String,
}

impl Clock {
    /// The instant [`NOW_HEADER`] sends as a date-time (as written, for [`Clock::Rfc3339`]):
    /// `Ok(None)` when the header is absent.
    pub(crate) fn sent_date(self, headers: &HeaderMap) -> Result<Option<DateTime>, ClockFault> {
        let Some(text) = self.text(headers)? else {
            return Ok(None);
        };
        match self {
            Clock::Rfc3339 => DateTime::parse(text.trim())
                .map(Some)
                .map_err(|e| self.fault(e.to_string())),
            Clock::EpochMillis => {
                let millis = self.millis(text)?;
                EpochMillis::from_millis(millis)
                    .to_utc()
                    .map(|utc| Some(DateTime::from_utc(utc)))
                    .ok_or_else(|| self.fault("is out of range".to_owned()))
            }
        }
    }

    /// "Now" for one request in epoch milliseconds: [`NOW_HEADER`] when sent, else the system
    /// clock.
    pub(crate) fn now_millis(self, headers: &HeaderMap) -> Result<i64, ClockFault> {
        let Some(text) = self.text(headers)? else {
            return Ok(EpochMillis::now().as_millis());
        };
        match self {
            Clock::Rfc3339 => DateTime::parse(text.trim())
                .map(|date| utc_millis(&date))
                .map_err(|e| self.fault(e.to_string())),
            Clock::EpochMillis => self.millis(text),
        }
    }

    /// The header's text: `Ok(None)` when absent.
    fn text(self, headers: &HeaderMap) -> Result<Option<&str>, ClockFault> {
        headers
            .get(NOW_HEADER)
            .map(|value| {
                value
                    .to_str()
                    .map_err(|_| self.fault("is not ASCII".to_owned()))
            })
            .transpose()
    }

    fn millis(self, text: &str) -> Result<i64, ClockFault> {
        text.trim()
            .parse::<EpochMillis>()
            .map(EpochMillis::as_millis)
            .map_err(|e| self.fault(e.to_string()))
    }

    fn fault(self, why: String) -> ClockFault {
        ClockFault { clock: self, why }
    }
}

/// Epoch milliseconds of `date`, a date-time without an offset read as UTC.
fn utc_millis(date: &DateTime) -> i64 {
    date.to_utc()
        .unwrap_or_else(|| date.naive_local().and_utc())
        .timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn now(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(NOW_HEADER, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn each_format_reads_its_own_values() {
        let rfc = now("1970-01-01T00:00:01.5Z");
        assert_eq!(Clock::Rfc3339.now_millis(&rfc), Ok(1500));
        assert_eq!(
            Clock::Rfc3339.now_millis(&now(" 1970-01-01T00:00:02 ")),
            Ok(2000)
        );
        assert!(Clock::EpochMillis.now_millis(&rfc).is_err());
        assert_eq!(Clock::EpochMillis.now_millis(&now(" 1500 ")), Ok(1500));
        assert!(Clock::Rfc3339.now_millis(&now("1500")).is_err());
        let date = Clock::EpochMillis.sent_date(&now("1500")).ok().flatten();
        assert_eq!(date.map(|d| utc_millis(&d)), Some(1500));
        assert_eq!(Clock::Rfc3339.sent_date(&HeaderMap::new()), Ok(None));
        let fault = Clock::EpochMillis.now_millis(&now("x")).err();
        assert_eq!(fault.map(|f| f.clock), Some(Clock::EpochMillis));
    }

    #[test]
    fn without_the_header_it_is_the_system_clock() {
        let before = EpochMillis::now().as_millis();
        let read = Clock::EpochMillis
            .now_millis(&HeaderMap::new())
            .unwrap_or(0);
        assert!(read >= before);
    }
}
