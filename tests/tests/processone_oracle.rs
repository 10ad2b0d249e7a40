//! payspec-processone's JSON ⇄ XML codec against the real .NET DataContractSerializer (Mono, via
//! `tests/peers/dotnet`'s `serve` oracle).
//!
//! For every contract and three value variants (all set / all null / empty lists), built from the
//! XSDs by an independent walker (`payspec_tests::dcs_values`):
//!
//! 1. JSON → our XML (`convert(Json → Xml)`);
//! 2. DCS reads our XML exactly as the service does and writes it back;
//! 3. (a) DCS's bytes must equal ours: DCS writes every member it understood in its slot, so any
//!    member we put in the wrong order or namespace comes back as nil / default and the bytes
//!    differ; (b) `convert(Xml → Json)` of DCS's bytes must equal the original JSON with nulls
//!    removed (numbers compared by their text: `20.00` ≠ `20.0`).
//!
//! All failures are collected and reported together. The negative tests at the end prove that
//! this harness notices the silent data loss it exists for.
//!
//! Needs Mono and the oracle build: run with `cargo xtask test` (or `bash tests/peers/dotnet/run.sh`
//! first). It never skips.

use payspec_processone::codec::{self, CONTRACTS, Format};
use payspec_tests::dcs_oracle::{first_difference, with_oracle};
use payspec_tests::dcs_values::{Schemas, Variant, json_diff, without_nulls};
use serde_json::Value;

/// `<Area>.<Contract>` of the 56 request / response contracts of the seed fixtures.
fn fixture_contracts() -> Vec<String> {
    let index =
        std::fs::read_to_string(payspec_tests::root().join("tests/fixtures/processone/index.tsv"))
            .expect("tests/fixtures/processone/index.tsv");
    index
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            format!("{}.{}", f[0], f[3])
        })
        .collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn to_xml(contract: &str, json: &Value) -> Result<Vec<u8>, String> {
    let input = serde_json::to_vec(json).expect("serialize JSON");
    codec::convert(contract, Format::Json, Format::Xml, &input).map_err(|e| e.to_string())
}

fn to_json(contract: &str, xml: &[u8]) -> Result<Value, String> {
    let out =
        codec::convert(contract, Format::Xml, Format::Json, xml).map_err(|e| e.to_string())?;
    serde_json::from_slice(&out).map_err(|e| {
        format!(
            "convert(Xml → Json) wrote invalid JSON ({e}): {}",
            text(&out)
        )
    })
}

/// Steps 2 and 3 for XML we wrote for `json`: every problem found, empty when all is well.
fn check_xml(schemas: &Schemas, contract: &str, json: &Value, ours: &[u8]) -> Vec<String> {
    let mut problems = Vec::new();
    let dcs = match with_oracle(|o| o.roundtrip(contract, ours)) {
        Ok(dcs) => dcs,
        Err(e) => {
            problems.push(format!(
                "DCS rejected our XML: {e}\n      ours: {}",
                text(ours)
            ));
            return problems;
        }
    };
    if let Some(d) = first_difference(&text(ours), &text(&dcs)) {
        let reference = schemas.reference_xml(contract, json);
        let verdict = if reference.as_bytes() == dcs.as_slice() {
            "the independent reference writer (dcs_values) agrees with DCS"
        } else {
            "the reference writer disagrees with DCS too"
        };
        problems.push(format!(
            "(a) DCS re-serialization differs from our XML at {d}\n      ({verdict})"
        ));
    }
    let expected = without_nulls(json);
    match to_json(contract, &dcs) {
        Ok(back) if back == expected => {}
        Ok(back) => problems.push(format!(
            "(b) convert(Xml → Json) of DCS's bytes differs from the original:\n      {}",
            json_diff(&expected, &back, 8).join("\n      ")
        )),
        Err(e) => problems.push(format!(
            "(b) convert(Xml → Json) of DCS's bytes failed: {e}"
        )),
    }
    problems
}

/// The whole cycle for one JSON value.
fn check(schemas: &Schemas, contract: &str, json: &Value) -> Vec<String> {
    match to_xml(contract, json) {
        Ok(ours) => check_xml(schemas, contract, json, &ours),
        Err(e) => vec![format!(
            "convert(Json → Xml) failed: {e}\n      json: {json}"
        )],
    }
}

