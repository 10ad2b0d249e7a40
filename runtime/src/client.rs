//! What every generated OpenAPI client shares, written once: the builder's settings and
//! credentials ([`ClientConfig`]), the state every request reads ([`ClientState`], which
//! progenitor's low-level client carries as its inner value), and the facts about each
//! operation ([`Operation`]) that codegen writes as one `static` per operation.
//!
//! A generated client file then holds its servers, its table of schemes and operations, and one
//! method per operation. Each method, and each method of progenitor's low-level client (which
//! codegen rewrites to do so), passes its own [`Operation`] in ([`ClientState::check`],
//! [`ClientState::send`]), so nothing is looked up by name at run time.
//!
//! Items here are public for the generated crates; users build clients through the generated
//! `ClientBuilder`.

use std::future::Future;
use std::sync::Arc;

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::call::CallOptions;
use crate::endpoint::check_base_url;
use crate::error::Error;
use crate::secret::SecretString;
use crate::transport::{ClientOptions, HttpClientBuilder, MiddlewareStack, RetryPolicy, Transport};
use reqwest_middleware::Middleware;

/// How one security scheme of the spec authenticates a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: Basic base64(id:secret)`.
    Basic,
    /// The key as is, in the named header (lowercase).
    Header(&'static str),
    /// The key in the request body, as this member of every request contract (a DataContract
    /// service); the generated method puts it there (`payspec_runtime::dcs::DcsClient::key`).
    Member(&'static str),
}

/// One security scheme: its name in the spec and how it authenticates.
#[derive(Debug)]
pub struct Scheme {
    /// The name in `components.securitySchemes`, e.g. `bearerAuth`.
    pub name: &'static str,
    /// How it authenticates.
    pub auth: Auth,
}

/// What a client must know about one operation, from the spec.
#[derive(Debug)]
pub struct Operation {
    /// The operation's method name, e.g. `get_order` (also progenitor's operation id).
    pub id: &'static str,
    /// Whether the operation is safe to repeat, so transient failures are retried.
    pub retry_safe: bool,
    /// The alternatives of the spec's `security`: any one list of schemes (indexes into the
    /// client's scheme table) authenticates the operation. Empty: no authentication.
    pub security: &'static [&'static [usize]],
    /// The names of the schemes any alternative uses, for [`Error::MissingCredential`].
    pub needs: &'static [&'static str],
    /// The header (lowercase) that carries an idempotency key (`x-idempotency-key`): each
    /// call sends one, the same on every retry, and so may be retried like a read.
    pub idempotency_header: Option<&'static str>,
    /// The response header (lowercase) that carries the provider's request id
    /// (`x-request-id`).
    pub request_id_header: Option<&'static str>,
}

impl Operation {
    /// An operation of a DataContract client: authenticated by scheme 0, the key the client
    /// puts into the request contract as `member` ([`Auth::Member`]); its request id in
    /// `request_id_header`, if the spec names one.
    pub const fn keyed_by_member(
        id: &'static str,
        retry_safe: bool,
        member: &'static [&'static str],
        request_id_header: Option<&'static str>,
    ) -> Operation {
        Operation {
            id,
            retry_safe,
            security: &[&[0]],
            needs: member,
            idempotency_header: None,
            request_id_header,
        }
    }
}

/// The settings of a generated `ClientBuilder`: base URL, options, the user's `reqwest`
/// builder, middleware and one credential per scheme (kept as [`SecretString`]s until the
/// client is built).
pub struct ClientConfig {
    pub(crate) base_url: String,
    pub(crate) options: ClientOptions,
    pub(crate) http: Option<HttpClientBuilder>,
    pub(crate) middleware: MiddlewareStack,
    schemes: &'static [Scheme],
    credentials: Vec<Option<SecretString>>,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("options", &self.options)
            .field("http", &self.http)
            .field("middleware", &self.middleware.len())
            .field("schemes", &self.schemes)
            .field("credentials", &self.credentials)
            .finish()
    }
}

