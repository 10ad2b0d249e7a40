//! The documented rate limits: requests in flight and per minute, per credential.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use payspec_onecheckout::types::ErrorCode;

use crate::common::store::Locked;

use super::errors::detailed_response;
use super::{MAX_IN_FLIGHT, RATE_LIMITED_CODE, REQUESTS_PER_MINUTE};

#[derive(Clone, Copy, Debug)]
pub(super) struct Limits {
    pub(super) max_in_flight: usize,
    pub(super) per_window: usize,
    pub(super) window: Duration,
}

pub(super) struct Limiter {
    pub(super) limits: Limits,
    pub(super) in_flight: AtomicUsize,
    /// When the admitted requests of the current window arrived, oldest first (at most
    /// `per_window` of them).
    pub(super) recent: Locked<VecDeque<Instant>>,
}

/// A request over a limit: wait this many seconds.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Refused {
    InFlight,
    PerWindow(u64),
}

/// One admitted request in flight; dropping it frees the slot.
pub(super) struct InFlight(Arc<Limiter>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Limiter {
    pub(super) fn new(limits: Limits) -> Self {
        Limiter {
            limits,
            in_flight: AtomicUsize::new(0),
            recent: Locked::new(VecDeque::new()),
        }
    }

    /// Admits one request arriving at `now`, or says how long to wait. O(1) amortized.
    pub(super) fn admit(self: &Arc<Self>, now: Instant) -> Result<InFlight, Refused> {
        let before = self.in_flight.fetch_add(1, Ordering::AcqRel);
        // From here on, dropping `slot` gives the slot back, on every path.
        let slot = InFlight(self.clone());
        if before >= self.limits.max_in_flight {
            return Err(Refused::InFlight);
        }
        let mut recent = self.recent.lock();
        while let Some(&oldest) = recent.front() {
            if now.saturating_duration_since(oldest) >= self.limits.window {
                recent.pop_front();
            } else {
                break;
            }
        }
        if recent.len() >= self.limits.per_window {
            let wait = match recent.front() {
                Some(&oldest) => (oldest + self.limits.window).saturating_duration_since(now),
                None => self.limits.window,
            };
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return Err(Refused::PerWindow(secs.max(1)));
        }
        recent.push_back(now);
        Ok(slot)
    }
}

pub(super) fn too_many_requests(refused: Refused) -> Response {
    let (secs, message) = match refused {
        Refused::InFlight => (
            1,
            format!("Too many simultaneous requests: at most {MAX_IN_FLIGHT} per API key."),
        ),
        Refused::PerWindow(secs) => (
            secs,
            format!("Too many requests: at most {REQUESTS_PER_MINUTE} per minute per API key."),
        ),
    };
    let mut response = detailed_response(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::from(RATE_LIMITED_CODE),
        message,
        Vec::new(),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(max_in_flight: usize, per_window: usize) -> Arc<Limiter> {
        Arc::new(Limiter::new(Limits {
            max_in_flight,
            per_window,
            window: Duration::from_secs(60),
        }))
    }

    #[test]
    fn in_flight_limit_frees_slots_on_drop() {
        let l = limiter(MAX_IN_FLIGHT, 1000);
        let now = Instant::now();
        let held: Vec<InFlight> = (0..MAX_IN_FLIGHT)
            .map(|_| l.admit(now).map_err(|_| ()).expect("admitted"))
            .collect();
        assert_eq!(l.admit(now).err(), Some(Refused::InFlight));
        assert_eq!(l.in_flight.load(Ordering::Acquire), MAX_IN_FLIGHT);
        drop(held);
        assert_eq!(l.in_flight.load(Ordering::Acquire), 0);
        assert!(l.admit(now).is_ok());
    }

    #[test]
    fn rolling_window_refuses_with_the_wait_until_a_slot_frees() {
        let l = limiter(100, 3);
        let t0 = Instant::now();
        for i in 0..3 {
            assert!(l.admit(t0 + Duration::from_secs(i * 10)).is_ok());
        }
        // The oldest (t0) leaves the window at t0 + 60 s: 35 s from t0 + 25 s.
        assert_eq!(
            l.admit(t0 + Duration::from_secs(25)).err(),
            Some(Refused::PerWindow(35))
        );
        // Rounded up, never 0.
        assert_eq!(
            l.admit(t0 + Duration::from_millis(59_999)).err(),
            Some(Refused::PerWindow(1))
        );
        assert!(l.admit(t0 + Duration::from_secs(60)).is_ok());
        // A refused request does not count.
        assert_eq!(l.recent.lock().len(), 3);
    }
}
