//! The generated 1-CP client against a loopback server of its own that parses `multipart/form-data`
//! bodies with a real parser (axum's `Multipart`, built on multer) and records every part: what
//! goes on the wire (method, path, Basic credentials, JSON bodies, every form part and every byte
//! of a file), what is refused before sending, how answers and errors are decoded, and which
//! operations are retried.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use payspec_onecp::multipart::{CancelContractForm, CancelTransactionForm};
use payspec_onecp::types::{
    ApiStatus, CancelStatus, CancelTransactionRequest, CorporateCheckout, TransactionStatus,
};
use payspec_onecp::{Client, FilePart, RetryPolicy, Server};
use payspec_runtime::Error;
use payspec_tests::Scripted;
use pretty_assertions::assert_eq;
use serde_json::Value;

const ID: &str = "widget-4711";
const SECRET: &str = "backend-s3cret-Zq9xK";
const TX: &str = "667999d063824b596cf82155";
/// 10 MB, the upload limit of the cancellation invoice file.
const LIMIT: u64 = 10 * 1024 * 1024;

// ---- the loopback server ------------------------------------------------------------------------

/// One part of a `multipart/form-data` body, as the server's parser read it.
#[derive(Clone, Debug)]
struct PartSeen {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    bytes: Bytes,
}

impl PartSeen {
    fn text(&self) -> &str {
        std::str::from_utf8(&self.bytes).expect("text part")
    }
}

/// A request as the server received it.
#[derive(Clone, Debug)]
struct Seen {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    /// The raw body (empty for a multipart body, which is in `parts`).
    body: Bytes,
    /// The parts of a multipart body, or why it did not parse.
    parts: Option<Result<Vec<PartSeen>, String>>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().expect("ASCII"))
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }

    fn parts(&self) -> &[PartSeen] {
        match &self.parts {
            Some(Ok(parts)) => parts,
            Some(Err(e)) => panic!("the multipart body did not parse: {e}"),
            None => panic!("not a multipart request: {:?}", self.header("content-type")),
        }
    }

    /// The one part named `name`.
    fn part(&self, name: &str) -> &PartSeen {
        let found: Vec<&PartSeen> = self.parts().iter().filter(|p| p.name == name).collect();
        assert_eq!(found.len(), 1, "parts named {name}: {:?}", self.parts());
        found[0]
    }
}

#[derive(Default)]
struct State {
    seen: Vec<Seen>,
    script: VecDeque<Scripted>,
}

/// Answers from a script (599 once it is exhausted) and records every request, parsing
/// multipart bodies part by part. Stops when dropped.
struct Loopback {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Loopback {
    async fn start(script: Vec<Scripted>) -> Self {
        let state = Arc::new(Mutex::new(State {
            seen: Vec::new(),
            script: script.into(),
        }));
        let shared = state.clone();
        let app = axum::Router::new()
            .fallback(move |request: Request| {
                let shared = shared.clone();
                async move {
                    let seen = record(request).await;
                    let answer = {
                        let mut s = shared.lock().unwrap();
                        s.seen.push(seen);
                        s.script.pop_front()
                    };
                    match answer {
                        Some(a) => respond(a),
                        None => {
                            (StatusCode::from_u16(599).unwrap(), "script exhausted").into_response()
                        }
                    }
                }
            })
            // Room for the largest file these tests send (axum's default limit is 2 MB).
            .layer(DefaultBodyLimit::max(64 * 1024 * 1024));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Loopback { addr, state, task }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(request: Request) -> Seen {
    let method = request.method().clone();
    let uri = request.uri().clone();
    let headers = request.headers().clone();
    let multipart = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        let parts = read_parts(request).await;
        Seen {
            method,
            uri,
            headers,
            body: Bytes::new(),
            parts: Some(parts),
        }
    } else {
        let body = axum::body::to_bytes(request.into_body(), usize::MAX)
            .await
            .unwrap_or_default();
        Seen {
            method,
            uri,
            headers,
            body,
            parts: None,
        }
    }
}

async fn read_parts(request: Request) -> Result<Vec<PartSeen>, String> {
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|e| e.body_text())?;
    let mut parts = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| e.body_text())? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(str::to_owned);
        let bytes = field.bytes().await.map_err(|e| e.body_text())?;
        parts.push(PartSeen {
            name,
            file_name,
            content_type,
            bytes,
        });
    }
    Ok(parts)
}

