//! Decoding a `GetTransactionsByTypeResponse` of 10,000 transactions, in XML and in JSON.
//!
//! Targets (see README.md next to this file):
//! - XML: `from_xml` at least half the speed of a bare namespace-resolving quick-xml event scan
//!   of the same document (`processone_xml_10k`: `ours` vs `quick_xml_ns_scan`);
//! - JSON: `from_json` within 5% of a hand-written `#[derive(Deserialize)]` mirror with the same
//!   value types (`processone_json_10k`: `ours` vs `hand_serde`).
//!
//! Run with `cargo bench -p payspec-tests --bench processone`.

use std::hint::black_box;
use std::time::Duration;

use payspec_tests::interleaved;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput, criterion_group};
use payspec_processone::contracts::data_contracts::ClientReferenceData;
use payspec_processone::contracts::enums::{
    CreditCardType, EftAccountType, ReturnReasonType, TransactionStatus, TransactionType,
};
use payspec_processone::contracts::transaction::{
    GetTransactionsByTypeResponse, TransactionInformation,
};
use payspec_processone::{DataContract, DateTime, Decimal, SecretString};
use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

const TRANSACTIONS: usize = 10_000;

// ---- the document ----

/// One transaction, varied by `i`: two thirds card payments, one third EFT; amounts like
/// `100.00`, `20.5`, `1234.56` and `75`; dates with a 7-digit fraction and `-08:00`, some
/// without either; `ClientReferenceData` on most, with nils inside; nils elsewhere too.
fn transaction(i: usize) -> TransactionInformation {
    let card = !i.is_multiple_of(3);
    let n = i as i64;
    let original_amount = match i % 4 {
        0 => Decimal::new(10_000, 2),                        // 100.00
        1 => Decimal::new(205, 1),                           // 20.5
        2 => Decimal::new(1_000 + (n * 7_919) % 500_000, 2), // 10.00 ..= 5009.99
        _ => Decimal::new(25 + n % 475, 0),                  // whole dollars
    };
    // A convenience fee on some card payments.
    let posted_amount = if card && i.is_multiple_of(5) {
        original_amount + Decimal::new(295, 2)
    } else {
        original_amount
    };
    let payment_date = if i % 10 == 9 {
        format!(
            "2019-11-{:02}T{:02}:{:02}:{:02}",
            1 + i % 28,
            i % 24,
            i % 60,
            (i / 60) % 60
        )
    } else {
        format!(
            "2019-11-{:02}T{:02}:{:02}:{:02}.{:07}-08:00",
            1 + i % 28,
            i % 24,
            (i * 7) % 60,
            (i * 13) % 60,
            (i * 2_609_212 + 1) % 10_000_000
        )
    };
    let payment_date = DateTime::parse(&payment_date).expect("valid date-time");
    let client_reference_data = (i % 8 != 7).then(|| {
        let mut refs = ClientReferenceData::new()
            .with_client_reference_data1(format!("POL-{:08}", 10_000_000 + i * 37))
            .with_client_reference_data3(
                ["test address", "Main office", "Branch 12 & Annex", "Online"][i % 4].to_owned(),
            );
        refs.client_reference_data2 = i.is_multiple_of(2).then(|| format!("EXT{}", 900_000 + i));
        refs.client_reference_data5 = i
            .is_multiple_of(5)
            .then(|| format!("ACCT-{}", 5_000 + i % 1_000));
        refs
    });
    let returned = !card && i.is_multiple_of(30);
    let mut info = TransactionInformation::new()
        .with_bank_account_type(if card {
            EftAccountType::Undefined
        } else if i.is_multiple_of(2) {
            EftAccountType::Checking
        } else {
            EftAccountType::Savings
        })
        .with_batch_number(11 + (i / 250) as i32)
        .with_credit_card_type(if card {
            [
                CreditCardType::Visa,
                CreditCardType::MasterCard,
                CreditCardType::AmericanExpress,
                CreditCardType::Discover,
            ][i % 4]
                .clone()
        } else {
            CreditCardType::Undefined
        })
        .with_customer_name(
            ["John Stevens", "María O'Neil", "Chen Wei", "Ada Lovelace"][i % 4].to_owned(),
        )
        .with_instance_name("merchant instance name")
        .with_last_four_digits(format!("{:04}", (i * 31) % 10_000))
        .with_original_amount(original_amount)
        .with_payment_date(payment_date)
        .with_posted_amount(posted_amount)
        .with_time_zone("PST")
        .with_transaction_id(format!("{}", 1_580 + i))
        .with_transaction_status(if returned {
            TransactionStatus::Returned
        } else if i % 50 == 1 {
            TransactionStatus::Failed
        } else {
            TransactionStatus::Successful
        })
        .with_transaction_type(if returned {
            TransactionType::ReturnedEft
        } else if card {
            TransactionType::ChargeCreditCard
        } else {
            TransactionType::CreditEft
        });
    info.account_group_code = i.is_multiple_of(6).then(|| format!("GRP{}", i % 12));
    info.account_number = (!card).then(|| SecretString::new(format!("{}", 123_123_000 + i)));
    info.bank_name = (!card).then(|| "First National Bank".to_owned());
    info.base_card_type = card.then_some(CreditCardType::Visa);
    info.client_reference_data = client_reference_data;
    info.credit_card_expiration_month = card.then_some(1 + (i % 12) as i32);
    info.credit_card_expiration_year = card.then_some(2026 + (i % 5) as i32);
    info.customer_id = i.is_multiple_of(4).then(|| format!("C{:06}", i / 4));
    info.internal_reference_transaction_id = i.is_multiple_of(20).then(|| format!("{}", 1_000 + i));
    info.process_one_token =
        (card && i.is_multiple_of(7)).then(|| format!("tok_{:032x}", i * 2_654_435_761));
    info.return_reason_code = returned.then(|| "R01".to_owned());
    info.return_reason_type = returned.then_some(ReturnReasonType::Eft);
    info.routing_number = (!card).then(|| "123123123".to_owned());
    info
}

