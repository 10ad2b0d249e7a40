//! No secret leaves for a host the user did not configure.
//!
//! Every generated client, against a loopback server that answers 301, 302, 303, 307 and 308:
//! to another port (another origin), to another path on the same origin, and with a relative
//! `Location`. The call ends in a typed [`Error::Redirect`] with the status and the target
//! (its query removed), the server that was asked sees exactly one request (no retry, no
//! follow), and the target sees nothing: no card number, CVV, account number or ProcessOne
//! authentication key is re-sent anywhere. Reads that are retried on transient failures are
//! covered as well as money-moving writes, and so are ProcessOne's two wire formats and 1-CP's
//! streamed multipart upload.
//!
//! Then the base URL rules: `https://` anywhere, plain `http://` only on loopback unless the
//! user opts in by name (`danger_allow_plain_http`), and no credentials in the URL.

// The builders' `Result<Client, payspec_runtime::Error<()>>` is what users get; the test's
// closures return it as it is.
#![allow(clippy::result_large_err)]

use std::future::Future;

use payspec_runtime::{BaseUrlError, Error, ErrorBody};
use payspec_tests::{Scripted, ScriptedServer};
use serde_json::json;

const CARD: &str = "4111111111111111";
const CVV: &str = "737";
const ACCOUNT: &str = "000123456789";
const KEY: &str = "p1-live-authentication-key-0042";
const TOKEN: &str = "sk_live_secret_bearer_token";
const ONECP_SECRET: &str = "onecp-client-secret-991";

const SECRETS: [&str; 6] = [CARD, CVV, ACCOUNT, KEY, TOKEN, ONECP_SECRET];

const REDIRECTS: [u16; 5] = [301, 302, 303, 307, 308];

/// Where a redirect points.
#[derive(Clone, Copy, Debug)]
enum Target {
    /// Another loopback port: another origin.
    OtherOrigin,
    /// Another path on the server that was asked, as an absolute URL.
    SameOrigin,
    /// Another path on the server that was asked, as a relative reference.
    Relative,
}

const TARGETS: [Target; 3] = [Target::OtherOrigin, Target::SameOrigin, Target::Relative];

/// What a call's error said, with its `Debug` and `Display` for the secret checks.
struct Seen {
    status: Option<u16>,
    location: Option<String>,
    text: String,
}

fn seen<T, E: ErrorBody + std::fmt::Debug>(result: Result<T, Error<E>>) -> Seen {
    let Err(e) = result else {
        panic!("the call succeeded through a redirect");
    };
    let text = format!("{e} | {e:?} | {e:#?}");
    match e {
        Error::Redirect { status, location } => Seen {
            status: Some(status.as_u16()),
            location,
            text,
        },
        _ => Seen {
            status: None,
            location: None,
            text,
        },
    }
}

