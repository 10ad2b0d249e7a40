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
use payspec_onecp::{Client, FilePart, Validate};
use payspec_runtime::Error;
use payspec_tests::ScriptedServer;
use pretty_assertions::assert_eq;

const LIMIT: usize = 10 * 1024 * 1024;

fn dec(s: &str) -> rust_decimal::Decimal {
    s.parse().unwrap()
}

fn date_penalty() -> Penalty {
    DatePenalty {
        until: "2024-05-01T00:00:00Z".parse().unwrap(),
        value: CancellationPenaltyValue {
            amount: dec("100"),
            unit: PenaltyValueUnit::Percentage,
        },
    }
    .into()
}

fn offset_penalty() -> Penalty {
    OffsetPenalty {
        condition: Some("AFTER_PAYMENT".into()),
        offset: CancellationPenaltyOffset {
            amount: dec("14"),
            unit: PenaltyOffsetUnit::Days,
        },
        value: CancellationPenaltyValue {
            amount: dec("50"),
            unit: PenaltyValueUnit::FixedAmount,
        },
    }
    .into()
}

fn policy(penalties: Vec<Penalty>) -> CancellationPolicy {
    CancellationPolicy {
        description: None,
        reference: CancellationReference::PaymentDate,
        penalties,
    }
}

fn location(street: bool, house: bool, lat: bool, lng: bool) -> Location {
    let set = |on: bool, v: &str| on.then(|| v.to_string());
    Location {
        street: set(street, "Alexanderplatz"),
        house: set(house, "7"),
        lat: set(lat, "52.5219"),
        lng: set(lng, "13.4132"),
        city: Some("Berlin".into()),
        ..Default::default()
    }
}

fn checkout(items: Vec<Item>) -> CorporateCheckout {
    CorporateCheckout {
        title: "Off site event".into(),
        currency: "EUR".into(),
        items,
        attachments: Vec::new(),
        email: None,
        note: None,
        ref_i_ds: Default::default(),
        restricted_methods: Vec::new(),
    }
}

fn flight() -> Item {
    Item {
        category: Some(ItemCategory::Flight),
        departure: Some(Place::Iata("FRA".into())),
        destination: Some(Place::Iata("MUC".into())),
        ..Default::default()
    }
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
    let hotel = Item {
        category: Some(ItemCategory::Accommodation),
        location: Some(location(true, true, false, false)),
        quantity: Some(ItemQuantity {
            amount: Some(dec("1")),
            unit: None,
        }),
        cancellation_policy: Some(policy(vec![offset_penalty(), offset_penalty()])),
        ..Default::default()
    };
    let flight = Item {
        departure: Some(Place::Location(location(false, false, true, true))),
        destination: Some(Place::Location(location(true, true, true, true))),
        quantity: Some(ItemQuantity {
            amount: Some(dec("1.5")),
            unit: None,
        }),
        cancellation_policy: Some(policy(vec![date_penalty(), date_penalty()])),
        ..flight()
    };
    let no_penalties = Item {
        cancellation_policy: Some(policy(Vec::new())),
        location: Some(location(false, false, true, true)),
        ..Default::default()
    };
    let c = checkout(vec![hotel, flight, no_penalties, Item::default()]);
    assert_eq!(violations(&c), Vec::<String>::new());
}

