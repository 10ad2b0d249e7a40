//! `cargo xtask load`: wrk on loopback against a release build of the sandbox.

use std::process::Command;

use crate::peers::{apt_install, have};
use crate::root;
use crate::sandbox::Sandbox;

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

pub(crate) fn load() -> Result<(), String> {
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
