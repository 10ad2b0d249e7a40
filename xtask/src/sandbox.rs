//! A `payspec-sandbox` process on free loopback ports, for schemathesis and load runs.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// A `payspec-sandbox` process on free loopback ports, killed on drop; what it printed.
pub(crate) struct Sandbox {
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
    pub(crate) fn start(root: &Path, release: bool) -> Result<Sandbox, String> {
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
    pub(crate) fn credential(&self, provider: &str, label: &str) -> Result<String, String> {
        self.credentials
            .get(provider)
            .and_then(|c| c.get(label))
            .cloned()
            .ok_or_else(|| format!("the sandbox printed no {label} for {provider}"))
    }

    pub(crate) fn url(&self, provider: &str) -> Result<String, String> {
        self.urls
            .get(provider)
            .cloned()
            .ok_or_else(|| format!("the sandbox printed no URL for {provider}"))
    }
}
