//! Building the HTTP client, and sending requests with bounded retries and a concurrency
//! limit.
//!
//! Retrying a payment request that the provider might already have carried out could move
//! money twice, so [`Transport::execute`] retries only when the caller says the request is
//! safe to repeat (reads, and writes the provider makes idempotent, e.g. with an idempotency
//! key). Everything else is sent exactly once.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::{HeaderMap, HeaderValue, StatusCode};
use reqwest_middleware::{ClientWithMiddleware, Middleware};
use tokio::sync::Semaphore;

/// When and how often retry-safe requests are retried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included; `0` counts as `1`.
    pub max_attempts: u32,
    /// The wait before the first retry; it doubles for each further retry (with jitter).
    pub initial_backoff: Duration,
    /// The longest wait between attempts computed from the backoff.
    pub max_backoff: Duration,
    /// The longest `Retry-After` honoured. When the server asks for a longer wait, its
    /// response is returned as is instead of waiting.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, 200 ms initial backoff, 5 s maximum backoff, `Retry-After` up to 60 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries: every request is sent once.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The wait before retry number `retry` (1 for the first retry): the exponential
    /// backoff capped at `max_backoff`, with "equal jitter" (between half and all of it).
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let full = self
            .initial_backoff
            .checked_mul(factor)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff);
        let half = full / 2;
        let spread = u64::try_from((full - half).as_nanos()).unwrap_or(u64::MAX);
        half + Duration::from_nanos(fastrand::u64(0..=spread))
    }
}

/// Settings for the HTTP client of a generated API client.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// The limit for a whole request, from connecting to the end of the response body.
    pub timeout: Duration,
    /// The limit for establishing a connection.
    pub connect_timeout: Duration,
    /// Retries of retry-safe requests.
    pub retry: RetryPolicy,
    /// At most this many requests waiting for response headers at once (`None`: no limit).
    pub max_in_flight: Option<usize>,
    /// The `User-Agent` header sent with every request.
    pub user_agent: String,
    /// Whether a plain `http://` base URL on a host other than loopback is accepted (default
    /// `false`; see [`crate::endpoint`]). Set it only for a test server you control.
    pub allow_plain_http: bool,
}

impl ClientOptions {
    /// Defaults: 30 s timeout, 10 s connect timeout, [`RetryPolicy::default`], no limit on
    /// requests in flight, plain HTTP on loopback only.
    pub fn new(user_agent: impl Into<String>) -> Self {
        ClientOptions {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            max_in_flight: None,
            user_agent: user_agent.into(),
            allow_plain_http: false,
        }
    }

    /// A `reqwest` client with rustls, these timeouts and user agent, no redirects followed,
    /// and no default headers (credentials are added per request by the generated client).
    pub fn build_http_client(&self) -> Result<reqwest::Client, reqwest::Error> {
        self.http_client(None)
    }

    /// The HTTP client a generated client sends with: built from `custom` when the user
    /// supplied a builder, otherwise from a fresh one. Over whatever `custom` sets, these
    /// options' timeout, connect timeout and user agent apply, redirects are never followed
    /// (see [`crate::endpoint`]) and reqwest's verbose connection logging is off: no setting of
    /// the user's can make the client re-send a request body to another host, or log it.
    pub fn http_client(
        &self,
        custom: Option<HttpClientBuilder>,
    ) -> Result<reqwest::Client, reqwest::Error> {
        let builder = match custom {
            Some(HttpClientBuilder(builder)) => builder,
            None => reqwest::Client::builder(),
        };
        builder
            .tls_backend_rustls()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .user_agent(self.user_agent.as_str())
            .redirect(reqwest::redirect::Policy::none())
            // reqwest's verbose mode logs every byte read and written at TRACE level: bodies
            // with card numbers, headers with credentials.
            .connection_verbose(false)
            .build()
    }
}

/// A `reqwest::ClientBuilder` the user configured (proxies, TLS roots, default headers, a
/// local address) for a generated client to build its HTTP client from.
///
/// The generated client applies its own settings over it when it builds (see
/// [`ClientOptions::http_client`]): redirects are never followed, reqwest's verbose
/// connection logging (every byte at TRACE level) is off, and the timeouts and user agent are
/// the client builder's. A finished `reqwest::Client` is not accepted, because its
/// redirect policy could not be checked.
///
/// `Debug` does not show the builder (its default headers could hold a credential).
pub struct HttpClientBuilder(reqwest::ClientBuilder);

