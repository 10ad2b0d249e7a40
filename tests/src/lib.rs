//! Helpers for payspec's cross-crate tests: a scripted HTTP server on loopback that records every
//! request it receives, and a Prism mock server driven by a spec, used as the judge of the
//! requests our clients send.

pub mod dcs_oracle;
pub mod dcs_values;
pub mod idempotent;
pub mod scratch;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is in the workspace")
        .to_path_buf()
}

/// The text of `tests/fixtures/<provider>/<name>`; panics naming the file when it cannot be
/// read.
pub fn fixture_text(provider: &str, name: &str) -> String {
    let path = root().join("tests/fixtures").join(provider).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `tests/fixtures/<provider>/<name>` decoded as JSON into `T` (numbers keep their text with
/// the test crate's `arbitrary_precision`); panics naming the file when it does not decode.
pub fn fixture_json<T: serde::de::DeserializeOwned>(provider: &str, name: &str) -> T {
    serde_json::from_str(&fixture_text(provider, name))
        .unwrap_or_else(|e| panic!("fixture {provider}/{name}: {e}"))
}

/// `specs/<provider>/openapi.yaml` as a JSON value (examples included), read the way codegen
/// reads it.
pub fn spec_json(provider: &str) -> serde_json::Value {
    let path = format!("specs/{provider}/openapi.yaml");
    let text =
        std::fs::read_to_string(root().join(&path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    payspec_codegen::spec::parse_yaml(&path, &text).unwrap_or_else(|e| panic!("{e}"))
}

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// HTTP method.
    pub method: Method,
    /// Path and query.
    pub uri: Uri,
    /// Headers.
    pub headers: HeaderMap,
    /// Raw body.
    pub body: Bytes,
}

impl Recorded {
    /// The body parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("ASCII header").to_string())
    }
}

/// A scripted answer.
#[derive(Debug, Clone)]
pub struct Scripted {
    /// Status code.
    pub status: u16,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Body (sent as `application/json` unless a content type is among the headers).
    pub body: String,
}

impl Scripted {
    /// A JSON answer.
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Scripted {
            status,
            headers: Vec::new(),
            body: body.to_string(),
        }
    }

    /// A raw text answer.
    pub fn text(status: u16, body: &str) -> Self {
        Scripted {
            status,
            headers: vec![("content-type".into(), "text/plain".into())],
            body: body.into(),
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends the answer only after `delay` (the server holds the request that long).
    pub fn after(self, delay: Duration) -> Self {
        self.with_header(DELAY_HEADER, &delay.as_millis().to_string())
    }
}

/// The pseudo-header of [`Scripted::after`]: read by the server, never sent.
const DELAY_HEADER: &str = "x-scripted-delay-ms";

#[derive(Default)]
struct State {
    requests: Vec<Recorded>,
    script: VecDeque<Scripted>,
}

/// An HTTP server on loopback that answers from a script (in order; 599 when the script is
/// exhausted) and records every request. Stops when dropped.
pub struct ScriptedServer {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl ScriptedServer {
    /// Starts a server that will give these answers, in order.
    pub async fn start(script: Vec<Scripted>) -> Self {
        let state = Arc::new(Mutex::new(State {
            requests: Vec::new(),
            script: script.into(),
        }));
        let shared = state.clone();
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let shared = shared.clone();
                async move {
                    let answer = {
                        let mut s = shared.lock().expect("state");
                        s.requests.push(Recorded {
                            method,
                            uri,
                            headers,
                            body,
                        });
                        s.script.pop_front()
                    };
                    match answer {
                        None => (StatusCode::from_u16(599).expect("599"), "script exhausted")
                            .into_response(),
                        Some(mut a) => {
                            if let Some(i) = a.headers.iter().position(|(k, _)| k == DELAY_HEADER) {
                                let (_, ms) = a.headers.remove(i);
                                let ms = ms.parse().expect("delay in milliseconds");
                                tokio::time::sleep(Duration::from_millis(ms)).await;
                            }
                            scripted_response(a)
                        }
                    }
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        ScriptedServer { addr, state, task }
    }

    /// The server's base URL (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Appends an answer to the script (for answers that need the server's own URL).
    pub fn push(&self, answer: Scripted) {
        self.state.lock().expect("state").script.push_back(answer);
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().expect("state").requests.clone()
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn scripted_response(a: Scripted) -> Response {
    let mut builder = Response::builder().status(a.status);
    let has_type = a
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
    if !has_type {
        builder = builder.header("content-type", "application/json");
    }
    for (k, v) in &a.headers {
        builder = builder.header(k, v);
    }
    builder
        .body(axum::body::Body::from(a.body))
        .expect("response")
}

/// The Prism executable: `PAYSPEC_PRISM`, or the copy `cargo xtask test` installs in `.tools/`.
/// Panics with the fix when it is missing: a test that needs Prism never skips silently.
pub fn prism_path() -> PathBuf {
    let path = std::env::var_os("PAYSPEC_PRISM")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".tools/prism/node_modules/.bin/prism"));
    assert!(
        path.is_file(),
        "Prism not found at {}: run the tests with `cargo xtask test` (it installs Prism with npm), or set PAYSPEC_PRISM",
        path.display()
    );
    path
}

/// A Prism mock server (`prism mock --errors`) for one spec on a free loopback port. It answers
/// valid requests from the spec's examples and rejects invalid ones with 422 (or 401 for missing
/// credentials), which makes it the judge of what our clients send. Killed when dropped.
pub struct Prism {
    child: tokio::process::Child,
    port: u16,
    log: PathBuf,
}

impl Prism {
    /// Starts Prism on `spec` (a path relative to the workspace root) and waits until it listens.
    pub async fn start(spec: &str) -> Self {
        let prism = prism_path();
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
            l.local_addr().expect("addr").port()
        };
        let log = std::env::temp_dir().join(format!("payspec-prism-{port}.log"));
        let out = std::fs::File::create(&log).expect("log file");
        let child = tokio::process::Command::new(prism)
            .args([
                "mock",
                "--errors",
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .arg(root().join(spec))
            .stdout(out.try_clone().expect("log"))
            .stderr(out)
            .kill_on_drop(true)
            .spawn()
            .expect("start Prism");
        let started = std::time::Instant::now();
        loop {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "Prism did not start in 60 s; its log:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Prism { child, port, log }
    }

    /// The mock's base URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// What Prism printed so far (its validation messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// The top-level README's examples compile (as doctests of this crate).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// Times `a` and `b` in alternating pairs (the order flipped every pair) and returns the
/// median time of each and the median of the per-pair ratios `a / b`.
///
/// The groups above time one function after the other; on a shared machine the speed drifts
/// between the two by more than the 5% the JSON target allows, so the ratios are also measured
/// this way, where drift hits both sides of a pair alike.
pub fn interleaved(pairs: usize, mut a: impl FnMut(), mut b: impl FnMut()) -> (f64, f64, f64) {
    let time = |f: &mut dyn FnMut()| {
        let start = std::time::Instant::now();
        f();
        start.elapsed().as_secs_f64()
    };
    for _ in 0..3 {
        a();
        b();
    }
    let (mut ta, mut tb, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..pairs {
        let (x, y) = if i.is_multiple_of(2) {
            let x = time(&mut a);
            (x, time(&mut b))
        } else {
            let y = time(&mut b);
            (time(&mut a), y)
        };
        ta.push(x);
        tb.push(y);
        ratios.push(x / y);
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (median(ta), median(tb), median(ratios))
}