impl ClientConfig {
    /// Settings for the API at `base_url` with these schemes, [`ClientOptions::new`]'s
    /// defaults and `user_agent`.
    pub fn new(
        base_url: impl Into<String>,
        user_agent: impl Into<String>,
        schemes: &'static [Scheme],
    ) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            options: ClientOptions::new(user_agent),
            http: None,
            middleware: Vec::new(),
            schemes,
            credentials: schemes.iter().map(|_| None).collect(),
        }
    }

    /// Replaces every option.
    pub fn set_options(&mut self, options: ClientOptions) {
        self.options = options;
    }

    /// The whole-request timeout.
    pub fn set_timeout(&mut self, timeout: std::time::Duration) {
        self.options.timeout = timeout;
    }

    /// The connect timeout.
    pub fn set_connect_timeout(&mut self, timeout: std::time::Duration) {
        self.options.connect_timeout = timeout;
    }

    /// The retry policy of retry-safe operations.
    pub fn set_retry(&mut self, policy: RetryPolicy) {
        self.options.retry = policy;
    }

    /// The most requests in flight at once.
    pub fn set_max_in_flight(&mut self, limit: usize) {
        self.options.max_in_flight = Some(limit);
    }

    /// The user's `reqwest` builder (see [`ClientOptions::http_client`]).
    pub fn set_http_client_builder(&mut self, builder: reqwest::ClientBuilder) {
        self.http = Some(builder.into());
    }

    /// Adds a middleware: every attempt of every call goes through it, after the ones added
    /// before (see [`crate::call`] for what runs once per call and once per attempt).
    pub fn add_middleware(&mut self, middleware: Arc<dyn Middleware>) {
        self.middleware.push(middleware);
    }

    /// Accepts a plain `http://` base URL on a host that is not loopback.
    pub fn allow_plain_http(&mut self) {
        self.options.allow_plain_http = true;
    }

    /// The credential of scheme number `scheme`: a bearer token or an API key, put into the
    /// header as the scheme says (`Bearer <token>`, or the key as is). For a Basic scheme use
    /// [`ClientConfig::set_basic`].
    pub fn set_credential(&mut self, scheme: usize, value: SecretString) {
        let value = match self.schemes.get(scheme).map(|s| s.auth) {
            Some(Auth::Bearer) => SecretString::new(format!("Bearer {}", value.expose())),
            _ => value,
        };
        if let Some(slot) = self.credentials.get_mut(scheme) {
            *slot = Some(value);
        }
    }

    /// The credential given for scheme number `scheme`, if any.
    pub fn credential(&self, scheme: usize) -> Option<&SecretString> {
        self.credentials.get(scheme).and_then(Option::as_ref)
    }

    /// The user id and secret of the Basic scheme number `scheme`.
    pub fn set_basic(&mut self, scheme: usize, id: &str, secret: SecretString) {
        use base64::Engine as _;
        let pair = SecretString::new(format!("{id}:{}", secret.expose()));
        let encoded =
            SecretString::new(base64::engine::general_purpose::STANDARD.encode(pair.expose()));
        if let Some(slot) = self.credentials.get_mut(scheme) {
            *slot = Some(SecretString::new(format!("Basic {}", encoded.expose())));
        }
    }

    /// Checks the base URL (see [`crate::endpoint`]), builds the HTTP client and the state every
    /// request reads. Returns the base URL
    /// without a trailing `/`, the HTTP client and the state. Fails on a refused base URL and on
    /// a credential that cannot travel in a header (the error never contains the credential).
    #[allow(clippy::result_large_err)] // the generated `ClientBuilder::build` returns this error
    pub fn build(self) -> Result<(String, reqwest::Client, ClientState), Error<()>> {
        check_base_url(&self.base_url, self.options.allow_plain_http)
            .map_err(Error::InvalidBaseUrl)?;
        let http = self
            .options
            .http_client(self.http)
            .map_err(Error::Transport)?;
        let mut credentials = Vec::with_capacity(self.schemes.len());
        for (scheme, value) in self.schemes.iter().zip(self.credentials) {
            let Some(value) = value else {
                credentials.push(None);
                continue;
            };
            let name = match scheme.auth {
                Auth::Member(_) => {
                    credentials.push(Some(Credential::Member));
                    continue;
                }
                Auth::Bearer | Auth::Basic => http::header::AUTHORIZATION,
                Auth::Header(name) => HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                    Error::Other(format!(
                        "the {} scheme's header name {name:?} is not a valid header name",
                        scheme.name
                    ))
                })?,
            };
            let mut header = HeaderValue::from_str(value.expose()).map_err(|_| {
                Error::Other(format!(
                    "the {} credential has characters an HTTP header cannot carry",
                    scheme.name
                ))
            })?;
            header.set_sensitive(true);
            credentials.push(Some(Credential::Header(name, header)));
        }
        let state = ClientState {
            transport: Transport::new(&self.options).with_middleware(&http, self.middleware),
            credentials: credentials.into(),
            schemes: self.schemes,
        };
        Ok((self.base_url.trim_end_matches('/').to_string(), http, state))
    }
}

