//! `payspec-demo`: one real flow per provider through the generated clients, printing each step.
//!
//! ```text
//! payspec-demo                                        # every provider, on an in-process sandbox
//! payspec-demo --provider NAME                        # one provider, on an in-process sandbox
//! payspec-demo --provider NAME --base-url URL         # one provider, against another server
//! ```
//!
//! `NAME` is `processone`, `onecheckout`, `n1co` or `onecp`. With `--base-url` the flow runs
//! against a sandbox started elsewhere (`cargo run --bin payspec-sandbox` prints the URLs), with
//! the sandbox's test credentials: the flows pay, close batches and configure webhooks through the
//! sandbox's own routes (`/sandbox/...`), which stand in for the payer and the merchant's
//! dashboard and which the real providers do not have.
//!
//! Each step checks what the provider's documentation says should happen (a declined test card
//! is declined, a penalty is withheld from the refund, the webhook's signature verifies); the
//! exit status is 0 only if every step did.

use std::fmt::Display;
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::HeaderMap;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use payspec_sandbox::{Credentials, Sandbox};

const PROVIDERS: [&str; 4] = ["processone", "onecheckout", "n1co", "onecp"];

const USAGE: &str = "\
usage: payspec-demo [--provider NAME [--base-url URL]]

Runs one real flow per provider through the generated clients and checks each step against
what the provider documents; exits 0 only if every step did.

options:
  --provider NAME   only this provider: processone, onecheckout, n1co or onecp
  --base-url URL    run against a sandbox started elsewhere (payspec-sandbox prints the URLs)
                    instead of an in-process one; needs --provider
  -h, --help        this text
";

type Step<T = ()> = Result<T, String>;

struct Args {
    provider: Option<String>,
    base_url: Option<String>,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut parsed = Args {
        provider: None,
        base_url: None,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .filter(|v| !v.starts_with("--"))
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--provider" => {
                let name = value()?;
                if !PROVIDERS.contains(&name.as_str()) {
                    return Err(format!(
                        "unknown provider {name:?}: one of {}",
                        PROVIDERS.join(", ")
                    ));
                }
                parsed.provider = Some(name.clone());
            }
            "--base-url" => parsed.base_url = Some(value()?.trim_end_matches('/').to_owned()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if parsed.base_url.is_some() && parsed.provider.is_none() {
        return Err("--base-url needs --provider (a base URL serves one provider)".into());
    }
    Ok(parsed)
}

/// Where one provider's flow runs.
struct Target {
    base_url: String,
    credentials: Credentials,
}

/// The sandbox's test credentials, for a server given by `--base-url`.
fn test_credentials(provider: &str) -> Credentials {
    use payspec_sandbox::{n1co, onecheckout, onecp, processone};
    let (id, secret, api_key, webhook_secret) = match provider {
        "onecp" => (onecp::CLIENT_ID, onecp::CLIENT_SECRET, None, None),
        "onecheckout" => (
            "",
            onecheckout::TEST_TOKEN,
            Some(onecheckout::TEST_API_KEY),
            None,
        ),
        "n1co" => (
            "",
            n1co::TEST_SECRET_KEY,
            None,
            Some(n1co::TEST_WEBHOOK_SECRET),
        ),
        _ => ("", processone::TEST_AUTHENTICATION_KEY, None, None),
    };
    Credentials {
        id: id.to_owned(),
        secret: secret.to_owned(),
        api_key: api_key.map(str::to_owned),
        webhook_secret: webhook_secret.map(str::to_owned),
    }
}

fn say(label: &str, detail: impl Display) {
    println!("  {label:<40} {detail}");
}

/// What a response said besides its body: status, request id, the headers' count.
fn metadata(meta: &payspec_runtime::ResponseMeta) -> String {
    format!(
        "HTTP {}, request id {}, {} headers",
        meta.status().as_u16(),
        meta.request_id().unwrap_or("(none documented)"),
        meta.headers().len()
    )
}

fn expect(condition: bool, what: impl Display) -> Step {
    if condition {
        Ok(())
    } else {
        Err(format!("unexpected: {what}"))
    }
}

fn dec(text: &str) -> Decimal {
    // Literals of this file only.
    Decimal::from_str(text).unwrap_or_default()
}

fn fail<E: std::fmt::Debug>(what: &str) -> impl FnOnce(E) -> String + '_ {
    move |e| format!("{what}: {e:?}")
}

