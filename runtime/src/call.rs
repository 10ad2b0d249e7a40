//! One call of an operation, and what it gives back.
//!
//! Every operation method of a generated client returns a [`Call`]: a request builder that
//! is `.await`ed as it is (giving the operation's output), or first given per-call options
//! ([`Call::timeout`], [`Call::retry`], [`Call::header`], [`Call::idempotency_key`]), or sent
//! with [`Call::send_with_metadata`] to get the output together with the response's status,
//! headers, request id and rate-limit headers ([`Response`]).
//!
//! ```no_run
//! # async fn example(call: payspec_runtime::Call<'_, String, ()>) -> Result<(), payspec_runtime::Error<()>> {
//! use std::time::Duration;
//!
//! let response = call
//!     .timeout(Duration::from_secs(90))
//!     .header("x-correlation-id", "order-4711")
//!     .send_with_metadata()
//!     .await?;
//! println!("{} {:?}", response.status(), response.request_id());
//! let output = response.into_output();
//! # Ok(())
//! # }
//! ```
//!
//! # What a call does, in order
//!
//! Once per call:
//!
//! 1. the request is validated against the spec's constraints; a violation is
//!    [`Error::Validation`] and nothing is sent;
//! 2. the client checks it has a credential the operation accepts
//!    ([`Error::MissingCredential`]) and that no per-call header would replace one the client
//!    sets itself ([`Error::ReservedHeader`], [`Error::InvalidHeader`]);
//! 3. where the spec names an idempotency header (`x-idempotency-key`), the call's key is
//!    chosen: the one given with [`Call::idempotency_key`], otherwise a fresh UUID v4;
//! 4. the request is built: path, query, body, the credentials, the per-call headers, the
//!    idempotency key.
//!
//! Once per attempt (see [`crate::transport`] for when there is more than one):
//!
//! 5. the client's middleware, if any, then the HTTP client send the request; every attempt
//!    carries the same headers and body, the same idempotency key included;
//! 6. a transient failure (a connection error, a timeout, 408, 429, 502, 503, 504) is
//!    retried only when the operation is safe to repeat: a read, a write the spec marks
//!    `x-idempotent`, or an operation sent with an idempotency key. A money-moving operation
//!    without a key is sent exactly once.
//!
//! Once per call again, on the last attempt's answer: a redirect is refused
//! ([`Error::Redirect`]), a documented error is read into [`Error::Api`], a success body is
//! decoded into the operation's output.
//!
//! # Defaults
//!
//! An option not set on the call is the client's: the builder's timeout and retry policy.
//! Per-call headers are sent in addition to the client's; they never replace the credentials
//! or the idempotency key.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use crate::error::{BoxError, Error, RedactedHeaders, request_id};
pub use crate::rate_limit::RateLimit;
use crate::transport::{RetryPolicy, Transport};

/// Settings for one call, over the client's. Set them on the [`Call`] itself
/// ([`Call::timeout`], ...), or build a `CallOptions` once and give it to many calls with
/// [`Call::options`].
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct CallOptions {
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    headers: HeaderMap,
    idempotency_key: Option<String>,
    /// The name of a header that could not be added (not a valid name or value), reported
    /// when the call is sent.
    invalid_header: Option<String>,
    /// Where a middleware's error waits for the typed method, when the client has middleware
    /// (progenitor's error type cannot carry it).
    failure: Option<Arc<Mutex<Option<BoxError>>>>,
}

impl CallOptions {
    /// No per-call settings: the client's apply.
    pub fn new() -> Self {
        CallOptions::default()
    }

    /// The limit for this call's every attempt, from connecting to the end of the response
    /// body, in place of the client's timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The retry policy of this call, in place of the client's. It only applies to an
    /// operation that is safe to repeat (see [`crate::call`]).
    pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// A header sent with this call (on every attempt), in addition to the client's. A second
    /// value for the same name is sent as a second header line.
    ///
    /// A name or value that is not valid in HTTP, and a header the client sets itself (a
    /// credential's header, `authorization`, `proxy-authorization`, the operation's
    /// idempotency header), make the call fail before sending, with [`Error::InvalidHeader`]
    /// or [`Error::ReservedHeader`] naming the header. Values are never printed.
    pub fn with_header<N, V>(mut self, name: N, value: V) -> Self
    where
        N: TryInto<HeaderName>,
        V: TryInto<HeaderValue>,
    {
        let name = match name.try_into() {
            Ok(name) => name,
            Err(_) => {
                self.invalid_header
                    .get_or_insert_with(|| "<invalid name>".into());
                return self;
            }
        };
        match value.try_into() {
            Ok(mut value) => {
                // Per-call headers may carry anything (a signature, a token of the user's):
                // never printed, never logged.
                value.set_sensitive(true);
                self.headers.append(name, value);
            }
            Err(_) => {
                self.invalid_header
                    .get_or_insert_with(|| name.as_str().to_string());
            }
        }
        self
    }

