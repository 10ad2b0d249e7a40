//! The `processone-codec` binary (of payspec-processone), run as a user runs it: bodies on stdin,
//! the conversion on stdout, failures as a non-zero exit and one line on stderr.
//!
//! The binary belongs to another package, so `CARGO_BIN_EXE_*` is not available here: the first
//! test that needs it builds it once with cargo (same target directory and profile as this test)
//! and runs it from there.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use payspec_processone::codec::{self, CONTRACTS, Format};
use payspec_tests::dcs_oracle::{first_difference, flatten};

/// Builds `processone-codec` (once) and returns its path.
fn binary() -> &'static PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        // This test runs from <target>/<profile>/deps/.
        let exe = std::env::current_exe().expect("current_exe");
        let profile_dir = exe
            .parent()
            .and_then(|deps| deps.parent())
            .expect("<target>/<profile>/deps/<test>")
            .to_path_buf();
        let target_dir = profile_dir.parent().expect("<target>").to_path_buf();
        let profile = profile_dir
            .file_name()
            .and_then(|n| n.to_str())
            .expect("profile directory name")
            .to_string();
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = Command::new(cargo);
        build
            .current_dir(payspec_tests::root())
            .args([
                "build",
                "-q",
                "-p",
                "payspec-processone",
                "--bin",
                "processone-codec",
            ])
            .arg("--target-dir")
            .arg(&target_dir);
        if profile != "debug" {
            build.args(["--profile", &profile]);
        }
        let out = build.output().expect("run cargo build");
        assert!(
            out.status.success(),
            "cargo build of processone-codec failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let path = profile_dir.join(format!("processone-codec{}", std::env::consts::EXE_SUFFIX));
        assert!(path.is_file(), "{} was not built", path.display());
        path
    })
}

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(binary())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start processone-codec");
    let mut pipe = child.stdin.take().expect("stdin");
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        // The binary may exit before reading everything (usage errors): ignore a broken pipe.
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait for processone-codec");
    writer.join().expect("stdin writer");
    out
}

fn convert(from: &str, to: &str, contract: &str, input: &[u8]) -> Output {
    run(&["convert", "--from", from, "--to", to, contract], input)
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 stdout")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("UTF-8 stderr")
}

/// Succeeded, with nothing on stderr.
fn assert_ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what}: exit {:?}, stderr: {}",
        out.status.code(),
        stderr(out)
    );
    assert_eq!(stderr(out), "", "{what}");
}

/// Failed with a non-zero exit, nothing on stdout, and exactly one line on stderr; returns it.
fn assert_one_line_failure(out: &Output, what: &str) -> String {
    assert!(
        !out.status.success() && out.status.code().is_some_and(|c| c != 0),
        "{what}: expected a failure, exit {:?}, stdout: {}",
        out.status.code(),
        stdout(out)
    );
    assert!(out.stdout.is_empty(), "{what}: stdout: {}", stdout(out));
    let err = stderr(out);
    assert!(
        err.ends_with('\n') && err.matches('\n').count() == 1 && err.trim().len() > 10,
        "{what}: stderr must be one line: {err:?}"
    );
    err.trim_end().to_string()
}

fn fixture(rel: &str) -> String {
    payspec_tests::fixture_text("processone", rel)
}

/// `Area.Contract` of the 56 seed samples.
fn sample_contracts() -> Vec<String> {
    let contracts: Vec<String> = fixture("index.tsv")
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            format!("{}.{}", f[0], f[3])
        })
        .collect();
    assert_eq!(contracts.len(), 56);
    contracts
}