fn respond(a: Scripted) -> Response {
    let mut builder = Response::builder().status(a.status);
    if !a
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        builder = builder.header("content-type", "application/json");
    }
    for (k, v) in &a.headers {
        builder = builder.header(k, v);
    }
    builder.body(axum::body::Body::from(a.body)).unwrap()
}

// ---- helpers ------------------------------------------------------------------------------------

fn fixture_text(name: &str) -> String {
    payspec_tests::fixture_text("onecp", name)
}

fn fixture(name: &str) -> Value {
    serde_json::from_str(&fixture_text(name)).unwrap()
}

/// An answer with a fixture's exact text as its body.
fn answer(status: u16, name: &str) -> Scripted {
    Scripted {
        status,
        headers: Vec::new(),
        body: fixture_text(name),
    }
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(1),
    }
}

fn client(url: &str) -> Client {
    Client::builder(url)
        .basic_auth(ID, SECRET)
        .retry(fast_retries())
        .build()
        .unwrap()
}

/// `Basic base64(id:secret)`, computed here independently of the client.
fn expected_authorization() -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{ID}:{SECRET}"))
    )
}

fn dec(s: &str) -> rust_decimal::Decimal {
    s.parse().unwrap()
}

fn seed_checkout() -> CorporateCheckout {
    serde_json::from_str(&fixture_text("initialize-request.json")).unwrap()
}

/// Bytes no multipart encoder could pass through by accident: NUL, 0xFF, CRLFs and a fake
/// boundary line.
fn tricky_bytes() -> Vec<u8> {
    let mut b = b"%PDF-1.7\r\n--boundary\r\nContent-Disposition: form-data\r\n\r\n".to_vec();
    b.extend((0..=255u8).chain((0..=255u8).rev()));
    b.extend_from_slice(b"\r\n--\r\n\0\0\xff");
    b
}

/// A file in the temp directory, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn path(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("payspec-onecp-{}-{name}", std::process::id()))
    }

    fn with_bytes(name: &str, bytes: &[u8]) -> Self {
        let path = Self::path(name);
        std::fs::write(&path, bytes).unwrap();
        TempFile(path)
    }

    /// A sparse file of `len` zero bytes (no disk space used for its content).
    fn sparse(name: &str, len: u64) -> Self {
        let path = Self::path(name);
        std::fs::File::create(&path).unwrap().set_len(len).unwrap();
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// `len` bytes of a pattern that does not repeat with any short period.
fn patterned(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| ((i % 251) as u8) ^ ((i >> 11) as u8).wrapping_mul(31))
        .collect()
}

#[track_caller]
fn assert_validation_at(err: &Error<()>, path: &str, needle: &str) {
    match err {
        Error::Validation(v) => assert!(
            v.violations
                .iter()
                .any(|x| x.path == path && x.message.contains(needle)),
            "expected a violation at {path} containing {needle:?}, got {v}"
        ),
        other => panic!("expected Error::Validation, got {other:?}"),
    }
}

// ---- multipart: every part and every byte -------------------------------------------------------