/// A sandbox-only route (POST/PUT with a JSON body), answered with JSON.
async fn sandbox_call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    bearer: Option<&str>,
    body: Value,
) -> Step<Value> {
    let mut request = http.request(method, url).json(&body);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(fail(url))?;
    let status = response.status();
    let text = response.text().await.map_err(fail(url))?;
    if !status.is_success() {
        return Err(format!("{url} answered {status}: {text}"));
    }
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(&text).map_err(fail(url))
}

// ---- ProcessOne ---------------------------------------------------------------------------------

async fn processone(target: &Target, format: payspec_processone::WireFormat) -> Step {
    use payspec_processone::contracts::credit_card::{
        ChargeCreditCardRequest, CreditCardDetails, RefundCreditCardRequest, SaveCreditCardRequest,
    };
    use payspec_processone::contracts::data_contracts::{ClientReferenceData, Customer};
    use payspec_processone::contracts::transaction::GetTransactionByIdRequest;
    use payspec_processone::{ClientBuilder, Error, ResponseCode};

    let client = ClientBuilder::with_base_url(&target.base_url)
        .authentication_key(target.credentials.secret.as_str())
        .format(format)
        .build()
        .map_err(fail("client"))?;
    // Duplicate detection (same amount, last four and ClientReferenceData1 within 2 minutes)
    // would refuse a second run's charges: each run and format has its own policy number.
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let policy = format!("POL-{stamp}-{format:?}");
    let reference = |policy: &str| ClientReferenceData::new().with_client_reference_data1(policy);
    let card = |number: &str| {
        CreditCardDetails::new()
            .with_number(number)
            .with_expiration_month(12)
            .with_expiration_year(2031)
            .with_validation_value("123")
            .with_holder(
                Customer::new()
                    .with_name("Jane Doe")
                    .with_zip("98101")
                    .with_address("1 Main St"),
            )
    };

    let saved = client
        .save_credit_card(
            SaveCreditCardRequest::new()
                .with_credit_card(card("4111111111111111"))
                .with_customer_id("customer-42")
                .with_client_reference_data(reference(&policy)),
        )
        .await
        .map_err(fail("save the card"))?;
    let token = saved.token.clone().ok_or("the saved card has no token")?;
    say("save Visa 4111…1111", format!("Success, token {token}"));

    let charge = client
        .charge_credit_card(
            ChargeCreditCardRequest::new()
                .with_token(token.clone())
                .with_amount(dec("25.00"))
                .with_charge_fee(true)
                .with_customer_id("customer-42")
                .with_client_reference_data(reference(&policy)),
        )
        .await
        .map_err(fail("charge the saved card"))?;
    let charged = charge
        .transaction_id
        .clone()
        .ok_or("the charge has no transaction id")?;
    say(
        "charge 25.00 to the token (with fee)",
        format!(
            "Success, transaction {charged}, posted {}, batch {}",
            charge
                .posted_amount
                .map_or_else(|| "?".to_owned(), |a| a.to_string()),
            charge.batch_number
        ),
    );

    let declined = client
        .charge_credit_card(
            ChargeCreditCardRequest::new()
                .with_credit_card(card("4444444444444448"))
                .with_amount(dec("3.00"))
                .with_charge_fee(false)
                .with_client_reference_data(reference(&format!("{policy}-declined"))),
        )
        .await;
    match declined {
        Err(Error::Api { body, .. }) if body.code == Some(ResponseCode::Declined) => say(
            "charge 3.00 to test card 4444…4448",
            format!(
                "Declined, as the test data says ({})",
                body.message.unwrap_or_default()
            ),
        ),
        other => return Err(format!("the declined test card answered {other:?}")),
    }

    let http = reqwest::Client::new();
    let closed = sandbox_call(
        &http,
        reqwest::Method::POST,
        &format!("{}/sandbox/batches/close", target.base_url),
        None,
        Value::Null,
    )
    .await?;
    say(
        "close the batch (sandbox)",
        format!(
            "batch {} closed with {} transaction(s)",
            closed["batchNumber"], closed["transactions"]
        ),
    );

    let refund = client
        .refund_credit_card(
            RefundCreditCardRequest::new()
                .with_transaction_id(charged.clone())
                .with_partial_refund_amount(dec("10.00")),
        )
        .await
        .map_err(fail("refund"))?;
    say(
        "refund 10.00 of the charge",
        format!(
            "Success, transaction {}",
            refund.transaction_id.unwrap_or_default()
        ),
    );

    let found = client
        .get_transaction_by_id(
            GetTransactionByIdRequest::new().with_transaction_id(charged.clone()),
        )
        .timeout(Duration::from_secs(60))
        .header("X-Correlation-Id", "demo-lookup")
        .send_with_metadata()
        .await
        .map_err(fail("look the charge up"))?;
    say("  (per-call timeout and header)", metadata(found.meta()));
    let info = found
        .into_output()
        .transaction_information
        .ok_or("the look-up answered no transaction")?;
    expect(
        info.transaction_id.as_deref() == Some(charged.as_str()),
        "the look-up found another transaction",
    )?;
    say(
        "look the charge up by id",
        format!(
            "{:?} {:?}, {} of {}",
            info.transaction_type,
            info.transaction_status,
            info.posted_amount,
            info.original_amount
        ),
    );
    Ok(())
}