/// Runs `call` against a server that redirects with `status` to `target`, and checks that the
/// caller got [`Error::Redirect`], the server one request, and the target nothing.
async fn check<F, Fut>(name: &str, call: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Seen>,
{
    for status in REDIRECTS {
        for target in TARGETS {
            let elsewhere = ScriptedServer::start(vec![Scripted::json(200, json!({})); 4]).await;
            let asked = ScriptedServer::start(Vec::new()).await;
            let (location, expected) = match target {
                Target::OtherOrigin => {
                    let l = format!("{}/collect?session=abc", elsewhere.url());
                    (l, format!("{}/collect", elsewhere.url()))
                }
                Target::SameOrigin => {
                    let l = format!("{}/moved/here?key=1", asked.url());
                    (l, format!("{}/moved/here", asked.url()))
                }
                Target::Relative => ("/moved/here?key=1".to_string(), "/moved/here".to_string()),
            };
            // More answers than the call needs, so a follow-up to the same origin would be
            // answered (and counted) rather than fail for want of a script.
            for _ in 0..4 {
                asked.push(Scripted {
                    status,
                    headers: vec![("location".into(), location.clone())],
                    body: "{}".into(),
                });
            }
            let what = format!("{name}: {status} to {target:?}");
            let result = call(asked.url()).await;
            assert_eq!(result.status, Some(status), "{what}: {}", result.text);
            assert_eq!(
                result.location.as_deref(),
                Some(expected.as_str()),
                "{what}"
            );
            let requests = asked.requests();
            assert_eq!(requests.len(), 1, "{what}: {requests:?}");
            assert!(
                !requests[0].uri.path().starts_with("/moved"),
                "{what}: followed to {}",
                requests[0].uri
            );
            assert!(
                elsewhere.requests().is_empty(),
                "{what}: the other origin received a request"
            );
            // The servers' own URLs are in the text by design (a port can contain "737").
            let text = result
                .text
                .replace(&elsewhere.url(), "")
                .replace(&asked.url(), "");
            for secret in SECRETS {
                assert!(
                    !text.contains(secret),
                    "{what}: {secret} in {}",
                    result.text
                );
            }
        }
    }
}

mod processone {
    use super::*;
    use payspec_processone::client::BuildError;
    use payspec_processone::contracts::credit_card::{ChargeCreditCardRequest, CreditCardDetails};
    use payspec_processone::contracts::eft::{DebitEftRequest, EftDetails};
    use payspec_processone::contracts::transaction::GetTransactionByIdRequest;
    use payspec_processone::{Client, ClientBuilder, Decimal, WireFormat};

    fn client(url: &str, format: WireFormat) -> Client {
        ClientBuilder::with_base_url(url)
            .authentication_key(KEY)
            .format(format)
            .build()
            .unwrap()
    }

    fn charge() -> ChargeCreditCardRequest {
        ChargeCreditCardRequest::new()
            .with_amount("20.00".parse::<Decimal>().unwrap())
            .with_credit_card(
                CreditCardDetails::new()
                    .with_number(CARD)
                    .with_validation_value(CVV)
                    .with_expiration_month(12)
                    .with_expiration_year(2030),
            )
    }

    fn debit() -> DebitEftRequest {
        DebitEftRequest::new()
            .with_amount("10.00".parse::<Decimal>().unwrap())
            .with_eft_details(
                EftDetails::new()
                    .with_account_number(ACCOUNT)
                    .with_routing_number("121042882")
                    .with_customer_name("Jane Doe"),
            )
    }

    #[tokio::test]
    async fn redirects_are_reported_never_followed() {
        for format in [WireFormat::Json, WireFormat::Xml] {
            check(&format!("ProcessOne {format:?} charge"), |url| async move {
                seen(client(&url, format).charge_credit_card(charge()).await)
            })
            .await;
            check(
                &format!("ProcessOne {format:?} EFT debit"),
                |url| async move { seen(client(&url, format).debit_eft(debit()).await) },
            )
            .await;
            // A read, which is retried on transient failures: a redirect is not one.
            check(&format!("ProcessOne {format:?} lookup"), |url| async move {
                let lookup = GetTransactionByIdRequest::new().with_transaction_id("42");
                seen(client(&url, format).get_transaction_by_id(lookup).await)
            })
            .await;
        }
    }

    #[test]
    fn plain_http_only_on_loopback_or_by_name() {
        let build = |url: &str| {
            ClientBuilder::with_base_url(url)
                .authentication_key(KEY)
                .build()
        };
        for ok in [
            "https://stgapiprocessone.oneincsystems.com",
            "http://127.0.0.1:4104",
            "http://localhost:4104",
            "http://[::1]:4104",
        ] {
            build(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        let err = build("http://processone.example.com").unwrap_err();
        assert!(
            matches!(&err, BuildError::InvalidBaseUrl(BaseUrlError::PlainHttp { host }) if host == "processone.example.com"),
            "{err:?}"
        );
        assert!(err.to_string().contains("danger_allow_plain_http"), "{err}");
        ClientBuilder::with_base_url("http://processone.example.com")
            .authentication_key(KEY)
            .danger_allow_plain_http()
            .build()
            .unwrap();
        let err = build(&format!("https://merchant:{KEY}@processone.example.com")).unwrap_err();
        assert!(
            matches!(&err, BuildError::InvalidBaseUrl(BaseUrlError::UserInfo)),
            "{err:?}"
        );
        assert!(!format!("{err} {err:?}").contains(KEY), "{err:?}");
    }
}

mod onecheckout {
    use super::*;
    use payspec_onecheckout::Client;
    use payspec_onecheckout::types::CreateOrderRequest;

    fn client(url: &str) -> Client {
        Client::builder(url).bearer_auth(TOKEN).build().unwrap()
    }

    #[tokio::test]
    async fn redirects_are_reported_never_followed() {
        let order: CreateOrderRequest = serde_json::from_str(&payspec_tests::fixture_text(
            "onecheckout",
            "create-order-request.json",
        ))
        .unwrap();
        check("Onecheckout create", |url| {
            let order = order.clone();
            async move { seen(client(&url).create_order(&order).await) }
        })
        .await;
        check("Onecheckout read", |url| async move {
            seen(client(&url).get_order("ord_1").await)
        })
        .await;
    }

    #[test]
    fn plain_http_only_on_loopback_or_by_name() {
        let build = |url: &str| Client::builder(url).bearer_auth(TOKEN).build();
        build("http://127.0.0.1:4102").unwrap();
        build("https://api.onecheckout.example").unwrap();
        let err = build("http://api.onecheckout.example").unwrap_err();
        assert!(
            matches!(&err, Error::InvalidBaseUrl(BaseUrlError::PlainHttp { .. })),
            "{err:?}"
        );
        Client::builder("http://api.onecheckout.example")
            .bearer_auth(TOKEN)
            .danger_allow_plain_http()
            .build()
            .unwrap();
        let err = build("https://user:hunter2@api.onecheckout.example").unwrap_err();
        assert!(
            matches!(&err, Error::InvalidBaseUrl(BaseUrlError::UserInfo)),
            "{err:?}"
        );
        assert!(!format!("{err} {err:?}").contains("hunter2"));
    }
}

mod n1co {
    use super::*;
    use payspec_n1co::Client;
    use payspec_n1co::types::CreatePaymentLinkRequest;

    fn client(url: &str) -> Client {
        Client::builder(url).bearer_auth(TOKEN).build().unwrap()
    }

    #[tokio::test]
    async fn redirects_are_reported_never_followed() {
        let link: CreatePaymentLinkRequest = serde_json::from_str(&payspec_tests::fixture_text(
            "n1co",
            "create_request_amount.json",
        ))
        .unwrap();
        check("n1co create link", |url| {
            let link = link.clone();
            async move { seen(client(&url).create_payment_link(&link).await) }
        })
        .await;
        check("n1co read", |url| async move {
            seen(client(&url).get_order("PL-001").await)
        })
        .await;
    }

    #[test]
    fn plain_http_only_on_loopback_or_by_name() {
        let build = |url: &str| Client::builder(url).bearer_auth(TOKEN).build();
        build("http://localhost:4103/api").unwrap();
        build(payspec_n1co::Server::Sandbox.url()).unwrap();
        let err = build("http://api-pay.n1co.shop/api").unwrap_err();
        assert!(
            matches!(&err, Error::InvalidBaseUrl(BaseUrlError::PlainHttp { .. })),
            "{err:?}"
        );
        Client::builder("http://api-pay.n1co.shop/api")
            .bearer_auth(TOKEN)
            .danger_allow_plain_http()
            .build()
            .unwrap();
    }
}

mod onecp {
    use super::*;
    use payspec_onecp::multipart::CancelContractForm;
    use payspec_onecp::types::CorporateCheckout;
    use payspec_onecp::{Client, FilePart};

    fn client(url: &str) -> Client {
        Client::builder(url)
            .basic_auth("onecp-client", ONECP_SECRET)
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn redirects_are_reported_never_followed() {
        let checkout: CorporateCheckout = serde_json::from_str(&payspec_tests::fixture_text(
            "onecp",
            "initialize-request.json",
        ))
        .unwrap();
        check("1-CP initialize", |url| {
            let checkout = checkout.clone();
            async move { seen(client(&url).initialize_transaction(&checkout).await) }
        })
        .await;
        check("1-CP multipart cancel", |url| async move {
            let mut form = CancelContractForm::new("contract-1");
            form.items_order = vec![0];
            form.file = Some(
                FilePart::from_bytes(format!("invoice for card {CARD}").into_bytes())
                    .file_name("invoice.txt")
                    .content_type("text/plain"),
            );
            seen(client(&url).cancel_contract(form).await)
        })
        .await;
        check("1-CP read", |url| async move {
            seen(client(&url).get_status().await)
        })
        .await;
    }

    #[test]
    fn plain_http_only_on_loopback_or_by_name() {
        let build = |url: &str| {
            Client::builder(url)
                .basic_auth("onecp-client", ONECP_SECRET)
                .build()
        };
        build("http://127.0.0.1:4101").unwrap();
        let err = build("http://onecp.example.com").unwrap_err();
        assert!(
            matches!(&err, Error::InvalidBaseUrl(BaseUrlError::PlainHttp { .. })),
            "{err:?}"
        );
        Client::builder("http://onecp.example.com")
            .basic_auth("onecp-client", ONECP_SECRET)
            .danger_allow_plain_http()
            .build()
            .unwrap();
    }
}
