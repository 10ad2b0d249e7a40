//! Prism (`@stoplight/prism-cli`) judges the requests the generated Onecheckout client sends
//! against `specs/onecheckout/openapi.yaml`: every request of every operation (with each
//! accepted credential, with every optional member set) must be accepted, and a request that
//! breaks the spec must be refused (so the judge can fail).

use std::time::Duration;

use futures::StreamExt;
use payspec_onecheckout::types::{
    CreateOrderRequest, ErrorCode, ListOrdersRequest, MerchantUpdate, NewOrderLine,
    OrderLineProperty, OrderStatus,
};
use payspec_onecheckout::{Client, EpochMillis};
use payspec_runtime::Error;
use payspec_tests::Prism;
use serde_json::json;

const SPEC: &str = "specs/onecheckout/openapi.yaml";
const TOKEN: &str = "tok_test_prism";
const API_KEY: &str = "ak_test_prism";

fn fixture<T: serde::de::DeserializeOwned>(name: &str) -> T {
    payspec_tests::fixture_json("onecheckout", name)
}

fn dec(s: &str) -> rust_decimal::Decimal {
    s.parse().unwrap()
}

/// Every member of a create-order request set, every line extra too.
fn full_create_request() -> CreateOrderRequest {
    CreateOrderRequest::new(
        "EUR",
        vec![
            NewOrderLine::new(dec("2"), "Premium T-Shirt", dec("19.99"))
                .with_key("premium-tshirt-black-s")
                .with_image_url("https://store.example.com/images/tshirt.png")
                .with_compared_price(dec("24.99"))
                .with_properties(vec![
                    OrderLineProperty::new("Color", "Black"),
                    OrderLineProperty::new("Size", "S"),
                ]),
            NewOrderLine::new(dec("0.75"), "Flour (by weight)", dec("-1.50")).with_key("flour-kg"),
        ],
    )
    .with_tax_amount(dec("0.00"))
    .with_success_url("https://store.example.com/success")
    .with_cancel_url("https://store.example.com/cancel")
    .with_reference_id("store-order-2001")
}

/// Every filter of a list-orders request set.
fn every_filter() -> ListOrdersRequest {
    ListOrdersRequest::new()
        .with_anchor("order_id_for_next_page")
        .with_limit(1024)
        .with_status(OrderStatus::AwaitingCapture)
        .with_created_hour_from(EpochMillis::from_millis(1_729_641_600_000))
        .with_created_hour_to(EpochMillis::from_millis(1_729_728_000_000))
        .with_updated_hour_from(EpochMillis::from_millis(1_729_641_600_000))
        .with_updated_hour_to(EpochMillis::from_millis(1_729_728_000_000))
        .with_paid_hour_from(EpochMillis::from_millis(1_729_641_600_000))
        .with_paid_hour_to(EpochMillis::from_millis(1_729_728_000_000))
}

#[tokio::test]
async fn prism_accepts_every_request_the_client_sends() {
    let prism = Prism::start(SPEC).await;
    let refused = |what: &str, e: &payspec_onecheckout::Error| -> String {
        format!("{what}: Prism refused the request: {e}\n{}", prism.log())
    };
    let with_token = Client::builder(prism.url())
        .bearer_auth(TOKEN)
        .build()
        .unwrap();
    let with_key = Client::builder(prism.url())
        .api_key_auth(API_KEY)
        .build()
        .unwrap();

    // /me, with each credential it accepts.
    for (name, client) in [("api key", &with_key), ("bearer", &with_token)] {
        let me = client
            .get_account()
            .await
            .unwrap_or_else(|e| panic!("{}", refused(&format!("get_account ({name})"), &e)));
        assert_eq!(me.id.as_deref(), Some("merchant_id_uuid"));
        assert_eq!(me.created.unwrap().as_millis(), 1_698_765_432_000);
        for update in [
            fixture::<MerchantUpdate>("update-account-request.json"),
            MerchantUpdate::new().with_phone("+1234567891"),
            MerchantUpdate::default(),
        ] {
            client
                .update_account(&update)
                .await
                .unwrap_or_else(|e| panic!("{}", refused(&format!("update_account ({name})"), &e)));
        }
    }

    // Orders.
    for (name, request) in [
        (
            "fixture",
            fixture::<CreateOrderRequest>("create-order-request.json"),
        ),
        (
            "extras fixture",
            fixture::<CreateOrderRequest>("create-order-request-extras.json"),
        ),
        ("every member", full_create_request()),
    ] {
        let created = with_token
            .create_order(&request)
            .await
            .unwrap_or_else(|e| panic!("{}", refused(&format!("create_order ({name})"), &e)));
        assert_eq!(created.id, "0001");
        assert_eq!(created.amount.unwrap().to_string(), "61.97");
    }
    let order = with_token
        .get_order("0001")
        .await
        .unwrap_or_else(|e| panic!("{}", refused("get_order", &e)));
    assert_eq!(order.status, OrderStatus::Paid);
    assert_eq!(order.paid.unwrap().as_millis(), 1_729_712_500_000);
    let captured = with_token
        .capture_order("0001")
        .await
        .unwrap_or_else(|e| panic!("{}", refused("capture_order", &e)));
    assert_eq!(captured.status, OrderStatus::Paid);
    let events = with_token
        .list_order_events("0001")
        .await
        .unwrap_or_else(|e| panic!("{}", refused("list_order_events", &e)));
    assert_eq!(events.events.len(), 2);
    for (name, filter) in [
        (
            "fixture",
            fixture::<ListOrdersRequest>("list-orders-request.json"),
        ),
        ("every filter", every_filter()),
        ("no filter", ListOrdersRequest::default()),
    ] {
        let page = with_token
            .list_orders(&filter)
            .await
            .unwrap_or_else(|e| panic!("{}", refused(&format!("list_orders ({name})"), &e)));
        assert_eq!(page.count, Some(125));
    }

    // The stream: its first page, then the anchor it sends for the next one is accepted too.
    // Prism answers every page with the same example (next_anchor "order_id_for_next_page"), so
    // the stream stops with RepeatedCursor after the second page instead of looping.
    let filter = fixture::<ListOrdersRequest>("list-orders-request.json");
    let items: Vec<_> = tokio::time::timeout(
        Duration::from_secs(30),
        with_token.list_orders_stream(&filter).collect::<Vec<_>>(),
    )
    .await
    .expect("the stream ended");
    assert_eq!(items.len(), 3, "{items:?}");
    for item in &items[..2] {
        let order = item
            .as_ref()
            .unwrap_or_else(|e| panic!("{}", refused("list_orders_stream", e)));
        assert_eq!(order.id, "0001");
        assert_eq!(order.amount.unwrap().to_string(), "99.99");
    }
    assert!(
        matches!(&items[2], Err(Error::RepeatedCursor { cursor, pages: 2 }) if cursor == "order_id_for_next_page"),
        "{:?}",
        items[2]
    );
}

