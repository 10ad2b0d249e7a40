//! payspec's code generator: curated specs in, whole client crates out, as data.
//!
//! The generators are pure functions: spec text in, files as data out. Only [`load`] reads
//! (a provider's spec and, for a DataContract provider, its XSDs); `xtask` calls it and writes
//! (or, with `--check`, compares) the returned files under `generated/`, and the tests call the
//! same function. OpenAPI providers go through [`generate_openapi_crate`]; DataContract
//! providers (an `x-dcs-contracts` folder of XSDs) through [`dcs::generate_dcs_crate`].
//!
//! The pipeline for an OpenAPI provider:
//! 0. [`spec::parse_yaml`] and [`check::check_document`]: the document, with misspelled
//!    extensions, dangling references, undeclared path parameters and the like refused, each
//!    named by file and line ([`source::SourceMap`]).
//! 1. [`spec::read_model`]: the [`model::Api`] (servers, auth, retry class, validation rules,
//!    open enums, error bodies, webhooks), from the spec and its `x-` extensions (documented in
//!    `specs/README.md`). The DataContract front end fills the same model.
//! 2. [`spec::clean_for_progenitor`]: the copy progenitor / typify see, without the keywords we
//!    enforce ourselves, so fields keep plain types.
//! 3. progenitor 0.15 (positional interface, hooks) → tokens, under `catch_unwind`.
//! 4. [`ast`]: exact decimal serde on money fields, open enums re-exported into `types`.
//! 5. [`emit`]: the typed client over progenitor's, validation, open enums, webhooks, crate files.
//! 6. prettyplease, and a "do not edit" header on every file.

#![deny(missing_docs)]

pub mod ast;
pub mod check;
pub mod dcs;
pub mod emit;
#[allow(missing_docs)] // the model mirrors the spec members it is read from
pub mod model;
pub mod source;
pub mod spec;
pub mod surface;

use std::collections::BTreeMap;
use std::fmt;

/// A generation problem, naming the spec, where in it (a JSON pointer and, once located, the
/// line) and, where known, the operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The spec file (e.g. `specs/acme/openapi.yaml`).
    pub spec: String,
    /// The operation, when the problem is in one.
    pub operation: Option<String>,
    /// Where in the document (RFC 6901 JSON pointer), when the problem is in one place.
    pub pointer: Option<String>,
    /// The line (1-based) of `pointer`, filled in by [`Error::locate`].
    pub line: Option<u32>,
    /// The column (1-based) on `line`, where the parser gives it.
    pub column: Option<u32>,
    /// What went wrong.
    pub message: String,
}

