//! Cursor pagination as a [`Stream`] of items.
//!
//! Generated clients call [`paginate`] for operations marked `x-pagination` in the spec: it
//! fetches a page, yields its items one by one, and follows the page's next cursor until a page
//! has none (missing or empty). Only one page is held at a time, so memory stays flat however
//! many pages there are.
//!
//! A server that hands out a cursor it already handed out would make a naive loop run forever.
//! [`paginate`] detects that with constant memory: a cursor equal to one of the last two sent
//! is caught before it is fetched again, and a longer cycle of `k` cursors (Brent's cycle
//! detection) within at most `2k` further pages. The stream then yields
//! [`Error::RepeatedCursor`] and ends.

use std::future::Future;

use futures_core::Stream;

use crate::Error;

/// One page: its items and the cursor of the next page (`None` or empty: the last page).
#[derive(Debug)]
pub struct Page<T> {
    /// The page's items, in the server's order.
    pub items: Vec<T>,
    /// The cursor to send for the next page.
    pub next_cursor: Option<String>,
}

/// Remembers the last two cursors sent, plus one cursor saved at power-of-two intervals
/// (Brent): a repeated cursor is found with constant memory.
#[derive(Debug)]
struct CycleDetector {
    recent: [Option<String>; 2],
    saved: Option<String>,
    power: u64,
    steps: u64,
}

impl CycleDetector {
    fn new(start: Option<String>) -> Self {
        CycleDetector {
            recent: [start, None],
            saved: None,
            power: 1,
            steps: 0,
        }
    }

    /// Whether `next` (the cursor a page handed out) was handed out or sent before, as far as
    /// the detector can tell; if not, it is recorded as the next cursor sent.
    fn repeated(&mut self, next: &str) -> bool {
        let seen = |c: &Option<String>| c.as_deref() == Some(next);
        if self.recent.iter().any(seen) || seen(&self.saved) {
            return true;
        }
        self.steps += 1;
        if self.steps == self.power {
            self.saved = Some(next.to_owned());
            self.power = self.power.saturating_mul(2);
            self.steps = 0;
        }
        let [last, _] = std::mem::take(&mut self.recent);
        self.recent = [Some(next.to_owned()), last];
        false
    }
}

enum Next {
    Fetch(Option<String>),
    Fail(String),
    Done,
}

struct State<T, F> {
    fetch: F,
    items: std::vec::IntoIter<T>,
    next: Next,
    detector: CycleDetector,
    pages: u64,
}

