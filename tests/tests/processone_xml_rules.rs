//! What payspec-processone's decoders accept and refuse, and what they keep.
//!
//! The real DataContractSerializer silently drops an element that comes after its slot, in the
//! wrong namespace, or a collection item with the wrong name (`tests/peers/dotnet/PROBE.md`,
//! `/work/shared/DATACONTRACT-WIRE.md`): our reader must report each of those as an error
//! instead, refuse DOCTYPEs and oversize / overdeep input, and still skip unknown elements
//! (forward compatibility). JSON: keys case-insensitive, unknown keys ignored, a key given twice
//! refused. Open enums keep unknown values and write them back unchanged, but never guess a name
//! for an integer or an integer for a name. Secrets never show in `Debug` or in error messages.
//!
//! Every negative case starts from a seed sample that decodes, and changes one thing.

use payspec_processone::contracts::credit_card::{
    ChargeCreditCardRequest, ChargeCreditCardResponse, CreditCardDetails, GetCardDataRequest,
};
use payspec_processone::contracts::enums::{CreditCardType, TransactionStatus};
use payspec_processone::contracts::transaction::GetTransactionsByBatchIdRequest;
use payspec_processone::{DataContract, Decimal, SecretString, XmlError, XmlLimits};
use payspec_runtime::dcs::{UnknownEnumValue, XmlErrorKind};
use payspec_tests::dcs_oracle::flatten;

const DC_NS: &str =
    "http://schemas.datacontract.org/2004/07/OneInc.ProcessOne.RestApi.Contracts.DataContracts";
const CARD: &str = "4111111111111111";

fn fixture(rel: &str) -> String {
    let path = payspec_tests::root()
        .join("tests/fixtures/processone")
        .join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The seed's ChargeCreditCardRequest, on one line.
fn charge_xml() -> String {
    flatten(&fixture("xml/CreditCard.ChargeCreditCardRequest.xml"))
}

/// The seed's ChargeCreditCardResponse, on one line.
fn charge_response_xml() -> String {
    flatten(&fixture("xml/CreditCard.ChargeCreditCardResponse.xml"))
}

/// `text` with `from` replaced by `to`, which must occur exactly once.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from:?} must occur exactly once in {text}"
    );
    text.replacen(from, to, 1)
}

fn charge_err(xml: &str) -> XmlError {
    match ChargeCreditCardRequest::from_xml(xml.as_bytes()) {
        Ok(v) => panic!("accepted, read as {v:?}:\n{xml}"),
        Err(e) => e,
    }
}

fn response_err(xml: &str) -> XmlError {
    match ChargeCreditCardResponse::from_xml(xml.as_bytes()) {
        Ok(v) => panic!("accepted, read as {v:?}:\n{xml}"),
        Err(e) => e,
    }
}

fn assert_kind(e: &XmlError, kind: XmlErrorKind) {
    assert_eq!(e.kind(), &kind, "wrong kind for error: {e}");
}

#[test]
fn the_base_samples_decode() {
    // The negative cases below are meaningful only if the unedited documents are accepted.
    ChargeCreditCardRequest::from_xml(charge_xml().as_bytes()).unwrap();
    ChargeCreditCardResponse::from_xml(charge_response_xml().as_bytes()).unwrap();
    GetTransactionsByBatchIdRequest::from_xml(
        fixture("xml/Transaction.GetTransactionsByBatchIdRequest.xml").as_bytes(),
    )
    .unwrap();
}

// ---- order and namespaces ----

#[test]
fn amount_after_callback_id_is_out_of_order() {
    // DCS would read this Amount as 0: charging nothing, or rather not what was meant.
    let xml = edit(&charge_xml(), "<Amount>20.00</Amount>", "");
    let xml = edit(
        &xml,
        r#"<CallbackId i:nil="true" />"#,
        r#"<CallbackId i:nil="true" /><Amount>20.00</Amount>"#,
    );
    let e = charge_err(&xml);
    assert_kind(&e, XmlErrorKind::OutOfOrder);
    assert!(e.to_string().contains("Amount"), "{e}");
    assert!(e.position().is_some(), "{e}");
}

