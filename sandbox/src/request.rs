//! What the simulators read from a request's headers the same way.

use axum::http::{HeaderMap, header};
use payspec_runtime::{DateTime, EpochMillis};

use crate::NOW_HEADER;

/// The header's text, trimmed; `None` when absent, empty or not text.
pub(crate) fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = header_text(headers, header::AUTHORIZATION.as_str())?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The sandbox clock of one request, the header [`NOW_HEADER`] in RFC 3339: `Ok(None)` when it
/// is absent, else the date-time it holds or why it holds none (each simulator answers that in
/// its provider's error shape).
pub(crate) fn sandbox_now(headers: &HeaderMap) -> Result<Option<DateTime>, String> {
    let Some(value) = headers.get(NOW_HEADER) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| "is not ASCII".to_owned())?;
    DateTime::parse(text.trim())
        .map(Some)
        .map_err(|e| e.to_string())
}

/// "Now" for one request in epoch milliseconds: [`sandbox_now`] (a date-time without an offset
/// read as UTC), else the system clock.
pub(crate) fn now_millis(headers: &HeaderMap) -> Result<i64, String> {
    Ok(match sandbox_now(headers)? {
        Some(date) => utc_millis(&date),
        None => EpochMillis::now().as_millis(),
    })
}

/// Epoch milliseconds of `date`, a date-time without an offset read as UTC.
fn utc_millis(date: &DateTime) -> i64 {
    date.to_utc()
        .unwrap_or_else(|| date.naive_local().and_utc())
        .timestamp_millis()
}