#[tokio::test]
async fn cancel_contract_sends_every_part_with_a_file_given_as_bytes() {
    let server = Loopback::start(vec![answer(200, "cancel-response.json")]).await;
    let file = tricky_bytes();
    let form = CancelContractForm::new(TX)
        .with_amount(dec("1000.50"))
        .with_items_order(vec![0, 1])
        .with_invoice_title("Cancellation Invoice")
        .with_invoice_number("INV-2024-001")
        .with_file(
            FilePart::from_bytes(file.clone())
                .file_name("cancellation-invoice.pdf")
                .content_type("application/pdf"),
        );
    let answer = client(&server.url()).cancel_contract(form).await.unwrap();
    assert_eq!(answer.status, CancelStatus::Success);
    assert_eq!(answer.error_message.as_deref(), Some("error.message"));

    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    let r = &seen[0];
    assert_eq!(r.method, Method::PATCH);
    assert_eq!(r.uri.path(), "/cancel");
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("multipart/form-data; boundary="),
        "{:?}",
        r.header("content-type")
    );
    assert_eq!(r.header("accept"), Some("application/json"));
    assert_eq!(
        r.header("authorization"),
        Some(expected_authorization().as_str())
    );
    let names: Vec<&str> = r.parts().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "amount",
            "contractId",
            "invoiceNumber",
            "invoiceTitle",
            "itemsOrder",
            "itemsOrder",
            "file"
        ],
        "text parts first, one itemsOrder part per item, the file last"
    );
    assert_eq!(r.part("contractId").text(), TX);
    assert_eq!(
        r.part("amount").text(),
        "1000.50",
        "the amount's exact text"
    );
    assert_eq!(r.part("invoiceTitle").text(), "Cancellation Invoice");
    assert_eq!(r.part("invoiceNumber").text(), "INV-2024-001");
    let items: Vec<&str> = r
        .parts()
        .iter()
        .filter(|p| p.name == "itemsOrder")
        .map(PartSeen::text)
        .collect();
    assert_eq!(items, ["0", "1"]);
    for p in r.parts().iter().filter(|p| p.name != "file") {
        assert_eq!(p.file_name, None, "{} is a text part", p.name);
    }
    let f = r.part("file");
    assert_eq!(f.file_name.as_deref(), Some("cancellation-invoice.pdf"));
    assert_eq!(f.content_type.as_deref(), Some("application/pdf"));
    assert_eq!(f.bytes.len(), file.len());
    assert!(f.bytes[..] == file[..], "the file's bytes, exactly");
}

#[tokio::test]
async fn the_seed_cancel_fields_arrive_as_the_seed_prints_them() {
    // seed 000's multipart body, printed as JSON by the seed: each member is one part.
    let fields = fixture("cancel-multipart-fields.json");
    let server = Loopback::start(vec![answer(200, "cancel-response.json")]).await;
    let form = CancelContractForm::new(fields["contractId"].as_str().unwrap())
        .with_amount(dec(&fields["amount"].to_string()))
        .with_items_order(
            fields["itemsOrder"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap())
                .collect::<Vec<_>>(),
        )
        .with_invoice_title(fields["invoiceTitle"].as_str().unwrap())
        .with_invoice_number(fields["invoiceNumber"].as_str().unwrap())
        .with_file(FilePart::from_bytes(&b"binary"[..]).file_name("invoice.pdf"));
    client(&server.url()).cancel_contract(form).await.unwrap();
    let r = &server.seen()[0];
    let mut rebuilt = serde_json::Map::new();
    for p in r.parts() {
        let v: Value = match p.name.as_str() {
            "itemsOrder" | "amount" => serde_json::from_str(p.text()).unwrap(),
            _ => p.text().into(),
        };
        if p.name == "itemsOrder" {
            rebuilt
                .entry("itemsOrder")
                .or_insert_with(|| Value::Array(Vec::new()))
                .as_array_mut()
                .unwrap()
                .push(v);
        } else {
            assert!(rebuilt.insert(p.name.clone(), v).is_none(), "{}", p.name);
        }
    }
    // Number text compared exactly (arbitrary_precision): the amount is `1000`, not `1000.0`.
    assert_eq!(Value::Object(rebuilt), fields);
}

