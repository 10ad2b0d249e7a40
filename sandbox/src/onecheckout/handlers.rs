//! The Onecheckout simulator's axum handlers: the account, orders, lists, the sandbox-only
//! payer and dashboard routes, the rate-limit layer and the fallbacks.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use payspec_onecheckout::types::{
    CreateOrderRequest, ErrorCode, ErrorFieldIssue, Link, LinkRel, ListOrdersRequest,
    ListOrdersResponse, Merchant, MerchantUpdate, NewOrderLine, Order, OrderEvents, OrderLine,
    OrderStatus, PaymentMethod,
};
use payspec_onecheckout::{EpochMillis, SecretString, Validate};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::common::body::{self};
use crate::common::headers::{base_url, bearer_token, header_text};
use crate::schema::Schemas;

use super::auth::{Accept, authenticate};
use super::errors::{
    Answer, Refusal, bare, detailed, detailed_response, id_invalid, issue, validation_error,
};
use super::limits::too_many_requests;
use super::state::{Action, CaptureMode, Record, Sim, transition};
use super::{
    CLOCK, CURRENCIES, DEFAULT_LIMIT, PATH_PREFIX, TEST_API_KEY, TEST_TOKEN, ZERO_DECIMAL,
};

/// Counts every request that carries a valid credential against that credential's limits.
pub(super) async fn rate_limit(
    State(sim): State<Arc<Sim>>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let limiter = if bearer_token(headers) == Some(TEST_TOKEN) {
        Some(&sim.token_limiter)
    } else if header_text(headers, "x-api-key") == Some(TEST_API_KEY) {
        Some(&sim.key_limiter)
    } else {
        None
    };
    let _slot = match limiter.map(|l| l.admit(Instant::now())) {
        None => None,
        Some(Ok(slot)) => Some(slot),
        Some(Err(refused)) => return too_many_requests(refused),
    };
    next.run(request).await
}

/// "Now" for this request: `X-Sandbox-Now` when sent, else the system clock.
pub(super) fn now(headers: &HeaderMap) -> Answer<EpochMillis> {
    Ok(EpochMillis::from_millis(CLOCK.now_millis(headers)?))
}

// ---------------------------------------------------------------------------------------------
// Request bodies

/// The spec's component schemas, for the checks of request bodies.
pub(super) static SCHEMAS: std::sync::LazyLock<Schemas> = std::sync::LazyLock::new(|| {
    Schemas::from_yaml(include_str!("../../../specs/onecheckout/openapi.yaml"))
        .expect("the embedded Onecheckout spec parses (a test checks it)")
});