#[test]
fn contracts_cover_every_xsd_class_and_every_fixture() {
    let schemas = Schemas::load();
    let missing: Vec<String> = schemas
        .contracts()
        .into_iter()
        .chain(fixture_contracts())
        .filter(|c| !CONTRACTS.contains(&c.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "classes missing from codec::CONTRACTS: {missing:?}"
    );
}

/// `CONTRACTS` is documented as every complex type that is not `Base*` / `ArrayOf*`.
#[test]
fn contracts_list_exactly_the_non_base_classes() {
    let schemas = Schemas::load();
    let theirs = schemas.contracts();
    let extra: Vec<&str> = CONTRACTS
        .iter()
        .copied()
        .filter(|c| !theirs.iter().any(|t| t == c))
        .collect();
    assert!(
        extra.is_empty(),
        "codec::CONTRACTS lists types that are not contracts (Base* / ArrayOf* / unknown): {extra:?}"
    );
}

#[test]
fn every_contract_round_trips_through_the_real_serializer() {
    let schemas = Schemas::load();
    let fixtures = fixture_contracts();
    assert_eq!(fixtures.len(), 56);
    // The 56 requests / responses first, then the shared types (Customer, TransactionInformation, ...).
    let mut contracts: Vec<String> = fixtures.clone();
    contracts.extend(
        CONTRACTS
            .iter()
            .map(|c| c.to_string())
            .filter(|c| !fixtures.contains(c)),
    );
    let mut failures = Vec::new();
    let mut cases = 0;
    for contract in &contracts {
        assert!(
            CONTRACTS.contains(&contract.as_str()),
            "{contract} is not in codec::CONTRACTS"
        );
        for variant in Variant::ALL {
            cases += 1;
            let json = schemas.value(contract, variant);
            for p in check(&schemas, contract, &json) {
                failures.push(format!("{contract} {variant:?}: {p}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problem(s) in {cases} cases (contract × variant):\n\n{}\n",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(cases >= 56 * 3);
}

/// Json.NET reads keys case-insensitively and takes explicit nulls for nillable members: neither
/// may change the XML.
#[test]
fn json_spelling_does_not_change_the_xml() {
    fn recase(v: &Value, f: fn(&str) -> String) -> Value {
        match v {
            Value::Object(m) => {
                Value::Object(m.iter().map(|(k, x)| (f(k), recase(x, f))).collect())
            }
            Value::Array(a) => Value::Array(a.iter().map(|x| recase(x, f)).collect()),
            other => other.clone(),
        }
    }
    let schemas = Schemas::load();
    let mut failures = Vec::new();
    for contract in fixture_contracts() {
        for variant in Variant::ALL {
            let json = schemas.value(&contract, variant);
            let Ok(canonical) = to_xml(&contract, &json) else {
                continue; // reported by every_contract_round_trips_through_the_real_serializer
            };
            let spellings = [
                ("lower-case keys", recase(&json, |k| k.to_lowercase())),
                ("upper-case keys", recase(&json, |k| k.to_uppercase())),
                ("nulls omitted", without_nulls(&json)),
            ];
            for (label, alt) in spellings {
                match to_xml(&contract, &alt) {
                    Ok(x) if x == canonical => {}
                    Ok(x) => failures.push(format!(
                        "{contract} {variant:?} {label}: XML differs at {}",
                        first_difference(&text(&canonical), &text(&x)).unwrap_or_default()
                    )),
                    Err(e) => failures.push(format!("{contract} {variant:?} {label}: {e}")),
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Replaces every `xs:string` value (members and `ArrayOfstring` items, at any depth; not
/// date-times, which are JSON strings too) of `v`, a value of `class`.
fn map_strings(schemas: &Schemas, class: &str, v: &mut Value, f: &dyn Fn(&str) -> String) {
    use payspec_tests::dcs_values::{Builtin, TypeDef, TypeRef};
    fn at(schemas: &Schemas, ty: &TypeRef, v: &mut Value, f: &dyn Fn(&str) -> String) {
        match ty {
            TypeRef::Builtin(Builtin::String) => {
                if let Value::String(s) = v {
                    *s = f(s);
                }
            }
            TypeRef::Builtin(_) => {}
            TypeRef::Named(k) => match schemas.get(k) {
                Some(TypeDef::Class { .. }) if v.is_object() => map_strings(schemas, k, v, f),
                Some(TypeDef::List { item, .. }) => {
                    if let Value::Array(items) = v {
                        for it in items {
                            at(schemas, item, it, f);
                        }
                    }
                }
                _ => {}
            },
        }
    }
    for m in schemas.members(class) {
        if let Some(x) = v.get_mut(&m.name) {
            at(schemas, &m.ty, x, f);
        }
    }
}

/// Strings DCS keeps as they are (tab and line feed are written raw, an empty string as
/// `<X></X>`, `>` always escaped; see tests/peers/dotnet/PROBE.md).
#[test]
fn edge_strings_round_trip() {
    let schemas = Schemas::load();
    type Edit = fn(&str) -> String;
    let edges: [(&str, Edit); 6] = [
        ("empty", |_| String::new()),
        ("tab and line feed", |s| format!("{s}\ta\nb\n")),
        ("only spaces", |_| "   ".into()),
        ("non-BMP", |s| format!("😀{s}𝄞")),
        ("markup", |s| format!("<x a=\"1\">{s}</x> ]]> &amp; &#x41;")),
        ("U+0085 U+2028 DEL", |s| format!("{s}\u{85}\u{2028}\u{7f}")),
    ];
    let contracts = [
        "CreditCard.ChargeCreditCardRequest",
        "Transaction.GetTransactionsByBatchIdRequest",
        "Transaction.GetTransactionsByTypeResponse",
        "Eft.DebitEftRequest",
        "PaymentToken.GetTokenInfoBatchResponse",
    ];
    let mut failures = Vec::new();
    for contract in contracts {
        for (label, f) in &edges {
            let mut json = schemas.value(contract, Variant::AllSet);
            map_strings(&schemas, contract, &mut json, f);
            for p in check(&schemas, contract, &json) {
                failures.push(format!("{contract} strings {label}: {p}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

// ------------------------------------------------------------------ negative: the harness bites

fn all_set_charge() -> (Schemas, &'static str, Value, String) {
    let schemas = Schemas::load();
    let contract = "CreditCard.ChargeCreditCardRequest";
    let mut json = schemas.value(contract, Variant::AllSet);
    json["Amount"] = payspec_tests::dcs_values::number("20.00");
    let xml = text(&to_xml(contract, &json).expect("convert(Json → Xml)"));
    (schemas, contract, json, xml)
}

/// The text of the first element `<name ...>...</name>` or `<name ... />` (unprefixed) in `xml`.
fn element<'a>(xml: &'a str, name: &str) -> &'a str {
    let open = format!("<{name}");
    let start = xml
        .match_indices(&open)
        .map(|(i, _)| i)
        .find(|i| matches!(xml.as_bytes().get(i + open.len()), Some(b' ' | b'>' | b'/')))
        .unwrap_or_else(|| panic!("no <{name}> in {xml}"));
    let rest = &xml[start..];
    let gt = rest.find('>').expect("tag end");
    let len = if rest[..gt].ends_with('/') {
        gt + 1
    } else {
        let close = format!("</{name}>");
        rest.find(&close).expect("closing tag") + close.len()
    };
    &xml[start..start + len]
}

#[test]
fn amount_moved_after_callback_id_is_read_as_zero_and_caught() {
    let (schemas, contract, json, ours) = all_set_charge();
    assert!(
        check_xml(&schemas, contract, &json, ours.as_bytes()).is_empty(),
        "the unmodified XML must pass (see every_contract_round_trips_through_the_real_serializer)"
    );
    let amount = element(&ours, "Amount");
    let callback = element(&ours, "CallbackId");
    let moved = ours
        .replacen(amount, "", 1)
        .replacen(callback, &format!("{callback}{amount}"), 1);
    assert_ne!(moved, ours);
    // DCS does not complain: it silently reads Amount as 0.
    let dcs = with_oracle(|o| o.roundtrip(contract, moved.as_bytes()))
        .expect("DCS reads a misplaced member without an error");
    let dcs = text(&dcs);
    assert!(dcs.contains("<Amount>0</Amount>"), "{dcs}");
    let problems = check_xml(&schemas, contract, &json, moved.as_bytes());
    assert!(
        problems.iter().any(|p| p.starts_with("(a)")),
        "the byte comparison must catch the misplaced Amount: {problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("(b)") && p.contains("Amount")),
        "the value comparison must catch the lost Amount: {problems:?}"
    );
}

#[test]
fn a_member_in_the_wrong_namespace_is_dropped_and_caught() {
    let (schemas, contract, json, ours) = all_set_charge();
    let key = element(&ours, "AuthenticationKey");
    let ns = " xmlns=\"http://schemas.datacontract.org/2004/07/OneInc.ProcessOne.RestApi.Contracts.DataContracts\"";
    assert!(key.contains(ns), "{key}");
    let wrong = ours.replacen(key, &key.replacen(ns, "", 1), 1);
    let problems = check_xml(&schemas, contract, &json, wrong.as_bytes());
    assert!(
        problems.iter().any(|p| p.starts_with("(a)")),
        "a dropped AuthenticationKey must change DCS's bytes: {problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("(b)") && p.contains("AuthenticationKey")),
        "{problems:?}"
    );
}

#[test]
fn a_changed_decimal_scale_is_caught() {
    let (schemas, contract, json, ours) = all_set_charge();
    let amount = element(&ours, "Amount");
    assert_eq!(
        amount, "<Amount>20.00</Amount>",
        "dcs_values puts 20.00 first"
    );
    let rescaled = ours.replacen(amount, "<Amount>20.0</Amount>", 1);
    let problems = check_xml(&schemas, contract, &json, rescaled.as_bytes());
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("(b)") && p.contains("Amount")),
        "20.0 must not pass for 20.00: {problems:?}"
    );
}
