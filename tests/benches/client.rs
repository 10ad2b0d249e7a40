//! The generated client's overhead over bare `reqwest` + `serde_json`: one GET of an n1co order
//! (`OrderDetails`, the seed's sample) from a server on loopback, through a keep-alive
//! connection.
//!
//! - `client_get/bare`: `reqwest` built with the same options (`ClientOptions::build_http_client`:
//!   rustls, timeouts, no redirects), the bearer header, `send`, `bytes`, then
//!   `serde_json::from_slice::<OrderDetails>`.
//! - `client_get/generated`: `Client::get_order`: validation, the credential check, the
//!   operation's table entry, progenitor's request building, the runtime's `ClientState::send`
//!   and transport, decoding.
//!
//! Target: generated time / bare time at most 1.05, measured in interleaved pairs (printed after
//! a plain `cargo bench -p payspec-tests --bench client`). See README.md next to this file.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group};
use payspec_n1co::types::OrderDetails;
use payspec_tests::interleaved;

const TOKEN: &str = "sk_bench_token";

/// A loopback server answering every request with the order, on its own runtime thread.
fn server() -> String {
    let body = payspec_tests::fixture_text("n1co", "order_schema_sample.json");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        rt.block_on(async move {
            let app = axum::Router::new().fallback(move || {
                let body = body.clone();
                async move { ([("content-type", "application/json")], body) }
            });
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            tx.send(format!("http://{}", listener.local_addr().expect("addr")))
                .expect("send url");
            axum::serve(listener, app).await.expect("serve");
        });
    });
    rx.recv().expect("server url")
}

struct Sides {
    rt: tokio::runtime::Runtime,
    bare: reqwest::Client,
    generated: payspec_n1co::Client,
    url: String,
}

impl Sides {
    fn new() -> Self {
        let base = server();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("client runtime");
        let bare = payspec_runtime::ClientOptions::new("bench")
            .build_http_client()
            .expect("bare client");
        let generated = payspec_n1co::Client::builder(&base)
            .bearer_auth(TOKEN)
            .build()
            .expect("generated client");
        let sides = Sides {
            rt,
            bare,
            generated,
            url: format!("{base}/paymentlink/order/PL-001"),
        };
        // Both sides decode the same value before anything is timed.
        assert_eq!(sides.bare_once(), sides.generated_once());
        sides
    }

    fn bare_once(&self) -> OrderDetails {
        self.rt.block_on(async {
            let response = self
                .bare
                .get(&self.url)
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("accept", "application/json")
                .send()
                .await
                .expect("send");
            let bytes = response.bytes().await.expect("body");
            serde_json::from_slice::<OrderDetails>(&bytes).expect("decode")
        })
    }

    fn generated_once(&self) -> OrderDetails {
        self.rt
            .block_on(self.generated.get_order("PL-001"))
            .expect("get_order")
    }
}

fn benches(c: &mut Criterion) {
    let sides = Sides::new();
    let mut group = c.benchmark_group("client_get");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("bare", |b| b.iter(|| black_box(sides.bare_once())));
    group.bench_function("generated", |b| {
        b.iter(|| black_box(sides.generated_once()))
    });
    group.finish();
}

criterion_group!(group, benches);

fn interleaved_ratio() {
    let sides = Sides::new();
    let (generated, bare, ratio) = interleaved(
        2000,
        || drop(black_box(sides.generated_once())),
        || drop(black_box(sides.bare_once())),
    );
    println!(
        "client_get interleaved (2000 pairs): generated {:.1} µs, bare {:.1} µs; \
         generated time / bare time = {:.3} (target <= 1.05)",
        generated * 1e6,
        bare * 1e6,
        ratio
    );
}

/// `PAYSPEC_BENCH_PROFILE=generated` (or `bare`): only 500 calls of that side after 50 warm-up
/// calls, and no criterion, for an instruction profile under callgrind (see README.md).
fn profile(side: &str) {
    let sides = Sides::new();
    let once: &dyn Fn() = match side {
        "generated" => &|| drop(black_box(sides.generated_once())),
        "bare" => &|| drop(black_box(sides.bare_once())),
        other => panic!("PAYSPEC_BENCH_PROFILE={other}: expected generated or bare"),
    };
    for _ in 0..50 {
        once();
    }
    for _ in 0..500 {
        profiled_call(once);
    }
}

/// One profiled call: callgrind's `--toggle-collect` names this function.
#[inline(never)]
fn profiled_call(once: &dyn Fn()) {
    once();
}

fn main() {
    if let Ok(side) = std::env::var("PAYSPEC_BENCH_PROFILE") {
        profile(&side);
        return;
    }
    group();
    Criterion::default().configure_from_args().final_summary();
    // Only for a plain `cargo bench` run: not with a filter or `--test`.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args == ["--bench"] {
        interleaved_ratio();
    }
}
