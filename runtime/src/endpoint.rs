//! Where a client may send requests: the base URL is checked once, when the client is built,
//! and redirects are never followed.
//!
//! Every provider's request bodies carry payment data (card numbers, CVVs, bank account
//! numbers), and some carry the credential itself (an authentication key inside the body).
//! An HTTP client that follows redirects re-sends the body to whatever host the `Location`
//! header names: for a 307 or 308 the whole body, to another origin. So a generated client
//! sends requests to the host the user configured and to no other:
//!
//! * **Redirects are never followed.** The HTTP client is built with
//!   `reqwest::redirect::Policy::none()`, also when the user supplies their own
//!   `reqwest::ClientBuilder` (the transport's `HttpClientBuilder`). A 3xx answer ends
//!   the call as [`Error::Redirect`](crate::Error::Redirect), with the status and the target
//!   (without its query), and nothing is sent to the target, same origin or not. Payment APIs
//!   do not redirect API calls; a redirect means a wrong base URL (`http` for `https`, a
//!   missing path prefix) or someone in the network path, and both are better reported than
//!   followed.
//! * **Plain HTTP only on loopback.** A base URL must be `https://`, except for a loopback
//!   host (`localhost`, `127.0.0.0/8`, `[::1]`), where a local sandbox or test server runs. A
//!   plain `http://` base URL on any other host is refused unless the user allows it by name
//!   (the builders' `danger_allow_plain_http()`).
//! * **No credentials in the URL.** A base URL with a user name or password is refused:
//!   credentials go through the builders' credential methods, which keep them out of `Debug`
//!   and error messages.
//!
//! Nothing here prints a whole URL: messages name the scheme and host only.

use std::fmt;
use std::net::IpAddr;

use http::{HeaderMap, StatusCode};
use reqwest::Url;

/// Why a base URL was refused when a client was built.
///
/// `Display` names the scheme or host at most, never the whole URL (which could carry a
/// secret in its query or user info).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BaseUrlError {
    /// The text is not an absolute URL; the parser's reason.
    Unparsable(String),
    /// The scheme is not `http` or `https`.
    UnsupportedScheme(String),
    /// A plain `http://` URL on a host that is not loopback, without an explicit opt-in.
    PlainHttp {
        /// The host.
        host: String,
    },
    /// The URL carries a user name or password.
    UserInfo,
}

impl fmt::Display for BaseUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BaseUrlError::Unparsable(reason) => {
                write!(f, "invalid base URL: {reason}")
            }
            BaseUrlError::UnsupportedScheme(scheme) => {
                write!(f, "invalid base URL: scheme {scheme} is not http or https")
            }
            BaseUrlError::PlainHttp { host } => write!(
                f,
                "refusing plain http:// to {host}: payment data and credentials would travel \
                 unencrypted; use https://, or call danger_allow_plain_http() on the builder \
                 for a test server you control (loopback hosts are always allowed)"
            ),
            BaseUrlError::UserInfo => f.write_str(
                "invalid base URL: it carries a user name or password; pass credentials \
                 through the builder's credential methods instead",
            ),
        }
    }
}

impl std::error::Error for BaseUrlError {}

/// Checks a client's base URL (see the [module docs](self)) and returns it parsed.
///
/// `allow_plain_http` is the user's explicit opt-in to `http://` on a host that is not
/// loopback.
pub fn check_base_url(base_url: &str, allow_plain_http: bool) -> Result<Url, BaseUrlError> {
    let url = Url::parse(base_url).map_err(|e| BaseUrlError::Unparsable(e.to_string()))?;
    match url.scheme() {
        "https" => {}
        "http" => {
            if !allow_plain_http && !is_loopback(&url) {
                return Err(BaseUrlError::PlainHttp {
                    host: url.host_str().unwrap_or_default().to_string(),
                });
            }
        }
        other => return Err(BaseUrlError::UnsupportedScheme(other.to_string())),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(BaseUrlError::UserInfo);
    }
    Ok(url)
}

/// Whether `url`'s host is loopback: `localhost`, an address in `127.0.0.0/8`, `::1`, or an
/// IPv4-mapped loopback address.
pub fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.to_canonical().is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