#[test]
fn token_before_authentication_key_is_out_of_order() {
    // DCS would drop the key.
    let xml = edit(&charge_xml(), r#"<Token i:nil="true" />"#, "");
    let xml = edit(
        &xml,
        "<AuthenticationKey ",
        r#"<Token i:nil="true" /><AuthenticationKey "#,
    );
    let e = charge_err(&xml);
    assert_kind(&e, XmlErrorKind::OutOfOrder);
    assert!(e.to_string().contains("AuthenticationKey"), "{e}");
}

#[test]
fn a_repeated_member_is_out_of_order() {
    let xml = edit(
        &charge_xml(),
        "<Save>false</Save>",
        "<Save>false</Save><Save>true</Save>",
    );
    assert_kind(&charge_err(&xml), XmlErrorKind::OutOfOrder);

    // Also inside a nested class.
    let xml = edit(
        &charge_xml(),
        "<ExpirationYear>2019</ExpirationYear>",
        "<ExpirationYear>2019</ExpirationYear><ExpirationMonth>12</ExpirationMonth>",
    );
    let e = charge_err(&xml);
    assert_kind(&e, XmlErrorKind::OutOfOrder);
    assert!(e.to_string().contains("ExpirationMonth"), "{e}");
}

#[test]
fn authentication_key_without_its_namespace_is_refused() {
    let xml = edit(
        &charge_xml(),
        &format!(r#"<AuthenticationKey xmlns="{DC_NS}">"#),
        "<AuthenticationKey>",
    );
    let e = charge_err(&xml);
    assert_kind(&e, XmlErrorKind::WrongNamespace);
    assert!(e.to_string().contains("AuthenticationKey"), "{e}");
    assert!(
        !e.to_string().contains("Authentication Key"),
        "the key's value must not be shown: {e}"
    );
}

#[test]
fn a_member_in_the_base_namespace_that_belongs_to_the_derived_one_is_refused() {
    let xml = edit(
        &charge_xml(),
        "<AccountGroupCode>Default</AccountGroupCode>",
        &format!(r#"<AccountGroupCode xmlns="{DC_NS}">Default</AccountGroupCode>"#),
    );
    assert_kind(&charge_err(&xml), XmlErrorKind::WrongNamespace);
}

#[test]
fn a_string_array_item_with_another_name_is_refused() {
    let xml = fixture("xml/Transaction.GetTransactionsByBatchIdRequest.xml");
    let xml = edit(
        &xml,
        "<d2p1:string>Authentication Key</d2p1:string>",
        "<d2p1:str>Authentication Key</d2p1:str>",
    );
    let e = GetTransactionsByBatchIdRequest::from_xml(xml.as_bytes()).unwrap_err();
    assert_kind(&e, XmlErrorKind::WrongItem);
    assert!(
        !e.to_string().contains("Authentication Key"),
        "item values must not be shown: {e}"
    );
}

#[test]
fn a_string_array_item_in_another_namespace_is_refused() {
    let xml = fixture("xml/Transaction.GetTransactionsByBatchIdRequest.xml");
    let xml = edit(
        &xml,
        "<d2p1:string>Authentication Key</d2p1:string>",
        "<string>Authentication Key</string>",
    );
    let e = GetTransactionsByBatchIdRequest::from_xml(xml.as_bytes()).unwrap_err();
    assert_kind(&e, XmlErrorKind::WrongItem);
}

#[test]
fn the_string_array_items_are_read() {
    let xml = fixture("xml/Transaction.GetTransactionsByBatchIdRequest.xml");
    let req = GetTransactionsByBatchIdRequest::from_xml(xml.as_bytes()).unwrap();
    let keys: Vec<Option<String>> = req
        .query_authentication_keys
        .unwrap()
        .iter()
        .map(|k| k.as_ref().map(|k| k.expose().clone()))
        .collect();
    assert_eq!(
        keys,
        vec![
            Some("Authentication Key".to_string()),
            Some("50a14059-d14d-4f86-ad3a-b53629d500c5".to_string())
        ]
    );
    assert_eq!(req.transaction_statuses, None);
}

// ---- values ----

#[test]
fn nil_on_amount_is_refused() {
    let xml = edit(
        &charge_xml(),
        "<Amount>20.00</Amount>",
        r#"<Amount i:nil="true" />"#,
    );
    let e = charge_err(&xml);
    assert_kind(&e, XmlErrorKind::NilNotAllowed);
    assert!(e.path().ends_with("Amount"), "{}", e.path());
}

#[test]
fn nil_on_a_nested_value_type_is_refused() {
    let xml = edit(
        &charge_xml(),
        "<ExpirationMonth>11</ExpirationMonth>",
        r#"<ExpirationMonth i:nil="true" />"#,
    );
    let e = charge_err(&xml);
    assert_kind(&e, XmlErrorKind::NilNotAllowed);
    assert_eq!(
        e.path(),
        "ChargeCreditCardRequest/CreditCard/ExpirationMonth"
    );
}

#[test]
fn capitalised_true_is_refused() {
    let xml = edit(
        &charge_xml(),
        "<ChargeFee>true</ChargeFee>",
        "<ChargeFee>True</ChargeFee>",
    );
    assert_kind(&charge_err(&xml), XmlErrorKind::InvalidValue);
}

#[test]
fn one_and_zero_are_booleans() {
    let xml = edit(
        &charge_xml(),
        "<ChargeFee>true</ChargeFee>",
        "<ChargeFee>0</ChargeFee>",
    );
    let xml = edit(&xml, "<Save>false</Save>", "<Save>1</Save>");
    let req = ChargeCreditCardRequest::from_xml(xml.as_bytes()).unwrap();
    assert!(!req.charge_fee);
    assert!(req.save);
}

#[test]
fn an_exponent_decimal_is_refused() {
    let xml = edit(
        &charge_xml(),
        "<Amount>20.00</Amount>",
        "<Amount>1e2</Amount>",
    );
    assert_kind(&charge_err(&xml), XmlErrorKind::InvalidValue);
}

#[test]
fn a_decimal_the_service_would_round_or_overflow_is_refused() {
    for bad in [
        "0.00000000000000000000000000001",
        "79228162514264337593543950336",
        "1,5",
        "",
    ] {
        let xml = edit(
            &charge_xml(),
            "<Amount>20.00</Amount>",
            &format!("<Amount>{bad}</Amount>"),
        );
        assert_kind(&charge_err(&xml), XmlErrorKind::InvalidValue);
    }
}

#[test]
fn decimals_are_read_as_the_real_serializer_reads_them() {
    for (sent, read) in [
        ("+1.0", "1.0"),
        (" 20.00\n", "20.00"),
        (".5", "0.5"),
        ("00012.50", "12.50"),
        ("-0.00", "0.00"),
    ] {
        let xml = edit(
            &charge_xml(),
            "<Amount>20.00</Amount>",
            &format!("<Amount>{sent}</Amount>"),
        );
        let req = ChargeCreditCardRequest::from_xml(xml.as_bytes()).unwrap();
        assert_eq!(req.amount.to_string(), read, "{sent:?}");
        let out = String::from_utf8(req.to_xml().unwrap()).unwrap();
        assert!(out.contains(&format!("<Amount>{read}</Amount>")), "{out}");
    }
}

#[test]
fn an_integer_enum_value_is_refused_in_xml() {
    let xml = edit(
        &charge_response_xml(),
        "<CreditCardType>Visa</CreditCardType>",
        "<CreditCardType>1</CreditCardType>",
    );
    assert_kind(&response_err(&xml), XmlErrorKind::InvalidValue);
}

#[test]
fn an_empty_enum_element_is_refused() {
    let xml = edit(
        &charge_response_xml(),
        "<CreditCardType>Visa</CreditCardType>",
        "<CreditCardType></CreditCardType>",
    );
    assert_kind(&response_err(&xml), XmlErrorKind::InvalidValue);
}

#[test]
fn eight_fraction_digits_in_a_date_time_are_refused() {
    // DCS would round them to seven, changing the value.
    let xml = edit(
        &charge_response_xml(),
        "<TransactionDate>2019-11-19T10:52:07</TransactionDate>",
        "<TransactionDate>2019-11-19T10:52:08.21415234-08:00</TransactionDate>",
    );
    assert_kind(&response_err(&xml), XmlErrorKind::InvalidValue);
}

#[test]
fn seven_fraction_digits_and_an_offset_are_kept() {
    let xml = edit(
        &charge_response_xml(),
        "<TransactionDate>2019-11-19T10:52:07</TransactionDate>",
        "<TransactionDate>2019-11-19T10:52:08.2141523-08:00</TransactionDate>",
    );
    let resp = ChargeCreditCardResponse::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(
        resp.transaction_date.to_string(),
        "2019-11-19T10:52:08.2141523-08:00"
    );
    assert_eq!(String::from_utf8(resp.to_xml().unwrap()).unwrap(), xml);
}

#[test]
fn date_times_without_seconds_or_with_a_space_are_refused() {
    for bad in ["2019-11-19T10:52", "2019-11-19 10:52:07"] {
        let xml = edit(
            &charge_response_xml(),
            "<TransactionDate>2019-11-19T10:52:07</TransactionDate>",
            &format!("<TransactionDate>{bad}</TransactionDate>"),
        );
        assert_kind(&response_err(&xml), XmlErrorKind::InvalidValue);
    }
}

// ---- strings, empties and lists (PROBE.md's tables) ----

#[test]
fn text_is_escaped_as_dcs_escapes_it() {
    let req = ChargeCreditCardRequest::new().with_callback_id("a<b&c>d\"e'f\tg\nh ñ😀");
    let xml = String::from_utf8(req.to_xml().unwrap()).unwrap();
    assert!(
        xml.contains("<CallbackId>a&lt;b&amp;c&gt;d\"e'f\tg\nh ñ😀</CallbackId>"),
        "{xml}"
    );
    assert_eq!(
        ChargeCreditCardRequest::from_xml(xml.as_bytes()).unwrap(),
        req
    );
}

#[test]
fn a_carriage_return_survives_a_round_trip() {
    // A raw CR would be read back as LF (XML line-end normalisation).
    let req = ChargeCreditCardRequest::new().with_callback_id("a\r\nb\rc");
    let xml = req.to_xml().unwrap();
    assert_eq!(ChargeCreditCardRequest::from_xml(&xml).unwrap(), req);
}

#[test]
fn empty_strings_are_not_nil() {
    for empty in ["<CallbackId></CallbackId>", "<CallbackId />"] {
        let xml = edit(&charge_xml(), r#"<CallbackId i:nil="true" />"#, empty);
        let req = ChargeCreditCardRequest::from_xml(xml.as_bytes()).unwrap();
        assert_eq!(req.callback_id.as_deref(), Some(""), "{empty}");
        let out = String::from_utf8(req.to_xml().unwrap()).unwrap();
        assert!(out.contains("<CallbackId></CallbackId>"), "{out}");
    }
}

#[test]
fn empty_and_nil_string_lists_are_written_as_dcs_writes_them() {
    let arrays = "http://schemas.microsoft.com/2003/10/Serialization/Arrays";
    let sample = fixture("xml/Transaction.GetTransactionsByBatchIdRequest.xml");
    let start = sample.find("<QueryAuthenticationKeys").unwrap();
    let end =
        sample.find("</QueryAuthenticationKeys>").unwrap() + "</QueryAuthenticationKeys>".len();
    let list = &sample[start..end];
    for (sent, keys, written) in [
        (
            "<QueryAuthenticationKeys />".to_string(),
            Some(0),
            format!(r#"<QueryAuthenticationKeys xmlns:d2p1="{arrays}" />"#),
        ),
        (
            r#"<QueryAuthenticationKeys i:nil="true" />"#.to_string(),
            None,
            format!(r#"<QueryAuthenticationKeys xmlns:d2p1="{arrays}" i:nil="true" />"#),
        ),
        (
            format!(
                r#"<QueryAuthenticationKeys xmlns:d2p1="{arrays}"><d2p1:string>a</d2p1:string><d2p1:string i:nil="true" /><d2p1:string></d2p1:string></QueryAuthenticationKeys>"#
            ),
            Some(3),
            format!(
                r#"<QueryAuthenticationKeys xmlns:d2p1="{arrays}"><d2p1:string>a</d2p1:string><d2p1:string i:nil="true" /><d2p1:string></d2p1:string></QueryAuthenticationKeys>"#
            ),
        ),
    ] {
        let xml = edit(&sample, list, &sent);
        let req = GetTransactionsByBatchIdRequest::from_xml(xml.as_bytes()).unwrap();
        assert_eq!(
            req.query_authentication_keys.as_ref().map(Vec::len),
            keys,
            "{sent}"
        );
        let out = String::from_utf8(req.to_xml().unwrap()).unwrap();
        assert!(out.contains(&written), "{sent}:\n{out}");
    }
}

#[test]
fn a_declaration_and_a_bom_are_accepted() {
    let xml = format!(
        "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{}",
        charge_xml()
    );
    let req = ChargeCreditCardRequest::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(req.to_xml().unwrap(), charge_xml().into_bytes());
}

// ---- document-level defences ----

#[test]
fn a_doctype_with_an_entity_is_refused_without_expansion() {
    let xml = edit(
        &charge_xml(),
        r#"<CallbackId i:nil="true" />"#,
        "<CallbackId>&boom;</CallbackId>",
    );
    let xml =
        format!(r#"<!DOCTYPE ChargeCreditCardRequest [<!ENTITY boom "EXPANDED-ENTITY">]>{xml}"#);
    let e = charge_err(&xml);
    assert_kind(&e, XmlErrorKind::DocType);
    assert!(!e.to_string().contains("EXPANDED-ENTITY"), "{e}");

    // Billion laughs: must fail fast, not expand.
    let mut decl = String::from(r#"<!DOCTYPE ChargeCreditCardRequest [<!ENTITY l0 "ha">"#);
    for i in 1..10 {
        let prev = format!("&l{};", i - 1).repeat(10);
        decl.push_str(&format!(r#"<!ENTITY l{i} "{prev}">"#));
    }
    decl.push_str("]>");
    let xml = format!(
        "{decl}{}",
        edit(
            &charge_xml(),
            r#"<CallbackId i:nil="true" />"#,
            "<CallbackId>&l9;</CallbackId>"
        )
    );
    assert_kind(&charge_err(&xml), XmlErrorKind::DocType);
}

#[test]
fn an_undeclared_entity_is_refused() {
    let xml = edit(
        &charge_xml(),
        r#"<CallbackId i:nil="true" />"#,
        "<CallbackId>&nbsp;</CallbackId>",
    );
    assert_kind(&charge_err(&xml), XmlErrorKind::Syntax);
}

#[test]
fn documents_over_the_size_limit_are_refused() {
    let xml = charge_xml();
    let limits = |max_bytes| XmlLimits {
        max_bytes,
        ..XmlLimits::default()
    };
    ChargeCreditCardRequest::from_xml_with(xml.as_bytes(), &limits(xml.len())).unwrap();
    let e =
        ChargeCreditCardRequest::from_xml_with(xml.as_bytes(), &limits(xml.len() - 1)).unwrap_err();
    assert_kind(&e, XmlErrorKind::TooLarge);
}

#[test]
fn documents_over_the_depth_limit_are_refused() {
    // Root 1, CreditCard 2, Holder 3, Holder's members 4.
    let xml = charge_xml();
    let limits = |max_depth| XmlLimits {
        max_depth,
        ..XmlLimits::default()
    };
    ChargeCreditCardRequest::from_xml_with(xml.as_bytes(), &limits(4)).unwrap();
    let e = ChargeCreditCardRequest::from_xml_with(xml.as_bytes(), &limits(3)).unwrap_err();
    assert_kind(&e, XmlErrorKind::TooDeep);
}

#[test]
fn deep_nesting_inside_an_unknown_element_is_refused_too() {
    let depth = XmlLimits::default().max_depth + 10;
    let deep = format!("{}{}", "<x>".repeat(depth), "</x>".repeat(depth));
    let xml = edit(
        &charge_xml(),
        "<Save>false</Save>",
        &format!("<Save>false</Save><Unknown>{deep}</Unknown>"),
    );
    assert_kind(&charge_err(&xml), XmlErrorKind::TooDeep);
}

#[test]
fn a_wrong_root_is_refused() {
    // Another contract's body.
    let e = charge_err(&charge_response_xml());
    assert_kind(&e, XmlErrorKind::WrongRoot);
    // The right name in another namespace (the Eft area's namespace).
    let xml = edit(
        &charge_xml(),
        "DataContracts.CreditCard\"",
        "DataContracts.Eft\"",
    );
    assert_kind(&charge_err(&xml), XmlErrorKind::WrongRoot);
}

#[test]
fn an_undeclared_prefix_is_refused() {
    let xml = edit(
        &charge_xml(),
        &format!(r#"<ClientReferenceData xmlns:d2p1="{DC_NS}">"#),
        "<ClientReferenceData>",
    );
    assert_kind(&charge_err(&xml), XmlErrorKind::UndeclaredPrefix);
}

#[test]
fn prefixes_carry_no_meaning() {
    // The same namespace under another prefix (or as the default namespace) reads the same.
    let xml = charge_xml()
        .replace("d2p1:", "q:")
        .replace("xmlns:d2p1=", "xmlns:q=");
    let a = ChargeCreditCardRequest::from_xml(xml.as_bytes()).unwrap();
    let b = ChargeCreditCardRequest::from_xml(charge_xml().as_bytes()).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.to_xml().unwrap(), charge_xml().into_bytes());
}

#[test]
fn text_where_members_were_expected_is_refused() {
    let xml = edit(
        &charge_xml(),
        "<Save>false</Save>",
        "<Save>false</Save>stray",
    );
    assert_kind(&charge_err(&xml), XmlErrorKind::UnexpectedContent);
}

#[test]
fn a_raw_control_character_is_refused() {
    // Not well-formed XML 1.0; DCS's reader refuses it ("The byte 0x01 is not valid at this
    // location", PROBE.md), and no writer could send it back.
    let xml = edit(
        &charge_xml(),
        r#"<CallbackId i:nil="true" />"#,
        "<CallbackId>a\u{1}b</CallbackId>",
    );
    assert_kind(&charge_err(&xml), XmlErrorKind::Syntax);
}

#[test]
fn malformed_xml_is_a_syntax_error() {
    let xml = charge_xml();
    let truncated = &xml[..xml.len() - 10];
    assert_kind(&charge_err(truncated), XmlErrorKind::Syntax);
    let bad_close = edit(&xml, "</Save>", "</Sav>");
    assert_kind(&charge_err(&bad_close), XmlErrorKind::Syntax);
}

// ---- forward compatibility ----

#[test]
fn unknown_elements_are_skipped() {
    let original = ChargeCreditCardRequest::from_xml(charge_xml().as_bytes()).unwrap();
    let xml = edit(
        &charge_xml(),
        "<Amount>20.00</Amount>",
        r#"<NewMember>x</NewMember><Amount>20.00</Amount><Other xmlns="urn:other"><Amount>1</Amount></Other><Empty />"#,
    );
    let xml = edit(
        &xml,
        "</ChargeCreditCardRequest>",
        "<Trailing><Deep><Deeper>1</Deeper></Deep></Trailing></ChargeCreditCardRequest>",
    );
    // Also inside a nested class.
    let xml = edit(
        &xml,
        "<Number>",
        "<NetworkType>Credit</NetworkType><Number>",
    );
    let read = ChargeCreditCardRequest::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(read, original);
    assert_eq!(read.to_xml().unwrap(), charge_xml().into_bytes());
}

#[test]
fn missing_members_take_defaults() {
    let xml = r#"<ChargeCreditCardRequest xmlns="http://schemas.datacontract.org/2004/07/OneInc.ProcessOne.RestApi.Contracts.DataContracts.CreditCard"><Amount>5.5</Amount></ChargeCreditCardRequest>"#;
    let req = ChargeCreditCardRequest::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(
        req,
        ChargeCreditCardRequest::new()
            .with_amount("5.5".parse::<Decimal>().unwrap())
            // .NET's zero, not the documented default: DataContractSerializer runs no
            // constructor (tests/tests/processone_defaults.rs).
            .with_charge_fee(false)
    );
}

#[test]
fn unknown_json_keys_are_ignored() {
    let json = fixture("json/CreditCard.ChargeCreditCardRequest.json");
    let original = ChargeCreditCardRequest::from_json(json.as_bytes()).unwrap();
    let extended = edit(
        &json,
        "\"Amount\": 20.00,",
        r#""Amount": 20.00, "NewMember": {"Amount": 1, "List": [1, "x", null]}, "Other": null,"#,
    );
    assert_eq!(
        ChargeCreditCardRequest::from_json(extended.as_bytes()).unwrap(),
        original
    );
}

#[test]
fn json_keys_are_case_insensitive() {
    let json = r#"{"responseCode": "Declined", "MESSAGE": "no", "creditcardtype": 2, "TransactionDate": "2019-11-19T10:52:07"}"#;
    let resp = ChargeCreditCardResponse::from_json(json.as_bytes()).unwrap();
    assert_eq!(resp.response_code.as_deref(), Some("Declined"));
    assert_eq!(resp.message.as_deref(), Some("no"));
    assert_eq!(resp.credit_card_type, CreditCardType::MasterCard);
}

#[test]
fn nested_json_keys_are_case_insensitive_too() {
    let json = format!(
        r#"{{"amount": 1.50, "creditCard": {{"NUMBER": "{CARD}", "expirationMonth": 4, "holder": {{"name": "A"}}}}}}"#
    );
    let req = ChargeCreditCardRequest::from_json(json.as_bytes()).unwrap();
    assert_eq!(req.amount.to_string(), "1.50");
    let card = req.credit_card.unwrap();
    assert_eq!(card.number.unwrap().expose(), CARD);
    assert_eq!(card.expiration_month, 4);
    assert_eq!(card.holder.unwrap().name.as_deref(), Some("A"));
}

#[test]
fn a_json_key_given_twice_is_refused() {
    for json in [
        r#"{"Amount": 20.00, "amount": 1}"#,
        r#"{"Amount": 20.00, "Amount": 20.00}"#,
    ] {
        let e = ChargeCreditCardRequest::from_json(json.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("Amount"), "{json}: {e}");
    }
}

#[test]
fn json_null_for_a_value_type_is_refused() {
    let e = ChargeCreditCardRequest::from_json(br#"{"Amount": null}"#);
    assert!(e.is_err(), "{e:?}");
}

// ---- open enums ----

#[test]
fn an_unknown_enum_name_in_xml_is_kept_and_written_back() {
    let xml = edit(
        &charge_response_xml(),
        "<CreditCardType>Visa</CreditCardType>",
        "<CreditCardType>Maestro</CreditCardType>",
    );
    let resp = ChargeCreditCardResponse::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(
        resp.credit_card_type,
        CreditCardType::UnknownValue(UnknownEnumValue::Name("Maestro".into()))
    );
    assert_eq!(String::from_utf8(resp.to_xml().unwrap()).unwrap(), xml);
    // JSON carries integers, and there is no integer for this name: an error, not a guess.
    let e = resp.to_json().unwrap_err();
    assert!(e.to_string().contains("Maestro"), "{e}");
}

#[test]
fn an_unknown_enum_name_in_an_enum_list_is_kept() {
    let xml = fixture("xml/Transaction.GetTransactionsByBatchIdRequest.xml");
    let xml = edit(
        &xml,
        r#"<TransactionStatuses xmlns:d2p1="http://schemas.datacontract.org/2004/07/OneInc.ProcessOne.RestApi.Contracts.Enums" i:nil="true" />"#,
        r#"<TransactionStatuses xmlns:d2p1="http://schemas.datacontract.org/2004/07/OneInc.ProcessOne.RestApi.Contracts.Enums"><d2p1:TransactionStatus>Voided</d2p1:TransactionStatus><d2p1:TransactionStatus>Settled</d2p1:TransactionStatus></TransactionStatuses>"#,
    );
    let req = GetTransactionsByBatchIdRequest::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(
        req.transaction_statuses.as_deref(),
        Some(
            &[
                TransactionStatus::Voided,
                TransactionStatus::UnknownValue(UnknownEnumValue::Name("Settled".into()))
            ][..]
        )
    );
    assert_eq!(
        String::from_utf8(req.to_xml().unwrap()).unwrap(),
        flatten(&xml)
    );
}

#[test]
fn an_unknown_enum_integer_in_json_is_kept_and_written_back() {
    let json =
        r#"{"CreditCardType": 42, "BaseCardType": 99, "TransactionDate": "2019-11-19T10:52:07"}"#;
    let resp = ChargeCreditCardResponse::from_json(json.as_bytes()).unwrap();
    assert_eq!(
        resp.credit_card_type,
        CreditCardType::UnknownValue(UnknownEnumValue::Value(42))
    );
    assert_eq!(resp.base_card_type, CreditCardType::Other);
    let out = String::from_utf8(resp.to_json().unwrap()).unwrap();
    assert!(out.contains(r#""CreditCardType":42"#), "{out}");
    assert!(out.contains(r#""BaseCardType":99"#), "{out}");
    // XML carries names, and there is no name for 42.
    let e = resp.to_xml().unwrap_err();
    assert_kind(&e, XmlErrorKind::Unencodable);
    assert!(e.to_string().contains("CreditCardType"), "{e}");
}

#[test]
fn known_enum_values_map_between_names_and_integers() {
    // Other is 99, not its position: a renumbering bug would show here.
    let xml = edit(
        &charge_response_xml(),
        "<CreditCardType>Visa</CreditCardType>",
        "<CreditCardType>Other</CreditCardType>",
    );
    let resp = ChargeCreditCardResponse::from_xml(xml.as_bytes()).unwrap();
    let json = String::from_utf8(resp.to_json().unwrap()).unwrap();
    assert!(json.contains(r#""CreditCardType":99"#), "{json}");
}

// ---- secrets ----

/// A charge whose card number is [`CARD`], on one line.
fn charge_with_card() -> String {
    edit(
        &charge_xml(),
        "<Number>4012000033330026</Number>",
        &format!("<Number>{CARD}</Number>"),
    )
}

#[test]
fn xml_errors_never_show_the_card_number() {
    let base = charge_with_card();
    ChargeCreditCardRequest::from_xml(base.as_bytes()).unwrap();
    let number = format!("<Number>{CARD}</Number>");
    let cases: Vec<(&str, String)> = vec![
        (
            "member out of order after it",
            edit(
                &base,
                "<ValidationValue>123</ValidationValue>",
                "<ValidationValue>123</ValidationValue><ExpirationMonth>1</ExpirationMonth>",
            ),
        ),
        (
            "in the wrong namespace",
            edit(
                &base,
                &number,
                &format!(r#"<Number xmlns="urn:x">{CARD}</Number>"#),
            ),
        ),
        (
            "markup inside",
            edit(&base, &number, &format!("<Number>{CARD}<b /></Number>")),
        ),
        (
            "with i:type",
            edit(
                &base,
                &number,
                &format!(r#"<Number i:type="x">{CARD}</Number>"#),
            ),
        ),
        (
            "a bad entity after it",
            edit(&base, &number, &format!("<Number>{CARD}&bad;</Number>")),
        ),
        (
            "a bare ampersand after it",
            edit(&base, &number, &format!("<Number>{CARD} & co</Number>")),
        ),
        (
            "a mismatched end tag",
            edit(&base, &number, &format!("<Number>{CARD}</Numbr>")),
        ),
        (
            "truncated after it",
            base[..base.find(CARD).unwrap() + CARD.len()].to_string(),
        ),
        (
            "a bad amount",
            edit(&base, "<Amount>20.00</Amount>", "<Amount>x</Amount>"),
        ),
        ("as the document's only text", CARD.to_string()),
    ];
    for (what, xml) in cases {
        let e = charge_err(&xml);
        for shown in [e.to_string(), format!("{e:?}")] {
            assert!(
                !shown.contains(CARD),
                "{what}: the error shows the card number: {shown}"
            );
        }
    }
}

#[test]
fn xml_write_errors_never_show_the_card_number() {
    // XML cannot carry U+0001: writing fails, and the message must not quote the value.
    let req = ChargeCreditCardRequest::new().with_credit_card(
        CreditCardDetails::new().with_number(SecretString::from(format!("{CARD}\u{1}"))),
    );
    let e = req.to_xml().unwrap_err();
    assert_kind(&e, XmlErrorKind::Unencodable);
    assert!(!e.to_string().contains(CARD), "{e}");
    assert!(!format!("{e:?}").contains(CARD), "{e:?}");
}

#[test]
fn json_errors_never_show_the_card_number() {
    let cases = [
        format!(r#"{{"CreditCard": {{"Number": "{CARD}", "ExpirationMonth": "x"}}}}"#),
        format!(r#"{{"CreditCard": {{"Number": "{CARD}", "number": "{CARD}"}}}}"#),
        format!(r#"{{"CreditCard": {{"Number": "{CARD}"}}, "Amount": "#),
        format!(r#"{{"CreditCard": {{"Number": "{CARD}"}}, "Amount": true}}"#),
        format!(r#"{{"CreditCard": {{"Number": "{CARD}", "Holder": 5}}}}"#),
    ];
    for json in cases {
        let e = ChargeCreditCardRequest::from_json(json.as_bytes()).unwrap_err();
        assert!(!e.to_string().contains(CARD), "{json}: {e}");
    }
}

/// `request` carrying `key` as its `AuthenticationKey`. The member cannot be set in Rust (the
/// client puts its own key there), so the request is decoded from its JSON with the key added.
fn with_key<T: DataContract>(request: &T, key: &str) -> T {
    let mut json: serde_json::Value = serde_json::from_slice(&request.to_json().unwrap()).unwrap();
    json["AuthenticationKey"] = key.into();
    let keyed = T::from_json(&serde_json::to_vec(&json).unwrap()).unwrap();
    // Every other member came through unchanged.
    let back: serde_json::Value = serde_json::from_slice(&keyed.to_json().unwrap()).unwrap();
    assert_eq!(back, json);
    keyed
}

#[test]
fn debug_never_shows_secrets() {
    let req = with_key(
        &ChargeCreditCardRequest::new().with_credit_card(
            CreditCardDetails::new()
                .with_number(CARD)
                .with_validation_value("987"),
        ),
        "auth-key-value",
    );
    for shown in [format!("{req:?}"), format!("{req:#?}")] {
        assert!(!shown.contains(CARD), "{shown}");
        assert!(!shown.contains("auth-key-value"), "{shown}");
        assert!(!shown.contains("987"), "{shown}");
        assert!(shown.contains("REDACTED"), "{shown}");
    }
    let req = with_key(
        &GetCardDataRequest::new().with_credit_card_number(CARD),
        "auth-key-value",
    );
    let shown = format!("{req:?}");
    assert!(
        !shown.contains(CARD) && !shown.contains("auth-key-value"),
        "{shown}"
    );

    // The secrets still go on the wire.
    let req = with_key(
        &ChargeCreditCardRequest::new()
            .with_credit_card(CreditCardDetails::new().with_number(CARD)),
        "auth-key-value",
    );
    let xml = String::from_utf8(req.to_xml().unwrap()).unwrap();
    assert!(xml.contains(&format!("<Number>{CARD}</Number>")), "{xml}");
    assert!(xml.contains(">auth-key-value</AuthenticationKey>"), "{xml}");
    let json = String::from_utf8(req.to_json().unwrap()).unwrap();
    assert!(json.contains(&format!(r#""Number":"{CARD}""#)), "{json}");
    assert!(
        json.contains(r#""AuthenticationKey":"auth-key-value""#),
        "{json}"
    );
}
