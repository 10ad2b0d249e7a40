//! The 1-CP simulator's error shape: `{"message", "errors": [{"path", "message"}]}` with
//! its status (the spec documents none), and the adapter from the common faults.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::common::body::BodyFault;
use crate::common::clock::ClockFault;

/// An error answer: `status` with `{"message", "errors"}` (see the module docs).
#[derive(Debug, Serialize)]
pub(super) struct ApiError {
    #[serde(skip)]
    pub(super) status: StatusCode,
    pub(super) message: String,
    pub(super) errors: Vec<ErrorDetail>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self)).into_response()
    }
}

#[derive(Debug, Serialize)]
pub(super) struct ErrorDetail {
    pub(super) path: String,
    pub(super) message: String,
}

pub(super) fn detail(path: impl Into<String>, message: impl Into<String>) -> ErrorDetail {
    ErrorDetail {
        path: path.into(),
        message: message.into(),
    }
}

pub(super) fn error(
    status: StatusCode,
    message: impl Into<String>,
    errors: Vec<ErrorDetail>,
) -> ApiError {
    ApiError {
        status,
        message: message.into(),
        errors,
    }
}

/// A 400 listing `errors`, its message their summary.
pub(super) fn invalid(errors: Vec<ErrorDetail>) -> ApiError {
    let summary: Vec<String> = errors
        .iter()
        .map(|e| {
            if e.path.is_empty() {
                e.message.clone()
            } else {
                format!("{}: {}", e.path, e.message)
            }
        })
        .collect();
    error(
        StatusCode::BAD_REQUEST,
        format!("invalid request: {}", summary.join("; ")),
        errors,
    )
}

/// A 400 listing the spec's rules `e` breaks.
pub(super) fn violations(e: payspec_runtime::ValidationError) -> ApiError {
    invalid(
        e.violations
            .into_iter()
            .map(|v| detail(v.path, v.message))
            .collect(),
    )
}

impl From<ClockFault> for ApiError {
    fn from(fault: ClockFault) -> Self {
        invalid(vec![detail("X-Sandbox-Now", fault.why)])
    }
}

impl From<BodyFault> for ApiError {
    fn from(fault: BodyFault) -> Self {
        let unreadable = |message: String, e: serde_json::Error| {
            error(
                StatusCode::BAD_REQUEST,
                message,
                vec![detail("", e.to_string())],
            )
        };
        match fault {
            BodyFault::Missing => invalid(vec![detail("", "a JSON body is required")]),
            BodyFault::NotJson(e) => unreadable("the body is not JSON".to_owned(), e),
            BodyFault::NotObject => invalid(vec![detail("", "the body must be a JSON object")]),
            BodyFault::Members(problems) => invalid(
                problems
                    .into_iter()
                    .map(|(path, message)| detail(path, message))
                    .collect(),
            ),
            BodyFault::NotA { what, error } => {
                unreadable(format!("the body is not a {what}"), error)
            }
            BodyFault::Rules { error, .. } => violations(error),
        }
    }
}

pub(super) fn not_found(id: &str) -> ApiError {
    error(
        StatusCode::NOT_FOUND,
        format!("no transaction with id {:?}", shorten(id)),
        Vec::new(),
    )
}

/// Request text quoted back in a message, cut to a readable length.
pub(super) fn shorten(text: &str) -> String {
    const SHOWN: usize = 64;
    let mut shown: String = text.chars().take(SHOWN).collect();
    if text.chars().nth(SHOWN).is_some() {
        shown.push_str("...");
    }
    shown
}

pub(super) fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    error(
        e.status(),
        "the multipart body could not be read",
        vec![detail("", e.body_text())],
    )
}

pub(super) fn already_cancelled(message: &str) -> ApiError {
    invalid(vec![detail("itemsOrder", message)])
}
