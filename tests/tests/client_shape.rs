//! One client shape across the generated crates: `Client::builder` takes a `Server` variant or
//! any URL in every crate, and a built client tells where its requests go.

#[test]
fn every_client_is_built_from_a_server_or_a_url() {
    let n1co = payspec_n1co::Client::builder(payspec_n1co::Server::Production)
        .bearer_auth("token")
        .build()
        .expect("n1co from a Server");
    assert_eq!(
        n1co.base_url(),
        payspec_n1co::Server::Production.url().trim_end_matches('/')
    );
    payspec_n1co::Client::builder("https://n1co.example/api")
        .bearer_auth("token")
        .build()
        .expect("n1co from a URL");

    let onecheckout = payspec_onecheckout::Client::builder(payspec_onecheckout::Server::Production)
        .bearer_auth("token")
        .build()
        .expect("onecheckout from a Server");
    assert!(
        payspec_onecheckout::Server::Production
            .url()
            .starts_with(onecheckout.base_url())
    );
    payspec_onecheckout::Client::builder("https://onecheckout.example/api")
        .bearer_auth("token")
        .build()
        .expect("onecheckout from a URL");

    payspec_onecp::Client::builder(payspec_onecp::Server::Io)
        .basic_auth("id", "secret")
        .build()
        .expect("onecp from a Server");
    payspec_onecp::Client::builder("https://onecp.example")
        .basic_auth("id", "secret")
        .build()
        .expect("onecp from a URL");

    let processone = payspec_processone::Client::builder(payspec_processone::Server::Stage)
        .authentication_key("key")
        .build()
        .expect("processone from a Server");
    assert!(
        processone
            .base_url()
            .starts_with(payspec_processone::Server::Stage.url())
    );
    let processone = payspec_processone::Client::builder("https://processone.example/api")
        .authentication_key("key")
        .build()
        .expect("processone from a URL");
    assert_eq!(processone.base_url(), "https://processone.example/api/");
    for server in payspec_processone::Server::ALL {
        assert!(String::from(server).starts_with("https://"));
    }
}