/// Whether an answer with `status` is a redirect that the client reports instead of following:
/// any 3xx.
pub fn is_redirect(status: StatusCode) -> bool {
    status.is_redirection()
}

/// The target of a redirect for diagnosis: the `Location` header without user info, query
/// or fragment (they can carry tokens). `None` when there is no readable `Location`.
pub fn redirect_target(headers: &HeaderMap) -> Option<String> {
    let text = headers.get(http::header::LOCATION)?.to_str().ok()?.trim();
    if text.is_empty() {
        return None;
    }
    match Url::parse(text) {
        Ok(mut url) => {
            strip_secrets(&mut url);
            Some(url.to_string())
        }
        // A relative reference: its path only.
        Err(_) => {
            let end = text.find(['?', '#']).unwrap_or(text.len());
            Some(text[..end].to_string())
        }
    }
}

/// Removes the parts of `url` that may carry credentials or tokens (query, fragment, user
/// info); the scheme, host and path stay for diagnosis.
pub(crate) fn strip_secrets(url: &mut Url) {
    url.set_query(None);
    url.set_fragment(None);
    // These fail only for URLs that cannot have user info, which then have none.
    let _ = url.set_username("");
    let _ = url.set_password(None);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        for ok in [
            "https://api.example.com",
            "https://api.example.com:8443/v1/",
            "http://127.0.0.1:4101",
            "http://127.1.2.3/x",
            "http://localhost:8080",
            "http://LOCALHOST",
            "http://[::1]:9000/api",
            "http://[::ffff:127.0.0.1]:9000",
        ] {
            assert!(check_base_url(ok, false).is_ok(), "{ok}");
        }
        for refused in [
            "http://api.example.com",
            "http://10.0.0.5:8080",
            "http://[::2]",
            "http://localhost.example.com",
            "http://0.0.0.0:80",
        ] {
            let e = check_base_url(refused, false).unwrap_err();
            assert!(
                matches!(e, BaseUrlError::PlainHttp { .. }),
                "{refused}: {e:?}"
            );
            assert!(check_base_url(refused, true).is_ok(), "{refused}");
        }
        assert_eq!(
            check_base_url("http://api.example.com/v1?x=1", false)
                .unwrap_err()
                .to_string(),
            "refusing plain http:// to api.example.com: payment data and credentials would \
             travel unencrypted; use https://, or call danger_allow_plain_http() on the builder \
             for a test server you control (loopback hosts are always allowed)"
        );
    }

    #[test]
    fn other_schemes_user_info_and_garbage_are_refused() {
        assert_eq!(
            check_base_url("ftp://example.com", true),
            Err(BaseUrlError::UnsupportedScheme("ftp".into()))
        );
        for with_user in [
            "https://user:hunter2@api.example.com",
            "https://user@api.example.com",
            "http://:hunter2@127.0.0.1:1",
        ] {
            let e = check_base_url(with_user, true).unwrap_err();
            assert_eq!(e, BaseUrlError::UserInfo, "{with_user}");
            assert!(!e.to_string().contains("hunter2"));
        }
        let e = check_base_url("not a url hunter2", false).unwrap_err();
        assert!(matches!(e, BaseUrlError::Unparsable(_)), "{e:?}");
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }

    #[test]
    fn redirect_targets_lose_query_and_user_info() {
        let mut headers = HeaderMap::new();
        assert_eq!(redirect_target(&headers), None);
        headers.insert(
            http::header::LOCATION,
            "https://u:p@evil.example:8443/collect?key=sk_live_1#f"
                .parse()
                .unwrap(),
        );
        assert_eq!(
            redirect_target(&headers).as_deref(),
            Some("https://evil.example:8443/collect")
        );
        headers.insert(
            http::header::LOCATION,
            "/v2/charge?token=t".parse().unwrap(),
        );
        assert_eq!(redirect_target(&headers).as_deref(), Some("/v2/charge"));
        assert!(is_redirect(StatusCode::TEMPORARY_REDIRECT));
        assert!(is_redirect(StatusCode::MOVED_PERMANENTLY));
        assert!(!is_redirect(StatusCode::OK));
        assert!(!is_redirect(StatusCode::BAD_REQUEST));
    }
}
