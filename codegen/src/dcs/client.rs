//! Emits the client of a DataContract provider: one async method per operation.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::types::{doc_attr as docs, field_name, ident, type_path};
use super::{Input, request_of, response_of};
use crate::model::DcsClient;

/// The `client` module.
pub fn client(input: &Input) -> Result<TokenStream, String> {
    let api = input.client;
    let auth = field_name(&api.auth_member);
    let code_field = field_name(&api.code_member);
    let message_field = field_name(&api.message_member);
    let success = &api.success;
    let error_type = format_ident!("{}", api.error_type);
    let code_type = code_type(api);
    let call_doc = docs(&format!(
        "Calls `operation` with the call's options and turns an answer whose `{}` is not `{success}` into [`Error::Api`].",
        api.code_member
    ));
    let (code_member, message_member) = (&api.code_member, &api.message_member);
    let code_doc = docs(&format!(
        "The `{code_member}` of a response: every code the provider documents, and any other kept verbatim."
    ));
    let error_doc = docs(&format!(
        "A response whose `{code_member}` was not `{success}`: the provider's business error.\n\n`Debug` and `Display` show the code and message only (the body can hold account data)."
    ));
    let error_name = api.error_type.as_str();
    let no_code = format!("no {code_member}");
    let outcome_doc = docs(&format!("(`{code_member}`, `{message_member}`)."));
    let auth_member = &api.auth_member;
    let auth_name = auth.to_string();
    let missing = format_ident!(
        "Missing{}",
        heck::ToUpperCamelCase::to_upper_camel_case(auth_member.as_str())
    );
    let missing_doc = docs(&format!("No `{auth_member}` credential was given."));
    let missing_text = format!("no {auth_member} credential: call ClientBuilder::{auth_name}");
    let setter_doc = docs(&format!(
        "The credential the client puts into every request as `{auth_member}` (never printed)."
    ));

    // Servers.
    let mut server_variants = Vec::new();
    let mut server_urls = Vec::new();
    let mut server_all = Vec::new();
    let n_servers = input.api.servers.len();
    for server in &input.api.servers {
        let v = ident(&server.name);
        let url = &server.url;
        let d = docs(&format!("`{url}`. {}", server.description));
        let default = if server_variants.is_empty() {
            quote!(#[default])
        } else {
            quote!()
        };
        server_variants.push(quote!(#d #default #v,));
        server_urls.push(quote!(Server::#v => #url,));
        server_all.push(quote!(Server::#v));
    }

    // Response codes.
    let mut codes = Vec::new();
    for rc in &api.response_codes {
        let v = ident(&rc.code);
        let code = &rc.code;
        let d = docs(&format!(
            "{} (operations: {}).",
            rc.description.trim_end_matches('.'),
            rc.operations.join(", ")
        ));
        codes.push((v, code.clone(), d));
    }
    let code_enum = crate::emit::enums::open_enum(&code_doc, &code_type, &codes);

    // Operations. Money-moving ones say how to find out whether a failed call took effect.
    let recovery = api.recovery.as_ref().map(|r| {
        let method = heck::ToSnakeCase::to_snake_case(r.operation.as_str());
        r.guidance
            .replace("{operation}", &format!("[`Client::{method}`]"))
    });
    let mut methods = Vec::new();
    let mut op_statics = Vec::new();
    for op in &input.api.operations {
        let (request, response) = (request_of(op), response_of(op));
        let method = format_ident!("{}", heck::ToSnakeCase::to_snake_case(op.id.as_str()));
        let method_str = method.to_string();
        let req = type_path(input.contracts, &input.qualified[request]);
        let resp = type_path(input.contracts, &input.qualified[response]);
        let path = &op.path;
        let op_static = format_ident!("{}", method_str.to_uppercase());
        let retry_safe = op.is_idempotent();
        let op_id = method_str.clone();
        let request_id = crate::emit::option_str(op.request_id_header.as_deref());
        op_statics.push(quote! {
            pub(crate) static #op_static: Operation = Operation::keyed_by_member(#op_id, #retry_safe, &[#auth_member], #request_id);
        });
        let mut doc = format!(
            "{}\n\n{}\n\n`POST {}`: `{}` → `{}`.",
            op.summary, op.description, op.path, request, response
        );
        doc.push_str(&format!(
            "\n\nThe client puts its credential into `{}` (a member no caller sets). A `{}` other than `{success}` is returned as [`Error::Api`] with a [`{error_name}`].",
            api.auth_member, api.code_member
        ));
        if let Some(header) = &op.idempotency_header {
            doc.push_str(&crate::emit::idempotency_doc(header));
        } else if op.moves_money() {
            doc.push_str(
                "\n\n# Never retried\n\nThis operation moves money, so the client sends it exactly once, whatever happens. If the call fails without an answer ([`Error::Timeout`], [`Error::Transport`], or a 5xx), the payment may or may not have been made.",
            );
            match &recovery {
                Some(text) => {
                    doc.push(' ');
                    doc.push_str(text);
                }
                None => doc.push_str(
                    " Find out from the provider whether it was before sending it again: sending it again blindly can move the money twice.",
                ),
            }
        } else if op.is_idempotent() {
            doc.push_str("\n\nA read: retried on connection errors, timeouts and 408/429/502/503/504 as the [`RetryPolicy`] says.");
        } else {
            doc.push_str(
                "\n\nChanges state on the service: sent exactly once, never retried automatically.",
            );
        }
        doc.push_str(&super::examples::operation_example(
            input.contracts,
            &input.crate_name(),
            &method_str,
            &input.qualified[request],
            &api.auth_member,
            op.body_example.as_ref(),
        ));
        let doc = docs(&doc);
        methods.push(quote! {
            #doc
            pub fn #method(&self, request: #req) -> payspec_runtime::Call<'_, #resp, #error_type, impl payspec_runtime::call::Start<'_, #resp, #error_type>> {
                payspec_runtime::Call::new(move |options| async move {
                    let mut request = request;
                    request.#auth = ::std::option::Option::Some(self.inner.key().clone());
                    self.call(&ops::#op_static, #path, &request, options).await
                })
            }
        });
    }

    // Outcome extraction for every response type used.
    let mut responses: Vec<&str> = input.api.operations.iter().map(response_of).collect();
    responses.sort();
    responses.dedup();
    let outcome_impls: Vec<TokenStream> = responses
        .iter()
        .map(|r| {
            let p = type_path(input.contracts, &input.qualified[*r]);
            quote! {
                impl Outcome for #p {
                    fn outcome(&self) -> (::std::option::Option<&str>, ::std::option::Option<&str>) {
                        (self.#code_field.as_deref(), self.#message_field.as_deref())
                    }
                }
            }
        })
        .collect();
    let default_ua = format!("payspec-{}/{{}}", input.provider);

    Ok(quote! {
        //! The HTTP client: one method per operation.

        use ::std::sync::Arc;
        use ::std::time::Duration;

        use ::payspec_runtime::client::{Auth, ClientConfig, Operation, Scheme};
        use ::payspec_runtime::dcs::{DataContract, DcsBuildError, DcsClient};
        use ::payspec_runtime::{DecodeError, Error, ErrorBody, RetryPolicy, SecretString};
        use ::payspec_runtime::reqwest;

        pub use ::payspec_runtime::dcs::WireFormat;

        /// A documented server (the default is the first).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
        #[non_exhaustive]
        pub enum Server {
            #(#server_variants)*
        }

        impl Server {
            /// Every server, in the order of the spec.
            pub const ALL: [Server; #n_servers] = [#(#server_all),*];

            /// The base URL.
            pub const fn url(self) -> &'static str {
                match self {
                    #(#server_urls)*
                }
            }
        }

        /// A server as the base URL [`Client::builder`] takes, so either works there.
        impl ::std::convert::From<Server> for String {
            fn from(server: Server) -> String {
                server.url().to_string()
            }
        }

        /// The credential's one scheme: the key travels in every request as `#auth_member`.
        static SCHEMES: [Scheme; 1] = [Scheme { name: #auth_member, auth: Auth::Member(#auth_member) }];

        /// One entry per operation: its retry safety. Each method passes its own entry in.
        pub(crate) mod ops {
            use ::payspec_runtime::client::Operation;
            #(#op_statics)*
        }

        #code_enum

        #error_doc
        #[derive(Clone)]
        #[non_exhaustive]
        pub struct #error_type {
            /// The response code (`None` if the response had none).
            pub code: ::std::option::Option<#code_type>,
            /// The response message.
            pub message: ::std::option::Option<String>,
            body: ::payspec_runtime::bytes::Bytes,
            format: WireFormat,
        }

        impl #error_type {
            /// The whole response contract (for example a declined charge's transaction id),
            /// decoded from the body the error keeps.
            pub fn response<T: DataContract>(&self) -> ::std::result::Result<T, DecodeError> {
                self.format.decode(&self.body)
            }

            /// The raw response body.
            pub fn body(&self) -> &[u8] {
                &self.body
            }
        }

        impl ::std::fmt::Debug for #error_type {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#error_name)
                    .field("code", &self.code)
                    .field("message", &self.message)
                    .field("body_len", &self.body.len())
                    .field("format", &self.format)
                    .finish()
            }
        }

        impl ErrorBody for #error_type {
            fn message(&self) -> ::std::option::Option<String> {
                let code = self.code.as_ref().map(|c| c.as_str().to_string()).unwrap_or_else(|| #no_code.into());
                Some(match &self.message {
                    Some(m) => format!("{code}: {m}"),
                    None => code,
                })
            }
        }

        /// The response code and message of a response contract.
        pub trait Outcome {
            #outcome_doc
            fn outcome(&self) -> (::std::option::Option<&str>, ::std::option::Option<&str>);
        }

        #(#outcome_impls)*

        /// Why a [`ClientBuilder`] could not build a client.
        #[derive(Debug)]
        #[non_exhaustive]
        pub enum BuildError {
            #missing_doc
            #missing,
            /// The base URL was refused: it does not parse, is not http(s), is plain `http://`
            /// to a host that is not loopback, or carries a user name or password.
            InvalidBaseUrl(::payspec_runtime::BaseUrlError),
            /// The HTTP client could not be built.
            Http(reqwest::Error),
        }

        impl ::std::fmt::Display for BuildError {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    BuildError::#missing => f.write_str(#missing_text),
                    BuildError::InvalidBaseUrl(e) => e.fmt(f),
                    BuildError::Http(e) => write!(f, "cannot build the HTTP client: {e}"),
                }
            }
        }

        impl ::std::error::Error for BuildError {}

        /// Builds a [`Client`].
        #[derive(Debug)]
        pub struct ClientBuilder {
            config: ClientConfig,
            format: WireFormat,
        }

        impl ClientBuilder {
            /// A builder for `base_url` (a [`Server`] or any other URL), with the defaults: JSON, 30 s timeout, 10 s connect timeout, default retry policy for reads.
            pub fn new(base_url: impl Into<String>) -> Self {
                Self::with_base_url(base_url)
            }

            /// A builder for `base_url`: a [`Server`] or any other URL (a sandbox, a proxy);
            /// the same as [`ClientBuilder::new`].
            pub fn with_base_url(base_url: impl Into<String>) -> Self {
                ClientBuilder {
                    config: ClientConfig::new(base_url, format!(#default_ua, env!("CARGO_PKG_VERSION")), &SCHEMES),
                    format: WireFormat::Json,
                }
            }

            #setter_doc
            pub fn #auth(mut self, key: impl Into<SecretString>) -> Self {
                self.config.set_credential(0, key.into());
                self
            }

            /// The body format for requests and responses.
            pub fn format(mut self, format: WireFormat) -> Self {
                self.format = format;
                self
            }

            /// The limit for a whole request.
            pub fn timeout(mut self, timeout: Duration) -> Self {
                self.config.set_timeout(timeout);
                self
            }

            /// The limit for connecting.
            pub fn connect_timeout(mut self, timeout: Duration) -> Self {
                self.config.set_connect_timeout(timeout);
                self
            }

            /// Retries of reads (operations that move money or change state are never retried).
            pub fn retry(mut self, policy: RetryPolicy) -> Self {
                self.config.set_retry(policy);
                self
            }

            /// At most `n` requests in flight at once.
            pub fn max_in_flight(mut self, n: usize) -> Self {
                self.config.set_max_in_flight(n);
                self
            }

            /// All options at once.
            pub fn options(mut self, options: ::payspec_runtime::ClientOptions) -> Self {
                self.config.set_options(options);
                self
            }

            /// Builds the HTTP client from this `reqwest` builder (proxies, TLS roots, default
            /// headers) instead of a fresh one. Over whatever it sets, this builder's timeouts and
            /// user agent apply, and redirects are never followed: see
            /// [`payspec_runtime::endpoint`].
            pub fn http_client_builder(mut self, builder: reqwest::ClientBuilder) -> Self {
                self.config.set_http_client_builder(builder);
                self
            }

            /// Adds a middleware (`reqwest-middleware`: tracing, metrics, logging, caching):
            /// every attempt of every call goes through it, in the order they were added,
            /// after the client has put in the credentials and the call's options. It runs
            /// once per attempt; validation, the credential check and the idempotency key run
            /// once per call, before it. A middleware sees credentials (as sensitive header
            /// values) and bodies, and its error is [`payspec_runtime::Error::Middleware`],
            /// never retried. See [`payspec_runtime::call`].
            pub fn middleware(mut self, middleware: impl payspec_runtime::reqwest_middleware::Middleware) -> Self {
                self.config.add_middleware(::std::sync::Arc::new(middleware));
                self
            }

            /// Accepts a plain `http://` base URL on a host other than loopback. Card data and
            /// the credential then travel unencrypted: only for a test server you
            /// control. Loopback hosts (`localhost`, `127.0.0.1`, `[::1]`) need no opt-in.
            pub fn danger_allow_plain_http(mut self) -> Self {
                self.config.allow_plain_http();
                self
            }

            /// Builds the client. Fails without the credential, and with
            /// [`BuildError::InvalidBaseUrl`] on a base URL that does not parse, is plain
            /// `http://` to a host that is not loopback (without
            /// [`ClientBuilder::danger_allow_plain_http`]) or carries a user name or password.
            pub fn build(self) -> ::std::result::Result<Client, BuildError> {
                let inner = DcsClient::build(self.config, self.format).map_err(|e| match e {
                    DcsBuildError::MissingKey => BuildError::#missing,
                    DcsBuildError::InvalidBaseUrl(e) => BuildError::InvalidBaseUrl(e),
                    DcsBuildError::Http(e) => BuildError::Http(e),
                })?;
                Ok(Client { inner: Arc::new(inner) })
            }
        }

        /// The client. Cheap to clone (clones share the connection pool and the in-flight limit).
        #[derive(Clone)]
        pub struct Client {
            inner: Arc<DcsClient>,
        }

        impl ::std::fmt::Debug for Client {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct("Client")
                    .field("base_url", &self.inner.base_url())
                    .field("format", &self.inner.format())
                    .field(#auth_name, self.inner.key())
                    .finish()
            }
        }

        impl Client {
            /// A [`ClientBuilder`] for the API at `base_url`: a [`Server`] or any other URL
            /// (a sandbox, a proxy).
            pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
                ClientBuilder::new(base_url)
            }

            /// The base URL requests go to (ending in `/`).
            pub fn base_url(&self) -> &str {
                self.inner.base_url()
            }

            /// The body format of this client.
            pub fn format(&self) -> WireFormat {
                self.inner.format()
            }

            #call_doc
            async fn call<Req: DataContract, Resp: DataContract + Outcome>(
                &self,
                operation: &'static Operation,
                path: &'static str,
                request: &Req,
                options: payspec_runtime::CallOptions,
            ) -> ::std::result::Result<payspec_runtime::Response<Resp>, Error<#error_type>> {
                self.inner
                    .call(operation, path, request, |value: &Resp, body, format| {
                        let (code, message) = value.outcome();
                        (code != Some(#success)).then(|| #error_type {
                            code: code.map(#code_type::from),
                            message: message.map(str::to_string),
                            body,
                            format,
                        })
                    }, options)
                    .await
            }

            #(#methods)*
        }

    })
}

/// The items every DataContract client module defines, which the generated enum of response
/// codes must not be named after.
const CLIENT_ITEMS: [&str; 6] = [
    "Client",
    "ClientBuilder",
    "Server",
    "WireFormat",
    "BuildError",
    "Outcome",
];

/// The open enum of response codes: named after the response-code member (`ResponseCode`), or
/// that name with `Code` appended when it would clash with another item of the client module
/// (a member named `Outcome` gives `OutcomeCode`).
pub(crate) fn code_type(api: &DcsClient) -> proc_macro2::Ident {
    let name = heck::ToUpperCamelCase::to_upper_camel_case(api.code_member.as_str());
    if CLIENT_ITEMS.contains(&name.as_str()) || name == api.error_type {
        format_ident!("{name}Code")
    } else {
        format_ident!("{name}")
    }
}
