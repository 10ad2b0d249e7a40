//! `cargo xtask` (a cargo alias, see `.cargo/config.toml`): the project's tasks.
//!
//! - `cargo xtask codegen`: regenerate every crate under `generated/` from `specs/`.
//! - `cargo xtask codegen --check`: write nothing; fail with a diff when `generated/` is stale.
//! - `cargo xtask test`: bring the test peers when missing (Prism from npm into `.tools/`), then
//!   run every test of the workspace, then `schemathesis` below.
//! - `cargo xtask schemathesis`: schemathesis (PyPI, installed into `.tools/schemathesis` when
//!   missing) against the sandbox (`payspec-sandbox`), with each provider's OpenAPI document:
//!   fails on any server error (5xx) and any response the document does not describe.
//! - `cargo xtask load`: a load run on loopback (wrk, installed with apt-get when missing) against
//!   a release build of the sandbox: a ProcessOne charge and an Onecheckout order read; prints
//!   requests per second and the latency distribution. Not part of CI (a measurement, not a test).
//!
//! All generation logic lives in the `payspec-codegen` library; this is file I/O around it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use payspec_codegen::GeneratedCrate;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen(args.iter().any(|a| a == "--check")),
        Some("test") => test(&args[1..]),
        Some("peers") => peers().map(|_| ()),
        Some("schemathesis") => schemathesis(),
        Some("load") => load(),
        _ => Err("usage: cargo xtask codegen [--check] | cargo xtask test [-- <cargo test args>] | cargo xtask schemathesis | cargo xtask load | cargo xtask peers".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Every provider's generated crate, in memory.
pub fn generate_all(root: &Path) -> Result<Vec<GeneratedCrate>, String> {
    payspec_codegen::load::providers(root)?
        .iter()
        .map(|p| payspec_codegen::load::generate(root, p))
        .collect()
}

fn files_on_disk(dir: &Path) -> BTreeMap<String, PathBuf> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else if let Ok(rel) = p.strip_prefix(base) {
                out.insert(rel.to_string_lossy().replace('\\', "/"), p.clone());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn codegen(check: bool) -> Result<(), String> {
    let root = root();
    let crates = generate_all(&root)?;
    let mut stale = Vec::new();
    let generated = root.join("generated");
    // Folders under generated/ that no spec produces any more.
    if let Ok(entries) = fs::read_dir(&generated) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if e.path().is_dir() && !crates.iter().any(|c| c.provider == name) {
                stale.push(format!("generated/{name}/ has no spec any more"));
                if !check {
                    fs::remove_dir_all(e.path()).map_err(|e| e.to_string())?;
                }
            }
        }
    }
    for krate in &crates {
        let dir = generated.join(&krate.provider);
        let on_disk = files_on_disk(&dir);
        for (rel, path) in &on_disk {
            if !krate.files.contains_key(rel) {
                stale.push(format!(
                    "generated/{}/{rel} is not generated any more",
                    krate.provider
                ));
                if !check {
                    fs::remove_file(path).map_err(|e| e.to_string())?;
                }
            }
        }
        for (rel, text) in &krate.files {
            let path = dir.join(rel);
            let old = fs::read_to_string(&path).ok();
            if old.as_deref() == Some(text.as_str()) {
                continue;
            }
            let shown = format!("generated/{}/{rel}", krate.provider);
            stale.push(payspec_codegen::diff(
                &shown,
                old.as_deref().unwrap_or(""),
                text,
            ));
            if !check {
                fs::create_dir_all(path.parent().expect("file has a folder"))
                    .map_err(|e| e.to_string())?;
                fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
    }
    if check {
        if stale.is_empty() {
            println!("generated/ is up to date ({} crates)", crates.len());
            Ok(())
        } else {
            for s in &stale {
                println!("{s}");
            }
            Err(format!(
                "generated/ is stale ({} differences above): run `cargo xtask codegen` and commit the result",
                stale.len()
            ))
        }
    } else {
        println!(
            "generated {} crates, {} files changed",
            crates.len(),
            stale.len()
        );
        Ok(())
    }
}

/// The pinned Prism version the tests use.
const PRISM_VERSION: &str = "5.16.0";

/// Makes sure the test peers are present; returns the environment the tests need.
fn peers() -> Result<Vec<(String, String)>, String> {
    let root = root();
    let prism_dir = root.join(".tools/prism");
    let prism = prism_dir.join("node_modules/.bin/prism");
    if !prism.is_file() {
        eprintln!("xtask: installing @stoplight/prism-cli@{PRISM_VERSION} into .tools/prism (npm)");
        fs::create_dir_all(&prism_dir).map_err(|e| e.to_string())?;
        let status = Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "--prefix",
            ])
            .arg(&prism_dir)
            .arg(format!("@stoplight/prism-cli@{PRISM_VERSION}"))
            .status()
            .map_err(|e| format!("cannot run npm (install Node.js and npm): {e}"))?;
        if !status.success() || !prism.is_file() {
            return Err("npm could not install Prism".into());
        }
    }
    dotnet_peer(&root)?;
    Ok(vec![(
        "PAYSPEC_PRISM".into(),
        prism.to_string_lossy().to_string(),
    )])
}

