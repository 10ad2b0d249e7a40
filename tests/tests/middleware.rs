//! Middleware on the generated clients: a real middleware crate (`reqwest-tracing`, whose
//! `TracingMiddleware` opens a span per request it sees) on an OpenAPI client and on the
//! DataContract client, and a middleware of our own that fails.
//!
//! What the tests show: middleware runs once per attempt (a retried read is seen three times,
//! with each attempt's status); it sees the request as sent, credential and per-call headers
//! in; per-call steps (validation, the credential check) run once, before it; a middleware's
//! error is `Error::Middleware`, and is not retried.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use payspec_runtime::reqwest_middleware::{self, Middleware, Next};
use payspec_runtime::{Error, RetryPolicy};
use payspec_tests::{Scripted, ScriptedServer};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// A span as it closed: its fields, as text.
type Fields = BTreeMap<String, String>;

/// A layer that keeps the fields of every span that closes.
#[derive(Clone, Default)]
struct Spans(Arc<Mutex<Vec<Fields>>>);

struct Text<'a>(&'a mut Fields);

impl Visit for Text<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(
            field.name().to_string(),
            format!("{value:?}").trim_matches('"').to_string(),
        );
    }
}

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> tracing_subscriber::Layer<S> for Spans {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::new();
        attrs.record(&mut Text(&mut fields));
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(fields) = span.extensions_mut().get_mut::<Fields>()
        {
            values.record(&mut Text(fields));
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(&id)
            && let Some(fields) = span.extensions_mut().remove::<Fields>()
        {
            self.0.lock().unwrap().push(fields);
        }
    }
}

impl Spans {
    /// The request spans of `reqwest-tracing`, in the order they closed: method and status.
    fn requests(&self) -> Vec<(String, String)> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|f| f.contains_key("http.request.method"))
            .map(|f| {
                (
                    f["http.request.method"].clone(),
                    f.get("http.response.status_code")
                        .cloned()
                        .unwrap_or_default(),
                )
            })
            .collect()
    }
}

fn quick() -> RetryPolicy {
    RetryPolicy {
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

/// One attempt as a middleware saw it: the credential header, whether it is marked
/// sensitive, and the per-call header.
type Attempt = (Option<String>, bool, Option<String>);

/// What a middleware of ours saw of each attempt; it fails every attempt when `fail` is set.
#[derive(Clone, Default)]
struct Watch {
    seen: Arc<Mutex<Vec<Attempt>>>,
    fail: bool,
}

#[derive(Debug)]
struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("refused by policy")
    }
}

impl std::error::Error for Refused {}

#[async_trait::async_trait]
impl Middleware for Watch {
    async fn handle(
        &self,
        req: reqwest::Request,
        extensions: &mut payspec_runtime::http::Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let text = |name: &str| {
            req.headers()
                .get(name)
                .map(|v| v.to_str().unwrap_or_default().to_string())
        };
        let sensitive = req
            .headers()
            .get("authorization")
            .is_some_and(|v| v.is_sensitive());
        self.seen.lock().unwrap().push((
            text("authorization"),
            sensitive,
            text("x-correlation-id"),
        ));
        if self.fail {
            return Err(reqwest_middleware::Error::middleware(Refused));
        }
        next.run(req, extensions).await
    }
}

/// The subscriber every test installs (on its own thread) while it runs.
fn record() -> (Spans, tracing::subscriber::DefaultGuard) {
    let spans = Spans::default();
    let subscriber = tracing_subscriber::registry().with(spans.clone());
    (spans, tracing::subscriber::set_default(subscriber))
}

