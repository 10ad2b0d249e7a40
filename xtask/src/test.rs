//! `cargo xtask test`: the peers, every cargo test of the workspace, the runtime's own tests as
//! a user's program builds the runtime, then schemathesis.

use std::process::Command;

use crate::peers::peers;
use crate::root;
use crate::schemathesis::schemathesis;

pub(crate) fn test(extra: &[String]) -> Result<(), String> {
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
    // The test crate turns on serde_json's `arbitrary_precision` for its own comparisons, and a
    // `--workspace` build unifies it into every crate. A user's program has it off: the
    // runtime's tests run once more as the runtime alone builds, without it.
    println!("== cargo test -p payspec-runtime (without the test crate's serde_json features)");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root())
        .args(["test", "-p", "payspec-runtime"])
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("the runtime's tests failed without arbitrary_precision".into());
    }
    schemathesis()
}