#[tokio::test]
async fn cancel_transaction_multipart_streams_a_file_from_disk() {
    let content = patterned(3 * 1024 * 1024);
    let file = TempFile::with_bytes("invoice-3mb.bin", &content);
    let server = Loopback::start(vec![answer(200, "cancel-response.json")]).await;
    let form = CancelTransactionForm::new()
        .with_amount(dec("0.10"))
        .with_items_order(vec![2])
        .with_invoice_title("Storno")
        .with_invoice_number("INV-2024-002")
        .with_file(
            FilePart::from_path(&file.0)
                .file_name("storno.pdf")
                .content_type("application/pdf"),
        );
    let answer = client(&server.url())
        .cancel_transaction_multipart(TX, form)
        .await
        .unwrap();
    assert_eq!(answer.status, CancelStatus::Success);

    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    let r = &seen[0];
    assert_eq!(r.method, Method::PATCH);
    assert_eq!(r.uri.path(), format!("/cancel/{TX}"));
    assert_eq!(
        r.header("authorization"),
        Some(expected_authorization().as_str())
    );
    let names: Vec<&str> = r.parts().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "amount",
            "invoiceNumber",
            "invoiceTitle",
            "itemsOrder",
            "file"
        ],
        "no contractId: the id is in the path"
    );
    assert_eq!(r.part("amount").text(), "0.10");
    assert_eq!(r.part("itemsOrder").text(), "2");
    assert_eq!(r.part("invoiceTitle").text(), "Storno");
    assert_eq!(r.part("invoiceNumber").text(), "INV-2024-002");
    let f = r.part("file");
    assert_eq!(f.file_name.as_deref(), Some("storno.pdf"));
    assert_eq!(f.content_type.as_deref(), Some("application/pdf"));
    assert_eq!(f.bytes.len(), content.len());
    if let Some(at) = f.bytes.iter().zip(&content).position(|(a, b)| a != b) {
        panic!("byte {at} of the file differs");
    }
}

#[tokio::test]
async fn a_file_from_disk_is_named_after_the_file() {
    let file = TempFile::with_bytes("Rechnung 7.pdf", b"%PDF-1.4 tiny");
    let server = Loopback::start(vec![answer(200, "cancel-response.json")]).await;
    let form = CancelContractForm::new(TX)
        .with_file(FilePart::from_path(&file.0).content_type("application/pdf"));
    client(&server.url()).cancel_contract(form).await.unwrap();
    let r = &server.seen()[0];
    let names: Vec<&str> = r.parts().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["contractId", "file"], "absent fields send no part");
    let f = r.part("file");
    let expected_name = file.0.file_name().unwrap().to_str().unwrap();
    assert_eq!(f.file_name.as_deref(), Some(expected_name));
    assert_eq!(&f.bytes[..], b"%PDF-1.4 tiny");
}

#[tokio::test]
async fn a_file_part_without_a_content_type_is_sent_as_octet_stream() {
    // `FilePart::content_type` documents "default: `application/octet-stream`".
    let server = Loopback::start(vec![
        answer(200, "cancel-response.json"),
        answer(200, "cancel-response.json"),
    ])
    .await;
    let file = TempFile::with_bytes("plain.bin", b"\x00\x01\x02");
    let c = client(&server.url());
    for part in [
        FilePart::from_bytes(&b"\x00\x01\x02"[..]).file_name("plain.bin"),
        FilePart::from_path(&file.0),
    ] {
        c.cancel_contract(CancelContractForm::new(TX).with_file(part))
            .await
            .unwrap();
    }
    for r in server.seen() {
        let f = r.part("file");
        assert_eq!(&f.bytes[..], b"\x00\x01\x02");
        // Without a content type given, the documented default is sent (a part without one
        // would be read as `text/plain`, RFC 7578 4.4).
        assert_eq!(
            f.content_type.as_deref(),
            Some("application/octet-stream"),
            "{:?}",
            f.file_name
        );
    }
}

// ---- the 10 MB limit ----------------------------------------------------------------------------

