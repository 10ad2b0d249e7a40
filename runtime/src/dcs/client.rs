//! What every generated DataContract client shares: the body format ([`WireFormat`]) and one
//! call of an operation ([`DcsClient::call`]): encode the contract, POST it, read the answer,
//! decode it and let the generated code judge its outcome. The builder's settings are the same
//! [`ClientConfig`] the OpenAPI clients use, with the key as an [`Auth::Member`] scheme.
//!
//! Items here are public for the generated crates; users build clients through the generated
//! `ClientBuilder`.
//!
//! [`Auth::Member`]: crate::client::Auth::Member

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};

use super::DataContract;
use crate::call::{CallOptions, Response, ResponseMeta};
use crate::client::{ClientConfig, Operation};
use crate::endpoint::check_base_url;
use crate::error::{DecodeError, Error, MAX_RAW_BODY, redirect_error};
use crate::secret::SecretString;
use crate::transport::Transport;

/// The body format, chosen once per client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum WireFormat {
    /// `application/json` (Json.NET style).
    #[default]
    Json,
    /// `application/xml` (DataContractSerializer).
    Xml,
}

impl WireFormat {
    /// The `Content-Type` of a request body in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            WireFormat::Json => "application/json; charset=utf-8",
            WireFormat::Xml => "application/xml; charset=utf-8",
        }
    }

    /// The `Accept` of a request for an answer in this format.
    pub fn accept(self) -> &'static str {
        match self {
            WireFormat::Json => "application/json",
            WireFormat::Xml => "application/xml",
        }
    }

    /// Decodes a contract written in this format.
    pub fn decode<T: DataContract>(self, body: &[u8]) -> Result<T, DecodeError> {
        match self {
            WireFormat::Json => T::from_json(body).map_err(DecodeError::from),
            WireFormat::Xml => T::from_xml(body).map_err(DecodeError::from),
        }
    }

    /// Encodes a contract in this format.
    pub fn encode<T: DataContract>(self, value: &T) -> Result<Vec<u8>, String> {
        match self {
            WireFormat::Json => value.to_json().map_err(|e| e.to_string()),
            WireFormat::Xml => value.to_xml().map_err(|e| e.to_string()),
        }
    }
}

/// A built DataContract client: the HTTP client, the base URL (ending in `/`), the format, the
/// key and the transport (retries, in-flight limit). The generated `Client` holds one behind an `Arc`.
#[derive(Debug)]
pub struct DcsClient {
    http: reqwest::Client,
    base: reqwest::Url,
    format: WireFormat,
    key: SecretString,
    transport: Transport,
}

/// Why [`DcsClient::build`] failed (the generated `BuildError` names the credential).
///
/// Exhaustive on purpose: generated code maps each variant to its own `BuildError`, which is
/// the `#[non_exhaustive]` type users match on.
#[derive(Debug)]
pub enum DcsBuildError {
    /// The key was not given.
    MissingKey,
    /// The base URL was refused.
    InvalidBaseUrl(crate::BaseUrlError),
    /// The HTTP client could not be built.
    Http(reqwest::Error),
}

impl DcsClient {
    /// Builds the client from the builder's settings: checks the base URL (see
    /// [`crate::endpoint`]) and builds the HTTP client. The key is scheme number 0 of
    /// `config`, an [`Auth::Member`](crate::client::Auth::Member) scheme.
    pub fn build(config: ClientConfig, format: WireFormat) -> Result<DcsClient, DcsBuildError> {
        let key = config
            .credential(0)
            .cloned()
            .ok_or(DcsBuildError::MissingKey)?;
        let mut base = check_base_url(&config.base_url, config.options.allow_plain_http)
            .map_err(DcsBuildError::InvalidBaseUrl)?;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let http = config
            .options
            .http_client(config.http)
            .map_err(DcsBuildError::Http)?;
        let transport = Transport::new(&config.options).with_middleware(&http, config.middleware);
        Ok(DcsClient {
            http,
            base,
            format,
            key,
            transport,
        })
    }

