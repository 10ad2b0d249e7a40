//! A census of the ways a secret can leave a program that uses the generated clients, one test
//! per way, each with known secret values: card numbers, a CVV, a bank account number, the
//! ProcessOne authentication key (which travels inside the body), bearer tokens, an API key and
//! a Basic secret, right and wrong.
//!
//! | way out | test |
//! |---|---|
//! | `Debug` of builders, clients, request contracts and errors | [`debug_never_shows_a_secret`] |
//! | `Display` of every error a call can end in | [`error_messages_never_show_a_secret`] |
//! | panic messages (`unwrap`, `expect`, `assert_eq!` on requests) | [`panic_messages_never_show_a_secret`] |
//! | logs and tracing of the whole client stack (`log` and `tracing`, TRACE level, reqwest's verbose mode asked for) | [`logs_and_tracing_never_show_a_secret`] |
//! | the sandbox binary's output and its answers to malformed bodies | [`the_sandbox_never_prints_or_echoes_a_secret`] |
//! | redirects (a body re-sent to another host) | `tests/tests/redirects.rs` |
//! | the codec CLI's error output | `tests/tests/processone_codec_cli.rs` |
//!
//! Every flow runs against the in-process sandbox through the generated clients, in both of
//! ProcessOne's formats, and includes failures (declined cards, wrong keys, 401s), since error
//! paths are where secrets usually escape.

use std::fmt::{Debug, Write as _};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use payspec_processone::contracts::credit_card::{ChargeCreditCardRequest, CreditCardDetails};
use payspec_processone::contracts::data_contracts::{ClientReferenceData, Customer};
use payspec_processone::contracts::eft::{DebitEftRequest, EftDetails};
use payspec_processone::contracts::enums::EftAccountType;
use payspec_processone::{ClientBuilder, WireFormat};
use payspec_sandbox::Sandbox;
use payspec_sandbox::processone::TEST_AUTHENTICATION_KEY;
use rust_decimal::Decimal;

/// The sandbox's Visa test card that is approved.
const CARD: &str = "4111111111111111";
/// A test card the sandbox declines.
const DECLINED_CARD: &str = "4444444444444141";
const CVV: &str = "737";
/// The sandbox's EFT test account.
const ACCOUNT: &str = "1234567890";
/// A ProcessOne key the sandbox does not know.
const WRONG_KEY: &str = "p1-wrong-key-census-5150";
/// Wrong bearer and Basic secrets.
const WRONG_TOKEN: &str = "sk_live_wrong_token_census_77";

/// Every secret value of the census, the sandbox's own credentials included.
fn secrets(sb: &Sandbox) -> Vec<String> {
    let mut all: Vec<String> = [CARD, DECLINED_CARD, CVV, ACCOUNT, WRONG_KEY, WRONG_TOKEN]
        .into_iter()
        .map(String::from)
        .collect();
    all.push(TEST_AUTHENTICATION_KEY.to_string());
    for p in sb.providers() {
        all.push(p.credentials.secret.clone());
        all.extend(p.credentials.api_key.clone());
    }
    all
}

/// The secrets `text` contains. An all-digit secret counts only where no digit touches it, so
/// a port or an id that happens to contain "737" is not a leak; the card numbers are long
/// enough for that never to matter.
fn leaks(text: &str, secrets: &[String]) -> Vec<String> {
    secrets
        .iter()
        .filter(|s| {
            let digits = s.bytes().all(|b| b.is_ascii_digit());
            text.match_indices(s.as_str()).any(|(at, _)| {
                !digits
                    || (!text[..at].ends_with(|c: char| c.is_ascii_digit())
                        && !text[at + s.len()..].starts_with(|c: char| c.is_ascii_digit()))
            })
        })
        .cloned()
        .collect()
}

