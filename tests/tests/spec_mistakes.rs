//! The maintainer's loop with ordinary mistakes: each case below edits one spec the way a
//! maintainer might by accident (a misspelling, a dangling reference, a member out of order) and
//! runs the generator exactly as `cargo xtask codegen` does (`payspec_codegen::load::generate`
//! over a copy of the spec folder). Every case must be refused, never generated silently; the
//! message must name the file and the line; and no case may panic, not even inside progenitor or
//! typify, where a panic would otherwise be caught and reported (a panic hook counts them).
//!
//! `RUST_BACKTRACE=1` is set, as a maintainer chasing a problem would have it.
//!
//! The messages of all cases are one snapshot (`snapshots/spec_mistakes__messages.snap`), so a
//! reviewer sees every message the change touches.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// One mistake: in `provider`'s `file` (relative to its spec folder, from `base`), the only
/// occurrence of `find` becomes `replace`.
struct Mistake {
    name: &'static str,
    base: Base,
    provider: &'static str,
    file: &'static str,
    find: &'static str,
    replace: &'static str,
}

#[derive(Clone, Copy)]
enum Base {
    /// `specs/` of this repository.
    Specs,
    /// `tests/fixtures/providers/`: the test-only providers.
    Fixtures,
}

const fn fixture(
    name: &'static str,
    provider: &'static str,
    file: &'static str,
    find: &'static str,
    replace: &'static str,
) -> Mistake {
    Mistake {
        name,
        base: Base::Fixtures,
        provider,
        file,
        find,
        replace,
    }
}

const fn spec(
    name: &'static str,
    provider: &'static str,
    file: &'static str,
    find: &'static str,
    replace: &'static str,
) -> Mistake {
    Mistake {
        name,
        base: Base::Specs,
        provider,
        file,
        find,
        replace,
    }
}

const ACME: &str = "acmepay";
const GLOBEX: &str = "globex";
const YAML: &str = "openapi.yaml";

