//! Json.NET-style JSON for DataContract types.
//!
//! Written: PascalCase member names, enums as integers, decimals as numbers with their scale,
//! date-times as held, nulls never written. Read: member names matched exactly or, failing
//! that, ignoring ASCII case (Json.NET's rule); unknown members ignored; `null` accepted only
//! for members that can be null; a member given twice (in any case) is an error rather than
//! Json.NET's silent last-one-wins.

use std::fmt;
use std::marker::PhantomData;

use rust_decimal::Decimal;
use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::enums::{DcsEnum, UnknownEnumValue};

/// Serializes a [`Decimal`] as a JSON number with its scale (`20.00` stays `20.00`).
pub struct Dec<'a>(pub &'a Decimal);

impl Serialize for Dec<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::decimal::number::serialize(self.0, s)
    }
}

/// Deserializes a JSON number (or numeric string) into an exact [`Decimal`].
pub struct DecDe(pub Decimal);

impl<'de> Deserialize<'de> for DecDe {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::decimal::number::deserialize(d).map(DecDe)
    }
}

/// Deserializes `null` or a number into an exact optional [`Decimal`].
pub struct OptDecDe(pub Option<Decimal>);

impl<'de> Deserialize<'de> for OptDecDe {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::decimal::number_opt::deserialize(d).map(OptDecDe)
    }
}

/// Serializes an enum as its integer value; an unknown name has none and is an error.
pub fn serialize_enum<E: DcsEnum, S: Serializer>(value: &E, s: S) -> Result<S::Ok, S::Error> {
    match value.json_value() {
        Some(v) => s.serialize_i32(v),
        None => Err(serde::ser::Error::custom(format_args!(
            "enum {} value {:?} has no known integer, and JSON carries integers",
            E::ENUM_NAME,
            value
                .as_unknown()
                .map(ToString::to_string)
                .unwrap_or_default()
        ))),
    }
}

/// Deserializes an enum from an integer (unknown integers kept) or, as Json.NET also accepts,
/// a member name in any case or an integer in a string.
pub fn deserialize_enum<'de, E: DcsEnum, D: Deserializer<'de>>(d: D) -> Result<E, D::Error> {
    d.deserialize_any(EnumVisitor::<E>(PhantomData))
}

struct EnumVisitor<E>(PhantomData<E>);

const SERDE_JSON_NUMBER_TOKEN: &str = "$serde_json::private::Number";

impl<E: DcsEnum> EnumVisitor<E> {
    fn from_i64<Er: de::Error>(v: i64) -> Result<E, Er> {
        let v = i32::try_from(v).map_err(|_| {
            Er::custom(format_args!(
                "{v} is outside the range of enum {}",
                E::ENUM_NAME
            ))
        })?;
        Ok(E::from_value(v).unwrap_or_else(|| E::unknown(UnknownEnumValue::Value(v))))
    }
}

impl<'de, E: DcsEnum> Visitor<'de> for EnumVisitor<E> {
    type Value = E;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an integer or a member name of enum {}", E::ENUM_NAME)
    }

    fn visit_i64<Er: de::Error>(self, v: i64) -> Result<E, Er> {
        Self::from_i64(v)
    }

    fn visit_u64<Er: de::Error>(self, v: u64) -> Result<E, Er> {
        Self::from_i64(i64::try_from(v).unwrap_or(i64::MAX))
    }

    fn visit_f64<Er: de::Error>(self, v: f64) -> Result<E, Er> {
        Err(Er::custom(format_args!(
            "{v} is not an integer value of enum {}",
            E::ENUM_NAME
        )))
    }

    fn visit_str<Er: de::Error>(self, v: &str) -> Result<E, Er> {
        E::parse_json_string(v).map_err(Er::custom)
    }

    // serde_json with `arbitrary_precision` hands numbers to `deserialize_any` as a one-entry
    // map from a private key to the number's text.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<E, A::Error> {
        let key: Option<String> = map.next_key()?;
        if key.as_deref() != Some(SERDE_JSON_NUMBER_TOKEN) {
            return Err(de::Error::invalid_type(de::Unexpected::Map, &self));
        }
        let text: String = map.next_value()?;
        let v: i64 = text.parse().map_err(|_| {
            de::Error::custom(format_args!(
                "{} is not an integer value of enum {}",
                super::shown(&text),
                E::ENUM_NAME
            ))
        })?;
        Self::from_i64(v)
    }
}

/// Finds a member by its JSON key: exact first, then ignoring ASCII case.
pub fn field_index(key: &str, names: &[&str]) -> Option<usize> {
    names
        .iter()
        .position(|n| *n == key)
        .or_else(|| names.iter().position(|n| n.eq_ignore_ascii_case(key)))
}

/// A key seed: yields the member index for a known key (through the generated matcher, which
/// tries the exact names and then [`field_index`]), `None` for an unknown one.
pub struct Fields(pub fn(&str) -> Option<usize>);

impl<'de> DeserializeSeed<'de> for Fields {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Fields {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<Er: de::Error>(self, v: &str) -> Result<Option<usize>, Er> {
        Ok((self.0)(v))
    }
}

/// The error for a member given twice.
pub fn duplicate<Er: de::Error>(name: &str) -> Er {
    Er::custom(format_args!(
        "member {name} given twice (keys are matched ignoring case)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_exactly_then_ignoring_case() {
        let names = ["ResponseCode", "Message"];
        assert_eq!(field_index("ResponseCode", &names), Some(0));
        assert_eq!(field_index("responseCode", &names), Some(0));
        assert_eq!(field_index("MESSAGE", &names), Some(1));
        assert_eq!(field_index("Other", &names), None);
    }
}
