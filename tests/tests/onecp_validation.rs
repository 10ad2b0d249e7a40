//! Every rule of the 1-CP spec that JSON Schema alone cannot give the types is checked before
//! anything is sent, with an error naming the field's path: penalties of one kind only, a Location
//! with a street and house or a latitude and longitude, a quantity of at least 1, at least one
//! item, and the 10 MB limit of the cancellation invoice file.

use payspec_onecp::multipart::{CancelContractForm, CancelTransactionForm};
use payspec_onecp::types::{
    CancellationPenaltyOffset, CancellationPenaltyValue, CancellationPolicy, CancellationReference,
    CorporateCheckout, DatePenalty, Item, ItemCategory, ItemQuantity, Location, OffsetPenalty,
    Penalty, PenaltyOffsetUnit, PenaltyValueUnit, Place,
};
use payspec_onecp::{Client, DateTime, FilePart, Validate};
use payspec_runtime::Error;
use payspec_tests::ScriptedServer;
use pretty_assertions::assert_eq;

const LIMIT: usize = 10 * 1024 * 1024;

fn dec(s: &str) -> rust_decimal::Decimal {
    s.parse().unwrap()
}

fn date_penalty() -> Penalty {
    DatePenalty::new(
        "2024-05-01T00:00:00Z".parse::<DateTime>().unwrap(),
        CancellationPenaltyValue::new(dec("100"), PenaltyValueUnit::Percentage),
    )
    .into()
}

fn offset_penalty() -> Penalty {
    OffsetPenalty::new(
        CancellationPenaltyOffset::new(dec("14"), PenaltyOffsetUnit::Days),
        CancellationPenaltyValue::new(dec("50"), PenaltyValueUnit::FixedAmount),
    )
    .with_condition("AFTER_PAYMENT")
    .into()
}

fn policy(penalties: Vec<Penalty>) -> CancellationPolicy {
    CancellationPolicy::new(penalties, CancellationReference::PaymentDate)
}

fn location(street: bool, house: bool, lat: bool, lng: bool) -> Location {
    let set = |on: bool, v: &str| on.then(|| v.to_string());
    let mut location = Location::new().with_city("Berlin");
    location.street = set(street, "Alexanderplatz");
    location.house = set(house, "7");
    location.lat = set(lat, "52.5219");
    location.lng = set(lng, "13.4132");
    location
}

fn checkout(items: Vec<Item>) -> CorporateCheckout {
    CorporateCheckout::new("EUR", items, "Off site event")
}

fn flight() -> Item {
    Item::new()
        .with_category(ItemCategory::Flight)
        .with_departure(Place::Iata("FRA".into()))
        .with_destination(Place::Iata("MUC".into()))
}

/// The violations of a request, as `path: message` lines.
fn violations(value: &impl Validate) -> Vec<String> {
    match value.validate() {
        Ok(()) => Vec::new(),
        Err(e) => e.violations.iter().map(ToString::to_string).collect(),
    }
}

#[track_caller]
fn assert_only_violation(value: &impl Validate, path: &str, needle: &str) {
    let found = violations(value);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with(&format!("{path}: ")) && found[0].contains(needle),
        "expected a violation at {path} containing {needle:?}, got {found:?}"
    );
}

const MIXED: &str = "mixes `DATE_PENALTY` and `OFFSET_PENALTY`: all items must be of one kind";
const NO_PLACE: &str = "either `street` and `house`, or `lat` and `lng` must be set";

#[test]
fn valid_requests_pass() {
    let hotel = Item::new()
        .with_category(ItemCategory::Accommodation)
        .with_location(location(true, true, false, false))
        .with_quantity(ItemQuantity::new().with_amount(dec("1")))
        .with_cancellation_policy(policy(vec![offset_penalty(), offset_penalty()]));
    let flight = flight()
        .with_departure(Place::Location(location(false, false, true, true)))
        .with_destination(Place::Location(location(true, true, true, true)))
        .with_quantity(ItemQuantity::new().with_amount(dec("1.5")))
        .with_cancellation_policy(policy(vec![date_penalty(), date_penalty()]));
    let no_penalties = Item::new()
        .with_cancellation_policy(policy(Vec::new()))
        .with_location(location(false, false, true, true));
    let c = checkout(vec![hotel, flight, no_penalties, Item::default()]);
    assert_eq!(violations(&c), Vec::<String>::new());
}