impl Error {
    /// A problem with the spec as a whole.
    pub fn spec(spec: &str, message: impl Into<String>) -> Self {
        Error {
            spec: spec.to_string(),
            operation: None,
            pointer: None,
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// A problem in one operation.
    pub fn operation(spec: &str, operation: &str, message: impl Into<String>) -> Self {
        Error {
            operation: Some(operation.to_string()),
            ..Error::spec(spec, message)
        }
    }

    /// The same problem, placed at `pointer` unless a more precise place is already known.
    pub fn at(mut self, pointer: impl Into<String>) -> Self {
        if self.pointer.is_none() {
            self.pointer = Some(pointer.into());
        }
        self
    }

    /// Fills in the line of the problem's pointer from `source` (the document it was found in).
    pub fn locate(mut self, source: &source::SourceMap) -> Self {
        if self.line.is_none()
            && let Some((line, column)) = self.pointer.as_deref().and_then(|p| source.position(p))
        {
            self.line = u32::try_from(line).ok();
            self.column = u32::try_from(column).ok();
        }
        self
    }
}

impl fmt::Display for Error {
    /// `file:line:column: operation id: message`, like a compiler: the line when known, else the JSON
    /// pointer after the message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.spec)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        if let Some(op) = &self.operation {
            write!(f, ": operation {op}")?;
        }
        write!(f, ": {}", self.message)?;
        if let (None, Some(p)) = (self.line, &self.pointer) {
            write!(f, " (at {p})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// One generated crate: its files by path relative to the crate folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedCrate {
    /// The provider folder name (`acme`): the crate lives in `generated/<provider>/`.
    pub provider: String,
    /// The package name (`payspec-acme`).
    pub package: String,
    /// File contents by relative path (`Cargo.toml`, `src/lib.rs`, ...).
    pub files: BTreeMap<String, String>,
}

/// The header every generated Rust file starts with.
pub const RUST_HEADER: &str = "// @generated by `cargo xtask codegen` from specs/. Do not edit: edit the spec or codegen/ and regenerate.\n\n";

/// Generates the client crate of one provider from its OpenAPI document's text.
///
/// `spec_path` names the document in errors; `provider` is the folder name under `specs/`.
pub fn generate_openapi_crate(
    provider: &str,
    spec_path: &str,
    openapi_yaml: &str,
) -> Result<GeneratedCrate, Error> {
    let source = source::SourceMap::of_yaml(openapi_yaml);
    let doc = spec::parse_yaml(spec_path, openapi_yaml).map_err(|e| e.locate(&source))?;
    check::check_document(spec_path, &doc, &source)?;
    let model = spec::read_model(spec_path, &doc).map_err(|e| e.locate(&source))?;
    let cleaned = spec::clean_for_progenitor(&doc, &model);
    let tokens = run_progenitor(spec_path, &model, &cleaned)?;
    let mut file: syn::File = syn::parse2(tokens)
        .map_err(|e| Error::spec(spec_path, format!("progenitor output does not parse: {e}")))?;
    let (structs, enums) = ast::post_process(spec_path, &model, &mut file)?;
    let package = format!("payspec-{provider}");
    let ctx = emit::Context {
        provider,
        package: &package,
        spec_path,
        model: &model,
        structs: &structs,
        enums: &enums,
    };

    let mut files = BTreeMap::new();
    files.insert("src/raw.rs".to_string(), format_file(file));
    for (path, tokens) in emit::rust_files(&ctx)? {
        let parsed: syn::File = syn::parse2(tokens)
            .map_err(|e| Error::spec(spec_path, format!("emitted {path} does not parse: {e}")))?;
        files.insert(path, format_file(parsed));
    }
    files.insert("Cargo.toml".to_string(), emit::cargo_toml(&ctx));
    files.insert("README.md".to_string(), emit::readme(&ctx));
    Ok(GeneratedCrate {
        provider: provider.to_string(),
        package,
        files,
    })
}

pub(crate) fn format_file(file: syn::File) -> String {
    let mut out = String::from(RUST_HEADER);
    out.push_str(&prettyplease::unparse(&file));
    out
}

fn progenitor_settings(model: &model::Api) -> progenitor::GenerationSettings {
    use progenitor::{GenerationSettings, InterfaceStyle, TypeImpl};
    use schemars::schema::{InstanceType, SchemaObject};

    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_inner_type(quote::quote!(crate::client::Inner))
        .with_map_type("::std::collections::BTreeMap")
        .with_derive("PartialEq");
    // Formats with a type of our own: the type keeps exactly what the wire carries.
    for (instance, format, rust) in [
        (InstanceType::Number, "decimal", "::rust_decimal::Decimal"),
        (
            InstanceType::String,
            "date-time",
            "::payspec_runtime::DateTime",
        ),
        (
            InstanceType::Integer,
            "epoch-millis",
            "::payspec_runtime::EpochMillis",
        ),
    ] {
        let schema = SchemaObject {
            instance_type: Some(instance.into()),
            format: Some(format.into()),
            ..Default::default()
        };
        settings.with_conversion(
            schema,
            rust,
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    let mut sensitive = SchemaObject {
        instance_type: Some(InstanceType::String.into()),
        ..Default::default()
    };
    sensitive
        .extensions
        .insert("x-sensitive".into(), serde_json::Value::Bool(true));
    settings.with_conversion(
        sensitive,
        "::payspec_runtime::SecretString",
        std::iter::empty(),
    );
    for u in &model.unions {
        settings.with_replacement(
            &u.name,
            format!("crate::unions::{}", u.name),
            std::iter::empty(),
        );
    }
    for e in &model.open_enums {
        settings.with_replacement(
            &e.name,
            format!("crate::enums::{}", e.name),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    settings
}

/// Runs progenitor on the cleaned document. progenitor panics on some inputs (for example more
/// than one typed response per operation): the panic is caught and, to name the culprit, each
/// operation is then generated alone.
fn run_progenitor(
    spec_path: &str,
    model: &model::Api,
    cleaned: &serde_json::Value,
) -> Result<proc_macro2::TokenStream, Error> {
    let settings = progenitor_settings(model);
    let generate = |doc: &serde_json::Value| -> Result<proc_macro2::TokenStream, String> {
        let api: openapiv3::OpenAPI = serde_json::from_value(doc.clone())
            .map_err(|e| format!("not a valid OpenAPI 3.0 document: {e}"))?;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            progenitor::Generator::new(&settings).generate_tokens(&api)
        }));
        match result {
            Ok(Ok(tokens)) => Ok(tokens),
            Ok(Err(e)) => Err(format!("progenitor: {e}")),
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "unknown panic".into());
                Err(format!("progenitor panicked: {msg}"))
            }
        }
    };
    match generate(cleaned) {
        Ok(tokens) => Ok(tokens),
        Err(message) => {
            for op in &model.operations {
                let mut alone = cleaned.clone();
                if let Some(paths) = alone.get_mut("paths").and_then(|p| p.as_object_mut()) {
                    paths.retain(|p, _| *p == op.path);
                    if let Some(item) = paths.get_mut(&op.path).and_then(|i| i.as_object_mut()) {
                        item.retain(|m, _| m == op.method.as_str() || m == "parameters");
                    }
                }
                if let Err(m) = generate(&alone) {
                    return Err(Error::operation(spec_path, &op.id, m));
                }
            }
            Err(Error::spec(spec_path, message))
        }
    }
}

/// A unified diff of two texts, for `--check` and test failures.
pub fn diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{path} (committed)"),
            &format!("{path} (generated)"),
        )
        .to_string()
}

