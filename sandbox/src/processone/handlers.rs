//! The ProcessOne simulator's axum handlers: the request and answer formats (JSON or XML), the
//! dispatch of `POST /api/<Area>/<Operation>` to the operations, and the sandbox-only routes.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use payspec_processone::ResponseCode;
use payspec_runtime::dcs::DataContract;
use serde_json::Value;

use crate::common::headers::{header_text, media_type};

use super::contracts::{Coded, Cx, RequestContract, coded_only};
use super::errors::{Fail, Plain, definition, plain};
use super::state::{Shared, State};
use super::{CLOCK, TEST_AUTHENTICATION_KEY, ops};

// ---- formats ------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Format {
    Json,
    Xml,
}

impl Format {
    pub(super) fn name(self) -> &'static str {
        match self {
            Format::Json => "JSON",
            Format::Xml => "XML",
        }
    }

    pub(super) fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json; charset=utf-8",
            Format::Xml => "application/xml; charset=utf-8",
        }
    }

    /// Reads a contract in this format.
    pub(super) fn read<T: DataContract>(self, body: &[u8]) -> Result<T, String> {
        match self {
            Format::Json => T::from_json(body).map_err(|e| e.to_string()),
            Format::Xml => T::from_xml(body).map_err(|e| e.to_string()),
        }
    }

    /// Writes a contract in this format.
    pub(super) fn write<T: DataContract>(self, contract: &T) -> Result<Vec<u8>, String> {
        match self {
            Format::Json => contract.to_json().map_err(|e| e.to_string()),
            Format::Xml => contract.to_xml().map_err(|e| e.to_string()),
        }
    }

    /// The format a media type names, if any.
    pub(super) fn of_media_type(media: &str) -> Option<Format> {
        let media = media.trim().to_ascii_lowercase();
        if media == "application/xml" || media == "text/xml" || media.ends_with("+xml") {
            Some(Format::Xml)
        } else if media.contains("json") {
            Some(Format::Json)
        } else {
            None
        }
    }
}

/// The request's format: XML for an XML `Content-Type`, else JSON.
pub(super) fn input_format(headers: &HeaderMap) -> Format {
    media_type(headers)
        .as_deref()
        .and_then(Format::of_media_type)
        .unwrap_or(Format::Json)
}

/// The answer's format: the acceptable range of `Accept` with the highest `q` that names JSON
/// or XML (the first on a tie), else `input`.
pub(super) fn output_format(headers: &HeaderMap, input: Format) -> Format {
    let Some(accept) = header_text(headers, header::ACCEPT.as_str()) else {
        return input;
    };
    let mut best: Option<(u32, Format)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let Some(format) = parts.next().and_then(Format::of_media_type) else {
            continue;
        };
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .next()
            .map_or(1000, quality);
        if q > 0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, format));
        }
    }
    best.map_or(input, |(_, f)| f)
}

/// A `q` value in thousandths (`0.5` → 500); 0 when it does not parse.
pub(super) fn quality(text: &str) -> u32 {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let whole: u32 = match whole {
        "0" => 0,
        "1" => 1000,
        _ => return 0,
    };
    let digits: String = fraction.chars().take(3).collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return 0;
    }
    let fraction = format!("{digits:0<3}").parse::<u32>().unwrap_or(0);
    (whole + fraction).min(1000)
}

// ---- serving ------------------------------------------------------------------------------------

pub(super) type Operation<Rq, Rs> = fn(&mut State, &Cx, Rq) -> Result<Rs, Fail>;

/// One request being served.
pub(super) struct Call<'a> {
    pub(super) shared: &'a Shared,
    pub(super) cx: Cx,
    pub(super) input: Format,
    pub(super) output: Format,
    pub(super) body: &'a [u8],
}

impl Call<'_> {
    pub(super) fn run<Rq: RequestContract, Rs: Coded>(
        &self,
        operation: Operation<Rq, Rs>,
    ) -> Response {
        let mut request = match self.input.read::<Rq>(self.body) {
            Ok(request) => request,
            Err(e) => {
                return plain(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "The request body is not a {} in {}: {e}",
                        Rq::QUALIFIED_NAME,
                        self.input.name()
                    ),
                );
            }
        };
        if self.input == Format::Json
            && let Ok(raw) = serde_json::from_slice::<Value>(self.body)
        {
            request.json_defaults(&raw);
        }
        let problems = request.problems();
        if !problems.is_empty() {
            return plain(
                StatusCode::BAD_REQUEST,
                format!(
                    "The request body is not a valid {}: {}",
                    Rq::QUALIFIED_NAME,
                    problems.join("; ")
                ),
            );
        }
        let authenticated = request
            .key()
            .is_some_and(|k| k.expose() == TEST_AUTHENTICATION_KEY);
        let response = if authenticated {
            let mut state = self.shared.state.lock();
            operation(&mut state, &self.cx, request)
                .unwrap_or_else(|f| coded_only::<Rs>(&f.code, &f.message))
        } else {
            let code = ResponseCode::InvalidAuthenticationKey;
            coded_only::<Rs>(&code, definition(&code))
        };
        self.encode(&response)
    }

    pub(super) fn encode<Rs: Coded>(&self, response: &Rs) -> Response {
        let error = match self.output.write(response) {
            Ok(bytes) => return self.ok(bytes),
            Err(e) => e,
        };
        // A value of the request that the answer's format cannot carry (a character XML
        // forbids, say): the provider's generic error instead.
        let fallback = coded_only::<Rs>(
            &ResponseCode::GatewayInternalError,
            &format!(
                "The response cannot be written in {}: {error}",
                self.output.name()
            ),
        );
        match self.output.write(&fallback) {
            Ok(bytes) => self.ok(bytes),
            Err(e) => plain(
                StatusCode::BAD_REQUEST,
                format!("The response cannot be written: {e}"),
            ),
        }
    }

    pub(super) fn ok(&self, bytes: Vec<u8>) -> Response {
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, self.output.content_type())],
            bytes,
        )
            .into_response()
    }
}

