//! `cargo xtask` (a cargo alias, see `.cargo/config.toml`): the project's tasks.
//!
//! - `cargo xtask codegen`: regenerate every crate under `generated/` from `specs/`.
//! - `cargo xtask codegen --check`: write nothing; fail with a diff when `generated/` is stale.
//! - `cargo xtask test`: bring the test peers when missing (Prism from npm and
//!   cargo-semver-checks from crates.io into `.tools/`, Mono with apt-get), then run every test
//!   of the workspace, then `schemathesis` below.
//! - `cargo xtask schemathesis`: schemathesis (PyPI, installed into `.tools/schemathesis` when
//!   missing) against the sandbox (`payspec-sandbox`), with each provider's OpenAPI document:
//!   fails on any server error (5xx) and any response the document does not describe.
//! - `cargo xtask load`: a load run on loopback (wrk, installed with apt-get when missing) against
//!   a release build of the sandbox: a ProcessOne charge and an Onecheckout order read; prints
//!   requests per second and the latency distribution. Not part of CI (a measurement, not a test).
//!
//! - `cargo xtask --help`: these commands, one line each.
//!
//! All generation logic lives in the `payspec-codegen` library; this is file I/O around it, one
//! file per command (`codegen.rs`, `test.rs`, `schemathesis.rs`, `load.rs`), the test peers
//! (`peers.rs`) and the sandbox process that schemathesis and load runs use (`sandbox.rs`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod codegen;
mod load;
mod peers;
mod sandbox;
mod schemathesis;
mod test;

use codegen::codegen;
use load::load;
use peers::peers;
use schemathesis::schemathesis;
use test::test;

pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Every command: name, arguments, one line on what it does.
const COMMANDS: &[(&str, &str, &str)] = &[
    (
        "codegen",
        "[--check]",
        "regenerate every crate under generated/ from specs/ (--check: write nothing, fail with a diff when stale)",
    ),
    (
        "test",
        "[-- <cargo test args>]",
        "install the test peers when missing, run every cargo test, then schemathesis",
    ),
    (
        "peers",
        "",
        "install the test peers when missing (Prism, Mono and the .NET serializer oracle, cargo-semver-checks)",
    ),
    (
        "schemathesis",
        "",
        "schemathesis against the sandbox with each provider's OpenAPI document",
    ),
    (
        "load",
        "",
        "a load run with wrk on loopback against a release build of the sandbox (not in CI)",
    ),
];

/// The help text: usage and one line per command.
fn help() -> String {
    let mut text = String::from("usage: cargo xtask <command> [args]\n\ncommands:\n");
    for (name, args, what) in COMMANDS {
        let head = format!("{name} {args}");
        text.push_str(&format!("  {:<32} {what}\n", head.trim_end()));
    }
    text.push_str("  help, --help, -h                 this text\n");
    text
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first().map(String::as_str) else {
        eprintln!("error: no command given\n\n{}", help());
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    // `--help` anywhere asks for the help, except after `test`, whose arguments are cargo's.
    let wants_help = matches!(command, "help" | "--help" | "-h")
        || (command != "test" && rest.iter().any(|a| a == "--help" || a == "-h"));
    if wants_help {
        print!("{}", help());
        return ExitCode::SUCCESS;
    }
    if let Err(e) = check_args(command, rest) {
        eprintln!("error: {e}\n\n{}", help());
        return ExitCode::from(2);
    }
    let result = match command {
        "codegen" => codegen(rest.iter().any(|a| a == "--check")),
        "test" => test(rest),
        "peers" => peers().map(|_| ()),
        "schemathesis" => schemathesis(),
        _ => load(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Refuses an unknown command, or an argument its command does not take, naming it (`main`
/// exits 2). Everything after `test` goes to `cargo test`.
fn check_args(command: &str, rest: &[String]) -> Result<(), String> {
    let allowed: &[&str] = match command {
        "codegen" => &["--check"],
        "test" => return Ok(()),
        "peers" | "schemathesis" | "load" => &[],
        other => return Err(format!("unknown command {other:?}")),
    };
    match rest.iter().find(|a| !allowed.contains(&a.as_str())) {
        Some(a) => Err(format!("{command}: unknown argument {a:?}")),
        None => Ok(()),
    }
}