#[tokio::test(flavor = "current_thread")]
async fn an_openapi_client_runs_middleware_once_per_attempt() {
    let (spans, _guard) = record();
    let server = ScriptedServer::start(vec![
        Scripted::text(503, "busy"),
        Scripted::text(502, "bad gateway"),
        Scripted {
            status: 200,
            headers: Vec::new(),
            body: payspec_tests::fixture_text("onecheckout", "me-response.json"),
        },
    ])
    .await;
    let watch = Watch::default();
    let client = payspec_onecheckout::Client::builder(server.url())
        .bearer_auth("tok_1")
        .retry(quick())
        .middleware(reqwest_tracing::TracingMiddleware::default())
        .middleware(watch.clone())
        .build()
        .unwrap();
    client
        .get_account()
        .header("X-Correlation-Id", "c-1")
        .await
        .expect("the third attempt succeeds");
    assert_eq!(server.requests().len(), 3);
    // reqwest-tracing saw every attempt, with its status.
    assert_eq!(
        spans.requests(),
        [
            ("GET".to_string(), "503".to_string()),
            ("GET".into(), "502".into()),
            ("GET".into(), "200".into()),
        ]
    );
    // Ours saw each attempt as sent: the credential (sensitive) and the per-call header.
    let seen = watch.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    for (auth, sensitive, correlation) in seen {
        assert_eq!(auth.as_deref(), Some("Bearer tok_1"));
        assert!(sensitive);
        assert_eq!(correlation.as_deref(), Some("c-1"));
    }

    // Validation and the credential check run once per call, before any middleware.
    let before = server.requests().len();
    let err = client.get_order("").await.expect_err("an empty id");
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    assert_eq!(watch.seen.lock().unwrap().len(), 3);
    assert_eq!(server.requests().len(), before);
}

#[tokio::test(flavor = "current_thread")]
async fn a_middlewares_error_is_typed_and_not_retried() {
    let server = ScriptedServer::start(vec![]).await;
    let watch = Watch {
        fail: true,
        ..Watch::default()
    };
    let client = payspec_onecheckout::Client::builder(server.url())
        .bearer_auth("tok_1")
        .retry(quick())
        .middleware(watch.clone())
        .build()
        .unwrap();
    let err = client.get_account().await.expect_err("refused");
    match &err {
        Error::Middleware(e) => assert_eq!(e.to_string(), "refused by policy"),
        other => panic!("{other:?}"),
    }
    assert_eq!(err.to_string(), "middleware: refused by policy");
    assert_eq!(watch.seen.lock().unwrap().len(), 1, "not retried");
    assert!(server.requests().is_empty());

    // The DataContract client the same way.
    let client = payspec_processone::Client::builder(server.url())
        .authentication_key("key_1")
        .retry(quick())
        .middleware(watch.clone())
        .build()
        .unwrap();
    let err = client
        .check_health_status(
            payspec_processone::contracts::health_status::CheckHealthStatusRequest::new(),
        )
        .await
        .expect_err("refused");
    assert!(matches!(err, Error::Middleware(_)), "{err:?}");
    assert_eq!(watch.seen.lock().unwrap().len(), 2);
    assert!(server.requests().is_empty());
}

#[tokio::test(flavor = "current_thread")]
async fn the_datacontract_client_runs_middleware_once_per_attempt() {
    let (spans, _guard) = record();
    let server = ScriptedServer::start(vec![
        Scripted::text(503, "busy"),
        Scripted {
            status: 200,
            headers: Vec::new(),
            body: payspec_tests::fixture_text(
                "processone",
                "json/HealthStatus.CheckHealthStatusResponse.json",
            ),
        },
    ])
    .await;
    let client = payspec_processone::Client::builder(server.url())
        .authentication_key("key_1")
        .retry(quick())
        .middleware(reqwest_tracing::TracingMiddleware::default())
        .build()
        .unwrap();
    client
        .check_health_status(
            payspec_processone::contracts::health_status::CheckHealthStatusRequest::new(),
        )
        .await
        .expect("the second attempt succeeds");
    assert_eq!(
        spans.requests(),
        [
            ("POST".to_string(), "503".to_string()),
            ("POST".into(), "200".into()),
        ]
    );
}