fn response() -> GetTransactionsByTypeResponse {
    GetTransactionsByTypeResponse::new()
        .with_message("Success")
        .with_response_code("Success")
        .with_transactions(
            (0..TRANSACTIONS)
                .map(|i| Some(transaction(i)))
                .collect::<Vec<_>>(),
        )
}

fn count(r: &GetTransactionsByTypeResponse) -> usize {
    r.transactions.as_ref().map_or(0, Vec::len)
}

// ---- the XML baseline: a bare namespace-resolving event scan ----

/// Validates UTF-8 (as `from_xml` does), then reads every event with namespaces resolved,
/// touching each minimally: counts elements (and how many are in a namespace) and text bytes.
fn quick_xml_ns_scan(xml: &[u8]) -> (usize, usize, usize) {
    let text = std::str::from_utf8(xml).expect("UTF-8");
    let mut r = NsReader::from_str(text);
    let (mut elements, mut bound, mut text_bytes) = (0, 0, 0);
    loop {
        match r.read_resolved_event().expect("well-formed") {
            (ns, Event::Start(e) | Event::Empty(e)) => {
                elements += 1;
                if matches!(ns, ResolveResult::Bound(_)) {
                    bound += 1;
                }
                black_box(e.local_name());
            }
            (_, Event::Text(t)) => text_bytes += black_box(&*t).len(),
            (_, Event::Eof) => break,
            _ => {}
        }
    }
    (elements, bound, text_bytes)
}

// ---- the JSON baseline: a derive-generated mirror with the same value types ----

#[derive(serde::Deserialize)]
struct HandResponse {
    #[serde(rename = "Message")]
    message: Option<String>,
    #[serde(rename = "ResponseCode")]
    response_code: Option<String>,
    #[serde(rename = "Transactions")]
    transactions: Option<Vec<Option<HandTransaction>>>,
}

#[derive(serde::Deserialize)]
struct HandClientReferenceData {
    #[serde(rename = "ClientReferenceData1")]
    client_reference_data1: Option<String>,
    #[serde(rename = "ClientReferenceData2")]
    client_reference_data2: Option<String>,
    #[serde(rename = "ClientReferenceData3")]
    client_reference_data3: Option<String>,
    #[serde(rename = "ClientReferenceData4")]
    client_reference_data4: Option<String>,
    #[serde(rename = "ClientReferenceData5")]
    client_reference_data5: Option<String>,
}

