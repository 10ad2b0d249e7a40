//! The real .NET DataContractSerializer as a test oracle: `Oracle.exe serve` under Mono (built by
//! `tests/peers/dotnet/run.sh`, which `cargo xtask test` runs), driven over its line protocol
//! (see `tests/peers/dotnet/README.md`).
//!
//! [`DcsOracle::roundtrip`] answers what DCS *understood* of some XML: it reads the bytes exactly
//! as ASP.NET Web API does and writes the object back exactly as the service would. A test that
//! needs the oracle never skips: when Mono or the build is missing it panics with the fix.
//!
//! [`with_oracle`] shares one process per test binary. The child exits on its own when the test
//! binary exits (its stdin closes, and `serve` ends at end of input); a [`DcsOracle`] you own is
//! asked to quit and killed when dropped.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

/// How long one answer may take (Mono's first use of a type JIT-compiles a lot).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(120);

/// The oracle's build directory (`tests/peers/dotnet/build`), or `PAYSPEC_DCS_ORACLE_BUILD`.
pub fn build_dir() -> PathBuf {
    std::env::var_os("PAYSPEC_DCS_ORACLE_BUILD")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::root().join("tests/peers/dotnet/build"))
}

fn missing(what: &str) -> ! {
    panic!(
        "\n\n*** DCS ORACLE NOT AVAILABLE: {what}.\n\
         *** The ProcessOne XML tests need the real DataContractSerializer (Mono) and never skip.\n\
         *** Run the tests with `cargo xtask test` (it installs Mono with apt-get and builds the oracle),\n\
         *** or install the packages of tests/peers/dotnet/apt-packages.txt and run\n\
         ***     bash tests/peers/dotnet/run.sh\n\
         *** (it builds tests/peers/dotnet/build/Oracle.exe and Contracts.dll).\n\n"
    )
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// A running `Oracle.exe serve`.
pub struct DcsOracle {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<std::io::Result<String>>,
    ready: String,
    log: PathBuf,
}

impl DcsOracle {
    /// Starts the oracle (with `TZ=America/Los_Angeles`) and waits for its `ready` line. Panics
    /// with the fix when Mono or the oracle build is missing.
    pub fn start() -> Self {
        let build = build_dir();
        let exe = build.join("Oracle.exe");
        let dll = build.join("Contracts.dll");
        if !exe.is_file() || !dll.is_file() {
            missing(&format!(
                "{} or {} does not exist",
                exe.display(),
                dll.display()
            ));
        }
        if !on_path("mono") {
            missing("`mono` is not on PATH");
        }
        let log = std::env::temp_dir().join(format!(
            "payspec-dcs-oracle-{}-{}.log",
            std::process::id(),
            next_id()
        ));
        let err = std::fs::File::create(&log).expect("oracle log file");
        let mut child = Command::new("mono")
            .arg(&exe)
            .arg("serve")
            .arg(&dll)
            .env("TZ", "America/Los_Angeles")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| missing(&format!("cannot start mono: {e}")));
        let stdout = child.stdout.take().expect("piped stdout");
        let stdin = child.stdin.take();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) => break,
                    Ok(_) => {
                        let trimmed = line.trim_end_matches(['\n', '\r']).to_string();
                        if tx.send(Ok(trimmed)).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        break;
                    }
                }
            }
        });
        let mut oracle = DcsOracle {
            child,
            stdin,
            lines,
            ready: String::new(),
            log,
        };
        let ready = oracle.read_line("start");
        assert!(
            ready.starts_with("ready processone-dcs-oracle 1 "),
            "the DCS oracle did not say ready: {ready:?}{}",
            oracle.stderr_tail()
        );
        assert!(
            ready.contains("tz=America/Los_Angeles"),
            "the DCS oracle must run in America/Los_Angeles time (the seed's offsets): {ready:?}"
        );
        oracle.ready = ready;
        oracle
    }

    /// The `ready ...` line it printed on start.
    pub fn ready_line(&self) -> &str {
        &self.ready
    }

    fn stderr_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        if text.trim().is_empty() {
            String::new()
        } else {
            let start = text.len().saturating_sub(4000);
            let start = (start..=text.len())
                .find(|i| text.is_char_boundary(*i))
                .unwrap_or(text.len());
            format!(
                "\n--- oracle stderr ({}) ---\n{}",
                self.log.display(),
                &text[start..]
            )
        }
    }

    fn read_line(&mut self, what: &str) -> String {
        match self.lines.recv_timeout(ANSWER_TIMEOUT) {
            Ok(Ok(line)) => line,
            Ok(Err(e)) => panic!("reading the DCS oracle ({what}): {e}{}", self.stderr_tail()),
            Err(RecvTimeoutError::Timeout) => panic!(
                "the DCS oracle did not answer {what} within {ANSWER_TIMEOUT:?}{}",
                self.stderr_tail()
            ),
            Err(RecvTimeoutError::Disconnected) => {
                let status = self.child.try_wait().ok().flatten();
                panic!(
                    "the DCS oracle exited ({status:?}) before answering {what}{}",
                    self.stderr_tail()
                )
            }
        }
    }

    /// Sends one request line and returns the answer line.
    pub fn ask(&mut self, line: &str) -> String {
        assert!(!line.contains('\n'), "one line per request");
        let stdin = self.stdin.as_mut().expect("the oracle was asked to quit");
        if let Err(e) = stdin
            .write_all(line.as_bytes())
            .and_then(|()| stdin.write_all(b"\n"))
            .and_then(|()| stdin.flush())
        {
            panic!("writing to the DCS oracle: {e}{}", self.stderr_tail());
        }
        let what = line.split(' ').take(2).collect::<Vec<_>>().join(" ");
        self.read_line(&what)
    }

    /// `ping` → `pong`.
    pub fn ping(&mut self) -> bool {
        self.ask("ping") == "pong"
    }

    /// Every type the oracle knows, as `<Area>.<Name>` (contracts and enums).
    pub fn types(&mut self) -> Vec<String> {
        let answer = self.ask("types");
        let rest = answer
            .strip_prefix("ok ")
            .unwrap_or_else(|| panic!("types: {answer}"));
        rest.split(' ').map(str::to_string).collect()
    }

    /// Has DCS read `xml` as `contract` (`<Area>.<Name>`) and write it back: `Ok` with DCS's bytes,
    /// or `Err` with the oracle's `error ...` line (an exception while reading or writing).
    pub fn roundtrip(&mut self, contract: &str, xml: &[u8]) -> Result<Vec<u8>, String> {
        assert!(
            !contract.is_empty() && !contract.contains([' ', '\n']),
            "bad contract name {contract:?}"
        );
        let answer = self.ask(&format!("roundtrip {contract} {}", B64.encode(xml)));
        if let Some(b64) = answer.strip_prefix("ok ") {
            Ok(B64
                .decode(b64.trim())
                .unwrap_or_else(|e| panic!("the DCS oracle sent bad base64 ({e}): {answer}")))
        } else if answer.starts_with("error ") {
            Err(answer)
        } else {
            panic!("unexpected answer from the DCS oracle: {answer:?}")
        }
    }

    /// Asks the process to exit (`quit` → `bye`) and waits for it; kills it if it does not.
    pub fn quit(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(mut stdin) = self.stdin.take() {
            let _ = stdin.write_all(b"quit\n").and_then(|()| stdin.flush());
            drop(stdin);
            let _ = self.lines.recv_timeout(Duration::from_secs(5));
        }
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                let _ = std::fs::remove_file(&self.log);
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

impl Drop for DcsOracle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn next_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

static SHARED: OnceLock<Mutex<DcsOracle>> = OnceLock::new();

/// Runs `f` with the test binary's shared oracle (started on first use; calls are serialized).
/// A panic in an earlier user does not poison it for the next.
pub fn with_oracle<R>(f: impl FnOnce(&mut DcsOracle) -> R) -> R {
    let shared = SHARED.get_or_init(|| Mutex::new(DcsOracle::start()));
    let mut guard = shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    f(&mut guard)
}

/// `xml` without the whitespace between elements (`>` whitespace `<` becomes `><`) and around the
/// document: how the seed samples (indented) compare with DCS's unindented output.
pub fn flatten(xml: &str) -> String {
    let xml = xml.trim();
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(i) = rest.find('>') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let ws = rest.len() - rest.trim_start().len();
        if ws > 0 && rest[ws..].starts_with('<') {
            rest = &rest[ws..];
        }
    }
    out.push_str(rest);
    out
}