    /// The idempotency key of this call, for an operation whose spec names an idempotency
    /// header (`x-idempotency-key`); without it, the call gets a fresh UUID v4. Give your
    /// own key to make a later call a replay of this one: the provider then answers it with
    /// the stored response instead of acting twice.
    ///
    /// For an operation without an idempotency header the key is not sent, and the call is
    /// retried only as the operation's retry class allows.
    pub fn with_idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// These options without an idempotency key: for calls that must each get their own
    /// (the pages of a stream).
    pub fn without_idempotency_key(mut self) -> Self {
        self.idempotency_key = None;
        self
    }

    /// The per-call timeout, if one is set.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The per-call retry policy, if one is set.
    pub fn retry(&self) -> Option<&RetryPolicy> {
        self.retry.as_ref()
    }

    /// The per-call headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The idempotency key given for this call, if any (after [`CallOptions::prepare`], the
    /// one the call sends).
    pub fn idempotency_key(&self) -> Option<&str> {
        self.idempotency_key.as_deref()
    }

    /// Checks these options for an operation of a client whose credentials travel in the
    /// headers for which `reserved` (given a lowercase name) is true, and whose idempotency header is `idempotency`;
    /// then, when the operation has an idempotency header and no key was given, picks a fresh
    /// UUID v4. Called once per call, before the first attempt, so every retry of the call
    /// reuses the same key.
    #[doc(hidden)]
    #[allow(clippy::result_large_err)] // the operations' own error type
    pub fn prepare<E>(
        mut self,
        reserved: impl Fn(&str) -> bool,
        idempotency: Option<&str>,
    ) -> Result<CallOptions, Error<E>> {
        if let Some(name) = self.invalid_header.take() {
            return Err(Error::InvalidHeader { name });
        }
        for name in self.headers.keys() {
            let name = name.as_str();
            if reserved(name)
                || ALWAYS_RESERVED.contains(&name)
                || idempotency.is_some_and(|i| i.eq_ignore_ascii_case(name))
            {
                return Err(Error::ReservedHeader {
                    name: name.to_string(),
                });
            }
        }
        let Some(header) = idempotency else {
            self.idempotency_key = None;
            return Ok(self);
        };
        match &self.idempotency_key {
            Some(key) if HeaderValue::from_str(key).is_err() => {
                return Err(Error::InvalidHeader {
                    name: header.to_string(),
                });
            }
            Some(_) => {}
            None => self.idempotency_key = Some(uuid::Uuid::new_v4().to_string()),
        }
        Ok(self)
    }

