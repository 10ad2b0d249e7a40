//! Seeds 000 and 001 (and the examples embedded in `specs/onecp/openapi.yaml`) against the
//! generated 1-CP types: every example decodes and re-encodes to an equal JSON value, with money
//! and timestamps kept exactly as written.
//!
//! Seed 001's own example bodies are missing from the stored copy; its model is exercised through
//! PROVIDER-FACTS' tax and offset penalty examples (item-tax.json, offset-penalty.json) and the
//! spec's whole-model example.
//!
//! The test crate builds serde_json with `arbitrary_precision` (tests/Cargo.toml), so two `Value`s are equal only if
//! their numbers have the same text (`100` differs from `100.0`): comparing values compares the
//! amounts exactly (`json_values_compare_number_text` checks that premise).

use payspec_onecp::types::{
    ApiStatus, CancelResponse, CancelStatus, CancelTransactionRequest, CancellationPolicy,
    CancellationReference, CorporateCheckout, DatePenalty, Item, ItemCategory, ItemTax, Location,
    OffsetPenalty, Penalty, PenaltyOffsetUnit, PenaltyValueUnit, Period, Place, ServiceClass,
    StatusResponse, TaxBasis, TaxUnit, TransactionCreated, TransactionStatus,
    TransactionStatusResponse,
};
use payspec_onecp::{DateTime, Validate};
use pretty_assertions::assert_eq;
use rust_decimal::Decimal;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn fixture(name: &str) -> String {
    payspec_tests::fixture_text("onecp", name)
}

fn json(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).expect("fixture is JSON")
}

fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn spec() -> Value {
    payspec_tests::spec_json("onecp")
}

/// Decodes `text` as `T`, checks that it re-encodes to the same JSON value, and returns it.
#[track_caller]
fn round_trip<T: DeserializeOwned + Serialize>(text: &str) -> T {
    let decoded: T = serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("does not decode as {}: {e}\n{text}", type_name::<T>()));
    let expected: Value = serde_json::from_str(text).expect("JSON");
    assert_eq!(serde_json::to_value(&decoded).unwrap(), expected);
    decoded
}

/// As [`round_trip`], from a JSON value (the spec's examples).
#[track_caller]
fn round_trip_value<T: DeserializeOwned + Serialize>(value: &Value) -> T {
    let decoded: T = serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("does not decode as {}: {e}\n{value:#}", type_name::<T>()));
    assert_eq!(serde_json::to_value(&decoded).unwrap(), *value);
    decoded
}

fn type_name<T>() -> &'static str {
    std::any::type_name::<T>()
}

/// The compact text `value` serializes to.
fn text_of<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap()
}

