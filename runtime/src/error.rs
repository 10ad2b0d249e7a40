//! The error every generated operation returns.
//!
//! [`Error<E>`] separates what a caller handles differently: a request rejected before it was
//! sent ([`Error::Validation`]), a documented error answer from the provider
//! ([`Error::Api`], with the parsed body `E`), an answer the description does not cover
//! ([`Error::UnexpectedResponse`], raw body kept), a success answer that did not parse
//! ([`Error::Decode`]), and network failures ([`Error::Timeout`], [`Error::Transport`]).
//!
//! Nothing here prints request headers, and URLs inside network errors lose their query
//! string and user info, so credentials cannot leak through `Display` or `Debug`.

use std::fmt;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

use crate::validate::ValidationError;

/// How many bytes of an unexpected response body [`from_progenitor`] keeps.
pub const MAX_RAW_BODY: usize = 1024 * 1024;

/// A documented error body: what it says, for `Display`.
pub trait ErrorBody: fmt::Debug {
    /// The main human-readable message, if the body has one.
    fn message(&self) -> Option<String>;

    /// Further details, such as one line per invalid field (`amount: must be positive`).
    fn details(&self) -> Vec<String> {
        Vec::new()
    }
}

impl ErrorBody for () {
    fn message(&self) -> Option<String> {
        None
    }
}

/// Why a response body did not parse.
#[derive(Debug)]
#[non_exhaustive]
pub enum DecodeError {
    /// A JSON body.
    Json(serde_json::Error),
    /// A DataContract XML body.
    Xml(crate::dcs::XmlError),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Json(e) => e.fmt(f),
            DecodeError::Xml(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DecodeError::Json(e) => Some(e),
            DecodeError::Xml(e) => Some(e),
        }
    }
}

impl From<serde_json::Error> for DecodeError {
    fn from(e: serde_json::Error) -> Self {
        DecodeError::Json(e)
    }
}

impl From<crate::dcs::XmlError> for DecodeError {
    fn from(e: crate::dcs::XmlError) -> Self {
        DecodeError::Xml(e)
    }
}

/// What went wrong with an API call. `E` is the operation's documented error body.
///
/// `Debug` and `Display` never show a raw response body (a server or proxy can echo the
/// request, card numbers and keys included): they give its length, and [`Error::raw_body`]
/// hands it over for deliberate inspection. Credential-carrying response headers
/// (`Set-Cookie`, `Authorization`, ...) print as `[REDACTED]` in `Debug`.
#[non_exhaustive]
pub enum Error<E> {
    /// The request was rejected before sending: it breaks the API description's constraints.
    Validation(ValidationError),
    /// The client has no credential this operation accepts.
    MissingCredential {
        /// The operation's name, e.g. `create_payment_link`.
        operation: &'static str,
        /// The security schemes any one of which would do, e.g. `["bearerAuth"]`.
        needed: &'static [&'static str],
    },
    /// The provider answered with a documented error status, and its body parsed.
    #[non_exhaustive]
    Api {
        /// The response status.
        status: StatusCode,
        /// The response headers.
        headers: HeaderMap,
        /// The parsed error body.
        body: E,
        /// The provider's id of the request, from the header the spec names
        /// (`x-request-id`), when the response carried it.
        request_id: Option<String>,
    },
    /// The provider answered with a status the description does not list, or with an error
    /// body that did not parse. The raw body is kept (up to [`MAX_RAW_BODY`] bytes).
    #[non_exhaustive]
    UnexpectedResponse {
        /// The response status.
        status: StatusCode,
        /// The response headers.
        headers: HeaderMap,
        /// The raw response body.
        body: Bytes,
        /// The provider's id of the request, from the header the spec names
        /// (`x-request-id`), when the response carried it.
        request_id: Option<String>,
    },
    /// A success response whose body did not parse as the documented type.
    Decode {
        /// The response status, when known.
        status: Option<StatusCode>,
        /// The raw response body.
        body: Bytes,
        /// Why it did not parse.
        source: DecodeError,
    },
    /// The server answered with a redirect (a 3xx status). Redirects are never followed: the
    /// request body (payment data, sometimes the credential itself) would be sent again to
    /// the target. Nothing was sent anywhere but the configured base URL. Usually the base URL
    /// is wrong (`http` for `https`, a missing path prefix). See [`crate::endpoint`].
    Redirect {
        /// The response status (301, 302, 303, 307, 308, ...).
        status: StatusCode,
        /// The `Location` the server named, without user info, query or fragment; `None`
        /// when it sent none.
        location: Option<String>,
    },
    /// The client's base URL was refused when it was built: not HTTP(S), plain `http://`
    /// on a host that is not loopback, or credentials in the URL. See [`crate::endpoint`].
    InvalidBaseUrl(crate::endpoint::BaseUrlError),
    /// The request timed out (connecting, or waiting for the response).
    Timeout(reqwest::Error),
    /// The request could not be sent or the response could not be read.
    Transport(reqwest::Error),
    /// A paginated listing handed out a cursor it had handed out before: following it would
    /// loop forever, so the stream stopped.
    RepeatedCursor {
        /// The repeated cursor.
        cursor: String,
        /// How many pages had been fetched.
        pages: u64,
    },
    /// A per-call header would replace one the client sets itself: a credential's header,
    /// `authorization`, `proxy-authorization`, or the operation's idempotency header (give the
    /// key with `idempotency_key` instead). Nothing was sent.
    ReservedHeader {
        /// The header's name (lowercase).
        name: String,
    },
    /// A per-call header's name or value (or an idempotency key) cannot travel in HTTP.
    /// Nothing was sent; the value is never shown.
    InvalidHeader {
        /// The header's name, or `<invalid name>`.
        name: String,
    },
    /// A middleware of the client (`ClientBuilder::middleware`) failed the request. What
    /// was sent before, if anything, is the middleware's business; the call is not retried.
    Middleware(BoxError),
    /// Anything else, such as a request that could not be built.
    Other(String),
}

