//! The generated n1co client against a real HTTP server on loopback: what goes on the wire
//! (method, path, headers, body) and how every answer is decoded (values and typed errors).

use std::time::Duration;

use payspec_n1co::types::{CreatePaymentLinkRequest, OrderStatus};
use payspec_n1co::{Client, RetryPolicy, Server};
use payspec_runtime::Error;
use payspec_tests::{Scripted, ScriptedServer};
use serde_json::json;

const KEY: &str = "sk_live_very_secret_value";

fn fixture(name: &str) -> serde_json::Value {
    payspec_tests::fixture_json("n1co", name)
}

fn client(url: &str) -> Client {
    Client::builder(url)
        .bearer_auth(KEY)
        .retry(RetryPolicy {
            initial_backoff: Duration::from_millis(10),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap()
}

fn amount_request() -> CreatePaymentLinkRequest {
    serde_json::from_value(fixture("create_request_amount.json")).unwrap()
}

#[tokio::test]
async fn create_sends_the_exact_request_and_decodes_200() {
    let server = ScriptedServer::start(vec![Scripted::json(
        200,
        fixture("create_response_200.json"),
    )])
    .await;
    let created = client(&server.url())
        .create_payment_link(&amount_request())
        .await
        .unwrap();
    assert_eq!(created.order_code, "ABC123");
    assert_eq!(created.order_id, 21566);

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.uri.path(), "/paymentlink/checkout");
    assert_eq!(
        r.header("authorization").as_deref(),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(r.header("accept").as_deref(), Some("application/json"));
    assert_eq!(
        r.header("api-version"),
        None,
        "progenitor's api-version header is not part of this API"
    );
    assert!(r.header("user-agent").unwrap().starts_with("payspec-n1co/"));
    assert_eq!(r.json(), fixture("create_request_amount.json"));
    // The amount travels as the exact number the caller gave.
    assert!(String::from_utf8_lossy(&r.body).contains(r#""amount":100"#));
}

#[tokio::test]
async fn get_order_uses_the_path_and_escapes_the_code() {
    // Raw text: `json!` would turn 35.00 into an f64.
    let order = r#"{"orderId": 1, "orderCode": "PL/1 ?", "orderStatus": "PAID", "total": 35.00}"#;
    let server = ScriptedServer::start(vec![Scripted {
        status: 200,
        headers: Vec::new(),
        body: order.into(),
    }])
    .await;
    let got = client(&server.url()).get_order("PL/1 ?").await.unwrap();
    assert_eq!(got.order_status, OrderStatus::Paid);
    assert_eq!(got.total.value().unwrap().to_string(), "35.00");
    let r = &server.requests()[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.uri.path(), "/paymentlink/order/PL%2F1%20%3F");
    assert!(r.body.is_empty());
}

#[tokio::test]
async fn a_400_is_a_typed_error_with_title_and_field_errors() {
    let server = ScriptedServer::start(vec![Scripted::json(400, fixture("error_400.json"))]).await;
    let err = client(&server.url())
        .create_payment_link(&amount_request())
        .await
        .unwrap_err();
    match &err {
        Error::Api { status, body, .. } => {
            assert_eq!(status.as_u16(), 400);
            assert_eq!(
                body.title.as_deref(),
                Some("One or more validation errors occurred.")
            );
            assert_eq!(
                body.errors.value().unwrap()["amount"][0],
                "The amount must be greater than 0."
            );
        }
        other => panic!("expected Api, got {other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("400"), "{text}");
    assert!(
        text.contains("One or more validation errors occurred."),
        "{text}"
    );
    assert!(
        text.contains("amount: The amount must be greater than 0."),
        "{text}"
    );
    assert!(!text.contains(KEY) && !format!("{err:?}").contains(KEY));
}

#[tokio::test]
async fn a_500_is_a_typed_error() {
    let server = ScriptedServer::start(vec![Scripted::json(500, fixture("error_500.json"))]).await;
    let err = client(&server.url())
        .create_payment_link(&amount_request())
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(
        err.api_body().unwrap().title.as_deref(),
        Some("An error occurred while processing your request.")
    );
    assert!(
        err.to_string()
            .contains("An error occurred while processing your request.")
    );
}

#[tokio::test]
async fn an_undocumented_answer_keeps_the_raw_body() {
    let server = ScriptedServer::start(vec![Scripted::text(401, "Unauthorized: bad key")]).await;
    let err = client(&server.url()).get_order("PL-1").await.unwrap_err();
    match &err {
        Error::UnexpectedResponse { status, body, .. } => {
            assert_eq!(status.as_u16(), 401);
            assert_eq!(&body[..], b"Unauthorized: bad key");
        }
        other => panic!("expected UnexpectedResponse, got {other:?}"),
    }
    assert_eq!(err.raw_body(), Some(&b"Unauthorized: bad key"[..]));
}

#[tokio::test]
async fn a_success_body_that_does_not_parse_is_a_decode_error_with_the_raw_body() {
    let server = ScriptedServer::start(vec![Scripted::text(200, "<html>maintenance</html>")]).await;
    let err = client(&server.url()).get_order("PL-1").await.unwrap_err();
    assert!(matches!(&err, Error::Decode { .. }), "{err:?}");
    assert_eq!(err.raw_body(), Some(&b"<html>maintenance</html>"[..]));
}

#[tokio::test]
async fn create_is_never_retried() {
    let server = ScriptedServer::start(vec![
        Scripted::text(503, "busy"),
        Scripted::json(200, fixture("create_response_200.json")),
    ])
    .await;
    let err = client(&server.url())
        .create_payment_link(&amount_request())
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(
        server.requests().len(),
        1,
        "a create must not be sent twice"
    );
}

#[tokio::test]
async fn get_order_is_retried_on_transient_failures() {
    let order = json!({"orderId": 1, "orderCode": "PL-1", "orderStatus": "PENDING"});
    let server = ScriptedServer::start(vec![
        Scripted::text(503, "busy"),
        Scripted::text(429, "slow down").with_header("retry-after", "0"),
        Scripted::json(200, order),
    ])
    .await;
    let got = client(&server.url()).get_order("PL-1").await.unwrap();
    assert_eq!(got.order_status, OrderStatus::Pending);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn without_a_key_nothing_is_sent() {
    let server = ScriptedServer::start(Vec::new()).await;
    let client = Client::builder(server.url()).build().unwrap();
    let err = client.get_order("PL-1").await.unwrap_err();
    assert!(
        matches!(&err, Error::MissingCredential { operation: "get_order", needed } if needed == &["bearerAuth"]),
        "{err:?}"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn timeouts_are_on_by_default_and_typed() {
    // A listener that accepts and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let _hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    let client = Client::builder(url)
        .bearer_auth(KEY)
        .timeout(Duration::from_millis(300))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.get_order("PL-1").await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
}

#[test]
fn the_key_never_appears_in_debug_output() {
    let client = Client::builder(Server::Sandbox.url())
        .bearer_auth(KEY)
        .build()
        .unwrap();
    let debug = format!("{client:?}");
    assert!(!debug.contains(KEY), "{debug}");
    assert!(!debug.contains("very_secret"), "{debug}");
    let builder = Client::builder(Server::Sandbox.url()).bearer_auth(KEY);
    assert!(!format!("{builder:?}").contains(KEY));
}

#[test]
fn servers_are_the_documented_ones() {
    assert_eq!(Server::Production.url(), "https://api-pay.n1co.shop/api");
    assert_eq!(
        Server::Sandbox.url(),
        "https://api-pay-sandbox.n1co.shop/api"
    );
    let client = Client::builder(Server::Sandbox.url())
        .bearer_auth(KEY)
        .build()
        .unwrap();
    assert_eq!(client.base_url(), "https://api-pay-sandbox.n1co.shop/api");
}

#[test]
fn a_bad_base_url_or_key_is_refused_without_echoing_the_key() {
    assert!(
        Client::builder("not a url")
            .bearer_auth(KEY)
            .build()
            .is_err()
    );
    let err = Client::builder(Server::Sandbox.url())
        .bearer_auth("bad\nkey-secret")
        .build()
        .unwrap_err();
    assert!(!err.to_string().contains("key-secret"), "{err}");
}
