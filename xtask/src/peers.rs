//! The test peers: Prism (npm), Mono's DataContractSerializer (apt-get), cargo-semver-checks
//! (crates.io), and the tools they use.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::root;

/// The pinned Prism version the tests use.
const PRISM_VERSION: &str = "5.16.0";

/// The pinned cargo-semver-checks version `tests/tests/semver.rs` uses.
const SEMVER_CHECKS_VERSION: &str = "0.51.0";

/// Makes sure the test peers are present; returns the environment the tests need.
pub(crate) fn peers() -> Result<Vec<(String, String)>, String> {
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
    let semver_checks = semver_checks(&root)?;
    Ok(vec![
        ("PAYSPEC_PRISM".into(), prism.to_string_lossy().to_string()),
        (
            "PAYSPEC_SEMVER_CHECKS".into(),
            semver_checks.to_string_lossy().to_string(),
        ),
    ])
}

/// cargo-semver-checks, installed from crates.io into `.tools/cargo-semver-checks` when missing.
/// Its own release profile asks for LTO and one codegen unit; here it is built without them and
/// at `opt-level = 1`, which takes minutes off a fresh machine, since it only ever checks a few
/// small crates. Prints how long the install took.
fn semver_checks(root: &Path) -> Result<std::path::PathBuf, String> {
    let dir = root.join(".tools/cargo-semver-checks");
    let bin = dir.join("bin/cargo-semver-checks");
    // Only the pinned version: another one left in `.tools/` is replaced.
    let pinned = Command::new(&bin)
        .args(["semver-checks", "--version"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(SEMVER_CHECKS_VERSION));
    if pinned {
        return Ok(bin);
    }
    eprintln!(
        "xtask: installing cargo-semver-checks {SEMVER_CHECKS_VERSION} into .tools/cargo-semver-checks (crates.io, several minutes)"
    );
    let started = std::time::Instant::now();
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "install",
            "--locked",
            "--force",
            "--quiet",
            "cargo-semver-checks",
            "--version",
            SEMVER_CHECKS_VERSION,
            "--root",
        ])
        .arg(&dir)
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1")
        .status()
        .map_err(|e| format!("cannot run cargo install: {e}"))?;
    if !status.success() || !bin.is_file() {
        return Err("cargo install could not install cargo-semver-checks".into());
    }
    eprintln!(
        "xtask: cargo-semver-checks installed in {} s",
        started.elapsed().as_secs()
    );
    Ok(bin)
}

/// Whether `tool` is on the `PATH`.
pub(crate) fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `apt-get update`, then `apt-get install` of `packages` (as root).
pub(crate) fn apt_install(packages: &[&str]) -> Result<(), String> {
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