#[test]
fn penalties_must_all_be_of_one_kind() {
    let mixed = checkout(vec![Item {
        cancellation_policy: Some(policy(vec![date_penalty(), offset_penalty()])),
        ..flight()
    }]);
    assert_only_violation(&mixed, "items[0].cancellationPolicy.penalties", MIXED);

    // The path names the item.
    let second = checkout(vec![
        flight(),
        Item {
            cancellation_policy: Some(policy(vec![
                offset_penalty(),
                offset_penalty(),
                date_penalty(),
            ])),
            ..Default::default()
        },
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
        let as_location = checkout(vec![Item {
            location: Some(l.clone()),
            ..Default::default()
        }]);
        let found = violations(&as_location);
        assert_eq!(found, [format!("items[0].location: {NO_PLACE}")], "{what}");

        let as_departure = checkout(vec![Item {
            departure: Some(Place::Location(l.clone())),
            ..flight()
        }]);
        assert_eq!(
            violations(&as_departure),
            [format!("items[0].departure: {NO_PLACE}")],
            "{what}"
        );
        let as_destination = checkout(vec![
            flight(),
            Item {
                destination: Some(Place::Location(l)),
                ..flight()
            },
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
        let c = checkout(vec![Item {
            location: Some(l.clone()),
            departure: Some(Place::Location(l.clone())),
            ..Default::default()
        }]);
        assert_eq!(violations(&c), Vec::<String>::new(), "{l:?}");
    }
    // An IATA code is not a Location: nothing to check.
    assert!(violations(&checkout(vec![flight()])).is_empty());
}

#[test]
fn a_quantity_is_at_least_1() {
    for amount in ["0", "0.5", "0.99", "-1"] {
        let c = checkout(vec![Item {
            quantity: Some(ItemQuantity {
                amount: Some(dec(amount)),
                unit: None,
            }),
            ..Default::default()
        }]);
        assert_only_violation(
            &c,
            "items[0].quantity.amount",
            &format!("must be at least 1 (got {amount})"),
        );
    }
    for amount in ["1", "1.00", "2", "0.5e1"] {
        let c = checkout(vec![Item {
            quantity: Some(ItemQuantity {
                amount: Some(payspec_runtime::decimal::parse_exact(amount).unwrap()),
                unit: None,
            }),
            ..Default::default()
        }]);
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
        Item {
            quantity: Some(ItemQuantity {
                amount: Some(dec("0")),
                unit: None,
            }),
            location: Some(location(true, false, false, false)),
            cancellation_policy: Some(policy(vec![offset_penalty(), date_penalty()])),
            ..Default::default()
        },
        Item {
            departure: Some(Place::Location(Location::default())),
            ..Default::default()
        },
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
    let form = |len: usize| CancelContractForm {
        file: Some(FilePart::from_bytes(vec![0u8; len])),
        ..CancelContractForm::new("667999d063824b596cf82155")
    };
    assert_only_violation(
        &form(LIMIT + 1),
        "file",
        &format!("the file must be at most {LIMIT} bytes (got {})", LIMIT + 1),
    );
    assert!(violations(&form(LIMIT)).is_empty());
    assert!(violations(&CancelContractForm::new("x")).is_empty());
    let form = CancelTransactionForm {
        file: Some(FilePart::from_bytes(vec![0u8; LIMIT + 1])),
        ..CancelTransactionForm::new()
    };
    assert_only_violation(&form, "file", "at most 10485760 bytes");
    // A content type that is not a media type is refused too.
    let form = CancelTransactionForm {
        file: Some(FilePart::from_bytes(&b"%PDF"[..]).content_type("pdf")),
        ..CancelTransactionForm::new()
    };
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
        Item {
            cancellation_policy: Some(policy(vec![date_penalty(), offset_penalty()])),
            ..flight()
        },
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
        let c = checkout(vec![Item {
            location: Some(l.clone()),
            ..Default::default()
        }]);
        assert_refused(
            client.initialize_transaction(&c).await.unwrap_err(),
            "items[0].location",
            NO_PLACE,
        );
        let c = checkout(vec![Item {
            departure: Some(Place::Location(l)),
            ..flight()
        }]);
        assert_refused(
            client.create_transaction(&c).await.unwrap_err(),
            "items[0].departure",
            NO_PLACE,
        );
    }

    for amount in ["0", "0.5"] {
        let c = checkout(vec![Item {
            quantity: Some(ItemQuantity {
                amount: Some(dec(amount)),
                unit: None,
            }),
            ..Default::default()
        }]);
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
            .cancel_contract(CancelContractForm {
                file: Some(big()),
                ..CancelContractForm::new("667999d063824b596cf82155")
            })
            .await
            .unwrap_err(),
        "file",
        "at most 10485760 bytes",
    );
    assert_refused(
        client
            .cancel_transaction_multipart(
                "667999d063824b596cf82155",
                CancelTransactionForm {
                    file: Some(big()),
                    ..CancelTransactionForm::new()
                },
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
    let c = checkout(vec![Item {
        location: Some(location(true, true, false, false)),
        departure: Some(Place::Location(location(false, false, true, true))),
        quantity: Some(ItemQuantity {
            amount: Some(dec("1")),
            unit: None,
        }),
        cancellation_policy: Some(policy(vec![offset_penalty(), offset_penalty()])),
        ..Default::default()
    }]);
    let created = client.initialize_transaction(&c).await.unwrap();
    assert_eq!(created.transaction_id, "t-1");
    assert_eq!(server.requests().len(), 1);
}