/// Whether `tool` is on the `PATH`.
fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `apt-get update`, then `apt-get install` of `packages` (as root).
fn apt_install(packages: &[&str]) -> Result<(), String> {
    let update = Command::new("apt-get").args(["update", "-qq"]).status();
    let install = Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status();
    if matches!((update, install), (Ok(u), Ok(i)) if u.success() && i.success()) {
        Ok(())
    } else {
        Err(format!(
            "could not install {0} (apt-get install {0}): run as root or install them",
            packages.join(" ")
        ))
    }
}

/// Mono's DataContractSerializer (Debian packages), the judge of ProcessOne's XML: installed with
/// apt-get when missing, then `tests/peers/dotnet/run.sh` proves the XSDs against it (import /
/// export identity, the seed's 56 XML samples byte for byte).
fn dotnet_peer(root: &Path) -> Result<(), String> {
    let peer = root.join("tests/peers/dotnet");
    if !have("mono")
        || !have("mcs")
        || !Path::new("/usr/share/zoneinfo/America/Los_Angeles").exists()
    {
        let packages =
            fs::read_to_string(peer.join("apt-packages.txt")).map_err(|e| e.to_string())?;
        let packages: Vec<&str> = packages.split_whitespace().collect();
        eprintln!(
            "xtask: installing Mono with apt-get: {}",
            packages.join(" ")
        );
        apt_install(&packages)?;
    }
    let status = Command::new("bash")
        .arg(peer.join("run.sh"))
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("tests/peers/dotnet/run.sh failed: the ProcessOne XSDs disagree with the real DataContractSerializer".into());
    }
    Ok(())
}

fn test(extra: &[String]) -> Result<(), String> {
    let env = peers()?;
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root()).args(["test", "--workspace"]);
    let extra: Vec<&String> = extra.iter().skip_while(|a| *a == "--").collect();
    cmd.args(extra);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let status = cmd.status().map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("tests failed".into());
    }
    schemathesis()
}

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

/// A `payspec-sandbox` process on free loopback ports, killed on drop; what it printed.
struct Sandbox {
    child: std::process::Child,
    urls: BTreeMap<String, String>,
    /// Per provider, each credential by the label it was printed with (`id`, `secret`,
    /// `api key`, `webhook secret`).
    credentials: BTreeMap<String, BTreeMap<String, String>>,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sandbox {
    /// Builds and starts the sandbox (`release`: an optimized build, and `--unlimited`).
    fn start(root: &Path, release: bool) -> Result<Sandbox, String> {
        use std::io::{BufRead, BufReader};

        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(&cargo);
        build.current_dir(root).args([
            "build",
            "--quiet",
            "-p",
            "payspec-sandbox",
            "--bin",
            "payspec-sandbox",
        ]);
        if release {
            build.arg("--release");
        }
        if !build.status().map_err(|e| e.to_string())?.success() {
            return Err("cannot build payspec-sandbox".into());
        }
        let profile = if release { "release" } else { "debug" };
        let mut command = Command::new(root.join("target").join(profile).join("payspec-sandbox"));
        command
            .args(["--onecp-port", "0", "--onecheckout-port", "0"])
            .args(["--n1co-port", "0", "--processone-port", "0"])
            .stdout(std::process::Stdio::piped());
        if release {
            command.arg("--unlimited");
        }
        let child = command
            .spawn()
            .map_err(|e| format!("cannot start payspec-sandbox: {e}"))?;
        let mut sandbox = Sandbox {
            child,
            urls: BTreeMap::new(),
            credentials: BTreeMap::new(),
        };
        // The sandbox prints `NAME URL` per provider, then its credentials indented, each
        // `label "value"` (`id "x", secret "y"`, `api key "z"`, `webhook secret "w"`), then
        // `serving`.
        let stdout = sandbox.child.stdout.take().ok_or("no stdout")?;
        let mut current = String::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| e.to_string())?;
            if line.starts_with("serving") {
                break;
            }
            let mut words = line.split_whitespace();
            match (line.starts_with(' '), words.next(), words.next()) {
                (false, Some(name), Some(url)) => {
                    current = name.to_string();
                    sandbox.urls.insert(name.to_string(), url.to_string());
                }
                (true, Some(_), Some(_)) => {
                    let labelled = line.split(", ").filter_map(|part| {
                        let (label, value) = part.trim().split_once(" \"")?;
                        Some((label.to_string(), value.trim_end_matches('"').to_string()))
                    });
                    sandbox
                        .credentials
                        .entry(current.clone())
                        .or_default()
                        .extend(labelled);
                }
                _ => {}
            }
        }
        Ok(sandbox)
    }

    /// The credential the sandbox printed for `provider` under `label`.
    fn credential(&self, provider: &str, label: &str) -> Result<String, String> {
        self.credentials
            .get(provider)
            .and_then(|c| c.get(label))
            .cloned()
            .ok_or_else(|| format!("the sandbox printed no {label} for {provider}"))
    }

    fn url(&self, provider: &str) -> Result<String, String> {
        self.urls
            .get(provider)
            .cloned()
            .ok_or_else(|| format!("the sandbox printed no URL for {provider}"))
    }
}

