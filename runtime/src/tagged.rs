//! Reading tagged unions (`oneOf` with a `discriminator`) by their tag.
//!
//! serde's internally tagged enums buffer the object in a private representation that reads
//! numbers as `f64` (money must stay exact), and typify makes such unions untagged (tried
//! member by member). Generated unions instead take the object's JSON text as serde_json read
//! it ([`crate::json_text`]), find the tag in it with [`split`], and decode the member the tag
//! names from that same text, so its numbers keep every digit.

use std::fmt;

use serde::Deserializer;
use serde::de::{self, Error as _, IgnoredAny, MapAccess, Visitor};

/// Reads an object: its string member `tag`, and the object's JSON text (the tag included) to
/// decode the member with. Fails (naming `tag`) on a non-object, or on a missing or non-string
/// tag.
pub fn split<'de, D: Deserializer<'de>>(
    deserializer: D,
    tag: &str,
) -> Result<(String, String), D::Error> {
    let text = crate::json_text::text(deserializer)?;
    let mut reader = serde_json::Deserializer::from_str(&text);
    let found = de::Deserializer::deserialize_any(&mut reader, TagVisitor { tag })
        .map_err(D::Error::custom)?;
    match found {
        Found::NotAnObject => Err(D::Error::custom(format!(
            "expected an object with a `{tag}` member"
        ))),
        Found::Missing => Err(D::Error::custom(format!("missing `{tag}`"))),
        Found::NotAString => Err(D::Error::custom(format!("`{tag}` must be a string"))),
        Found::Tag(t) => Ok((t, text)),
    }
}

enum Found {
    NotAnObject,
    Missing,
    NotAString,
    Tag(String),
}

/// Scans an object's members for `tag`, skipping the others without building them.
struct TagVisitor<'t> {
    tag: &'t str,
}

impl<'de> Visitor<'de> for TagVisitor<'_> {
    type Value = Found;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object with a `{}` member", self.tag)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found, A::Error> {
        let mut found = Found::Missing;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == crate::json_text::NUMBER_TOKEN {
                // A number, as serde_json with `arbitrary_precision` presents one.
                map.next_value::<IgnoredAny>()?;
                return Ok(Found::NotAnObject);
            }
            if key == self.tag && matches!(found, Found::Missing) {
                let value: serde_json::Value = map.next_value()?;
                found = match value {
                    serde_json::Value::String(t) => Found::Tag(t),
                    _ => Found::NotAString,
                };
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Found, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Found::NotAnObject)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Found, E> {
        Ok(Found::NotAnObject)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Found, E> {
        Ok(Found::NotAnObject)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Found, E> {
        Ok(Found::NotAnObject)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Found, E> {
        Ok(Found::NotAnObject)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Found, E> {
        Ok(Found::NotAnObject)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Found, E> {
        Ok(Found::NotAnObject)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Result<(String, String), serde_json::Error> {
        let mut d = serde_json::Deserializer::from_str(text);
        split(&mut d, "type")
    }

    #[test]
    fn splits_off_the_tag_and_keeps_number_text() {
        let json = r#"{"value": {"amount": 10.50}, "type": "DATE_PENALTY"}"#;
        let (tag, text) = run(json).unwrap();
        assert_eq!(tag, "DATE_PENALTY");
        assert_eq!(text, json);
    }

    #[test]
    fn refuses_what_is_not_a_tagged_object() {
        for (text, expected) in [
            ("[]", "expected an object with a `type` member"),
            (r#"{"a": 1}"#, "missing `type`"),
            (r#"{"type": 1}"#, "`type` must be a string"),
            ("12.5", "expected an object with a `type` member"),
        ] {
            let e = run(text).unwrap_err().to_string();
            assert!(e.contains(expected), "{text}: {e}");
        }
    }
}
