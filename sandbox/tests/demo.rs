//! The README's main job ends with `cargo run -q --bin payspec-demo`: the demo must run every
//! provider's flow on the in-process sandbox and succeed, and refuse bad arguments.

use std::process::Command;

fn demo(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_payspec-demo"))
        .args(args)
        .output()
        .expect("the demo runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_flow_runs_as_documented() {
    let (code, stdout, stderr) = demo(&[]);
    assert_eq!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    for expected in [
        "OneInc ProcessOne, JSON",
        "OneInc ProcessOne, XML",
        "Declined, as the test data says",
        "Onecheckout",
        "AWAITING_CAPTURE",
        "n1co CheckoutLink",
        "SuccessPayment for order",
        "X-H4B-Hmac-Sha256 verified",
        "1-CP Corporate Checkout",
        "penalty 75.00, refund 225.00",
        "every flow ran as documented",
    ] {
        assert!(
            stdout.contains(expected),
            "{expected:?} missing in:\n{stdout}"
        );
    }
    assert!(!stdout.contains("FAILED"), "{stdout}");
}

#[test]
fn one_provider_runs_alone() {
    let (code, stdout, _) = demo(&["--provider", "onecp"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("1-CP Corporate Checkout"));
    assert!(!stdout.contains("Onecheckout"));
}

#[test]
fn bad_arguments_exit_2() {
    for args in [
        &["--base-url", "http://127.0.0.1:1"][..],
        &["--provider", "stripe"][..],
        &["--provider"][..],
        &["--verbose", "yes"][..],
    ] {
        let (code, _, stderr) = demo(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains("usage: payspec-demo"), "{stderr}");
    }
}

#[test]
fn a_server_that_is_not_there_fails_the_flow() {
    // Port 1 on loopback: nothing listens, the flow reports the failure and exits 1.
    let (code, stdout, _) = demo(&[
        "--provider",
        "onecheckout",
        "--base-url",
        "http://127.0.0.1:1/api/v1.0",
    ]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("FAILED"), "{stdout}");
}