/// A middleware's error, as it gave it.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

impl<E> Error<E> {
    /// The HTTP status of the response, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. }
            | Error::UnexpectedResponse { status, .. }
            | Error::Redirect { status, .. } => Some(*status),
            Error::Decode { status, .. } => *status,
            Error::Timeout(e) | Error::Transport(e) => e.status(),
            Error::Validation(_)
            | Error::MissingCredential { .. }
            | Error::InvalidBaseUrl(_)
            | Error::RepeatedCursor { .. }
            | Error::ReservedHeader { .. }
            | Error::InvalidHeader { .. }
            | Error::Middleware(_)
            | Error::Other(_) => None,
        }
    }

    /// The provider's id of the request that failed, from the header the spec names
    /// (`x-request-id`): what the provider's support asks for. `None` when the provider
    /// documents no such header, did not send it, or there was no response.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api { request_id, .. } | Error::UnexpectedResponse { request_id, .. } => {
                request_id.as_deref()
            }
            _ => None,
        }
    }

    /// The rate-limit headers of the error's response, parsed: for a 429, how long the
    /// server asks the client to wait (`Retry-After`). `None` without a response.
    pub fn rate_limit(&self) -> Option<crate::rate_limit::RateLimit> {
        self.headers()
            .map(|h| crate::rate_limit::RateLimit::from_headers(h, std::time::SystemTime::now()))
    }

    /// The parsed error body of an [`Error::Api`].
    pub fn api_body(&self) -> Option<&E> {
        match self {
            Error::Api { body, .. } => Some(body),
            _ => None,
        }
    }

    /// The raw body of an [`Error::UnexpectedResponse`] or [`Error::Decode`].
    pub fn raw_body(&self) -> Option<&[u8]> {
        match self {
            Error::UnexpectedResponse { body, .. } | Error::Decode { body, .. } => Some(body),
            _ => None,
        }
    }

    /// The response headers of an [`Error::Api`] or [`Error::UnexpectedResponse`].
    pub fn headers(&self) -> Option<&HeaderMap> {
        match self {
            Error::Api { headers, .. } | Error::UnexpectedResponse { headers, .. } => Some(headers),
            _ => None,
        }
    }

    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout(_))
    }

    /// Converts the error body type, leaving every other variant as it is.
    pub fn map_body<F, M: FnOnce(E) -> F>(self, f: M) -> Error<F> {
        match self {
            Error::Api {
                status,
                headers,
                body,
                request_id,
            } => Error::Api {
                status,
                headers,
                body: f(body),
                request_id,
            },
            Error::Validation(v) => Error::Validation(v),
            Error::MissingCredential { operation, needed } => {
                Error::MissingCredential { operation, needed }
            }
            Error::UnexpectedResponse {
                status,
                headers,
                body,
                request_id,
            } => Error::UnexpectedResponse {
                status,
                headers,
                body,
                request_id,
            },
            Error::Decode {
                status,
                body,
                source,
            } => Error::Decode {
                status,
                body,
                source,
            },
            Error::Redirect { status, location } => Error::Redirect { status, location },
            Error::InvalidBaseUrl(e) => Error::InvalidBaseUrl(e),
            Error::Timeout(e) => Error::Timeout(e),
            Error::Transport(e) => Error::Transport(e),
            Error::RepeatedCursor { cursor, pages } => Error::RepeatedCursor { cursor, pages },
            Error::ReservedHeader { name } => Error::ReservedHeader { name },
            Error::InvalidHeader { name } => Error::InvalidHeader { name },
            Error::Middleware(e) => Error::Middleware(e),
            Error::Other(s) => Error::Other(s),
        }
    }
}

