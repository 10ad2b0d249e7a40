//! The n1co simulator's axum handlers: payment links, the sandbox-only payer and merchant
//! portal routes, the webhook settings and the fallbacks.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use payspec_n1co::Validate;
use payspec_n1co::types::{
    Buyer, CreatePaymentLinkRequest, CreatePaymentLinkResponse, LineItem, OrderDetails,
    OrderLineItem, OrderStatus, Payment, Store, TotalDetails, WebhookEventType,
};
use payspec_runtime::Nullable;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use crate::Ids;
use crate::common::body::{self};
use crate::common::headers::{base_url, bearer_token};
use crate::schema::Problem;

use super::errors::{
    Answer, Refusal, at, conflict, not_found, problem, problem_response, validation,
};
use super::spec::SCHEMAS;
use super::state::{Record, Sim, date_time, rfc3339};
use super::webhooks::send;
use super::{CATALOGUE, CLOCK, DEFAULT_EXPIRATION_MINUTES, PATH_PREFIX, TEST_SECRET_KEY};

// ---------------------------------------------------------------------------------------------
// Authentication, the clock, URLs

pub(super) fn authenticate(headers: &HeaderMap) -> Answer<()> {
    let (challenge, detail) = match bearer_token(headers) {
        Some(TEST_SECRET_KEY) => return Ok(()),
        Some(_) => (
            "Bearer error=\"invalid_token\"",
            "The secret key is invalid: send `Authorization: Bearer <secret key>`.",
        ),
        None => (
            "Bearer",
            "No secret key: send `Authorization: Bearer <secret key>`.",
        ),
    };
    let mut response = problem_response(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        Some(detail.to_owned()),
        None,
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    );
    Err(Refusal::new(response))
}

/// "Now" for this request, in epoch milliseconds: `X-Sandbox-Now` when sent, else the system
/// clock.
pub(super) fn now(headers: &HeaderMap) -> Answer<i64> {
    Ok(CLOCK.now_millis(headers)?)
}

/// The `{orderCode}` of a route; one that does not decode is an unknown order.
pub(super) fn order_code(path: Result<Path<String>, PathRejection>) -> Answer<String> {
    match path {
        Ok(Path(code)) => Ok(code),
        Err(_) => Err(not_found("(undecodable)")),
    }
}

