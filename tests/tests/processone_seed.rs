//! The 56 XML and 56 JSON samples of the ProcessOne seed (`tests/fixtures/processone`) through
//! payspec-processone's codec: each decodes and re-encodes to itself (XML byte for byte, ignoring
//! only the whitespace between elements; JSON as an equal value, nulls omitted, numbers compared
//! by their text), XML → JSON → XML and JSON → XML → JSON lose nothing, and money keeps its exact
//! value and scale in both formats.
//!
//! Every check runs over every sample and all failures are reported together.

use payspec_processone::codec::{self, Format};
use payspec_processone::contracts::credit_card::{
    ChargeCreditCardRequest, ChargeCreditCardResponse,
};
use payspec_processone::contracts::enums::CreditCardType;
use payspec_processone::contracts::transaction::GetTransactionByIdResponse;
use payspec_processone::{DataContract, Decimal};
use payspec_tests::dcs_oracle::{first_difference, flatten};
use payspec_tests::dcs_values::{json_diff, without_nulls};
use serde_json::Value;

/// One row of `index.tsv`.
struct Sample {
    /// `Area.Contract`, as `codec::convert` takes it.
    contract: String,
    xml: String,
    json: String,
}

fn fixture(rel: &str) -> String {
    let path = payspec_tests::root()
        .join("tests/fixtures/processone")
        .join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn samples() -> Vec<Sample> {
    let index = fixture("index.tsv");
    let mut lines = index.lines();
    let header: Vec<&str> = lines.next().expect("index header").split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("index.tsv has no column {name}"))
    };
    let (area, contract, xml, json) = (
        col("area"),
        col("contract"),
        col("xml_file"),
        col("json_file"),
    );
    let out: Vec<Sample> = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Sample {
                contract: format!("{}.{}", f[area], f[contract]),
                xml: fixture(f[xml]),
                json: fixture(f[json]),
            }
        })
        .collect();
    assert_eq!(out.len(), 56, "the seed has 28 operations × 2 contracts");
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn parse_json(bytes: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(bytes).map_err(|e| format!("not JSON ({e}): {}", text(bytes)))
}