    /// The body format.
    pub fn format(&self) -> WireFormat {
        self.format
    }

    /// The base URL (ending in `/`).
    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    /// The key, which each generated method puts into its request contract.
    pub fn key(&self) -> &SecretString {
        &self.key
    }

    /// Calls `operation` with the call's `options`: POSTs `request` to `path` (relative to
    /// the base URL) in the client's format, retrying transient failures only when the
    /// operation is safe to repeat, and decodes the 200 answer with its metadata. `outcome`
    /// judges a decoded answer: `Some(error)` turns it into [`Error::Api`] (it gets the raw
    /// body and the format, to keep for its caller).
    #[allow(clippy::result_large_err)] // the operations' own error type
    pub async fn call<Req, Resp, E>(
        &self,
        operation: &'static Operation,
        path: &'static str,
        request: &Req,
        outcome: impl FnOnce(&Resp, Bytes, WireFormat) -> Option<E>,
        options: CallOptions,
    ) -> Result<Response<Resp>, Error<E>>
    where
        Req: DataContract,
        Resp: DataContract,
    {
        // The key travels in the body: no header is the client's own but the ones no call
        // may set anywhere.
        let options = options.prepare(|_| false, operation.idempotency_header)?;
        let name = operation.id;
        let format = self.format;
        let body = format
            .encode(request)
            .map_err(|e| Error::Other(format!("{name}: the request cannot be encoded: {e}")))?;
        let url = self
            .base
            .join(path.trim_start_matches('/'))
            .map_err(|e| Error::Other(format!("{name}: {e}")))?;
        let http_request = self
            .http
            .post(url)
            .header(
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            )
            .header(header::ACCEPT, HeaderValue::from_static(format.accept()))
            .body(body)
            .build()
            .map_err(|e| Error::Other(format!("{name}: {}", e.without_url())))?;
        let response = options
            .send(
                &self.transport,
                &self.http,
                http_request,
                operation.retry_safe,
                operation.idempotency_header,
            )
            .await
            .map_err(send_error)?;
        let status = response.status();
        if let Some(redirect) = redirect_error(status, response.headers()) {
            return Err(redirect);
        }
        let mut response = response;
        let headers = std::mem::take(response.headers_mut());
        let request_id =
            || crate::error::request_id(&headers, operation.request_id_header).map(str::to_string);
        let body = response.bytes().await.map_err(network_error)?;
        if status != StatusCode::OK {
            let mut body = body;
            body.truncate(MAX_RAW_BODY);
            return Err(Error::UnexpectedResponse {
                status,
                request_id: request_id(),
                headers,
                body,
            });
        }
        let value: Resp = match format.decode(&body) {
            Ok(v) => v,
            Err(source) => {
                return Err(Error::Decode {
                    status: Some(status),
                    body,
                    source,
                });
            }
        };
        match outcome(&value, body, format) {
            None => Ok(Response::new(
                value,
                ResponseMeta::new(status, headers, operation.request_id_header, &options),
            )),
            Some(error) => Err(Error::Api {
                status,
                request_id: request_id(),
                headers,
                body: error,
            }),
        }
    }
}

/// A failure to send as the caller sees it: a middleware's error, or a network failure.
fn send_error<E>(e: reqwest_middleware::Error) -> Error<E> {
    match e {
        reqwest_middleware::Error::Reqwest(e) => network_error(e),
        reqwest_middleware::Error::Middleware(e) => Error::Middleware(e.into()),
    }
}

/// A network failure as the caller sees it: a timeout or a transport error, without the URL.
fn network_error<E>(e: reqwest::Error) -> Error<E> {
    let e = e.without_url();
    if e.is_timeout() {
        Error::Timeout(e)
    } else {
        Error::Transport(e)
    }
}