#[tokio::test]
async fn a_file_over_10_mb_is_refused_before_sending() {
    let server = Loopback::start(Vec::new()).await;
    let c = client(&server.url());
    let big = TempFile::sparse("big.pdf", LIMIT + 1);
    let message = format!("at most {LIMIT} bytes (got {})", LIMIT + 1);

    let from_bytes = || FilePart::from_bytes(vec![7u8; (LIMIT + 1) as usize]);
    let err = c
        .cancel_contract(CancelContractForm::new(TX).with_file(from_bytes()))
        .await
        .unwrap_err();
    assert_validation_at(&err, "file", &message);
    assert!(err.to_string().contains("file: "), "{err}");
    let err = c
        .cancel_transaction_multipart(TX, CancelTransactionForm::new().with_file(from_bytes()))
        .await
        .unwrap_err();
    assert_validation_at(&err, "file", &message);

    // A file on disk is measured when the form is built, still before anything is sent.
    let err = c
        .cancel_contract(CancelContractForm::new(TX).with_file(FilePart::from_path(&big.0)))
        .await
        .unwrap_err();
    assert_validation_at(&err, "file", &message);
    let err = c
        .cancel_transaction_multipart(
            TX,
            CancelTransactionForm::new().with_file(FilePart::from_path(&big.0)),
        )
        .await
        .unwrap_err();
    assert_validation_at(&err, "file", &message);

    assert!(server.seen().is_empty(), "nothing may reach the server");
}

#[tokio::test]
async fn a_file_of_exactly_10_mb_is_sent_whole() {
    let file = TempFile::sparse("exactly-10mb.pdf", LIMIT);
    let server = Loopback::start(vec![answer(200, "cancel-response.json")]).await;
    let form = CancelContractForm::new(TX)
        .with_file(FilePart::from_path(&file.0).content_type("application/pdf"));
    client(&server.url()).cancel_contract(form).await.unwrap();
    let seen = server.seen();
    let f = seen[0].part("file");
    assert_eq!(f.bytes.len() as u64, LIMIT);
    assert!(f.bytes.iter().all(|b| *b == 0));
}

// ---- JSON operations ----------------------------------------------------------------------------

