//! Seed 002's examples against the generated Onecheckout types: every fixture and every example
//! embedded in `specs/onecheckout/openapi.yaml` decodes and re-encodes to an equal JSON value;
//! amounts stay exact, epoch-millisecond timestamps stay the same integers (and mean the right
//! UTC instants), unknown enum values and members do not break decoding, both error shapes give
//! the typed error code, and the payment token never shows in `Debug`.

use std::collections::BTreeSet;

use chrono::{TimeZone, Utc};
use payspec_onecheckout::EpochMillis;
use payspec_onecheckout::types::{
    CreateOrderRequest, ErrorCode, ErrorDetail, ErrorFieldIssue, ErrorResponse, ErrorValue, Event,
    EventType, LinkRel, ListOrdersRequest, ListOrdersResponse, Merchant, MerchantUpdate,
    NewOrderLine, Order, OrderEvents, OrderLineProperty, OrderStatus, PaymentGateway,
    PaymentMethod, PaymentStatus,
};
use payspec_runtime::ErrorBody;
use pretty_assertions::assert_eq;
use rust_decimal::Decimal;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn fixture(name: &str) -> String {
    payspec_tests::fixture_text("onecheckout", name)
}

/// The fixture as a JSON value (numbers keep their text: the workspace's serde_json has
/// `arbitrary_precision`, so `5.00` and `5` are different values).
fn json(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).expect("fixture is JSON")
}

fn spec() -> Value {
    payspec_tests::spec_json("onecheckout")
}

fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

/// Decodes `text` as `T` and checks that it re-encodes to the same JSON value.
fn round_trip<T: DeserializeOwned + Serialize>(what: &str, text: &str) -> T {
    let decoded: T =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{what} does not decode: {e}"));
    let original: Value = serde_json::from_str(text).unwrap();
    assert_eq!(
        serde_json::to_value(&decoded).unwrap(),
        original,
        "{what} does not re-encode to the same JSON"
    );
    decoded
}

/// Same for a JSON value (the spec's embedded examples).
fn round_trip_value<T: DeserializeOwned + Serialize>(what: &str, value: &Value) -> T {
    let decoded: T = serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("{what} does not decode: {e}"));
    assert_eq!(
        &serde_json::to_value(&decoded).unwrap(),
        value,
        "{what} does not re-encode to the same JSON"
    );
    decoded
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).single().unwrap()
}

// ---------------------------------------------------------------------------------------------
// The fixtures (seed 002 verbatim responses, and request / error bodies built from its tables).
// ---------------------------------------------------------------------------------------------

/// Every fixture file, with the type it is read as: adding a fixture without a test fails here.
fn fixture_round_trip(name: &str) {
    let text = fixture(name);
    match name {
        "create-order-request.json" | "create-order-request-extras.json" => {
            let r: CreateOrderRequest = round_trip(name, &text);
            payspec_runtime::Validate::validate(&r).expect("the example request is valid");
        }
        "create-order-response.json" | "get-order-response.json" => {
            round_trip::<Order>(name, &text);
        }
        "error-code-only.json" | "error-detailed.json" => {
            round_trip::<ErrorResponse>(name, &text);
        }
        "list-orders-request.json" => {
            let r: ListOrdersRequest = round_trip(name, &text);
            payspec_runtime::Validate::validate(&r).expect("the example request is valid");
        }
        "list-orders-response.json" => {
            round_trip::<ListOrdersResponse>(name, &text);
        }
        "me-response.json" => {
            round_trip::<Merchant>(name, &text);
        }
        "order-events-response.json" => {
            round_trip::<OrderEvents>(name, &text);
        }
        "update-account-request.json" => {
            round_trip::<MerchantUpdate>(name, &text);
        }
        other => panic!("fixture {other} is not covered by this test"),
    }
}

#[test]
fn every_fixture_decodes_and_re_encodes_to_an_equal_value() {
    let dir = payspec_tests::root().join("tests/fixtures/onecheckout");
    let names: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .collect();
    assert_eq!(names.len(), 11, "{names:?}");
    for name in &names {
        fixture_round_trip(name);
    }
}