impl From<reqwest::ClientBuilder> for HttpClientBuilder {
    fn from(builder: reqwest::ClientBuilder) -> Self {
        HttpClientBuilder(builder)
    }
}

impl std::fmt::Debug for HttpClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HttpClientBuilder(..)")
    }
}

/// Sends requests with the retry policy and concurrency limit of a [`ClientOptions`], through
/// the client's middleware when it has any.
///
/// Cloning is cheap; clones share the concurrency limit.
#[derive(Clone)]
pub struct Transport {
    policy: RetryPolicy,
    in_flight: Option<Arc<Semaphore>>,
    middleware: Option<ClientWithMiddleware>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("policy", &self.policy)
            .field("in_flight", &self.in_flight)
            .field("middleware", &self.middleware.is_some())
            .finish()
    }
}

/// The client's middleware, in the order it was added: the first sees each attempt first.
pub type MiddlewareStack = Vec<Arc<dyn Middleware>>;

impl Transport {
    /// A transport with `options`' retry policy and concurrency limit.
    ///
    /// A `max_in_flight` of 0 is treated as 1, and values above tokio's semaphore limit are
    /// capped to it.
    pub fn new(options: &ClientOptions) -> Self {
        Transport {
            policy: options.retry.clone(),
            in_flight: options
                .max_in_flight
                .map(|n| Arc::new(Semaphore::new(n.clamp(1, Semaphore::MAX_PERMITS)))),
            middleware: None,
        }
    }

    /// Sends every attempt through `stack` over `client` (the same HTTP client the transport
    /// is given), unless the stack is empty.
    pub fn with_middleware(mut self, client: &reqwest::Client, stack: MiddlewareStack) -> Self {
        if !stack.is_empty() {
            self.middleware = Some(ClientWithMiddleware::new(client.clone(), stack));
        }
        self
    }

    /// Whether attempts go through middleware.
    pub fn has_middleware(&self) -> bool {
        self.middleware.is_some()
    }

    /// The retry policy in use.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// Sends `request`. When `retry_safe` is true (reads, or writes the provider makes
    /// idempotent) it retries connect errors, timeouts, connections lost before the answer,
    /// and 408/429/502/503/504 responses up
    /// to `max_attempts` with exponential backoff and jitter, honouring `Retry-After`
    /// (delta-seconds or HTTP-date) on 429/503; a `Retry-After` longer than
    /// `max_retry_after` is not waited for: the response is returned as is. When
    /// `retry_safe` is false, exactly one attempt, never retried. A request whose body
    /// cannot be cloned (`try_clone()` is `None`) is sent once. Holds a concurrency permit
    /// (`max_in_flight`) for the duration of each attempt until the response headers
    /// arrive.
    ///
    /// The response of the last attempt is returned whatever its status; only a failure to
    /// get any response is an `Err`: the HTTP client's, or a middleware's (never retried).
    ///
    /// Each attempt goes through the client's middleware, if any: middleware runs once per
    /// attempt, and sees the request as it is sent (credentials in sensitive header values).
    pub async fn execute(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        retry_safe: bool,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        self.execute_with(client, request, retry_safe, &self.policy)
            .await
    }

    /// [`Transport::execute`] with `policy` in place of the transport's own (a call's
    /// per-call retry policy).
    pub async fn execute_with(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        retry_safe: bool,
        policy: &RetryPolicy,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let max_attempts = if retry_safe {
            policy.max_attempts.max(1)
        } else {
            1
        };
        let mut request = request;
        let mut attempt = 1;
        loop {
            let spare = if attempt < max_attempts {
                request.try_clone()
            } else {
                None
            };
            // The semaphore is never closed, so acquiring only fails if that invariant breaks;
            // sending without a permit is then better than failing the request. Written out
            // here rather than in a helper, which would add one more future to move per call.
            let _permit = match &self.in_flight {
                Some(semaphore) => semaphore.acquire().await.ok(),
                None => None,
            };
            let result = match &self.middleware {
                Some(stack) => stack.execute(request).await,
                None => client.execute(request).await.map_err(Into::into),
            };
            drop(_permit);
            let Some(next) = spare else {
                return result;
            };
            let wait = match &result {
                Ok(response) => retry_wait(policy, response.status(), response.headers(), attempt),
                Err(reqwest_middleware::Error::Reqwest(e)) if is_transient(e) => {
                    Some(policy.backoff(attempt))
                }
                Err(_) => None,
            };
            let Some(wait) = wait else {
                return result;
            };
            // Release the connection before waiting.
            drop(result);
            tokio::time::sleep(wait).await;
            request = next;
            attempt += 1;
        }
    }
}

