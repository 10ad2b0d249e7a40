//! The Onecheckout simulator's error shape: `{"error": {"code", "message", "details"}}` (or
//! the bare `{"error": "<code>"}`), and how it answers the common faults.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use payspec_onecheckout::types::{
    ErrorCode, ErrorDetail, ErrorFieldIssue, ErrorResponse, ErrorValue, OrderStatus,
};

use crate::common::body::BodyFault;
use crate::common::clock::ClockFault;
use crate::common::errors::ErrorShape;

/// Onecheckout's error shape: `{"error": {"code", "message", "details"}}`, or the bare
/// `{"error": "<code>"}`.
pub(crate) enum Shape {}

pub(super) type Refusal = crate::common::errors::Refusal<Shape>;
pub(super) type Answer<T> = Result<T, Refusal>;

pub(super) fn detailed(
    status: StatusCode,
    code: ErrorCode,
    message: impl Into<String>,
    details: Vec<ErrorFieldIssue>,
) -> Refusal {
    Refusal::new(detailed_response(status, code, message, details))
}

pub(super) fn detailed_response(
    status: StatusCode,
    code: ErrorCode,
    message: impl Into<String>,
    details: Vec<ErrorFieldIssue>,
) -> Response {
    let body = ErrorResponse::new(ErrorValue::Detail(
        ErrorDetail::new(code)
            .with_message(message)
            .with_details(details),
    ));
    (status, Json(body)).into_response()
}

pub(super) fn bare(status: StatusCode, code: ErrorCode) -> Response {
    let body = ErrorResponse::new(ErrorValue::Code(code));
    (status, Json(body)).into_response()
}

pub(super) fn issue(field: &str, message: &str) -> ErrorFieldIssue {
    ErrorFieldIssue::new()
        .with_field(field)
        .with_issue(if field.is_empty() {
            message.to_owned()
        } else {
            format!("{field} {message}")
        })
}

pub(super) fn validation_error(details: Vec<ErrorFieldIssue>) -> Refusal {
    detailed(
        StatusCode::BAD_REQUEST,
        ErrorCode::ValidationError,
        "The request body contains invalid data.",
        details,
    )
}

pub(super) fn id_invalid(id: &str) -> Refusal {
    detailed(
        StatusCode::NOT_FOUND,
        ErrorCode::IdInvalid,
        format!("No order has the id {id:?}."),
        Vec::new(),
    )
}

pub(super) fn status_invalid(status: &OrderStatus, operation: &str) -> Refusal {
    detailed(
        StatusCode::BAD_REQUEST,
        ErrorCode::OrderStatusInvalid,
        format!(
            "The operation is not permitted for the order's current status: cannot {operation} \
             an order in status {status}."
        ),
        Vec::new(),
    )
}

impl ErrorShape for Shape {
    fn clock_fault(_: ClockFault) -> Response {
        validation_error(vec![issue(
            "X-Sandbox-Now",
            "must be an integer number of milliseconds since the Unix epoch",
        )])
        .into_response()
    }

    fn body_fault(fault: BodyFault) -> Response {
        let issues = match fault {
            BodyFault::Missing => vec![issue("body", "is required: a JSON object")],
            BodyFault::NotJson(e) => vec![issue("body", &format!("is not valid JSON: {e}"))],
            BodyFault::NotObject => vec![issue("body", "must be a JSON object")],
            BodyFault::Members(problems) => problems
                .iter()
                .map(|(path, problem)| issue(path, problem))
                .collect(),
            BodyFault::NotA { error, .. } => vec![issue("body", &format!("is invalid: {error}"))],
            BodyFault::Rules { error, .. } => error
                .violations
                .iter()
                .map(|v| issue(&v.path, &v.message))
                .collect(),
        };
        validation_error(issues).into_response()
    }
}
