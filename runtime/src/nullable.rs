//! [`Nullable`]: a member that may be absent, `null`, or a value, each sent and read as itself.
//!
//! JSON tells "not sent" from "sent as `null`", and APIs give the two different meanings: in a
//! partial update, an absent member is left as it is and a `null` one is cleared. An `Option`
//! has only two states, so a generated client uses `Nullable<T>` for every member that the spec
//! marks `nullable: true` and does not list in `required` (in requests and in responses alike).
//! A required nullable member is always sent, so it stays an `Option` (`None` is `null`).
//!
//! The field carries `#[serde(default, skip_serializing_if = "Nullable::is_absent")]`, so:
//!
//! | state           | written as       | read from        |
//! |-----------------|------------------|------------------|
//! | `Absent`        | (member omitted) | a missing member |
//! | `Null`          | `null`           | `null`           |
//! | `Value(v)`      | `v`              | any other value  |
//!
//! ```
//! use payspec_runtime::Nullable;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize, Default)]
//! struct Update {
//!     #[serde(default, skip_serializing_if = "Nullable::is_absent")]
//!     description: Nullable<String>,
//!     #[serde(default, skip_serializing_if = "Nullable::is_absent")]
//!     reference: Nullable<String>,
//! }
//!
//! let clear = Update { description: Nullable::Null, ..Update::default() };
//! assert_eq!(serde_json::to_string(&clear).unwrap(), r#"{"description":null}"#);
//!
//! let read: Update = serde_json::from_str(r#"{"description":null}"#).unwrap();
//! assert!(read.description.is_null());
//! assert!(read.reference.is_absent());
//! ```
//!
//! The generated types set it with `with_<member>(value)` (a value) and
//! `with_<member>_null()` (an explicit `null`), and read it with [`Nullable::value`]. There is
//! deliberately no `From<Option<T>>`: whether `None` means "leave it" or "clear it" is the
//! caller's choice, made with [`Nullable::absent_if_none`] or [`Nullable::null_if_none`].

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A member that is absent, explicitly `null`, or a value. See the [module docs](self).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Nullable<T> {
    /// Not sent, or not present in what was received.
    #[default]
    Absent,
    /// Sent, or received, as JSON `null`.
    Null,
    /// Sent, or received, as a value.
    Value(T),
}

impl<T> Nullable<T> {
    /// Whether the member is absent (the serde `skip_serializing_if` of a `Nullable` field).
    pub fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }

    /// Whether the member is an explicit `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Nullable::Null)
    }

    /// Whether the member holds a value.
    pub fn is_value(&self) -> bool {
        matches!(self, Nullable::Value(_))
    }

    /// The value, if there is one (`None` for both absent and `null`).
    pub fn value(&self) -> Option<&T> {
        match self {
            Nullable::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The value, if there is one, taken out (`None` for both absent and `null`).
    pub fn into_value(self) -> Option<T> {
        match self {
            Nullable::Value(v) => Some(v),
            _ => None,
        }
    }

    /// `Some(v)` as a value and `None` as absent (not sent): what an `Option` meant before a
    /// member became nullable.
    pub fn absent_if_none(value: Option<T>) -> Self {
        value.map_or(Nullable::Absent, Nullable::Value)
    }

    /// `Some(v)` as a value and `None` as an explicit `null` (sent, and clearing the member
    /// where the API reads `null` that way).
    pub fn null_if_none(value: Option<T>) -> Self {
        value.map_or(Nullable::Null, Nullable::Value)
    }

    /// The value dereferenced, if there is one: `Option<&str>` for a `Nullable<String>`, like
    /// [`Option::as_deref`] on [`value`](Self::value).
    pub fn as_deref(&self) -> Option<&T::Target>
    where
        T: std::ops::Deref,
    {
        self.value().map(|v| &**v)
    }

    /// A `Nullable` of a reference to the value, in the same state.
    pub fn as_ref(&self) -> Nullable<&T> {
        match self {
            Nullable::Absent => Nullable::Absent,
            Nullable::Null => Nullable::Null,
            Nullable::Value(v) => Nullable::Value(v),
        }
    }

    /// Maps the value with `f`, keeping absent and `null` as they are.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Nullable<U> {
        match self {
            Nullable::Absent => Nullable::Absent,
            Nullable::Null => Nullable::Null,
            Nullable::Value(v) => Nullable::Value(f(v)),
        }
    }
}

impl<T> From<T> for Nullable<T> {
    /// A value.
    fn from(value: T) -> Self {
        Nullable::Value(value)
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    /// A value as itself, and `null` as `null`. An absent member is skipped by the field's
    /// `skip_serializing_if`; written anywhere else (in an array, say), it is `null` too.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Nullable::Value(v) => serializer.serialize_some(v),
            Nullable::Absent | Nullable::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    /// `null` as [`Nullable::Null`] and anything else as a value; a missing member never gets
    /// here (the field's `default` makes it [`Nullable::Absent`]).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Nullable::null_if_none(Option::<T>::deserialize(
            deserializer,
        )?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Member {
        #[serde(default, skip_serializing_if = "Nullable::is_absent")]
        note: Nullable<String>,
        #[serde(default, skip_serializing_if = "Nullable::is_absent")]
        tags: Nullable<Vec<u32>>,
    }

    #[test]
    fn three_states_round_trip() {
        for (json, note) in [
            (r#"{}"#, Nullable::Absent),
            (r#"{"note":null}"#, Nullable::Null),
            (r#"{"note":"x"}"#, Nullable::Value("x".to_string())),
        ] {
            let m: Member = serde_json::from_str(json).unwrap();
            assert_eq!(m.note, note, "{json}");
            assert!(m.tags.is_absent());
            assert_eq!(serde_json::to_string(&m).unwrap(), json);
        }
        let m: Member = serde_json::from_str(r#"{"tags":[1,2]}"#).unwrap();
        assert_eq!(m.tags.value(), Some(&vec![1, 2]));
    }

    #[test]
    fn a_wrong_type_is_an_error_not_null() {
        assert!(serde_json::from_str::<Member>(r#"{"note":5}"#).is_err());
    }

    #[test]
    fn conversions() {
        assert_eq!(Nullable::null_if_none(Some(1)), Nullable::Value(1));
        assert_eq!(Nullable::<i32>::null_if_none(None), Nullable::Null);
        assert_eq!(Nullable::<i32>::absent_if_none(None), Nullable::Absent);
        assert_eq!(Nullable::from(2).map(|v| v * 2).into_value(), Some(4));
        assert_eq!(Nullable::<i32>::Null.into_value(), None);
        assert_eq!(Nullable::Value(3).as_ref().value(), Some(&&3));
        assert_eq!(Nullable::Value("a".to_string()).as_deref(), Some("a"));
        assert_eq!(Nullable::<String>::Null.as_deref(), None);
        assert!(Nullable::<i32>::default().is_absent());
    }
}