/// The first of `pointers` (JSON pointers such as `/error/message`) that resolves to a string
/// in `value`. Generated error bodies use it where the spec lists several places a message or
/// code can be (one provider, two error shapes).
pub fn first_text(value: &serde_json::Value, pointers: &[&str]) -> Option<String> {
    pointers
        .iter()
        .find_map(|p| value.pointer(p).and_then(serde_json::Value::as_str))
        .map(str::to_owned)
}

/// Flattens an error body's details member into readable lines, whatever its shape: a map of
/// lists (`{"amount": ["must be > 0"]}` → `amount: must be > 0`), a list of strings, a list of
/// `{field, issue}` / `{field, message}` objects, or a plain string. Generated `ErrorBody` impls
/// call it for the member named by the spec's `x-error-details`.
pub fn flatten_details(value: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    fn text(v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        }
    }
    fn item(prefix: Option<&str>, v: &Value, out: &mut Vec<String>) {
        let with = |t: String| match prefix {
            Some(p) if !t.is_empty() => format!("{p}: {t}"),
            Some(p) => p.to_string(),
            None => t,
        };
        match v {
            Value::Null => {}
            Value::Array(items) => items.iter().for_each(|i| item(prefix, i, out)),
            Value::Object(m) => {
                let field = m.get("field").or_else(|| m.get("name")).map(text);
                let message = m.get("issue").or_else(|| m.get("message")).map(text);
                match (field, message) {
                    (Some(f), Some(msg)) => out.push(with(format!("{f}: {msg}"))),
                    (None, Some(msg)) => out.push(with(msg)),
                    _ if prefix.is_none() => {
                        for (k, v) in m {
                            item(Some(k), v, out);
                        }
                    }
                    _ => out.push(with(v.to_string())),
                }
            }
            other => out.push(with(text(other))),
        }
    }
    let mut out = Vec::new();
    item(None, value, &mut out);
    out
}

impl<E> From<ValidationError> for Error<E> {
    fn from(e: ValidationError) -> Self {
        Error::Validation(e)
    }
}

impl<E> From<reqwest_middleware::Error> for Error<E> {
    /// A middleware's error is [`Error::Middleware`]; the HTTP client's, as
    /// `From<reqwest::Error>`.
    fn from(e: reqwest_middleware::Error) -> Self {
        match e {
            reqwest_middleware::Error::Reqwest(e) => e.into(),
            reqwest_middleware::Error::Middleware(e) => Error::Middleware(e.into()),
        }
    }
}

impl<E> From<reqwest::Error> for Error<E> {
    /// [`Error::Timeout`] or [`Error::Transport`], with the URL's query string and user info
    /// removed.
    fn from(e: reqwest::Error) -> Self {
        let e = redact_url(e);
        if e.is_timeout() {
            Error::Timeout(e)
        } else {
            Error::Transport(e)
        }
    }
}

/// `e` with the parts of its URL that may carry credentials removed (see
/// [`crate::endpoint`]).
fn redact_url(mut e: reqwest::Error) -> reqwest::Error {
    if let Some(url) = e.url_mut() {
        crate::endpoint::strip_secrets(url);
    }
    e
}

/// `400 Bad Request`, or just `599` for a status without a standard reason.
fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

