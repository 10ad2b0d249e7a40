//! Spec growth is additive for users. The fixture provider `acmepay` is generated three times
//! into scratch workspaces: as it is, grown (a new optional request member, a new operation and
//! a new open-enum value) and broken (a new required request member). cargo-semver-checks then
//! judges the generated crate against the first:
//!
//! - grown, checked as a minor release: passes (`#[non_exhaustive]` types with `new` and
//!   `with_` setters, open enums that are `#[non_exhaustive]`, operations as new methods);
//! - broken, checked as a minor release: fails, naming the changed constructor, which shows the
//!   check can fail.
//!
//! cargo-semver-checks is installed by `cargo xtask peers` (and so by `cargo xtask test`) into
//! `.tools/cargo-semver-checks`; without it this test fails and says how to install it.

use std::path::{Path, PathBuf};
use std::process::Command;

use payspec_tests::root;
use payspec_tests::scratch::{target_dir, workspace};
use serde_yaml::Value;

const PROVIDER: &str = "acmepay";

/// The cargo-semver-checks binary: `PAYSPEC_SEMVER_CHECKS`, or the one `cargo xtask peers`
/// installs.
fn semver_checks() -> PathBuf {
    let path = std::env::var_os("PAYSPEC_SEMVER_CHECKS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".tools/cargo-semver-checks/bin/cargo-semver-checks"));
    assert!(
        path.exists(),
        "cargo-semver-checks is not installed at {}: run `cargo xtask peers` (or `cargo xtask \
         test`), which installs it",
        path.display()
    );
    path
}

/// Reads `specs/acmepay/openapi.yaml` of `spec_dir`, lets `change` edit it, writes it back.
fn edit_spec(spec_dir: &Path, change: impl FnOnce(&mut Value)) {
    let path = spec_dir.join("openapi.yaml");
    let mut doc: Value =
        serde_yaml::from_str(&std::fs::read_to_string(&path).expect("spec")).expect("YAML");
    change(&mut doc);
    std::fs::write(&path, serde_yaml::to_string(&doc).expect("YAML")).expect("write spec");
}

fn at<'a>(doc: &'a mut Value, path: &[&str]) -> &'a mut Value {
    path.iter().fold(doc, |v, k| {
        v.get_mut(*k)
            .unwrap_or_else(|| panic!("the fixture spec has no {k} in {path:?}"))
    })
}

fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).expect("YAML")
}

/// The three additive changes.
fn grow(doc: &mut Value) {
    // 1. A new optional member of a request type.
    at(
        doc,
        &["components", "schemas", "PaymentRequest", "properties"],
    )
    .as_mapping_mut()
    .expect("properties")
    .insert(
        "note".into(),
        yaml("{type: string, description: A note for the merchant.}"),
    );
    // 2. A new operation (on a path that has one already).
    at(doc, &["paths", "/payments/{id}"])
        .as_mapping_mut()
        .expect("path item")
        .insert(
            "get".into(),
            yaml(
                r##"
operationId: getPayment
summary: Get a payment.
x-idempotent: true
parameters:
  - name: id
    in: path
    required: true
    description: Payment id.
    schema: {type: string}
responses:
  "200":
    description: The payment.
    content:
      application/json:
        schema: {$ref: "#/components/schemas/Payment"}
"##,
            ),
        );
    // 3. A new value of an open enum.
    at(doc, &["components", "schemas", "PaymentStatus", "enum"])
        .as_sequence_mut()
        .expect("enum")
        .push("refunded".into());
}

/// A breaking change: a new required member of a request type.
fn break_it(doc: &mut Value) {
    let schema = at(doc, &["components", "schemas", "PaymentRequest"]);
    at(schema, &["properties"])
        .as_mapping_mut()
        .expect("properties")
        .insert(
            "reference".into(),
            yaml("{type: string, description: The merchant's reference.}"),
        );
    at(schema, &["required"])
        .as_sequence_mut()
        .expect("required")
        .push("reference".into());
}

/// cargo-semver-checks on the crate of `current` against the crate of `baseline`, as a
/// minor release: its exit status and output.
fn check_minor(baseline: &Path, current: &Path) -> (bool, String) {
    let (target, _) = target_dir();
    let crate_dir = |w: &Path| w.join(format!("generated/{PROVIDER}"));
    let output = Command::new(semver_checks())
        .args(["semver-checks", "check-release", "--release-type", "minor"])
        .arg("--manifest-path")
        .arg(crate_dir(current).join("Cargo.toml"))
        .arg("--baseline-root")
        .arg(crate_dir(baseline))
        // One build directory for both sides and every run, inside this workspace's target.
        .env("CARGO_TARGET_DIR", target.join("semver-checks"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo-semver-checks");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn additive_spec_changes_are_minor_and_a_new_required_member_is_not() {
    let base = workspace("semver-base", PROVIDER, |_| {}, &[]);
    let grown = workspace("semver-grown", PROVIDER, |s| edit_spec(s, grow), &[]);
    let broken = workspace("semver-broken", PROVIDER, |s| edit_spec(s, break_it), &[]);

    // The grown crate really has the three additions.
    let raw = std::fs::read_to_string(grown.join(format!("generated/{PROVIDER}/src/raw.rs")))
        .expect("raw.rs");
    let client = std::fs::read_to_string(grown.join(format!("generated/{PROVIDER}/src/client.rs")))
        .expect("client.rs");
    let enums = std::fs::read_to_string(grown.join(format!("generated/{PROVIDER}/src/enums.rs")))
        .expect("enums.rs");
    assert!(
        raw.contains("pub fn with_note("),
        "no setter for the new member"
    );
    assert!(
        client.contains("pub fn get_payment<'a>("),
        "no method for the new operation"
    );
    assert!(
        enums.contains("Refunded"),
        "no variant for the new enum value"
    );

    let (ok, text) = check_minor(&base, &grown);
    assert!(
        ok,
        "the additive changes should be a minor release:\n{text}"
    );
    // Not even a warning (an open enum's derived order once moved `Unknown`, which
    // cargo-semver-checks reports as a possible major change).
    assert!(
        !text.contains("--- warning"),
        "the additive changes should raise no warning:\n{text}"
    );
    eprintln!("grown:\n{text}");

    let (ok, text) = check_minor(&base, &broken);
    assert!(
        !ok,
        "a new required member should not pass as a minor release:\n{text}"
    );
    eprintln!("broken:\n{text}");
    assert!(
        text.contains("PaymentRequest::new"),
        "the report should name the changed constructor:\n{text}"
    );

    for dir in [base, grown, broken] {
        let _ = std::fs::remove_dir_all(dir);
    }
}