// ---- Onecheckout --------------------------------------------------------------------------------

async fn onecheckout(target: &Target) -> Step {
    use payspec_onecheckout::Client;
    use payspec_onecheckout::types::{
        CreateOrderRequest, LinkRel, ListOrdersRequest, NewOrderLine, OrderStatus,
    };

    let client = Client::builder(&target.base_url)
        .bearer_auth(target.credentials.secret.as_str())
        .build()
        .map_err(fail("client"))?;
    let line = |title: &str, quantity: &str, price: &str| {
        NewOrderLine::new(dec(quantity), title, dec(price))
    };
    let order = client
        .create_order(
            &CreateOrderRequest::new(
                "USD",
                vec![
                    line("Premium T-Shirt", "2", "19.99"),
                    line("Coffee Mug", "1", "16.99"),
                ],
            )
            .with_reference_id("demo-order-1")
            .with_success_url("https://store.example.com/thanks")
            .with_tax_amount(dec("5.00")),
        )
        .await
        .map_err(fail("create the order"))?;
    expect(order.amount == Some(dec("61.97")), "the order's amount")?;
    say(
        "create an order (2 lines + 5.00 tax)",
        format!(
            "{} {}, {}, amount {}",
            order.id,
            order.name.as_deref().unwrap_or(""),
            order.status,
            order.amount.unwrap_or_default()
        ),
    );

    let pay_link = order
        .links
        .iter()
        .find(|l| l.rel == LinkRel::Pay)
        .map(|l| l.href.clone())
        .ok_or("the order has no pay link")?;
    let http = reqwest::Client::new();
    let paid = sandbox_call(
        &http,
        reqwest::Method::POST,
        &pay_link,
        None,
        json!({"capture": "manual"}),
    )
    .await?;
    expect(
        paid["status"] == "AWAITING_CAPTURE",
        "the paid order's status",
    )?;
    say(
        "the payer pays through the pay link",
        format!(
            "{}, via {}",
            paid["status"].as_str().unwrap_or("?"),
            paid["payment_method"].as_str().unwrap_or("?")
        ),
    );

    let captured = client
        .capture_order(&order.id)
        .await
        .map_err(fail("capture"))?;
    expect(captured.status == OrderStatus::Paid, "the captured status")?;
    say("capture", &captured.status);

    let page = client
        .list_orders(&ListOrdersRequest::new().with_status(OrderStatus::Paid))
        .timeout(Duration::from_secs(60))
        .header("X-Correlation-Id", "demo-list")
        .send_with_metadata()
        .await
        .map_err(fail("list"))?;
    say("  (per-call timeout and header)", metadata(page.meta()));
    let page = page.into_output();
    expect(
        page.orders.iter().any(|o| o.id == order.id),
        "the paid order is not listed",
    )?;
    say(
        "list the PAID orders",
        format!(
            "{} order(s), this one among them",
            page.count.unwrap_or_default()
        ),
    );
    let events = client
        .list_order_events(&order.id)
        .await
        .map_err(fail("events"))?;
    let kinds: Vec<String> = events.events.iter().map(|e| e.type_.to_string()).collect();
    say("the order's events", kinds.join(", "));
    Ok(())
}

