//! What the simulators read from a request's headers the same way.

use axum::http::{HeaderMap, header};

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

/// The media type of the `Content-Type` header, lowercased and without its parameters
/// (`multipart/form-data`); `Some("")` for a header that is not text, `None` without one.
pub(crate) fn media_type(headers: &HeaderMap) -> Option<String> {
    headers.get(header::CONTENT_TYPE).map(|v| {
        let text = v.to_str().unwrap_or("");
        text.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    })
}

/// `http://<host><path_prefix>` from the request's `Host`, or the bare prefix (a relative URL)
/// when it has none that is safe to echo: the base of the links a simulator answers with.
pub(crate) fn base_url(headers: &HeaderMap, path_prefix: &str) -> String {
    let host = header_text(headers, header::HOST.as_str()).filter(|h| {
        h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]_".contains(&b))
    });
    match host {
        Some(host) => format!("http://{host}{path_prefix}"),
        None => path_prefix.to_owned(),
    }
}