    /// Sends `request` through `transport` with these options: the per-call headers, the
    /// idempotency key in the header `idempotency` names and the timeout go into the request;
    /// it is retried when `retry_safe` or when it carries a key, with this call's retry policy
    /// or the transport's. Not an `async fn`: the returned future is the transport's own, so
    /// a call has no extra layer of future to move.
    #[doc(hidden)]
    pub fn send<'a>(
        &'a self,
        transport: &'a Transport,
        client: &'a reqwest::Client,
        mut request: reqwest::Request,
        retry_safe: bool,
        idempotency: Option<&str>,
    ) -> impl Future<Output = reqwest_middleware::Result<reqwest::Response>> + Send + 'a {
        let keyed = self.apply(&mut request, idempotency);
        let policy = self
            .retry
            .as_ref()
            .unwrap_or_else(|| transport.retry_policy());
        transport.execute_with(client, request, retry_safe || keyed, policy)
    }

    /// Puts these options into `request`: the per-call headers, the idempotency key in the
    /// header `idempotency` names, the timeout. Returns whether the call carries an
    /// idempotency key (and so may be retried).
    fn apply(&self, request: &mut reqwest::Request, idempotency: Option<&str>) -> bool {
        if let Some(timeout) = self.timeout {
            *request.timeout_mut() = Some(timeout);
        }
        let headers = request.headers_mut();
        for (name, value) in &self.headers {
            headers.append(name.clone(), value.clone());
        }
        if let (Some(header), Some(key)) = (idempotency, &self.idempotency_key)
            && let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(header.as_bytes()),
                HeaderValue::from_str(key),
            )
        {
            headers.insert(name, value);
            return true;
        }
        false
    }

    /// These options, able to keep a middleware's error ([`CallOptions::keep_failure`]).
    pub(crate) fn keeping_failures(mut self) -> Self {
        self.failure = Some(Arc::default());
        self
    }

    /// Keeps a middleware's error for [`call_error`].
    pub(crate) fn keep_failure(&self, error: BoxError) {
        if let Some(slot) = &self.failure {
            *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(error);
        }
    }

    /// The middleware's error kept by [`CallOptions::keep_failure`].
    fn take_failure(&self) -> Option<BoxError> {
        let slot = self.failure.as_ref()?;
        slot.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// The error of a typed method's call that failed inside progenitor's low-level client: the
/// middleware's error if that was it (kept in the call's `options`), otherwise progenitor's
/// error converted ([`crate::from_progenitor`]).
#[doc(hidden)]
pub async fn call_error<E>(
    err: progenitor_client::Error<E>,
    options: &CallOptions,
    request_id_header: Option<&str>,
) -> Error<E> {
    match options.take_failure() {
        Some(failure) => Error::Middleware(failure),
        None => crate::error::from_progenitor(err, request_id_header).await,
    }
}

/// Headers no call may set: they authenticate, whatever the client's schemes.
const ALWAYS_RESERVED: [&str; 2] = ["authorization", "proxy-authorization"];

impl fmt::Debug for CallOptions {
    /// Header names only: a per-call header's value may be a secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.keys().map(HeaderName::as_str).collect();
        f.debug_struct("CallOptions")
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("headers", &names)
            .field("idempotency_key", &self.idempotency_key)
            .finish()
    }
}

/// What sends a call once its options are known: the future of the operation's output with
/// its metadata. Generated operation methods give [`Call::new`] a closure; the trait names its
/// future, so a `Call` needs no allocation.
pub trait Start<'a, T, E>: Send + 'a {
    /// The call's future.
    type Future: Future<Output = Result<Response<T>, Error<E>>> + Send + 'a;

    /// Starts the call with `options`.
    fn start(self, options: CallOptions) -> Self::Future;
}

impl<'a, T, E, F, Fut> Start<'a, T, E> for F
where
    F: FnOnce(CallOptions) -> Fut + Send + 'a,
    Fut: Future<Output = Result<Response<T>, Error<E>>> + Send + 'a,
{
    type Future = Fut;

    fn start(self, options: CallOptions) -> Fut {
        self(options)
    }
}

/// A [`Start`] whose type is known: what [`Call::boxed`] makes, so a call can be stored or
/// returned by a name.
pub struct Boxed<'a, T, E>(
    Box<dyn FnOnce(CallOptions) -> BoxFuture<'a, Outcome<T, E>> + Send + 'a>,
);

/// What a call ends with: the output with its metadata, or the error.
type Outcome<T, E> = Result<Response<T>, Error<E>>;

/// A boxed future, [`Send`].
pub type BoxFuture<'a, O> = Pin<Box<dyn Future<Output = O> + Send + 'a>>;

impl<'a, T: 'a, E: 'a> Start<'a, T, E> for Boxed<'a, T, E> {
    type Future = BoxFuture<'a, Outcome<T, E>>;

    fn start(self, options: CallOptions) -> Self::Future {
        (self.0)(options)
    }
}