#[tokio::test]
async fn initialize_and_create_send_the_seed_body_verbatim() {
    let server = Loopback::start(vec![
        answer(201, "initialize-response.json"),
        answer(201, "initialize-response.json"),
    ])
    .await;
    let c = client(&server.url());
    let checkout = seed_checkout();
    let created = c.initialize_transaction(&checkout).await.unwrap();
    assert_eq!(created.transaction_id, TX);
    let created = c.create_transaction(&checkout).await.unwrap();
    assert_eq!(created.transaction_id, TX);

    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    for (r, path) in seen.iter().zip(["/initialize", "/transactions"]) {
        assert_eq!(r.method, Method::POST);
        assert_eq!(r.uri.path(), path);
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.header("accept"), Some("application/json"));
        assert_eq!(
            r.header("authorization"),
            Some(expected_authorization().as_str())
        );
        assert_eq!(
            r.header("api-version"),
            None,
            "progenitor's api-version header is not part of this API"
        );
        assert!(
            r.header("user-agent")
                .unwrap()
                .starts_with("payspec-onecp/"),
            "{:?}",
            r.header("user-agent")
        );
        assert_eq!(r.json(), fixture("initialize-request.json"));
        let text = String::from_utf8_lossy(&r.body);
        assert!(text.contains(r#""category":"text""#), "{text}");
        assert!(
            text.contains(r#""start":"2024-04-16T12:07:05.159Z""#),
            "{text}"
        );
    }
}

#[tokio::test]
async fn cancel_transaction_sends_json_with_the_exact_amount() {
    let server = Loopback::start(vec![answer(200, "cancel-response.json")]).await;
    let body = CancelTransactionRequest::new()
        .with_items_order(vec![0, 1])
        .with_amount(dec("1000.00"))
        .with_invoice_title("Cancellation Invoice")
        .with_invoice_number("INV-2024-001");
    let answer = client(&server.url())
        .cancel_transaction("tx/1 ?", &body)
        .await
        .unwrap();
    assert_eq!(answer.status, CancelStatus::Success);
    let r = &server.seen()[0];
    assert_eq!(r.method, Method::PATCH);
    assert_eq!(r.uri.path(), "/cancel/tx%2F1%20%3F", "the id is escaped");
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.header("authorization"),
        Some(expected_authorization().as_str())
    );
    let expected: Value = serde_json::from_str(
        r#"{"itemsOrder":[0,1],"amount":1000.00,"invoiceTitle":"Cancellation Invoice","invoiceNumber":"INV-2024-001"}"#,
    )
    .unwrap();
    assert_eq!(r.json(), expected);
    assert!(
        String::from_utf8_lossy(&r.body).contains(r#""amount":1000.00"#),
        "{}",
        String::from_utf8_lossy(&r.body)
    );
}

#[tokio::test]
async fn get_status_accepts_200_and_201() {
    let server = Loopback::start(vec![
        answer(200, "status-response.json"),
        answer(201, "status-response.json"),
    ])
    .await;
    let c = client(&server.url());
    for _ in 0..2 {
        let status = c.get_status().await.unwrap();
        assert_eq!(status.status, ApiStatus::Ready);
        assert_eq!(status.provider.as_deref(), Some(TX));
    }
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    for r in &seen {
        assert_eq!(r.method, Method::GET);
        assert_eq!(r.uri.path(), "/status");
        assert!(r.body.is_empty());
        assert_eq!(
            r.header("authorization"),
            Some(expected_authorization().as_str())
        );
    }
}

#[tokio::test]
async fn get_transaction_status_reads_a_paid_transaction() {
    let paid = r#"{"status":"PAID","checkout":{"reference":"ABC123","payment":{"reference":"ABC123","provider":"Stripe"},"billing":{"name":"ACME Corporation","externalIds":{"sap_id":"12345"}},"card":{"brand":"visa","last4":"4242"},"newMember":true}}"#;
    let server = Loopback::start(vec![Scripted {
        status: 200,
        headers: Vec::new(),
        body: paid.into(),
    }])
    .await;
    let got = client(&server.url())
        .get_transaction_status(TX)
        .await
        .unwrap();
    assert_eq!(got.status, TransactionStatus::Paid);
    let checkout = got.checkout.unwrap();
    assert_eq!(
        checkout.payment.unwrap().provider.as_deref(),
        Some("Stripe")
    );
    assert_eq!(checkout.billing.unwrap().external_ids["sap_id"], "12345");
    assert_eq!(checkout.card["last4"], "4242");
    let r = &server.seen()[0];
    assert_eq!(r.method, Method::GET);
    assert_eq!(r.uri.path(), format!("/status/{TX}"));
    assert_eq!(
        r.header("authorization"),
        Some(expected_authorization().as_str())
    );
}

// ---- errors -------------------------------------------------------------------------------------

const ODD_BODY: &str = "<html><body>Bad things: {\"not\": json</body></html>";

fn odd(status: u16) -> Scripted {
    Scripted::text(status, ODD_BODY)
}

#[track_caller]
fn assert_raw(err: &Error<()>, status: u16) {
    match err {
        Error::UnexpectedResponse {
            status: got, body, ..
        } => {
            assert_eq!(got.as_u16(), status);
            assert_eq!(&body[..], ODD_BODY.as_bytes());
        }
        other => panic!("expected UnexpectedResponse {status} with the raw body, got {other:?}"),
    }
    assert_eq!(err.raw_body(), Some(ODD_BODY.as_bytes()));
}

#[tokio::test]
async fn errors_of_the_multipart_operations_keep_the_raw_body() {
    let statuses = [400, 401, 403, 404, 500];
    let script = statuses.iter().flat_map(|s| [odd(*s), odd(*s)]).collect();
    let server = Loopback::start(script).await;
    let c = client(&server.url());
    for status in statuses {
        let err = c
            .cancel_contract(CancelContractForm::new(TX))
            .await
            .unwrap_err();
        assert_raw(&err, status);
        let err = c
            .cancel_transaction_multipart(TX, CancelTransactionForm::new())
            .await
            .unwrap_err();
        assert_raw(&err, status);
        assert!(err.to_string().contains(&status.to_string()), "{err}");
    }
    assert_eq!(server.seen().len(), 10);
}

#[tokio::test]
async fn errors_of_the_json_operations_keep_the_raw_body() {
    // specs/README.md: "An error response without `content` has no documented shape: the client
    // returns it as `Error::UnexpectedResponse` with status and raw body." The spec gives none of
    // 400/401/403/404 a content.
    let statuses = [400, 401, 403, 404, 500];
    let script = statuses.iter().flat_map(|s| vec![odd(*s); 5]).collect();
    let server = Loopback::start(script).await;
    let c = client(&server.url());
    let checkout = seed_checkout();
    let cancel = CancelTransactionRequest::default();
    let mut lost = Vec::new();
    for status in statuses {
        let errors = [
            ("get_status", c.get_status().await.unwrap_err()),
            (
                "get_transaction_status",
                c.get_transaction_status(TX).await.unwrap_err(),
            ),
            (
                "initialize_transaction",
                c.initialize_transaction(&checkout).await.unwrap_err(),
            ),
            (
                "create_transaction",
                c.create_transaction(&checkout).await.unwrap_err(),
            ),
            (
                "cancel_transaction",
                c.cancel_transaction(TX, &cancel).await.unwrap_err(),
            ),
        ];
        for (operation, err) in errors {
            let kept = matches!(
                &err,
                Error::UnexpectedResponse { status: s, body, .. }
                    if s.as_u16() == status && body[..] == *ODD_BODY.as_bytes()
            );
            if !kept {
                lost.push(format!("{operation} {status}: {err:?}"));
            }
        }
    }
    // Every status the spec lists without a content (400, 401, 403, and 404 on the
    // `{transactionId}` paths), and the undocumented ones, keep status and raw body, on the JSON
    // operations (progenitor's code, rewritten by codegen) as on the multipart ones.
    assert!(
        lost.is_empty(),
        "{} of 25 answers lost their raw body:\n{}",
        lost.len(),
        lost.join("\n")
    );
}

// ---- retries ------------------------------------------------------------------------------------

#[tokio::test]
async fn operations_that_change_state_are_never_retried() {
    let checkout = seed_checkout();
    for operation in [
        "initialize_transaction",
        "create_transaction",
        "cancel_transaction",
        "cancel_contract",
        "cancel_transaction_multipart",
    ] {
        // The second answer would be a success: a retry would turn the 503 into one.
        let server = Loopback::start(vec![
            Scripted::text(503, "busy").with_header("retry-after", "0"),
            answer(201, "initialize-response.json"),
        ])
        .await;
        let c = client(&server.url());
        let err = match operation {
            "initialize_transaction" => c.initialize_transaction(&checkout).await.map(drop),
            "create_transaction" => c.create_transaction(&checkout).await.map(drop),
            "cancel_transaction" => c
                .cancel_transaction(TX, &CancelTransactionRequest::default())
                .await
                .map(drop),
            "cancel_contract" => c
                .cancel_contract(CancelContractForm::new(TX))
                .await
                .map(drop),
            _ => c
                .cancel_transaction_multipart(TX, CancelTransactionForm::new())
                .await
                .map(drop),
        }
        .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{operation}");
        assert_eq!(err.raw_body(), Some(&b"busy"[..]), "{operation}");
        assert_eq!(
            server.seen().len(),
            1,
            "{operation} was sent more than once"
        );
    }
}

#[tokio::test]
async fn reads_are_retried_on_503_then_succeed() {
    let server = Loopback::start(vec![
        Scripted::text(503, "busy"),
        Scripted::text(503, "still busy").with_header("retry-after", "0"),
        answer(201, "status-response.json"),
        Scripted::text(503, "busy"),
        Scripted::json(200, serde_json::json!({"status": "PENDING"})),
    ])
    .await;
    let c = client(&server.url());
    let status = c.get_status().await.unwrap();
    assert_eq!(status.status, ApiStatus::Ready);
    assert_eq!(server.seen().len(), 3);
    let got = c.get_transaction_status(TX).await.unwrap();
    assert_eq!(got.status, TransactionStatus::Pending);
    let seen = server.seen();
    assert_eq!(seen.len(), 5);
    for r in &seen {
        assert_eq!(
            r.header("authorization"),
            Some(expected_authorization().as_str()),
            "a retry carries the credentials too"
        );
    }
}

#[tokio::test]
async fn reads_give_up_after_the_policy_s_attempts() {
    let server = Loopback::start(vec![Scripted::text(503, "busy"); 5]).await;
    let err = client(&server.url()).get_status().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.seen().len(), 3, "max_attempts is 3");
}

// ---- credentials --------------------------------------------------------------------------------

/// Every form the credential could leak in.
fn leaks(text: &str) -> Vec<&'static str> {
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{ID}:{SECRET}"));
    let mut found = Vec::new();
    if text.contains(SECRET) {
        found.push("the secret");
    }
    if text.contains(&token) {
        found.push("the base64 token");
    }
    if text.contains(&format!("{ID}:")) {
        found.push("id:secret");
    }
    found
}

