//! The exact text of a JSON value, as serde_json read it, without changing serde_json for the
//! rest of the program.
//!
//! serde_json reads a number into an `f64` before a visitor sees it (`10.50` arrives as
//! `10.5`), unless its `arbitrary_precision` feature is on; and a Cargo feature is on for every
//! crate of a program once one dependency asks for it, which would change how the user's own
//! types read numbers. So the runtime asks serde_json for the value's raw text instead, the way
//! `serde_json::value::RawValue` does (the additive `raw_value` feature), and parses that text
//! itself.
//!
//! Only serde_json's own reader has the text. A value that serde buffered first (inside an
//! untagged enum or a flattened struct) or a `serde_json::Value` has a number already read, so
//! these helpers fall back to what that representation kept.

use std::fmt;

use serde::Deserializer;
use serde::de::{self, MapAccess, Visitor};

/// The newtype name serde_json's reader (with `raw_value`) answers with the value's raw text,
/// as a one-entry map from this same key.
pub(crate) const RAW_TOKEN: &str = "$serde_json::private::RawValue";

/// The map key serde_json with `arbitrary_precision` (if the user's program turns it on) uses to
/// hand a number's text to a `deserialize_any` visitor.
pub(crate) const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// Reads the next value as its JSON text: exactly as written when `deserializer` is serde_json's
/// reader, and re-written from a `serde_json::Value` otherwise (numbers as that representation
/// kept them).
pub fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    deserializer.deserialize_newtype_struct(RAW_TOKEN, TextVisitor)
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<String, A::Error> {
        // serde_json's reader: the raw text under the token. Anything else is a real map, which
        // cannot be told apart from here once its first key is read: refuse it, naming why.
        match map.next_key::<String>()? {
            Some(key) if key == RAW_TOKEN => map.next_value(),
            _ => Err(de::Error::custom(
                "the JSON text of a value can only be read from serde_json's reader",
            )),
        }
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        // Not serde_json's reader (serde's buffered content, say): go through a Value.
        let value: serde_json::Value = serde::Deserialize::deserialize(d)?;
        Ok(value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reader_hands_over_the_text_as_written() {
        for json in [
            "10.50",
            "79228162514264337593543950335",
            r#""x\"y""#,
            r#"{"a": 1.0e3}"#,
        ] {
            let mut d = serde_json::Deserializer::from_str(json);
            assert_eq!(text(&mut d).unwrap(), json);
        }
        // From a reader too (owned text).
        let mut d = serde_json::Deserializer::from_reader(&b"[0.10, 2]"[..]);
        assert_eq!(text(&mut d).unwrap(), "[0.10, 2]");
    }

    #[test]
    fn a_value_is_written_back() {
        let v = serde_json::json!({"a": 1});
        assert_eq!(text(v).unwrap(), r#"{"a":1}"#);
    }
}
