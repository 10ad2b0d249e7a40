//! n1co webhooks: `X-H4B-Hmac-Sha256` is the Base64 HMAC-SHA256 of the raw body, keyed with the
//! portal's webhook secret; verified in constant time before the payload is parsed.

use payspec_n1co::types::WebhookEventType;
use payspec_n1co::webhooks::OrderEventWebhook;
use payspec_runtime::WebhookError;

const SECRET: &str = "whsec_portal_secret";
const BODY: &[u8] = br#"{"orderId":"21566","orderReference":"RFC-1234","orderType":"FASTLINK_CHARGE","description":"Payment received","metadata":null,"level":"Info","type":"SuccessPayment"}"#;

/// The signature computed independently of the code under test: HMAC-SHA256 by hand (RFC 2104)
/// over sha2, then Base64.
fn reference_signature(secret: &[u8], body: &[u8]) -> String {
    use base64::Engine as _;
    use sha2::{Digest, Sha256};
    let mut key = [0u8; 64];
    if secret.len() > 64 {
        key[..32].copy_from_slice(&Sha256::digest(secret));
    } else {
        key[..secret.len()].copy_from_slice(secret);
    }
    let ipad: Vec<u8> = key.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = key.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&ipad)
        .chain_update(body)
        .finalize();
    let outer = Sha256::new()
        .chain_update(&opad)
        .chain_update(inner)
        .finalize();
    base64::engine::general_purpose::STANDARD.encode(outer)
}

#[test]
fn a_correct_signature_is_accepted_and_the_event_parsed() {
    let hook = OrderEventWebhook::new(SECRET);
    let signature = reference_signature(SECRET.as_bytes(), BODY);
    assert_eq!(hook.sign(BODY), signature);
    let event = hook.verify_and_parse(Some(&signature), BODY).unwrap();
    assert_eq!(event.type_, Some(WebhookEventType::SuccessPayment));
    assert_eq!(event.order_id.as_deref(), Some("21566"));
    assert_eq!(event.order_type.as_deref(), Some("FASTLINK_CHARGE"));
    assert!(event.metadata.is_null());
}

#[test]
fn the_header_is_read_from_a_request() {
    let hook = OrderEventWebhook::new(SECRET);
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "x-h4b-hmac-sha256",
        reference_signature(SECRET.as_bytes(), BODY)
            .parse()
            .unwrap(),
    );
    assert!(hook.verify_request(&headers, BODY).is_ok());
    assert!(matches!(
        hook.verify_request(&reqwest::header::HeaderMap::new(), BODY),
        Err(WebhookError::MissingSignature)
    ));
    assert_eq!(OrderEventWebhook::SIGNATURE_HEADER, "X-H4B-Hmac-Sha256");
}

#[test]
fn a_wrong_secret_is_rejected() {
    let hook = OrderEventWebhook::new(SECRET);
    let forged = reference_signature(b"another secret", BODY);
    assert!(matches!(
        hook.verify_and_parse(Some(&forged), BODY),
        Err(WebhookError::SignatureMismatch)
    ));
}

#[test]
fn a_hex_signature_is_rejected() {
    use base64::Engine as _;
    let hook = OrderEventWebhook::new(SECRET);
    let b64 = reference_signature(SECRET.as_bytes(), BODY);
    let raw = base64::engine::general_purpose::STANDARD
        .decode(&b64)
        .unwrap();
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex.len(), 64);
    let result = hook.verify_and_parse(Some(&hex), BODY);
    assert!(
        matches!(
            result,
            Err(WebhookError::SignatureMismatch | WebhookError::MalformedSignature)
        ),
        "{result:?}"
    );
}

#[test]
fn a_tampered_body_is_rejected() {
    let hook = OrderEventWebhook::new(SECRET);
    let signature = reference_signature(SECRET.as_bytes(), BODY);
    let tampered = String::from_utf8(BODY.to_vec())
        .unwrap()
        .replace("SuccessPayment", "Cancelled");
    assert!(matches!(
        hook.verify_and_parse(Some(&signature), tampered.as_bytes()),
        Err(WebhookError::SignatureMismatch)
    ));
    // Whitespace is part of the signed bytes too.
    let mut spaced = BODY.to_vec();
    spaced.push(b' ');
    assert!(hook.verify(&signature, &spaced).is_err());
}

#[test]
fn garbage_signatures_are_rejected_without_panicking() {
    let hook = OrderEventWebhook::new(SECRET);
    for sig in ["", "!!!!", "abc", "=====", &"A".repeat(10_000)] {
        assert!(hook.verify(sig, BODY).is_err(), "{sig:?}");
    }
}

#[test]
fn unknown_event_types_are_kept() {
    let hook = OrderEventWebhook::new(SECRET);
    let body = br#"{"orderId":"1","type":"RefundScheduled","metadata":{"clientId":"1234"}}"#;
    let event = hook.verify_and_parse(Some(&hook.sign(body)), body).unwrap();
    assert_eq!(
        event.type_,
        Some(WebhookEventType::Unknown("RefundScheduled".into()))
    );
    assert_eq!(event.metadata.into_value().unwrap()["clientId"], "1234");
}

#[test]
fn the_secret_never_appears_in_debug_output() {
    let hook = OrderEventWebhook::new(SECRET);
    assert!(!format!("{hook:?}").contains(SECRET));
}
