//! Every rule of the n1co spec is checked before anything is sent, with an error naming the field.

use payspec_n1co::types::{CreatePaymentLinkRequest, LineItem, OneTimeProduct};
use payspec_n1co::{Client, Validate};
use payspec_runtime::Error;
use payspec_tests::ScriptedServer;

fn dec(s: &str) -> rust_decimal::Decimal {
    s.parse().unwrap()
}

fn one_time(name: &str) -> OneTimeProduct {
    OneTimeProduct::new(name, dec("15.00"))
}

fn by_amount() -> CreatePaymentLinkRequest {
    CreatePaymentLinkRequest::new().with_amount(dec("10.50"))
}

fn item(sku: Option<&str>, product: Option<OneTimeProduct>, quantity: i32) -> LineItem {
    let mut item = LineItem::new(quantity);
    item.sku = sku.map(Into::into);
    item.product = product;
    item
}

/// The violations of a request, as `path: message` lines.
fn violations(request: &CreatePaymentLinkRequest) -> Vec<String> {
    match request.validate() {
        Ok(()) => Vec::new(),
        Err(e) => e
            .violations
            .iter()
            .map(|v| format!("{}: {}", v.path, v.message))
            .collect(),
    }
}

fn assert_rejected(request: CreatePaymentLinkRequest, path: &str, needle: &str) {
    let found = violations(&request);
    assert!(
        found
            .iter()
            .any(|v| v.starts_with(&format!("{path}: ")) && v.contains(needle)),
        "expected a violation at {path} containing {needle:?}, got {found:?}"
    );
}

#[test]
fn valid_requests_pass() {
    assert!(violations(&by_amount()).is_empty());
    let r = CreatePaymentLinkRequest::new()
        .with_line_items(vec![
            item(Some("PIZZA-001"), None, 1),
            item(None, Some(one_time("Roman")), 3),
        ])
        .with_order_name("x".repeat(255))
        .with_order_reference("r".repeat(255))
        .with_order_description("d".repeat(2048))
        .with_expiration_minutes(1);
    assert!(violations(&r).is_empty(), "{:?}", violations(&r));
}

#[test]
fn exactly_one_of_amount_or_line_items() {
    let both = by_amount().with_line_items(vec![item(Some("A"), None, 1)]);
    let found = violations(&both);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("exactly one of `amount` or `lineItems`"),
        "{found:?}"
    );
    let neither = CreatePaymentLinkRequest::default();
    let found = violations(&neither);
    assert!(
        found
            .iter()
            .any(|v| v.contains("exactly one of `amount` or `lineItems`")),
        "{found:?}"
    );
}

#[test]
fn exactly_one_of_sku_or_product_in_each_line_item() {
    let both = CreatePaymentLinkRequest::new().with_line_items(vec![
        item(Some("A"), None, 1),
        item(Some("B"), Some(one_time("P")), 1),
    ]);
    assert_rejected(both, "lineItems[1]", "exactly one of `sku` or `product`");
    let neither = CreatePaymentLinkRequest::new().with_line_items(vec![item(None, None, 1)]);
    assert_rejected(neither, "lineItems[0]", "exactly one of `sku` or `product`");
}

#[test]
fn length_limits() {
    assert_rejected(
        by_amount().with_order_reference("r".repeat(256)),
        "orderReference",
        "255",
    );
    assert_rejected(
        by_amount().with_order_name("n".repeat(256)),
        "orderName",
        "255",
    );
    assert_rejected(
        by_amount().with_order_description("d".repeat(2049)),
        "orderDescription",
        "2048",
    );
    let mut p = one_time("P");
    p.image_url = Some(format!("https://x.test/{}", "i".repeat(500)));
    assert_rejected(
        CreatePaymentLinkRequest::new().with_line_items(vec![item(None, Some(p), 1)]),
        "lineItems[0].product.imageUrl",
        "512",
    );
}

#[test]
fn lengths_count_utf16_units_like_the_service() {
    // 128 emoji are 128 code points but 256 UTF-16 units: over the 255 limit for .NET.
    let r = by_amount().with_order_name("🍕".repeat(128));
    assert_rejected(r, "orderName", "255");
}

#[test]
fn ranges() {
    assert_rejected(
        CreatePaymentLinkRequest::new().with_amount(dec("0")),
        "amount",
        "greater than 0",
    );
    assert_rejected(
        CreatePaymentLinkRequest::new().with_amount(dec("-1.00")),
        "amount",
        "greater than 0",
    );
    assert!(violations(&CreatePaymentLinkRequest::new().with_amount(dec("0.01"))).is_empty());
    assert_rejected(
        CreatePaymentLinkRequest::new().with_line_items(vec![item(Some("A"), None, 0)]),
        "lineItems[0].quantity",
        "at least 1",
    );
    assert_rejected(
        by_amount().with_expiration_minutes(0),
        "expirationMinutes",
        "at least 1",
    );
}

#[tokio::test]
async fn an_invalid_request_is_never_sent() {
    let server = ScriptedServer::start(Vec::new()).await;
    let client = Client::builder(server.url())
        .bearer_auth("sk_test")
        .build()
        .unwrap();
    let err = client
        .create_payment_link(&CreatePaymentLinkRequest::default())
        .await
        .unwrap_err();
    match &err {
        Error::Validation(v) => assert!(v.violations[0].message.contains("exactly one of"), "{v}"),
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert!(
        err.to_string()
            .contains("exactly one of `amount` or `lineItems`"),
        "{err}"
    );
    let err = client.get_order("").await.unwrap_err();
    assert!(
        matches!(&err, Error::Validation(v) if v.violations[0].path == "orderCode"),
        "{err:?}"
    );
    assert!(server.requests().is_empty(), "nothing may reach the server");
}
