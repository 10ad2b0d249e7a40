//! The n1co CheckoutLink simulator (to be written).

use std::sync::Arc;

use crate::{Credentials, Ids};

/// The API path prefix of the real servers.
pub const PATH_PREFIX: &str = "/api";

/// The router and the test credentials.
pub fn router(_ids: Arc<Ids>, _webhook_url: Option<String>) -> (axum::Router, Credentials) {
    (
        axum::Router::new(),
        Credentials {
            id: String::new(),
            secret: String::new(),
            api_key: None,
            webhook_secret: None,
        },
    )
}
