//! The OneInc ProcessOne simulator (to be written).

use std::sync::Arc;

use crate::{Credentials, Ids};

/// The router and the test credentials.
pub fn router(_ids: Arc<Ids>) -> (axum::Router, Credentials) {
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