/// How long `policy` waits before retrying after a response with `status`, or `None` not to
/// retry.
fn retry_wait(
    policy: &RetryPolicy,
    status: StatusCode,
    headers: &HeaderMap,
    attempt: u32,
) -> Option<Duration> {
    if !is_retryable_status(status) {
        return None;
    }
    if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE {
        let asked = headers
            .get(http::header::RETRY_AFTER)
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        if let Some(asked) = asked {
            return (asked <= policy.max_retry_after).then_some(asked);
        }
    }
    Some(policy.backoff(attempt))
}

/// Whether a failure to get any response may not happen again: the connection could not be
/// made (`is_connect`), the attempt timed out, or the connection was lost before the answer
/// came (`is_request`: reset, closed mid-message). The request may have taken effect in the
/// last two cases, which is why only retry-safe requests are retried.
fn is_transient(e: &reqwest::Error) -> bool {
    e.is_connect() || e.is_timeout() || e.is_request()
}

/// Whether a response with `status` may succeed when a retry-safe request is repeated:
/// 408, 429, 502, 503 and 504.
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 502 | 503 | 504)
}

/// The wait a `Retry-After` header value asks for, relative to `now`: delta-seconds
/// (`120`) or an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`; a date in the past means no
/// wait). `None` if the value is neither.
pub fn parse_retry_after(value: &HeaderValue, now: SystemTime) -> Option<Duration> {
    let text = value.to_str().ok()?.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        // More digits than a u64 holds is "practically forever".
        return Some(Duration::from_secs(text.parse().unwrap_or(u64::MAX)));
    }
    let at = httpdate::parse_http_date(text).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Instant;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// One scripted answer of the test server.
    #[derive(Clone)]
    struct Reply {
        status: u16,
        headers: Vec<(&'static str, String)>,
        delay: Duration,
        /// Close the connection without answering, after reading the request.
        drop: bool,
    }

    fn reply(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            delay: Duration::ZERO,
            drop: false,
        }
    }

    /// What the test server saw.
    #[derive(Default)]
    struct Seen {
        requests: AtomicUsize,
        in_flight: AtomicUsize,
        max_in_flight: AtomicUsize,
        bodies: Mutex<Vec<Vec<u8>>>,
    }

    /// A loopback HTTP/1.1 server answering request number `n` (from 0) with `script(n)`,
    /// one connection per request.
    async fn serve(script: impl Fn(usize) -> Reply + Send + Sync + 'static) -> (String, Arc<Seen>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/v1/things", listener.local_addr().unwrap());
        let seen = Arc::new(Seen::default());
        let script = Arc::new(script);
        let state = seen.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let (seen, script) = (state.clone(), script.clone());
                tokio::spawn(async move {
                    let Some(body) = read_request(&mut socket).await else {
                        return;
                    };
                    let n = seen.requests.fetch_add(1, Ordering::SeqCst);
                    let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    seen.max_in_flight.fetch_max(now, Ordering::SeqCst);
                    seen.bodies.lock().unwrap().push(body);
                    let r = script(n);
                    tokio::time::sleep(r.delay).await;
                    seen.in_flight.fetch_sub(1, Ordering::SeqCst);
                    if r.drop {
                        return;
                    }
                    let mut out = format!(
                        "HTTP/1.1 {} X\r\ncontent-length: 2\r\nconnection: close\r\n",
                        r.status
                    );
                    for (k, v) in &r.headers {
                        out.push_str(&format!("{k}: {v}\r\n"));
                    }
                    out.push_str("\r\nok");
                    let _ = socket.write_all(out.as_bytes()).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        (url, seen)
    }

    /// Reads one request (headers and a content-length body); returns the body.
    async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<Vec<u8>> {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = socket.read(&mut chunk).await.ok()?;
            if n == 0 {
                return None;
            }
            buf.extend_from_slice(&chunk[..n]);
            let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                continue;
            };
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map(|v| v.trim().parse().unwrap())
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = socket.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Some(buf[end + 4..end + 4 + len].to_vec());
        }
    }

    fn fast_options() -> ClientOptions {
        let mut options = ClientOptions::new("payspec-test/1");
        options.retry.initial_backoff = Duration::from_millis(10);
        options.retry.max_backoff = Duration::from_millis(50);
        options.retry.max_retry_after = Duration::from_secs(5);
        options
    }

    async fn send(
        options: &ClientOptions,
        url: &str,
        retry_safe: bool,
    ) -> reqwest::Result<reqwest::Response> {
        let client = options.build_http_client().unwrap();
        let request = client.post(url).body("{\"amount\":1}").build().unwrap();
        Transport::new(options)
            .execute(&client, request, retry_safe)
            .await
            .map_err(|e| match e {
                reqwest_middleware::Error::Reqwest(e) => e,
                other => panic!("no middleware here: {other:?}"),
            })
    }

    #[tokio::test]
    async fn retries_503_only_when_retry_safe() {
        let script = |n| if n == 0 { reply(503) } else { reply(200) };
        let options = fast_options();

        let (url, seen) = serve(script).await;
        let response = send(&options, &url, true).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(seen.requests.load(Ordering::SeqCst), 2);
        // The body is sent again on the retry.
        assert_eq!(
            *seen.bodies.lock().unwrap(),
            vec![b"{\"amount\":1}".to_vec(), b"{\"amount\":1}".to_vec()]
        );

        let (url, seen) = serve(script).await;
        let response = send(&options, &url, false).await.unwrap();
        assert_eq!(response.status(), 503);
        assert_eq!(seen.requests.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn gives_up_after_max_attempts() {
        let (url, seen) = serve(|_| reply(502)).await;
        let response = send(&fast_options(), &url, true).await.unwrap();
        assert_eq!(response.status(), 502);
        assert_eq!(seen.requests.load(Ordering::SeqCst), 3);

        let mut options = fast_options();
        options.retry = RetryPolicy::none();
        let (url, seen) = serve(|_| reply(504)).await;
        let response = send(&options, &url, true).await.unwrap();
        assert_eq!(response.status(), 504);
        assert_eq!(seen.requests.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn does_not_retry_other_statuses() {
        for status in [200, 201, 400, 401, 404, 409, 500] {
            let (url, seen) = serve(move |_| reply(status)).await;
            let response = send(&fast_options(), &url, true).await.unwrap();
            assert_eq!(response.status(), status);
            assert_eq!(seen.requests.load(Ordering::SeqCst), 1, "status {status}");
        }
    }

    #[tokio::test]
    async fn honours_retry_after() {
        let (url, seen) = serve(|n| {
            if n == 0 {
                Reply {
                    headers: vec![("retry-after", "1".into())],
                    ..reply(429)
                }
            } else {
                reply(200)
            }
        })
        .await;
        let started = Instant::now();
        let response = send(&fast_options(), &url, true).await.unwrap();
        assert_eq!(response.status(), 200);
        assert!(
            started.elapsed() >= Duration::from_millis(900),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(seen.requests.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn returns_response_when_retry_after_exceeds_cap() {
        let (url, seen) = serve(|_| Reply {
            headers: vec![("retry-after", "120".into())],
            ..reply(503)
        })
        .await;
        let started = Instant::now();
        let response = send(&fast_options(), &url, true).await.unwrap();
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()["retry-after"], "120");
        assert_eq!(seen.requests.load(Ordering::SeqCst), 1);
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn retries_timeouts_when_retry_safe() {
        let script = |n| Reply {
            delay: if n == 0 {
                Duration::from_secs(2)
            } else {
                Duration::ZERO
            },
            ..reply(200)
        };
        let mut options = fast_options();
        options.timeout = Duration::from_millis(300);

        let (url, seen) = serve(script).await;
        let response = send(&options, &url, true).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(seen.requests.load(Ordering::SeqCst), 2);

        let (url, seen) = serve(script).await;
        let err = send(&options, &url, false).await.unwrap_err();
        assert!(err.is_timeout(), "{err:?}");
        assert_eq!(seen.requests.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn retries_a_dropped_connection_only_when_retry_safe() {
        // The server reads the request, then closes the connection without an answer: the
        // request may have taken effect.
        let script = |n| Reply {
            drop: n == 0,
            ..reply(200)
        };
        let (url, seen) = serve(script).await;
        let response = send(&fast_options(), &url, true).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(seen.requests.load(Ordering::SeqCst), 2);

        let (url, seen) = serve(script).await;
        let err = send(&fast_options(), &url, false).await.unwrap_err();
        assert!(err.is_request(), "{err:?}");
        assert_eq!(seen.requests.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn retries_connect_errors_when_retry_safe() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        drop(listener);
        let mut options = fast_options();
        options.retry.initial_backoff = Duration::from_millis(200);
        options.retry.max_backoff = Duration::from_millis(200);
        let started = Instant::now();
        let err = send(&options, &url, true).await.unwrap_err();
        assert!(err.is_connect(), "{err:?}");
        // Two waits of at least half the 200 ms backoff each: the attempts were repeated.
        assert!(started.elapsed() >= Duration::from_millis(200));
        // Not retry-safe: with a 60 s backoff, one retry would wait at least 30 s; a refused
        // connection itself takes milliseconds, so 10 s leaves room for any machine load.
        options.retry.initial_backoff = Duration::from_secs(60);
        options.retry.max_backoff = Duration::from_secs(60);
        let started = Instant::now();
        let err = send(&options, &url, false).await.unwrap_err();
        assert!(err.is_connect(), "{err:?}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[tokio::test]
    async fn never_follows_redirects_even_over_a_users_builder() {
        let (target, target_seen) = serve(|_| reply(200)).await;
        for status in [301, 302, 303, 307, 308] {
            let location = target.clone();
            let (url, seen) = serve(move |_| Reply {
                headers: vec![("location", location.clone())],
                ..reply(status)
            })
            .await;
            let following = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::limited(10))
                .https_only(false);
            for custom in [None, Some(HttpClientBuilder::from(following))] {
                let options = fast_options();
                let client = options.http_client(custom).unwrap();
                let request = client
                    .post(&url)
                    .body("{\"Number\":\"4111111111111111\"}")
                    .build()
                    .unwrap();
                let response = Transport::new(&options)
                    .execute(&client, request, true)
                    .await
                    .unwrap();
                assert_eq!(response.status(), status);
            }
            assert_eq!(seen.requests.load(Ordering::SeqCst), 2, "{status}");
        }
        assert_eq!(target_seen.requests.load(Ordering::SeqCst), 0);
        // The target does answer when asked directly: the zero above means something.
        let options = fast_options();
        let client = options.build_http_client().unwrap();
        let response = client.get(&target).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(target_seen.requests.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn users_builder_is_not_shown_in_debug() {
        let mut headers = http::HeaderMap::new();
        headers.insert("x-api-key", HeaderValue::from_static("sk_live_1"));
        let custom = HttpClientBuilder::from(reqwest::Client::builder().default_headers(headers));
        assert_eq!(format!("{custom:?}"), "HttpClientBuilder(..)");
    }

    #[tokio::test]
    async fn streaming_bodies_are_sent_once() {
        let (url, seen) = serve(|n| if n == 0 { reply(503) } else { reply(200) }).await;
        let options = fast_options();
        let client = options.build_http_client().unwrap();
        let stream = futures::stream::iter([Ok::<_, std::io::Error>("{}".as_bytes())]);
        let request = client
            .post(&url)
            .header("content-length", "2")
            .body(reqwest::Body::wrap_stream(stream))
            .build()
            .unwrap();
        assert!(request.try_clone().is_none());
        let response = Transport::new(&options)
            .execute(&client, request, true)
            .await
            .unwrap();
        assert_eq!(response.status(), 503);
        assert_eq!(seen.requests.load(Ordering::SeqCst), 1);
    }

    async fn max_concurrency(limit: Option<usize>) -> usize {
        let (url, seen) = serve(|_| Reply {
            delay: Duration::from_millis(50),
            ..reply(200)
        })
        .await;
        let mut options = fast_options();
        options.max_in_flight = limit;
        let client = options.build_http_client().unwrap();
        let transport = Transport::new(&options);
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let (client, transport) = (client.clone(), transport.clone());
                let request = client.get(&url).build().unwrap();
                tokio::spawn(async move { transport.execute(&client, request, true).await })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap().status(), 200);
        }
        assert_eq!(seen.requests.load(Ordering::SeqCst), 10);
        seen.max_in_flight.load(Ordering::SeqCst)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn limits_requests_in_flight() {
        let limited = max_concurrency(Some(2)).await;
        assert!((1..=2).contains(&limited), "{limited}");
        // The server does see more at once without a limit, so the check above means something.
        assert!(max_concurrency(None).await > 2);
    }

    #[test]
    fn parses_retry_after() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480); // 2015-10-21T07:28:00Z
        let parse = |s: &str| parse_retry_after(&HeaderValue::from_str(s).unwrap(), now);
        assert_eq!(parse("5"), Some(Duration::from_secs(5)));
        assert_eq!(parse(" 0 "), Some(Duration::ZERO));
        assert_eq!(
            parse("99999999999999999999999"),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(
            parse("Wed, 21 Oct 2015 07:28:30 GMT"),
            Some(Duration::from_secs(30))
        );
        assert_eq!(parse("Wed, 21 Oct 2015 07:27:00 GMT"), Some(Duration::ZERO));
        for garbage in ["", "soon", "-5", "1.5", "5s", "Wed, 21 Oct 2015"] {
            assert_eq!(parse(garbage), None, "{garbage:?}");
        }
        let binary = HeaderValue::from_bytes(b"\xff5").unwrap();
        assert_eq!(parse_retry_after(&binary, now), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy::default();
        for _ in 0..50 {
            let first = policy.backoff(1);
            assert!(first >= Duration::from_millis(100) && first <= Duration::from_millis(200));
            let third = policy.backoff(3);
            assert!(third >= Duration::from_millis(400) && third <= Duration::from_millis(800));
            let late = policy.backoff(40);
            assert!(late >= Duration::from_millis(2500) && late <= Duration::from_secs(5));
        }
        assert!(policy.backoff(u32::MAX) <= Duration::from_secs(5));
    }

    #[test]
    fn defaults() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.max_attempts, 3);
        assert_eq!(policy.initial_backoff, Duration::from_millis(200));
        assert_eq!(policy.max_backoff, Duration::from_secs(5));
        assert_eq!(policy.max_retry_after, Duration::from_secs(60));
        assert_eq!(RetryPolicy::none().max_attempts, 1);
        let options = ClientOptions::new("ua");
        assert_eq!(options.timeout, Duration::from_secs(30));
        assert_eq!(options.connect_timeout, Duration::from_secs(10));
        assert_eq!(options.max_in_flight, None);
        assert_eq!(options.user_agent, "ua");
        assert!(is_retryable_status(StatusCode::REQUEST_TIMEOUT));
        assert!(!is_retryable_status(StatusCode::INTERNAL_SERVER_ERROR));
    }

    #[tokio::test]
    async fn sends_user_agent_and_no_default_auth() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let head = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 4096];
            let n = socket.read(&mut buf).await.unwrap();
            socket
                .write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n")
                .await
                .unwrap();
            String::from_utf8_lossy(&buf[..n]).to_ascii_lowercase()
        });
        let options = ClientOptions::new("payspec-test/1.0");
        let client = options.build_http_client().unwrap();
        let request = client.get(&url).build().unwrap();
        let response = Transport::new(&options)
            .execute(&client, request, false)
            .await
            .unwrap();
        assert_eq!(response.status(), 204);
        let head = head.await.unwrap();
        assert!(head.contains("user-agent: payspec-test/1.0\r\n"), "{head}");
        assert!(!head.contains("authorization"), "{head}");
    }
}
