//! The generated ProcessOne client against a real HTTP server on loopback, in both wire formats:
//! what goes on the wire (path, headers, body with the client's authentication key) and how each
//! answer comes back (success, a `ResponseCode` error with the full response, unexpected statuses,
//! garbage bodies), which operations are retried, and that the key never shows.

use std::time::Duration;

use payspec_processone::client::BuildError;
use payspec_processone::contracts::credit_card::{
    ChargeCreditCardRequest, ChargeCreditCardResponse,
};
use payspec_processone::contracts::transaction::{
    GetTransactionByIdRequest, GetTransactionByIdResponse,
};
use payspec_processone::{
    Client, ClientBuilder, DataContract, Error, ResponseCode, RetryPolicy, WireFormat,
};
use payspec_tests::dcs_values::without_nulls;
use payspec_tests::{Recorded, Scripted, ScriptedServer};

const KEY: &str = "secret-key";
const FORMATS: [WireFormat; 2] = [WireFormat::Json, WireFormat::Xml];

fn fixture(rel: &str) -> String {
    payspec_tests::fixture_text("processone", rel)
}

/// The seed sample of `contract` (`Area.Name`) in `format`, with each `(from, to)` replaced
/// (each `from` must occur exactly once).
fn sample(format: WireFormat, contract: &str, edits: &[(&str, &str)]) -> String {
    let mut text = match format {
        WireFormat::Json => fixture(&format!("json/{contract}.json")),
        WireFormat::Xml => fixture(&format!("xml/{contract}.xml")),
    };
    for (from, to) in edits {
        assert_eq!(
            text.matches(from).count(),
            1,
            "{from:?} must occur once in {contract}"
        );
        text = text.replacen(from, to, 1);
    }
    text
}