const MISTAKES: &[Mistake] = &[
    // The cases the issue was filed with.
    spec(
        "misspelled x-idempotent on a real spec",
        "onecheckout",
        YAML,
        "safe to retry.\n      x-idempotent: true",
        "safe to retry.\n      x-idempotnet: true",
    ),
    spec(
        "XSD member out of order (Message after ResponseCode)",
        "processone",
        "contracts/DataContracts.xsd",
        concat!(
            "      <xs:element minOccurs=\"0\" name=\"Message\" nillable=\"true\" type=\"xs:string\">\n",
            "        <xs:annotation>\n",
            "          <xs:documentation>Response message</xs:documentation>\n",
            "        </xs:annotation>\n",
            "      </xs:element>\n",
            "      <!-- ResponseCode is a string on the wire. Known values: the seed's \"Response Code Definitions\" table; treat as an open set. -->\n",
            "      <xs:element minOccurs=\"0\" name=\"ResponseCode\" nillable=\"true\" type=\"xs:string\">\n",
            "        <xs:annotation>\n",
            "          <xs:documentation>Operation response code</xs:documentation>\n",
            "        </xs:annotation>\n",
            "      </xs:element>\n",
        ),
        concat!(
            "      <!-- ResponseCode is a string on the wire. Known values: the seed's \"Response Code Definitions\" table; treat as an open set. -->\n",
            "      <xs:element minOccurs=\"0\" name=\"ResponseCode\" nillable=\"true\" type=\"xs:string\">\n",
            "        <xs:annotation>\n",
            "          <xs:documentation>Operation response code</xs:documentation>\n",
            "        </xs:annotation>\n",
            "      </xs:element>\n",
            "      <xs:element minOccurs=\"0\" name=\"Message\" nillable=\"true\" type=\"xs:string\">\n",
            "        <xs:annotation>\n",
            "          <xs:documentation>Response message</xs:documentation>\n",
            "        </xs:annotation>\n",
            "      </xs:element>\n",
        ),
    ),
    fixture(
        "dangling $ref",
        ACME,
        YAML,
        "$ref: \"#/components/schemas/PaymentPage\"",
        "$ref: \"#/components/schemas/PaymentPges\"",
    ),
    fixture(
        "path parameter misspelled",
        ACME,
        YAML,
        "- name: id\n",
        "- name: ids\n",
    ),
    // References and paths.
    fixture(
        "path template names an undeclared parameter",
        ACME,
        YAML,
        "/payments/{id}/void:",
        "/payments/{paymentId}/void:",
    ),
    fixture(
        "path parameter not required",
        ACME,
        YAML,
        "in: path\n          required: true",
        "in: path\n          required: false",
    ),
    fixture(
        "path without leading slash",
        ACME,
        YAML,
        "  /payments-search:",
        "  payments-search:",
    ),
    fixture(
        "external $ref",
        ACME,
        YAML,
        "$ref: \"#/components/schemas/Card\"",
        "$ref: \"cards.yaml#/Card\"",
    ),
    fixture(
        "inline request body schema",
        ACME,
        YAML,
        "$ref: \"#/components/schemas/Search\"",
        "type: object",
    ),
    fixture(
        "duplicate operationId",
        ACME,
        YAML,
        "operationId: voidPayment",
        "operationId: createPayment",
    ),
    fixture(
        "operation without operationId",
        ACME,
        YAML,
        "      operationId: voidPayment\n",
        "",
    ),
    // Security and servers.
    fixture(
        "security requirement names no scheme",
        ACME,
        YAML,
        "- apiKey: []",
        "- apikey: []",
    ),
    fixture(
        "unsupported security scheme",
        ACME,
        YAML,
        "scheme: basic",
        "scheme: digest",
    ),
    fixture(
        "server without x-server-name",
        ACME,
        YAML,
        "    x-server-name: test\n",
        "",
    ),
    fixture(
        "two servers with one name",
        ACME,
        YAML,
        "x-server-name: test",
        "x-server-name: live",
    ),
    fixture(
        "relative server url",
        ACME,
        YAML,
        "url: https://test.example/v1",
        "url: /v1",
    ),
    fixture(
        "OpenAPI 3.1",
        ACME,
        YAML,
        "openapi: 3.0.3",
        "openapi: 3.1.0",
    ),
    fixture(
        "not YAML",
        ACME,
        YAML,
        "summary: Void a payment.",
        "summary: [Void a payment.",
    ),
    // Extensions.
    fixture(
        "unknown key in x-pagination",
        ACME,
        YAML,
        "items: payments",
        "item: payments",
    ),
    fixture(
        "x-idempotency-key names a credential's header",
        ACME,
        YAML,
        "x-idempotency-key:\n        header: Idempotency-Key",
        "x-idempotency-key:\n        header: X-API-Key",
    ),
    fixture(
        "x-idempotency-key without a header name",
        ACME,
        YAML,
        "x-idempotency-key:\n        header: Idempotency-Key",
        "x-idempotency-key:\n        header: Idempotency Key",
    ),
    fixture(
        "unknown key in x-request-id",
        ACME,
        YAML,
        "x-request-id:\n  header: X-Request-Id",
        "x-request-id:\n  name: X-Request-Id",
    ),
    fixture(
        "unknown key in x-rate-limit",
        ACME,
        YAML,
        "requests-per-minute: 600",
        "requests-per-hour: 600",
    ),
    fixture(
        "x-rate-limit of zero",
        ACME,
        YAML,
        "max-in-flight: 4",
        "max-in-flight: 0",
    ),
    fixture(
        "unknown webhook signature algorithm",
        ACME,
        YAML,
        "algorithm: hmac-sha256",
        "algorithm: sha1",
    ),
    fixture(
        "unknown webhook signature encoding",
        ACME,
        YAML,
        "encoding: hex",
        "encoding: base32",
    ),
    fixture(
        "unknown key in a webhook signature",
        ACME,
        YAML,
        "header: X-Signature",
        "headers: X-Signature",
    ),
    fixture(
        "x-idempotent is not a boolean",
        ACME,
        YAML,
        "x-idempotent: true",
        "x-idempotent: \"yes\"",
    ),
    fixture(
        "x-moves-money and x-idempotent together",
        ACME,
        YAML,
        "x-idempotent: true",
        "x-idempotent: true\n      x-moves-money: true",
    ),
    fixture(
        "x-error-code names a closed enum",
        ACME,
        YAML,
        "enum: ErrorCode",
        "enum: PaymentRequest",
    ),
    fixture(
        "x-error-message names no property",
        ACME,
        YAML,
        "x-error-message: message",
        "x-error-message: msg",
    ),
    fixture(
        "x-enum-descriptions names no value",
        ACME,
        YAML,
        "pending: Waiting.",
        "pendng: Waiting.",
    ),
    fixture(
        "x-open-enum on an integer",
        ACME,
        YAML,
        "      type: string\n      x-open-enum: true\n      enum: [pending",
        "      type: integer\n      x-open-enum: true\n      enum: [pending",
    ),
    fixture(
        "x-sensitive is not a boolean",
        ACME,
        YAML,
        "x-sensitive: true\n          minLength: 12",
        "x-sensitive: yes please\n          minLength: 12",
    ),
    // Schemas.
    fixture(
        "money as a float",
        ACME,
        YAML,
        "          type: number\n          format: decimal\n          minimum: 0",
        "          type: number\n          minimum: 0",
    ),
    fixture(
        "pattern",
        ACME,
        YAML,
        "        phone:\n          type: string",
        "        phone:\n          type: string\n          pattern: \"^[0-9]+$\"",
    ),
    // A DataContract provider.
    fixture(
        "x-dcs-client with an unknown key",
        GLOBEX,
        YAML,
        "  error-type: GlobexError",
        "  error-type: GlobexError\n  retries: 3",
    ),
    fixture(
        "x-dcs-client.recovery with an unknown key",
        GLOBEX,
        YAML,
        "    member: Reference",
        "    member: Reference\n    retries: 3",
    ),
    fixture(
        "x-dcs-client authentication member missing from a request",
        GLOBEX,
        YAML,
        "authentication: ApiToken",
        "authentication: ApiKey",
    ),
    fixture(
        "recovery names an unknown operation",
        GLOBEX,
        YAML,
        "operation: findPayment",
        "operation: findPayments",
    ),
    fixture(
        "request body names two different contracts",
        GLOBEX,
        YAML,
        "$ref: '#/components/schemas/Payments.FindRequest'\n          application/xml",
        "$ref: '#/components/schemas/Payments.FindReqest'\n          application/xml",
    ),
    fixture(
        "DataContract operation that is not a POST",
        GLOBEX,
        YAML,
        "  /v1/Payments/Find:\n    post:",
        "  /v1/Payments/Find:\n    put:",
    ),
    fixture(
        "XSD member without minOccurs",
        GLOBEX,
        "contracts/Payments.xsd",
        "<xs:element minOccurs=\"0\" name=\"PaidAt\"",
        "<xs:element name=\"PaidAt\"",
    ),
    fixture(
        "XSD member of an unsupported type",
        GLOBEX,
        "contracts/Payments.xsd",
        "name=\"PaidAt\" type=\"xs:dateTime\"",
        "name=\"PaidAt\" type=\"xs:long\"",
    ),
    fixture(
        "XSD members out of order",
        GLOBEX,
        "contracts/Payments.xsd",
        "name=\"PaymentId\" nillable=\"true\"",
        "name=\"Id\" nillable=\"true\"",
    ),
    fixture(
        "XSD string member not nillable",
        GLOBEX,
        "contracts/Payments.xsd",
        "name=\"PaymentId\" nillable=\"true\"",
        "name=\"PaymentId\"",
    ),
    fixture(
        "XSD type without its global element",
        GLOBEX,
        "contracts/Common.xsd",
        "  <xs:element name=\"BaseResponse\" nillable=\"true\" type=\"tns:BaseResponse\" />\n",
        "",
    ),
    fixture(
        "XSD global element of another type",
        GLOBEX,
        "contracts/Common.xsd",
        "<xs:element name=\"Currency\" nillable=\"true\" type=\"tns:Currency\" />",
        "<xs:element name=\"Currency\" nillable=\"true\" type=\"xs:string\" />",
    ),
    fixture(
        "XSD EnumerationValue equal to its position",
        GLOBEX,
        "contracts/Common.xsd",
        "<xs:annotation><xs:documentation>US dollars (value 1)</xs:documentation></xs:annotation>",
        "<xs:annotation><xs:appinfo><EnumerationValue xmlns=\"http://schemas.microsoft.com/2003/10/Serialization/\">1</EnumerationValue></xs:appinfo><xs:documentation>US dollars (value 1)</xs:documentation></xs:annotation>",
    ),
    fixture(
        "XSD two files, one namespace",
        GLOBEX,
        "contracts/Payments.xsd",
        "targetNamespace=\"http://schemas.datacontract.org/2004/07/Globex.Api.Payments\"",
        "targetNamespace=\"http://schemas.datacontract.org/2004/07/Globex.Api.Common\"",
    ),
    fixture(
        "XSD payspec:Default that is not a value of its member",
        GLOBEX,
        "contracts/Payments.xsd",
        "<xs:annotation><xs:documentation>The amount taken</xs:documentation></xs:annotation>",
        "<xs:annotation><xs:appinfo><payspec:Default xmlns:payspec=\"urn:payspec\">ten</payspec:Default></xs:appinfo><xs:documentation>The amount taken</xs:documentation></xs:annotation>",
    ),
    fixture(
        "XSD not well-formed",
        GLOBEX,
        "contracts/Payments.xsd",
        "<xs:documentation>The payment's id</xs:documentation>",
        "<xs:documentation>The payment's id</xs:documentaton>",
    ),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

static PANICS: AtomicUsize = AtomicUsize::new(0);

#[test]
fn every_mistake_is_refused_with_file_and_line_and_nothing_panics() {
    // As a maintainer debugging codegen would run it: a panic would print a full backtrace.
    // SAFETY: this test binary has one test, so no other thread reads the environment.
    unsafe { std::env::set_var("RUST_BACKTRACE", "1") };
    // A panic anywhere (including inside progenitor, whose panics codegen catches) counts.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        default_hook(info);
    }));
    let work = std::env::temp_dir().join(format!("payspec-spec-mistakes-{}", std::process::id()));
    let mut report = String::new();
    let mut failures = Vec::new();
    assert!(
        MISTAKES.len() >= 30,
        "the corpus covers at least 30 mistakes"
    );
    for (i, m) in MISTAKES.iter().enumerate() {
        let from = match m.base {
            Base::Specs => root().join("specs").join(m.provider),
            Base::Fixtures => root().join("tests/fixtures/providers").join(m.provider),
        };
        let case_root = work.join(i.to_string());
        let dir = case_root.join("specs").join(m.provider);
        copy_dir(&from, &dir);
        let path = dir.join(m.file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text.matches(m.find).count(),
            1,
            "{}: `{}` must occur exactly once in {}",
            m.name,
            m.find,
            m.file
        );
        std::fs::write(&path, text.replacen(m.find, m.replace, 1)).unwrap();
        let before = PANICS.load(Ordering::SeqCst);
        let result = payspec_codegen::load::generate(&case_root, m.provider);
        let panicked = PANICS.load(Ordering::SeqCst) - before;
        match result {
            Ok(_) => failures.push(format!("{}: generated without an error", m.name)),
            Err(message) => {
                let file = format!("specs/{}/{}", m.provider, m.file);
                let names_line = message.lines().any(|l| {
                    l.trim_start()
                        .strip_prefix(&file)
                        .and_then(|rest| rest.strip_prefix(':'))
                        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
                });
                if !names_line {
                    failures.push(format!("{}: no {file}:<line> in: {message}", m.name));
                }
                if message.contains("panicked") {
                    failures.push(format!("{}: a panic was reported: {message}", m.name));
                }
                report.push_str(&format!("## {}\n{message}\n\n", m.name));
            }
        }
        if panicked > 0 {
            failures.push(format!("{}: {panicked} panic(s)", m.name));
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    insta::assert_snapshot!("messages", report);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