#[test]
fn penalties_must_all_be_of_one_kind() {
    let mixed = checkout(vec![
        flight().with_cancellation_policy(policy(vec![date_penalty(), offset_penalty()])),
    ]);
    assert_only_violation(&mixed, "items[0].cancellationPolicy.penalties", MIXED);

    // The path names the item.
    let second = checkout(vec![
        flight(),
        Item::new().with_cancellation_policy(policy(vec![
            offset_penalty(),
            offset_penalty(),
            date_penalty(),
        ])),
    ]);
    assert_only_violation(
        &second,
        "items[1].cancellationPolicy.penalties",
        "mixes `OFFSET_PENALTY` and `DATE_PENALTY`",
    );
}

#[test]
fn a_location_needs_street_and_house_or_lat_and_lng() {
    for (street, house, lat, lng) in [
        (false, false, false, false),
        (true, false, false, false),
        (false, true, false, false),
        (false, false, true, false),
        (false, false, false, true),
        (true, false, false, true),
    ] {
        let l = location(street, house, lat, lng);
        let what = format!("{l:?}");
        let as_location = checkout(vec![Item::new().with_location(l.clone())]);
        let found = violations(&as_location);
        assert_eq!(found, [format!("items[0].location: {NO_PLACE}")], "{what}");

        let as_departure = checkout(vec![flight().with_departure(Place::Location(l.clone()))]);
        assert_eq!(
            violations(&as_departure),
            [format!("items[0].departure: {NO_PLACE}")],
            "{what}"
        );
        let as_destination = checkout(vec![
            flight(),
            flight().with_destination(Place::Location(l)),
        ]);
        assert_eq!(
            violations(&as_destination),
            [format!("items[1].destination: {NO_PLACE}")],
            "{what}"
        );
    }
    for (street, house, lat, lng) in [
        (true, true, false, false),
        (false, false, true, true),
        (true, true, true, true),
        (true, false, true, true),
    ] {
        let l = location(street, house, lat, lng);
        let c = checkout(vec![
            Item::new()
                .with_location(l.clone())
                .with_departure(Place::Location(l.clone())),
        ]);
        assert_eq!(violations(&c), Vec::<String>::new(), "{l:?}");
    }
    // An IATA code is not a Location: nothing to check.
    assert!(violations(&checkout(vec![flight()])).is_empty());
}

#[test]
fn a_quantity_is_at_least_1() {
    for amount in ["0", "0.5", "0.99", "-1"] {
        let c = checkout(vec![
            Item::new().with_quantity(ItemQuantity::new().with_amount(dec(amount))),
        ]);
        assert_only_violation(
            &c,
            "items[0].quantity.amount",
            &format!("must be at least 1 (got {amount})"),
        );
    }
    for amount in ["1", "1.00", "2", "0.5e1"] {
        let c =
            checkout(vec![
                Item::new().with_quantity(
                    ItemQuantity::new()
                        .with_amount(payspec_runtime::decimal::parse_exact(amount).unwrap()),
                ),
            ]);
        assert!(violations(&c).is_empty(), "{amount}: {:?}", violations(&c));
    }
}

#[test]
fn a_checkout_has_at_least_one_item() {
    assert_only_violation(&checkout(Vec::new()), "items", "at least 1 item");
}

#[test]
fn every_violation_is_reported_at_once() {
    let c = checkout(vec![
        Item::new()
            .with_quantity(ItemQuantity::new().with_amount(dec("0")))
            .with_location(location(true, false, false, false))
            .with_cancellation_policy(policy(vec![offset_penalty(), date_penalty()])),
        Item::new().with_departure(Place::Location(Location::default())),
    ]);
    let found = violations(&c);
    let paths: Vec<&str> = found
        .iter()
        .map(|v| v.split(": ").next().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "items[0].cancellationPolicy.penalties",
            "items[0].location",
            "items[0].quantity.amount",
            "items[1].departure",
        ],
        "{found:?}"
    );
}

#[test]
fn the_cancellation_file_is_at_most_10_mb() {
    let form = |len: usize| {
        CancelContractForm::new("667999d063824b596cf82155")
            .with_file(FilePart::from_bytes(vec![0u8; len]))
    };
    assert_only_violation(
        &form(LIMIT + 1),
        "file",
        &format!("the file must be at most {LIMIT} bytes (got {})", LIMIT + 1),
    );
    assert!(violations(&form(LIMIT)).is_empty());
    assert!(violations(&CancelContractForm::new("x")).is_empty());
    let form = CancelTransactionForm::new().with_file(FilePart::from_bytes(vec![0u8; LIMIT + 1]));
    assert_only_violation(&form, "file", "at most 10485760 bytes");
    // A content type that is not a media type is refused too.
    let form = CancelTransactionForm::new()
        .with_file(FilePart::from_bytes(&b"%PDF"[..]).content_type("pdf"));
    assert_only_violation(&form, "file", "not a valid media type");
}

