//! A new provider is a spec away: a provider written from scratch for this test
//! (`tests/fixtures/providers/acmepay/openapi.yaml`, every OpenAPI extension of
//! `specs/README.md`) is generated into a temporary workspace laid out like this one
//! (`specs/acmepay/`, `generated/*` as members), with no other file written by hand than a small
//! driver program. The test then
//!
//! 1. builds the crate and runs its README doctests (`cargo test --doc`), so the generated
//!    example code compiles against the generated API;
//! 2. runs the driver against a loopback server: a validation error before sending, a payment
//!    created with Basic auth, a search followed page after page by its cursor, a void, a partial
//!    update that clears a nullable member by sending `null`, and a documented error read with
//!    its typed code; the server's records are checked;
//! 3. runs the driver's calls with idempotency keys (`x-idempotency-key`) against a server that
//!    honours them ([`payspec_tests::idempotent`]), with the connection dropped and the answer
//!    delayed past the call's timeout after the money has moved: each payment is retried with
//!    its key and moves money once; a replay with the caller's key gets the stored answer, the
//!    same key with another body is refused, and the request id (`x-request-id`) of successes
//!    and errors is read.
//!
//! The temporary workspace shares this workspace's lock file and target directory, so nothing is
//! downloaded and most dependencies are already built.

use std::path::{Path, PathBuf};
use std::process::Command;

use payspec_tests::idempotent::{Attempt, Fault, IdempotentServer};
use payspec_tests::scratch::{self, cargo, target_dir, write};
use payspec_tests::{Scripted, ScriptedServer};
use serde_json::json;

const PROVIDER: &str = "acmepay";

/// The DataContract provider written from scratch.
const DCS_PROVIDER: &str = "globex";