/// The first difference of two texts, with some context: `at N: ours ...|... vs theirs ...|...`.
pub fn first_difference(ours: &str, theirs: &str) -> Option<String> {
    if ours == theirs {
        return None;
    }
    let p = ours
        .char_indices()
        .zip(theirs.chars())
        .find(|((_, a), b)| a != b)
        .map(|((i, _), _)| i)
        .unwrap_or(ours.len().min(theirs.len()));
    let p = (0..=p)
        .rev()
        .find(|i| ours.is_char_boundary(*i) && theirs.is_char_boundary(*i))
        .unwrap_or(0);
    let ctx = |s: &str| {
        let mut a = p.saturating_sub(80);
        while !s.is_char_boundary(a) {
            a -= 1;
        }
        let mut b = (p + 120).min(s.len());
        while !s.is_char_boundary(b) {
            b += 1;
        }
        format!("{}⟦{}", &s[a..p.min(s.len())], &s[p.min(s.len())..b])
    };
    Some(format!(
        "byte {p}:\n      ours: …{}…\n      dcs:  …{}…",
        ctx(ours),
        ctx(theirs)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flatten_drops_only_inter_element_whitespace() {
        assert_eq!(
            flatten("\n<a>\n  <b> x y </b>\n  <c />\n</a>\n"),
            "<a><b> x y </b><c /></a>"
        );
        assert_eq!(flatten("<a>x > y</a>"), "<a>x > y</a>");
    }

    #[test]
    fn first_difference_points_at_it() {
        assert_eq!(first_difference("abc", "abc"), None);
        let d = first_difference("<a>1</a>", "<a>2</a>").expect("differs");
        assert!(d.starts_with("byte 3:"), "{d}");
    }

    #[test]
    fn oracle_round_trips_every_seed_sample_byte_for_byte() {
        let fixtures = crate::root().join("tests/fixtures/processone");
        let index = std::fs::read_to_string(fixtures.join("index.tsv")).expect("index.tsv");
        let mut failures = Vec::new();
        let mut n = 0;
        for line in index.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let f: Vec<&str> = line.split('\t').collect();
            let contract = format!("{}.{}", f[0], f[3]);
            let raw = std::fs::read_to_string(fixtures.join(f[6])).expect("sample");
            let expected = flatten(&raw);
            n += 1;
            match with_oracle(|o| o.roundtrip(&contract, raw.as_bytes())) {
                Ok(out) => {
                    let out = String::from_utf8(out).expect("DCS writes UTF-8");
                    if let Some(d) = first_difference(&expected, &out) {
                        failures.push(format!("{contract}: {d}"));
                    }
                }
                Err(e) => failures.push(format!("{contract}: {e}")),
            }
        }
        assert_eq!(n, 56);
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn oracle_protocol() {
        with_oracle(|o| {
            assert!(o.ready_line().contains("types=76"), "{}", o.ready_line());
            assert!(o.ping());
            let types = o.types();
            assert!(types.contains(&"CreditCard.ChargeCreditCardRequest".to_string()));
            assert!(types.contains(&"Enums.CreditCardType".to_string()));
            let e = o
                .roundtrip("Nope.Nothing", b"<x/>")
                .expect_err("unknown type");
            assert!(e.starts_with("error ArgumentException"), "{e}");
        });
    }

    #[test]
    fn oracle_reads_a_misplaced_amount_as_zero() {
        let raw = std::fs::read_to_string(
            crate::root()
                .join("tests/fixtures/processone/xml/CreditCard.ChargeCreditCardRequest.xml"),
        )
        .expect("sample");
        let flat = flatten(&raw);
        let moved = flat.replace("<Amount>20.00</Amount>", "").replace(
            "<CallbackId i:nil=\"true\" />",
            "<CallbackId i:nil=\"true\" /><Amount>20.00</Amount>",
        );
        assert_ne!(moved, flat);
        let out =
            with_oracle(|o| o.roundtrip("CreditCard.ChargeCreditCardRequest", moved.as_bytes()))
                .expect("DCS reads it without complaint");
        let out = String::from_utf8(out).expect("utf-8");
        assert!(out.contains("<Amount>0</Amount>"), "{out}");
        assert_eq!(
            out.replace("<Amount>0</Amount>", "<Amount>20.00</Amount>"),
            flat
        );
    }

    #[test]
    fn an_owned_oracle_quits() {
        let mut o = DcsOracle::start();
        assert!(o.ping());
        o.quit();
    }
}