#[test]
fn the_leak_check_finds_secrets() {
    let all: Vec<String> = [CARD, CVV, WRONG_KEY].map(String::from).to_vec();
    assert_eq!(leaks(r#"{"Number":"4111111111111111"}"#, &all), vec![CARD]);
    assert_eq!(leaks("cvv 737.", &all), vec![CVV]);
    assert_eq!(leaks("key=p1-wrong-key-census-5150", &all), vec![WRONG_KEY]);
    assert!(leaks("http://127.0.0.1:37377/ id 17370", &all).is_empty());
}

fn assert_clean(what: &str, text: &str, secrets: &[String]) {
    let found = leaks(text, secrets);
    assert!(found.is_empty(), "{what} shows {found:?}:\n{text}");
}

// ---- requests ------------------------------------------------------------------------------------

fn card(number: &str) -> CreditCardDetails {
    CreditCardDetails::new()
        .with_expiration_month(12)
        .with_expiration_year(2031)
        .with_holder(Customer::new().with_name("John Stevens").with_zip("12345"))
        .with_number(number)
        .with_validation_value(CVV)
}

fn unique_ref() -> ClientReferenceData {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    ClientReferenceData::new()
        .with_client_reference_data1(format!("CENSUS-{}", NEXT.fetch_add(1, Ordering::Relaxed)))
}

fn charge(number: &str) -> ChargeCreditCardRequest {
    // The client replaces it with its own key; a value here must not show either. A request
    // built in Rust cannot carry a key, so this one is read from JSON (`ChargeFee` as
    // `Default` has it: true).
    let keyed: ChargeCreditCardRequest = serde_json::from_str(&format!(
        r#"{{"AuthenticationKey":"{WRONG_KEY}","ChargeFee":true}}"#
    ))
    .unwrap();
    assert_eq!(
        keyed.authentication_key().map(|k| k.expose().as_str()),
        Some(WRONG_KEY)
    );
    keyed
        .with_amount("10.00".parse::<Decimal>().unwrap())
        .with_credit_card(card(number))
        .with_client_reference_data(unique_ref())
}

fn debit() -> DebitEftRequest {
    DebitEftRequest::new()
        .with_amount("10.00".parse::<Decimal>().unwrap())
        .with_eft_details(
            EftDetails::new()
                .with_account_number(ACCOUNT)
                .with_customer_name("John Stevens")
                .with_routing_number("121042882")
                .with_type(EftAccountType::Checking),
        )
        .with_client_reference_data(unique_ref())
}

fn fixture<T: serde::de::DeserializeOwned>(provider: &str, name: &str) -> T {
    let path = format!(
        "{}/../tests/fixtures/{provider}/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A `reqwest` builder that asks for reqwest's verbose connection logging (every byte at TRACE
/// level): the generated clients must switch it off.
fn verbose() -> reqwest::ClientBuilder {
    reqwest::Client::builder().connection_verbose(true)
}

// ---- the flows -----------------------------------------------------------------------------------

/// Every error a flow ended in, as `Display`, `Debug` and pretty `Debug`, and the panic message
/// an `unwrap()` of it gives.
#[derive(Default)]
struct Outcomes {
    texts: Vec<(String, String)>,
    panics: Vec<(String, String)>,
}

impl Outcomes {
    fn record<T, E: std::fmt::Display + Debug>(&mut self, what: &str, result: Result<T, E>) {
        quiet_expected_panics();
        let Err(e) = &result else { return };
        self.texts
            .push((what.into(), format!("{e} | {e:?} | {e:#?}")));
        let payload = std::panic::catch_unwind(AssertUnwindSafe(|| {
            result.expect(EXPECTED_PANIC);
        }))
        .expect_err("expect() on an Err panics");
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        self.panics.push((what.into(), message));
    }
}

/// Calls of every provider against the sandbox, successes and failures, with HTTP clients that
/// ask for verbose logging.
async fn flows(sb: &Sandbox) -> Outcomes {
    let mut out = Outcomes::default();
    for format in [WireFormat::Json, WireFormat::Xml] {
        let client = ClientBuilder::with_base_url(&sb.processone.base_url)
            .authentication_key(TEST_AUTHENTICATION_KEY)
            .format(format)
            .http_client_builder(verbose())
            .build()
            .unwrap();
        client.charge_credit_card(charge(CARD)).await.unwrap();
        client.debit_eft(debit()).await.unwrap();
        out.record(
            &format!("ProcessOne {format:?} declined"),
            client.charge_credit_card(charge(DECLINED_CARD)).await,
        );
        let wrong = ClientBuilder::with_base_url(&sb.processone.base_url)
            .authentication_key(WRONG_KEY)
            .format(format)
            .http_client_builder(verbose())
            .build()
            .unwrap();
        out.record(
            &format!("ProcessOne {format:?} wrong key"),
            wrong.charge_credit_card(charge(CARD)).await,
        );
        out.record(
            &format!("ProcessOne {format:?} wrong key, EFT"),
            wrong.debit_eft(debit()).await,
        );
    }

    let oc = &sb.onecheckout;
    let order: payspec_onecheckout::types::CreateOrderRequest =
        fixture("onecheckout", "create-order-request.json");
    let client = payspec_onecheckout::Client::builder(&oc.base_url)
        .bearer_auth(oc.credentials.secret.as_str())
        .http_client_builder(verbose())
        .build()
        .unwrap();
    client.create_order(&order).await.unwrap();
    out.record(
        "Onecheckout unknown order",
        client.get_order("ord_none").await,
    );
    let wrong = payspec_onecheckout::Client::builder(&oc.base_url)
        .bearer_auth(WRONG_TOKEN)
        .api_key_auth(WRONG_TOKEN)
        .http_client_builder(verbose())
        .build()
        .unwrap();
    out.record("Onecheckout wrong token", wrong.create_order(&order).await);
    out.record("Onecheckout wrong API key", wrong.get_account().await);

    let link: payspec_n1co::types::CreatePaymentLinkRequest =
        fixture("n1co", "create_request_amount.json");
    let client = payspec_n1co::Client::builder(&sb.n1co.base_url)
        .bearer_auth(sb.n1co.credentials.secret.as_str())
        .http_client_builder(verbose())
        .build()
        .unwrap();
    client.create_payment_link(&link).await.unwrap();
    out.record("n1co unknown order", client.get_order("PL-NONE").await);
    let wrong = payspec_n1co::Client::builder(&sb.n1co.base_url)
        .bearer_auth(WRONG_TOKEN)
        .http_client_builder(verbose())
        .build()
        .unwrap();
    out.record("n1co wrong token", wrong.create_payment_link(&link).await);

    let checkout: payspec_onecp::types::CorporateCheckout =
        fixture("onecp", "initialize-request.json");
    let c = &sb.onecp.credentials;
    let client = payspec_onecp::Client::builder(&sb.onecp.base_url)
        .basic_auth(&c.id, c.secret.as_str())
        .http_client_builder(verbose())
        .build()
        .unwrap();
    client.initialize_transaction(&checkout).await.unwrap();
    let wrong = payspec_onecp::Client::builder(&sb.onecp.base_url)
        .basic_auth(&c.id, WRONG_TOKEN)
        .http_client_builder(verbose())
        .build()
        .unwrap();
    out.record(
        "1-CP wrong secret",
        wrong.initialize_transaction(&checkout).await,
    );
    out
}

/// The panics these tests provoke on purpose (their message starts with [`EXPECTED_PANIC`])
/// are not printed; every other panic is, as usual.
fn quiet_expected_panics() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = info
                .payload()
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| info.payload().downcast_ref::<&str>().copied())
                .unwrap_or_default();
            if !message.starts_with(EXPECTED_PANIC) {
                default(info);
            }
        }));
    });
}

