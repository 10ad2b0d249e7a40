//! A payment API on loopback that honours idempotency keys the way payment APIs do, with
//! faults injected after the money has moved: the judge of a client's retries with a key.
//!
//! Every `POST` is a payment. The server keeps, per key, the body it was sent and the answer
//! it gave:
//!
//! - a key it has not seen (or no key at all): the payment is made (money moves), the answer
//!   (`201`, a payment with a fresh id) is stored under the key, then sent, unless a fault is
//!   queued ([`Fault`]), which hits this answer after the money has moved;
//! - a key it has seen, with the same body: the stored answer again, marked
//!   `Idempotent-Replayed: true`; no money moves;
//! - a key it has seen, with another body: `422` with the code `idempotency_key_reused`.
//!
//! Every answer carries an `X-Request-Id` unique to the attempt. One request per connection,
//! HTTP/1.1, `Content-Length` bodies: what the generated clients send.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What goes wrong with the answer to the next payment, after the money has moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The connection is closed without an answer.
    Drop,
    /// The answer comes after this long (longer than the client waits).
    Delay(Duration),
    /// `503 Service Unavailable` instead of the stored answer.
    Unavailable,
}

/// What the server did with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The `Idempotency-Key` it carried.
    pub key: Option<String>,
    /// `committed` (money moved), `replayed` or `refused`.
    pub outcome: &'static str,
    /// The request's path.
    pub path: String,
    /// Its `X-Correlation-Id`, if any (a per-call header).
    pub correlation: Option<String>,
}

#[derive(Default)]
struct State {
    stored: HashMap<String, (Vec<u8>, String)>,
    attempts: Vec<Attempt>,
    payments: u32,
    faults: VecDeque<Fault>,
}

/// The server; it stops when dropped.
pub struct IdempotentServer {
    url: String,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl IdempotentServer {
    /// Starts it on a free loopback port.
    pub async fn start() -> IdempotentServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, shared.clone()));
            }
        });
        IdempotentServer { url, state, task }
    }

    /// The base URL.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Queues `fault` for the answer to the next payment that moves money.
    pub fn fail_next_payment(&self, fault: Fault) {
        self.lock().faults.push_back(fault);
    }

    /// Every request, in order.
    pub fn attempts(&self) -> Vec<Attempt> {
        self.lock().attempts.clone()
    }

    /// How many payments were made: how many times money moved.
    pub fn payments(&self) -> u32 {
        self.lock().payments
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for IdempotentServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One request: head (lowercase header names) and body; `None` when the peer went away.
async fn read(socket: &mut TcpStream) -> Option<(String, Vec<(String, String)>, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
    };
    let head = String::from_utf8_lossy(&buf[..end]).to_string();
    let mut lines = head.lines();
    let request_line = lines.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < end + 4 + len {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some((request_line, headers, buf[end + 4..end + 4 + len].to_vec()))
}

async fn serve(mut socket: TcpStream, state: Arc<Mutex<State>>) {
    let Some((request_line, headers, body)) = read(&mut socket).await else {
        return;
    };
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let key = header("idempotency-key");
    let path = request_line
        .split(' ')
        .nth(1)
        .unwrap_or_default()
        .to_string();
    // Decide under the lock; answer after it.
    let (status, extra, answer, fault, request_id) = {
        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
        let request_id = format!("req_{}", s.attempts.len() + 1);
        let stored = key.as_ref().and_then(|k| s.stored.get(k).cloned());
        let (outcome, status, extra, answer, fault) = match stored {
            Some((sent, answer)) if sent == body => {
                ("replayed", 201, "idempotent-replayed: true\r\n", answer, None)
            }
            Some(_) => (
                "refused",
                422,
                "",
                r#"{"code":"idempotency_key_reused","message":"This key was used with another request.","details":[]}"#
                    .to_string(),
                None,
            ),
            None => {
                s.payments += 1;
                let answer = format!(
                    r#"{{"id":"pay_{}","status":"pending","amount":12.50}}"#,
                    s.payments
                );
                if let Some(k) = &key {
                    s.stored.insert(k.clone(), (body.clone(), answer.clone()));
                }
                ("committed", 201, "", answer, s.faults.pop_front())
            }
        };
        s.attempts.push(Attempt {
            key: key.clone(),
            outcome,
            path,
            correlation: header("x-correlation-id"),
        });
        (status, extra, answer, fault, request_id)
    };
    let (status, answer) = match fault {
        Some(Fault::Drop) => return,
        Some(Fault::Delay(wait)) => {
            tokio::time::sleep(wait).await;
            (status, answer)
        }
        Some(Fault::Unavailable) => (503, r#"{"message":"try again"}"#.to_string()),
        None => (status, answer),
    };
    let reply = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-request-id: {request_id}\r\n{extra}connection: close\r\n\r\n{answer}",
        answer.len()
    );
    let _ = socket.write_all(reply.as_bytes()).await;
    let _ = socket.shutdown().await;
}
