//! `cargo xtask schemathesis`: schemathesis against the sandbox, one run per provider's document.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::root;
use crate::sandbox::Sandbox;

/// The pinned schemathesis version.
const SCHEMATHESIS_VERSION: &str = "4.32.5";

/// The checks schemathesis applies to every response: no server error, and nothing the OpenAPI
/// document does not describe (status, content type, headers, body).
const SCHEMATHESIS_CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance";

/// Test cases per operation and phase, and the seed (a fixed seed: a failure reproduces).
const SCHEMATHESIS_EXAMPLES: &str = "50";
const SCHEMATHESIS_SEED: &str = "1";

/// Installs schemathesis into `.tools/schemathesis` (a Python venv) when missing; its `st`.
fn schemathesis_tool(root: &Path) -> Result<PathBuf, String> {
    let venv = root.join(".tools/schemathesis");
    let st = venv.join("bin/st");
    let pinned = venv.join(format!(".installed-{SCHEMATHESIS_VERSION}"));
    if st.is_file() && pinned.is_file() {
        return Ok(st);
    }
    eprintln!(
        "xtask: installing schemathesis=={SCHEMATHESIS_VERSION} into .tools/schemathesis (PyPI)"
    );
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let venv_ok = Command::new(&python)
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .map_err(|e| format!("cannot run {python} (install Python 3 with venv): {e}"))?;
    if !venv_ok.success() {
        return Err(format!("{python} -m venv {} failed", venv.display()));
    }
    let pip_ok = Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .arg(format!("schemathesis=={SCHEMATHESIS_VERSION}"))
        .status()
        .map_err(|e| e.to_string())?;
    if !pip_ok.success() || !st.is_file() {
        return Err("pip could not install schemathesis".into());
    }
    fs::write(&pinned, "").map_err(|e| e.to_string())?;
    Ok(st)
}

/// Runs schemathesis against the sandbox, one run per provider's OpenAPI document.
pub(crate) fn schemathesis() -> Result<(), String> {
    let root = root();
    let st = schemathesis_tool(&root)?;
    let sandbox = Sandbox::start(&root, false)?;
    let credential = |provider: &str, label: &str| sandbox.credential(provider, label);
    // (provider, document, authentication arguments)
    let runs: Vec<(&str, &str, Vec<String>)> = vec![
        (
            "onecp",
            "specs/onecp/openapi.yaml",
            vec![
                "--auth".into(),
                format!(
                    "{}:{}",
                    credential("onecp", "id")?,
                    credential("onecp", "secret")?
                ),
            ],
        ),
        (
            "onecheckout",
            "specs/onecheckout/openapi.yaml",
            vec![
                "--header".into(),
                format!(
                    "Authorization: Bearer {}",
                    credential("onecheckout", "secret")?
                ),
                "--header".into(),
                format!("X-API-Key: {}", credential("onecheckout", "api key")?),
            ],
        ),
        (
            "n1co",
            "specs/n1co/openapi.yaml",
            vec![
                "--header".into(),
                format!("Authorization: Bearer {}", credential("n1co", "secret")?),
            ],
        ),
        // The key travels in the bodies, which schemathesis generates: most requests are
        // answered `InvalidAuthenticationKey`, a documented 200 contract like any other.
        // The document with the contract schemas is the one codegen derives from the XSDs.
        ("processone", "generated/processone/openapi.json", vec![]),
    ];
    let mut failed = Vec::new();
    for (provider, document, auth) in runs {
        let base = sandbox.url(provider)?;
        eprintln!("xtask: schemathesis {document} against {base}");
        let status = Command::new(&st)
            .current_dir(&root)
            .args(["run", document, "--url", &base])
            .args(&auth)
            .args(["--checks", SCHEMATHESIS_CHECKS])
            .args([
                "--max-examples",
                SCHEMATHESIS_EXAMPLES,
                "--seed",
                SCHEMATHESIS_SEED,
            ])
            .args([
                "--no-color",
                "--generation-database",
                "none",
                "--report-dir",
            ])
            .arg(root.join("target/schemathesis").join(provider))
            .status()
            .map_err(|e| format!("cannot run {}: {e}", st.display()))?;
        if !status.success() {
            failed.push(provider);
        }
    }
    drop(sandbox);
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "schemathesis found failures against the sandbox for: {}",
            failed.join(", ")
        ))
    }
}