#[test]
fn json_values_compare_number_text() {
    // The premise of every round-trip check here: a scale change is a difference.
    let a: Value = serde_json::from_str("100").unwrap();
    let b: Value = serde_json::from_str("100.0").unwrap();
    assert_ne!(a, b);
    let a: Value = serde_json::from_str(r#"{"x": 10.50}"#).unwrap();
    let b: Value = serde_json::from_str(r#"{"x": 10.5}"#).unwrap();
    assert_ne!(a, b);
}

// ---- seed 000, verbatim -------------------------------------------------------------------------

#[test]
fn the_seed_initialize_request_decodes_and_round_trips() {
    let checkout: CorporateCheckout = round_trip(&fixture("initialize-request.json"));
    assert_eq!(checkout.currency, "EUR");
    assert_eq!(checkout.title, "Off site event");
    assert_eq!(checkout.note.as_deref(), Some("Internal note"));
    assert_eq!(
        checkout.ref_i_ds["google-id"],
        "667999d063824b596cf82155sdfwew334435"
    );
    assert_eq!(checkout.attachments.len(), 1);
    assert_eq!(
        checkout.attachments[0].url.as_deref(),
        Some("http://file_url.pdf")
    );
    let email = checkout.email.as_ref().unwrap();
    // The seed's obfuscation artefact, with its no-break space, kept verbatim.
    assert_eq!(email.recipients, vec!["[email\u{a0}protected]".to_string()]);

    let item = &checkout.items[0];
    // The seed's placeholder category is not a known value: kept as Unknown, sent back unchanged.
    assert_eq!(item.category, Some(ItemCategory::Unknown("text".into())));
    assert!(!item.category.as_ref().unwrap().is_known());
    assert_eq!(item.departure, Some(Place::Iata("FRA".into())));
    assert_eq!(item.destination, Some(Place::Iata("MUC".into())));
    assert_eq!(item.service_class, Some(ServiceClass::EconomyClass));
    assert_eq!(item.airline.as_deref(), Some("LH"));
    assert_eq!(item.flight_number.as_deref(), Some("LH441"));
    assert_eq!(item.fare_class.as_deref(), Some("Y"));
    let period = item.period.as_ref().unwrap();
    assert_eq!(
        period.start.unwrap().to_string(),
        "2024-04-16T12:07:05.159Z"
    );
    assert_eq!(period.end.unwrap().to_string(), "2024-04-16T15:07:05.159Z");

    let text = text_of(&checkout);
    assert!(text.contains(r#""category":"text""#), "{text}");
    assert!(text.contains(r#""departure":"FRA""#), "{text}");
    assert!(
        text.contains(r#""start":"2024-04-16T12:07:05.159Z""#),
        "{text}"
    );
    // The seed's request is valid for the client (the placeholder category is an open value).
    checkout.validate().expect("the seed's request is valid");
}

#[test]
fn the_seed_answers_decode_and_round_trip() {
    let created: TransactionCreated = round_trip(&fixture("initialize-response.json"));
    assert_eq!(created.transaction_id, "667999d063824b596cf82155");

    let status: StatusResponse = round_trip(&fixture("status-response.json"));
    assert_eq!(status.status, ApiStatus::Ready);
    assert_eq!(status.provider.as_deref(), Some("667999d063824b596cf82155"));

    let cancelled: CancelResponse = round_trip(&fixture("cancel-response.json"));
    assert_eq!(cancelled.status, CancelStatus::Success);
    assert_eq!(cancelled.error_message.as_deref(), Some("error.message"));
}

#[test]
fn the_seed_cancel_fields_decode_as_the_json_cancel_body() {
    // The seed prints the multipart fields as JSON; without `contractId` (in the path for
    // cancelTransaction) and `file` (no file in JSON) they are CancelTransactionRequest's members.
    let mut fields = json("cancel-multipart-fields.json");
    let object = fields.as_object_mut().unwrap();
    assert_eq!(
        object.remove("contractId").unwrap(),
        "667999d063824b596cf82155"
    );
    assert_eq!(object.remove("file").unwrap(), "binary");
    let body: CancelTransactionRequest = round_trip(&fields.to_string());
    assert_eq!(body.items_order, vec![0, 1]);
    assert_eq!(body.amount, Some(dec("1000")));
    assert_eq!(body.invoice_title.as_deref(), Some("Cancellation Invoice"));
    assert_eq!(body.invoice_number.as_deref(), Some("INV-2024-001"));
    assert!(
        text_of(&body).contains(r#""amount":1000,"#),
        "{}",
        text_of(&body)
    );
}

// ---- PROVIDER-FACTS' examples (seed 001's model) ------------------------------------------------

#[test]
fn the_tax_example_round_trips_with_its_amount_exact() {
    let tax: ItemTax = round_trip(&fixture("item-tax.json"));
    assert_eq!(tax.type_.as_deref(), Some("VAT"));
    assert_eq!(tax.value, Some(dec("100")));
    assert_eq!(tax.unit, Some(TaxUnit::Percent));
    assert_eq!(tax.basis, Some(TaxBasis::PerQuantity));
    assert_eq!(tax.apply_to.as_deref(), Some("NET_PRICE"));
    assert!(
        text_of(&tax).contains(r#""value":100}"#),
        "{}",
        text_of(&tax)
    );
}

#[test]
fn the_offset_penalty_example_is_the_offset_variant() {
    let penalty: Penalty = round_trip(&fixture("offset-penalty.json"));
    let Penalty::OffsetPenalty(p) = &penalty else {
        panic!("expected OffsetPenalty, got {penalty:?}")
    };
    assert_eq!(penalty.kind(), "OFFSET_PENALTY");
    assert_eq!(p.offset.amount, dec("14"));
    assert_eq!(p.offset.unit, PenaltyOffsetUnit::Days);
    assert_eq!(p.value.amount, dec("50"));
    assert_eq!(p.value.unit, PenaltyValueUnit::FixedAmount);
    assert_eq!(p.condition.as_deref(), Some("AFTER_PAYMENT"));
    // The tag is written from the variant.
    assert!(
        text_of(&penalty).contains(r#""type":"OFFSET_PENALTY""#),
        "{}",
        text_of(&penalty)
    );
}

// ---- tagged union: Penalty ----------------------------------------------------------------------

const DATE_PENALTY: &str = r#"{"type": "DATE_PENALTY", "value": {"amount": 10.50, "unit": "FIXED_AMOUNT"}, "until": "2024-05-01T00:00:00Z"}"#;

#[test]
fn penalties_are_read_by_their_type() {
    let penalty: Penalty = round_trip(DATE_PENALTY);
    let Penalty::DatePenalty(p) = &penalty else {
        panic!("expected DatePenalty, got {penalty:?}")
    };
    assert_eq!(penalty.kind(), "DATE_PENALTY");
    assert_eq!(p.until.to_string(), "2024-05-01T00:00:00Z");
    assert_eq!(p.value.amount.to_string(), "10.50");
    assert_eq!(p.value.unit, PenaltyValueUnit::FixedAmount);
    let text = text_of(&penalty);
    assert!(text.contains(r#""amount":10.50"#), "{text}");
    assert!(text.contains(r#""type":"DATE_PENALTY""#), "{text}");

    // The tag may come anywhere in the object.
    let last = r#"{"value": {"amount": 5, "unit": "PERCENTAGE"}, "offset": {"amount": 2, "unit": "HOURS"}, "type": "OFFSET_PENALTY"}"#;
    let penalty: Penalty = round_trip(last);
    assert!(
        matches!(&penalty, Penalty::OffsetPenalty(p) if p.offset.unit == PenaltyOffsetUnit::Hours && p.condition.is_none()),
        "{penalty:?}"
    );
}

#[test]
fn an_unknown_penalty_type_is_an_error_naming_the_known_ones() {
    let body = r#"{"type": "FEE_PENALTY", "value": {"amount": 1, "unit": "FIXED_AMOUNT"}, "until": "2024-05-01T00:00:00Z"}"#;
    let err = serde_json::from_str::<Penalty>(body)
        .unwrap_err()
        .to_string();
    assert!(err.contains("FEE_PENALTY"), "{err}");
    assert!(err.contains("DATE_PENALTY, OFFSET_PENALTY"), "{err}");

    // Inside a policy, too.
    let policy =
        format!(r#"{{"reference": "PAYMENT_DATE", "penalties": [{DATE_PENALTY}, {body}]}}"#);
    let err = serde_json::from_str::<CancellationPolicy>(&policy)
        .unwrap_err()
        .to_string();
    assert!(err.contains("DATE_PENALTY, OFFSET_PENALTY"), "{err}");

    for (text, expected) in [
        (
            r#"{"value": {"amount": 1, "unit": "FIXED_AMOUNT"}, "until": "2024-05-01T00:00:00Z"}"#,
            "missing `type`",
        ),
        (r#"{"type": 1}"#, "`type` must be a string"),
        (
            r#""DATE_PENALTY""#,
            "expected an object with a `type` member",
        ),
    ] {
        let err = serde_json::from_str::<Penalty>(text)
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "{text}: {err}");
    }
}

#[test]
fn a_penalty_under_the_wrong_type_does_not_become_the_other_variant() {
    // An offset penalty's members under `type: DATE_PENALTY`: no `until`, so not a DatePenalty,
    // and the tag says it is not an OffsetPenalty either.
    let mut offset = json("offset-penalty.json");
    offset["type"] = "DATE_PENALTY".into();
    let err = serde_json::from_value::<Penalty>(offset)
        .unwrap_err()
        .to_string();
    assert!(err.contains("until"), "{err}");

    // And the other way round.
    let mut date: Value = serde_json::from_str(DATE_PENALTY).unwrap();
    date["type"] = "OFFSET_PENALTY".into();
    let err = serde_json::from_value::<Penalty>(date)
        .unwrap_err()
        .to_string();
    assert!(err.contains("offset"), "{err}");
}

// ---- Place: an IATA code or a Location ----------------------------------------------------------

#[test]
fn a_place_is_an_iata_code_or_a_location() {
    let place: Place = round_trip(r#""FRA""#);
    assert_eq!(place, Place::Iata("FRA".into()));

    let place: Place = round_trip(r#"{"lat": "52.3667", "lng": "13.5033"}"#);
    assert_eq!(
        place,
        Place::Location(Location::new().with_lat("52.3667").with_lng("13.5033"))
    );

    let address = r#"{"street": "Alexanderplatz", "house": "7", "postCode": "10178", "city": "Berlin", "country": "Germany"}"#;
    let place: Place = round_trip(address);
    let Place::Location(location) = &place else {
        panic!("expected a Location, got {place:?}")
    };
    assert_eq!(location.street.as_deref(), Some("Alexanderplatz"));
    assert_eq!(location.post_code.as_deref(), Some("10178"));

    // In an item, both forms side by side.
    let item: Item = round_trip(
        r#"{"category": "FLIGHT", "departure": {"lat": "50.0379", "lng": "8.5622"}, "destination": "MUC"}"#,
    );
    assert!(
        matches!(&item.departure, Some(Place::Location(l)) if l.lat.as_deref() == Some("50.0379")),
        "{item:?}"
    );
    assert_eq!(item.destination, Some(Place::Iata("MUC".into())));

    assert!(serde_json::from_str::<Place>("42").is_err());
}

// ---- timestamps and amounts, exact --------------------------------------------------------------

#[test]
fn timestamps_keep_their_offset_and_fraction_text() {
    for text in [
        "2024-04-16T12:07:05.159Z",
        "2024-04-16T12:07:05+02:00",
        "2024-04-16T12:07:05.100Z",
        "2024-04-16T12:07:05.5-05:30",
        "2024-05-01T00:00:00Z",
        "2024-05-06T15:00:00.000000001+14:00",
    ] {
        let body = format!(r#"{{"end":"{text}","start":"{text}"}}"#);
        let period: Period = round_trip(&body);
        assert_eq!(period.start.unwrap().to_string(), text);
        assert_eq!(text_of(&period), body, "byte for byte");

        let penalty = format!(
            r#"{{"type":"DATE_PENALTY","until":"{text}","value":{{"amount":100,"unit":"PERCENTAGE"}}}}"#
        );
        let p: Penalty = round_trip(&penalty);
        assert!(text_of(&p).contains(&format!(r#""until":"{text}""#)));
    }
    // Equal instants written differently stay different values.
    let a: DateTime = "2024-04-16T12:07:05Z".parse().unwrap();
    let b: DateTime = "2024-04-16T14:07:05+02:00".parse().unwrap();
    assert_eq!(a.to_utc(), b.to_utc());
    assert_ne!(a.to_string(), b.to_string());
}

#[test]
fn amounts_keep_their_scale() {
    // Members in the order the type writes them, so the text can be compared byte for byte.
    let body = r#"{"co2":0.10,"price":10.50,"quantity":{"amount":2.50,"unit":"PER_NIGHT"},"taxes":[{"unit":"PERCENT","value":19.00}],"total":100,"totalTax":100.0}"#;
    let item: Item = round_trip(body);
    assert_eq!(item.price.unwrap().to_string(), "10.50");
    assert_eq!(item.total.unwrap().to_string(), "100");
    assert_eq!(item.total_tax.unwrap().to_string(), "100.0");
    assert_eq!(item.co2.unwrap().to_string(), "0.10");
    assert_eq!(
        item.quantity.as_ref().unwrap().amount.unwrap().to_string(),
        "2.50"
    );
    assert_eq!(text_of(&item), body, "byte for byte");

    let cancel: CancelTransactionRequest =
        round_trip(r#"{"amount":79228162514264337593543950335}"#);
    assert_eq!(
        cancel.amount.unwrap().to_string(),
        "79228162514264337593543950335"
    );
    // Too many digits for a decimal is an error, never a rounded amount.
    assert!(
        serde_json::from_str::<CancelTransactionRequest>(
            r#"{"amount":0.00000000000000000000000000001}"#
        )
        .is_err()
    );

    let policy: CancellationPolicy = round_trip(
        r#"{"reference":"START_PERIOD","penalties":[{"type":"OFFSET_PENALTY","offset":{"amount":1.5,"unit":"DAYS"},"value":{"amount":12.30,"unit":"PERCENTAGE"}}]}"#,
    );
    assert_eq!(policy.reference, CancellationReference::StartPeriod);
    let Penalty::OffsetPenalty(OffsetPenalty { offset, value, .. }) = &policy.penalties[0] else {
        panic!("{policy:?}")
    };
    assert_eq!(offset.amount.to_string(), "1.5");
    assert_eq!(value.amount.to_string(), "12.30");
}

#[test]
fn enums_the_server_may_extend_keep_unknown_values() {
    let s: StatusResponse = round_trip(r#"{"status":"degraded"}"#);
    assert_eq!(s.status, ApiStatus::Unknown("degraded".into()));
    let s: TransactionStatusResponse = round_trip(r#"{"status":"REFUNDED"}"#);
    assert_eq!(s.status, TransactionStatus::Unknown("REFUNDED".into()));
    let c: CancelResponse = round_trip(r#"{"status":"FAILED","errorMessage":"too late"}"#);
    assert_eq!(c.status, CancelStatus::Unknown("FAILED".into()));
    let i: Item = round_trip(r#"{"category":"RESEARCH","serviceClass":"PREMIUM_ECONOMY"}"#);
    assert_eq!(i.category, Some(ItemCategory::Unknown("RESEARCH".into())));
    assert_eq!(
        i.service_class,
        Some(ServiceClass::Unknown("PREMIUM_ECONOMY".into()))
    );
    assert_eq!(ItemCategory::known_values().len(), 21);
}

// ---- the examples embedded in the spec ----------------------------------------------------------

/// One example of the spec: where it is, the component schema it illustrates, its value.
struct Example {
    place: String,
    schema: String,
    value: Value,
}

fn spec_examples(spec: &Value) -> Vec<Example> {
    fn collect(content: &Value, place: &str, out: &mut Vec<Example>) {
        for (media_type, media) in content.as_object().into_iter().flatten() {
            let schema = media["schema"]["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .unwrap_or_else(|| panic!("{place} {media_type}: schema is not a $ref"))
                .to_string();
            if let Some(v) = media.get("example") {
                out.push(Example {
                    place: format!("{place} {media_type}"),
                    schema: schema.clone(),
                    value: v.clone(),
                });
            }
            for (name, e) in media
                .get("examples")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                out.push(Example {
                    place: format!("{place} {media_type} {name}"),
                    schema: schema.clone(),
                    value: e["value"].clone(),
                });
            }
        }
    }
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if let Some(content) = op.pointer("/requestBody/content") {
                collect(content, &format!("{method} {path} request"), &mut out);
            }
            for (code, response) in op["responses"].as_object().into_iter().flatten() {
                if let Some(content) = response.get("content") {
                    collect(content, &format!("{method} {path} {code}"), &mut out);
                }
            }
        }
    }
    out
}

/// The members of a multipart example that CancelTransactionRequest carries (the file and the
/// contract id travel only as form parts).
fn json_members_of_form(form: &Value) -> Value {
    let mut v = form.clone();
    let object = v.as_object_mut().unwrap();
    assert_eq!(object.remove("file"), Some(Value::from("binary")));
    object.remove("contractId");
    v
}

#[test]
fn every_example_of_the_spec_decodes_and_round_trips() {
    let spec = spec();
    let examples = spec_examples(&spec);
    let mut schemas: Vec<&str> = examples.iter().map(|e| e.schema.as_str()).collect();
    schemas.sort_unstable();
    schemas.dedup();
    assert_eq!(
        schemas,
        [
            "CancelContractForm",
            "CancelResponse",
            "CancelTransactionForm",
            "CancelTransactionRequest",
            "CorporateCheckout",
            "StatusResponse",
            "TransactionCreated",
            "TransactionStatusResponse",
        ],
        "every example-carrying body is covered"
    );
    assert_eq!(examples.len(), 12, "the spec's examples");

    for e in &examples {
        eprintln!("{}", e.place);
        let v = &e.value;
        match e.schema.as_str() {
            "CorporateCheckout" => {
                let c: CorporateCheckout = round_trip_value(v);
                c.validate()
                    .unwrap_or_else(|err| panic!("{}: {err}", e.place));
            }
            "StatusResponse" => {
                let _: StatusResponse = round_trip_value(v);
            }
            "TransactionStatusResponse" => {
                // `address: null` reads as absent (every optional member does): compared
                // without nulls, see `the_paid_status_example_keeps_its_details`.
                let decoded: TransactionStatusResponse = serde_json::from_value(v.clone())
                    .unwrap_or_else(|err| panic!("{}: {err}", e.place));
                assert_eq!(serde_json::to_value(&decoded).unwrap(), without_nulls(v));
            }
            "TransactionCreated" => {
                let _: TransactionCreated = round_trip_value(v);
            }
            "CancelResponse" => {
                let _: CancelResponse = round_trip_value(v);
            }
            "CancelTransactionRequest" => {
                let _: CancelTransactionRequest = round_trip_value(v);
            }
            "CancelContractForm" | "CancelTransactionForm" => {
                let _: CancelTransactionRequest = round_trip_value(&json_members_of_form(v));
            }
            other => panic!("{}: no type for {other}", e.place),
        }
    }
}

#[test]
fn the_spec_examples_say_what_the_seed_says() {
    let spec = spec();
    let ops = &spec["paths"];
    // Seed 000's request, with its two placeholders corrected and nothing else changed.
    let mut corrected = json("initialize-request.json");
    corrected["items"][0]["category"] = "FLIGHT".into();
    corrected["email"]["recipients"][0] = "booking@example.com".into();
    assert_eq!(
        ops["/initialize"]["post"]["requestBody"]["content"]["application/json"]["examples"]["flight"]
            ["value"],
        corrected
    );
    assert_eq!(
        ops["/initialize"]["post"]["responses"]["201"]["content"]["application/json"]["examples"]["created"]
            ["value"],
        json("initialize-response.json")
    );
    for code in ["200", "201"] {
        assert_eq!(
            ops["/status"]["get"]["responses"][code]["content"]["application/json"]["examples"]["ready"]
                ["value"],
            json("status-response.json")
        );
    }
    assert_eq!(
        ops["/cancel"]["patch"]["requestBody"]["content"]["multipart/form-data"]["examples"]["invoice"]
            ["value"],
        json("cancel-multipart-fields.json")
    );
    assert_eq!(
        ops["/cancel"]["patch"]["responses"]["200"]["content"]["application/json"]["examples"]["success"]
            ["value"],
        json("cancel-response.json")
    );
}

#[test]
fn the_whole_model_example_decodes_into_every_part_of_the_model() {
    let spec = spec();
    let example = &spec["paths"]["/initialize"]["post"]["requestBody"]["content"]["application/json"]
        ["examples"]["accommodation"]["value"];
    let c: CorporateCheckout = round_trip_value(example);
    let hotel = &c.items[0];
    assert_eq!(hotel.category, Some(ItemCategory::Accommodation));
    // YAML numbers carry no scale (120.00 reads as 120.0): compared numerically here; the exact
    // scale over JSON is checked in `amounts_keep_their_scale`.
    assert_eq!(hotel.price, Some(dec("120")));
    assert_eq!(hotel.total, Some(dec("285.60")));
    assert_eq!(hotel.quantity.as_ref().unwrap().amount, Some(dec("2")));
    assert_eq!(hotel.taxes[0].value, Some(dec("19")));
    assert_eq!(hotel.location.as_ref().unwrap().house.as_deref(), Some("7"));
    assert_eq!(
        hotel.period.as_ref().unwrap().start.unwrap().to_string(),
        "2024-05-06T15:00:00+02:00"
    );
    let policy = hotel.cancellation_policy.as_ref().unwrap();
    assert_eq!(policy.reference, CancellationReference::PaymentDate);
    assert!(matches!(policy.penalties[..], [Penalty::OffsetPenalty(_)]));

    let flight = &c.items[1];
    assert_eq!(flight.departure, Some(Place::Iata("FRA".into())));
    assert!(
        matches!(&flight.destination, Some(Place::Location(l)) if l.lat.as_deref() == Some("52.3667")),
        "{flight:?}"
    );
    let policy = flight.cancellation_policy.as_ref().unwrap();
    assert!(matches!(
        &policy.penalties[..],
        [Penalty::DatePenalty(DatePenalty { until, .. })] if until.to_string() == "2024-05-01T00:00:00Z"
    ));
}

#[test]
fn the_paid_status_example_keeps_its_details() {
    let spec = spec();
    let example = &spec["paths"]["/status/{transactionId}"]["get"]["responses"]["200"]["content"]["application/json"]
        ["examples"]["paid"]["value"];
    let decoded: TransactionStatusResponse = serde_json::from_value(example.clone()).unwrap();
    assert_eq!(decoded.status, TransactionStatus::Paid);
    let checkout = decoded.checkout.as_ref().unwrap();
    assert_eq!(
        checkout.payment.as_ref().unwrap().provider.as_deref(),
        Some("Stripe")
    );
    assert_eq!(
        checkout.billing.as_ref().unwrap().external_ids["crm_id"],
        "CRM_67890"
    );
    assert_eq!(checkout.card["brand"], "visa");
    assert_eq!(checkout.reporting["costCenter"], "4711");
    // `customer.address` and `billing.address` are `null` in the example: an optional member
    // that is `null` reads as absent (`None`) and is not written back; everything else is kept.
    assert!(checkout.customer.as_ref().unwrap().address.is_none());
    assert_ne!(without_nulls(example), *example, "the example has nulls");
    assert_eq!(
        serde_json::to_value(&decoded).unwrap(),
        without_nulls(example)
    );
}

/// `value` with every object member whose value is `null` removed.
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

#[test]
fn items_and_policies_built_in_rust_serialize_as_the_spec_shows() {
    let item = Item::new()
        .with_category(ItemCategory::Flight)
        .with_departure(Place::Iata("FRA".into()))
        .with_cancellation_policy(CancellationPolicy::new(
            vec![
                DatePenalty::new(
                    "2024-05-01T00:00:00Z".parse::<DateTime>().unwrap(),
                    payspec_onecp::types::CancellationPenaltyValue::new(
                        dec("100"),
                        PenaltyValueUnit::Percentage,
                    ),
                )
                .into(),
            ],
            CancellationReference::StartPeriod,
        ));
    assert_eq!(
        text_of(&item),
        r#"{"cancellationPolicy":{"penalties":[{"type":"DATE_PENALTY","until":"2024-05-01T00:00:00Z","value":{"amount":100,"unit":"PERCENTAGE"}}],"reference":"START_PERIOD"},"category":"FLIGHT","departure":"FRA"}"#
    );
    let back: Item = serde_json::from_str(&text_of(&item)).unwrap();
    assert_eq!(back, item);
}
