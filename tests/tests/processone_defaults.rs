//! Documented defaults (`payspec:Default` in the XSDs) hold where the service's own serializers
//! would keep them, and nowhere else: `ChargeFee` is documented as "default - true".
//! - `Default::default()` gives `true`, so a request built with `new()` (which is
//!   `Default::default()`) and `with_` setters keeps the convenience fee on;
//! - JSON without the member gives `true` (Json.NET runs the contract's constructor);
//! - XML without the member gives `false`: DataContractSerializer runs no constructor and leaves
//!   .NET's zero value, so reading otherwise would disagree with the service;
//! - an explicit value always wins, and the value is always sent.

use payspec_processone::DataContract;
use payspec_processone::contracts::credit_card::ChargeCreditCardRequest;

#[test]
fn default_keeps_the_documented_convenience_fee() {
    assert!(ChargeCreditCardRequest::default().charge_fee);
    let request = ChargeCreditCardRequest::new().with_customer_id("c-1");
    assert!(request.charge_fee);
}

#[test]
fn json_without_the_member_gives_the_default_and_explicit_values_win() {
    assert!(
        ChargeCreditCardRequest::from_json(b"{}")
            .unwrap()
            .charge_fee
    );
    assert!(
        !ChargeCreditCardRequest::from_json(br#"{"ChargeFee":false}"#)
            .unwrap()
            .charge_fee
    );
    let json = String::from_utf8(ChargeCreditCardRequest::default().to_json().unwrap()).unwrap();
    assert!(json.contains(r#""ChargeFee":true"#), "{json}");
}

#[test]
fn xml_without_the_member_reads_as_dotnet_zero() {
    let xml = String::from_utf8(ChargeCreditCardRequest::default().to_xml().unwrap()).unwrap();
    assert!(xml.contains("<ChargeFee>true</ChargeFee>"), "{xml}");
    let without = xml.replace("<ChargeFee>true</ChargeFee>", "");
    assert!(
        !ChargeCreditCardRequest::from_xml(without.as_bytes())
            .unwrap()
            .charge_fee
    );
    assert!(
        ChargeCreditCardRequest::from_xml(xml.as_bytes())
            .unwrap()
            .charge_fee
    );
}

#[test]
fn the_default_is_in_the_published_document() {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../../generated/processone/openapi.json")).unwrap();
    let fee = doc
        .pointer(
            "/components/schemas/CreditCard.ChargeCreditCardRequest/properties/ChargeFee/default",
        )
        .cloned();
    assert_eq!(fee, Some(serde_json::Value::Bool(true)));
}