#[tokio::test]
async fn credentials_never_appear_in_debug_or_errors() {
    let builder = Client::builder(Server::Io.url()).basic_auth(ID, SECRET);
    assert_eq!(leaks(&format!("{builder:?}")), Vec::<&str>::new());
    let c = builder.build().unwrap();
    let debug = format!("{c:?}");
    assert_eq!(leaks(&debug), Vec::<&str>::new(), "{debug}");
    assert_eq!(leaks(&format!("{c:#?}")), Vec::<&str>::new());

    let mut errors: Vec<Error<()>> = Vec::new();
    // Answers that echo nothing of the request: whatever leaks comes from the client.
    let server = Loopback::start(vec![
        Scripted::text(401, "Unauthorized"),
        Scripted::text(403, "Forbidden"),
        Scripted::text(200, "not json"),
        Scripted::text(400, "bad"),
    ])
    .await;
    let c = client(&server.url());
    errors.push(c.get_status().await.unwrap_err());
    errors.push(
        c.initialize_transaction(&seed_checkout())
            .await
            .unwrap_err(),
    );
    errors.push(c.get_transaction_status(TX).await.unwrap_err());
    errors.push(
        c.cancel_contract(CancelContractForm::new(TX))
            .await
            .unwrap_err(),
    );
    errors.push(c.get_transaction_status("").await.unwrap_err());
    errors.push(
        c.cancel_contract(
            CancelContractForm::new(TX)
                .with_file(FilePart::from_path("/nonexistent/payspec/invoice.pdf")),
        )
        .await
        .unwrap_err(),
    );
    // Nothing listens there: a transport error (with the request's URL inside).
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let unreachable = Client::builder(format!("http://{closed}"))
        .basic_auth(ID, SECRET)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    errors.push(unreachable.get_status().await.unwrap_err());
    errors.push(
        unreachable
            .cancel_contract(CancelContractForm::new(TX))
            .await
            .unwrap_err(),
    );
    assert_eq!(errors.len(), 8);
    for err in &errors {
        let shown = format!("{err}\n{err:?}\n{err:#?}");
        assert_eq!(leaks(&shown), Vec::<&str>::new(), "{shown}");
    }
}

#[tokio::test]
async fn without_credentials_nothing_is_sent() {
    let server = Loopback::start(Vec::new()).await;
    let c = Client::builder(server.url()).build().unwrap();
    let err = c.get_status().await.unwrap_err();
    assert!(
        matches!(&err, Error::MissingCredential { operation: "get_status", needed } if needed == &["basicAuth"]),
        "{err:?}"
    );
    let err = c
        .cancel_contract(CancelContractForm::new(TX))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::MissingCredential {
                operation: "cancel_contract",
                ..
            }
        ),
        "{err:?}"
    );
    let err = c
        .initialize_transaction(&seed_checkout())
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::MissingCredential { .. }), "{err:?}");
    assert!(server.seen().is_empty());
}

#[test]
fn servers_are_the_documented_ones() {
    assert_eq!(Server::Io.url(), "https://api.1-cp.io");
    assert_eq!(Server::Com.url(), "https://api.1-cp.com");
    assert_eq!(Server::ALL, [Server::Io, Server::Com]);
    let c = Client::builder(Server::Com.url())
        .basic_auth(ID, SECRET)
        .build()
        .unwrap();
    assert_eq!(c.base_url(), "https://api.1-cp.com");
}