pub(super) async fn api(
    AxumState(shared): AxumState<Arc<Shared>>,
    Path((area, operation)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now_ms = match CLOCK.now_millis(&headers) {
        Ok(now_ms) => now_ms,
        Err(fault) => return Plain::from(fault).into_response(),
    };
    let input = input_format(&headers);
    let output = output_format(&headers, input);
    let call = Call {
        shared: &shared,
        cx: Cx {
            now_ms,
            xml: output == Format::Xml,
        },
        input,
        output,
        body: &body,
    };
    let area = area.to_ascii_lowercase();
    let operation = operation.to_ascii_lowercase();
    match (area.as_str(), operation.as_str()) {
        ("paymenttoken", "getinfo") => call.run(ops::token_info),
        ("paymenttoken", "gettokeninfobatch") => call.run(ops::token_info_batch),
        ("paymenttoken", "remove") => call.run(ops::remove_token),
        ("creditcard", "save") => call.run(ops::save_card),
        ("creditcard", "update") => call.run(ops::update_card),
        ("creditcard", "charge") => call.run(ops::charge_card),
        ("creditcard", "void") => call.run(ops::void_card),
        ("creditcard", "refund") => call.run(ops::refund_card),
        ("creditcard", "verify") => call.run(ops::verify_card),
        ("creditcard", "getcarddata") => call.run(ops::card_data),
        ("creditcard", "getconveniencefee") => call.run(ops::card_fee_quote),
        ("creditcard", "getacceptedcardtypes") => call.run(ops::accepted_card_types),
        ("creditcard", "getcardupdates") => call.run(ops::card_updates),
        ("healthstatus", "check") => call.run(ops::health),
        ("transaction", "gettransactionbyid") => call.run(ops::transaction_by_id),
        ("transaction", "gettransactionbycallbackid") => call.run(ops::transaction_by_callback_id),
        ("transaction", "gettransactionsbybatchid") => call.run(ops::transactions_by_batch),
        ("transaction", "gettransactionsbytype") => call.run(ops::transactions_by_type),
        ("transaction", "updatetransactionmetadata") => call.run(ops::update_metadata),
        ("transaction", "gettransactionsbycustomerandclientrefdata") => {
            call.run(ops::transactions_by_customer)
        }
        ("eft", "save") => call.run(ops::save_eft),
        ("eft", "credit") => call.run(ops::credit_eft),
        ("eft", "debit") => call.run(ops::debit_eft),
        ("eft", "void") => call.run(ops::void_eft),
        ("eft", "refund") => call.run(ops::refund_eft),
        ("eft", "verifybankaccount") => call.run(ops::verify_bank_account),
        ("eft", "getbankdata") => call.run(ops::bank_data),
        ("eft", "getconveniencefee") => call.run(ops::eft_fee_quote),
        _ => not_found().await,
    }
}

pub(super) async fn close_batch(AxumState(shared): AxumState<Arc<Shared>>) -> Response {
    let (batch, count) = shared.state.lock().close_batch();
    axum::Json(serde_json::json!({"batchNumber": batch, "transactions": count})).into_response()
}

pub(super) async fn not_found() -> Response {
    plain(
        StatusCode::NOT_FOUND,
        "No HTTP resource was found that matches the request URI.".to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn formats_follow_content_type_and_accept() {
        let xml = headers(&[("content-type", "text/xml; charset=utf-8")]);
        assert_eq!(input_format(&xml), Format::Xml);
        assert_eq!(output_format(&xml, Format::Xml), Format::Xml);
        assert_eq!(input_format(&headers(&[])), Format::Json);
        let accept = headers(&[("accept", "application/xml;q=0.5, application/json")]);
        assert_eq!(output_format(&accept, Format::Xml), Format::Json);
        let accept = headers(&[("accept", "application/json;q=0.2, text/xml;q=0.9")]);
        assert_eq!(output_format(&accept, Format::Json), Format::Xml);
        let accept = headers(&[("accept", "*/*")]);
        assert_eq!(output_format(&accept, Format::Xml), Format::Xml);
        let accept = headers(&[("accept", "application/json;q=0")]);
        assert_eq!(output_format(&accept, Format::Xml), Format::Xml);
        assert_eq!(quality("0.5"), 500);
        assert_eq!(quality("1"), 1000);
        assert_eq!(quality("0.125"), 125);
        assert_eq!(quality("x"), 0);
    }
}