#[tokio::test]
async fn prism_refuses_what_the_spec_forbids() {
    let prism = Prism::start(SPEC).await;
    let http = reqwest::Client::new();
    let post = |path: &str, body: serde_json::Value, token: bool| {
        let mut r = http.post(format!("{}{path}", prism.url())).json(&body);
        if token {
            r = r.bearer_auth(TOKEN);
        }
        r.send()
    };
    let status = |r: reqwest::Result<reqwest::Response>| r.unwrap().status().as_u16();
    // Prism answers an invalid request with the operation's documented 400 (else 422).
    let valid = fixture::<serde_json::Value>("create-order-request.json");
    let mut no_currency = valid.clone();
    no_currency.as_object_mut().unwrap().remove("currency");
    assert_eq!(status(post("/orders", no_currency, true).await), 400);
    let mut no_lines = valid.clone();
    no_lines["order_lines"] = json!([]);
    assert_eq!(status(post("/orders", no_lines, true).await), 400);
    let mut long_currency = valid.clone();
    long_currency["currency"] = json!("USDT");
    assert_eq!(status(post("/orders", long_currency, true).await), 400);
    assert_eq!(
        status(post("/orders-list", json!({"limit": 2000}), true).await),
        400
    );
    assert_eq!(
        status(post("/orders-list", json!({"limit": 0}), true).await),
        400
    );
    // No credentials.
    assert_eq!(status(post("/orders", valid.clone(), false).await), 401);
    let me = http.get(format!("{}/me", prism.url())).send().await;
    assert_eq!(status(me), 401);
    // The controls: the same requests, valid, are accepted.
    assert_eq!(status(post("/orders", valid, true).await), 200);
    assert_eq!(
        status(post("/orders-list", json!({"limit": 1024}), true).await),
        200
    );
    let me = http
        .get(format!("{}/me", prism.url()))
        .header("x-api-key", API_KEY)
        .send()
        .await;
    assert_eq!(status(me), 200);

    // Refused for the reasons meant, not by accident.
    let log = prism.log();
    for reason in [
        "must have required property 'currency'",
        "order_lines must NOT have fewer than 1 items",
        "currency must NOT have more than 3 characters",
        "limit must be <= 1024",
        "limit must be >= 1",
        "Invalid security scheme used",
    ] {
        assert!(
            log.contains(reason),
            "Prism did not report {reason:?}:\n{log}"
        );
    }

    // And the client itself, pointed at the judge without a bearer token, sends nothing that
    // could be refused: it fails before sending.
    let client = Client::builder(prism.url())
        .api_key_auth(API_KEY)
        .build()
        .unwrap();
    let err = client.get_order("0001").await.unwrap_err();
    assert!(matches!(err, Error::MissingCredential { .. }), "{err:?}");
    // A refused request comes back as the typed error Prism built from the spec's example.
    let err = Client::builder(prism.url())
        .bearer_auth(TOKEN)
        .build()
        .unwrap()
        .raw()
        .create_order(
            &fixture::<CreateOrderRequest>("create-order-request.json").with_currency("US"),
        )
        .await
        .map(|_| ())
        .unwrap_err();
    let err = payspec_runtime::from_progenitor(err, None).await;
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err:?}");
    assert_eq!(
        err.api_body().and_then(|b| b.code()),
        Some(ErrorCode::ValidationError)
    );
}
