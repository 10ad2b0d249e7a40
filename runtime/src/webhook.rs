//! Webhook signature verification.
//!
//! Providers sign each webhook body with HMAC-SHA256 under a shared secret and send the
//! signature in a header, Base64- or hex-encoded. [`HmacSha256Verifier`] checks it in
//! constant time before the body is trusted.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::secret::Secret;

/// How a signature is written in its header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureEncoding {
    /// Standard Base64 alphabet, with padding.
    Base64,
    /// Hexadecimal, either case.
    Hex,
}

/// Checks HMAC-SHA256 webhook signatures. Its `Debug` output does not show the key.
#[derive(Clone, Debug)]
pub struct HmacSha256Verifier {
    key: Secret<Vec<u8>>,
    encoding: SignatureEncoding,
}

/// Why a webhook was not accepted. Never shows the key or the expected signature.
#[derive(Debug)]
#[non_exhaustive]
pub enum WebhookError {
    /// The request carried no signature (or an empty one).
    MissingSignature,
    /// The signature is not valid Base64 or hex, as configured.
    MalformedSignature,
    /// The signature does not match the body.
    SignatureMismatch,
    /// The signature matched but the body is not the expected JSON.
    InvalidPayload(serde_json::Error),
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::MissingSignature => f.write_str("webhook signature is missing"),
            WebhookError::MalformedSignature => {
                f.write_str("webhook signature is not correctly encoded")
            }
            WebhookError::SignatureMismatch => {
                f.write_str("webhook signature does not match the body")
            }
            WebhookError::InvalidPayload(e) => write!(f, "webhook payload is invalid: {e}"),
        }
    }
}

impl std::error::Error for WebhookError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WebhookError::InvalidPayload(e) => Some(e),
            _ => None,
        }
    }
}

impl HmacSha256Verifier {
    /// A verifier for signatures made with `key` and written with `encoding`.
    pub fn new(key: impl AsRef<[u8]>, encoding: SignatureEncoding) -> Self {
        HmacSha256Verifier {
            key: Secret::new(key.as_ref().to_vec()),
            encoding,
        }
    }

    /// The encoding signatures are expected in.
    pub fn encoding(&self) -> SignatureEncoding {
        self.encoding
    }

    fn mac(&self, body: &[u8]) -> Hmac<Sha256> {
        // HMAC takes keys of any length, so this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.key.expose())
            .expect("HMAC accepts keys of any length");
        mac.update(body);
        mac
    }

    /// The encoded signature of `body` (for tests and simulators).
    pub fn sign(&self, body: &[u8]) -> String {
        let tag = self.mac(body).finalize().into_bytes();
        match self.encoding {
            SignatureEncoding::Base64 => STANDARD.encode(tag),
            SignatureEncoding::Hex => hex_encode(&tag),
        }
    }

    /// Checks that `signature` (surrounding ASCII whitespace ignored) is the signature of
    /// `body`. The comparison takes the same time wherever the first difference is.
    pub fn verify(&self, signature: &str, body: &[u8]) -> Result<(), WebhookError> {
        let signature = signature.trim_ascii();
        if signature.is_empty() {
            return Err(WebhookError::MissingSignature);
        }
        let decoded = match self.encoding {
            SignatureEncoding::Base64 => STANDARD.decode(signature).ok(),
            SignatureEncoding::Hex => hex_decode(signature),
        }
        .ok_or(WebhookError::MalformedSignature)?;
        self.mac(body)
            .verify_slice(&decoded)
            .map_err(|_| WebhookError::SignatureMismatch)
    }

    /// Verifies `signature` (`None` when the header was absent), then parses `body` as JSON.
    pub fn verify_json<T: serde::de::DeserializeOwned>(
        &self,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<T, WebhookError> {
        self.verify(signature.ok_or(WebhookError::MissingSignature)?, body)?;
        serde_json::from_slice(body).map_err(WebhookError::InvalidPayload)
    }
}

fn hex_encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes
        .chunks_exact(2)
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGE: &[u8] = b"The quick brown fox jumps over the lazy dog";
    const HEX: &str = "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8";
    const BASE64: &str = "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=";

    fn hex() -> HmacSha256Verifier {
        HmacSha256Verifier::new("key", SignatureEncoding::Hex)
    }

    fn b64() -> HmacSha256Verifier {
        HmacSha256Verifier::new(b"key", SignatureEncoding::Base64)
    }

    #[test]
    fn known_vector() {
        assert_eq!(hex().sign(MESSAGE), HEX);
        assert_eq!(b64().sign(MESSAGE), BASE64);
        hex().verify(HEX, MESSAGE).unwrap();
        hex().verify(&HEX.to_uppercase(), MESSAGE).unwrap();
        hex().verify(&format!(" {HEX}\r\n"), MESSAGE).unwrap();
        b64().verify(BASE64, MESSAGE).unwrap();
        b64().verify(&format!("\t{BASE64} "), MESSAGE).unwrap();
    }