pin_project_lite::pin_project! {
    /// One call of an operation: a future of the operation's output, which first takes
    /// per-call options. `.await` it (or pass it to `block_on`, `join_all`, `tokio::spawn`,
    /// ...) for the output; [`Call::send_with_metadata`] gives the output with the response's
    /// status, headers and request id.
    ///
    /// Nothing happens until it is polled: a `Call` that is dropped sends nothing. The options
    /// are read when it is first polled. See [`crate::call`] for what a call does and which
    /// options it takes.
    ///
    /// `S` is what the generated method does to send it (an `impl Start`); [`Call::boxed`]
    /// gives a call whose type can be written, `Call<'a, T, E>`.
    #[must_use = "a call sends nothing until it is awaited"]
    pub struct Call<'a, T, E, S = Boxed<'a, T, E>>
    where
        S: Start<'a, T, E>,
    {
        #[pin]
        state: State<S, Pin<Box<S::Future>>>,
        marker: PhantomData<fn() -> (&'a (), T, E)>,
    }
}

pin_project_lite::pin_project! {
    /// Where a [`Call`] is: not sent yet, or sent.
    #[project = StateProj]
    #[project_replace = StateReplace]
    enum State<S, F> {
        Ready { options: CallOptions, start: S },
        Sent { #[pin] future: F },
        // Between the two, while the call's first poll moves one into the other.
        Moving,
    }
}

impl<'a, T: 'a, E: 'a> Call<'a, T, E> {
    /// The call that `run` makes with the options set on it. Generated operation methods
    /// build their calls with it.
    #[doc(hidden)]
    pub fn new<F: Start<'a, T, E>>(run: F) -> Call<'a, T, E, F> {
        Call {
            state: State::Ready {
                options: CallOptions::default(),
                start: run,
            },
            marker: PhantomData,
        }
    }
}

impl<'a, T: 'a, E: 'a, S: Start<'a, T, E>> Call<'a, T, E, S> {
    /// The options, for a builder method to change (none once the call is sent).
    fn with(mut self, change: impl FnOnce(CallOptions) -> CallOptions) -> Self {
        if let State::Ready { options, .. } = &mut self.state {
            *options = change(std::mem::take(options));
        }
        self
    }

    /// The limit for each attempt of this call, in place of the client's timeout
    /// ([`CallOptions::with_timeout`]).
    pub fn timeout(self, timeout: Duration) -> Self {
        self.with(|o| o.with_timeout(timeout))
    }

    /// The retry policy of this call, in place of the client's ([`CallOptions::with_retry`]).
    pub fn retry(self, policy: RetryPolicy) -> Self {
        self.with(|o| o.with_retry(policy))
    }

    /// A header sent with this call, in addition to the client's
    /// ([`CallOptions::with_header`]).
    pub fn header<N, V>(self, name: N, value: V) -> Self
    where
        N: TryInto<HeaderName>,
        V: TryInto<HeaderValue>,
    {
        self.with(|o| o.with_header(name, value))
    }

    /// The idempotency key of this call ([`CallOptions::with_idempotency_key`]).
    pub fn idempotency_key(self, key: impl Into<String>) -> Self {
        self.with(|o| o.with_idempotency_key(key))
    }

    /// Replaces every per-call option with `options`.
    pub fn options(self, options: CallOptions) -> Self {
        self.with(|_| options)
    }

    /// The options set so far (`None` once the call is sent).
    pub fn call_options(&self) -> Option<&CallOptions> {
        match &self.state {
            State::Ready { options, .. } => Some(options),
            State::Sent { .. } | State::Moving => None,
        }
    }

    /// The call itself: `.send().await` reads the same as `.await`.
    pub fn send(self) -> Self {
        self
    }

    /// Sends the call; the output with the response's status, headers, request id and
    /// idempotency key. Errors are the same as the call's own, and keep the request id too
    /// ([`Error::request_id`]).
    pub fn send_with_metadata(
        self,
    ) -> impl Future<Output = Result<Response<T>, Error<E>>> + Send + 'a {
        WithMetadata { call: self }
    }

    /// The same call, with a type that can be written (`Call<'a, T, E>`): to keep calls of
    /// several operations in one collection, or return one from a function. Costs one
    /// allocation.
    pub fn boxed(self) -> Call<'a, T, E> {
        let state = match self.state {
            State::Ready { options, start } => State::Ready {
                options,
                start: Boxed(Box::new(move |options| {
                    Box::pin(start.start(options)) as BoxFuture<'a, _>
                })),
            },
            // Not reachable: only a pinned call is ever sent, and a pinned call is not moved.
            State::Sent { .. } | State::Moving => State::Moving,
        };
        Call {
            state,
            marker: PhantomData,
        }
    }

    /// Polls the call's future of the output with its metadata, started on the first poll.
    #[allow(clippy::result_large_err)] // the operations' own error type
    fn poll_response(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Response<T>, Error<E>>> {
        let mut state = self.project().state;
        if let StateProj::Ready { .. } = state.as_mut().project()
            && let StateReplace::Ready { options, start } =
                state.as_mut().project_replace(State::Moving)
        {
            // On the heap: the future of a whole call is a few KiB, and a `Call` is moved
            // (into `block_on`, a `join_all`, a caller's future) more often than it is polled.
            state.set(State::Sent {
                future: Box::pin(start.start(options)),
            });
        }
        match state.project() {
            StateProj::Sent { future } => future.poll(cx),
            // Not reachable: `Ready` became `Sent` above, and nothing else makes `Moving`.
            StateProj::Ready { .. } | StateProj::Moving => Poll::Pending,
        }
    }
}

