//! A wrapper for credentials and sensitive values.
//!
//! [`Secret`] keeps its value out of `Debug` output (it has no `Display` at all), and
//! overwrites the value's memory when dropped. Serialization is transparent: a secret body
//! field such as a card number is sent exactly as the wrapped value would be.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroize;

/// A sensitive value: redacted in `Debug`, zeroized on drop, serialized as the plain value.
///
/// Read the value with [`Secret::expose`], and only where it is actually needed.
///
/// Equality compares the values directly and is not constant-time; do not use it to check
/// credentials supplied by an untrusted party.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret<T: Zeroize>(T);

/// A secret string, such as an API key or a card number.
pub type SecretString = Secret<String>;

impl<T: Zeroize> Secret<T> {
    /// Wraps `value`.
    pub fn new(value: T) -> Self {
        Secret(value)
    }

    /// Gives access to the wrapped value.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T: Zeroize> Drop for Secret<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

impl<T: Zeroize> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Secret(value)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl<T: Zeroize + Serialize> Serialize for Secret<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: Zeroize + Deserialize<'de>> Deserialize<'de> for Secret<T> {
    /// Reads the plain value. When it does not parse, the error says so without the value:
    /// serde's own messages quote the offending value (`invalid type: integer
    /// `4111111111111111`, expected a string`), and error messages end up in logs.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Secret).map_err(|_| {
            serde::de::Error::custom(format_args!(
                "invalid value for a secret {} (the value is not shown)",
                std::any::type_name::<T>()
                    .rsplit("::")
                    .next()
                    .unwrap_or_default()
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = SecretString::from("sk_live_123");
        assert_eq!(format!("{s:?}"), "Secret([REDACTED])");
        assert_eq!(format!("{s:#?}"), "Secret([REDACTED])");
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            key: SecretString,
        }
        let h = Holder { key: s };
        assert!(!format!("{h:?}").contains("sk_live"));
    }

    #[test]
    fn expose_and_equality() {
        let a = Secret::new(String::from("4111111111111111"));
        let b: SecretString = "4111111111111111".into();
        assert_eq!(a.expose(), "4111111111111111");
        assert_eq!(a, b);
        assert_ne!(a, SecretString::from("4000000000000002"));
        let c = a.clone();
        drop(a);
        assert_eq!(c.expose(), "4111111111111111");
    }

    #[test]
    fn serde_is_transparent() {
        #[derive(Serialize, Deserialize, Debug, PartialEq)]
        struct Card {
            number: SecretString,
            cvc: Option<SecretString>,
        }
        let card = Card {
            number: "4111111111111111".into(),
            cvc: Some("123".into()),
        };
        let json = serde_json::to_string(&card).unwrap();
        assert_eq!(json, r#"{"number":"4111111111111111","cvc":"123"}"#);
        let back: Card = serde_json::from_str(&json).unwrap();
        assert_eq!(back, card);
        let bytes: Secret<Vec<u8>> = serde_json::from_str("[1,2,3]").unwrap();
        assert_eq!(bytes.expose(), &vec![1u8, 2, 3]);
    }

    #[test]
    fn decode_errors_do_not_quote_the_value() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Card {
            number: SecretString,
        }
        for body in [
            r#"{"number":4111111111111111}"#,
            r#"{"number":[4111111111111111]}"#,
            r#"{"number":{"4111111111111111":1}}"#,
            r#"{"number":true}"#,
        ] {
            let e = serde_json::from_str::<Card>(body).unwrap_err().to_string();
            assert!(!e.contains("4111"), "{e}");
            assert!(
                e.starts_with("invalid value for a secret String (the value is not shown)"),
                "{e}"
            );
        }
        // Without the wrapper serde_json would have quoted it: the test above means something.
        let plain = serde_json::from_str::<String>("4111111111111111").unwrap_err();
        assert!(plain.to_string().contains("4111111111111111"), "{plain}");
    }
}
