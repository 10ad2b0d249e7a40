//! Seed 004's own examples against the generated n1co types: requests built in Rust serialize to
//! the seed's JSON values, and every seed body decodes (and re-encodes to an equal value).

use payspec_n1co::types::{
    CreatePaymentLinkRequest, CreatePaymentLinkResponse, LineItem, MetadataItem, OneTimeProduct,
    OrderDetails, OrderStatus, ProblemDetails,
};
use payspec_runtime::Nullable;
use rust_decimal::Decimal;
use serde_json::Value;

fn fixture(name: &str) -> String {
    payspec_tests::fixture_text("n1co", name)
}

fn json(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).expect("fixture is JSON")
}

fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn product(name: &str, price: &str, quantity: i32) -> LineItem {
    LineItem::new(quantity).with_product(OneTimeProduct::new(name, dec(price)))
}

fn common() -> CreatePaymentLinkRequest {
    CreatePaymentLinkRequest::new()
        .with_order_name("Pizza Integration")
        .with_order_description("A delicious pizza order")
        .with_success_url("https://www.google.hn")
        .with_cancel_url("https://www.youtube.com")
        .with_metadata(vec![MetadataItem::new("clientId", "1234")])
}

#[test]
fn method_1_products_request_serializes_to_the_seed_json() {
    let request = common().with_line_items(vec![
        product("Italian Pizza", "15", 2),
        product("Roman Pizza", "20", 3),
    ]);
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json("create_request_products.json")
    );
    payspec_runtime::Validate::validate(&request).expect("the seed's request is valid");
    // And the seed's text decodes into the same value.
    let decoded: CreatePaymentLinkRequest =
        serde_json::from_str(&fixture("create_request_products.json")).unwrap();
    assert_eq!(decoded, request);
}

#[test]
fn method_2_amount_request_serializes_to_the_seed_json() {
    let request = common().with_amount(dec("100"));
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json("create_request_amount.json")
    );
    payspec_runtime::Validate::validate(&request).expect("the seed's request is valid");
    let decoded: CreatePaymentLinkRequest =
        serde_json::from_str(&fixture("create_request_amount.json")).unwrap();
    assert_eq!(decoded, request);
}

#[test]
fn the_spec_embeds_the_seed_request_examples() {
    let spec: Value = serde_yaml_value(&payspec_tests::root().join("specs/n1co/openapi.yaml"));
    let examples = &spec["paths"]["/paymentlink/checkout"]["post"]["requestBody"]["content"]["application/json"]
        ["examples"];
    assert_eq!(
        examples["products"]["value"],
        json("create_request_products.json")
    );
    assert_eq!(
        examples["amountOnly"]["value"],
        json("create_request_amount.json")
    );
}

fn serde_yaml_value(path: &std::path::Path) -> Value {
    // The spec is YAML; codegen's loader turns it into JSON values.
    let text = std::fs::read_to_string(path).unwrap();
    payspec_codegen::spec::parse_yaml("spec", &text).unwrap()
}

#[test]
fn create_response_decodes_and_round_trips() {
    let r: CreatePaymentLinkResponse =
        serde_json::from_str(&fixture("create_response_200.json")).unwrap();
    assert_eq!(r.order_code, "ABC123");
    assert_eq!(r.order_id, 21566);
    assert_eq!(r.payment_link_url, "https://pay.n1cco.shop/ABC123");
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        json("create_response_200.json")
    );
}

#[test]
fn error_bodies_decode() {
    let e: ProblemDetails = serde_json::from_str(&fixture("error_400.json")).unwrap();
    assert_eq!(
        e.title.as_deref(),
        Some("One or more validation errors occurred.")
    );
    assert_eq!(e.status, Nullable::Value(400));
    assert_eq!(
        e.errors.value().unwrap()["amount"],
        vec!["The amount must be greater than 0.".to_string()]
    );
    assert_eq!(serde_json::to_value(&e).unwrap(), json("error_400.json"));
    let e: ProblemDetails = serde_json::from_str(&fixture("error_500.json")).unwrap();
    assert_eq!(e.status, Nullable::Value(500));
    assert!(e.errors.is_absent());
    assert_eq!(serde_json::to_value(&e).unwrap(), json("error_500.json"));
}

#[test]
fn the_seed_order_sample_decodes_with_its_placeholder_status_kept() {
    // The seed's "Response Body Schema" sample writes "string" where the status goes: an open enum
    // keeps it as Unknown instead of failing the whole response.
    let o: OrderDetails = serde_json::from_str(&fixture("order_schema_sample.json")).unwrap();
    assert_eq!(o.order_status, OrderStatus::Unknown("string".into()));
    assert_eq!(
        o.created.value().unwrap().to_string(),
        "2024-05-14T13:44:23.133Z"
    );
    assert_eq!(
        serde_json::to_value(&o).unwrap(),
        json("order_schema_sample.json")
    );
}

#[test]
fn the_spec_order_example_decodes_exactly() {
    let spec = serde_yaml_value(&payspec_tests::root().join("specs/n1co/openapi.yaml"));
    let example = &spec["paths"]["/paymentlink/order/{orderCode}"]["get"]["responses"]["200"]["content"]
        ["application/json"]["example"];
    let o: OrderDetails = serde_json::from_value(example.clone()).unwrap();
    assert_eq!(o.order_status, OrderStatus::Pending);
    // YAML numbers carry no scale (35.00 is read as 35.0): compare numerically here; the exact
    // scale over JSON is tested in `money_is_exact_both_ways` and n1co_client.
    assert_eq!(o.total, Nullable::Value(dec("35.00")));
    let line = &o.line_items.value().unwrap()[0];
    assert_eq!(line.price, Nullable::Value(dec("15.00")));
    assert_eq!(line.sub_total, Nullable::Value(dec("30.00")));
    assert_eq!(serde_json::to_value(&o).unwrap(), *example);
}

#[test]
fn money_is_exact_both_ways() {
    for text in [
        "0.10",
        "20.00",
        "79228162514264337593543950335",
        "10.50",
        "100",
    ] {
        let body = format!(r#"{{"name":"x","price":{text}}}"#);
        let p: OneTimeProduct = serde_json::from_str(&body).unwrap();
        assert_eq!(p.price.to_string(), text);
        assert_eq!(serde_json::to_string(&p).unwrap(), body);
    }
}

#[test]
fn nulls_and_unknown_members_from_the_server_are_accepted() {
    let o: OrderDetails = serde_json::from_str(
        r#"{"orderId":7,"orderCode":"PL-7","orderStatus":"REFUNDED_SOMEDAY","payment":null,"store":null,
            "total":null,"lineItems":null,"created":null,"aNewField":{"x":1}}"#,
    )
    .unwrap();
    assert_eq!(o.order_status.as_str(), "REFUNDED_SOMEDAY");
    assert!(o.payment.is_none() && o.store.is_none());
    // A nullable member keeps null apart from absent, both ways.
    assert!(o.total.is_null() && o.line_items.is_null() && o.created.is_null());
    assert!(o.name.is_absent() && o.subtotal.is_absent());
    let back = serde_json::to_value(&o).unwrap();
    assert_eq!(back["total"], Value::Null);
    assert!(back.get("name").is_none() && back.get("subtotal").is_none());
}
