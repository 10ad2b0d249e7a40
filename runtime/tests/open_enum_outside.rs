//! The enum macros used the way generated crates use them: from another crate, without
//! naming serde, under `deny(missing_docs)`.
#![deny(missing_docs)]

/// Stands in for a generated crate's types module.
pub mod types {
    payspec_runtime::open_enum! {
        /// Order status.
        pub enum OrderStatus {
            /// Waiting for payment.
            Pending => "PENDING",
            /// Paid.
            Paid => "PAID",
        }
    }

    payspec_runtime::open_int_enum! {
        /// Card type.
        pub enum CreditCardType: i32 {
            /// Visa.
            Visa = 0 => "Visa",
            /// Other.
            Other = 99 => "Other",
        }
    }
}

use types::{CreditCardType, OrderStatus};

#[test]
fn string_enum_from_another_crate() {
    let parsed: Vec<OrderStatus> = serde_json::from_str(r#"["PENDING","PAID","ON_HOLD"]"#).unwrap();
    assert_eq!(
        parsed,
        [
            OrderStatus::Pending,
            OrderStatus::Paid,
            OrderStatus::Unknown("ON_HOLD".into())
        ]
    );
    assert_eq!(
        serde_json::to_string(&parsed).unwrap(),
        r#"["PENDING","PAID","ON_HOLD"]"#
    );
    assert_eq!(OrderStatus::known_values(), &["PENDING", "PAID"]);
    assert_eq!("PAID".parse::<OrderStatus>(), Ok(OrderStatus::Paid));
}

#[test]
fn int_enum_from_another_crate() {
    let parsed: Vec<CreditCardType> = serde_json::from_str("[0,99,5]").unwrap();
    assert_eq!(
        parsed,
        [
            CreditCardType::Visa,
            CreditCardType::Other,
            CreditCardType::Unknown(5)
        ]
    );
    assert_eq!(serde_json::to_string(&parsed).unwrap(), "[0,99,5]");
    let names: Vec<String> = parsed.iter().map(ToString::to_string).collect();
    assert_eq!(names, ["Visa", "Other", "5"]);
    assert_eq!(
        CreditCardType::from_name("Other"),
        Some(CreditCardType::Other)
    );
}
