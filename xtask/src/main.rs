//! `cargo xtask` (a cargo alias, see `.cargo/config.toml`): the project's tasks.
//!
//! - `cargo xtask codegen`: regenerate every crate under `generated/` from `specs/`.
//! - `cargo xtask codegen --check`: write nothing; fail with a diff when `generated/` is stale.
//! - `cargo xtask test`: bring the test peers when missing (Prism from npm into `.tools/`), then
//!   run every test of the workspace.
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
        _ => Err("usage: cargo xtask codegen [--check] | cargo xtask test [-- <cargo test args>] | cargo xtask peers".into()),
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

/// Mono's DataContractSerializer (Debian packages), the judge of ProcessOne's XML: installed with
/// apt-get when missing, then `tests/peers/dotnet/run.sh` proves the XSDs against it (import /
/// export identity, the seed's 56 XML samples byte for byte).
fn dotnet_peer(root: &Path) -> Result<(), String> {
    let peer = root.join("tests/peers/dotnet");
    let have = |tool: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
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
        let update = Command::new("apt-get").args(["update", "-qq"]).status();
        let install = Command::new("apt-get")
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .args(&packages)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status();
        if !matches!((update, install), (Ok(u), Ok(i)) if u.success() && i.success()) {
            return Err(format!(
                "could not install Mono (apt-get install {}): run as root or install them",
                packages.join(" ")
            ));
        }
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
    if status.success() {
        Ok(())
    } else {
        Err("tests failed".into())
    }
}