// ---- n1co ---------------------------------------------------------------------------------------

/// A webhook as received: the headers and the exact bytes.
type Received = (HeaderMap, Bytes);

/// Receives webhooks on loopback; the URL to configure and the stream of what arrives.
async fn webhook_receiver() -> Step<(String, mpsc::UnboundedReceiver<Received>)> {
    let (tx, rx) = mpsc::unbounded_channel::<Received>();
    let tx = Arc::new(tx);
    let app = axum::Router::new().route(
        "/webhooks/n1co",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let tx = tx.clone();
            async move {
                let _ = tx.send((headers, body));
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(fail("bind the webhook receiver"))?;
    let addr = listener.local_addr().map_err(fail("receiver address"))?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((format!("http://{addr}/webhooks/n1co"), rx))
}

async fn n1co(target: &Target) -> Step {
    use payspec_n1co::Client;
    use payspec_n1co::types::{CreatePaymentLinkRequest, LineItem, OneTimeProduct};
    use payspec_n1co::webhooks::OrderEventWebhook;

    let secret = target
        .credentials
        .webhook_secret
        .clone()
        .ok_or("no webhook secret")?;
    let (hook_url, mut hooks) = webhook_receiver().await?;
    let http = reqwest::Client::new();
    sandbox_call(
        &http,
        reqwest::Method::PUT,
        &format!("{}/sandbox/webhook", target.base_url),
        Some(&target.credentials.secret),
        json!({ "url": hook_url }),
    )
    .await?;
    say("point the webhooks at a local receiver", &hook_url);

    let client = Client::builder(&target.base_url)
        .bearer_auth(target.credentials.secret.as_str())
        .build()
        .map_err(fail("client"))?;
    let item = |name: &str, price: &str, quantity: i32| {
        LineItem::new(quantity).with_product(OneTimeProduct::new(name, dec(price)))
    };
    let link = client
        .create_payment_link(
            &CreatePaymentLinkRequest::new()
                .with_order_name("Pizza Integration")
                .with_order_description("A delicious pizza order")
                .with_line_items(vec![
                    item("Italian Pizza", "15", 2),
                    item("Roman Pizza", "20", 3),
                ])
                .with_expiration_minutes(30),
        )
        .await
        .map_err(fail("create the link"))?;
    say(
        "create a payment link (2 × 15 + 3 × 20)",
        format!("order {}, {}", link.order_code, link.payment_link_url),
    );
    let order = client
        .get_order(&link.order_code)
        .timeout(Duration::from_secs(60))
        .send_with_metadata()
        .await
        .map_err(fail("read the order"))?;
    say("  (per-call timeout)", metadata(order.meta()));
    let order = order.into_output();
    expect(order.total.value() == Some(&dec("90")), "the order's total")?;
    say(
        "read the order",
        format!(
            "{}, total {}",
            order.order_status,
            order.total.into_value().unwrap_or_default()
        ),
    );

    sandbox_call(
        &http,
        reqwest::Method::POST,
        &link.payment_link_url,
        None,
        json!({"buyer": {"name": "John Doe", "email": "john.doe@example.com", "phone": "+504 9999-9999"}}),
    )
    .await?;
    let order = client
        .get_order(&link.order_code)
        .await
        .map_err(fail("read the order"))?;
    say(
        "the payer pays through the link",
        format!(
            "{}, authorization {}",
            order.order_status,
            order
                .payment
                .as_ref()
                .and_then(|p| p.authorization_code.value().cloned())
                .unwrap_or_default()
        ),
    );

    let verifier = OrderEventWebhook::new(secret.as_bytes());
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let (headers, body) = tokio::time::timeout(Duration::from_secs(10), hooks.recv())
            .await
            .map_err(|_| format!("only {} webhook(s) arrived", seen.len()))?
            .ok_or("the webhook receiver stopped")?;
        let event = verifier
            .verify_request(&headers, &body)
            .map_err(fail("verify the webhook"))?;
        let mut tampered = body.to_vec();
        tampered.extend_from_slice(b" ");
        expect(
            verifier.verify_request(&headers, &tampered).is_err(),
            "a tampered body verified",
        )?;
        say(
            "receive a webhook",
            format!(
                "{} for order {}: X-H4B-Hmac-Sha256 verified (a tampered copy is rejected)",
                event.type_.as_ref().map_or("?", |t| t.as_str()),
                event.order_id.into_value().unwrap_or_default()
            ),
        );
        seen.push(event.type_);
    }
    Ok(())
}

// ---- 1-CP ---------------------------------------------------------------------------------------

async fn onecp(target: &Target) -> Step {
    use payspec_onecp::Client;
    use payspec_onecp::types::{CancelTransactionRequest, CorporateCheckout};

    let c = &target.credentials;
    let client = Client::builder(&target.base_url)
        .basic_auth(&c.id, c.secret.as_str())
        .build()
        .map_err(fail("client"))?;
    let status = client
        .get_status()
        .header("X-Correlation-Id", "demo-status")
        .send_with_metadata()
        .await
        .map_err(fail("status"))?;
    say("service status", &status.output().status);
    say("  (per-call header)", metadata(status.meta()));

    // A hotel whose policy withholds 25 % once 2024-01-01 has passed, and a train ticket
    // without a policy (refunded in full).
    let checkout: CorporateCheckout = serde_json::from_value(json!({
        "currency": "EUR",
        "title": "Team offsite",
        "items": [
            {
                "name": "Hotel Berlin, 2 nights",
                "category": "ACCOMMODATION",
                "price": "300.00",
                "cancellationPolicy": {
                    "reference": "PAYMENT_DATE",
                    "penalties": [{
                        "type": "DATE_PENALTY",
                        "until": "2024-01-01T00:00:00Z",
                        "value": {"amount": 25, "unit": "PERCENTAGE"}
                    }]
                }
            },
            {"name": "Train FRA-BER", "category": "RAIL", "price": "80.00"}
        ]
    }))
    .map_err(fail("the checkout"))?;
    let id = client
        .initialize_transaction(&checkout)
        .await
        .map_err(fail("initialize"))?
        .transaction_id;
    say(
        "initialize a checkout (hotel + train)",
        format!("transaction {id}"),
    );

    let http = reqwest::Client::new();
    sandbox_call(
        &http,
        reqwest::Method::POST,
        &format!("{}/sandbox/transactions/{id}/pay", target.base_url),
        None,
        json!({}),
    )
    .await?;
    let status = client
        .get_transaction_status(&id)
        .await
        .map_err(fail("status"))?;
    say("the traveller pays (sandbox)", &status.status);

    let cancelled = client
        .cancel_transaction(&id, &CancelTransactionRequest::default())
        .await
        .map_err(fail("cancel"))?;
    say("cancel every item", &cancelled.status);
    // The sandbox's state, read with the runtime's exact decimals (a `serde_json::Value` would
    // read its amounts as f64).
    #[derive(serde::Deserialize)]
    struct Item {
        name: String,
        #[serde(with = "payspec_runtime::decimal::number")]
        total: Decimal,
        #[serde(default, with = "payspec_runtime::decimal::number_opt")]
        penalty: Option<Decimal>,
        #[serde(default, with = "payspec_runtime::decimal::number_opt")]
        refund: Option<Decimal>,
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct State {
        items: Vec<Item>,
        #[serde(with = "payspec_runtime::decimal::number")]
        refund_total: Decimal,
        currency: String,
    }
    let text = http
        .get(format!("{}/sandbox/transactions/{id}", target.base_url))
        .send()
        .await
        .map_err(fail("sandbox state"))?
        .text()
        .await
        .map_err(fail("sandbox state"))?;
    let state: State = serde_json::from_str(&text).map_err(fail("sandbox state"))?;
    let shown = |d: Option<Decimal>| d.map_or("null".to_string(), |d| d.to_string());
    for item in &state.items {
        say(
            &format!("  {}", item.name),
            format!(
                "total {}, penalty {}, refund {}",
                item.total,
                shown(item.penalty),
                shown(item.refund)
            ),
        );
    }
    // 225.00 for the hotel (300.00 less the 25 % penalty) and 80.00 for the train, exactly.
    expect(
        state.refund_total == dec("305"),
        format!("refund total {}", state.refund_total),
    )?;
    say(
        "refunded",
        format!("{} {}", state.refund_total, state.currency),
    );
    Ok(())
}

// ---- main ---------------------------------------------------------------------------------------

async fn run(provider: &str, target: &Target) -> Step {
    match provider {
        "processone" => {
            println!("OneInc ProcessOne, JSON ({})", target.base_url);
            processone(target, payspec_processone::WireFormat::Json).await?;
            println!("OneInc ProcessOne, XML ({})", target.base_url);
            processone(target, payspec_processone::WireFormat::Xml).await
        }
        "onecheckout" => {
            println!("Onecheckout ({})", target.base_url);
            onecheckout(target).await
        }
        "n1co" => {
            println!("n1co CheckoutLink ({})", target.base_url);
            n1co(target).await
        }
        _ => {
            println!("1-CP Corporate Checkout ({})", target.base_url);
            onecp(target).await
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let args = match parse_args(&args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("payspec-demo: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // Kept alive until the end: dropping it stops the in-process sandbox.
    let mut sandbox: Option<Sandbox> = None;
    let mut targets = Vec::new();
    match (&args.provider, &args.base_url) {
        (Some(provider), Some(base_url)) => targets.push((
            provider.clone(),
            Target {
                base_url: base_url.clone(),
                credentials: test_credentials(provider),
            },
        )),
        _ => {
            let started = match Sandbox::start().await {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("payspec-demo: cannot start the sandbox: {e}");
                    return ExitCode::FAILURE;
                }
            };
            for p in started.providers() {
                if args.provider.as_deref().is_none_or(|only| only == p.name) {
                    targets.push((
                        p.name.to_owned(),
                        Target {
                            base_url: p.base_url.clone(),
                            credentials: p.credentials.clone(),
                        },
                    ));
                }
            }
            targets.sort_by_key(|(name, _)| PROVIDERS.iter().position(|p| p == name));
            sandbox = Some(started);
        }
    }
    let mut failed = Vec::new();
    for (provider, target) in &targets {
        if let Err(e) = run(provider, target).await {
            println!("  FAILED: {e}");
            failed.push(provider.as_str());
        }
        println!();
    }
    drop(sandbox);
    if failed.is_empty() {
        println!("every flow ran as documented");
        ExitCode::SUCCESS
    } else {
        println!("failed: {}", failed.join(", "));
        ExitCode::FAILURE
    }
}