const EXPECTED_PANIC: &str = "the call failed";

// ---- capture of logs and tracing -----------------------------------------------------------------

/// Everything the `log` and `tracing` facades received in this test binary.
static RECORDS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

static CAPTURE: Capture = Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let line = format!(
            "log {} {}: {}",
            record.level(),
            record.target(),
            record.args()
        );
        RECORDS.lock().unwrap().push(line);
    }

    fn flush(&self) {}
}

/// Formats every field of a span or event.
struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

static SPAN_IDS: AtomicU64 = AtomicU64::new(1);

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }

    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut fields = Fields(format!("span {}:", span.metadata().name()));
        span.record(&mut fields);
        RECORDS.lock().unwrap().push(fields.0);
        tracing::span::Id::from_u64(SPAN_IDS.fetch_add(1, Ordering::Relaxed))
    }

    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut fields = Fields("span record:".into());
        values.record(&mut fields);
        RECORDS.lock().unwrap().push(fields.0);
    }

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = Fields(format!("event {}:", event.metadata().target()));
        event.record(&mut fields);
        RECORDS.lock().unwrap().push(fields.0);
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

fn install_capture() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        log::set_logger(&CAPTURE).expect("the only logger of this test binary");
        log::set_max_level(log::LevelFilter::Trace);
        tracing::subscriber::set_global_default(Capture).expect("the only subscriber");
    });
}

