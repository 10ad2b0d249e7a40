//! What the n1co simulator stores (orders by code, the webhook URL and the delivery log,
//! under one lock), and how its instants are written.

use std::collections::HashMap;
use std::sync::Arc;

use payspec_n1co::DateTime;
use payspec_n1co::types::{OrderDetails, WebhookEventType};
use payspec_n1co::webhooks::OrderEventWebhook;
use payspec_runtime::EpochMillis;
use serde::Serialize;

use crate::Ids;
use crate::common::store::Locked;

pub(super) struct Sim {
    pub(super) ids: Arc<Ids>,
    pub(super) http: reqwest::Client,
    pub(super) signer: OrderEventWebhook,
    pub(super) data: Locked<Data>,
}

pub(super) struct Data {
    /// By order code.
    pub(super) orders: HashMap<String, Record>,
    pub(super) next_order_id: i64,
    pub(super) webhook_url: Option<String>,
    /// Oldest first.
    pub(super) deliveries: Vec<Delivery>,
    pub(super) next_sequence: u64,
}

pub(super) struct Record {
    pub(super) details: OrderDetails,
    /// Epoch milliseconds.
    pub(super) created: i64,
    /// Epoch milliseconds; the link can be paid strictly before this.
    pub(super) expires: i64,
    /// When it was paid (epoch milliseconds).
    pub(super) paid: Option<i64>,
}

/// One entry of the delivery log.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Delivery {
    pub(super) sequence: u64,
    #[serde(rename = "type")]
    pub(super) type_: String,
    pub(super) order_code: String,
    pub(super) order_id: i64,
    pub(super) at: Option<String>,
    pub(super) url: Option<String>,
    pub(super) body: String,
    pub(super) signature: String,
    pub(super) delivered: bool,
    pub(super) status: Option<u16>,
    pub(super) error: Option<String>,
}

/// A webhook to send, built while the state was locked.
pub(super) struct Outgoing {
    pub(super) sequence: u64,
    pub(super) type_: WebhookEventType,
    pub(super) order_code: String,
    pub(super) order_id: i64,
    pub(super) at: i64,
    pub(super) url: Option<String>,
    pub(super) body: String,
    pub(super) signature: String,
}

/// `millis` as `2024-05-14T13:44:23.133Z`; `None` outside the years 0000..=9999.
pub(super) fn date_time(millis: i64) -> Option<DateTime> {
    let utc = EpochMillis::from_millis(millis).to_utc()?;
    DateTime::parse(&utc.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()).ok()
}

pub(super) fn rfc3339(millis: i64) -> Option<String> {
    date_time(millis).map(|d| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_in_utc_with_milliseconds() {
        assert_eq!(
            rfc3339(1_715_694_263_133).as_deref(),
            Some("2024-05-14T13:44:23.133Z")
        );
        assert_eq!(
            rfc3339(1_715_694_263_000).as_deref(),
            Some("2024-05-14T13:44:23.000Z")
        );
        assert_eq!(rfc3339(i64::MAX), None);
    }
}
