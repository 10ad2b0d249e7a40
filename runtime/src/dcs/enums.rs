//! Open DataContract enums: XML carries member names, Json.NET carries integer values.

use std::fmt;

/// An enum value this client does not know, kept as the wire carried it.
///
/// XML carries enum member names and JSON carries integers, so an unknown value read from one
/// format may not be writable in the other: writing an unknown name to JSON, or an unknown
/// integer to XML, is an error, never a guess.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum UnknownEnumValue {
    /// An unknown member name (from XML, or from a JSON string).
    Name(Box<str>),
    /// An unknown integer value (from JSON).
    Value(i32),
}

impl fmt::Display for UnknownEnumValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnknownEnumValue::Name(n) => f.write_str(n),
            UnknownEnumValue::Value(v) => write!(f, "{v}"),
        }
    }
}

/// A generated DataContract enum with an `Unknown` variant.
pub trait DcsEnum: Sized {
    /// The enum's contract name (for error messages and collection item names).
    const ENUM_NAME: &'static str;
    /// The enum's contract namespace (where collection items of it live).
    const ENUM_NS: &'static str;

    /// The member name and integer value, or `None` for an unknown value.
    fn known(&self) -> Option<(&'static str, i32)>;

    /// The known member with this exact (case-sensitive) name.
    fn from_name(name: &str) -> Option<Self>;

    /// The known member with this integer value.
    fn from_value(value: i32) -> Option<Self>;

    /// Wraps an unknown value.
    fn unknown(value: UnknownEnumValue) -> Self;

    /// The unknown value, if this is one.
    fn as_unknown(&self) -> Option<&UnknownEnumValue>;

    /// The name XML carries, or `None` for an unknown integer.
    fn xml_name(&self) -> Option<&str> {
        match self.known() {
            Some((name, _)) => Some(name),
            None => match self.as_unknown() {
                Some(UnknownEnumValue::Name(n)) => Some(n),
                _ => None,
            },
        }
    }

    /// The integer JSON carries, or `None` for an unknown name.
    fn json_value(&self) -> Option<i32> {
        match self.known() {
            Some((_, value)) => Some(value),
            None => match self.as_unknown() {
                Some(UnknownEnumValue::Value(v)) => Some(*v),
                _ => None,
            },
        }
    }

    /// Reads a name as DataContractSerializer does (exact case); an unknown name is kept.
    /// Integers and empty text are refused, as the real serializer refuses them.
    fn parse_xml_name(text: &str) -> Result<Self, String> {
        let name = text.trim_matches(super::is_xml_space);
        if let Some(v) = Self::from_name(name) {
            return Ok(v);
        }
        if name.is_empty() {
            return Err(format!("empty value for enum {}", Self::ENUM_NAME));
        }
        let valid_name = name
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_alphanumeric() || c == '_');
        if !valid_name {
            return Err(format!(
                "{} is not a member name of enum {}",
                super::shown(name),
                Self::ENUM_NAME
            ));
        }
        Ok(Self::unknown(UnknownEnumValue::Name(name.into())))
    }

    /// Reads a JSON string the way Json.NET does: a member name in any case, or an integer.
    fn parse_json_string(text: &str) -> Result<Self, String> {
        let t = text.trim();
        if let Ok(v) = t.parse::<i32>() {
            return Ok(
                Self::from_value(v).unwrap_or_else(|| Self::unknown(UnknownEnumValue::Value(v)))
            );
        }
        if let Some(v) = Self::from_name(t).or_else(|| Self::from_name_ignore_case(t)) {
            return Ok(v);
        }
        Self::parse_xml_name(t)
    }

    /// The known member whose name equals `name` ignoring ASCII case.
    fn from_name_ignore_case(name: &str) -> Option<Self>;
}
