//! What a response says about the client's rate limit ([`RateLimit`]), read from its headers.

use std::time::{Duration, SystemTime};

use http::HeaderMap;

/// What a response says about the client's rate limit, from the standard headers: the IETF
/// `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`, their widespread
/// `X-RateLimit-*` forms, and `Retry-After` (which a spec documents on 429 answers, as
/// Onecheckout's does). A header that is missing or does not parse is `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// Requests allowed in the current window.
    pub limit: Option<u64>,
    /// Requests left in the current window.
    pub remaining: Option<u64>,
    /// How long until the window resets. `RateLimit-Reset` is delta-seconds; an
    /// `X-RateLimit-Reset` above 1,000,000,000 is read as a Unix time in seconds (the form
    /// most providers send), a smaller one as delta-seconds.
    pub reset: Option<Duration>,
    /// How long the server asks the client to wait (`Retry-After`: delta-seconds or an HTTP
    /// date).
    pub retry_after: Option<Duration>,
}

impl RateLimit {
    /// The rate-limit headers of `headers`, relative to `now` (for dates).
    pub fn from_headers(headers: &HeaderMap, now: SystemTime) -> RateLimit {
        let number = |names: &[&str]| {
            names.iter().find_map(|n| {
                let text = headers.get(*n)?.to_str().ok()?.trim();
                // A structured list (`10, 100;w=60`): its first item.
                let first = text.split([',', ';']).next()?.trim();
                first.parse::<u64>().ok()
            })
        };
        let reset = number(&["ratelimit-reset"])
            .map(Duration::from_secs)
            .or_else(|| {
                number(&["x-ratelimit-reset"]).map(|n| {
                    if n > 1_000_000_000 {
                        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(n);
                        at.duration_since(now).unwrap_or(Duration::ZERO)
                    } else {
                        Duration::from_secs(n)
                    }
                })
            });
        RateLimit {
            limit: number(&["ratelimit-limit", "x-ratelimit-limit"]),
            remaining: number(&["ratelimit-remaining", "x-ratelimit-remaining"]),
            reset,
            retry_after: headers
                .get(http::header::RETRY_AFTER)
                .and_then(|v| crate::transport::parse_retry_after(v, now)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn rate_limit_headers_are_read_into_numbers_and_durations() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, HeaderValue::from_static(v));
            }
            h
        };
        let ietf = RateLimit::from_headers(
            &headers(&[
                ("ratelimit-limit", "100, 100;w=60"),
                ("ratelimit-remaining", "7"),
                ("ratelimit-reset", "30"),
                ("retry-after", "5"),
            ]),
            now,
        );
        assert_eq!(
            ietf,
            RateLimit {
                limit: Some(100),
                remaining: Some(7),
                reset: Some(Duration::from_secs(30)),
                retry_after: Some(Duration::from_secs(5)),
            }
        );
        let x = RateLimit::from_headers(
            &headers(&[
                ("x-ratelimit-limit", "1000"),
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1700000045"),
            ]),
            now,
        );
        assert_eq!(x.limit, Some(1000));
        assert_eq!(x.remaining, Some(0));
        assert_eq!(x.reset, Some(Duration::from_secs(45)));
        assert_eq!(x.retry_after, None);
        let delta = RateLimit::from_headers(&headers(&[("x-ratelimit-reset", "12")]), now);
        assert_eq!(delta.reset, Some(Duration::from_secs(12)));
        let garbage = RateLimit::from_headers(
            &headers(&[
                ("ratelimit-limit", "many"),
                ("ratelimit-remaining", "-1"),
                ("retry-after", "soon"),
            ]),
            now,
        );
        assert_eq!(garbage, RateLimit::default());
    }
}