#[track_caller]
fn assert_refused(err: Error<()>, path: &str, needle: &str) {
    match &err {
        Error::Validation(v) => assert!(
            v.violations
                .iter()
                .any(|x| x.path == path && x.message.contains(needle)),
            "expected a violation at {path} containing {needle:?}, got {v}"
        ),
        other => panic!("expected Error::Validation, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.starts_with("request rejected before sending: invalid request: ")
            && text.contains(&format!("{path}: ")),
        "{text}"
    );
}

#[tokio::test]
async fn an_invalid_request_is_never_sent() {
    let server = ScriptedServer::start(Vec::new()).await;
    let client = Client::builder(server.url())
        .basic_auth("widget", "secret")
        .build()
        .unwrap();

    let mixed = checkout(vec![
        flight(),
        flight().with_cancellation_policy(policy(vec![date_penalty(), offset_penalty()])),
    ]);
    let path = "items[1].cancellationPolicy.penalties";
    assert_refused(
        client.initialize_transaction(&mixed).await.unwrap_err(),
        path,
        MIXED,
    );
    assert_refused(
        client.create_transaction(&mixed).await.unwrap_err(),
        path,
        MIXED,
    );

    for l in [
        location(false, false, false, false),
        location(true, false, false, false),
    ] {
        let c = checkout(vec![Item::new().with_location(l.clone())]);
        assert_refused(
            client.initialize_transaction(&c).await.unwrap_err(),
            "items[0].location",
            NO_PLACE,
        );
        let c = checkout(vec![flight().with_departure(Place::Location(l))]);
        assert_refused(
            client.create_transaction(&c).await.unwrap_err(),
            "items[0].departure",
            NO_PLACE,
        );
    }

    for amount in ["0", "0.5"] {
        let c = checkout(vec![
            Item::new().with_quantity(ItemQuantity::new().with_amount(dec(amount))),
        ]);
        assert_refused(
            client.initialize_transaction(&c).await.unwrap_err(),
            "items[0].quantity.amount",
            "must be at least 1",
        );
    }

    assert_refused(
        client
            .initialize_transaction(&checkout(Vec::new()))
            .await
            .unwrap_err(),
        "items",
        "at least 1 item",
    );

    let big = || FilePart::from_bytes(vec![1u8; LIMIT + 1]).file_name("invoice.pdf");
    assert_refused(
        client
            .cancel_contract(CancelContractForm::new("667999d063824b596cf82155").with_file(big()))
            .await
            .unwrap_err(),
        "file",
        "at most 10485760 bytes",
    );
    assert_refused(
        client
            .cancel_transaction_multipart(
                "667999d063824b596cf82155",
                CancelTransactionForm::new().with_file(big()),
            )
            .await
            .unwrap_err(),
        "file",
        "at most 10485760 bytes",
    );

    // An empty transaction id would address another operation.
    assert_refused(
        client.get_transaction_status("").await.unwrap_err(),
        "transactionId",
        "at least 1 character",
    );
    assert_refused(
        client
            .cancel_transaction("", &Default::default())
            .await
            .unwrap_err(),
        "transactionId",
        "at least 1 character",
    );

    assert!(server.requests().is_empty(), "nothing may reach the server");
}

#[tokio::test]
async fn a_valid_request_is_sent() {
    // The counterpart of `an_invalid_request_is_never_sent`: the same client does send a valid
    // request, so an empty request log above means "refused", not "never tried".
    let server = ScriptedServer::start(vec![payspec_tests::Scripted::json(
        201,
        serde_json::json!({"transactionId": "t-1"}),
    )])
    .await;
    let client = Client::builder(server.url())
        .basic_auth("widget", "secret")
        .build()
        .unwrap();
    let c = checkout(vec![
        Item::new()
            .with_location(location(true, true, false, false))
            .with_departure(Place::Location(location(false, false, true, true)))
            .with_quantity(ItemQuantity::new().with_amount(dec("1")))
            .with_cancellation_policy(policy(vec![offset_penalty(), offset_penalty()])),
    ]);
    let created = client.initialize_transaction(&c).await.unwrap();
    assert_eq!(created.transaction_id, "t-1");
    assert_eq!(server.requests().len(), 1);
}
