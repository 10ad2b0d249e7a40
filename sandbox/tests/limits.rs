//! The request body limit every simulator shares (`413` over 2 MiB), and the 1-CP multipart
//! cancellation routes that allow more.

use payspec_sandbox::Sandbox;

const OVER: usize = 2 * 1024 * 1024 + 1;

async fn post(url: String, body: Vec<u8>) -> reqwest::StatusCode {
    reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("answer")
        .status()
}

#[tokio::test]
async fn every_simulator_refuses_bodies_over_2_mib() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let big = vec![b' '; OVER];
    let urls = [
        format!("{}/sandbox/transactions/x/pay", sandbox.onecp.base_url),
        format!("{}/sandbox/orders/x/pay", sandbox.onecheckout.base_url),
        format!("{}/sandbox/pay/x", sandbox.n1co.base_url),
        format!("{}/api/HealthStatus/Check", sandbox.processone.base_url),
    ];
    for url in urls {
        assert_eq!(post(url.clone(), big.clone()).await, 413, "{url}");
        assert_ne!(post(url.clone(), b"{}".to_vec()).await, 413, "{url}");
    }
}

#[tokio::test]
async fn onecp_multipart_cancellations_may_be_larger() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let c = &sandbox.onecp.credentials;
    let file = reqwest::multipart::Part::bytes(vec![b'x'; 3 * 1024 * 1024]).file_name("a.pdf");
    let form = reqwest::multipart::Form::new()
        .text("contractId", "unknown")
        .part("file", file);
    let answer = reqwest::Client::new()
        .patch(format!("{}/cancel", sandbox.onecp.base_url))
        .basic_auth(&c.id, Some(&c.secret))
        .multipart(form)
        .send()
        .await
        .expect("answer");
    // Read whole, then refused for the unknown contract, not for its size.
    assert_eq!(answer.status(), 400);
}
