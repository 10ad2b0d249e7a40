//! Serves every simulator until interrupted, and prints their URLs and test credentials.
//!
//! `payspec-sandbox [--seed N] [--onecp-port P] [--onecheckout-port P] [--n1co-port P]
//! [--processone-port P] [--n1co-webhook-url URL] [--unlimited]` (ports default to 4101, 4102,
//! 4103 and 4104; 0 picks free ones; `--unlimited` lifts the providers' rate limits, for load
//! tests of the sandbox itself).

use std::process::ExitCode;

use payspec_sandbox::{Sandbox, SandboxOptions};

const USAGE: &str = "\
usage: payspec-sandbox [options]

Serves every simulator on loopback until interrupted, and prints their URLs and test credentials.

options:
  --seed N                  seed of the deterministic ids (default 0)
  --onecp-port P            1-CP's port (default 4101; 0 picks a free one)
  --onecheckout-port P      Onecheckout's port (default 4102)
  --n1co-port P             n1co's port (default 4103)
  --processone-port P       ProcessOne's port (default 4104)
  --n1co-webhook-url URL    where n1co's simulator sends its webhooks
  --unlimited               lift the providers' rate limits (load tests of the sandbox itself)
  -h, --help                this text
";

fn parse_args(args: &[String]) -> Result<SandboxOptions, String> {
    let mut options = SandboxOptions {
        seed: 0,
        onecp_port: 4101,
        onecheckout_port: 4102,
        n1co_port: 4103,
        processone_port: 4104,
        n1co_webhook_url: None,
        unlimited: false,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .filter(|v| !v.starts_with("--"))
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        let number = |value: &String, what: &str| {
            value
                .parse::<u64>()
                .map_err(|_| format!("{flag}: {value:?} is not {what}"))
        };
        match flag.as_str() {
            "--unlimited" => options.unlimited = true,
            "--seed" => options.seed = number(value()?, "a number")?,
            "--onecp-port" => options.onecp_port = port(number(value()?, "a port")?, flag)?,
            "--onecheckout-port" => {
                options.onecheckout_port = port(number(value()?, "a port")?, flag)?
            }
            "--n1co-port" => options.n1co_port = port(number(value()?, "a port")?, flag)?,
            "--processone-port" => {
                options.processone_port = port(number(value()?, "a port")?, flag)?
            }
            "--n1co-webhook-url" => options.n1co_webhook_url = Some(value()?.clone()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

fn port(n: u64, flag: &str) -> Result<u16, String> {
    u16::try_from(n).map_err(|_| format!("{flag}: {n} is not a port"))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let options = match parse_args(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("payspec-sandbox: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let sandbox = match Sandbox::start_with(options).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("payspec-sandbox: cannot listen: {e}");
            return ExitCode::FAILURE;
        }
    };
    for p in sandbox.providers() {
        println!("{:<12} {}", p.name, p.base_url);
        println!(
            "{:<12} id {:?}, secret {:?}",
            "", p.credentials.id, p.credentials.secret
        );
        if let Some(key) = &p.credentials.api_key {
            println!("{:<12} api key {key:?}", "");
        }
        if let Some(secret) = &p.credentials.webhook_secret {
            println!("{:<12} webhook secret {secret:?}", "");
        }
    }
    println!("serving; Ctrl-C stops");
    let _ = tokio::signal::ctrl_c().await;
    ExitCode::SUCCESS
}
