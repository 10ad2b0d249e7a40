//! Forward-compatible enums for values received from servers.
//!
//! Providers add enum values without notice. An ordinary Rust enum would then fail to
//! deserialize the whole response; the enums these macros declare keep an unknown value in
//! an extra `Unknown` variant instead, verbatim, so it also round-trips when sent back.
//!
//! * [`open_enum!`](crate::open_enum!) declares a string enum.
//! * [`open_int_enum!`](crate::open_int_enum!) declares an enum serialized as an integer.
//!
//! Both enums are exhaustive, so a `match` can name every known variant plus `Unknown`.
//! Construct values through `From`/`FromStr` (or `from_value`): they map a known value to its
//! variant, whereas writing `Unknown("PAID".into())` by hand gives a value that is not equal
//! to the `Paid` variant.

/// Deserializes a string into an open enum `T` (the generated open enums' `Deserialize`): a
/// borrowed string converts without allocating when it is a known value. `expecting` names the
/// enum in the error for a value that is not a string.
pub fn deserialize_open<'de, D, T>(deserializer: D, expecting: &'static str) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: for<'a> From<&'a str> + From<String>,
{
    struct Visitor<T>(&'static str, std::marker::PhantomData<T>);

    impl<T> serde::de::Visitor<'_> for Visitor<T>
    where
        T: for<'a> From<&'a str> + From<String>,
    {
        type Value = T;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }

        fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<T, E> {
            Ok(T::from(value))
        }

        fn visit_string<E: serde::de::Error>(self, value: String) -> Result<T, E> {
            Ok(T::from(value))
        }
    }

    deserializer.deserialize_string(Visitor(expecting, std::marker::PhantomData))
}

/// Declares a string enum that keeps values it does not know.
///
/// ```
/// payspec_runtime::open_enum! {
///     /// Order status.
///     pub enum OrderStatus {
///         /// Waiting for payment.
///         Pending => "PENDING",
///         /// Paid.
///         Paid => "PAID",
///     }
/// }
///
/// let s: OrderStatus = serde_json::from_str("\"PAID\"").unwrap();
/// assert_eq!(s, OrderStatus::Paid);
/// let s: OrderStatus = serde_json::from_str("\"REFUNDED\"").unwrap();
/// assert_eq!(s, OrderStatus::Unknown("REFUNDED".into()));
/// assert_eq!(serde_json::to_string(&s).unwrap(), "\"REFUNDED\"");
/// ```
///
/// The enum derives `Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord` and gets
/// `known_values()`, `as_str()`, `is_known()`, `Display`, `FromStr` (infallible),
/// `From<&str>`, `From<String>`, and serde support as a string. Matching is exact and
/// case-sensitive.
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident => $value:literal
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $(
                $(#[$variant_meta])*
                $variant,
            )*
            /// A value this client does not know yet; kept verbatim so it round-trips.
            Unknown(::std::string::String),
        }

        // Not every generated enum uses every helper (e.g. a `pub(crate)` one).
        #[allow(dead_code)]
        impl $name {
            /// Every value this client knows, in declaration order.
            pub fn known_values() -> &'static [&'static str] {
                &[$($value),*]
            }

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// Whether this is one of the values this client knows.
            pub fn is_known(&self) -> bool {
                !::std::matches!(self, Self::Unknown(_))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(::std::convert::From::from(value))
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($value => Self::$variant,)*
                    other => Self::Unknown(::std::borrow::ToOwned::to_owned(other)),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                match value.as_str() {
                    $($value => Self::$variant,)*
                    _ => Self::Unknown(value),
                }
            }
        }

        impl $crate::__serde::Serialize for $name {
            fn serialize<S: $crate::__serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::open_enum::deserialize_open(
                    deserializer,
                    ::std::concat!("a string (", ::std::stringify!($name), ")"),
                )
            }
        }
    };
}

