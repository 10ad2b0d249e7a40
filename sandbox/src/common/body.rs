//! Reading JSON request bodies, the same steps in every simulator: blank bodies, JSON that does
//! not parse, a body that is not an object, members against the spec's schema, the typed value,
//! then the spec's rules ([`Validate`]). What goes wrong is a [`BodyFault`]; each simulator
//! answers it in its provider's error shape (its error type is `From<BodyFault>`).
//!
//! Bodies are capped by [`MAX_BODY_BYTES`] before they are read (larger ones are `413`).

use payspec_runtime::{Validate, ValidationError};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::schema::{Problem, Schemas};

/// The largest request body a simulator reads, unless a route says otherwise (larger ones are
/// `413`): 2 MiB, as the providers' servers allow.
pub(crate) const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// What is wrong with a JSON request body, in the order the readers check.
#[derive(Debug)]
pub(crate) enum BodyFault {
    /// Empty (or only whitespace) where the operation needs a body.
    Missing,
    /// Not JSON: the parser's error.
    NotJson(serde_json::Error),
    /// JSON, but not an object.
    NotObject,
    /// Members that break the spec's schema: each by its path, ordered by path.
    Members(Vec<Problem>),
    /// Not the expected type `what` (a schema or contract name): the parser's error.
    NotA {
        /// The name of the expected type.
        what: &'static str,
        /// The parser's error.
        error: serde_json::Error,
    },
    /// Breaks the spec's rules (the generated [`Validate`]) of the component `schema`.
    Rules {
        /// The component schema the body was read as.
        schema: &'static str,
        /// The rules it breaks.
        error: ValidationError,
    },
}

/// Whether a body is empty or only whitespace.
pub(crate) fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// A JSON object body (a blank one is `{}`), its members as sent.
pub(crate) fn object(body: &[u8]) -> Result<Map<String, Value>, BodyFault> {
    if is_blank(body) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(body).map_err(BodyFault::NotJson)? {
        Value::Object(members) => Ok(members),
        _ => Err(BodyFault::NotObject),
    }
}

/// A body read straight into `T`, a type named `what`: a fault is the parser's message about
/// `T` (a blank body is refused the same way).
pub(crate) fn typed<T: DeserializeOwned>(body: &[u8], what: &'static str) -> Result<T, BodyFault> {
    serde_json::from_slice(body).map_err(|error| BodyFault::NotA { what, error })
}

/// `value` when it keeps the spec's rules of the component `schema`.
pub(crate) fn valid<T: Validate>(value: T, schema: &'static str) -> Result<T, BodyFault> {
    match value.validate() {
        Ok(()) => Ok(value),
        Err(error) => Err(BodyFault::Rules { schema, error }),
    }
}

/// A JSON object body read as the spec's component `schema`: its members checked against
/// `schemas` first (every fault by its path), then read into `T` exactly as sent (numbers kept
/// exact) and checked with the spec's rules. A blank body is `{}` when `blank_is_object`, else
/// [`BodyFault::Missing`].
pub(crate) fn checked<T>(
    body: &[u8],
    schemas: &Schemas,
    schema: &'static str,
    blank_is_object: bool,
) -> Result<T, BodyFault>
where
    T: DeserializeOwned + Validate,
{
    let text: &[u8] = match (is_blank(body), blank_is_object) {
        (false, _) => body,
        (true, true) => b"{}",
        (true, false) => return Err(BodyFault::Missing),
    };
    let value: Value = serde_json::from_slice(text).map_err(BodyFault::NotJson)?;
    if !value.is_object() {
        return Err(BodyFault::NotObject);
    }
    let problems = schemas.check(schema, &value);
    if !problems.is_empty() {
        return Err(BodyFault::Members(problems));
    }
    // The members were checked against the spec; a failure here is a case those checks do not
    // know.
    valid(typed(text, schema)?, schema)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_and_their_faults() {
        assert_eq!(object(b"  ").map(|m| m.len()).ok(), Some(0));
        assert!(matches!(object(b"[1]"), Err(BodyFault::NotObject)));
        assert!(matches!(object(b"{"), Err(BodyFault::NotJson(_))));
        assert_eq!(object(br#"{"a": 1}"#).map(|m| m.len()).ok(), Some(1));
        let fault = typed::<u8>(b"\"x\"", "Byte").err();
        assert!(matches!(fault, Some(BodyFault::NotA { what: "Byte", .. })));
    }
}
