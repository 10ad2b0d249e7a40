//! Reading tagged unions (`oneOf` with a `discriminator`) by their tag.
//!
//! serde's internally tagged enums buffer the object in a private representation that loses
//! the exact text of numbers (money must stay exact), and typify makes such unions untagged
//! (tried member by member). Generated unions instead read the object as a
//! [`serde_json::Value`] (numbers keep their text with `arbitrary_precision`), take the tag out
//! with [`split`], and decode the member the tag names.

use serde::Deserializer;
use serde::de::Error as _;

/// Reads an object and removes its string member `tag`: the tag value and the rest of the
/// object. Fails (naming `tag`) on a non-object, or on a missing or non-string tag.
pub fn split<'de, D: Deserializer<'de>>(
    deserializer: D,
    tag: &str,
) -> Result<(String, serde_json::Value), D::Error> {
    let mut value: serde_json::Value = serde::Deserialize::deserialize(deserializer)?;
    let Some(object) = value.as_object_mut() else {
        return Err(D::Error::custom(format!(
            "expected an object with a `{tag}` member"
        )));
    };
    match object.remove(tag) {
        Some(serde_json::Value::String(t)) => Ok((t, value)),
        Some(_) => Err(D::Error::custom(format!("`{tag}` must be a string"))),
        None => Err(D::Error::custom(format!("missing `{tag}`"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Result<(String, serde_json::Value), serde_json::Error> {
        let mut d = serde_json::Deserializer::from_str(text);
        split(&mut d, "type")
    }

    #[test]
    fn splits_off_the_tag_and_keeps_number_text() {
        let (tag, rest) = run(r#"{"value": {"amount": 10.50}, "type": "DATE_PENALTY"}"#).unwrap();
        assert_eq!(tag, "DATE_PENALTY");
        assert_eq!(rest.to_string(), r#"{"value":{"amount":10.50}}"#);
    }

    #[test]
    fn refuses_what_is_not_a_tagged_object() {
        for (text, expected) in [
            ("[]", "expected an object with a `type` member"),
            (r#"{"a": 1}"#, "missing `type`"),
            (r#"{"type": 1}"#, "`type` must be a string"),
        ] {
            let e = run(text).unwrap_err().to_string();
            assert!(e.contains(expected), "{text}: {e}");
        }
    }
}