/// A configured credential, ready to travel.
#[derive(Clone, Debug)]
enum Credential {
    /// A header (its value sensitive, so `Debug` prints `Sensitive`).
    Header(HeaderName, HeaderValue),
    /// A request member's value ([`Auth::Member`]): configured, so the operations' security
    /// checks pass; the DataContract client keeps its own copy to put into each request.
    Member,
}

/// What every request of a generated client reads: the credentials (as sensitive header
/// values, which `Debug` prints as `Sensitive`, or secrets), the transport policy and the
/// operations. progenitor's client carries it as its inner value. Cheap to clone.
#[derive(Clone, Debug)]
pub struct ClientState {
    transport: Transport,
    credentials: Arc<[Option<Credential>]>,
    schemes: &'static [Scheme],
}

impl ClientState {
    /// The transport: retries and the in-flight limit.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// The first alternative of `operation`'s security whose every credential is configured.
    fn alternative(&self, operation: &Operation) -> Option<&'static [usize]> {
        if operation.security.is_empty() {
            return Some(&[]);
        }
        operation.security.iter().copied().find(|alt| {
            alt.iter()
                .all(|&i| self.credentials.get(i).is_some_and(Option::is_some))
        })
    }

    /// [`Error::MissingCredential`] when no alternative of `operation`'s security is
    /// configured.
    #[allow(clippy::result_large_err)] // the operations' own error type
    pub fn check<E>(&self, operation: &'static Operation) -> Result<(), Error<E>> {
        match self.alternative(operation) {
            Some(_) => Ok(()),
            None => Err(Error::MissingCredential {
                operation: operation.id,
                needed: operation.needs,
            }),
        }
    }

    /// Checks a call of `operation` before anything is built: a credential it accepts is
    /// configured ([`Error::MissingCredential`]), and no per-call header would replace a
    /// credential's header or the idempotency header ([`Error::ReservedHeader`],
    /// [`Error::InvalidHeader`]). Returns the options to send with, the call's idempotency key
    /// chosen (see [`CallOptions::prepare`]).
    #[allow(clippy::result_large_err)] // the operations' own error type
    pub fn prepare<E>(
        &self,
        operation: &'static Operation,
        options: CallOptions,
    ) -> Result<CallOptions, Error<E>> {
        self.check(operation)?;
        let schemes = self.schemes;
        let options = if self.transport.has_middleware() {
            options.keeping_failures()
        } else {
            options
        };
        options.prepare(
            |name| {
                schemes
                    .iter()
                    .any(|s| matches!(s.auth, Auth::Header(h) if h.eq_ignore_ascii_case(name)))
            },
            operation.idempotency_header,
        )
    }

    /// Puts the headers that authenticate `operation` into `headers`; `false` when no
    /// acceptable credential is configured.
    pub fn authorize(&self, operation: &Operation, headers: &mut HeaderMap) -> bool {
        let Some(alternative) = self.alternative(operation) else {
            return false;
        };
        for &i in alternative {
            if let Some(Some(Credential::Header(name, value))) = self.credentials.get(i) {
                headers.insert(name.clone(), value.clone());
            }
        }
        true
    }

    /// Sends `request` for `operation` with `options` (see [`ClientState::execute`]). Every
    /// operation method of progenitor's low-level client calls this with its own table entry
    /// (codegen rewrites progenitor's hooks into this call).
    ///
    /// Without an acceptable credential nothing is sent: the typed methods check first
    /// ([`ClientState::prepare`]), so only a call through the low-level client gets here
    /// without one, and gets progenitor's `Error::Custom` naming the operation.
    #[allow(clippy::result_large_err)] // progenitor's error type
    pub async fn send<E>(
        &self,
        operation: &'static Operation,
        client: &reqwest::Client,
        mut request: reqwest::Request,
        options: &CallOptions,
    ) -> Result<reqwest::Response, progenitor_client::Error<E>> {
        if !self.authorize(operation, request.headers_mut()) {
            return Err(progenitor_client::Error::Custom(format!(
                "no credential for operation {}",
                operation.id
            )));
        }
        let sent = options.send(
            &self.transport,
            client,
            request,
            operation.retry_safe,
            operation.idempotency_header,
        );
        match sent.await {
            Ok(response) => Ok(response),
            Err(reqwest_middleware::Error::Reqwest(e)) => {
                Err(progenitor_client::Error::CommunicationError(e))
            }
            // progenitor's error cannot carry it: the call's options keep it for the typed
            // method ([`crate::call::call_error`]).
            Err(reqwest_middleware::Error::Middleware(e)) => {
                let message = format!("middleware: {e}");
                options.keep_failure(e.into());
                Err(progenitor_client::Error::Custom(message))
            }
        }
    }

    /// Sends `request` for `operation`, which the typed method checked first
    /// ([`ClientState::prepare`]): puts in the operation's credentials and the call's
    /// `options` (see [`CallOptions::send`]), then sends it through the transport.
    pub fn execute<'a>(
        &'a self,
        operation: &'static Operation,
        client: &'a reqwest::Client,
        mut request: reqwest::Request,
        options: &'a CallOptions,
    ) -> impl Future<Output = reqwest_middleware::Result<reqwest::Response>> + Send + 'a {
        self.authorize(operation, request.headers_mut());
        options.send(
            &self.transport,
            client,
            request,
            operation.retry_safe,
            operation.idempotency_header,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static SCHEMES: [Scheme; 3] = [
        Scheme {
            name: "apiKeyAuth",
            auth: Auth::Header("x-api-key"),
        },
        Scheme {
            name: "bearerAuth",
            auth: Auth::Bearer,
        },
        Scheme {
            name: "basicAuth",
            auth: Auth::Basic,
        },
    ];
    static EITHER: Operation = Operation {
        id: "get_account",
        retry_safe: true,
        security: &[&[0], &[1]],
        needs: &["apiKeyAuth", "bearerAuth"],
        idempotency_header: None,
        request_id_header: None,
    };
    static BEARER: Operation = Operation {
        id: "create_order",
        retry_safe: false,
        security: &[&[1]],
        needs: &["bearerAuth"],
        idempotency_header: None,
        request_id_header: None,
    };
    static OPEN: Operation = Operation {
        id: "health",
        retry_safe: true,
        security: &[],
        needs: &[],
        idempotency_header: None,
        request_id_header: None,
    };

    fn built(config: ClientConfig) -> ClientState {
        config.build().unwrap().2
    }

    fn headers(state: &ClientState, op: &Operation) -> Option<HeaderMap> {
        let mut h = HeaderMap::new();
        state.authorize(op, &mut h).then_some(h)
    }

    #[test]
    fn credentials_go_into_the_headers_their_scheme_names() {
        let mut config = ClientConfig::new("https://api.example.com/v1/", "ua", &SCHEMES);
        config.set_credential(0, "ak_1".into());
        config.set_credential(1, "tok_1".into());
        config.set_basic(2, "user", "pass".into());
        let (base, _, state) = config.build().unwrap();
        assert_eq!(base, "https://api.example.com/v1");
        let h = headers(&state, &EITHER).unwrap();
        assert_eq!(h["x-api-key"], "ak_1");
        assert!(h.get("authorization").is_none(), "one alternative only");
        let h = headers(&state, &BEARER).unwrap();
        assert_eq!(h["authorization"], "Bearer tok_1");
        assert!(h["authorization"].is_sensitive());
        assert!(headers(&state, &OPEN).unwrap().is_empty());
        let debug = format!("{state:?}");
        assert!(
            !debug.contains("tok_1") && !debug.contains("ak_1"),
            "{debug}"
        );

        let mut config = ClientConfig::new("https://api.example.com", "ua", &SCHEMES);
        config.set_basic(2, "user", "pass".into());
        let basic_only = built(config);
        let Some(Credential::Header(_, basic)) = &basic_only.credentials[2] else {
            panic!("the Basic credential is a header");
        };
        assert_eq!(basic, "Basic dXNlcjpwYXNz");
    }

    #[test]
    fn a_missing_credential_names_the_operation_and_the_schemes() {
        let mut config = ClientConfig::new("https://api.example.com", "ua", &SCHEMES);
        config.set_credential(0, "ak_1".into());
        let state = built(config);
        assert!(state.check::<()>(&EITHER).is_ok());
        assert!(state.check::<()>(&OPEN).is_ok());
        match state.check::<()>(&BEARER) {
            Err(Error::MissingCredential { operation, needed }) => {
                assert_eq!(operation, "create_order");
                assert_eq!(needed, ["bearerAuth"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(headers(&state, &BEARER).is_none());
    }

    #[test]
    fn bad_credentials_and_base_urls_are_refused_without_showing_them() {
        let mut config = ClientConfig::new("https://api.example.com", "ua", &SCHEMES);
        config.set_credential(1, "tok\nsecret".into());
        let e = config.build().unwrap_err();
        assert!(e.to_string().contains("bearerAuth"), "{e}");
        assert!(!format!("{e} {e:?}").contains("secret"));
        let config = ClientConfig::new("http://api.example.com", "ua", &SCHEMES);
        assert!(matches!(config.build(), Err(Error::InvalidBaseUrl(_))));
        let mut config = ClientConfig::new("http://api.example.com", "ua", &SCHEMES);
        config.allow_plain_http();
        assert!(config.build().is_ok());
    }

    #[test]
    fn a_per_call_header_never_replaces_a_credential() {
        let mut config = ClientConfig::new("https://api.example.com", "ua", &SCHEMES);
        config.set_credential(1, "tok_1".into());
        let state = built(config);
        // A scheme's header is refused even when its credential is not configured.
        for name in ["X-API-Key", "authorization"] {
            let options = CallOptions::new().with_header(name, "forged");
            match state.prepare::<()>(&BEARER, options) {
                Err(Error::ReservedHeader { name: n }) => {
                    assert_eq!(n, name.to_ascii_lowercase())
                }
                other => panic!("{name}: {other:?}"),
            }
        }
        let options = CallOptions::new().with_header("x-correlation-id", "c-1");
        assert!(state.prepare::<()>(&BEARER, options).is_ok());
        // No credential for the operation: that error comes first.
        let none = built(ClientConfig::new("https://api.example.com", "ua", &SCHEMES));
        assert!(matches!(
            none.prepare::<()>(&BEARER, CallOptions::new()),
            Err(Error::MissingCredential { .. })
        ));
    }

    #[tokio::test]
    async fn send_refuses_an_operation_without_its_credential() {
        let state = built(ClientConfig::new("https://api.example.com", "ua", &SCHEMES));
        let client = reqwest::Client::new();
        let request = client.get("https://api.example.com/x").build().unwrap();
        match state
            .send::<()>(&BEARER, &client, request, &CallOptions::new())
            .await
        {
            Err(progenitor_client::Error::Custom(m)) => {
                assert_eq!(m, "no credential for operation create_order")
            }
            other => panic!("{other:?}"),
        }
    }
}