impl<E: ErrorBody> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Validation(v) => write!(f, "request rejected before sending: {v}"),
            Error::MissingCredential { operation, needed } => write!(
                f,
                "no credential for operation {operation}: needs one of {}",
                needed.join(", ")
            ),
            Error::Api { status, body, .. } => {
                write!(f, "HTTP {}", status_text(*status))?;
                if let Some(message) = body.message() {
                    write!(f, ": {message}")?;
                }
                let details = body.details();
                if !details.is_empty() {
                    write!(f, " ({})", details.join("; "))?;
                }
                Ok(())
            }
            Error::UnexpectedResponse {
                status,
                headers,
                body,
                ..
            } => {
                write!(f, "HTTP {} (unexpected response", status_text(*status))?;
                if let Some(kind) = headers
                    .get(http::header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                {
                    write!(f, ", {kind}")?;
                }
                write!(f, ", {} bytes)", body.len())
            }
            Error::Decode { status, source, .. } => {
                if let Some(status) = status {
                    write!(f, "HTTP {}: ", status_text(*status))?;
                }
                write!(f, "could not decode the response body: {source}")
            }
            Error::Redirect { status, location } => {
                write!(f, "HTTP {}: redirected", status_text(*status))?;
                if let Some(location) = location {
                    write!(f, " to {location}")?;
                }
                f.write_str(
                    "; redirects are never followed (the request would be sent again to \
                     the target), so check the client's base URL",
                )
            }
            Error::InvalidBaseUrl(e) => e.fmt(f),
            Error::Timeout(_) => f.write_str("request timed out"),
            Error::Transport(e) => write!(f, "transport error: {e}"),
            Error::RepeatedCursor { cursor, pages } => write!(
                f,
                "the server repeated the pagination cursor {cursor:?} after {pages} pages; stopped instead of looping"
            ),
            Error::ReservedHeader { name } => write!(
                f,
                "the header {name} is set by the client itself (credentials, idempotency key) and cannot be given per call; nothing was sent"
            ),
            Error::InvalidHeader { name } => write!(
                f,
                "the per-call header {name} has a name or value HTTP cannot carry; nothing was sent"
            ),
            Error::Middleware(e) => write!(f, "middleware: {e}"),
            Error::Other(message) => f.write_str(message),
        }
    }
}

impl<E: ErrorBody + 'static> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Validation(e) => Some(e),
            Error::Decode { source, .. } => Some(source),
            Error::InvalidBaseUrl(e) => Some(e),
            Error::Timeout(e) | Error::Transport(e) => Some(e),
            Error::Middleware(e) => Some(e.as_ref()),
            Error::MissingCredential { .. }
            | Error::Api { .. }
            | Error::UnexpectedResponse { .. }
            | Error::Redirect { .. }
            | Error::RepeatedCursor { .. }
            | Error::ReservedHeader { .. }
            | Error::InvalidHeader { .. }
            | Error::Other(_) => None,
        }
    }
}

/// Response headers whose values carry credentials or sessions: `Debug` of an [`Error`]
/// shows them as `[REDACTED]`.
const CREDENTIAL_HEADERS: [&str; 5] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "www-authenticate",
];

/// Headers for `Debug`: every name, values except credential-carrying ones.
pub(crate) struct RedactedHeaders<'a>(pub(crate) &'a HeaderMap);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if value.is_sensitive() || CREDENTIAL_HEADERS.contains(&name.as_str()) {
                map.entry(&name.as_str(), &"[REDACTED]");
            } else {
                map.entry(&name.as_str(), value);
            }
        }
        map.finish()
    }
}

/// A raw body for `Debug`: its length only.
struct BodyLen(usize);

impl fmt::Debug for BodyLen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0)
    }
}

impl<E: fmt::Debug> fmt::Debug for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Validation(v) => f.debug_tuple("Validation").field(v).finish(),
            Error::MissingCredential { operation, needed } => f
                .debug_struct("MissingCredential")
                .field("operation", operation)
                .field("needed", needed)
                .finish(),
            Error::Api {
                status,
                headers,
                body,
                request_id,
            } => f
                .debug_struct("Api")
                .field("status", status)
                .field("request_id", request_id)
                .field("headers", &RedactedHeaders(headers))
                .field("body", body)
                .finish(),
            Error::UnexpectedResponse {
                status,
                headers,
                body,
                request_id,
            } => f
                .debug_struct("UnexpectedResponse")
                .field("status", status)
                .field("request_id", request_id)
                .field("headers", &RedactedHeaders(headers))
                .field("body", &BodyLen(body.len()))
                .finish(),
            Error::Decode {
                status,
                body,
                source,
            } => f
                .debug_struct("Decode")
                .field("status", status)
                .field("body", &BodyLen(body.len()))
                .field("source", source)
                .finish(),
            Error::Redirect { status, location } => f
                .debug_struct("Redirect")
                .field("status", status)
                .field("location", location)
                .finish(),
            Error::InvalidBaseUrl(e) => f.debug_tuple("InvalidBaseUrl").field(e).finish(),
            Error::Timeout(e) => f.debug_tuple("Timeout").field(e).finish(),
            Error::Transport(e) => f.debug_tuple("Transport").field(e).finish(),
            Error::RepeatedCursor { cursor, pages } => f
                .debug_struct("RepeatedCursor")
                .field("cursor", cursor)
                .field("pages", pages)
                .finish(),
            Error::ReservedHeader { name } => f
                .debug_struct("ReservedHeader")
                .field("name", name)
                .finish(),
            Error::InvalidHeader { name } => {
                f.debug_struct("InvalidHeader").field("name", name).finish()
            }
            Error::Middleware(e) => f.debug_tuple("Middleware").field(e).finish(),
            Error::Other(message) => f.debug_tuple("Other").field(message).finish(),
        }
    }
}

