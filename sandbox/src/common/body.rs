//! Reading JSON request bodies, the same steps in every simulator: blank bodies, JSON that does
//! not parse, a body that is not an object, members against the spec's schema, the typed value,
//! then the spec's rules ([`Validate`]). What goes wrong is a [`BodyFault`]; each simulator
//! answers it in its provider's error shape (its error type is `From<BodyFault>`).
//!
//! Bodies are capped by [`MAX_BODY_BYTES`] before they are read (larger ones are `413`).

use payspec_runtime::{Validate, ValidationError};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
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

/// A body as a [`Value`], for the checks that look at its members. A `Value` cannot hold a
/// number beyond `f64`'s range (`1e400`: serde_json's `arbitrary_precision`, which would allow
/// it, is a feature no crate of ours switches on), so such a number is kept as its text, in a
/// string: the member checks then name that member instead of refusing the whole body as not
/// JSON. The typed value is always read from the body itself, never from this `Value`.
pub(crate) fn json_value(body: &[u8]) -> Result<Value, serde_json::Error> {
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => Ok(value),
        Err(error) => match serde_json::from_slice::<&RawValue>(body) {
            Ok(raw) => lenient(raw).map_err(|_| error),
            // Not JSON at all: the first parser's message.
            Err(_) => Err(error),
        },
    }
}

/// A syntactically valid JSON value, with every number `Value` cannot hold kept as text.
fn lenient(raw: &RawValue) -> Result<Value, serde_json::Error> {
    let text = raw.get().trim_start();
    match text.as_bytes().first() {
        Some(b'{') => {
            let members: Vec<(String, &RawValue)> = serde_json::from_str::<RawMembers>(text)?.0;
            let mut map = Map::new();
            for (key, value) in members {
                map.insert(key, lenient(value)?);
            }
            Ok(Value::Object(map))
        }
        Some(b'[') => serde_json::from_str::<Vec<&RawValue>>(text)?
            .into_iter()
            .map(lenient)
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        Some(b'-' | b'0'..=b'9') => {
            Ok(serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string())))
        }
        _ => serde_json::from_str(text),
    }
}

/// An object's members in order, each as its raw text (a later duplicate wins, as in `Value`).
struct RawMembers<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for RawMembers<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Members<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Members<'a> {
            type Value = RawMembers<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawMembers<'a>, A::Error> {
                let mut members = Vec::new();
                while let Some(entry) = map.next_entry::<String, &'a RawValue>()? {
                    members.push(entry);
                }
                Ok(RawMembers(members))
            }
        }
        d.deserialize_map(Members(std::marker::PhantomData))
    }
}

/// A JSON object body (a blank one is `{}`), its members as sent.
pub(crate) fn object(body: &[u8]) -> Result<Map<String, Value>, BodyFault> {
    if is_blank(body) {
        return Ok(Map::new());
    }
    match json_value(body).map_err(BodyFault::NotJson)? {
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
    let value = json_value(text).map_err(BodyFault::NotJson)?;
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
        // A number no `Value` holds is kept as its text, at its place (or, in a build where
        // something turned on serde_json's `arbitrary_precision`, as that number).
        let members = object(br#"{"a": [1e400, {"b": -2e999}], "c": 2}"#).unwrap();
        // (`arbitrary_precision` writes `1e400` back as `1e+400`.)
        let text = |v: &Value| v.to_string().trim_matches('"').replace('+', "");
        assert_eq!(text(&members["a"][0]), "1e400");
        assert_eq!(text(&members["a"][1]["b"]), "-2e999");
        assert_eq!(members["c"], 2);
        assert!(matches!(
            object(br#"{"a": 1e400"#),
            Err(BodyFault::NotJson(_))
        ));
        let fault = typed::<u8>(b"\"x\"", "Byte").err();
        assert!(matches!(fault, Some(BodyFault::NotA { what: "Byte", .. })));
    }
}