/// Parses a JSON object body into `T` as the spec's `schema`, every fault reported as a
/// `validation_error` naming its field, then checks the spec's limits ([`Validate`]). An
/// empty body is `{}` when `empty_is_object`.
pub(super) fn parse_body<T>(body: &Bytes, schema: &'static str, empty_is_object: bool) -> Answer<T>
where
    T: serde::de::DeserializeOwned + Validate,
{
    Ok(body::checked(body, &SCHEMAS, schema, empty_is_object)?)
}

pub(super) fn is_http_url(url: &str) -> bool {
    ["http://", "https://"].iter().any(|scheme| {
        url.get(..scheme.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
            && url.len() > scheme.len()
    })
}

pub(super) fn check_url(field: &str, url: Option<&String>, issues: &mut Vec<ErrorFieldIssue>) {
    if url.is_some_and(|url| !is_http_url(url)) {
        issues.push(issue(field, "must be an http:// or https:// URL"));
    }
}

// ---------------------------------------------------------------------------------------------
// Account

pub(super) async fn get_me(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
) -> Answer<Json<Merchant>> {
    authenticate(&headers, Accept::KeyOrBearer)?;
    Ok(Json(sim.data.lock().merchant.clone()))
}

pub(super) async fn update_me(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<Json<Merchant>> {
    authenticate(&headers, Accept::KeyOrBearer)?;
    let now = now(&headers)?;
    let update: MerchantUpdate = parse_body(&body, "MerchantUpdate", false)?;
    let mut issues = Vec::new();
    if let Some(email) = &update.email {
        let valid = email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.trim().is_empty() && !domain.trim().is_empty());
        if !valid {
            issues.push(issue("email", "is invalid"));
        }
    }
    check_url("webhook_url", update.webhook_url.as_ref(), &mut issues);
    check_url("success_url", update.success_url.as_ref(), &mut issues);
    check_url("cancel_url", update.cancel_url.as_ref(), &mut issues);
    if !issues.is_empty() {
        return Err(validation_error(issues));
    }
    let mut data = sim.data.lock();
    let m = &mut data.merchant;
    let mut changed = false;
    for (target, value) in [
        (&mut m.email, update.email),
        (&mut m.full_name, update.full_name),
        (&mut m.phone, update.phone),
        (&mut m.address, update.address),
        (&mut m.webhook_url, update.webhook_url),
        (&mut m.success_url, update.success_url),
        (&mut m.cancel_url, update.cancel_url),
    ] {
        if let Some(value) = value {
            *target = Some(value);
            changed = true;
        }
    }
    if changed {
        m.updated = Some(now);
    }
    Ok(Json(m.clone()))
}

// ---------------------------------------------------------------------------------------------
// Orders

pub(super) fn to_order_line(line: NewOrderLine) -> OrderLine {
    let mut order_line = OrderLine::new()
        .with_properties(line.properties)
        .with_quantity(line.quantity)
        .with_title(line.title)
        .with_unit_price(line.unit_price);
    order_line.compared_price = line.compared_price;
    order_line.image_url = line.image_url;
    order_line.key = line.key;
    order_line
}

/// Σ quantity × unit_price + tax, exact; `None` on overflow.
pub(super) fn total(request: &CreateOrderRequest) -> Option<Decimal> {
    let mut sum = request.tax_amount.unwrap_or(Decimal::ZERO);
    for line in &request.order_lines {
        sum = sum.checked_add(line.quantity.checked_mul(line.unit_price)?)?;
    }
    Some(sum)
}

pub(super) async fn create_order(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<Json<Order>> {
    authenticate(&headers, Accept::Bearer)?;
    let now = now(&headers)?;
    let request: CreateOrderRequest = parse_body(&body, "CreateOrderRequest", false)?;
    let mut issues = Vec::new();
    check_url("success_url", request.success_url.as_ref(), &mut issues);
    check_url("cancel_url", request.cancel_url.as_ref(), &mut issues);
    if !issues.is_empty() {
        return Err(validation_error(issues));
    }
    if !CURRENCIES.contains(&request.currency.as_str()) {
        return Err(detailed(
            StatusCode::BAD_REQUEST,
            ErrorCode::CurrencyInvalid,
            format!(
                "The currency {:?} is not enabled for this merchant (enabled: {}).",
                request.currency,
                CURRENCIES.join(", ")
            ),
            vec![issue("currency", "is not enabled for this merchant")],
        ));
    }
    let amount = match total(&request) {
        Some(amount) if amount >= Decimal::ZERO => amount,
        Some(_) => {
            return Err(detailed(
                StatusCode::BAD_REQUEST,
                ErrorCode::AmountInvalid,
                "The amount of the order is negative.",
                vec![issue("amount", "must not be negative")],
            ));
        }
        None => {
            return Err(detailed(
                StatusCode::BAD_REQUEST,
                ErrorCode::AmountInvalid,
                "The amount of the order is too large.",
                vec![issue("amount", "is too large")],
            ));
        }
    };

    let id = sim.ids.next_hex();
    let token = format!("tok_{}", sim.ids.next_hex());
    let base = base_url(&headers, PATH_PREFIX);
    let mut data = sim.data.lock();
    let prefix = data.merchant.order_prefix.clone().unwrap_or_default();
    let number = data.orders.len() + 1;
    let mut links = vec![
        Link::new(
            format!("{base}/sandbox/orders/{id}/pay?token={token}"),
            LinkRel::Pay,
        ),
        Link::new(format!("{base}/orders/{id}"), LinkRel::Order),
    ];
    let success = request
        .success_url
        .clone()
        .or_else(|| data.merchant.success_url.clone());
    let cancel = request
        .cancel_url
        .clone()
        .or_else(|| data.merchant.cancel_url.clone());
    if let Some(href) = success {
        links.push(Link::new(href, LinkRel::Success));
    }
    if let Some(href) = cancel {
        links.push(Link::new(href, LinkRel::Cancel));
    }
    let mut order = Order::new(id.clone(), OrderStatus::Open)
        .with_name(format!("Order #{prefix}{number:04}"))
        .with_payment_token(SecretString::new(token))
        .with_zero_decimal(ZERO_DECIMAL.contains(&request.currency.as_str()))
        .with_currency(request.currency)
        .with_amount(amount)
        .with_order_lines(
            request
                .order_lines
                .into_iter()
                .map(to_order_line)
                .collect::<Vec<_>>(),
        )
        .with_merchant_id(sim.merchant_id.clone())
        .with_created(now)
        .with_updated(now)
        .with_links(links);
    order.tax_amount = request.tax_amount;
    order.reference_id = request.reference_id;
    let position = data.orders.len();
    data.index.insert(id, position);
    data.orders.push(Record {
        order: order.clone(),
        events: Vec::new(),
    });
    Ok(Json(order))
}

/// The `{id}` of a route: an empty one answers `id_required` (bare shape), one that does
/// not decode `id_invalid`.
pub(super) fn order_id(path: Result<Path<String>, PathRejection>) -> Answer<String> {
    match path {
        Ok(Path(id)) if id.is_empty() => Err(Refusal::new(bare(
            StatusCode::BAD_REQUEST,
            ErrorCode::IdRequired,
        ))),
        Ok(Path(id)) => Ok(id),
        Err(_) => Err(id_invalid("(undecodable)")),
    }
}

pub(super) async fn get_order(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Answer<Json<Order>> {
    authenticate(&headers, Accept::Bearer)?;
    let id = order_id(path)?;
    let data = sim.data.lock();
    let record = data.order(&id)?;
    Ok(Json(record.order.clone()))
}

pub(super) async fn order_events(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Answer<Json<OrderEvents>> {
    authenticate(&headers, Accept::Bearer)?;
    let id = order_id(path)?;
    let data = sim.data.lock();
    let record = data.order(&id)?;
    Ok(Json(OrderEvents::new().with_events(record.events.clone())))
}

pub(super) async fn capture_order(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Answer<Json<Order>> {
    authenticate(&headers, Accept::Bearer)?;
    let now = now(&headers)?;
    let id = order_id(path)?;
    transition(&sim, &id, Action::Capture, now).map(Json)
}

/// The value of `name` in a query string (not percent-decoded: the tokens are hex).
pub(super) fn query_param<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

pub(super) async fn pay_order(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Answer<Json<Order>> {
    let id = order_id(path)?;
    match query_param(query.as_deref(), "token") {
        Some(token) => {
            let data = sim.data.lock();
            let record = data.order(&id)?;
            let expected = record
                .order
                .payment_token
                .as_ref()
                .map(|t| t.expose().as_str());
            if expected != Some(token) {
                return Err(detailed(
                    StatusCode::UNAUTHORIZED,
                    ErrorCode::ApiKeyInvalid,
                    "The payment token does not belong to this order.",
                    Vec::new(),
                ));
            }
        }
        None => authenticate(&headers, Accept::KeyOrBearer)?,
    }
    let now = now(&headers)?;
    let (capture, method) = pay_options(&body)?;
    transition(&sim, &id, Action::Pay { capture, method }, now).map(Json)
}

/// The optional body of the pay route: `{"capture": "manual"|"automatic", "method":
/// "paypal"|"stripe_hosted"}`.
pub(super) fn pay_options(body: &Bytes) -> Answer<(CaptureMode, PaymentMethod)> {
    let mut capture = CaptureMode::Automatic;
    let mut method = PaymentMethod::StripeHosted;
    let object = body::object(body)?;
    let mut issues = Vec::new();
    match object.get("capture") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s == "manual" => capture = CaptureMode::Manual,
        Some(Value::String(s)) if s == "automatic" => capture = CaptureMode::Automatic,
        Some(_) => issues.push(issue("capture", "must be \"manual\" or \"automatic\"")),
    }
    match object.get("method") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if PaymentMethod::from(s.as_str()).is_known() => {
            method = PaymentMethod::from(s.as_str());
        }
        Some(_) => issues.push(issue("method", "must be \"paypal\" or \"stripe_hosted\"")),
    }
    if issues.is_empty() {
        Ok((capture, method))
    } else {
        Err(validation_error(issues))
    }
}

pub(super) async fn refund_order(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Answer<Json<Order>> {
    authenticate(&headers, Accept::KeyOrBearer)?;
    let now = now(&headers)?;
    let id = order_id(path)?;
    transition(&sim, &id, Action::Refund, now).map(Json)
}

pub(super) async fn cancel_order(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Answer<Json<Order>> {
    authenticate(&headers, Accept::KeyOrBearer)?;
    let now = now(&headers)?;
    let id = order_id(path)?;
    transition(&sim, &id, Action::Cancel, now).map(Json)
}

// ---------------------------------------------------------------------------------------------
// Lists

/// Whether `value` lies in `[from, to)`; no bound given matches everything.
pub(super) fn in_window(
    value: Option<EpochMillis>,
    from: Option<EpochMillis>,
    to: Option<EpochMillis>,
) -> bool {
    if from.is_none() && to.is_none() {
        return true;
    }
    let Some(value) = value else {
        return false;
    };
    from.is_none_or(|from| value >= from) && to.is_none_or(|to| value < to)
}

pub(super) fn matches(order: &Order, filter: &ListOrdersRequest) -> bool {
    filter.status.as_ref().is_none_or(|s| *s == order.status)
        && in_window(
            order.created,
            filter.created_hour_from,
            filter.created_hour_to,
        )
        && in_window(
            order.updated,
            filter.updated_hour_from,
            filter.updated_hour_to,
        )
        && in_window(order.paid, filter.paid_hour_from, filter.paid_hour_to)
}

pub(super) async fn list_orders(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<Json<ListOrdersResponse>> {
    authenticate(&headers, Accept::Bearer)?;
    let request: ListOrdersRequest = parse_body(&body, "ListOrdersRequest", true)?;
    let limit = request.limit.unwrap_or(DEFAULT_LIMIT);
    // Validate checked 1..=MAX_LIMIT.
    let page_size = usize::try_from(limit).unwrap_or(1).max(1);
    let anchor = request.anchor.clone().unwrap_or_default();
    let data = sim.data.lock();
    let start = if anchor.is_empty() {
        0
    } else {
        data.index.get(&anchor).copied().ok_or_else(|| {
            validation_error(vec![issue(
                "anchor",
                "is not the id of an order (send the `next_anchor` of a previous page)",
            )])
        })?
    };
    let count = data
        .orders
        .iter()
        .filter(|r| matches(&r.order, &request))
        .count();
    let mut page = data
        .orders
        .iter()
        .skip(start)
        .filter(|r| matches(&r.order, &request));
    let orders: Vec<Order> = page
        .by_ref()
        .take(page_size)
        .map(|r| r.order.clone())
        .collect();
    let next_anchor = page.next().map(|r| r.order.id.clone()).unwrap_or_default();
    Ok(Json(
        ListOrdersResponse::new()
            .with_anchor(anchor)
            .with_limit(limit)
            .with_count(i64::try_from(count).unwrap_or(i64::MAX))
            .with_next_anchor(next_anchor)
            .with_orders(orders),
    ))
}

// ---------------------------------------------------------------------------------------------
// Fallbacks

pub(super) async fn fallback(headers: HeaderMap, method: Method, uri: Uri) -> Response {
    let path = uri.path();
    let rest = path.strip_prefix(PATH_PREFIX).unwrap_or("");
    let missing_id = match rest {
        "/orders/" | "/orders//capture" | "/orders//events" => Some(Accept::Bearer),
        "/sandbox/orders//pay" | "/sandbox/orders//refund" | "/sandbox/orders//cancel" => {
            Some(Accept::KeyOrBearer)
        }
        _ => None,
    };
    if let Some(accept) = missing_id {
        if let Err(refusal) = authenticate(&headers, accept) {
            return refusal.into_response();
        }
        return bare(StatusCode::BAD_REQUEST, ErrorCode::IdRequired);
    }
    detailed_response(
        StatusCode::NOT_FOUND,
        ErrorCode::from("not_found"),
        format!("No such endpoint: {method} {path}"),
        Vec::new(),
    )
}

pub(super) async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    detailed_response(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::from("method_not_allowed"),
        format!("{} does not accept {method}.", uri.path()),
        Vec::new(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_spec_drives_the_member_checks() {
        let problems = SCHEMAS.check(
            "CreateOrderRequest",
            &serde_json::json!({"tax_amount": "x"}),
        );
        let paths: Vec<&str> = problems.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["currency", "order_lines", "tax_amount"]);
    }

    #[test]
    fn windows_are_inclusive_from_and_exclusive_to() {
        let t = |ms| Some(EpochMillis::from_millis(ms));
        assert!(in_window(t(10), t(10), t(20)));
        assert!(!in_window(t(20), t(10), t(20)));
        assert!(in_window(t(19), None, t(20)));
        assert!(!in_window(None, t(0), None));
        assert!(in_window(None, None, None));
        assert!(!in_window(t(15), t(20), t(10)));
    }

    #[test]
    fn body_faults_name_their_fields() {
        let body = Bytes::from_static(
            br#"{"currency": 5, "order_lines": [{"title": "T", "quantity": "x"}, 3]}"#,
        );
        let Err(refusal) = parse_body::<CreateOrderRequest>(&body, "CreateOrderRequest", false)
        else {
            panic!("accepted");
        };
        assert_eq!(refusal.status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn totals_are_exact_and_overflow_is_caught() {
        let request: CreateOrderRequest = serde_json::from_str(
            r#"{"currency": "USD", "tax_amount": 0.2,
                "order_lines": [{"title": "a", "quantity": 3, "unit_price": 0.1}]}"#,
        )
        .expect("parses");
        assert_eq!(total(&request), Some(Decimal::new(5, 1)));
        let huge: CreateOrderRequest = serde_json::from_str(
            r#"{"currency": "USD", "order_lines": [
                {"title": "a", "quantity": 79228162514264337593543950335, "unit_price": 2}]}"#,
        )
        .expect("parses");
        assert_eq!(total(&huge), None);
    }

    #[test]
    fn query_params_and_urls() {
        assert_eq!(query_param(Some("a=1&token=abc"), "token"), Some("abc"));
        assert_eq!(query_param(Some("tokenx=1"), "token"), None);
        assert_eq!(query_param(None, "token"), None);
        assert!(is_http_url("https://x"));
        assert!(!is_http_url("https://"));
        assert!(!is_http_url("ftp://x"));
        assert!(!is_http_url("é"));
    }
}
