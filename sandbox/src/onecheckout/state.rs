//! What the Onecheckout simulator stores (the merchant, its orders and their events, under
//! one lock) and the orders' status machine.

use std::collections::HashMap;
use std::sync::Arc;

use payspec_onecheckout::EpochMillis;
use payspec_onecheckout::types::{
    Event, EventType, Merchant, Order, OrderStatus, PaymentGateway, PaymentMethod, PaymentStatus,
};

use crate::Ids;
use crate::common::store::Locked;

use super::errors::{Answer, Refusal, id_invalid, status_invalid};
use super::limits::Limiter;

pub(super) struct Sim {
    pub(super) ids: Arc<Ids>,
    pub(super) merchant_id: String,
    pub(super) token_limiter: Arc<Limiter>,
    pub(super) key_limiter: Arc<Limiter>,
    pub(super) data: Locked<Data>,
}

pub(super) struct Data {
    pub(super) merchant: Merchant,
    /// In creation order.
    pub(super) orders: Vec<Record>,
    /// Order id → position in `orders`.
    pub(super) index: HashMap<String, usize>,
}

impl Data {
    /// The order `id`, or the provider's "invalid id" answer.
    pub(super) fn order(&self, id: &str) -> Result<&Record, Refusal> {
        self.index
            .get(id)
            .and_then(|&i| self.orders.get(i))
            .ok_or_else(|| id_invalid(id))
    }
}

pub(super) struct Record {
    pub(super) order: Order,
    pub(super) events: Vec<Event>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum CaptureMode {
    Manual,
    Automatic,
}

pub(super) enum Action {
    Pay {
        capture: CaptureMode,
        method: PaymentMethod,
    },
    Capture,
    Refund,
    Cancel,
}

/// Applies `action` to the order `id` at `now`, recording its events; answers the order.
pub(super) fn transition(sim: &Sim, id: &str, action: Action, now: EpochMillis) -> Answer<Order> {
    let mut data = sim.data.lock();
    let index = data.index.get(id).copied().ok_or_else(|| id_invalid(id))?;
    let record = data.orders.get_mut(index).ok_or_else(|| id_invalid(id))?;
    let order = &mut record.order;
    let mut events: Vec<(&str, Option<PaymentStatus>)> = Vec::new();
    match action {
        Action::Pay { capture, method } => {
            if order.status != OrderStatus::Open {
                return Err(status_invalid(&order.status, "pay"));
            }
            let (gateway, gateway_id, payment_id) = match method {
                PaymentMethod::Paypal => (
                    PaymentGateway::Paypal,
                    "gateway_paypal_sandbox",
                    format!("PAYID-{}", sim.ids.next_hex().to_ascii_uppercase()),
                ),
                _ => (
                    PaymentGateway::Stripe,
                    "gateway_stripe_sandbox",
                    format!("pi_{}", sim.ids.next_hex()),
                ),
            };
            order.payment_method = Some(method);
            order.payment_gateway = Some(gateway);
            order.gateway_id = Some(gateway_id.to_owned());
            order.payment_id = Some(payment_id);
            events.push(("payment_created", Some(PaymentStatus::Pending)));
            match capture {
                CaptureMode::Manual => order.status = OrderStatus::AwaitingCapture,
                CaptureMode::Automatic => {
                    order.status = OrderStatus::Paid;
                    order.paid = Some(now);
                    events.push(("payment_succeeded", Some(PaymentStatus::Completed)));
                }
            }
        }
        Action::Capture => {
            if order.status != OrderStatus::AwaitingCapture {
                return Err(status_invalid(&order.status, "capture"));
            }
            order.status = OrderStatus::Paid;
            order.paid = Some(now);
            events.push(("payment_succeeded", Some(PaymentStatus::Completed)));
        }
        Action::Refund => {
            if order.status != OrderStatus::Paid {
                return Err(status_invalid(&order.status, "refund"));
            }
            order.status = OrderStatus::Refunded;
            events.push(("order_refunded", None));
        }
        Action::Cancel => {
            if !matches!(
                order.status,
                OrderStatus::Open | OrderStatus::AwaitingCapture
            ) {
                return Err(status_invalid(&order.status, "cancel"));
            }
            order.status = OrderStatus::Cancelled;
            events.push(("order_cancelled", None));
        }
    }
    order.updated = Some(now);
    let snapshot = order.clone();
    for (kind, payment_status) in events {
        let mut event = Event::new(sim.ids.next_hex(), EventType::from(kind))
            .with_order_id(snapshot.id.clone())
            .with_merchant_id(sim.merchant_id.clone())
            .with_created(now)
            .with_order(snapshot.clone());
        event.payment_status = payment_status;
        record.events.push(event);
    }
    Ok(snapshot)
}