// ---- the census ----------------------------------------------------------------------------------

#[tokio::test]
async fn debug_never_shows_a_secret() {
    let sb = Sandbox::start().await.unwrap();
    let all = secrets(&sb);
    let mut shown = Vec::new();

    let p1 = ClientBuilder::with_base_url(&sb.processone.base_url)
        .authentication_key(TEST_AUTHENTICATION_KEY)
        .http_client_builder(verbose().default_headers({
            let mut h = reqwest::header::HeaderMap::new();
            h.insert("x-census", WRONG_TOKEN.parse().unwrap());
            h
        }));
    shown.push(format!("{p1:?} {p1:#?}"));
    let p1 = p1.build().unwrap();
    shown.push(format!("{p1:?} {p1:#?}"));
    let (c, d) = (charge(CARD), debit());
    shown.push(format!("{c:?} {c:#?} {d:?} {d:#?}"));

    let oc = &sb.onecheckout;
    let b = payspec_onecheckout::Client::builder(&oc.base_url)
        .bearer_auth(oc.credentials.secret.as_str())
        .api_key_auth(oc.credentials.api_key.clone().unwrap());
    shown.push(format!("{b:?} {b:#?}"));
    let b = b.build().unwrap();
    shown.push(format!("{b:?} {b:#?}"));

    let b = payspec_n1co::Client::builder(&sb.n1co.base_url)
        .bearer_auth(sb.n1co.credentials.secret.as_str());
    shown.push(format!("{b:?} {b:#?}"));
    let b = b.build().unwrap();
    shown.push(format!("{b:?} {b:#?}"));

    let c = &sb.onecp.credentials;
    let b = payspec_onecp::Client::builder(&sb.onecp.base_url).basic_auth(&c.id, c.secret.as_str());
    shown.push(format!("{b:?} {b:#?}"));
    let b = b.build().unwrap();
    shown.push(format!("{b:?} {b:#?}"));

    // Error values of every kind the flows end in.
    let outcomes = flows(&sb).await;
    shown.extend(outcomes.texts.into_iter().map(|(w, t)| format!("{w}: {t}")));

    for text in &shown {
        assert_clean("Debug", text, &all);
    }
}

#[tokio::test]
async fn error_messages_never_show_a_secret() {
    let sb = Sandbox::start().await.unwrap();
    let all = secrets(&sb);
    let outcomes = flows(&sb).await;
    // Every failure the flows provoke did fail.
    assert_eq!(outcomes.texts.len(), 12, "{:?}", outcomes.texts);
    for (what, text) in &outcomes.texts {
        assert_clean(what, text, &all);
    }

    // A credential that cannot travel in a header: refused without repeating it.
    let bad = format!("{WRONG_TOKEN}\n");
    let e = payspec_n1co::Client::builder(&sb.n1co.base_url)
        .bearer_auth(bad.as_str())
        .build()
        .unwrap_err();
    assert_clean("bad header", &format!("{e} {e:?}"), &all);
    // A base URL with a password: refused without repeating it.
    let e = payspec_onecheckout::Client::builder(format!("https://u:{WRONG_TOKEN}@example.com"))
        .build()
        .unwrap_err();
    assert_clean("base URL", &format!("{e} {e:?}"), &all);
    let e = ClientBuilder::with_base_url(format!("https://u:{WRONG_KEY}@example.com"))
        .authentication_key(WRONG_KEY)
        .build()
        .unwrap_err();
    assert_clean("ProcessOne base URL", &format!("{e} {e:?}"), &all);
}

#[tokio::test]
async fn panic_messages_never_show_a_secret() {
    let sb = Sandbox::start().await.unwrap();
    let all = secrets(&sb);
    let outcomes = flows(&sb).await;
    assert!(!outcomes.panics.is_empty());
    for (what, message) in &outcomes.panics {
        assert!(message.starts_with(EXPECTED_PANIC), "{what}: {message}");
        assert_clean(what, message, &all);
    }
    // assert_eq! on two requests prints both with Debug.
    let payload = std::panic::catch_unwind(|| {
        assert_eq!(charge(CARD), charge(DECLINED_CARD));
    })
    .expect_err("the requests differ");
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(message.contains("left"), "{message}");
    assert_clean("assert_eq!", &message, &all);
}