/// Reading a provider's spec files from a checkout: the only part of this crate that does I/O,
/// shared by `cargo xtask codegen` and the tests so both generate the same way.
pub mod load {
    use std::fs;
    use std::path::{Path, PathBuf};

    use crate::GeneratedCrate;

    /// Every provider folder under `<root>/specs` with an `openapi.yaml`, sorted.
    pub fn providers(root: &Path) -> Result<Vec<String>, String> {
        let mut out: Vec<String> = fs::read_dir(root.join("specs"))
            .map_err(|e| format!("specs/: {e}"))?
            .filter_map(|e| e.ok())
            .filter(|e| e.path().join("openapi.yaml").is_file())
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        out.sort();
        Ok(out)
    }

    /// Generates `provider`'s crate from `<root>/specs/<provider>/`: the OpenAPI document and,
    /// when it names one with `x-dcs-contracts`, the folder of DataContract XSDs.
    pub fn generate(root: &Path, provider: &str) -> Result<GeneratedCrate, String> {
        let spec_path = format!("specs/{provider}/openapi.yaml");
        let text =
            fs::read_to_string(root.join(&spec_path)).map_err(|e| format!("{spec_path}: {e}"))?;
        let generated =
            match crate::dcs::contracts_dir(&spec_path, &text).map_err(|e| e.to_string())? {
                Some(dir) => {
                    let xsd_dir = root.join("specs").join(provider).join(&dir);
                    let mut paths: Vec<PathBuf> = fs::read_dir(&xsd_dir)
                        .map_err(|e| format!("{}: {e}", xsd_dir.display()))?
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| p.extension().is_some_and(|x| x == "xsd"))
                        .collect();
                    paths.sort();
                    let mut xsds = Vec::new();
                    for p in paths {
                        let stem = p
                            .file_stem()
                            .and_then(|s| s.to_str())
                            .ok_or("bad XSD file name")?
                            .to_string();
                        let text =
                            fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
                        xsds.push((stem, text));
                    }
                    crate::dcs::generate_dcs_crate(provider, &spec_path, &text, &xsds)
                }
                None => crate::generate_openapi_crate(provider, &spec_path, &text),
            };
        generated.map_err(|e| e.to_string())
    }
}