#[derive(serde::Deserialize)]
struct HandTransaction {
    #[serde(rename = "AccountGroupCode")]
    account_group_code: Option<String>,
    #[serde(rename = "AccountNumber")]
    account_number: Option<SecretString>,
    #[serde(rename = "BankAccountType")]
    bank_account_type: EftAccountType,
    #[serde(rename = "BankName")]
    bank_name: Option<String>,
    #[serde(rename = "BaseCardType")]
    base_card_type: Option<CreditCardType>,
    #[serde(rename = "BatchNumber")]
    batch_number: i32,
    #[serde(rename = "ClientReferenceData")]
    client_reference_data: Option<HandClientReferenceData>,
    #[serde(rename = "CreditCardExpirationMonth")]
    credit_card_expiration_month: Option<i32>,
    #[serde(rename = "CreditCardExpirationYear")]
    credit_card_expiration_year: Option<i32>,
    #[serde(rename = "CreditCardType")]
    credit_card_type: CreditCardType,
    #[serde(rename = "CustomerId")]
    customer_id: Option<String>,
    #[serde(rename = "CustomerName")]
    customer_name: Option<String>,
    #[serde(rename = "InstanceName")]
    instance_name: Option<String>,
    #[serde(rename = "InternalReferenceTransactionId")]
    internal_reference_transaction_id: Option<String>,
    #[serde(rename = "LastFourDigits")]
    last_four_digits: Option<String>,
    #[serde(rename = "OriginalAmount", with = "payspec_runtime::decimal::number")]
    original_amount: Decimal,
    #[serde(rename = "PaymentDate")]
    payment_date: DateTime,
    #[serde(rename = "PostedAmount", with = "payspec_runtime::decimal::number")]
    posted_amount: Decimal,
    #[serde(rename = "ProcessOneToken")]
    process_one_token: Option<String>,
    #[serde(rename = "ReturnReasonCode")]
    return_reason_code: Option<String>,
    #[serde(rename = "ReturnReasonType")]
    return_reason_type: Option<ReturnReasonType>,
    #[serde(rename = "RoutingNumber")]
    routing_number: Option<String>,
    #[serde(rename = "TimeZone")]
    time_zone: Option<String>,
    #[serde(rename = "TransactionId")]
    transaction_id: Option<String>,
    #[serde(rename = "TransactionStatus")]
    transaction_status: TransactionStatus,
    #[serde(rename = "TransactionType")]
    transaction_type: TransactionType,
}

impl From<HandResponse> for GetTransactionsByTypeResponse {
    fn from(h: HandResponse) -> Self {
        let mut response = GetTransactionsByTypeResponse::new();
        response.message = h.message;
        response.response_code = h.response_code;
        response.transactions = h
            .transactions
            .map(|ts| ts.into_iter().map(|t| t.map(Into::into)).collect());
        response
    }
}

impl From<HandClientReferenceData> for ClientReferenceData {
    fn from(h: HandClientReferenceData) -> Self {
        let mut refs = ClientReferenceData::new();
        refs.client_reference_data1 = h.client_reference_data1;
        refs.client_reference_data2 = h.client_reference_data2;
        refs.client_reference_data3 = h.client_reference_data3;
        refs.client_reference_data4 = h.client_reference_data4;
        refs.client_reference_data5 = h.client_reference_data5;
        refs
    }
}

impl From<HandTransaction> for TransactionInformation {
    fn from(h: HandTransaction) -> Self {
        let mut info = TransactionInformation::new()
            .with_bank_account_type(h.bank_account_type)
            .with_batch_number(h.batch_number)
            .with_credit_card_type(h.credit_card_type)
            .with_original_amount(h.original_amount)
            .with_payment_date(h.payment_date)
            .with_posted_amount(h.posted_amount)
            .with_transaction_status(h.transaction_status)
            .with_transaction_type(h.transaction_type);
        info.account_group_code = h.account_group_code;
        info.account_number = h.account_number;
        info.bank_name = h.bank_name;
        info.base_card_type = h.base_card_type;
        info.client_reference_data = h.client_reference_data.map(Into::into);
        info.credit_card_expiration_month = h.credit_card_expiration_month;
        info.credit_card_expiration_year = h.credit_card_expiration_year;
        info.customer_id = h.customer_id;
        info.customer_name = h.customer_name;
        info.instance_name = h.instance_name;
        info.internal_reference_transaction_id = h.internal_reference_transaction_id;
        info.last_four_digits = h.last_four_digits;
        info.process_one_token = h.process_one_token;
        info.return_reason_code = h.return_reason_code;
        info.return_reason_type = h.return_reason_type;
        info.routing_number = h.routing_number;
        info.time_zone = h.time_zone;
        info.transaction_id = h.transaction_id;
        info
    }
}