fn report(what: &str, failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{what}: {} of 56 samples failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_xml_sample_decodes_and_reencodes_byte_for_byte() {
    let mut failures = Vec::new();
    for s in samples() {
        let expected = flatten(&s.xml);
        match codec::convert(&s.contract, Format::Xml, Format::Xml, s.xml.as_bytes()) {
            Ok(out) => {
                if let Some(d) = first_difference(&text(&out), &expected) {
                    failures.push(format!("  {}: {d}", s.contract));
                }
            }
            Err(e) => failures.push(format!("  {}: {e}", s.contract)),
        }
    }
    report("XML → XML", failures);
}

#[test]
fn every_json_sample_decodes_and_reencodes_to_an_equal_value() {
    let mut failures = Vec::new();
    for s in samples() {
        let expected = without_nulls(&parse_json(s.json.as_bytes()).unwrap());
        let got = codec::convert(&s.contract, Format::Json, Format::Json, s.json.as_bytes())
            .map_err(|e| e.to_string())
            .and_then(|out| parse_json(&out));
        match got {
            Ok(v) if v == expected => {}
            Ok(v) => failures.push(format!(
                "  {}: {}",
                s.contract,
                json_diff(&expected, &v, 5).join("; ")
            )),
            Err(e) => failures.push(format!("  {}: {e}", s.contract)),
        }
    }
    report("JSON → JSON", failures);
}

#[test]
fn every_xml_sample_survives_xml_to_json_to_xml_byte_for_byte() {
    let mut failures = Vec::new();
    for s in samples() {
        let expected = flatten(&s.xml);
        let back = codec::convert(&s.contract, Format::Xml, Format::Json, s.xml.as_bytes())
            .and_then(|json| codec::convert(&s.contract, Format::Json, Format::Xml, &json));
        match back {
            Ok(out) => {
                if let Some(d) = first_difference(&text(&out), &expected) {
                    failures.push(format!("  {}: {d}", s.contract));
                }
            }
            Err(e) => failures.push(format!("  {}: {e}", s.contract)),
        }
    }
    report("XML → JSON → XML", failures);
}

#[test]
fn every_json_sample_survives_json_to_xml_to_json() {
    let mut failures = Vec::new();
    for s in samples() {
        let expected = without_nulls(&parse_json(s.json.as_bytes()).unwrap());
        let back = codec::convert(&s.contract, Format::Json, Format::Xml, s.json.as_bytes())
            .and_then(|xml| codec::convert(&s.contract, Format::Xml, Format::Json, &xml))
            .map_err(|e| e.to_string())
            .and_then(|out| parse_json(&out));
        match back {
            Ok(v) if v == expected => {}
            Ok(v) => failures.push(format!(
                "  {}: {}",
                s.contract,
                json_diff(&expected, &v, 5).join("; ")
            )),
            Err(e) => failures.push(format!("  {}: {e}", s.contract)),
        }
    }
    report("JSON → XML → JSON", failures);
}

/// The round trips above could pass with a codec that keeps nothing typed; the decoded values of
/// a few samples are checked member by member here.
#[test]
fn samples_decode_to_the_values_they_carry() {
    let xml = fixture("xml/CreditCard.ChargeCreditCardRequest.xml");
    let req = ChargeCreditCardRequest::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(
        req.authentication_key().map(|k| k.expose().as_str()),
        Some("Authentication Key")
    );
    assert_eq!(req.account_group_code.as_deref(), Some("Default"));
    assert_eq!(req.amount.to_string(), "20.00");
    assert_eq!(req.callback_id, None);
    assert!(req.charge_fee);
    assert!(!req.is_recurring && !req.save);
    let card = req.credit_card.as_ref().expect("CreditCard");
    assert_eq!((card.expiration_month, card.expiration_year), (11, 2019));
    assert_eq!(
        card.number.as_ref().map(|n| n.expose().as_str()),
        Some("4012000033330026")
    );
    let holder = card.holder.as_ref().expect("Holder");
    assert_eq!(holder.name.as_deref(), Some("John Stevens"));
    assert_eq!(holder.zip.as_deref(), Some("12345"));
    let crd = req
        .client_reference_data
        .as_ref()
        .expect("ClientReferenceData");
    assert_eq!(crd.client_reference_data1.as_deref(), Some("1234"));
    assert_eq!(crd.client_reference_data4, None);

    // The JSON sample of the same request carries the same values.
    let json = fixture("json/CreditCard.ChargeCreditCardRequest.json");
    assert_eq!(
        ChargeCreditCardRequest::from_json(json.as_bytes()).unwrap(),
        req
    );

    // Enums: names in XML, integers in JSON.
    let xml = fixture("xml/CreditCard.ChargeCreditCardResponse.xml");
    let resp = ChargeCreditCardResponse::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(resp.credit_card_type, CreditCardType::Visa);
    assert_eq!(resp.base_card_type, CreditCardType::Undefined);
    assert_eq!(resp.response_code.as_deref(), Some("Success"));
    assert_eq!(resp.transaction_date.to_string(), "2019-11-19T10:52:07");
    let json = fixture("json/CreditCard.ChargeCreditCardResponse.json");
    assert_eq!(
        ChargeCreditCardResponse::from_json(json.as_bytes()).unwrap(),
        resp
    );
}

#[test]
fn json_decimals_keep_their_text() {
    // The sample says `100.0`: Json.NET's way of writing `100m`. It must not come back as `100`.
    let json = fixture("json/Transaction.GetTransactionByIdResponse.json");
    let resp = GetTransactionByIdResponse::from_json(json.as_bytes()).unwrap();
    let info = resp.transaction_information.as_ref().unwrap();
    assert_eq!(info.original_amount.to_string(), "100.0");
    let out = text(&resp.to_json().unwrap());
    assert!(out.contains(r#""OriginalAmount":100.0,"#), "{out}");
    assert!(out.contains(r#""PostedAmount":100.0"#), "{out}");
}

#[test]
fn date_times_keep_fraction_and_offset_through_json() {
    let xml = fixture("xml/CreditCard.GetCardUpdatesRequest.xml");
    assert!(xml.contains("2019-11-19T10:52:08.2141523-08:00"));
    let json = codec::convert(
        "CreditCard.GetCardUpdatesRequest",
        Format::Xml,
        Format::Json,
        xml.as_bytes(),
    )
    .unwrap();
    let json = text(&json);
    assert!(
        json.contains(r#""2019-11-19T10:52:08.2141523-08:00""#),
        "{json}"
    );
}

const AMOUNTS: &[&str] = &[
    "0.10",
    "20.00",
    "100",
    "79228162514264337593543950335",
    "-79228162514264337593543950335",
    "0.0000000000000000000000000001",
];

fn dec(text: &str) -> Decimal {
    Decimal::from_str_exact(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn amounts_survive_json_both_ways() {
    for &a in AMOUNTS {
        let req = ChargeCreditCardRequest::new().with_amount(dec(a));
        let json = text(&req.to_json().unwrap());
        assert!(json.contains(&format!(r#""Amount":{a},"#)), "{a}: {json}");
        let back = ChargeCreditCardRequest::from_json(json.as_bytes()).unwrap();
        assert_eq!(back.amount, dec(a), "{a}");
        assert_eq!(back.amount.to_string(), a, "scale of {a}");
        assert_eq!(back, req);

        // Read from a body written by someone else.
        let body = format!(r#"{{"Amount": {a}, "ChargeFee": true}}"#);
        let read = ChargeCreditCardRequest::from_json(body.as_bytes()).unwrap();
        assert_eq!(read.amount.to_string(), a);

        let mut resp = response();
        resp.posted_amount = Some(dec(a));
        let json = text(&resp.to_json().unwrap());
        assert!(
            json.contains(&format!(r#""PostedAmount":{a}"#)),
            "{a}: {json}"
        );
        let back = ChargeCreditCardResponse::from_json(json.as_bytes()).unwrap();
        assert_eq!(
            back.posted_amount.map(|d| d.to_string()).as_deref(),
            Some(a)
        );
        assert_eq!(back, resp);
    }
}

#[test]
fn amounts_survive_xml_both_ways() {
    for &a in AMOUNTS {
        let req = ChargeCreditCardRequest::new().with_amount(dec(a));
        let xml = text(&req.to_xml().unwrap());
        assert!(xml.contains(&format!("<Amount>{a}</Amount>")), "{a}: {xml}");
        let back = ChargeCreditCardRequest::from_xml(xml.as_bytes()).unwrap();
        assert_eq!(back.amount, dec(a), "{a}");
        assert_eq!(back.amount.to_string(), a, "scale of {a}");
        assert_eq!(back, req);

        let mut resp = response();
        resp.posted_amount = Some(dec(a));
        let xml = text(&resp.to_xml().unwrap());
        assert!(
            xml.contains(&format!("<PostedAmount>{a}</PostedAmount>")),
            "{a}: {xml}"
        );
        let back = ChargeCreditCardResponse::from_xml(xml.as_bytes()).unwrap();
        assert_eq!(
            back.posted_amount.map(|d| d.to_string()).as_deref(),
            Some(a)
        );
        assert_eq!(back, resp);
    }
}

#[test]
fn amounts_survive_conversion_between_formats() {
    let sample = fixture("xml/CreditCard.ChargeCreditCardRequest.xml");
    for &a in AMOUNTS {
        let xml = sample.replace("<Amount>20.00</Amount>", &format!("<Amount>{a}</Amount>"));
        let contract = "CreditCard.ChargeCreditCardRequest";
        let json = codec::convert(contract, Format::Xml, Format::Json, xml.as_bytes()).unwrap();
        let json_text = text(&json);
        assert!(
            json_text.contains(&format!(r#""Amount":{a},"#)),
            "{a}: {json_text}"
        );
        let back = codec::convert(contract, Format::Json, Format::Xml, &json).unwrap();
        assert_eq!(text(&back), flatten(&xml), "{a}");
    }
}

/// The seed's ChargeCreditCardResponse (PostedAmount absent: it is left out when null).
fn response() -> ChargeCreditCardResponse {
    let xml = fixture("xml/CreditCard.ChargeCreditCardResponse.xml");
    let resp = ChargeCreditCardResponse::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(resp.posted_amount, None);
    resp
}
