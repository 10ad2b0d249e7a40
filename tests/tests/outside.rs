//! Depending on our crates changes nothing else in the user's program. A crate outside this
//! workspace (made in a temporary directory, with its own `[workspace]`) depends on the runtime
//! and every generated crate by path, as a user's project would. The test checks that
//!
//! 1. `cargo tree -e features -i serde_json` shows no `arbitrary_precision`: no crate of ours
//!    switches on a feature that changes how the user's own types read numbers;
//! 2. the user's own untagged and flattened numeric serde types work (an untagged
//!    `Num(f64) | Text(String)` reads `12.5`, which fails under `arbitrary_precision`);
//! 3. the generated clients still read and write exact decimals, 28-digit ones included, with
//!    the scale kept: an OpenAPI response (n1co), a tagged union (1-CP's penalties) and a
//!    DataContract's JSON (ProcessOne).
//!
//! It shares this workspace's lock file and target directory, so nothing new is downloaded.

use std::path::PathBuf;
use std::process::Command;

use payspec_tests::root;
use payspec_tests::scratch::{cargo, write};

/// The outside crate's program: one line per check, `ok <what>` or a panic.
const MAIN: &str = r##"
use payspec_processone::DataContract as _;
use serde::Deserialize;

#[derive(Deserialize, Debug, PartialEq)]
#[serde(untagged)]
enum Price {
    Num(f64),
    Text(String),
}

#[derive(Deserialize, Debug)]
struct Inner {
    weight: f64,
}

#[derive(Deserialize, Debug)]
struct Parcel {
    id: u32,
    #[serde(flatten)]
    inner: Inner,
}

fn main() {
    // The user's own types, as they work without our crates.
    let p: Price = serde_json::from_str("12.5").expect("untagged f64");
    assert_eq!(p, Price::Num(12.5));
    let p: Price = serde_json::from_str(r#""12.5""#).expect("untagged text");
    assert_eq!(p, Price::Text("12.5".into()));
    let parcel: Parcel = serde_json::from_str(r#"{"id": 7, "weight": 1.25}"#).expect("flatten");
    assert_eq!((parcel.id, parcel.inner.weight), (7, 1.25));
    let v: serde_json::Value = serde_json::from_str("10.50").unwrap();
    assert_eq!(v.to_string(), "10.5", "serde_json reads numbers as this program expects");
    println!("ok own types");

    // n1co: an OpenAPI response, read straight from the bytes.
    let body = br#"{"orderId":1,"orderCode":"PL-1","orderStatus":"PENDING","total":79228162514264337593543950335,"subtotal":10.50}"#;
    let order: payspec_n1co::types::OrderDetails = serde_json::from_slice(body).expect("n1co");
    assert_eq!(order.total.value().unwrap().to_string(), "79228162514264337593543950335");
    assert_eq!(order.subtotal.value().unwrap().to_string(), "10.50");
    let text = serde_json::to_string(&order).unwrap();
    assert!(text.contains(r#""total":79228162514264337593543950335"#), "{text}");
    assert!(text.contains(r#""subtotal":10.50"#), "{text}");
    println!("ok n1co");

    // 1-CP: a tagged union, decoded by its tag.
    let body = r#"{"type":"DATE_PENALTY","until":"2026-12-24T00:00:00Z","value":{"amount":0.0000000000000000000000000001,"unit":"FIXED_AMOUNT"}}"#;
    let penalty: payspec_onecp::types::Penalty = serde_json::from_str(body).expect("onecp");
    let payspec_onecp::types::Penalty::DatePenalty(p) = &penalty else {
        panic!("{penalty:?}")
    };
    assert_eq!(p.value.amount.to_string(), "0.0000000000000000000000000001");
    let text = serde_json::to_string(&penalty).unwrap();
    assert!(text.contains(r#""amount":0.0000000000000000000000000001"#), "{text}");
    println!("ok onecp");

    // ProcessOne: a DataContract's JSON form.
    let body = br#"{"PostedAmount":1234567890123456789012345.60}"#;
    let r = payspec_processone::contracts::credit_card::ChargeCreditCardResponse::from_json(body)
        .expect("processone");
    assert_eq!(r.posted_amount.unwrap().to_string(), "1234567890123456789012345.60");
    let text = String::from_utf8(r.to_json().unwrap()).unwrap();
    assert!(text.contains(r#""PostedAmount":1234567890123456789012345.60"#), "{text}");
    println!("ok processone");

    // Onecheckout builds and links alongside.
    let _ = payspec_onecheckout::Client::builder("https://example.com");
    println!("ok onecheckout");
}
"##;

fn outside_crate() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("payspec-outside-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = |rel: &str| {
        let p = root().join(rel);
        p.to_str().expect("UTF-8 path").to_string()
    };
    let manifest = format!(
        r#"[package]
name = "outside"
version = "0.1.0"
edition = "2024"
publish = false

# Its own workspace: not a member of payspec's.
[workspace]

[dependencies]
payspec-runtime = {{ path = {runtime:?} }}
payspec-n1co = {{ path = {n1co:?} }}
payspec-onecp = {{ path = {onecp:?} }}
payspec-onecheckout = {{ path = {onecheckout:?} }}
payspec-processone = {{ path = {processone:?} }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
"#,
        runtime = path("runtime"),
        n1co = path("generated/n1co"),
        onecp = path("generated/onecp"),
        onecheckout = path("generated/onecheckout"),
        processone = path("generated/processone"),
    );
    write(&dir, "Cargo.toml", &manifest);
    write(&dir, "src/main.rs", MAIN);
    std::fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock")).expect("Cargo.lock");
    dir
}

#[test]
fn our_crates_change_nothing_else_in_the_users_program() {
    let dir = outside_crate();

    let tree = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(&dir)
        .args(["tree", "-e", "features", "-i", "serde_json"])
        .output()
        .expect("run cargo tree");
    let tree_text = String::from_utf8_lossy(&tree.stdout).to_string();
    assert!(
        tree.status.success(),
        "cargo tree failed:\n{}",
        String::from_utf8_lossy(&tree.stderr)
    );
    assert!(
        tree_text.contains("payspec-runtime"),
        "the tree does not reach our crates:\n{tree_text}"
    );
    assert!(
        !tree_text.contains("arbitrary_precision"),
        "a crate switches on serde_json's arbitrary_precision:\n{tree_text}"
    );
    eprintln!("serde_json's features in the outside crate:\n{tree_text}");

    let run = cargo(&dir, &["run", "-q"]);
    let stdout = String::from_utf8_lossy(&run.stdout).to_string();
    assert!(
        run.status.success(),
        "the outside crate failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            "ok own types",
            "ok n1co",
            "ok onecp",
            "ok processone",
            "ok onecheckout"
        ]
    );
    let _ = std::fs::remove_dir_all(&dir);
}