/// Runs schemathesis against the sandbox, one run per provider's OpenAPI document.
fn schemathesis() -> Result<(), String> {
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

/// Runs `curl` with `args`; its standard output.
fn curl(args: &[&str]) -> Result<String, String> {
    let out = Command::new("curl")
        .args(["-sS", "--fail-with-body"])
        .args(args)
        .output()
        .map_err(|e| format!("cannot run curl: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!("curl {args:?}: {text}"))
    }
}

/// Seconds, connections and threads of each wrk run.
const LOAD_SECONDS: &str = "15s";
const LOAD_CONNECTIONS: &str = "32";
const LOAD_THREADS: &str = "1";

fn load() -> Result<(), String> {
    let root = root();
    if !have("wrk") {
        eprintln!("xtask: installing wrk with apt-get");
        apt_install(&["wrk"])?;
    }
    let sandbox = Sandbox::start(&root, true)?;
    let p1 = sandbox.url("processone")?;
    let p1_key = sandbox.credential("processone", "secret")?;
    let oc = sandbox.url("onecheckout")?;
    let oc_token = sandbox.credential("onecheckout", "secret")?;

    // The charge the script sends, once, must succeed (wrk itself only sees HTTP 200s).
    let probe = format!(
        r#"{{"AuthenticationKey":"{p1_key}","Amount":1.00,"ChargeFee":false,"CreditCard":{{"Number":"4111111111111111","ExpirationMonth":12,"ExpirationYear":2031,"ValidationValue":"123","Holder":{{"Name":"Load Test","Zip":"98101"}}}},"ClientReferenceData":{{"ClientReferenceData1":"LOAD-PROBE"}}}}"#
    );
    let answer = curl(&[
        "-H",
        "Content-Type: application/json",
        "--data",
        &probe,
        &format!("{p1}/api/CreditCard/Charge"),
    ])?;
    if !answer.contains(r#""ResponseCode":"Success""#) {
        return Err(format!("the probe charge was not a success: {answer}"));
    }
    // An order to read.
    let order = curl(&[
        "-H",
        &format!("Authorization: Bearer {oc_token}"),
        "-H",
        "Content-Type: application/json",
        "--data",
        r#"{"currency":"USD","order_lines":[{"title":"Mug","quantity":1,"unit_price":16.99}]}"#,
        &format!("{oc}/orders"),
    ])?;
    let id = order
        .split(r#""id":""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or_else(|| format!("no order id in {order}"))?
        .to_string();
    // `http://HOST:PORT/api/v1.0` → `/api/v1.0/orders/ID` (wrk takes the path apart).
    let prefix = oc.splitn(4, '/').nth(3).unwrap_or_default();
    let oc_path = format!("/{prefix}/orders/{id}");
    let runs = [
        (
            "ProcessOne POST /api/CreditCard/Charge (JSON)",
            "sandbox/load/processone-charge.lua",
            p1.clone(),
        ),
        (
            "Onecheckout GET /orders/{id}",
            "sandbox/load/onecheckout-order.lua",
            oc.clone(),
        ),
    ];
    for (what, script, url) in runs {
        println!("== {what}: wrk -t{LOAD_THREADS} -c{LOAD_CONNECTIONS} -d{LOAD_SECONDS} --latency");
        let status = Command::new("wrk")
            .current_dir(&root)
            .args([
                "-t",
                LOAD_THREADS,
                "-c",
                LOAD_CONNECTIONS,
                "-d",
                LOAD_SECONDS,
            ])
            .args(["--latency", "-s", script, &url])
            .env("PAYSPEC_P1_KEY", &p1_key)
            .env("PAYSPEC_OC_TOKEN", &oc_token)
            .env("PAYSPEC_OC_ORDER_PATH", &oc_path)
            .status()
            .map_err(|e| format!("cannot run wrk: {e}"))?;
        if !status.success() {
            return Err(format!("wrk failed for {what}"));
        }
    }
    drop(sandbox);
    Ok(())
}