impl<'a, T: 'a, E: 'a, S: Start<'a, T, E>> Future for Call<'a, T, E, S> {
    type Output = Result<T, Error<E>>;

    #[allow(clippy::result_large_err)] // the operations' own error type
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.poll_response(cx).map(|r| r.map(Response::into_output))
    }
}

pin_project_lite::pin_project! {
    /// [`Call::send_with_metadata`]'s future.
    struct WithMetadata<'a, T, E, S>
    where
        S: Start<'a, T, E>,
    {
        #[pin]
        call: Call<'a, T, E, S>,
    }
}

impl<'a, T: 'a, E: 'a, S: Start<'a, T, E>> Future for WithMetadata<'a, T, E, S> {
    type Output = Result<Response<T>, Error<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().call.poll_response(cx)
    }
}

impl<'a, T, E, S: Start<'a, T, E>> fmt::Debug for Call<'a, T, E, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Call");
        match &self.state {
            State::Ready { options, .. } => d.field("options", options),
            State::Sent { .. } | State::Moving => d.field("sent", &true),
        };
        d.finish_non_exhaustive()
    }
}

/// An operation's output with what the response said besides ([`Call::send_with_metadata`]).
#[non_exhaustive]
pub struct Response<T> {
    output: T,
    meta: ResponseMeta,
}

impl<T> Response<T> {
    /// `output` with the metadata of the response it came in.
    #[doc(hidden)]
    pub fn new(output: T, meta: ResponseMeta) -> Self {
        Response { output, meta }
    }

    /// The operation's output.
    pub fn output(&self) -> &T {
        &self.output
    }

    /// The operation's output, without the metadata.
    pub fn into_output(self) -> T {
        self.output
    }

    /// The output and the metadata.
    pub fn into_parts(self) -> (T, ResponseMeta) {
        (self.output, self.meta)
    }

    /// The metadata: status, headers, request id, idempotency key.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// The response status ([`ResponseMeta::status`]).
    pub fn status(&self) -> StatusCode {
        self.meta.status
    }

    /// The response headers ([`ResponseMeta::headers`]).
    pub fn headers(&self) -> &HeaderMap {
        &self.meta.headers
    }

    /// The provider's request id ([`ResponseMeta::request_id`]).
    pub fn request_id(&self) -> Option<&str> {
        self.meta.request_id()
    }

    /// The idempotency key the call was sent with ([`ResponseMeta::idempotency_key`]).
    pub fn idempotency_key(&self) -> Option<&str> {
        self.meta.idempotency_key()
    }

    /// The response's rate-limit headers, parsed ([`ResponseMeta::rate_limit`]).
    pub fn rate_limit(&self) -> RateLimit {
        self.meta.rate_limit()
    }

    /// The same response as progenitor's type, for the low-level client's methods.
    #[doc(hidden)]
    pub fn into_progenitor(self) -> progenitor_client::ResponseValue<T> {
        progenitor_client::ResponseValue::new(self.output, self.meta.status, self.meta.headers)
    }

    /// The answer to a call sent with `options`, whose success status has no documented
    /// body (`request_id_header`: see [`ResponseMeta::new`]).
    #[doc(hidden)]
    pub fn empty(
        mut response: reqwest::Response,
        request_id_header: Option<&'static str>,
        options: &CallOptions,
    ) -> Response<()> {
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        Response::new(
            (),
            ResponseMeta::new(status, headers, request_id_header, options),
        )
    }
}

