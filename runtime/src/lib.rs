//! Runtime support for the client crates that payspec generates from payment providers'
//! OpenAPI descriptions.
//!
//! Generated code stays thin: it declares types and operations and calls into this crate for
//! everything that needs care and must be written (and tested) once:
//!
//! * [`secret`]: [`Secret`] wraps credentials and sensitive body fields so they never appear in
//!   `Debug` output and are zeroized on drop.
//! * [`decimal`]: serde helpers that read and write money amounts as exact JSON numbers, never
//!   through `f64`.
//! * [`nullable`]: [`Nullable`], a member that is absent, explicitly `null`, or a value, for
//!   the spec's `nullable` members (a partial update clears a field by sending `null`).
//! * [`json_text`]: the exact text of a JSON value from serde_json's reader, so decimals stay
//!   exact without serde_json's `arbitrary_precision` (which would change the whole program).
//! * [`datetime`]: [`DateTime`] keeps a timestamp exactly as the wire carried it, so it can be
//!   sent back byte for byte.
//! * [`open_enum!`] and [`open_int_enum!`]: forward-compatible enums that keep values this
//!   client does not know yet instead of failing to parse the whole response.
//! * [`validate`]: client-side request validation whose errors name the JSON path of the field.
//! * [`error`]: the [`Error`] type every generated operation returns.
//! * [`call`]: one call of an operation ([`Call`]): per-call options (timeout, retry policy,
//!   headers, idempotency key), the response's metadata ([`Response`]: status, headers,
//!   request id), and the order in which a call does things, once per call and once per
//!   attempt.
//! * [`rate_limit`]: [`RateLimit`], a response's rate-limit headers (`RateLimit-*`,
//!   `X-RateLimit-*`, `Retry-After`) as numbers and durations.
//! * [`client`]: what every generated OpenAPI client shares: the builder's settings and
//!   credentials, the state each request reads, and the per-operation table.
//! * [`transport`]: HTTP client construction, bounded retries of retry-safe requests and a
//!   concurrency limit.
//! * [`endpoint`]: where requests may go: base URLs checked (HTTPS except on loopback, no
//!   credentials in the URL), and redirects never followed, so no request body (card
//!   numbers, an authentication key) is ever re-sent to a host the user did not configure.
//! * [`webhook`]: HMAC-SHA256 webhook signature verification in constant time.
//! * [`epoch`]: [`EpochMillis`], an exact millisecond Unix timestamp.
//! * [`mod@paginate`]: cursor pagination as a stream of items, with constant memory and a guard
//!   against servers that repeat a cursor.
//! * [`tagged`]: reading tagged unions by their tag, numbers kept exact.
//! * [`multipart`]: file parts (bytes, or a file streamed from disk) and the decoding of
//!   answers to multipart requests.
//!
//! None of this code panics on data received from the network.
#![deny(missing_docs)]

pub mod call;
pub mod client;
pub mod datetime;
pub mod dcs;
pub mod decimal;
pub mod endpoint;
pub mod epoch;
pub mod error;
pub mod json_text;
pub mod multipart;
pub mod nullable;
pub mod open_enum;
pub mod paginate;
pub mod rate_limit;
pub mod secret;
pub mod tagged;
pub mod transport;
pub mod validate;
pub mod webhook;

pub use call::{Call, CallOptions, Response, ResponseMeta, progenitor_response};
pub use datetime::DateTime;
pub use endpoint::BaseUrlError;
pub use epoch::EpochMillis;
pub use error::{DecodeError, Error, ErrorBody, from_progenitor, progenitor_error_response};
pub use futures_core::Stream;
pub use multipart::FilePart;
pub use nullable::Nullable;
pub use paginate::{Page, paginate};
pub use rate_limit::RateLimit;
pub use secret::{Secret, SecretString};
pub use transport::{ClientOptions, HttpClientBuilder, RetryPolicy, Transport};
pub use validate::{Validate, ValidationError, Validator, Violation};
pub use webhook::{HmacSha256Verifier, SignatureEncoding, WebhookError};

#[doc(hidden)]
pub use serde as __serde;
#[doc(hidden)]
pub use {bytes, http, progenitor_client, reqwest, rust_decimal, serde, serde_json};

/// The middleware crate whose `Middleware` a generated `ClientBuilder::middleware` takes.
pub use reqwest_middleware;