#[test]
fn the_seed_create_order_response_decodes_exactly() {
    let o: Order = round_trip(
        "create-order-response",
        &fixture("create-order-response.json"),
    );
    assert_eq!(o.id, "0001");
    assert_eq!(o.status, OrderStatus::Open);
    assert_eq!(
        o.payment_token.as_ref().map(|t| t.expose().as_str()),
        Some("abc123...")
    );
    assert_eq!(o.amount.unwrap().to_string(), "61.97");
    assert_eq!(o.links.len(), 1);
    assert_eq!(o.links[0].rel, LinkRel::Pay);
    assert_eq!(
        o.links[0].href,
        "https://checkout.onecheckout.com/pay/0001?token=abc123"
    );
    // The token is serialized unchanged (only Debug hides it), and the amount as written.
    let text = serde_json::to_string(&o).unwrap();
    assert!(text.contains(r#""payment_token":"abc123...""#), "{text}");
    assert!(text.contains(r#""amount":61.97"#), "{text}");
}

#[test]
fn the_seed_get_order_response_keeps_amount_and_timestamps_exact() {
    let o: Order = round_trip("get-order-response", &fixture("get-order-response.json"));
    assert_eq!(o.status, OrderStatus::Paid);
    assert_eq!(o.amount, Some(dec("61.97")));
    assert_eq!(o.amount.unwrap().to_string(), "61.97");
    assert_eq!(o.currency.as_deref(), Some("USD"));
    assert_eq!(o.payment_method, Some(PaymentMethod::StripeHosted));
    assert_eq!(o.payment_id.as_deref(), Some("pi_abc123"));

    let created = o.created.unwrap();
    assert_eq!(created, EpochMillis::from_millis(1_729_712_400_000));
    assert_eq!(created.as_millis(), 1_729_712_400_000);
    assert_eq!(created.to_utc(), Some(utc(2024, 10, 23, 19, 40, 0)));
    let paid = o.paid.unwrap();
    assert_eq!(paid.as_millis(), 1_729_712_500_000);
    assert_eq!(paid.to_utc(), Some(utc(2024, 10, 23, 19, 41, 40)));
    assert_eq!(EpochMillis::from_utc(utc(2024, 10, 23, 19, 40, 0)), created);

    let text = serde_json::to_string(&o).unwrap();
    assert!(text.contains(r#""created":1729712400000"#), "{text}");
    assert!(text.contains(r#""paid":1729712500000"#), "{text}");
    assert!(text.contains(r#""amount":61.97"#), "{text}");
}

#[test]
fn the_seed_list_orders_response_decodes_exactly() {
    let page: ListOrdersResponse = round_trip(
        "list-orders-response",
        &fixture("list-orders-response.json"),
    );
    assert_eq!(page.anchor.as_deref(), Some(""));
    assert_eq!(page.limit, Some(50));
    assert_eq!(page.count, Some(125));
    assert_eq!(page.next_anchor.as_deref(), Some("order_id_for_next_page"));
    assert_eq!(page.orders.len(), 1);
    assert_eq!(page.orders[0].id, "0001");
    assert_eq!(page.orders[0].status, OrderStatus::Paid);
    assert_eq!(page.orders[0].amount.unwrap().to_string(), "99.99");
    let text = serde_json::to_string(&page).unwrap();
    assert!(text.contains(r#""amount":99.99"#), "{text}");
    // An empty anchor is kept (not dropped): it re-encodes as "".
    assert!(text.contains(r#""anchor":"""#), "{text}");
}

#[test]
fn the_seed_account_and_events_decode_exactly() {
    let m: Merchant = round_trip("me-response", &fixture("me-response.json"));
    assert_eq!(m.id.as_deref(), Some("merchant_id_uuid"));
    assert_eq!(m.currencies, ["USD", "EUR"]);
    assert_eq!(
        m.payment_methods,
        [PaymentMethod::Paypal, PaymentMethod::StripeHosted]
    );
    let created = m.created.unwrap();
    assert_eq!(created.as_millis(), 1_698_765_432_000);
    assert_eq!(created.to_utc(), Some(utc(2023, 10, 31, 15, 17, 12)));

    let e: OrderEvents = round_trip(
        "order-events-response",
        &fixture("order-events-response.json"),
    );
    assert_eq!(e.events.len(), 2);
    assert_eq!(e.events[0].type_, EventType::PaymentCreated);
    assert_eq!(e.events[1].type_, EventType::PaymentSucceeded);
    assert_eq!(e.events[1].order_id.as_deref(), Some("0001"));
    // 200 ms after the first one: milliseconds are not lost.
    let second = e.events[1].created.unwrap().to_utc().unwrap();
    assert_eq!(
        second,
        utc(2023, 10, 31, 15, 17, 12) + chrono::Duration::milliseconds(200)
    );
}

#[test]
fn requests_built_in_rust_serialize_to_the_example_json() {
    let line = |title: &str, quantity: &str, price: &str| {
        NewOrderLine::new(dec(quantity), title, dec(price))
    };
    let request = CreateOrderRequest::new(
        "USD",
        vec![
            line("Premium T-Shirt", "2", "19.99"),
            line("Coffee Mug", "1", "16.99"),
        ],
    )
    .with_tax_amount(dec("5.00"))
    .with_success_url("https://store.example.com/success")
    .with_cancel_url("https://store.example.com/cancel")
    .with_reference_id("store-order-1001");
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json("create-order-request.json")
    );
    // The tax keeps its scale on the wire: 5.00, not 5 or 5.0.
    assert!(
        serde_json::to_string(&request)
            .unwrap()
            .contains(r#""tax_amount":5.00"#)
    );

    let extras = CreateOrderRequest::new(
        "USD",
        vec![
            line("Premium T-Shirt", "2", "19.99")
                .with_key("premium-tshirt-black-s")
                .with_image_url("https://store.example.com/images/premium-tshirt-black.png")
                .with_compared_price(dec("24.99"))
                .with_properties(vec![
                    OrderLineProperty::new("Color", "Black"),
                    OrderLineProperty::new("Size", "S"),
                ]),
            line("Coffee Mug", "1", "16.99").with_key("coffee-mug-white"),
        ],
    )
    .with_tax_amount(dec("5.00"))
    .with_reference_id("store-order-1002");
    assert_eq!(
        serde_json::to_value(&extras).unwrap(),
        json("create-order-request-extras.json")
    );

    let list = ListOrdersRequest::new()
        .with_limit(50)
        .with_status(OrderStatus::Paid)
        .with_created_hour_from(EpochMillis::from_utc(utc(2024, 10, 23, 0, 0, 0)))
        .with_created_hour_to(EpochMillis::from_utc(utc(2024, 10, 24, 0, 0, 0)));
    assert_eq!(
        serde_json::to_value(&list).unwrap(),
        json("list-orders-request.json")
    );

    // A partial update sends only what is set: no nulls for the rest.
    let phone_only = MerchantUpdate::new().with_phone("+1234567891");
    assert_eq!(
        serde_json::to_string(&phone_only).unwrap(),
        r#"{"phone":"+1234567891"}"#
    );
}

// ---------------------------------------------------------------------------------------------
// The examples embedded in the spec.
// ---------------------------------------------------------------------------------------------

/// Decodes `value` as the schema `schema` names, checking the round trip.
fn spec_example_round_trip(what: &str, schema: &str, value: &Value) {
    match schema {
        "Merchant" => drop(round_trip_value::<Merchant>(what, value)),
        "MerchantUpdate" => drop(round_trip_value::<MerchantUpdate>(what, value)),
        "CreateOrderRequest" => {
            let r: CreateOrderRequest = round_trip_value(what, value);
            payspec_runtime::Validate::validate(&r).expect("the spec's request example is valid");
        }
        "Order" => drop(round_trip_value::<Order>(what, value)),
        "OrderEvents" => drop(round_trip_value::<OrderEvents>(what, value)),
        "ListOrdersRequest" => {
            let r: ListOrdersRequest = round_trip_value(what, value);
            payspec_runtime::Validate::validate(&r).expect("the spec's request example is valid");
        }
        "ListOrdersResponse" => drop(round_trip_value::<ListOrdersResponse>(what, value)),
        "ErrorResponse" => {
            let e: ErrorResponse = round_trip_value(what, value);
            assert!(
                e.code().is_some_and(|c| c.is_known()),
                "{what}: the spec's error examples use documented codes, got {:?}",
                e.code()
            );
        }
        other => panic!("{what}: no type mapped for schema {other}"),
    }
}

/// Every (place, schema name, example value) in the spec's operations.
fn spec_examples(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    let mut media = |place: String, m: &Value| {
        let schema = m["schema"]["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .unwrap_or_else(|| panic!("{place}: no schema $ref"))
            .to_string();
        if let Some(v) = m.get("example") {
            out.push((format!("{place} example"), schema.clone(), v.clone()));
        }
        for (name, ex) in m
            .get("examples")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            out.push((
                format!("{place} {name}"),
                schema.clone(),
                ex["value"].clone(),
            ));
        }
    };
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if let Some(m) = op.pointer("/requestBody/content/application~1json") {
                media(format!("{method} {path} request"), m);
            }
            for (status, r) in op["responses"].as_object().unwrap() {
                if let Some(m) = r.pointer("/content/application~1json") {
                    media(format!("{method} {path} {status}"), m);
                }
            }
        }
    }
    out
}

#[test]
fn every_example_embedded_in_the_spec_round_trips() {
    let doc = spec();
    let examples = spec_examples(&doc);
    // 16 examples: get /me 200 + 400; post /me request + 200 + 400; post /orders 2 requests +
    // 200 + 400; get order 200 + 400; capture 200 + 400; events 200; orders-list request + 200.
    assert_eq!(
        examples.len(),
        16,
        "{:?}",
        examples.iter().map(|e| &e.0).collect::<Vec<_>>()
    );
    for (what, schema, value) in &examples {
        spec_example_round_trip(what, schema, value);
    }
}

/// The spec embeds the seed's examples: each equals its fixture once read into the generated
/// type (YAML numbers carry no scale, `5.00` is read as `5.0`, so the comparison is typed).
#[test]
fn the_spec_embeds_the_fixtures() {
    let doc = spec();
    let ex = |p: &str| -> Value {
        doc.pointer(p)
            .unwrap_or_else(|| panic!("no example at {p}"))
            .clone()
    };
    fn same<T: DeserializeOwned + PartialEq + std::fmt::Debug>(spec: Value, fixture: &str) {
        let a: T = serde_json::from_value(spec).unwrap();
        let b: T = serde_json::from_str(&self::fixture(fixture)).unwrap();
        assert_eq!(a, b, "{fixture}");
    }
    const ME: &str = "/paths/~1me";
    const ORDERS: &str = "/paths/~1orders/post";
    const ORDER: &str = "/paths/~1orders~1{id}";
    const LIST: &str = "/paths/~1orders-list/post";
    const JSON: &str = "content/application~1json/examples";
    same::<Merchant>(
        ex(&format!("{ME}/get/responses/200/{JSON}/seed/value")),
        "me-response.json",
    );
    same::<MerchantUpdate>(
        ex(&format!("{ME}/post/requestBody/{JSON}/allFields/value")),
        "update-account-request.json",
    );
    same::<CreateOrderRequest>(
        ex(&format!("{ORDERS}/requestBody/{JSON}/tableFields/value")),
        "create-order-request.json",
    );
    same::<CreateOrderRequest>(
        ex(&format!("{ORDERS}/requestBody/{JSON}/lineExtras/value")),
        "create-order-request-extras.json",
    );
    same::<Order>(
        ex(&format!("{ORDERS}/responses/200/{JSON}/seed/value")),
        "create-order-response.json",
    );
    same::<ErrorResponse>(
        ex(&format!("{ORDERS}/responses/400/{JSON}/detailed/value")),
        "error-detailed.json",
    );
    same::<Order>(
        ex(&format!("{ORDER}/get/responses/200/{JSON}/seed/value")),
        "get-order-response.json",
    );
    same::<ErrorResponse>(
        ex(&format!("{ORDER}/get/responses/400/{JSON}/codeOnly/value")),
        "error-code-only.json",
    );
    same::<OrderEvents>(
        ex(&format!(
            "{ORDER}~1events/get/responses/200/{JSON}/seed/value"
        )),
        "order-events-response.json",
    );
    same::<ListOrdersRequest>(
        ex(&format!("{LIST}/requestBody/{JSON}/paidOnOneDay/value")),
        "list-orders-request.json",
    );
    same::<ListOrdersResponse>(
        ex(&format!("{LIST}/responses/200/{JSON}/seed/value")),
        "list-orders-response.json",
    );
}

// ---------------------------------------------------------------------------------------------
// Exactness and forward compatibility.
// ---------------------------------------------------------------------------------------------

#[test]
fn amounts_are_exact_both_ways() {
    for text in [
        "61.97",
        "99.99",
        "0.10",
        "5.00",
        "100",
        "79228162514264337593543950335",
    ] {
        let body = format!(r#"{{"amount":{text},"id":"1","status":"PAID","tax_amount":{text}}}"#);
        let o: Order = serde_json::from_str(&body).unwrap();
        assert_eq!(o.amount.unwrap().to_string(), text);
        assert_eq!(o.tax_amount.unwrap().to_string(), text);
        assert_eq!(serde_json::to_string(&o).unwrap(), body);
    }
    // More fraction digits than a decimal holds is refused, not rounded.
    let too_precise = r#"{"id":"1","status":"PAID","amount":0.12345678901234567890123456789}"#;
    assert!(serde_json::from_str::<Order>(too_precise).is_err());
}

#[test]
fn epoch_millis_are_exact_and_fractions_are_refused() {
    for (millis, when) in [
        (1_729_712_400_000_i64, utc(2024, 10, 23, 19, 40, 0)),
        (1_729_712_500_000, utc(2024, 10, 23, 19, 41, 40)),
        (1_698_765_432_000, utc(2023, 10, 31, 15, 17, 12)),
        (0, utc(1970, 1, 1, 0, 0, 0)),
    ] {
        let body = format!(r#"{{"created":{millis},"id":"1","status":"PAID"}}"#);
        let o: Order = serde_json::from_str(&body).unwrap();
        assert_eq!(o.created, Some(EpochMillis::from_millis(millis)));
        assert_eq!(o.created.unwrap().to_utc(), Some(when));
        assert_eq!(serde_json::to_string(&o).unwrap(), body);
    }
    // A millisecond in the middle of a second is kept.
    let t: EpochMillis = serde_json::from_str("1729712400123").unwrap();
    assert_eq!(
        t.to_utc().unwrap(),
        utc(2024, 10, 23, 19, 40, 0) + chrono::Duration::milliseconds(123)
    );
    // Fractional or exponent timestamps are not exact milliseconds: refused, never rounded.
    for bad in [
        "1729712400000.5",
        "1729712400000.0",
        "1.7297124e12",
        "\"1729712400000\"",
    ] {
        let body = format!(r#"{{"created":{bad},"id":"1","status":"PAID"}}"#);
        assert!(
            serde_json::from_str::<Order>(&body).is_err(),
            "{bad} accepted as a timestamp"
        );
        let body =
            format!(r#"{{"events":[{{"id":"e","type":"payment_created","created":{bad}}}]}}"#);
        assert!(serde_json::from_str::<OrderEvents>(&body).is_err(), "{bad}");
    }
    let list = r#"{"created_hour_from":1729641600000.5}"#;
    assert!(serde_json::from_str::<ListOrdersRequest>(list).is_err());
}

#[test]
fn unknown_enum_values_are_kept_and_round_trip() {
    let body = r#"{"id":"0002","links":[{"href":"https://x.example/qr","rel":"qr"}],"payment_gateway":"ADYEN","payment_method":"crypto","status":"PARTIALLY_REFUNDED"}"#;
    let o: Order = round_trip("unknown values", body);
    assert_eq!(o.status, OrderStatus::Unknown("PARTIALLY_REFUNDED".into()));
    assert!(!o.status.is_known());
    assert_eq!(o.status.as_str(), "PARTIALLY_REFUNDED");
    assert_eq!(
        o.payment_method,
        Some(PaymentMethod::Unknown("crypto".into()))
    );
    assert_eq!(
        o.payment_gateway,
        Some(PaymentGateway::Unknown("ADYEN".into()))
    );
    assert_eq!(o.links[0].rel, LinkRel::Unknown("qr".into()));
    assert_eq!(serde_json::to_string(&o).unwrap(), body);

    let e: Event = round_trip(
        "unknown event",
        r#"{"id":"e3","payment_status":"FAILED","type":"payment_refunded"}"#,
    );
    assert_eq!(e.type_, EventType::Unknown("payment_refunded".into()));
    assert_eq!(
        e.payment_status,
        Some(PaymentStatus::Unknown("FAILED".into()))
    );

    // Known values are not mistaken for unknown ones (matching is exact).
    let paid: OrderStatus = serde_json::from_str(r#""PAID""#).unwrap();
    assert_eq!(paid, OrderStatus::Paid);
    let lower: OrderStatus = serde_json::from_str(r#""paid""#).unwrap();
    assert_eq!(lower, OrderStatus::Unknown("paid".into()));
}

#[test]
fn unknown_members_are_ignored() {
    let body = r#"{"id":"0001","status":"PAID","amount":61.97,"gateways":[{"id":"g1"}],
        "brand_new":{"nested":[1,2.5,null]},"shipping":{"city":"Hanoi","floor":3},
        "order_lines":[{"title":"Mug","quantity":1,"unit_price":16.99,"tax_code":"X"}]}"#;
    let o: Order = serde_json::from_str(body).unwrap();
    assert_eq!(o.amount, Some(dec("61.97")));
    assert_eq!(o.shipping.as_ref().unwrap().city.as_deref(), Some("Hanoi"));
    assert_eq!(o.order_lines[0].unit_price, Some(dec("16.99")));
    // What the client knows re-encodes; the unknown members are dropped, not echoed.
    assert_eq!(
        serde_json::to_value(&o).unwrap(),
        serde_json::from_str::<Value>(
            r#"{"id":"0001","status":"PAID","amount":61.97,"shipping":{"city":"Hanoi"},
                "order_lines":[{"title":"Mug","quantity":1,"unit_price":16.99}]}"#
        )
        .unwrap()
    );

    let m: Merchant = serde_json::from_str(
        r#"{"id":"m","updated":1698765432001,"gateways":[{"type":"stripe"}],"delegate_merchant_id":"x"}"#,
    )
    .unwrap();
    assert_eq!(m.updated.unwrap().as_millis(), 1_698_765_432_001);
    let page: ListOrdersResponse =
        serde_json::from_str(r#"{"next_anchor":"","orders":[],"has_more":false}"#).unwrap();
    assert!(page.orders.is_empty());
    let err: ErrorResponse =
        serde_json::from_str(r#"{"error":"id_required","request_id":"r-1"}"#).unwrap();
    assert_eq!(err.code(), Some(ErrorCode::IdRequired));
}

// ---------------------------------------------------------------------------------------------
// Errors.
// ---------------------------------------------------------------------------------------------

#[test]
fn both_error_shapes_decode_and_give_the_typed_code() {
    let detailed: ErrorResponse = round_trip("error-detailed", &fixture("error-detailed.json"));
    assert_eq!(detailed.code(), Some(ErrorCode::ValidationError));
    assert_eq!(
        detailed.error,
        ErrorValue::Detail(
            ErrorDetail::new(ErrorCode::ValidationError)
                .with_message("The request body contains invalid data.")
                .with_details(vec![
                    ErrorFieldIssue::new()
                        .with_field("currency")
                        .with_issue("currency is required")
                ])
        )
    );
    assert_eq!(
        detailed.message().as_deref(),
        Some("The request body contains invalid data.")
    );
    assert_eq!(detailed.details(), ["currency: currency is required"]);

    let bare: ErrorResponse = round_trip("error-code-only", &fixture("error-code-only.json"));
    assert_eq!(bare.code(), Some(ErrorCode::IdRequired));
    assert_eq!(bare.error, ErrorValue::Code(ErrorCode::IdRequired));
    assert_eq!(bare.message().as_deref(), Some("id_required"));
    assert!(bare.details().is_empty());

    // A detailed error without message or details (the spec requires only the code).
    let minimal: ErrorResponse =
        round_trip("minimal", r#"{"error":{"code":"order_status_invalid"}}"#);
    assert_eq!(minimal.code(), Some(ErrorCode::OrderStatusInvalid));
}

#[test]
fn a_new_error_code_is_unknown_in_both_shapes() {
    let bare: ErrorResponse = round_trip("new bare", r#"{"error":"rate_limited"}"#);
    assert_eq!(bare.code(), Some(ErrorCode::Unknown("rate_limited".into())));
    assert_eq!(
        bare.error,
        ErrorValue::Code(ErrorCode::Unknown("rate_limited".into()))
    );
    let detailed: ErrorResponse = round_trip(
        "new detailed",
        r#"{"error":{"code":"card_declined","message":"The card was declined."}}"#,
    );
    assert_eq!(
        detailed.code(),
        Some(ErrorCode::Unknown("card_declined".into()))
    );
    assert_eq!(
        detailed.message().as_deref(),
        Some("The card was declined.")
    );
    // Every documented code parses to its variant.
    for code in ErrorCode::known_values() {
        let e: ErrorResponse =
            serde_json::from_value(serde_json::json!({ "error": code })).unwrap();
        let c = e.code().unwrap();
        assert!(c.is_known(), "{code}");
        assert_eq!(c.as_str(), *code);
    }
}

#[test]
fn a_body_that_is_not_an_error_shape_is_refused() {
    for bad in [
        r#"{}"#,
        r#"{"error":42}"#,
        r#"{"error":{"message":"no code"}}"#,
        r#"{"message":"x"}"#,
    ] {
        assert!(
            serde_json::from_str::<ErrorResponse>(bad).is_err(),
            "{bad} accepted as an ErrorResponse"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The payment token.
// ---------------------------------------------------------------------------------------------

#[test]
fn the_payment_token_is_redacted_in_debug() {
    let body = r#"{"id":"0009","status":"OPEN","payment_token":"tok_live_5ecret_9f8e7d"}"#;
    let o: Order = round_trip("order with token", body);
    for debug in [format!("{o:?}"), format!("{o:#?}")] {
        assert!(!debug.contains("tok_live_5ecret_9f8e7d"), "{debug}");
        assert!(!debug.contains("5ecret"), "{debug}");
        assert!(debug.contains("payment_token"), "{debug}");
        assert!(debug.contains("REDACTED"), "{debug}");
        // The rest of the order is still shown.
        assert!(debug.contains("0009"), "{debug}");
    }
    // Still sent and read back unchanged.
    assert_eq!(
        o.payment_token.as_ref().unwrap().expose(),
        "tok_live_5ecret_9f8e7d"
    );
    assert!(
        serde_json::to_string(&o)
            .unwrap()
            .contains("tok_live_5ecret_9f8e7d")
    );

    // The seed's own order, and an order nested in an event.
    let seed: Order = serde_json::from_str(&fixture("create-order-response.json")).unwrap();
    assert!(!format!("{seed:?}").contains("abc123..."));
    let event: Event = serde_json::from_value(serde_json::json!({
        "id": "e", "type": "payment_created",
        "order": {"id": "0009", "status": "OPEN", "payment_token": "tok_live_5ecret_9f8e7d"}
    }))
    .unwrap();
    assert!(!format!("{event:?}").contains("5ecret"));
}

#[test]
fn descriptions_are_not_cut_by_yaml_comments() {
    // A plain YAML scalar containing ` #` is cut there (YAML reads a comment): descriptions
    // with `#` must be quoted, or the generated docs lose their end.
    let doc = spec();
    let name = doc
        .pointer("/components/schemas/Order/properties/name/description")
        .and_then(Value::as_str)
        .unwrap();
    assert!(
        name.ends_with(r#"Example "Order #0001"."#),
        "the description was cut: {name:?}"
    );
}
