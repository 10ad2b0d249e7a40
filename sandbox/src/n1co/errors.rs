//! The n1co simulator's error shape: RFC 7807 problem details, as ASP.NET writes them, and
//! how it answers the common faults.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use payspec_n1co::types::{OrderStatus, ProblemDetails};

use crate::common::body::BodyFault;
use crate::common::clock::ClockFault;
use crate::common::errors::ErrorShape;
use crate::schema::Problem;

use super::spec::keys_for;

/// n1co's error shape: RFC 7807 problem details, as ASP.NET writes them.
pub(crate) enum Shape {}

pub(super) type Refusal = crate::common::errors::Refusal<Shape>;
pub(super) type Answer<T> = Result<T, Refusal>;

/// The RFC 7231 / 7235 section of `status`, as ASP.NET writes the `type`.
pub(super) fn problem_type(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "https://tools.ietf.org/html/rfc7231#section-6.5.1",
        401 => "https://tools.ietf.org/html/rfc7235#section-3.1",
        402 => "https://tools.ietf.org/html/rfc7231#section-6.5.2",
        404 => "https://tools.ietf.org/html/rfc7231#section-6.5.4",
        405 => "https://tools.ietf.org/html/rfc7231#section-6.5.5",
        409 => "https://tools.ietf.org/html/rfc7231#section-6.5.8",
        410 => "https://tools.ietf.org/html/rfc7231#section-6.5.9",
        _ => "https://tools.ietf.org/html/rfc7231#section-6.6.1",
    }
}

pub(super) fn problem_response(
    status: StatusCode,
    title: &str,
    detail: Option<String>,
    errors: Option<BTreeMap<String, Vec<String>>>,
) -> Response {
    let mut body = ProblemDetails::new()
        .with_status(i32::from(status.as_u16()))
        .with_title(title)
        .with_type_(problem_type(status));
    body.detail = payspec_runtime::Nullable::absent_if_none(detail);
    body.errors = payspec_runtime::Nullable::absent_if_none(errors);
    (status, Json(body)).into_response()
}

pub(super) fn problem(status: StatusCode, title: &str, detail: impl Into<String>) -> Refusal {
    Refusal::new(problem_response(status, title, Some(detail.into()), None))
}

/// `400` with the `errors` map: each problem under its key(s), as sentences.
pub(super) fn validation(problems: Vec<Problem>) -> Refusal {
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, message) in problems {
        let list = errors.entry(key).or_default();
        if !list.contains(&message) {
            list.push(message);
        }
    }
    Refusal::new(problem_response(
        StatusCode::BAD_REQUEST,
        "One or more validation errors occurred.",
        None,
        Some(errors),
    ))
}

/// A problem at `key`, its message a sentence naming the field.
pub(super) fn at(key: &str, message: &str) -> Problem {
    let sentence = if key.is_empty() || key == "$" {
        capitalized(message)
    } else {
        format!("The field {key} {message}")
    };
    (key.to_owned(), finish_sentence(sentence))
}

pub(super) fn capitalized(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub(super) fn finish_sentence(mut text: String) -> String {
    if !text.ends_with('.') {
        text.push('.');
    }
    text
}

pub(super) fn not_found(code: &str) -> Refusal {
    let shown: String = code.chars().take(64).collect();
    problem(
        StatusCode::NOT_FOUND,
        "Not Found",
        format!("No order has the code {shown:?}."),
    )
}

pub(super) fn conflict(status: &OrderStatus, operation: &str) -> Refusal {
    problem(
        StatusCode::CONFLICT,
        "Conflict",
        format!("Cannot {operation} an order whose status is {status}."),
    )
}

impl ErrorShape for Shape {
    fn clock_fault(fault: ClockFault) -> Response {
        validation(vec![(
            "X-Sandbox-Now".to_owned(),
            format!(
                "The header X-Sandbox-Now {} (expected RFC 3339).",
                fault.why
            ),
        )])
        .into_response()
    }

    fn body_fault(fault: BodyFault) -> Response {
        let problems = match fault {
            BodyFault::Missing => vec![(
                String::new(),
                "A non-empty request body is required.".to_owned(),
            )],
            BodyFault::NotJson(e) => vec![at("$", &format!("the body is not valid JSON: {e}"))],
            BodyFault::NotObject => vec![at("$", "the body must be a JSON object")],
            BodyFault::Members(problems) => problems
                .iter()
                .map(|(path, message)| at(path, message))
                .collect(),
            BodyFault::NotA { error, .. } => {
                vec![at("$", &format!("the body is invalid: {error}"))]
            }
            BodyFault::Rules { schema, error } => error
                .violations
                .iter()
                .flat_map(|v| {
                    let keys = keys_for(schema, &v.path);
                    let whole_object = keys.first() != Some(&v.path);
                    keys.into_iter().map(move |key| {
                        if whole_object {
                            (
                                key,
                                finish_sentence(capitalized(&v.message.replace('`', ""))),
                            )
                        } else {
                            at(&key, &v.message)
                        }
                    })
                })
                .collect(),
        };
        validation(problems).into_response()
    }
}