/// The driver: every call the test makes, through the generated client, printing one line
/// each.
const DRIVER: &str = r#"
use futures::TryStreamExt as _;
use payspec_acmepay::types::{Card, PaymentRequest, PaymentUpdate, Search};
use payspec_acmepay::Client;
use payspec_runtime::rust_decimal::Decimal;
use payspec_runtime::{Error, Nullable, RetryPolicy};
use std::time::Duration;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let base = std::env::args().nth(1).expect("base URL");
    let client = Client::builder(&base)
        .basic_auth("merchant", "s3cret-basic")
        .build()
        .expect("client");

    // Refused before sending: a card number shorter than 12 characters.
    let mut request = PaymentRequest::new("12.50".parse::<Decimal>().unwrap(), Card::new("4111"))
        .with_email("a@example.com");
    match client.create_payment(&request).await {
        Err(Error::Validation(v)) => println!("validation: {v}"),
        other => panic!("expected a validation error, got {other:?}"),
    }

    request.card.number = "4111111111111111".into();
    let payment = client.create_payment(&request).await.expect("create");
    println!("created {} {:?} {:?}", payment.id, payment.status, payment.amount);

    let search = Search::new();
    let all: Vec<_> = client
        .search_payments_stream(&search)
        .try_collect()
        .await
        .expect("search");
    let ids: Vec<&str> = all.iter().map(|p| p.id.as_str()).collect();
    println!("searched {}", ids.join(","));

    client.void_payment("pay_1", Some("duplicate")).await.expect("void");
    println!("voided");

    // A partial update that clears the description (an explicit null), sets the reference and
    // leaves everything else out.
    let update = PaymentUpdate::new().with_description_null().with_reference("order-7");
    let updated = client.update_payment("pay_1", &update).await.expect("update");
    let cleared = updated.description == Nullable::Null;
    println!("updated {} description cleared: {cleared}", updated.id);

    match client.create_payment(&request).await {
        Err(Error::Api { status, body, .. }) => {
            println!("declined {status} {:?} {}", body.code(), body.message.unwrap_or_default())
        }
        other => panic!("expected a documented error, got {other:?}"),
    }

    // Payments with idempotency keys, against a server that honours them.
    let keyed_base = std::env::args().nth(2).expect("idempotent server URL");
    let mut policy = RetryPolicy::default();
    policy.initial_backoff = Duration::from_millis(20);
    policy.max_backoff = Duration::from_millis(50);
    let keyed = Client::builder(&keyed_base)
        .basic_auth("merchant", "s3cret-basic")
        .retry(policy)
        .build()
        .expect("keyed client");

    // The connection drops after the payment is made: retried with the same key, the stored
    // answer comes back.
    let first = keyed
        .create_payment(&request)
        .header("X-Correlation-Id", "corr-1")
        .send_with_metadata()
        .await
        .expect("dropped, then replayed");
    let key = first.idempotency_key().expect("a key").to_string();
    println!(
        "keyed {} {} {}",
        first.output().id,
        first.status().as_u16(),
        first.request_id().unwrap_or("-")
    );
    // The answer comes later than this call's timeout: retried with the same key.
    let second = keyed
        .create_payment(&request)
        .timeout(Duration::from_millis(300))
        .send_with_metadata()
        .await
        .expect("timed out, then replayed");
    println!("delayed {} {}", second.output().id, second.request_id().unwrap_or("-"));
    // The first call's key again: its stored answer.
    let again = keyed
        .create_payment(&request)
        .idempotency_key(key.clone())
        .await
        .expect("replay");
    println!("replayed {}", again.id);
    // The same key with another body: refused, with the request id.
    let mut other = request.clone();
    other.amount = "99.00".parse().unwrap();
    match keyed.create_payment(&other).idempotency_key(key.clone()).await {
        Err(e @ Error::Api { .. }) => println!(
            "refused {} {:?} {}",
            e.status().map_or(0, |s| s.as_u16()),
            e.api_body().and_then(|b| b.code()),
            e.request_id().unwrap_or("-")
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    // A per-call header never replaces a credential.
    match keyed.create_payment(&request).header("Authorization", "Basic eA==").await {
        Err(Error::ReservedHeader { name }) => println!("reserved {name}"),
        other => panic!("expected a refused header, got {other:?}"),
    }
    let uuid = key.len() == 36 && key.as_bytes()[14] == b'4';
    println!("fresh keys are UUID v4: {uuid}");
}
"#;

/// A scratch workspace with `provider` generated under `generated/` and, when given, the
/// driver crate `drive` (depending on the provider's crate).
fn workspace(provider: &str, driver: Option<&str>) -> PathBuf {
    let members: &[&str] = if driver.is_some() { &["drive"] } else { &[] };
    let dir = scratch::workspace("new-provider", provider, |_| {}, members);
    if let Some(driver) = driver {
        write(
            &dir,
            "drive/Cargo.toml",
            &format!(
                "[package]\nname = \"drive\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
                 [dependencies]\npayspec-{provider} = {{ path = \"../generated/{provider}\" }}\n\
                 payspec-runtime = {{ workspace = true }}\n\
                 futures = {{ workspace = true }}\n\
                 tokio = {{ workspace = true, features = [\"macros\", \"rt-multi-thread\", \"net\", \"io-util\", \"process\", \"time\"] }}\n"
            ),
        );
        write(&dir, "drive/src/main.rs", driver);
    }
    dir
}

/// A payment as the server writes it (the amount's scale as written: `12.50`).
fn payment(id: &str, status: &str) -> String {
    format!(
        r#"{{"id":"{id}","status":"{status}","amount":12.50,"created":"2026-12-03T10:00:00+01:00"}}"#
    )
}

fn answer(status: u16, body: String) -> Scripted {
    Scripted {
        status,
        headers: Vec::new(),
        body,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_written_from_scratch_generates_builds_and_works() {
    let dir = workspace(PROVIDER, Some(DRIVER));

    // The README doctests of the new crate compile and run.
    let out = cargo(&dir, &["test", "-q", "--doc", "-p", "payspec-acmepay"]);
    assert!(
        out.status.success(),
        "doctests of the new crate failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cargo(&dir, &["build", "-q", "-p", "drive"]);
    assert!(
        out.status.success(),
        "the driver does not build against the new crate:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let server = ScriptedServer::start(vec![
        answer(201, payment("pay_1", "pending")),
        answer(
            200,
            format!(
                r#"{{"payments":[{},{}],"next":"c2"}}"#,
                payment("pay_1", "pending"),
                payment("pay_2", "paid")
            ),
        ),
        answer(
            200,
            format!(
                r#"{{"payments":[{}],"next":null}}"#,
                payment("pay_3", "refunded")
            ),
        ),
        Scripted {
            status: 204,
            headers: Vec::new(),
            body: String::new(),
        },
        answer(
            200,
            r#"{"id":"pay_1","status":"pending","description":null}"#.to_string(),
        ),
        Scripted::json(
            400,
            json!({"code": "card_declined", "message": "The card was declined.", "details": []}),
        ),
    ])
    .await;
    let keyed = IdempotentServer::start().await;
    keyed.fail_next_payment(Fault::Drop);
    keyed.fail_next_payment(Fault::Delay(std::time::Duration::from_secs(1)));
    let (url, keyed_url) = (server.url(), keyed.url());
    let run = tokio::task::spawn_blocking(move || {
        let (target, profile) = target_dir();
        let exe = target.join(&profile).join("drive");
        Command::new(exe)
            .args([url, keyed_url])
            .output()
            .expect("run the driver")
    })
    .await
    .expect("driver task");
    let stdout = String::from_utf8_lossy(&run.stdout).to_string();
    assert!(
        run.status.success(),
        "the driver failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 12, "{stdout}");
    assert!(
        lines[0].starts_with("validation: ") && lines[0].contains("card.number"),
        "{stdout}"
    );
    assert_eq!(lines[1], "created pay_1 Pending Some(12.50)");
    // An unknown status ("refunded") is kept, not an error.
    assert_eq!(lines[2], "searched pay_1,pay_2,pay_3");
    assert_eq!(lines[3], "voided");
    assert_eq!(lines[4], "updated pay_1 description cleared: true");
    assert_eq!(
        lines[5],
        "declined 400 Bad Request Some(CardDeclined) The card was declined."
    );

    // What the server saw: nothing for the refused request, Basic auth on every call, the
    // cursor of the first page in the second search, and the exact decimal.
    let requests = server.requests();
    let seen: Vec<String> = requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.uri))
        .collect();
    assert_eq!(
        seen,
        [
            "POST /payments",
            "POST /payments-search",
            "POST /payments-search",
            "POST /payments/pay_1/void?reason=duplicate",
            "PATCH /payments/pay_1",
            "POST /payments",
        ]
    );
    for r in &requests {
        assert_eq!(
            r.header("authorization").as_deref(),
            Some("Basic bWVyY2hhbnQ6czNjcmV0LWJhc2lj"),
            "{r:?}"
        );
    }
    assert!(
        String::from_utf8_lossy(&requests[0].body).contains(r#""amount":12.50"#),
        "{:?}",
        requests[0].body
    );
    assert_eq!(
        requests[0].json()["card"]["number"],
        json!("4111111111111111")
    );
    assert!(requests[1].json().get("cursor").is_none_or(|c| c.is_null()));
    assert_eq!(requests[2].json()["cursor"], json!("c2"));
    // The partial update sent the cleared member as null and nothing it did not set.
    assert_eq!(
        String::from_utf8_lossy(&requests[4].body),
        r#"{"description":null,"reference":"order-7"}"#
    );
    // The scripted server's payments carried keys too, a fresh one each.
    let keys: Vec<String> = [0, 5]
        .iter()
        .map(|&i| requests[i].header("idempotency-key").expect("a key"))
        .collect();
    assert_ne!(keys[0], keys[1]);

    // With keys: every payment that lost its answer was sent again with the same key and
    // replayed, so money moved once per payment.
    assert_eq!(
        &lines[6..],
        [
            "keyed pay_1 201 req_2",
            "delayed pay_2 req_4",
            "replayed pay_1",
            "refused 422 Some(IdempotencyKeyReused) req_6",
            "reserved authorization",
            "fresh keys are UUID v4: true",
        ],
        "{stdout}"
    );
    let attempts = keyed.attempts();
    let key = |i: usize| attempts[i].key.clone().expect("a key");
    let seen: Vec<(&str, Option<&str>)> = attempts
        .iter()
        .map(|a: &Attempt| (a.outcome, a.correlation.as_deref()))
        .collect();
    assert_eq!(
        seen,
        [
            ("committed", Some("corr-1")),
            ("replayed", Some("corr-1")),
            ("committed", None),
            ("replayed", None),
            ("replayed", None),
            ("refused", None),
        ],
        "{attempts:?}"
    );
    assert_eq!(key(0), key(1), "a retry reuses its call's key");
    assert_eq!(key(2), key(3));
    assert_ne!(key(0), key(2), "each call has its own key");
    assert_eq!(key(4), key(0), "the caller's own key");
    assert_eq!(key(5), key(0));
    assert_eq!(keyed.payments(), 2, "money moved once per payment");
    eprintln!("attempts seen by the idempotent server: {attempts:#?}");

    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs the new DataContract crate's codec binary: `convert --from <from> --to <to> <contract>`.
fn codec(dir: &Path, from: &str, to: &str, contract: &str, input: &str) -> String {
    let (target, profile) = target_dir();
    let exe = target.join(&profile).join(format!("{DCS_PROVIDER}-codec"));
    let mut child = Command::new(exe)
        .current_dir(dir)
        .args(["convert", "--from", from, "--to", to, contract])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run the codec");
    use std::io::Write as _;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("codec output");
    assert!(
        out.status.success(),
        "{from} to {to} of {contract}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn a_datacontract_provider_written_from_scratch_generates_builds_and_round_trips() {
    let dir = workspace(DCS_PROVIDER, None);
    let generated = std::fs::read_to_string(dir.join("generated/globex/src/client.rs")).unwrap();
    // Its own names, from its spec: nothing of another provider.
    assert!(generated.contains("pub struct GlobexError"), "error type");
    assert!(generated.contains("pub enum OutcomeCode"), "outcome enum");
    assert!(
        generated.contains("[`Client::find_payment`]"),
        "recovery link"
    );
    let lower = generated.to_lowercase();
    for other in [
        "processone",
        "callback",
        "responsecode",
        "authenticationkey",
    ] {
        assert!(!lower.contains(other), "the Globex client mentions {other}");
    }

    let out = cargo(&dir, &["test", "-q", "--doc", "-p", "payspec-globex"]);
    assert!(
        out.status.success(),
        "doctests of the new crate failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cargo(&dir, &["build", "-q", "-p", "payspec-globex", "--bins"]);
    assert!(
        out.status.success(),
        "the codec does not build:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Hand-written bodies as the service's serializers write them: base-class members first, in
    // their own namespace; the enum by name in XML and by number in JSON; scale and date-time
    // kept as written.
    let xml = concat!(
        r#"<PayResponse xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/Globex.Api.Payments">"#,
        r#"<Detail xmlns="http://schemas.datacontract.org/2004/07/Globex.Api.Common">Paid.</Detail>"#,
        r#"<Outcome xmlns="http://schemas.datacontract.org/2004/07/Globex.Api.Common">Ok</Outcome>"#,
        r#"<Amount>20.50</Amount><PaidAt>2026-12-03T10:52:08.2141523-08:00</PaidAt>"#,
        r#"<PaymentId>pay_1</PaymentId></PayResponse>"#,
    );
    // JSON as Json.NET orders it: the derived class's members first, the base class's last.
    let json = r#"{"Amount":20.50,"PaidAt":"2026-12-03T10:52:08.2141523-08:00","PaymentId":"pay_1","Detail":"Paid.","Outcome":"Ok"}"#;
    let response = "Payments.PayResponse";
    assert_eq!(codec(&dir, "xml", "xml", response, xml).trim_end(), xml);
    assert_eq!(codec(&dir, "xml", "json", response, xml).trim_end(), json);
    assert_eq!(codec(&dir, "json", "json", response, json).trim_end(), json);
    assert_eq!(codec(&dir, "json", "xml", response, json).trim_end(), xml);

    let request_xml = concat!(
        r#"<PayRequest xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/Globex.Api.Payments">"#,
        r#"<ApiToken xmlns="http://schemas.datacontract.org/2004/07/Globex.Api.Common">tok</ApiToken>"#,
        r#"<Amount>12.00</Amount><Currency>Eur</Currency><Reference>order-7</Reference></PayRequest>"#,
    );
    let request_json = r#"{"Amount":12.00,"Currency":2,"Reference":"order-7","ApiToken":"tok"}"#;
    let request = "Payments.PayRequest";
    assert_eq!(
        codec(&dir, "xml", "json", request, request_xml).trim_end(),
        request_json
    );
    assert_eq!(
        codec(&dir, "json", "xml", request, request_json).trim_end(),
        request_xml
    );

    let _ = std::fs::remove_dir_all(&dir);
}
