//! The webhooks: each event signed as n1co signs them, sent to the configured URL, and its
//! delivery logged.

use std::sync::Arc;

use axum::http::header;
use payspec_n1co::types::{OrderDetails, WebhookEvent, WebhookEventType};
use serde_json::{Map, Value};

use super::state::{Data, Delivery, Outgoing, Sim, rfc3339};
use super::{ORDER_TYPE, SIGNATURE_HEADER, WEBHOOK_TIMEOUT, WEBHOOK_USER_AGENT};

impl Sim {
    /// The webhook for `kind` about `order`, signed, addressed to the URL configured now.
    pub(super) fn event(
        &self,
        data: &mut Data,
        order: &OrderDetails,
        kind: WebhookEventType,
        description: String,
        at: i64,
    ) -> Outgoing {
        let metadata = order
            .metadata
            .value()
            .filter(|m| !m.is_empty())
            .map(|items| {
                items
                    .iter()
                    .map(|m| (m.name.clone(), Value::String(m.value.clone())))
                    .collect::<Map<String, Value>>()
            });
        let mut event = WebhookEvent::new()
            .with_description(description)
            .with_level("Info")
            .with_order_id(order.order_id.to_string())
            .with_order_type(ORDER_TYPE)
            .with_type_(kind.clone());
        event.metadata = payspec_runtime::Nullable::absent_if_none(metadata);
        event.order_reference = order.order_reference.clone();
        // Serializing plain strings and maps cannot fail; an empty body would still be signed
        // and logged.
        let body = serde_json::to_string(&event).unwrap_or_default();
        let signature = self.signer.sign(body.as_bytes());
        let sequence = data.next_sequence;
        data.next_sequence += 1;
        Outgoing {
            sequence,
            type_: kind,
            order_code: order.order_code.clone(),
            order_id: order.order_id,
            at,
            url: data.webhook_url.clone(),
            body,
            signature,
        }
    }
}

/// Sends `out` (on its own task, so it completes even if the triggering request is dropped)
/// and waits for it; the outcome goes to the delivery log.
pub(super) async fn send(sim: &Arc<Sim>, out: Outgoing) {
    let sim = sim.clone();
    let task = tokio::spawn(async move {
        let (delivered, status, error) = match &out.url {
            None => (
                false,
                None,
                Some("not sent: no webhook URL is configured".to_owned()),
            ),
            Some(url) => {
                let request = sim
                    .http
                    .post(url)
                    .header(header::CONTENT_TYPE, "application/json")
                    .header(header::USER_AGENT, WEBHOOK_USER_AGENT)
                    .header(SIGNATURE_HEADER, &out.signature)
                    .body(out.body.clone());
                match request.send().await {
                    Ok(response) => {
                        let status = response.status();
                        let error = (!status.is_success())
                            .then(|| format!("the receiver answered {status}"));
                        (status.is_success(), Some(status.as_u16()), error)
                    }
                    Err(e) if e.is_timeout() => (
                        false,
                        None,
                        Some(format!(
                            "timed out after {} s: {e}",
                            WEBHOOK_TIMEOUT.as_secs()
                        )),
                    ),
                    Err(e) => (false, None, Some(describe(&e))),
                }
            }
        };
        let delivery = Delivery {
            sequence: out.sequence,
            type_: out.type_.to_string(),
            order_code: out.order_code,
            order_id: out.order_id,
            at: rfc3339(out.at),
            url: out.url,
            body: out.body,
            signature: out.signature,
            delivered,
            status,
            error,
        };
        sim.data.lock().deliveries.push(delivery);
    });
    // The task does not panic; if it did, the delivery would only be missing from the log.
    let _ = task.await;
}

/// A transport error with its causes (reqwest's own message is terse).
pub(super) fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
