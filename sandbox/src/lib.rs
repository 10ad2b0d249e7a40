//! An embedded, stateful, offline simulator of the payment providers payspec generates clients
//! for. Each provider is served on its own loopback port, with the behaviour of the provider's
//! documented test environment: state (orders, transactions), the documented error shapes, and
//! requests checked against the same specs the clients are generated from (the simulators use the
//! generated types, so the specs drive both sides).
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let sandbox = payspec_sandbox::Sandbox::start().await?;
//! let client = payspec_onecp::Client::builder(&sandbox.onecp.base_url)
//!     .basic_auth(&sandbox.onecp.credentials.id, sandbox.onecp.credentials.secret.as_str())
//!     .build()
//!     .expect("client");
//! # let _ = client;
//! # Ok(())
//! # }
//! ```
//!
//! The sandbox stops when the [`Sandbox`] is dropped. Ids are deterministic for a given seed
//! ([`SandboxOptions::seed`]), so tests can assert on them.
#![deny(missing_docs)]

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;

use common::body::MAX_BODY_BYTES;
use common::simulator::Simulator;

mod common;
pub mod n1co;
pub mod onecheckout;
pub mod onecp;
pub mod processone;
pub mod schema;

pub use common::clock::NOW_HEADER;
pub use common::ids::Ids;

/// Every simulator, in the order [`Sandbox::providers`] lists them: the one place that names
/// them all.
const SIMULATORS: [&dyn Simulator; 4] = [
    &onecp::Onecp,
    &onecheckout::Onecheckout,
    &n1co::N1co,
    &processone::ProcessOne,
];

/// The test credentials a provider's simulator accepts.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// The id (1-CP: the widget / client id) or the key name.
    pub id: String,
    /// The secret, token or key.
    pub secret: String,
    /// A second credential where the provider has two (Onecheckout: the `X-API-Key` key).
    pub api_key: Option<String>,
    /// The secret that signs the webhooks the simulator sends (n1co), where it sends any.
    pub webhook_secret: Option<String>,
}

/// One simulated provider: where it listens and what it accepts.
#[derive(Clone, Debug)]
pub struct Provider {
    /// The provider's name (`onecp`, `onecheckout`, ...).
    pub name: &'static str,
    /// The base URL to give the generated client (`http://127.0.0.1:PORT`, plus the API's
    /// path prefix where the real servers have one).
    pub base_url: String,
    /// The test credentials.
    pub credentials: Credentials,
}

/// How to start a sandbox.
#[derive(Clone, Debug, Default)]
pub struct SandboxOptions {
    /// The seed of the deterministic ids (default 0).
    pub seed: u64,
    /// Ports per provider (0: any free port).
    pub onecp_port: u16,
    /// See [`SandboxOptions::onecp_port`].
    pub onecheckout_port: u16,
    /// See [`SandboxOptions::onecp_port`].
    pub n1co_port: u16,
    /// See [`SandboxOptions::onecp_port`].
    pub processone_port: u16,
    /// Where the n1co simulator POSTs its webhooks (none when `None`; it can also be set while
    /// running, see [`n1co`]).
    pub n1co_webhook_url: Option<String>,
    /// Lifts the rate limits that the simulators enforce as their providers document them
    /// (Onecheckout: 10 requests in flight and 1000 a minute per credential). Only for load
    /// tests of the sandbox itself; a client's tests want the limits.
    pub unlimited: bool,
}

/// A running sandbox: one loopback server per provider. Dropping it stops them.
#[derive(Debug)]
pub struct Sandbox {
    /// 1-CP Corporate Checkout.
    pub onecp: Provider,
    /// Onecheckout.
    pub onecheckout: Provider,
    /// n1co CheckoutLink.
    pub n1co: Provider,
    /// OneInc ProcessOne (JSON and XML on the same URL).
    pub processone: Provider,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Sandbox {
    /// Starts every simulator on free loopback ports, with seed 0.
    pub async fn start() -> std::io::Result<Sandbox> {
        Self::start_with(SandboxOptions::default()).await
    }

    /// Starts every simulator with `options`.
    pub async fn start_with(options: SandboxOptions) -> std::io::Result<Sandbox> {
        let ids = Arc::new(Ids::new(options.seed));
        let mut tasks = Vec::new();
        let mut served = Vec::with_capacity(SIMULATORS.len());
        for simulator in SIMULATORS {
            served.push(serve(simulator, &ids, &options, &mut tasks).await?);
        }
        let [onecp, onecheckout, n1co, processone]: [Provider; 4] = served
            .try_into()
            .map_err(|_| std::io::Error::other("the registry lists four simulators"))?;
        Ok(Sandbox {
            onecp,
            onecheckout,
            n1co,
            processone,
            tasks,
        })
    }

    /// Every provider, in a fixed order.
    pub fn providers(&self) -> Vec<&Provider> {
        vec![&self.onecp, &self.onecheckout, &self.n1co, &self.processone]
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Serves `simulator` on loopback (its port in `options`, 0: a free one) until the sandbox is
/// dropped, every request body capped by [`MAX_BODY_BYTES`] unless a route says otherwise; the
/// provider as clients see it, its base URL ending with the simulator's path prefix.
async fn serve(
    simulator: &dyn Simulator,
    ids: &Arc<Ids>,
    options: &SandboxOptions,
    tasks: &mut Vec<tokio::task::JoinHandle<()>>,
) -> std::io::Result<Provider> {
    let (router, credentials) = simulator.router(ids.clone(), options);
    let router = router.layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", simulator.port(options))).await?;
    let addr = listener.local_addr()?;
    tasks.push(tokio::spawn(async move {
        // Serving only ends when the task is aborted (on drop); an accept error is retried
        // inside axum, so there is nothing to report here.
        let _ = axum::serve(listener, router).await;
    }));
    Ok(Provider {
        name: simulator.name(),
        base_url: format!("http://{addr}{}", simulator.path_prefix()),
        credentials,
    })
}