#[test]
fn xml_to_json_to_xml_through_the_binary_gives_back_every_sample() {
    let mut failures = Vec::new();
    for contract in sample_contracts() {
        let xml = fixture(&format!("xml/{contract}.xml"));
        let json = convert("xml", "json", &contract, xml.as_bytes());
        assert_ok(&json, &contract);
        // The binary writes what the library writes.
        let lib = codec::convert(&contract, Format::Xml, Format::Json, xml.as_bytes()).unwrap();
        assert_eq!(json.stdout, lib, "{contract}");
        serde_json::from_slice::<serde_json::Value>(&json.stdout)
            .unwrap_or_else(|e| panic!("{contract}: stdout is not JSON: {e}"));

        let back = convert("json", "xml", &contract, &json.stdout);
        assert_ok(&back, &contract);
        if let Some(d) = first_difference(&stdout(&back), &flatten(&xml)) {
            failures.push(format!("  {contract}: {d}"));
        }
    }
    assert!(
        failures.is_empty(),
        "XML → JSON → XML through processone-codec changed {} samples:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn json_to_json_through_the_binary_drops_only_nulls() {
    let contract = "CreditCard.ChargeCreditCardRequest";
    let json = fixture(&format!("json/{contract}.json"));
    let out = convert("json", "json", contract, json.as_bytes());
    assert_ok(&out, contract);
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let want = payspec_tests::dcs_values::without_nulls(&serde_json::from_str(&json).unwrap());
    assert_eq!(got, want);
    assert!(
        stdout(&out).contains(r#""Amount":20.00"#),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_name_in_two_areas_is_ambiguous() {
    let xml = fixture("xml/CreditCard.ConvenienceFeeRequest.xml");
    let out = convert("xml", "json", "ConvenienceFeeRequest", xml.as_bytes());
    let line = assert_one_line_failure(&out, "ConvenienceFeeRequest");
    assert!(line.contains("CreditCard.ConvenienceFeeRequest"), "{line}");
    assert!(line.contains("Eft.ConvenienceFeeRequest"), "{line}");
}

#[test]
fn area_qualified_names_are_accepted() {
    for contract in [
        "CreditCard.ConvenienceFeeRequest",
        "Eft.ConvenienceFeeRequest",
    ] {
        let xml = fixture(&format!("xml/{contract}.xml"));
        let out = convert("xml", "xml", contract, xml.as_bytes());
        assert_ok(&out, contract);
        assert_eq!(stdout(&out), flatten(&xml), "{contract}");
    }
    // The two are different contracts: one area's body is not the other's.
    let xml = fixture("xml/Eft.ConvenienceFeeRequest.xml");
    let out = convert(
        "xml",
        "xml",
        "CreditCard.ConvenienceFeeRequest",
        xml.as_bytes(),
    );
    assert_one_line_failure(&out, "Eft body as CreditCard.ConvenienceFeeRequest");
}

#[test]
fn a_name_in_one_area_needs_no_area() {
    let xml = fixture("xml/CreditCard.ChargeCreditCardRequest.xml");
    let out = convert("xml", "xml", "ChargeCreditCardRequest", xml.as_bytes());
    assert_ok(&out, "ChargeCreditCardRequest");
    assert_eq!(stdout(&out), flatten(&xml));
}

#[test]
fn bad_xml_fails_with_one_line() {
    let xml = fixture("xml/CreditCard.ChargeCreditCardRequest.xml");
    let cases = [
        ("truncated", xml[..xml.len() / 2].to_string()),
        ("not XML", "hello\nworld\n".to_string()),
        (
            "out of order",
            xml.replace("<Amount>20.00</Amount>", "").replace(
                "<Save>false</Save>",
                "<Save>false</Save><Amount>20.00</Amount>",
            ),
        ),
        (
            "another contract",
            fixture("xml/CreditCard.ChargeCreditCardResponse.xml"),
        ),
        ("empty", String::new()),
    ];
    for (what, input) in cases {
        let out = convert(
            "xml",
            "json",
            "CreditCard.ChargeCreditCardRequest",
            input.as_bytes(),
        );
        let line = assert_one_line_failure(&out, what);
        assert!(line.contains("ChargeCreditCardRequest"), "{what}: {line}");
    }
}

#[test]
fn bad_json_fails_with_one_line() {
    for (what, input) in [
        ("truncated", "{\"Amount\": "),
        ("not JSON", "<x/>"),
        ("duplicate key", "{\"Amount\": 1,\n \"amount\": 2}"),
    ] {
        let out = convert(
            "json",
            "xml",
            "CreditCard.ChargeCreditCardRequest",
            input.as_bytes(),
        );
        assert_one_line_failure(&out, what);
    }
}

/// The codec's error line never repeats a secret member's value (card number, CVV, account
/// number, authentication key), whatever is wrong with it or around it: the line goes to
/// terminals and CI logs.
#[test]
fn error_lines_never_show_a_secret() {
    const CARD: &str = "4012000033330026";
    const CVV: &str = "9731";
    const ACCOUNT: &str = "123123124";
    const KEY: &str = "p1-live-key-in-a-body-0042";
    let card_xml = fixture("xml/CreditCard.ChargeCreditCardRequest.xml")
        .replace(
            "<ValidationValue>123</ValidationValue>",
            &format!("<ValidationValue>{CVV}</ValidationValue>"),
        )
        .replace(">Authentication Key<", &format!(">{KEY}<"));
    let eft_xml =
        fixture("xml/Eft.DebitEftRequest.xml").replace(">Authentication Key<", &format!(">{KEY}<"));
    let charge = "CreditCard.ChargeCreditCardRequest";
    let debit = "Eft.DebitEftRequest";
    let cases: Vec<(&str, &str, &str, String)> = vec![
        (
            "card number as a JSON number",
            "json",
            charge,
            format!(r#"{{"CreditCard":{{"Number":{CARD}}}}}"#),
        ),
        (
            "CVV as a JSON number",
            "json",
            charge,
            format!(r#"{{"CreditCard":{{"Number":"1","ValidationValue":{CVV}}}}}"#),
        ),
        (
            "key as a JSON list",
            "json",
            charge,
            format!(r#"{{"AuthenticationKey":["{KEY}"]}}"#),
        ),
        (
            "account number as a JSON number",
            "json",
            debit,
            format!(r#"{{"EftDetails":{{"AccountNumber":{ACCOUNT}}}}}"#),
        ),
        (
            "card number with a control character",
            "xml",
            charge,
            card_xml.replace(&format!(">{CARD}<"), &format!(">{CARD}&#x1;<")),
        ),
        (
            "key with a control character",
            "xml",
            charge,
            card_xml.replace(&format!(">{KEY}<"), &format!(">{KEY}&#x2;<")),
        ),
        (
            "account number with markup inside",
            "xml",
            debit,
            eft_xml.replace(&format!(">{ACCOUNT}<"), &format!("><b>{ACCOUNT}</b><")),
        ),
        (
            "truncated after the card number",
            "xml",
            charge,
            card_xml[..card_xml.find(CARD).unwrap() + CARD.len() + 4].to_string(),
        ),
        (
            "out of order after the secrets",
            "xml",
            charge,
            card_xml
                .replace("<Amount>20.00</Amount>", "")
                .replace("</CreditCard>", "</CreditCard><Amount>20.00</Amount>"),
        ),
    ];
    for (what, from, contract, input) in cases {
        assert!(
            input.contains(CARD)
                || input.contains(CVV)
                || input.contains(ACCOUNT)
                || input.contains(KEY),
            "{what}"
        );
        // JSON can carry a control character that XML cannot: each case fails for at least
        // one target format, and every failure is checked.
        let mut failures = 0;
        for to in ["json", "xml"] {
            let out = convert(from, to, contract, input.as_bytes());
            if out.status.success() {
                continue;
            }
            failures += 1;
            let line = assert_one_line_failure(&out, what);
            for secret in [CARD, CVV, ACCOUNT, KEY] {
                assert!(
                    !line.contains(secret),
                    "{what} ({from} to {to}): {secret} in {line}"
                );
            }
        }
        assert!(failures > 0, "{what}: converted without an error");
    }
}

#[test]
fn a_value_the_target_format_cannot_carry_fails_with_one_line() {
    // An enum name this client does not know has no integer for JSON.
    let xml = fixture("xml/CreditCard.ChargeCreditCardResponse.xml").replace(
        "<CreditCardType>Visa</CreditCardType>",
        "<CreditCardType>Maestro</CreditCardType>",
    );
    let contract = "CreditCard.ChargeCreditCardResponse";
    let out = convert("xml", "xml", contract, xml.as_bytes());
    assert_ok(&out, "unknown name, XML to XML");
    assert!(stdout(&out).contains("<CreditCardType>Maestro</CreditCardType>"));
    let out = convert("xml", "json", contract, xml.as_bytes());
    let line = assert_one_line_failure(&out, "unknown name to JSON");
    assert!(line.contains("Maestro"), "{line}");
}

#[test]
fn an_unknown_contract_or_format_fails_with_one_line() {
    let xml = fixture("xml/CreditCard.ChargeCreditCardRequest.xml");
    let out = convert("xml", "json", "NoSuchContract", xml.as_bytes());
    let line = assert_one_line_failure(&out, "unknown contract");
    assert!(line.contains("NoSuchContract"), "{line}");
    let out = convert("yaml", "json", "ChargeCreditCardRequest", xml.as_bytes());
    let line = assert_one_line_failure(&out, "unknown format");
    assert!(line.contains("yaml"), "{line}");
}

#[test]
fn missing_arguments_print_the_usage() {
    for args in [&[][..], &["convert", "--from", "xml"][..]] {
        let out = run(args, b"");
        assert!(!out.status.success(), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(
            stderr(&out).starts_with("usage:"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn contracts_lists_every_contract() {
    let out = run(&["contracts"], b"");
    assert_ok(&out, "contracts");
    let listed: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    assert_eq!(listed, CONTRACTS);
    for contract in sample_contracts() {
        assert!(listed.contains(&contract), "{contract} not listed");
    }
}

#[test]
fn help_is_usage_on_stdout_and_usage_errors_name_the_argument() {
    for args in [&["--help"][..], &["-h"], &["help"], &["convert", "--help"]] {
        let out = run(args, b"");
        assert!(out.status.success(), "{args:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.starts_with("usage: processone-codec convert"),
            "{text}"
        );
    }
    let cases: [(&[&str], &str); 4] = [
        (&["frobnicate"], "unknown command \"frobnicate\""),
        (&["convert", "--form", "xml"], "unknown argument --form"),
        (&["convert", "--from"], "--from needs a value"),
        (
            &["convert", "--from", "--to", "json", "X"],
            "--from needs a value",
        ),
    ];
    for (args, needle) in cases {
        let out = run(args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let text = String::from_utf8_lossy(&out.stderr);
        assert!(text.contains(needle), "{args:?}: {text}");
    }
}