    #[test]
    fn rejects_wrong_encoding() {
        // Hex text happens to be valid Base64 (of 48 bytes): a mismatch, never accepted.
        assert!(matches!(
            b64().verify(HEX, MESSAGE),
            Err(WebhookError::SignatureMismatch)
        ));
        assert!(matches!(
            hex().verify(BASE64, MESSAGE),
            Err(WebhookError::MalformedSignature)
        ));
    }

    #[test]
    fn rejects_tampering() {
        let body = b"{\"amount\":10.00}";
        let signature = b64().sign(body);
        b64().verify(&signature, body).unwrap();
        assert!(matches!(
            b64().verify(&signature, b"{\"amount\":99.00}"),
            Err(WebhookError::SignatureMismatch)
        ));
        // One byte of the signature changed.
        let mut raw = STANDARD.decode(&signature).unwrap();
        raw[17] ^= 0x01;
        assert!(matches!(
            b64().verify(&STANDARD.encode(&raw), body),
            Err(WebhookError::SignatureMismatch)
        ));
        let mut changed = HEX.to_owned();
        changed.replace_range(0..1, "e");
        assert!(matches!(
            hex().verify(&changed, MESSAGE),
            Err(WebhookError::SignatureMismatch)
        ));
        // A different key.
        let other = HmacSha256Verifier::new("other", SignatureEncoding::Hex);
        assert!(matches!(
            other.verify(HEX, MESSAGE),
            Err(WebhookError::SignatureMismatch)
        ));
    }

    #[test]
    fn rejects_malformed_and_truncated_signatures() {
        for bad in ["zz", "abc", "f7bc83f4 30538424", "é1"] {
            assert!(
                matches!(
                    hex().verify(bad, MESSAGE),
                    Err(WebhookError::MalformedSignature)
                ),
                "{bad}"
            );
        }
        // Missing padding, and a non-canonical alphabet, are malformed for Base64.
        for bad in [
            BASE64.trim_end_matches('='),
            "97yD9DBThCSxMpjmqm-xQ-9NWaFJRhdZl0edvC0aPNg=",
            "!!",
        ] {
            assert!(
                matches!(
                    b64().verify(bad, MESSAGE),
                    Err(WebhookError::MalformedSignature)
                ),
                "{bad}"
            );
        }
        // A prefix of the right signature is too short: a mismatch.
        assert!(matches!(
            hex().verify(&HEX[..32], MESSAGE),
            Err(WebhookError::SignatureMismatch)
        ));
        assert!(matches!(
            hex().verify(&format!("{HEX}00"), MESSAGE),
            Err(WebhookError::SignatureMismatch)
        ));
        assert!(matches!(
            hex().verify("  ", MESSAGE),
            Err(WebhookError::MissingSignature)
        ));
    }

    #[test]
    fn verify_json_checks_before_parsing() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Event {
            id: String,
        }
        let body = br#"{"id":"evt_1"}"#;
        let signature = hex().sign(body);
        let event: Event = hex().verify_json(Some(&signature), body).unwrap();
        assert_eq!(event.id, "evt_1");
        assert!(matches!(
            hex().verify_json::<Event>(None, body),
            Err(WebhookError::MissingSignature)
        ));
        assert!(matches!(
            hex().verify_json::<Event>(Some(&signature), br#"{"id":"evt_2"}"#),
            Err(WebhookError::SignatureMismatch)
        ));
        let not_event = b"[1]";
        let err = hex()
            .verify_json::<Event>(Some(&hex().sign(not_event)), not_event)
            .unwrap_err();
        assert!(matches!(err, WebhookError::InvalidPayload(_)));
        assert!(std::error::Error::source(&err).is_some());
    }

    #[test]
    fn never_shows_key_or_expected_signature() {
        let verifier = HmacSha256Verifier::new("whsec_supersecret", SignatureEncoding::Hex);
        let debug = format!("{verifier:?}");
        assert_eq!(
            debug,
            "HmacSha256Verifier { key: Secret([REDACTED]), encoding: Hex }"
        );
        let expected = verifier.sign(MESSAGE);
        let err = verifier.verify(HEX, MESSAGE).unwrap_err();
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(!shown.contains("supersecret"), "{shown}");
            assert!(!shown.contains(&expected), "{shown}");
        }
        assert_eq!(
            WebhookError::SignatureMismatch.to_string(),
            "webhook signature does not match the body"
        );
        assert_eq!(verifier.encoding(), SignatureEncoding::Hex);
    }
}