/// The [`Error::Redirect`] for an answer with `status`, when it is a redirect (any 3xx): the
/// caller reports it instead of decoding the answer.
pub fn redirect_error<E>(status: StatusCode, headers: &HeaderMap) -> Option<Error<E>> {
    crate::endpoint::is_redirect(status).then(|| Error::Redirect {
        status,
        location: crate::endpoint::redirect_target(headers),
    })
}

/// Converts the error of a progenitor-generated call into an [`Error`], with the request id
/// from `request_id_header`, the header the operation's spec names (`x-request-id`).
///
/// An unexpected response's body is read here (up to [`MAX_RAW_BODY`] bytes; a failure to
/// read it leaves what was read so far). Progenitor does not say which status an
/// unparsable payload came with, so that becomes [`Error::Decode`] with no status.
pub async fn from_progenitor<E>(
    err: progenitor_client::Error<E>,
    request_id_header: Option<&str>,
) -> Error<E> {
    use progenitor_client::Error as P;
    let id = |headers: &HeaderMap| request_id(headers, request_id_header).map(str::to_string);
    match err {
        P::ErrorResponse(rv) => {
            let status = rv.status();
            let headers = rv.headers().clone();
            Error::Api {
                status,
                request_id: id(&headers),
                headers,
                body: rv.into_inner(),
            }
        }
        P::InvalidResponsePayload(body, source) => Error::Decode {
            status: None,
            body,
            source: DecodeError::Json(source),
        },
        P::UnexpectedResponse(response) => {
            let status = response.status();
            if let Some(redirect) = redirect_error(status, response.headers()) {
                return redirect;
            }
            let headers = response.headers().clone();
            let body = read_capped(response, MAX_RAW_BODY).await;
            Error::UnexpectedResponse {
                status,
                request_id: id(&headers),
                headers,
                body,
            }
        }
        P::CommunicationError(e) | P::ResponseBodyError(e) | P::InvalidUpgrade(e) => e.into(),
        P::InvalidRequest(s) | P::Custom(s) => Error::Other(s),
    }
}

/// Reads the answer to a progenitor-generated call that came with a documented error status:
/// the body parsed as `E`, or, when it does not parse (a proxy's HTML page, a text 429), the
/// response rebuilt from its status, headers and raw body (up to [`MAX_RAW_BODY`] bytes) as
/// progenitor's `UnexpectedResponse`, so [`from_progenitor`] keeps the status. Generated
/// `raw.rs` calls it in place of progenitor's `ResponseValue::from_response(..).await?`, which
/// would drop the status.
pub async fn progenitor_error_response<E: serde::de::DeserializeOwned>(
    mut response: reqwest::Response,
) -> progenitor_client::Error<E> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let body = read_capped(response, MAX_RAW_BODY).await;
    match serde_json::from_slice::<E>(&body) {
        Ok(parsed) => progenitor_client::Error::ErrorResponse(
            progenitor_client::ResponseValue::new(parsed, status, headers),
        ),
        Err(_) => {
            let mut rebuilt = http::Response::new(body);
            *rebuilt.status_mut() = status;
            *rebuilt.headers_mut() = headers;
            progenitor_client::Error::UnexpectedResponse(reqwest::Response::from(rebuilt))
        }
    }
}

/// The value of the request id header `name` in `headers`, when it is text.
pub(crate) fn request_id<'h>(headers: &'h HeaderMap, name: Option<&str>) -> Option<&'h str> {
    headers.get(name?)?.to_str().ok()
}

