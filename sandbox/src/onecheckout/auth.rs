//! Which credential each route accepts, and the answers to a missing or wrong one.

use axum::http::{HeaderMap, StatusCode, header};
use payspec_onecheckout::types::ErrorCode;

use crate::common::headers::{bearer_token, header_text};

use super::errors::{Answer, detailed};
use super::{TEST_API_KEY, TEST_TOKEN};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Accept {
    /// `Authorization: Bearer <token>` only (the order operations).
    Bearer,
    /// `X-API-Key` or `Authorization: Bearer` (`/me`, the sandbox dashboard routes).
    KeyOrBearer,
}

pub(super) fn authenticate(headers: &HeaderMap, accept: Accept) -> Answer<()> {
    // Sent and not blank, even if it is not text (then it is an invalid credential).
    let sent = |name: &str| {
        headers
            .get(name)
            .is_some_and(|v| !v.as_bytes().trim_ascii().is_empty())
    };
    let authorization = sent(header::AUTHORIZATION.as_str());
    let key = sent("x-api-key");
    let invalid = || {
        detailed(
            StatusCode::UNAUTHORIZED,
            ErrorCode::ApiKeyInvalid,
            "The provided API key is invalid or expired.",
            Vec::new(),
        )
    };
    if authorization && bearer_token(headers) != Some(TEST_TOKEN) {
        return Err(invalid());
    }
    match accept {
        Accept::Bearer => {
            if !authorization {
                return Err(detailed(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::ApiKeyRequired,
                    "The API key was not provided: this operation needs \
                     `Authorization: Bearer <token>` (X-API-Key is not accepted here).",
                    Vec::new(),
                ));
            }
        }
        Accept::KeyOrBearer => {
            if key && header_text(headers, "x-api-key") != Some(TEST_API_KEY) {
                return Err(invalid());
            }
            if !authorization && !key {
                return Err(detailed(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::ApiKeyRequired,
                    "The API key was not provided: send `X-API-Key: <api key>` or \
                     `Authorization: Bearer <token>`.",
                    Vec::new(),
                ));
            }
        }
    }
    Ok(())
}