/// The items of every page, starting at `start` (`None`: the first page), fetched with
/// `fetch(cursor)`.
///
/// A fetch error is yielded and ends the stream. A repeated cursor yields
/// [`Error::RepeatedCursor`] after the items of the page that carried it, and ends the stream.
pub fn paginate<T, E, F, Fut>(
    start: Option<String>,
    fetch: F,
) -> impl Stream<Item = Result<T, Error<E>>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error<E>>>,
{
    let state = State {
        fetch,
        items: Vec::new().into_iter(),
        detector: CycleDetector::new(start.clone().filter(|c| !c.is_empty())),
        next: Next::Fetch(start),
        pages: 0,
    };
    futures_util::stream::unfold(state, |mut s| async move {
        loop {
            if let Some(item) = s.items.next() {
                return Some((Ok(item), s));
            }
            let cursor = match std::mem::replace(&mut s.next, Next::Done) {
                Next::Done => return None,
                Next::Fail(cursor) => {
                    let pages = s.pages;
                    return Some((Err(Error::RepeatedCursor { cursor, pages }), s));
                }
                Next::Fetch(cursor) => cursor,
            };
            match (s.fetch)(cursor).await {
                Err(e) => return Some((Err(e), s)),
                Ok(page) => {
                    s.pages += 1;
                    s.items = page.items.into_iter();
                    if let Some(next) = page.next_cursor.filter(|c| !c.is_empty()) {
                        s.next = if s.detector.repeated(&next) {
                            Next::Fail(next)
                        } else {
                            Next::Fetch(Some(next))
                        };
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    /// Streams a server whose pages are `cursor -> (items, next)` from `start`: the items, the
    /// error (if any), and the cursors the server was sent.
    async fn run(
        pages: &[(&str, &[u32], &str)],
        start: Option<&str>,
    ) -> (Vec<u32>, Option<Error<()>>, Vec<String>) {
        let map: HashMap<String, (Vec<u32>, String)> = pages
            .iter()
            .map(|(c, items, next)| (c.to_string(), (items.to_vec(), next.to_string())))
            .collect();
        let sent = Arc::new(Mutex::new(Vec::new()));
        let log = sent.clone();
        let fetch = move |cursor: Option<String>| {
            let key = cursor.unwrap_or_default();
            log.lock().unwrap().push(key.clone());
            let (items, next) = map.get(&key).cloned().expect("known cursor");
            std::future::ready(Ok(Page {
                items,
                next_cursor: Some(next),
            }))
        };
        let stream = paginate(start.map(str::to_owned), fetch);
        let mut stream = std::pin::pin!(stream);
        let mut items = Vec::new();
        let mut error = None;
        while let Some(r) = stream.next().await {
            match r {
                Ok(i) => items.push(i),
                Err(e) => {
                    assert!(error.is_none(), "two errors");
                    error = Some(e);
                }
            }
        }
        let sent = sent.lock().unwrap().clone();
        (items, error, sent)
    }

    #[tokio::test]
    async fn follows_cursors_until_an_empty_one() {
        let (items, error, sent) = run(
            &[("", &[1, 2], "a"), ("a", &[3], "b"), ("b", &[4, 5], "")],
            None,
        )
        .await;
        assert_eq!(items, [1, 2, 3, 4, 5]);
        assert!(error.is_none());
        assert_eq!(sent, ["", "a", "b"]);
    }

    #[tokio::test]
    async fn empty_pages_in_the_middle_are_followed() {
        let (items, error, _) =
            run(&[("", &[], "a"), ("a", &[], "b"), ("b", &[7], "")], None).await;
        assert_eq!(items, [7]);
        assert!(error.is_none());
    }

    #[tokio::test]
    async fn a_cursor_pointing_at_itself_stops_before_refetching() {
        let (items, error, sent) = run(&[("", &[1], "a"), ("a", &[2], "a")], None).await;
        assert_eq!(items, [1, 2]);
        assert_eq!(sent, ["", "a"]);
        match error {
            Some(Error::RepeatedCursor { cursor, pages }) => {
                assert_eq!(cursor, "a");
                assert_eq!(pages, 2);
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn the_start_cursor_coming_back_is_caught() {
        let (_, error, sent) = run(&[("s", &[1], "t"), ("t", &[2], "s")], Some("s")).await;
        assert!(matches!(error, Some(Error::RepeatedCursor { .. })));
        assert_eq!(sent, ["s", "t"]);
    }

    #[tokio::test]
    async fn long_cycles_end_in_an_error_within_twice_their_length() {
        // "" -> c0 -> c1 -> ... -> c9 -> c3 (a cycle of 7 after a tail of 3).
        let names: Vec<String> = (0..10).map(|i| format!("c{i}")).collect();
        let mut pages: Vec<(&str, &[u32], &str)> = vec![("", &[0], "c0")];
        for i in 0..10 {
            let next = if i == 9 { "c3" } else { names[i + 1].as_str() };
            pages.push((names[i].as_str(), &[1], next));
        }
        let (_, error, sent) = run(&pages, None).await;
        assert!(matches!(error, Some(Error::RepeatedCursor { .. })));
        assert!(sent.len() <= 1 + 3 + 2 * 7 + 1, "{} fetches", sent.len());
    }

    #[tokio::test]
    async fn a_fetch_error_is_yielded_once_and_ends_the_stream() {
        let mut calls = 0;
        let fetch = move |_cursor: Option<String>| {
            calls += 1;
            std::future::ready(if calls == 1 {
                Ok(Page {
                    items: vec![1u32],
                    next_cursor: Some("x".into()),
                })
            } else {
                Err(Error::<()>::Other("boom".into()))
            })
        };
        let all: Vec<_> = paginate(None, fetch).collect().await;
        assert_eq!(all.len(), 2);
        assert!(matches!(all[0], Ok(1)));
        assert!(matches!(&all[1], Err(Error::Other(m)) if m == "boom"));
    }

    #[test]
    fn the_detector_uses_constant_memory_over_many_distinct_cursors() {
        let mut d = CycleDetector::new(None);
        for i in 0..100_000u32 {
            assert!(!d.repeated(&i.to_string()));
        }
        // Three cursors at most are ever remembered.
        assert!(d.saved.is_some() && d.recent.iter().all(Option::is_some));
    }
}