impl<T: fmt::Debug> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("output", &self.output)
            .field("meta", &self.meta)
            .finish()
    }
}

/// What a successful response said besides its body.
#[non_exhaustive]
pub struct ResponseMeta {
    status: StatusCode,
    headers: HeaderMap,
    request_id_header: Option<&'static str>,
    idempotency_key: Option<String>,
}

impl ResponseMeta {
    /// The metadata of a response with `status` and `headers` to a call sent with `options`,
    /// of an operation whose request id travels in `request_id_header` (from the spec).
    #[doc(hidden)]
    pub fn new(
        status: StatusCode,
        headers: HeaderMap,
        request_id_header: Option<&'static str>,
        options: &CallOptions,
    ) -> Self {
        ResponseMeta {
            status,
            headers,
            request_id_header,
            idempotency_key: options.idempotency_key.clone(),
        }
    }

    /// The response status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The provider's id of this request, from the header the spec names (`x-request-id`),
    /// when the response carried it: what the provider's support asks for. `None` when the
    /// provider documents no such header (see the crate's README) or did not send it.
    pub fn request_id(&self) -> Option<&str> {
        request_id(&self.headers, self.request_id_header)
    }

    /// The idempotency key the call was sent with (given, or the fresh one), for an
    /// operation whose spec names an idempotency header. Sending another call with this key
    /// replays this one.
    pub fn idempotency_key(&self) -> Option<&str> {
        self.idempotency_key.as_deref()
    }

    /// The rate-limit headers of the response, parsed ([`RateLimit`]).
    pub fn rate_limit(&self) -> RateLimit {
        RateLimit::from_headers(&self.headers, SystemTime::now())
    }
}

impl fmt::Debug for ResponseMeta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseMeta")
            .field("status", &self.status)
            .field("request_id", &self.request_id())
            .field("idempotency_key", &self.idempotency_key)
            .field("headers", &RedactedHeaders(&self.headers))
            .finish()
    }
}

