//! Error answers. Every simulator answers in its provider's documented error shape, and the
//! faults the common readers find ([`ClockFault`], [`BodyFault`]) are turned into that shape by
//! `From`, so a handler reads `let now = CLOCK.now_millis(&headers)?;` and the provider only
//! states the shape:
//!
//! - a simulator whose errors are whole responses returns [`Refusal<S>`], where `S` implements
//!   [`ErrorShape`] (how the provider answers each common fault);
//! - a simulator with an error type of its own implements `From<ClockFault>` (and, for a JSON
//!   API, `From<BodyFault>`) for it.

use std::marker::PhantomData;

use axum::response::{IntoResponse, Response};

use super::body::BodyFault;
use super::clock::ClockFault;

/// How a provider answers the faults the common readers find, in its documented error shape.
pub(crate) trait ErrorShape {
    /// The answer to a sandbox clock header that holds no instant in the provider's format.
    fn clock_fault(fault: ClockFault) -> Response;

    /// The answer to a JSON request body the readers refuse.
    fn body_fault(fault: BodyFault) -> Response;
}

/// An error answer of the provider whose shape is `S`, already built as a response, boxed (a
/// `Response` is large and errors are the rare path).
pub(crate) struct Refusal<S>(Box<Response>, PhantomData<fn() -> S>);

impl<S> Refusal<S> {
    /// The answer `response`.
    pub(crate) fn new(response: Response) -> Self {
        Refusal(Box::new(response), PhantomData)
    }

    /// The answer's status.
    #[cfg(test)]
    pub(crate) fn status(&self) -> axum::http::StatusCode {
        self.0.status()
    }
}

impl<S> IntoResponse for Refusal<S> {
    fn into_response(self) -> Response {
        *self.0
    }
}

impl<S: ErrorShape> From<ClockFault> for Refusal<S> {
    fn from(fault: ClockFault) -> Self {
        Refusal::new(S::clock_fault(fault))
    }
}

impl<S: ErrorShape> From<BodyFault> for Refusal<S> {
    fn from(fault: BodyFault) -> Self {
        Refusal::new(S::body_fault(fault))
    }
}