/// `(from, to)` edits of a response's ResponseCode / Message, in `format`.
fn outcome(format: WireFormat, code: &'static str, message: &'static str) -> Vec<(String, String)> {
    match format {
        WireFormat::Json => vec![
            (
                r#""ResponseCode": "Success""#.into(),
                format!(r#""ResponseCode": "{code}""#),
            ),
            (
                r#""Message": "Success""#.into(),
                format!(r#""Message": "{message}""#),
            ),
        ],
        WireFormat::Xml => vec![
            (
                ">Success</ResponseCode>".into(),
                format!(">{code}</ResponseCode>"),
            ),
            (">Success</Message>".into(), format!(">{message}</Message>")),
        ],
    }
}

fn charge_response(format: WireFormat, code: &'static str, message: &'static str) -> String {
    let mut edits = outcome(format, code, message);
    edits.push(match format {
        WireFormat::Json => (
            r#""TransactionId": null"#.into(),
            r#""TransactionId": "T-1""#.into(),
        ),
        WireFormat::Xml => (
            r#"<TransactionId i:nil="true" />"#.into(),
            "<TransactionId>T-1</TransactionId>".into(),
        ),
    });
    let edits: Vec<(&str, &str)> = edits
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    sample(format, "CreditCard.ChargeCreditCardResponse", &edits)
}

/// A 200 (or other status) answer with `body` in `format`.
fn answer(status: u16, format: WireFormat, body: String) -> Scripted {
    let content_type = match format {
        WireFormat::Json => "application/json; charset=utf-8",
        WireFormat::Xml => "application/xml; charset=utf-8",
    };
    Scripted {
        status,
        headers: vec![("content-type".into(), content_type.into())],
        body,
    }
}

fn decode<T: DataContract>(format: WireFormat, body: &[u8]) -> T {
    match format {
        WireFormat::Json => T::from_json(body).unwrap(),
        WireFormat::Xml => T::from_xml(body).unwrap(),
    }
}

fn builder(url: &str, format: WireFormat) -> ClientBuilder {
    ClientBuilder::with_base_url(url)
        .authentication_key(KEY)
        .format(format)
        .timeout(Duration::from_secs(10))
        .retry(RetryPolicy {
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(50),
            ..RetryPolicy::default()
        })
}

fn client(url: &str, format: WireFormat) -> Client {
    builder(url, format).build().unwrap()
}

/// The seed's charge request (its AuthenticationKey is "Authentication Key").
fn charge_request(format: WireFormat) -> ChargeCreditCardRequest {
    let body = sample(format, "CreditCard.ChargeCreditCardRequest", &[]);
    decode(format, body.as_bytes())
}

fn only_request(server: &ScriptedServer) -> Recorded {
    let mut requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    requests.remove(0)
}

fn assert_headers(r: &Recorded, format: WireFormat) {
    let (content_type, accept) = match format {
        WireFormat::Json => ("application/json; charset=utf-8", "application/json"),
        WireFormat::Xml => ("application/xml; charset=utf-8", "application/xml"),
    };
    assert_eq!(r.method, "POST");
    assert_eq!(r.header("content-type").as_deref(), Some(content_type));
    assert_eq!(r.header("accept").as_deref(), Some(accept));
    assert!(
        r.header("user-agent")
            .unwrap_or_default()
            .starts_with("payspec-processone/"),
        "{:?}",
        r.header("user-agent")
    );
}

#[tokio::test]
async fn charge_sends_the_body_with_the_clients_key_and_returns_the_response() {
    for format in FORMATS {
        let reply = charge_response(format, "Success", "Success");
        let server = ScriptedServer::start(vec![answer(200, format, reply.clone())]).await;
        let request = charge_request(format);
        assert_eq!(
            request.authentication_key().unwrap().expose(),
            "Authentication Key"
        );
        let got = client(&server.url(), format)
            .charge_credit_card(request.clone())
            .await
            .unwrap_or_else(|e| panic!("{format:?}: {e}"));
        assert_eq!(
            got,
            decode::<ChargeCreditCardResponse>(format, reply.as_bytes())
        );
        assert_eq!(got.transaction_id.as_deref(), Some("T-1"));

        let r = only_request(&server);
        assert_eq!(r.uri.path(), "/api/CreditCard/Charge", "{format:?}");
        assert_eq!(r.uri.query(), None);
        assert_headers(&r, format);

        // The body is the caller's request with the key replaced by the client's.
        let sent: ChargeCreditCardRequest = decode(format, &r.body);
        assert_eq!(
            sent.authentication_key().map(|k| k.expose().as_str()),
            Some(KEY)
        );
        // The caller's request (the seed sample) with the client's key: the key cannot be set
        // in Rust, so it is the sample decoded with the key replaced.
        let expected: ChargeCreditCardRequest = decode(
            format,
            sample(
                format,
                "CreditCard.ChargeCreditCardRequest",
                &[("Authentication Key", KEY)],
            )
            .as_bytes(),
        );
        assert_eq!(sent, expected, "{format:?}");
        let body = String::from_utf8(r.body.to_vec()).unwrap();
        assert!(!body.contains("Authentication Key"), "{body}");
        match format {
            WireFormat::Json => {
                let mut want = without_nulls(
                    &serde_json::from_str(&fixture("json/CreditCard.ChargeCreditCardRequest.json"))
                        .unwrap(),
                );
                want["AuthenticationKey"] = KEY.into();
                assert_eq!(r.json(), want);
                assert!(body.contains(r#""Amount":20.00"#), "{body}");
            }
            WireFormat::Xml => {
                // Byte for byte what DCS writes: the seed sample with the key replaced.
                let want = payspec_tests::dcs_oracle::flatten(
                    &fixture("xml/CreditCard.ChargeCreditCardRequest.xml")
                        .replace(">Authentication Key<", &format!(">{KEY}<")),
                );
                assert_eq!(body, want);
            }
        }
    }
}

#[tokio::test]
async fn the_key_is_sent_when_the_caller_set_none() {
    for format in FORMATS {
        let reply = sample(format, "Transaction.GetTransactionByIdResponse", &[]);
        let server = ScriptedServer::start(vec![answer(200, format, reply)]).await;
        let got = client(&server.url(), format)
            .get_transaction_by_id(GetTransactionByIdRequest::new().with_transaction_id("99991"))
            .await
            .unwrap();
        assert_eq!(
            got.transaction_information
                .unwrap()
                .transaction_id
                .as_deref(),
            Some("99991")
        );
        let r = only_request(&server);
        assert_eq!(r.uri.path(), "/api/Transaction/GetTransactionById");
        assert_headers(&r, format);
        let sent: GetTransactionByIdRequest = decode(format, &r.body);
        assert_eq!(
            sent.authentication_key().map(|k| k.expose().as_str()),
            Some(KEY),
            "{format:?}"
        );
        assert_eq!(sent.transaction_id.as_deref(), Some("99991"));
    }
}

#[tokio::test]
async fn a_base_url_with_a_path_keeps_it() {
    for format in FORMATS {
        let reply = charge_response(format, "Success", "Success");
        let server = ScriptedServer::start(vec![answer(200, format, reply)]).await;
        client(&format!("{}/gateway", server.url()), format)
            .charge_credit_card(charge_request(format))
            .await
            .unwrap();
        assert_eq!(
            only_request(&server).uri.path(),
            "/gateway/api/CreditCard/Charge"
        );
    }
}

#[tokio::test]
async fn a_declined_charge_is_an_api_error_with_the_full_response() {
    for format in FORMATS {
        let reply = charge_response(format, "Declined", "Card declined by issuer");
        let server = ScriptedServer::start(vec![answer(200, format, reply.clone())]).await;
        let err = client(&server.url(), format)
            .charge_credit_card(charge_request(format))
            .await
            .unwrap_err();
        match &err {
            Error::Api { status, body, .. } => {
                assert_eq!(status.as_u16(), 200);
                assert_eq!(body.code, Some(ResponseCode::Declined), "{format:?}");
                assert_eq!(body.message.as_deref(), Some("Card declined by issuer"));
                assert_eq!(body.body(), reply.as_bytes());
            }
            other => panic!("{format:?}: expected Api, got {other:?}"),
        }
        let full: ChargeCreditCardResponse = err.api_body().unwrap().response().unwrap();
        assert_eq!(full, decode(format, reply.as_bytes()));
        assert_eq!(full.transaction_id.as_deref(), Some("T-1"));
        assert_eq!(full.response_code.as_deref(), Some("Declined"));
        let shown = err.to_string();
        assert!(shown.contains("Declined"), "{shown}");
        assert!(shown.contains("Card declined by issuer"), "{shown}");
        assert_eq!(server.requests().len(), 1, "a declined charge is final");
    }
}

#[tokio::test]
async fn an_unknown_response_code_is_kept() {
    for format in FORMATS {
        let reply = charge_response(format, "SomethingNew", "A new kind of answer");
        let server = ScriptedServer::start(vec![answer(200, format, reply)]).await;
        let err = client(&server.url(), format)
            .charge_credit_card(charge_request(format))
            .await
            .unwrap_err();
        let body = err.api_body().unwrap_or_else(|| panic!("{err:?}"));
        assert_eq!(
            body.code,
            Some(ResponseCode::Unknown("SomethingNew".into()))
        );
        assert_eq!(body.message.as_deref(), Some("A new kind of answer"));
        assert!(err.to_string().contains("SomethingNew"), "{err}");
    }
}

#[tokio::test]
async fn a_response_without_a_code_is_not_a_success() {
    for format in FORMATS {
        let edit = match format {
            WireFormat::Json => (r#""ResponseCode": "Success","#, ""),
            WireFormat::Xml => (
                "<ResponseCode xmlns=\"http://schemas.datacontract.org/2004/07/OneInc.ProcessOne.RestApi.Contracts.DataContracts\">Success</ResponseCode>",
                "",
            ),
        };
        let reply = sample(format, "CreditCard.ChargeCreditCardResponse", &[edit]);
        let server = ScriptedServer::start(vec![answer(200, format, reply)]).await;
        let err = client(&server.url(), format)
            .charge_credit_card(charge_request(format))
            .await
            .unwrap_err();
        let body = err.api_body().unwrap_or_else(|| panic!("{err:?}"));
        assert_eq!(body.code, None, "{format:?}");
    }
}

#[tokio::test]
async fn a_500_is_an_unexpected_response_with_the_raw_body() {
    for format in FORMATS {
        let raw = "<html><body>Internal Server Error</body></html>";
        let server = ScriptedServer::start(vec![Scripted::text(500, raw)]).await;
        let err = client(&server.url(), format)
            .charge_credit_card(charge_request(format))
            .await
            .unwrap_err();
        match &err {
            Error::UnexpectedResponse { status, body, .. } => {
                assert_eq!(status.as_u16(), 500);
                assert_eq!(&body[..], raw.as_bytes());
            }
            other => panic!("{format:?}: expected UnexpectedResponse, got {other:?}"),
        }
        assert_eq!(err.raw_body(), Some(raw.as_bytes()));
        assert_eq!(server.requests().len(), 1, "a charge is never retried");
    }
}

#[tokio::test]
async fn a_garbage_success_body_is_a_decode_error() {
    for format in FORMATS {
        let raw = "<html>maintenance</html>";
        let server = ScriptedServer::start(vec![answer(200, format, raw.into())]).await;
        let err = client(&server.url(), format)
            .charge_credit_card(charge_request(format))
            .await
            .unwrap_err();
        match &err {
            Error::Decode { status, body, .. } => {
                assert_eq!(status.map(|s| s.as_u16()), Some(200));
                assert_eq!(&body[..], raw.as_bytes());
            }
            other => panic!("{format:?}: expected Decode, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_body_in_the_other_format_is_a_decode_error() {
    for format in FORMATS {
        let other = match format {
            WireFormat::Json => WireFormat::Xml,
            WireFormat::Xml => WireFormat::Json,
        };
        let reply = charge_response(other, "Success", "Success");
        let server = ScriptedServer::start(vec![answer(200, other, reply)]).await;
        let err = client(&server.url(), format)
            .charge_credit_card(charge_request(format))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{format:?}: {err:?}");
    }
}

#[tokio::test]
async fn a_charge_answered_503_is_sent_exactly_once() {
    for format in FORMATS {
        let server = ScriptedServer::start(vec![
            Scripted::text(503, "busy"),
            answer(200, format, charge_response(format, "Success", "Success")),
        ])
        .await;
        let err = client(&server.url(), format)
            .charge_credit_card(charge_request(format))
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{err:?}");
        assert!(matches!(err, Error::UnexpectedResponse { .. }), "{err:?}");
        assert_eq!(
            server.requests().len(),
            1,
            "{format:?}: a charge must never be sent twice"
        );
    }
}

#[tokio::test]
async fn a_read_answered_503_is_retried() {
    for format in FORMATS {
        let reply = sample(format, "Transaction.GetTransactionByIdResponse", &[]);
        let server = ScriptedServer::start(vec![
            Scripted::text(503, "busy"),
            answer(200, format, reply.clone()),
        ])
        .await;
        let request: GetTransactionByIdRequest = decode(
            format,
            sample(format, "Transaction.GetTransactionByIdRequest", &[]).as_bytes(),
        );
        let got = client(&server.url(), format)
            .get_transaction_by_id(request)
            .await
            .unwrap_or_else(|e| panic!("{format:?}: {e:?}"));
        assert_eq!(
            got,
            decode::<GetTransactionByIdResponse>(format, reply.as_bytes())
        );
        let requests = server.requests();
        assert_eq!(requests.len(), 2, "{format:?}");
        assert_eq!(
            requests[0].body, requests[1].body,
            "the retry sends the same body"
        );
        for r in &requests {
            assert_eq!(r.uri.path(), "/api/Transaction/GetTransactionById");
            assert_headers(r, format);
        }
    }
}

#[tokio::test]
async fn reads_are_not_retried_when_the_policy_says_so() {
    let format = WireFormat::Json;
    let reply = sample(format, "Transaction.GetTransactionByIdResponse", &[]);
    let server = ScriptedServer::start(vec![
        Scripted::text(503, "busy"),
        answer(200, format, reply),
    ])
    .await;
    let client = builder(&server.url(), format)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client
        .get_transaction_by_id(GetTransactionByIdRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn the_key_never_shows() {
    for format in FORMATS {
        let reply = charge_response(format, "Declined", "Card declined by issuer");
        let server = ScriptedServer::start(vec![answer(200, format, reply)]).await;
        let client = client(&server.url(), format);
        for shown in [format!("{client:?}"), format!("{client:#?}")] {
            assert!(!shown.contains(KEY), "{shown}");
            assert!(shown.contains("Client"), "{shown}");
        }
        let builder = builder(&server.url(), format);
        assert!(!format!("{builder:?}").contains(KEY), "{builder:?}");
        let err = client
            .charge_credit_card(charge_request(format))
            .await
            .unwrap_err();
        assert!(!err.to_string().contains(KEY), "{err}");
        assert!(!format!("{err:?}").contains(KEY), "{err:?}");
    }
}

#[test]
fn a_client_without_a_key_does_not_build() {
    let err = ClientBuilder::with_base_url("http://127.0.0.1:9")
        .format(WireFormat::Xml)
        .build()
        .unwrap_err();
    assert!(
        matches!(err, BuildError::MissingAuthenticationKey),
        "{err:?}"
    );
    assert!(err.to_string().contains("AuthenticationKey"), "{err}");
    // The same builder with a key builds: the key is what was missing.
    ClientBuilder::with_base_url("http://127.0.0.1:9")
        .authentication_key(KEY)
        .build()
        .unwrap();
}

#[test]
fn a_client_with_a_bad_base_url_does_not_build() {
    for url in ["not a url", "ftp://example.com"] {
        let err = ClientBuilder::with_base_url(url)
            .authentication_key(KEY)
            .build()
            .unwrap_err();
        assert!(
            matches!(err, BuildError::InvalidBaseUrl(_)),
            "{url}: {err:?}"
        );
    }
}