/// A documented JSON response to a call sent with `options`: the body decoded as `T`, with
/// the response's metadata (`request_id_header`: see [`ResponseMeta::new`]). Generated
/// `raw.rs` calls it in place of progenitor's `ResponseValue::from_response`, with the same
/// errors (`ResponseBodyError` when the body cannot be read, `InvalidResponsePayload` with the
/// body when it does not decode), but moving the headers out of the response instead of
/// copying them.
pub async fn progenitor_response<T: serde::de::DeserializeOwned, E>(
    mut response: reqwest::Response,
    request_id_header: Option<&'static str>,
    options: &CallOptions,
) -> Result<Response<T>, progenitor_client::Error<E>> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let body = response
        .bytes()
        .await
        .map_err(progenitor_client::Error::ResponseBodyError)?;
    match serde_json::from_slice(&body) {
        Ok(inner) => Ok(Response::new(
            inner,
            ResponseMeta::new(status, headers, request_id_header, options),
        )),
        Err(e) => Err(progenitor_client::Error::InvalidResponsePayload(body, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_that_authenticate_are_refused_by_name() {
        for name in [
            "authorization",
            "Proxy-Authorization",
            "x-api-key",
            "idempotency-key",
        ] {
            let options = CallOptions::new().with_header(name, "v");
            let err = options
                .prepare::<()>(|n| n == "x-api-key", Some("idempotency-key"))
                .unwrap_err();
            match err {
                Error::ReservedHeader { name: n } => assert_eq!(n, name.to_ascii_lowercase()),
                other => panic!("{other:?}"),
            }
        }
        let ok = CallOptions::new()
            .with_header("x-correlation-id", "c-1")
            .prepare::<()>(|n| n == "x-api-key", None)
            .unwrap();
        assert_eq!(ok.headers()["x-correlation-id"], "c-1");
    }

    #[test]
    fn invalid_headers_are_named_and_their_values_never_shown() {
        let err = CallOptions::new()
            .with_header("x-note", "line\nbreak sk_live_1")
            .prepare::<()>(|_| false, None)
            .unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(text.contains("x-note"), "{text}");
        assert!(!text.contains("sk_live_1"), "{text}");
        assert!(matches!(
            CallOptions::new()
                .with_header("bad name", "v")
                .prepare::<()>(|_| false, None),
            Err(Error::InvalidHeader { .. })
        ));
        assert!(matches!(
            CallOptions::new()
                .with_idempotency_key("two\nlines")
                .prepare::<()>(|_| false, Some("idempotency-key")),
            Err(Error::InvalidHeader { name }) if name == "idempotency-key"
        ));
        let debug = format!(
            "{:?}",
            CallOptions::new().with_header("x-signature", "sig_secret_1")
        );
        assert!(
            debug.contains("x-signature") && !debug.contains("sig_secret_1"),
            "{debug}"
        );
    }

    #[test]
    fn a_key_is_picked_once_per_call_and_only_where_the_spec_names_a_header() {
        let a = CallOptions::new()
            .prepare::<()>(|_| false, Some("idempotency-key"))
            .unwrap();
        let b = CallOptions::new()
            .prepare::<()>(|_| false, Some("idempotency-key"))
            .unwrap();
        let (a, b) = (a.idempotency_key().unwrap(), b.idempotency_key().unwrap());
        assert_ne!(a, b);
        let parsed = uuid::Uuid::parse_str(a).unwrap();
        assert_eq!(parsed.get_version_num(), 4);

        let given = CallOptions::new()
            .with_idempotency_key("order-42")
            .prepare::<()>(|_| false, Some("idempotency-key"))
            .unwrap();
        assert_eq!(given.idempotency_key(), Some("order-42"));
        let none = CallOptions::new()
            .with_idempotency_key("order-42")
            .prepare::<()>(|_| false, None)
            .unwrap();
        assert_eq!(none.idempotency_key(), None);
    }

    #[test]
    fn options_go_into_the_request() {
        let client = reqwest::Client::new();
        let mut request = client.post("http://127.0.0.1:1/x").build().unwrap();
        let options = CallOptions::new()
            .with_timeout(Duration::from_secs(90))
            .with_header("x-correlation-id", "c-1")
            .with_header("x-tag", "a")
            .with_header("x-tag", "b")
            .with_idempotency_key("order-42")
            .prepare::<()>(|_| false, Some("idempotency-key"))
            .unwrap();
        assert!(options.apply(&mut request, Some("idempotency-key")));
        assert_eq!(request.timeout(), Some(&Duration::from_secs(90)));
        let h = request.headers();
        assert_eq!(h["x-correlation-id"], "c-1");
        assert_eq!(h.get_all("x-tag").iter().count(), 2);
        assert_eq!(h["idempotency-key"], "order-42");

        let mut plain = client.get("http://127.0.0.1:1/x").build().unwrap();
        assert!(!CallOptions::new().apply(&mut plain, None));
        assert_eq!(plain.timeout(), None);
        assert!(plain.headers().is_empty());
    }

    #[tokio::test]
    async fn a_call_is_sent_with_its_options_and_awaits_to_its_output() {
        let make = || {
            Call::<'_, u32, ()>::new(|options: CallOptions| async move {
                let mut headers = HeaderMap::new();
                headers.insert("x-request-id", HeaderValue::from_static("req_1"));
                let seen = options.timeout().map_or(0, |t| t.as_secs() as u32);
                Ok(Response::new(
                    seen,
                    ResponseMeta::new(StatusCode::CREATED, headers, Some("x-request-id"), &options),
                ))
            })
        };
        assert_eq!(make().await.unwrap(), 0);
        assert_eq!(make().timeout(Duration::from_secs(7)).await.unwrap(), 7);
        let response = make()
            .options(CallOptions::new().with_timeout(Duration::from_secs(3)))
            .send_with_metadata()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.request_id(), Some("req_1"));
        assert_eq!(*response.output(), 3);
        // Calls of one type, for a collection: the options set before boxing are kept.
        let calls: Vec<Call<'_, u32, ()>> = vec![
            make().boxed(),
            make().timeout(Duration::from_secs(9)).boxed(),
        ];
        let outputs: Vec<u32> = futures::future::join_all(calls)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(outputs, [0, 9]);
        let debug = format!("{:?}", make().header("x-secret", "s_1"));
        assert!(
            debug.contains("x-secret") && !debug.contains("s_1"),
            "{debug}"
        );
    }
}