/// Declares an enum serialized as an integer that keeps values it does not know.
///
/// ```
/// payspec_runtime::open_int_enum! {
///     /// Card type.
///     pub enum CreditCardType: i32 {
///         /// Visa.
///         Visa = 0 => "Visa",
///         /// Other.
///         Other = 99 => "Other",
///     }
/// }
///
/// let t: CreditCardType = serde_json::from_str("0").unwrap();
/// assert_eq!(t, CreditCardType::Visa);
/// assert_eq!(t.to_string(), "Visa");
/// let t: CreditCardType = serde_json::from_str("7").unwrap();
/// assert_eq!(t, CreditCardType::Unknown(7));
/// assert_eq!(serde_json::to_string(&t).unwrap(), "7");
/// ```
///
/// The enum derives `Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord` and gets
/// `value()`, `name()`, `from_value()`, `from_name()` (exact, case-sensitive), `is_known()`,
/// `known_values()`, `Display` (the name, or the integer when unknown), `From` in both
/// directions with the integer type, and serde support as an integer.
#[macro_export]
macro_rules! open_int_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $repr:ty {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident = $value:literal => $label:literal
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $(
                $(#[$variant_meta])*
                $variant,
            )*
            /// A value this client does not know yet; kept verbatim so it round-trips.
            Unknown($repr),
        }

        // Not every generated enum uses every helper (e.g. a `pub(crate)` one).
        #[allow(dead_code)]
        impl $name {
            /// Every value this client knows, in declaration order.
            pub fn known_values() -> &'static [$repr] {
                &[$($value),*]
            }

            /// The value as sent on the wire.
            pub fn value(&self) -> $repr {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Unknown(value) => *value,
                }
            }

            /// The documented name of a known value.
            pub fn name(&self) -> ::std::option::Option<&'static str> {
                match self {
                    $(Self::$variant => ::std::option::Option::Some($label),)*
                    Self::Unknown(_) => ::std::option::Option::None,
                }
            }

            /// The variant for `value`; `Unknown(value)` if this client does not know it.
            pub fn from_value(value: $repr) -> Self {
                match value {
                    $($value => Self::$variant,)*
                    other => Self::Unknown(other),
                }
            }

            /// The known variant whose documented name is exactly `name`.
            pub fn from_name(name: &str) -> ::std::option::Option<Self> {
                match name {
                    $($label => ::std::option::Option::Some(Self::$variant),)*
                    _ => ::std::option::Option::None,
                }
            }

            /// Whether this is one of the values this client knows.
            pub fn is_known(&self) -> bool {
                !::std::matches!(self, Self::Unknown(_))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self.name() {
                    ::std::option::Option::Some(name) => f.write_str(name),
                    ::std::option::Option::None => ::std::fmt::Display::fmt(&self.value(), f),
                }
            }
        }

        impl ::std::convert::From<$repr> for $name {
            fn from(value: $repr) -> Self {
                Self::from_value(value)
            }
        }

        impl ::std::convert::From<$name> for $repr {
            fn from(value: $name) -> Self {
                value.value()
            }
        }

        impl $crate::__serde::Serialize for $name {
            fn serialize<S: $crate::__serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                $crate::__serde::Serialize::serialize(&self.value(), serializer)
            }
        }

        impl<'de> $crate::__serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                <$repr as $crate::__serde::Deserialize<'de>>::deserialize(deserializer)
                    .map(Self::from_value)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::convert::Infallible;
    use std::str::FromStr;

    mod generated {
        crate::open_enum! {
            /// Order status.
            #[doc = "Second doc line."]
            pub enum OrderStatus {
                /// Waiting for payment.
                Pending => "PENDING",
                /// Paid.
                Paid => "PAID",
                #[doc = "Cancelled by the merchant."]
                Cancelled => "cancelled",
            }
        }

        crate::open_int_enum! {
            /// Card type.
            pub enum CreditCardType: i32 {
                /// Visa.
                Visa = 0 => "Visa",
                /// MasterCard.
                MasterCard = 1 => "MasterCard",
                /// Negative values work too.
                Legacy = -1 => "Legacy",
                /// Other.
                Other = 99 => "Other",
            }
        }

        crate::open_int_enum! {
            /// A wider representation.
            pub(crate) enum Wide: i64 {
                /// Big.
                Big = 5_000_000_000 => "Big",
            }
        }
    }

    use generated::{CreditCardType, OrderStatus, Wide};

    #[test]
    fn string_enum_round_trips_known_and_unknown() {
        for (json, value, known) in [
            ("\"PENDING\"", OrderStatus::Pending, true),
            ("\"PAID\"", OrderStatus::Paid, true),
            ("\"cancelled\"", OrderStatus::Cancelled, true),
            (
                "\"REFUNDED\"",
                OrderStatus::Unknown("REFUNDED".into()),
                false,
            ),
            // Matching is case-sensitive.
            ("\"paid\"", OrderStatus::Unknown("paid".into()), false),
            ("\"\"", OrderStatus::Unknown(String::new()), false),
            ("\"caf\\u00e9\"", OrderStatus::Unknown("café".into()), false),
        ] {
            let parsed: OrderStatus = serde_json::from_str(json).unwrap();
            assert_eq!(parsed, value);
            assert_eq!(parsed.is_known(), known);
            assert_eq!(serde_json::to_string(&parsed).unwrap(), {
                serde_json::to_string(parsed.as_str()).unwrap()
            });
            let back: OrderStatus =
                serde_json::from_str(&serde_json::to_string(&parsed).unwrap()).unwrap();
            assert_eq!(back, parsed);
        }
        // From a borrowed str in a serde_json::Value too.
        let v = serde_json::json!({"s": "PAID"});
        let parsed: OrderStatus = serde_json::from_value(v["s"].clone()).unwrap();
        assert_eq!(parsed, OrderStatus::Paid);
    }

    #[test]
    fn string_enum_rejects_non_strings() {
        for bad in ["1", "null", "true", "[\"PAID\"]", "{}"] {
            let err = serde_json::from_str::<OrderStatus>(bad).unwrap_err();
            assert!(
                err.to_string().contains("a string (OrderStatus)"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn string_enum_helpers() {
        assert_eq!(
            OrderStatus::known_values(),
            &["PENDING", "PAID", "cancelled"]
        );
        assert_eq!(OrderStatus::Paid.as_str(), "PAID");
        assert_eq!(OrderStatus::Unknown("X".into()).as_str(), "X");
        assert_eq!(OrderStatus::Pending.to_string(), "PENDING");
        assert_eq!(OrderStatus::Unknown("NEW".into()).to_string(), "NEW");
        let parsed: Result<OrderStatus, Infallible> = OrderStatus::from_str("PAID");
        assert_eq!(parsed, Ok(OrderStatus::Paid));
        assert_eq!(OrderStatus::from("PENDING"), OrderStatus::Pending);
        assert_eq!(
            OrderStatus::from(String::from("LATER")),
            OrderStatus::Unknown("LATER".into())
        );
        assert_eq!(OrderStatus::from(String::from("PAID")), OrderStatus::Paid);
        // Derives: ordering follows declaration order, Unknown last.
        assert!(OrderStatus::Pending < OrderStatus::Paid);
        assert!(OrderStatus::Cancelled < OrderStatus::Unknown(String::new()));
        let set: HashSet<OrderStatus> = [OrderStatus::Paid, OrderStatus::Paid].into();
        assert_eq!(set.len(), 1);
        // Exhaustive match: no wildcard arm needed.
        let describe = |s: &OrderStatus| match s {
            OrderStatus::Pending => "pending",
            OrderStatus::Paid => "paid",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Unknown(_) => "unknown",
        };
        assert_eq!(describe(&OrderStatus::from("LATER")), "unknown");
    }

    #[test]
    fn int_enum_round_trips_known_and_unknown() {
        for (json, value, name) in [
            ("0", CreditCardType::Visa, Some("Visa")),
            ("1", CreditCardType::MasterCard, Some("MasterCard")),
            ("-1", CreditCardType::Legacy, Some("Legacy")),
            ("99", CreditCardType::Other, Some("Other")),
            ("7", CreditCardType::Unknown(7), None),
            ("-2147483648", CreditCardType::Unknown(i32::MIN), None),
        ] {
            let parsed: CreditCardType = serde_json::from_str(json).unwrap();
            assert_eq!(parsed, value);
            assert_eq!(parsed.name(), name);
            assert_eq!(parsed.is_known(), name.is_some());
            assert_eq!(serde_json::to_string(&parsed).unwrap(), json);
        }
        // Inside a struct, through serde_json::Value, and through untagged buffering.
        #[derive(serde::Deserialize, serde::Serialize, Debug, PartialEq)]
        struct Card {
            kind: CreditCardType,
        }
        let card: Card = serde_json::from_str(r#"{"kind":1}"#).unwrap();
        assert_eq!(card.kind, CreditCardType::MasterCard);
        let card: Card = serde_json::from_value(serde_json::json!({"kind": 42})).unwrap();
        assert_eq!(card.kind, CreditCardType::Unknown(42));
        #[derive(serde::Deserialize, Debug)]
        #[serde(untagged)]
        enum Either {
            C(Card),
        }
        let Either::C(card) = serde_json::from_str(r#"{"kind":99}"#).unwrap();
        assert_eq!(card.kind, CreditCardType::Other);
        let wide: Wide = serde_json::from_str("5000000000").unwrap();
        assert_eq!(wide, Wide::Big);
    }

    #[test]
    fn int_enum_rejects_non_integers() {
        for bad in ["\"Visa\"", "\"0\"", "1.5", "null", "2147483648", "true"] {
            assert!(
                serde_json::from_str::<CreditCardType>(bad).is_err(),
                "{bad} should be rejected"
            );
        }
    }

    #[test]
    fn int_enum_helpers() {
        assert_eq!(CreditCardType::known_values(), &[0, 1, -1, 99]);
        assert_eq!(CreditCardType::Other.value(), 99);
        assert_eq!(CreditCardType::Unknown(5).value(), 5);
        assert_eq!(CreditCardType::from_value(0), CreditCardType::Visa);
        assert_eq!(CreditCardType::from_value(3), CreditCardType::Unknown(3));
        assert_eq!(
            CreditCardType::from_name("MasterCard"),
            Some(CreditCardType::MasterCard)
        );
        assert_eq!(CreditCardType::from_name("mastercard"), None);
        assert_eq!(CreditCardType::from_name("3"), None);
        assert_eq!(CreditCardType::Visa.to_string(), "Visa");
        assert_eq!(CreditCardType::Unknown(-12).to_string(), "-12");
        assert_eq!(CreditCardType::from(1), CreditCardType::MasterCard);
        assert_eq!(i32::from(CreditCardType::Legacy), -1);
        assert!(CreditCardType::Visa < CreditCardType::Other);
        let describe = |t: CreditCardType| match t {
            CreditCardType::Visa
            | CreditCardType::MasterCard
            | CreditCardType::Legacy
            | CreditCardType::Other => "known",
            CreditCardType::Unknown(_) => "unknown",
        };
        assert_eq!(describe(CreditCardType::from_value(1000)), "unknown");
    }
}