#[tokio::test]
async fn logs_and_tracing_never_show_a_secret() {
    install_capture();
    let sb = Sandbox::start().await.unwrap();
    let all = secrets(&sb);
    flows(&sb).await;
    let records = RECORDS.lock().unwrap().clone();
    // The capture works: reqwest and hyper log each new connection.
    assert!(
        records
            .iter()
            .any(|r| r.contains("starting new connection")),
        "nothing captured: {records:?}"
    );
    for record in &records {
        assert_clean("a log or tracing record", record, &all);
    }
}

#[tokio::test]
async fn the_sandbox_never_prints_or_echoes_a_secret() {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_payspec-sandbox"))
        .args([
            "--onecp-port",
            "0",
            "--onecheckout-port",
            "0",
            "--n1co-port",
            "0",
        ])
        .args(["--processone-port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut banner = String::new();
    while !banner.contains("serving") {
        assert!(stdout.read_line(&mut banner).await.unwrap() > 0, "{banner}");
    }
    let url = |name: &str| {
        banner
            .lines()
            .find_map(|l| l.strip_prefix(name).map(|rest| rest.trim().to_string()))
            .unwrap_or_else(|| panic!("no {name} URL in {banner}"))
    };
    let processone = url("processone");

    // The client's own secrets (the sandbox prints its test credentials, by design).
    let ours: Vec<String> = [CARD, DECLINED_CARD, CVV, ACCOUNT, WRONG_KEY, WRONG_TOKEN]
        .map(String::from)
        .to_vec();
    for format in [WireFormat::Json, WireFormat::Xml] {
        let client = ClientBuilder::with_base_url(&processone)
            .authentication_key(TEST_AUTHENTICATION_KEY)
            .format(format)
            .build()
            .unwrap();
        client.charge_credit_card(charge(CARD)).await.unwrap();
        let _ = client.charge_credit_card(charge(DECLINED_CARD)).await;
        let wrong = ClientBuilder::with_base_url(&processone)
            .authentication_key(WRONG_KEY)
            .format(format)
            .build()
            .unwrap();
        let _ = wrong.debit_eft(debit()).await;
    }
    // Malformed bodies that carry secrets: the answers do not repeat them.
    let http = reqwest::Client::new();
    // Each secret is the first thing in its body that does not parse, so the decoder's error
    // is about the secret itself.
    let malformed = [
        (
            "application/json",
            format!(r#"{{"AuthenticationKey":"k","Amount":1,"CreditCard":{{"Number":{CARD}}}}}"#),
        ),
        (
            "application/json",
            format!(
                r#"{{"AuthenticationKey":"k","Amount":1,"CreditCard":{{"Number":"1","ValidationValue":{CVV}}}}}"#
            ),
        ),
        (
            "application/json",
            format!(r#"{{"AuthenticationKey":["{WRONG_KEY}"],"Amount":1}}"#),
        ),
        (
            "application/json",
            format!(
                r#"{{"AuthenticationKey":"k","Amount":1,"EftDetails":{{"AccountNumber":{ACCOUNT}}}}}"#
            ),
        ),
        (
            "application/xml",
            format!(
                "<ChargeCreditCardRequest><CreditCard><Number>{CARD}</Number></CreditCard><Amount>x</Amount>"
            ),
        ),
    ];
    let mut answers = String::new();
    for (kind, body) in malformed {
        for path in ["api/CreditCard/Charge", "api/Eft/Debit"] {
            let answer = http
                .post(format!("{}/{path}", processone.trim_end_matches('/')))
                .header("content-type", kind)
                .body(body.clone())
                .send()
                .await
                .unwrap();
            let status = answer.status();
            let text = answer.text().await.unwrap();
            assert!(
                status.is_client_error() || status.is_success(),
                "{status}: {text}"
            );
            answers.push_str(&text);
            answers.push('\n');
        }
    }
    assert!(!answers.trim().is_empty());
    assert_clean("the sandbox's answers to malformed bodies", &answers, &ours);

    child.start_kill().unwrap();
    let _ = child.wait().await;
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).await.unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .await
        .unwrap();
    assert_clean(
        "the sandbox's output",
        &format!("{banner}{rest}{stderr}"),
        &ours,
    );
}