/// Reads at most `cap` bytes of `response`'s body, stopping quietly at a read error.
pub(crate) async fn read_capped(mut response: reqwest::Response, cap: usize) -> Bytes {
    let mut buf = Vec::new();
    while buf.len() < cap {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = cap - buf.len();
                buf.extend_from_slice(chunk.get(..room).unwrap_or(&chunk));
            }
            Ok(None) | Err(_) => break,
        }
    }
    Bytes::from(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Violation;
    use std::error::Error as _;

    #[derive(Debug, PartialEq)]
    struct Problem {
        title: Option<String>,
        errors: Vec<(String, String)>,
    }

    impl ErrorBody for Problem {
        fn message(&self) -> Option<String> {
            self.title.clone()
        }
        fn details(&self) -> Vec<String> {
            self.errors
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect()
        }
    }

    fn problem() -> Problem {
        Problem {
            title: Some("One or more validation errors occurred.".into()),
            errors: vec![("amount".into(), "The amount must be greater than 0.".into())],
        }
    }

    fn api(body: Problem) -> Error<Problem> {
        Error::Api {
            status: StatusCode::BAD_REQUEST,
            headers: HeaderMap::new(),
            body,
            request_id: None,
        }
    }

    fn json_error() -> serde_json::Error {
        serde_json::from_str::<u32>("\"x\"").unwrap_err()
    }

    /// A real connection error: nothing listens on a port we just closed.
    async fn connect_error(query: &str) -> reqwest::Error {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        reqwest::Client::new()
            .get(format!(
                "http://user:hunter2@{addr}/v1/payments?{query}#frag"
            ))
            .send()
            .await
            .unwrap_err()
    }

    #[test]
    fn display_api_error() {
        assert_eq!(
            api(problem()).to_string(),
            "HTTP 400 Bad Request: One or more validation errors occurred. \
             (amount: The amount must be greater than 0.)"
        );
        let mut two = problem();
        two.errors.push(("currency".into(), "Unknown.".into()));
        assert_eq!(
            api(two).to_string(),
            "HTTP 400 Bad Request: One or more validation errors occurred. \
             (amount: The amount must be greater than 0.; currency: Unknown.)"
        );
        let bare = Problem {
            title: None,
            errors: vec![],
        };
        assert_eq!(api(bare).to_string(), "HTTP 400 Bad Request");
        let unit: Error<()> = Error::Api {
            status: StatusCode::from_u16(599).unwrap(),
            headers: HeaderMap::new(),
            body: (),
            request_id: None,
        };
        assert_eq!(unit.to_string(), "HTTP 599");
    }

    #[test]
    fn display_other_variants() {
        // A raw body is never shown: a server or proxy can echo the request.
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "text/html".parse().unwrap());
        let e: Error<()> = Error::UnexpectedResponse {
            status: StatusCode::BAD_GATEWAY,
            headers,
            body: Bytes::from_static(b"<html>card 4111111111111111</html>"),
            request_id: None,
        };
        assert_eq!(
            e.to_string(),
            "HTTP 502 Bad Gateway (unexpected response, text/html, 34 bytes)"
        );
        assert_eq!(
            e.raw_body(),
            Some(&b"<html>card 4111111111111111</html>"[..])
        );
        let empty: Error<()> = Error::UnexpectedResponse {
            status: StatusCode::NOT_FOUND,
            headers: HeaderMap::new(),
            body: Bytes::new(),
            request_id: None,
        };
        assert_eq!(
            empty.to_string(),
            "HTTP 404 Not Found (unexpected response, 0 bytes)"
        );

        let r: Error<()> = Error::Redirect {
            status: StatusCode::TEMPORARY_REDIRECT,
            location: Some("http://127.0.0.1:9/collect".into()),
        };
        assert_eq!(
            r.to_string(),
            "HTTP 307 Temporary Redirect: redirected to http://127.0.0.1:9/collect; redirects \
             are never followed (the request would be sent again to the target), so check the \
             client's base URL"
        );
        assert_eq!(r.status(), Some(StatusCode::TEMPORARY_REDIRECT));
        let b: Error<()> = Error::InvalidBaseUrl(crate::endpoint::BaseUrlError::UserInfo);
        assert!(
            b.to_string()
                .starts_with("invalid base URL: it carries a user name")
        );
        assert!(b.source().is_some());

        let v: Error<()> = Error::Validation(ValidationError {
            violations: vec![Violation {
                path: "amount".into(),
                message: "must be greater than 0 (got -1)".into(),
            }],
        });
        assert_eq!(
            v.to_string(),
            "request rejected before sending: invalid request: amount: must be greater than 0 (got -1)"
        );
        assert!(v.source().is_some());

        let m: Error<()> = Error::MissingCredential {
            operation: "create_payment_link",
            needed: &["bearerAuth"],
        };
        assert_eq!(
            m.to_string(),
            "no credential for operation create_payment_link: needs one of bearerAuth"
        );
        let m: Error<()> = Error::MissingCredential {
            operation: "refund",
            needed: &["bearerAuth", "apiKey"],
        };
        assert_eq!(
            m.to_string(),
            "no credential for operation refund: needs one of bearerAuth, apiKey"
        );

        let d: Error<()> = Error::Decode {
            status: Some(StatusCode::OK),
            body: Bytes::from_static(b"\"x\""),
            source: DecodeError::Json(json_error()),
        };
        assert_eq!(
            d.to_string(),
            "HTTP 200 OK: could not decode the response body: invalid type: string \"x\", expected u32 at line 1 column 3"
        );
        assert!(d.source().is_some());
        assert_eq!(d.raw_body(), Some(&b"\"x\""[..]));
        let d: Error<()> = Error::Decode {
            status: None,
            body: Bytes::new(),
            source: DecodeError::Json(json_error()),
        };
        assert!(
            d.to_string()
                .starts_with("could not decode the response body: ")
        );
        assert_eq!(Error::<()>::Other("bad url".into()).to_string(), "bad url");
    }

    #[test]
    fn accessors_and_map_body() {
        let e = api(problem());
        assert_eq!(e.status(), Some(StatusCode::BAD_REQUEST));
        assert_eq!(e.api_body(), Some(&problem()));
        assert_eq!(e.raw_body(), None);
        assert!(e.headers().is_some());
        assert!(!e.is_timeout());
        assert!(e.source().is_none());
        let mapped: Error<usize> = e.map_body(|p| p.errors.len());
        assert_eq!(mapped.api_body(), Some(&1));
        let other: Error<Problem> = Error::Other("x".into());
        assert_eq!(other.status(), None);
        assert!(matches!(other.map_body(|_| 0u8), Error::Other(s) if s == "x"));
        let v: Error<()> = ValidationError { violations: vec![] }.into();
        assert!(matches!(v, Error::Validation(_)));
    }

    #[tokio::test]
    async fn network_errors_lose_credentials_in_urls() {
        let e: Error<()> = connect_error("api_key=sk_live_secret").await.into();
        assert!(matches!(e, Error::Transport(_)), "{e:?}");
        let shown = format!("{e} {e:?}");
        assert!(shown.starts_with("transport error: "), "{shown}");
        assert!(shown.contains("/v1/payments"), "{shown}");
        for secret in ["sk_live_secret", "hunter2", "user", "frag"] {
            assert!(!shown.contains(secret), "{secret} leaked: {shown}");
        }
        assert!(e.source().is_some());
    }

    #[tokio::test]
    async fn converts_progenitor_errors() {
        use progenitor_client::{Error as P, ResponseValue};

        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", "abc".parse().unwrap());
        let e = from_progenitor(
            P::ErrorResponse(ResponseValue::new(
                problem(),
                StatusCode::UNPROCESSABLE_ENTITY,
                headers,
            )),
            Some("x-request-id"),
        )
        .await;
        match &e {
            Error::Api {
                status,
                headers,
                body,
                request_id,
                ..
            } => {
                assert_eq!(*status, StatusCode::UNPROCESSABLE_ENTITY);
                assert_eq!(headers["x-request-id"], "abc");
                assert_eq!(request_id.as_deref(), Some("abc"));
                assert_eq!(body, &problem());
            }
            other => panic!("{other:?}"),
        }

        let e = from_progenitor::<()>(
            P::InvalidResponsePayload(Bytes::from_static(b"{"), json_error()),
            Some("x-request-id"),
        )
        .await;
        assert!(matches!(&e, Error::Decode { status: None, body, .. } if &body[..] == b"{"));

        let response = http::Response::builder()
            .status(502)
            .header("retry-after", "3")
            .header("x-request-id", "req_502")
            .body("bad gateway")
            .unwrap();
        let e = from_progenitor::<()>(P::UnexpectedResponse(response.into()), Some("x-request-id"))
            .await;
        assert_eq!(e.status(), Some(StatusCode::BAD_GATEWAY));
        assert_eq!(e.request_id(), Some("req_502"));
        assert_eq!(e.raw_body(), Some(&b"bad gateway"[..]));
        assert_eq!(e.headers().unwrap()["retry-after"], "3");

        let big = vec![b'a'; MAX_RAW_BODY + 10];
        let response = http::Response::builder().status(500).body(big).unwrap();
        let e = from_progenitor::<()>(P::UnexpectedResponse(response.into()), Some("x-request-id"))
            .await;
        assert_eq!(e.raw_body().unwrap().len(), MAX_RAW_BODY);
        assert!(!e.to_string().contains("aaa"), "{e}");

        for status in [301, 302, 303, 307, 308] {
            let response = http::Response::builder()
                .status(status)
                .header("location", "https://other.example/pay?key=secret")
                .body("moved")
                .unwrap();
            let e =
                from_progenitor::<()>(P::UnexpectedResponse(response.into()), Some("x-request-id"))
                    .await;
            match &e {
                Error::Redirect {
                    status: s,
                    location,
                } => {
                    assert_eq!(s.as_u16(), status);
                    assert_eq!(location.as_deref(), Some("https://other.example/pay"));
                }
                other => panic!("{other:?}"),
            }
        }

        let e = from_progenitor::<()>(
            P::CommunicationError(connect_error("k=v").await),
            Some("x-request-id"),
        )
        .await;
        assert!(matches!(e, Error::Transport(_)));
        assert!(!e.to_string().contains("k=v"));
        let e = from_progenitor::<()>(P::InvalidRequest("missing id".into()), Some("x-request-id"))
            .await;
        assert!(matches!(&e, Error::Other(s) if s == "missing id"));
        let e = from_progenitor::<()>(P::Custom("hook failed".into()), Some("x-request-id")).await;
        assert!(matches!(&e, Error::Other(s) if s == "hook failed"));
    }

    #[test]
    fn debug_shows_no_raw_body_and_no_credential_header() {
        let mut headers = HeaderMap::new();
        headers.insert("set-cookie", "session=s3cr3t".parse().unwrap());
        headers.insert("x-request-id", "req-1".parse().unwrap());
        let e: Error<()> = Error::UnexpectedResponse {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            headers: headers.clone(),
            body: Bytes::from_static(b"{\"AuthenticationKey\":\"p1-key\"}"),
            request_id: None,
        };
        let debug = format!("{e:?} {e:#?}");
        assert!(
            !debug.contains("p1-key") && !debug.contains("s3cr3t"),
            "{debug}"
        );
        assert!(
            debug.contains("req-1") && debug.contains("<30 bytes>"),
            "{debug}"
        );
        let d: Error<()> = Error::Decode {
            status: Some(StatusCode::OK),
            body: Bytes::from_static(b"{\"Number\":\"4111111111111111\"}"),
            source: DecodeError::Json(json_error()),
        };
        assert!(!format!("{d:?}").contains("4111"), "{d:?}");
        let a = api(problem());
        assert!(format!("{a:?}").contains("The amount must be greater than 0."));
        let a = Error::Api {
            status: StatusCode::UNAUTHORIZED,
            headers,
            body: (),
            request_id: None,
        };
        assert!(!format!("{a:?}").contains("s3cr3t"), "{a:?}");
    }

    #[tokio::test]
    async fn timeouts_are_recognized() {
        // A server that accepts and never answers.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (_socket, _) = listener.accept().await.unwrap();
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        });
        let err = reqwest::Client::new()
            .get(format!("http://{addr}/"))
            .timeout(std::time::Duration::from_millis(100))
            .send()
            .await
            .unwrap_err();
        let e = from_progenitor::<()>(
            progenitor_client::Error::CommunicationError(err),
            Some("x-request-id"),
        )
        .await;
        assert!(e.is_timeout(), "{e:?}");
        assert_eq!(e.to_string(), "request timed out");
        server.abort();
    }
}

#[cfg(test)]
mod flatten_tests {
    use super::flatten_details;
    use serde_json::json;

    #[test]
    fn flattens_every_documented_shape() {
        assert_eq!(
            flatten_details(
                &json!({"amount": ["must be > 0", "must be a number"], "name": ["required"]})
            ),
            vec![
                "amount: must be > 0",
                "amount: must be a number",
                "name: required"
            ]
        );
        assert_eq!(flatten_details(&json!(["a", "b"])), vec!["a", "b"]);
        assert_eq!(
            flatten_details(&json!([{"field": "currency", "issue": "unknown"}])),
            vec!["currency: unknown"]
        );
        assert_eq!(flatten_details(&json!("plain")), vec!["plain"]);
        assert!(flatten_details(&json!(null)).is_empty());
    }
}