/// Reads a JSON object body as the spec's `schema`, every fault reported by its path, then
/// checks the spec's limits ([`Validate`]).
pub(super) fn parse_body<T>(body: &Bytes, schema: &'static str) -> Answer<T>
where
    T: serde::de::DeserializeOwned + Validate,
{
    Ok(body::checked(body, &SCHEMAS, schema, false)?)
}

/// A JSON object body of a sandbox route (empty is `{}`); members other than `allowed` are
/// refused, to catch typos.
pub(super) fn sandbox_body(body: &Bytes, allowed: &[&str]) -> Answer<Map<String, Value>> {
    let object = body::object(body)?;
    let unknown: Vec<Problem> = object
        .keys()
        .filter(|k| !allowed.contains(&k.as_str()))
        .map(|k| {
            at(
                k,
                &format!(
                    "is not a member of this body (known: {})",
                    allowed.join(", ")
                ),
            )
        })
        .collect();
    if unknown.is_empty() {
        Ok(object)
    } else {
        Err(validation(unknown))
    }
}

// ---------------------------------------------------------------------------------------------
// Creating links

pub(super) fn decimal(text: &str) -> Decimal {
    payspec_runtime::decimal::parse_exact(text).unwrap_or(Decimal::ZERO)
}

pub(super) fn zero() -> Decimal {
    Decimal::new(0, 2)
}

/// The order's lines and subtotal; faults keyed by their member.
pub(super) fn order_lines(
    request: &CreatePaymentLinkRequest,
) -> Answer<(Vec<OrderLineItem>, Decimal)> {
    if let Some(amount) = request.amount {
        return Ok((Vec::new(), amount));
    }
    let mut problems = Vec::new();
    let mut lines = Vec::with_capacity(request.line_items.len());
    let mut subtotal = Some(Decimal::ZERO);
    for (i, item) in request.line_items.iter().enumerate() {
        let Some(line) = order_line(i, item, &mut problems) else {
            continue;
        };
        subtotal = subtotal.and_then(|s| s.checked_add(line.sub_total.into_value()?));
        lines.push(line);
    }
    if !problems.is_empty() {
        return Err(validation(problems));
    }
    match subtotal {
        Some(total) if total > Decimal::ZERO => Ok((lines, total)),
        Some(_) => Err(validation(vec![at(
            "lineItems",
            "must add up to a total greater than 0",
        )])),
        None => Err(validation(vec![at(
            "lineItems",
            "add up to a total too large to represent",
        )])),
    }
}

pub(super) fn order_line(
    i: usize,
    item: &LineItem,
    problems: &mut Vec<Problem>,
) -> Option<OrderLineItem> {
    let (product_id, sku, name, price, image_url) = match (&item.sku, &item.product) {
        (Some(sku), _) => {
            let Some(&(sku, id, name, price, image)) =
                CATALOGUE.iter().find(|(known, ..)| known == sku)
            else {
                let known: Vec<&str> = CATALOGUE.iter().map(|(s, ..)| *s).collect();
                problems.push(at(
                    &format!("lineItems[{i}].sku"),
                    &format!(
                        "is not a product of the store (the sandbox store has {})",
                        known.join(", ")
                    ),
                ));
                return None;
            };
            (
                Some(id),
                Some(sku.to_owned()),
                name.to_owned(),
                decimal(price),
                Some(image.to_owned()),
            )
        }
        (None, Some(product)) => {
            if product.price < Decimal::ZERO {
                problems.push(at(
                    &format!("lineItems[{i}].product.price"),
                    "must be greater than or equal to 0",
                ));
                return None;
            }
            (
                None,
                None,
                product.name.clone(),
                product.price,
                product.image_url.clone(),
            )
        }
        // Validate refused a line with neither.
        (None, None) => return None,
    };
    let sub_total = price.checked_mul(Decimal::from(item.quantity));
    if sub_total.is_none() {
        problems.push(at(
            &format!("lineItems[{i}]"),
            "has a subtotal too large to represent",
        ));
    }
    let mut line = OrderLineItem::new()
        .with_name(name)
        .with_price(price)
        .with_quantity(item.quantity);
    line.image_url = Nullable::absent_if_none(image_url);
    line.product_id = Nullable::absent_if_none(product_id);
    line.sku = Nullable::absent_if_none(sku);
    line.sub_total = Nullable::absent_if_none(sub_total);
    Some(line)
}

pub(super) fn store() -> Store {
    Store::new()
        .with_country_code("SV")
        .with_currency_code("USD")
        .with_currency_symbol("$")
        .with_locale("es_SV")
        .with_name("n1co Sandbox Store")
        .with_timezone("America/El_Salvador")
}

/// A fresh order code, unique in `orders`.
pub(super) fn new_code(ids: &Ids, orders: &HashMap<String, Record>) -> String {
    loop {
        let hex = ids.next_hex().to_ascii_uppercase();
        let code = format!("PL-{}", hex.get(..8).unwrap_or(&hex));
        if !orders.contains_key(&code) {
            return code;
        }
    }
}

pub(super) async fn create_payment_link(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<Json<CreatePaymentLinkResponse>> {
    authenticate(&headers)?;
    let now = now(&headers)?;
    let request: CreatePaymentLinkRequest = parse_body(&body, "CreatePaymentLinkRequest")?;
    let (lines, subtotal) = order_lines(&request)?;
    let minutes = request
        .expiration_minutes
        .unwrap_or(DEFAULT_EXPIRATION_MINUTES);
    let expires = now.saturating_add(i64::from(minutes).saturating_mul(60_000));
    let base = base_url(&headers, PATH_PREFIX);

    let (answer, outgoing) = {
        let mut data = sim.data.lock();
        let code = new_code(&sim.ids, &data.orders);
        let id = data.next_order_id;
        data.next_order_id += 1;
        let link = format!("{base}/sandbox/pay/{code}");
        let mut details = OrderDetails::new(code.clone(), id, OrderStatus::Pending)
            .with_line_items(lines)
            .with_metadata(request.metadata)
            .with_name(
                request
                    .order_name
                    .unwrap_or_else(|| "PaymentLink Order".to_owned()),
            )
            .with_payment_link_url(link.clone())
            .with_store(store())
            .with_subtotal(subtotal)
            .with_total(subtotal)
            .with_total_details(
                TotalDetails::new()
                    .with_discount_amount(zero())
                    .with_shipping_amount(zero())
                    .with_surcharge_amount(zero()),
            );
        details.cancel_url = Nullable::absent_if_none(request.cancel_url);
        details.created = Nullable::absent_if_none(date_time(now));
        details.description = request.order_description;
        details.order_reference = Nullable::absent_if_none(request.order_reference);
        details.success_url = Nullable::absent_if_none(request.success_url);
        let outgoing = sim.event(
            &mut data,
            &details,
            WebhookEventType::Created,
            format!("Payment link {code} created"),
            now,
        );
        data.orders.insert(
            code.clone(),
            Record {
                details,
                created: now,
                expires,
                paid: None,
            },
        );
        let answer = CreatePaymentLinkResponse::new(code, id, link);
        (answer, outgoing)
    };
    send(&sim, outgoing).await;
    Ok(Json(answer))
}

pub(super) async fn get_order(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Answer<Json<OrderDetails>> {
    authenticate(&headers)?;
    let code = order_code(path)?;
    let data = sim.data.lock();
    let record = data.orders.get(&code).ok_or_else(|| not_found(&code))?;
    Ok(Json(record.details.clone()))
}

// ---------------------------------------------------------------------------------------------
// The payer

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    Success,
    Error,
}

/// The optional body of the pay route.
pub(super) fn pay_options(body: &Bytes) -> Answer<(Buyer, Outcome)> {
    let object = sandbox_body(body, &["buyer", "outcome"])?;
    let mut problems = Vec::new();
    let outcome = match object.get("outcome") {
        None | Some(Value::Null) => Outcome::Success,
        Some(Value::String(s)) if s == "success" => Outcome::Success,
        Some(Value::String(s)) if s == "error" => Outcome::Error,
        Some(_) => {
            problems.push(at("outcome", "must be \"success\" or \"error\""));
            Outcome::Success
        }
    };
    let buyer = match object.get("buyer") {
        None | Some(Value::Null) => Buyer::new()
            .with_email("john.doe@example.com")
            .with_name("John Doe")
            .with_phone("+504 9999-9999"),
        Some(Value::Object(members)) => {
            let mut buyer = Buyer::default();
            for (name, value) in members {
                let slot = match name.as_str() {
                    "name" => &mut buyer.name,
                    "phone" => &mut buyer.phone,
                    "email" => &mut buyer.email,
                    _ => {
                        problems.push(at(
                            &format!("buyer.{name}"),
                            "is not a member of buyer (known: name, phone, email)",
                        ));
                        continue;
                    }
                };
                match value {
                    Value::Null => *slot = Nullable::Null,
                    Value::String(s) => *slot = Nullable::Value(s.clone()),
                    _ => problems.push(at(&format!("buyer.{name}"), "must be a string")),
                }
            }
            buyer
        }
        Some(_) => {
            problems.push(at("buyer", "must be an object"));
            Buyer::default()
        }
    };
    if problems.is_empty() {
        Ok((buyer, outcome))
    } else {
        Err(validation(problems))
    }
}

pub(super) async fn pay(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Answer<Response> {
    let code = order_code(path)?;
    let now = now(&headers)?;
    let (buyer, outcome) = pay_options(&body)?;
    let base = base_url(&headers, PATH_PREFIX);
    let (details, outgoing) = {
        let mut data = sim.data.lock();
        let record = data.orders.get_mut(&code).ok_or_else(|| not_found(&code))?;
        if record.details.order_status != OrderStatus::Pending {
            return Err(conflict(&record.details.order_status, "pay"));
        }
        if now >= record.expires {
            let expired = rfc3339(record.expires).unwrap_or_else(|| "its expiry".to_owned());
            return Err(problem(
                StatusCode::GONE,
                "Gone",
                format!("The payment link has expired (at {expired})."),
            ));
        }
        let (kind, description) = match outcome {
            Outcome::Success => {
                let hex = sim.ids.next_hex().to_ascii_uppercase();
                let authorization = hex.get(..6).unwrap_or(&hex).to_owned();
                record.details.order_status = OrderStatus::Paid;
                record.details.payment = Some(
                    Payment::new()
                        .with_authorization_code(authorization.clone())
                        .with_buyer(buyer)
                        .with_voucher_url(format!("{base}/sandbox/vouchers/{code}")),
                );
                record.paid = Some(now);
                (
                    WebhookEventType::SuccessPayment,
                    format!("Payment approved, authorization code {authorization}"),
                )
            }
            Outcome::Error => (
                WebhookEventType::PaymentError,
                "The payment was declined".to_owned(),
            ),
        };
        let details = record.details.clone();
        let outgoing = sim.event(&mut data, &details, kind, description, now);
        (details, outgoing)
    };
    send(&sim, outgoing).await;
    Ok(match outcome {
        Outcome::Success => Json(details).into_response(),
        Outcome::Error => problem_response(
            StatusCode::PAYMENT_REQUIRED,
            "Payment Required",
            Some(
                "The payment was declined (simulated); the order stays PENDING and can be paid \
                 again."
                    .to_owned(),
            ),
            None,
        ),
    })
}

/// What the payer's page shows (`GET /sandbox/pay/{orderCode}`), written straight to JSON so
/// the amounts keep their text (a `serde_json::Value` would hold them as `f64`).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PayPage<'a> {
    order_code: &'a str,
    order_id: i64,
    name: &'a Nullable<String>,
    description: &'a Nullable<String>,
    order_status: &'a OrderStatus,
    line_items: &'a Nullable<Vec<OrderLineItem>>,
    #[serde(with = "payspec_runtime::decimal::number_nullable")]
    total: Nullable<Decimal>,
    currency_code: &'static str,
    created: Option<String>,
    expires_at: Option<String>,
    expired: bool,
    pay: &'static str,
}

pub(super) async fn pay_page(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Answer<Response> {
    let code = order_code(path)?;
    let now = now(&headers)?;
    let data = sim.data.lock();
    let record = data.orders.get(&code).ok_or_else(|| not_found(&code))?;
    let d = &record.details;
    Ok(Json(PayPage {
        order_code: &d.order_code,
        order_id: d.order_id,
        name: &d.name,
        description: &d.description,
        order_status: &d.order_status,
        line_items: &d.line_items,
        total: d.total,
        currency_code: "USD",
        created: rfc3339(record.created),
        expires_at: rfc3339(record.expires),
        expired: now >= record.expires,
        pay: "POST this URL, optionally with {\"buyer\": {\"name\", \"phone\", \"email\"}, \
              \"outcome\": \"success\" | \"error\"}",
    })
    .into_response())
}

/// The voucher of a paid order (`GET /sandbox/voucher/{orderCode}`), amounts kept exact.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Voucher<'a> {
    authorization_code: &'a Nullable<String>,
    order_code: &'a str,
    order_id: i64,
    order_status: &'a OrderStatus,
    #[serde(with = "payspec_runtime::decimal::number_nullable")]
    total: Nullable<Decimal>,
    currency_code: &'static str,
    buyer: &'a Option<Buyer>,
    paid_at: Option<String>,
}

pub(super) async fn voucher(
    State(sim): State<Arc<Sim>>,
    path: Result<Path<String>, PathRejection>,
) -> Answer<Response> {
    let code = order_code(path)?;
    let data = sim.data.lock();
    let record = data.orders.get(&code).ok_or_else(|| not_found(&code))?;
    let d = &record.details;
    let Some(payment) = &d.payment else {
        return Err(problem(
            StatusCode::NOT_FOUND,
            "Not Found",
            format!("The order {code} has not been paid: it has no voucher."),
        ));
    };
    Ok(Json(Voucher {
        authorization_code: &payment.authorization_code,
        order_code: &d.order_code,
        order_id: d.order_id,
        order_status: &d.order_status,
        total: d.total,
        currency_code: "USD",
        buyer: &payment.buyer,
        paid_at: record.paid.and_then(rfc3339),
    })
    .into_response())
}

// ---------------------------------------------------------------------------------------------
// The merchant portal

pub(super) async fn change_status(
    sim: Arc<Sim>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    from: OrderStatus,
    to: OrderStatus,
    operation: &str,
    kind: WebhookEventType,
) -> Answer<Json<OrderDetails>> {
    authenticate(&headers)?;
    let code = order_code(path)?;
    let now = now(&headers)?;
    let (details, outgoing) = {
        let mut data = sim.data.lock();
        let record = data.orders.get_mut(&code).ok_or_else(|| not_found(&code))?;
        if record.details.order_status != from {
            return Err(conflict(&record.details.order_status, operation));
        }
        record.details.order_status = to.clone();
        let details = record.details.clone();
        let description = format!(
            "Order {code} {} by the merchant",
            to.as_str().to_lowercase()
        );
        let outgoing = sim.event(&mut data, &details, kind, description, now);
        (details, outgoing)
    };
    send(&sim, outgoing).await;
    Ok(Json(details))
}

pub(super) async fn cancel(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Answer<Json<OrderDetails>> {
    change_status(
        sim,
        headers,
        path,
        OrderStatus::Pending,
        OrderStatus::Cancelled,
        "cancel",
        WebhookEventType::Cancelled,
    )
    .await
}

pub(super) async fn finalize(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Answer<Json<OrderDetails>> {
    change_status(
        sim,
        headers,
        path,
        OrderStatus::Paid,
        OrderStatus::Finalized,
        "finalize",
        WebhookEventType::Finalized,
    )
    .await
}

pub(super) fn is_http_url(url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
    })
}

pub(super) async fn get_webhook(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
) -> Answer<Json<Value>> {
    authenticate(&headers)?;
    let url = sim.data.lock().webhook_url.clone();
    Ok(Json(json!({ "url": url })))
}

pub(super) async fn set_webhook(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<Json<Value>> {
    authenticate(&headers)?;
    let object = sandbox_body(&body, &["url"])?;
    let url = match object.get("url") {
        None => {
            return Err(validation(vec![at(
                "url",
                "is required (null stops the webhooks)",
            )]));
        }
        Some(Value::Null) => None,
        Some(Value::String(url)) if is_http_url(url.trim()) => Some(url.trim().to_owned()),
        Some(_) => {
            return Err(validation(vec![at(
                "url",
                "must be an absolute http:// or https:// URL, or null",
            )]));
        }
    };
    sim.data.lock().webhook_url = url.clone();
    Ok(Json(json!({ "url": url })))
}

pub(super) async fn webhook_log(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
) -> Answer<Json<Value>> {
    authenticate(&headers)?;
    let data = sim.data.lock();
    Ok(Json(json!({
        "url": data.webhook_url,
        "deliveries": data.deliveries,
    })))
}

// ---------------------------------------------------------------------------------------------
// Fallbacks

pub(super) async fn fallback(method: Method, uri: Uri) -> Response {
    let path: String = uri.path().chars().take(256).collect();
    problem_response(
        StatusCode::NOT_FOUND,
        "Not Found",
        Some(format!("No such endpoint: {method} {path}")),
        None,
    )
}

pub(super) async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    let path: String = uri.path().chars().take(256).collect();
    problem_response(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method Not Allowed",
        Some(format!("{path} does not accept {method}.")),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls_must_be_absolute_http() {
        assert!(is_http_url("http://127.0.0.1:9/hook"));
        assert!(is_http_url("https://example.com"));
        assert!(!is_http_url("ftp://example.com"));
        assert!(!is_http_url("/relative"));
        assert!(!is_http_url("http://"));
    }
}
