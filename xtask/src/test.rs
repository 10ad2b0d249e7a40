//! `cargo xtask test`: the peers, every cargo test of the workspace, then schemathesis.

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
    schemathesis()
}
