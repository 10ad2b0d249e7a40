//! The one shape every simulator has: what the sandbox needs to start it.

use std::sync::Arc;

use crate::{Credentials, Ids, SandboxOptions};

/// One simulated provider, as [`crate::Sandbox`] starts it. Each provider module has a unit
/// struct implementing it, listed once in the sandbox's registry; the sandbox serves each on
/// its own loopback port, in the registry's order.
pub(crate) trait Simulator: Sync {
    /// The provider's name (`onecp`, `onecheckout`, ...).
    fn name(&self) -> &'static str;

    /// The API's path prefix on the real servers (`/api`), which the base URL given to
    /// clients ends with; empty when there is none.
    fn path_prefix(&self) -> &'static str {
        ""
    }

    /// The port `options` ask for (0: any free one).
    fn port(&self, options: &SandboxOptions) -> u16;

    /// The simulator's routes, over the sandbox's ids, and the test credentials it accepts.
    fn router(&self, ids: Arc<Ids>, options: &SandboxOptions) -> (axum::Router, Credentials);
}