// ---- benchmarks ----

fn configure<'c>(c: &'c mut Criterion, name: &str, bytes: usize) -> BenchmarkGroup<'c, WallTime> {
    let mut g = c.benchmark_group(name);
    // One decode takes tens of milliseconds: flat sampling keeps the run short.
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Bytes(bytes as u64));
    g
}

fn bench_xml(c: &mut Criterion) {
    let value = response();
    let xml = value.to_xml().expect("encode XML");
    let decoded = GetTransactionsByTypeResponse::from_xml(&xml).expect("decode XML");
    assert_eq!(count(&decoded), TRANSACTIONS);
    assert!(decoded == value, "XML round trip changed the value");
    let (elements, bound, text_bytes) = quick_xml_ns_scan(&xml);
    assert!(elements > 25 * TRANSACTIONS && bound == elements && text_bytes > 0);

    let mut g = configure(c, "processone_xml_10k", xml.len());
    g.bench_function("ours", |b| {
        b.iter(|| GetTransactionsByTypeResponse::from_xml(black_box(&xml)).expect("decode XML"))
    });
    g.bench_function("quick_xml_ns_scan", |b| {
        b.iter(|| quick_xml_ns_scan(black_box(&xml)))
    });
    g.finish();
}

fn bench_json(c: &mut Criterion) {
    let value = response();
    let json = value.to_json().expect("encode JSON");
    let decoded = GetTransactionsByTypeResponse::from_json(&json).expect("decode JSON");
    assert_eq!(count(&decoded), TRANSACTIONS);
    assert!(decoded == value, "JSON round trip changed the value");
    let hand: HandResponse = serde_json::from_slice(&json).expect("decode JSON (hand)");
    assert!(
        GetTransactionsByTypeResponse::from(hand) == value,
        "the hand-written mirror decodes another value"
    );

    let mut g = configure(c, "processone_json_10k", json.len());
    g.bench_function("ours", |b| {
        b.iter(|| {
            serde_json::from_slice::<GetTransactionsByTypeResponse>(black_box(&json))
                .expect("decode JSON")
        })
    });
    g.bench_function("hand_serde", |b| {
        b.iter(|| serde_json::from_slice::<HandResponse>(black_box(&json)).expect("decode JSON"))
    });
    g.finish();
}

criterion_group!(benches, bench_xml, bench_json);

// ---- interleaved ratios ----

fn interleaved_ratios() {
    let value = response();
    let xml = value.to_xml().expect("encode XML");
    let json = value.to_json().expect("encode JSON");
    drop(value);

    let (ours, scan, ratio) = interleaved(
        30,
        || {
            drop(black_box(
                GetTransactionsByTypeResponse::from_xml(black_box(&xml)).expect("XML"),
            ))
        },
        || {
            black_box(quick_xml_ns_scan(black_box(&xml)));
        },
    );
    println!(
        "processone_xml_10k interleaved (30 pairs): ours {:.2} ms, quick_xml_ns_scan {:.2} ms; \
         ours speed / scan speed = {:.3} (target >= 0.5)",
        ours * 1e3,
        scan * 1e3,
        1.0 / ratio
    );

    let (ours, hand, ratio) = interleaved(
        100,
        || {
            let v = serde_json::from_slice::<GetTransactionsByTypeResponse>(black_box(&json));
            drop(black_box(v.expect("JSON")));
        },
        || {
            let v = serde_json::from_slice::<HandResponse>(black_box(&json));
            drop(black_box(v.expect("JSON")));
        },
    );
    println!(
        "processone_json_10k interleaved (100 pairs): ours {:.2} ms, hand_serde {:.2} ms; \
         ours time / hand_serde time = {:.3} (target <= 1.05)",
        ours * 1e3,
        hand * 1e3,
        ratio
    );
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // Only for a plain `cargo bench` run of this bench: not with a filter, `--test` (as
    // `cargo test --benches` runs it), `--list` or `--profile-time`.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args == ["--bench"] {
        interleaved_ratios();
    }
}
