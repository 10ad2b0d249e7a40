//! `src/client.rs` of an OpenAPI crate: the typed client over progenitor's (servers,
//! authentication, retry safety, validation before sending, typed errors), one method per
//! operation.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::common::*;
use crate::Error;
use crate::model::{Operation, SchemeKind};

pub(super) fn client_rs(ctx: &Context) -> Result<TokenStream, Error> {
    let m = ctx.model;
    // Servers.
    let server_variants: Vec<syn::Ident> = m
        .servers
        .iter()
        .map(|s| ident(&s.name.to_upper_camel_case()))
        .collect();
    let server_docs: Vec<TokenStream> = m
        .servers
        .iter()
        .map(|s| doc(&format!("{} `{}`", s.description, s.url)))
        .collect();
    let server_urls: Vec<&String> = m.servers.iter().map(|s| &s.url).collect();
    let n_servers = m.servers.len();

    // Auth schemes: a table the runtime reads, and one builder setter per scheme.
    let mut scheme_entries = Vec::new();
    let mut setters = Vec::new();
    for (i, s) in m.schemes.iter().enumerate() {
        let name = &s.name;
        let f = ident(&s.name.to_snake_case());
        let d = doc(&format!(
            "Credential for `{}`{}. Kept secret: never printed by `Debug`.",
            s.name,
            if s.description.is_empty() {
                String::new()
            } else {
                format!(": {}", s.description)
            }
        ));
        let auth = match &s.kind {
            SchemeKind::Bearer => quote!(Auth::Bearer),
            SchemeKind::Basic => quote!(Auth::Basic),
            SchemeKind::ApiKeyHeader(h) => {
                let h = h.to_ascii_lowercase();
                quote!(Auth::Header(#h))
            }
        };
        scheme_entries.push(quote!(Scheme { name: #name, auth: #auth }));
        setters.push(match &s.kind {
            SchemeKind::Bearer => quote! {
                #d
                pub fn #f(mut self, token: impl Into<payspec_runtime::SecretString>) -> Self {
                    self.config.set_credential(#i, token.into());
                    self
                }
            },
            SchemeKind::Basic => quote! {
                #d
                pub fn #f(mut self, id: impl AsRef<str>, secret: impl Into<payspec_runtime::SecretString>) -> Self {
                    self.config.set_basic(#i, id.as_ref(), secret.into());
                    self
                }
            },
            SchemeKind::ApiKeyHeader(_) => quote! {
                #d
                pub fn #f(mut self, key: impl Into<payspec_runtime::SecretString>) -> Self {
                    self.config.set_credential(#i, key.into());
                    self
                }
            },
        });
    }

    // The operation table: one static per operation, passed in by its method.
    let mut op_statics = Vec::new();
    for op in &m.operations {
        let rn = op.rust_name();
        let st = operation_static(op);
        let retry_safe = op.is_idempotent();
        let mut alts = Vec::new();
        for alt in &op.security {
            let mut indexes = Vec::new();
            for s in alt {
                let Some(i) = m.schemes.iter().position(|x| &x.name == s) else {
                    return Err(Error::operation(
                        ctx.spec_path,
                        &op.id,
                        format!("unknown security scheme {s}"),
                    ));
                };
                indexes.push(i);
            }
            alts.push(quote!(&[#(#indexes),*]));
        }
        let mut needed: Vec<&String> = op.security.iter().flatten().collect();
        needed.sort();
        needed.dedup();
        let idempotency = option_str(op.idempotency_header.as_deref());
        let request_id = option_str(op.request_id_header.as_deref());
        op_statics.push(quote! {
            pub(crate) static #st: Operation = Operation {
                id: #rn,
                retry_safe: #retry_safe,
                security: &[#(#alts),*],
                needs: &[#(#needed),*],
                idempotency_header: #idempotency,
                request_id_header: #request_id,
            };
        });
    }
    let n_schemes = m.schemes.len();

    let mut methods = Vec::new();
    for op in &m.operations {
        if op.body.is_some() || op.multipart.is_none() {
            methods.push(operation_method(ctx, op)?);
        }
        if op.multipart.is_some() {
            methods.push(super::multipart::multipart_method(ctx, op)?);
        }
        if op.pagination.is_some() {
            methods.push(super::paginate::stream_method(ctx, op)?);
        }
    }
    let rate = m.rate_limit.clone().unwrap_or_default();
    let (default_in_flight, in_flight_doc) = match rate.max_in_flight {
        Some(n) => {
            let n = n as usize;
            (
                quote!(config.set_max_in_flight(#n);),
                format!(
                    "The most requests this client has in flight at once (default: {n}, the provider's documented limit of concurrent requests per key)."
                ),
            )
        }
        None => (
            quote!(),
            "The most requests this client has in flight at once (default: no limit).".to_string(),
        ),
    };
    let in_flight_doc = doc(&in_flight_doc);
    let mut new_doc = "A builder for the API at `base_url` (for example [`Server::url`]), with the\ndefault options: 30 s timeout, 10 s connect timeout, retries of safe operations only".to_string();
    if let Some(n) = rate.max_in_flight {
        new_doc.push_str(&format!(", at most {n} requests in flight"));
    }
    new_doc.push('.');
    if let Some(n) = rate.requests_per_minute {
        new_doc.push_str(&format!("\n\nThe provider allows {n} requests per minute per key and answers 429 beyond; retry-safe operations then wait for `Retry-After` (capped by the retry policy) and retry, the others return the 429 as an error."));
    }
    let new_doc = doc(&new_doc);

    let user_agent = format!("{}/{}", ctx.package, env!("CARGO_PKG_VERSION"));
    let config_mut = rate.max_in_flight.map(|_| quote!(mut));

    Ok(quote! {
        //! The typed client: authentication, retry safety, validation before sending and typed
        //! errors, over progenitor's low-level client in [`crate::raw`].

        use payspec_runtime::client::{Auth, ClientConfig, ClientState, Scheme};
        use progenitor_client::ClientInfo;

        use crate::{raw, types};

        /// The API's servers.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Server {
            #(#server_docs #server_variants,)*
        }

        impl Server {
            /// Every server, in the order of the spec.
            pub const ALL: [Server; #n_servers] = [#(Server::#server_variants),*];

            /// The server's base URL.
            pub const fn url(self) -> &'static str {
                match self {
                    #(Server::#server_variants => #server_urls,)*
                }
            }
        }

        /// A server as the base URL [`Client::builder`] takes, so either works there.
        impl ::std::convert::From<Server> for String {
            fn from(server: Server) -> String {
                server.url().to_string()
            }
        }

        /// The spec's security schemes, in order: operations name them by index.
        static SCHEMES: [Scheme; #n_schemes] = [#(#scheme_entries),*];

        /// One entry per operation: its retry safety, the credentials it accepts, its
        /// idempotency and request id headers. Each method passes its own entry in.
        pub(crate) mod ops {
            use payspec_runtime::client::Operation;

            #(#op_statics)*
        }

        /// What every request shares (credentials as sensitive header values, the transport
        /// policy): progenitor's client carries it, and its operation methods send through it
        /// ([`ClientState::send`]) with their own entry of the operation table.
        pub type Inner = ClientState;

        /// Builds a [`Client`]: base URL, credentials, timeouts, retry policy.
        #[derive(Debug)]
        pub struct ClientBuilder {
            config: ClientConfig,
        }

        impl ClientBuilder {
            #new_doc
            pub fn new(base_url: impl Into<String>) -> Self {
                let #config_mut config = ClientConfig::new(base_url, #user_agent, &SCHEMES);
                #default_in_flight
                ClientBuilder { config }
            }

            #(#setters)*

            /// The whole-request timeout (default 30 s).
            pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
                self.config.set_timeout(timeout);
                self
            }

            /// The connect timeout (default 10 s).
            pub fn connect_timeout(mut self, timeout: std::time::Duration) -> Self {
                self.config.set_connect_timeout(timeout);
                self
            }

            /// The retry policy for operations that are safe to repeat. Operations that are not
            /// (payments, creations) are never retried, whatever the policy.
            pub fn retry(mut self, policy: payspec_runtime::RetryPolicy) -> Self {
                self.config.set_retry(policy);
                self
            }

            #in_flight_doc
            pub fn max_in_flight(mut self, limit: usize) -> Self {
                self.config.set_max_in_flight(limit);
                self
            }

            /// All options at once.
            pub fn options(mut self, options: payspec_runtime::ClientOptions) -> Self {
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
            /// credentials then travel unencrypted: only for a test server you control. Loopback
            /// hosts (`localhost`, `127.0.0.1`, `[::1]`) need no opt-in.
            pub fn danger_allow_plain_http(mut self) -> Self {
                self.config.allow_plain_http();
                self
            }

            /// Builds the client. Fails with [`payspec_runtime::Error::InvalidBaseUrl`] on a
            /// base URL that does not parse, is plain `http://` to a host that is not loopback
            /// (without [`ClientBuilder::danger_allow_plain_http`]) or carries a user name or
            /// password, and on a credential that cannot travel in a header (the error never
            /// contains the credential).
            pub fn build(self) -> Result<Client, payspec_runtime::Error<()>> {
                let (base_url, http, state) = self.config.build()?;
                Ok(Client { raw: raw::Client::new_with_client(&base_url, http, state) })
            }
        }

        /// The typed client. Cheap to clone: clones share the connection pool and limits.
        #[derive(Clone, Debug)]
        pub struct Client {
            raw: raw::Client,
        }

        impl Client {
            /// A [`ClientBuilder`] for the API at `base_url`: a [`Server`] or any other URL
            /// (a sandbox, a proxy).
            pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
                ClientBuilder::new(base_url)
            }

            /// progenitor's low-level client (no validation, progenitor's error type).
            pub fn raw(&self) -> &raw::Client {
                &self.raw
            }

            /// The base URL requests go to.
            pub fn base_url(&self) -> &str {
                self.raw.baseurl()
            }

            #(#methods)*
        }
    })
}

/// The typed method of one operation.
pub(super) fn operation_method(ctx: &Context, op: &Operation) -> Result<TokenStream, Error> {
    let name = format_ident!("{}", op.rust_name());
    let st = operation_static(op);
    let err_ty = error_body_type(&op.error);
    let ok_ty = ok_type(op);
    let OpParams {
        mut args,
        names: mut call_args,
        mut checks,
        docs,
    } = op_params(ctx, op)?;
    if let Some(b) = &op.body {
        let t = ident(b);
        args.push(quote!(body: &'a types::#t));
        call_args.push(format_ident!("body"));
        checks.push(quote! { payspec_runtime::Validate::validate_into(body, &mut v); });
    }
    let extra = if op.multipart.is_some() {
        format!(
            "\n\nThe body is sent as JSON; [`Self::{}`] sends it as `multipart/form-data` (with a file).",
            op.multipart_method_name()
        )
    } else {
        String::new()
    };
    let d = op_doc(
        op,
        &docs,
        &extra,
        &super::examples::operation_example(ctx, op),
    );
    let mut_v = (!checks.is_empty()).then(|| quote!(mut));

    let with = format_ident!("{}", crate::ast::with_options_name(&op.rust_name()));
    Ok(quote! {
        #d
        pub fn #name<'a>(&'a self, #(#args),*) -> payspec_runtime::Call<'a, #ok_ty, #err_ty, impl payspec_runtime::call::Start<'a, #ok_ty, #err_ty>> {
            payspec_runtime::Call::new(move |options| async move {
                let #mut_v v = payspec_runtime::Validator::new();
                #(#checks)*
                v.finish().map_err(payspec_runtime::Error::Validation)?;
                let options = self.raw.inner().prepare(&ops::#st, options)?;
                match self.raw.#with(&options, #(#call_args),*).await {
                    Ok(response) => Ok(response),
                    Err(e) => Err(payspec_runtime::call::call_error(e, &options, ops::#st.request_id_header).await),
                }
            })
        }
    })
}
