//! The generator: the committed crates are exactly what the specs produce, generation is
//! deterministic, golden outputs on small fixture specs, the public-surface snapshots reviewers
//! read, and errors that name the spec and the operation.

use payspec_codegen::{GeneratedCrate, generate_openapi_crate, surface};

fn root() -> std::path::PathBuf {
    payspec_tests::root()
}

fn providers() -> Vec<String> {
    payspec_codegen::load::providers(&root()).unwrap()
}

fn generate(provider: &str) -> GeneratedCrate {
    payspec_codegen::load::generate(&root(), provider).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn committed_crates_are_up_to_date() {
    for provider in providers() {
        let krate = generate(&provider);
        let dir = root().join("generated").join(&provider);
        for (rel, text) in &krate.files {
            let on_disk = std::fs::read_to_string(dir.join(rel)).unwrap_or_default();
            assert!(
                on_disk == *text,
                "generated/{provider}/{rel} is stale: run `cargo xtask codegen`\n{}",
                payspec_codegen::diff(rel, &on_disk, text)
            );
        }
    }
}

#[test]
fn generation_is_deterministic() {
    for provider in providers() {
        assert_eq!(
            generate(&provider),
            generate(&provider),
            "{provider}: two runs differ"
        );
    }
}

#[test]
fn public_surface_snapshots() {
    for provider in providers() {
        let summary = surface::summary(&generate(&provider)).unwrap();
        insta::assert_snapshot!(format!("{provider}_surface"), summary);
    }
}

fn fixture_crate(name: &str) -> Result<GeneratedCrate, payspec_codegen::Error> {
    let path = format!("tests/fixtures/codegen/{name}.yaml");
    let text = std::fs::read_to_string(root().join(&path)).unwrap();
    generate_openapi_crate(name, &path, &text)
}

fn all_files(krate: &GeneratedCrate) -> String {
    krate
        .files
        .iter()
        .map(|(p, t)| format!("=== {p}\n{t}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn golden_outputs_on_fixture_specs() {
    for name in ["minimal", "features"] {
        let krate = fixture_crate(name).unwrap_or_else(|e| panic!("{e}"));
        insta::assert_snapshot!(format!("golden_{name}"), all_files(&krate));
    }
}

#[test]
fn generation_errors_name_the_spec_and_the_operation() {
    let cases = [
        ("bad_float", None, "money is never f64"),
        ("bad_inline_body", Some("createThing"), "$ref"),
        ("bad_two_error_types", Some("getThing"), "two body types"),
        ("bad_pattern", None, "pattern"),
    ];
    for (name, operation, needle) in cases {
        let err = fixture_crate(name).expect_err(name);
        assert_eq!(err.spec, format!("tests/fixtures/codegen/{name}.yaml"));
        assert_eq!(err.operation.as_deref(), operation, "{err}");
        assert!(err.to_string().contains(needle), "{name}: {err}");
    }
}

/// Architecture invariant: the generator names no provider. Every provider fact comes from
/// `specs/`, so a new provider is a spec away. Checks every file under `codegen/src` for the
/// name of each provider folder in `specs/` (also with `-`, `_` and spaces between its parts,
/// as in "1-CP" or "process one") and for `callback`, ProcessOne's recovery member, which
/// codegen used to know by name.
#[test]
fn codegen_names_no_provider() {
    let mut names: Vec<String> = providers().iter().map(|p| p.to_lowercase()).collect();
    assert!(names.len() >= 4, "{names:?}");
    names.extend(["callback", "1-cp", "process one"].map(String::from));
    let mut found = Vec::new();
    let mut files = vec![root().join("codegen/src")];
    let mut read = 0;
    while let Some(path) = files.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                files.push(entry.unwrap().path());
            }
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap().to_lowercase();
        // "one cp", "one-cp", "one_cp" are spellings of "onecp" too.
        let folded: String = text
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .collect();
        read += 1;
        for name in &names {
            let squeezed: String = name
                .chars()
                .filter(|c| !matches!(c, '-' | '_' | ' '))
                .collect();
            if text.contains(name.as_str()) || folded.contains(&squeezed) {
                found.push(format!("{}: {name}", path.display()));
            }
        }
    }
    assert!(read > 10, "read {read} files");
    assert!(found.is_empty(), "codegen names a provider: {found:#?}");
}
