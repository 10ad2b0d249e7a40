//! The binaries explain themselves: `--help` prints the usage on stdout and exits 0; an unknown
//! argument or a flag without its value is an error naming it, with exit status 2.

use std::process::Command;

fn run(bin: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(bin).args(args).output().expect("run");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn payspec_sandbox_help_and_usage_errors() {
    let bin = env!("CARGO_BIN_EXE_payspec-sandbox");
    for flag in ["--help", "-h"] {
        let (code, out, _) = run(bin, &[flag]);
        assert_eq!(code, Some(0));
        assert!(out.starts_with("usage: payspec-sandbox"), "{out}");
        assert!(out.contains("--processone-port P"), "{out}");
    }
    for (args, needle) in [
        (&["--bogus"][..], "unknown argument --bogus"),
        (&["--seed"], "--seed needs a value"),
        (&["--seed", "--unlimited"], "--seed needs a value"),
        (
            &["--onecp-port", "70000"],
            "--onecp-port: 70000 is not a port",
        ),
    ] {
        let (code, _, err) = run(bin, args);
        assert_eq!(code, Some(2), "{args:?}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn payspec_demo_help_and_usage_errors() {
    let bin = env!("CARGO_BIN_EXE_payspec-demo");
    let (code, out, _) = run(bin, &["--help"]);
    assert_eq!(code, Some(0));
    assert!(out.starts_with("usage: payspec-demo"), "{out}");
    for (args, needle) in [
        (&["--bogus"][..], "unknown argument --bogus"),
        (&["--provider"], "--provider needs a value"),
        (&["--provider", "acme"], "unknown provider \"acme\""),
        (
            &["--base-url", "http://127.0.0.1:1"],
            "--base-url needs --provider",
        ),
    ] {
        let (code, _, err) = run(bin, args);
        assert_eq!(code, Some(2), "{args:?}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}
