//! `src/client.rs` of an OpenAPI crate: the typed client over progenitor's (servers,
//! authentication, retry safety, validation before sending, typed errors), one method per
//! operation.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::common::*;
use crate::Error;
use crate::spec::{Operation, SchemeKind};

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

    // Auth schemes.
    let scheme_fields: Vec<syn::Ident> = m
        .schemes
        .iter()
        .map(|s| ident(&s.name.to_snake_case()))
        .collect();
    let mut setters = Vec::new();
    let mut builds = Vec::new();
    for (s, f) in m.schemes.iter().zip(&scheme_fields) {
        let name = &s.name;
        let d = doc(&format!(
            "Credential for `{}`{}. Kept secret: never printed by `Debug`.",
            s.name,
            if s.description.is_empty() {
                String::new()
            } else {
                format!(": {}", s.description)
            }
        ));
        match &s.kind {
            SchemeKind::Bearer => {
                setters.push(quote! {
                    #d
                    pub fn #f(mut self, token: impl Into<payspec_runtime::SecretString>) -> Self {
                        self.#f = Some(payspec_runtime::Secret::new(format!("Bearer {}", token.into().expose())));
                        self
                    }
                });
                builds.push(quote! { #f: header_value(#name, self.#f)? });
            }
            SchemeKind::Basic => {
                setters.push(quote! {
                    #d
                    pub fn #f(mut self, id: impl AsRef<str>, secret: impl Into<payspec_runtime::SecretString>) -> Self {
                        use base64::Engine as _;
                        let raw = payspec_runtime::Secret::new(format!("{}:{}", id.as_ref(), secret.into().expose()));
                        let encoded = base64::engine::general_purpose::STANDARD.encode(raw.expose().as_bytes());
                        self.#f = Some(payspec_runtime::Secret::new(format!("Basic {encoded}")));
                        self
                    }
                });
                builds.push(quote! { #f: header_value(#name, self.#f)? });
            }
            SchemeKind::ApiKeyHeader(_) => {
                setters.push(quote! {
                    #d
                    pub fn #f(mut self, key: impl Into<payspec_runtime::SecretString>) -> Self {
                        self.#f = Some(key.into());
                        self
                    }
                });
                builds.push(quote! { #f: header_value(#name, self.#f)? });
            }
        }
    }
    let scheme_variants: Vec<syn::Ident> = m
        .schemes
        .iter()
        .map(|s| ident(&s.name.to_upper_camel_case()))
        .collect();
    let scheme_headers: Vec<TokenStream> = m
        .schemes
        .iter()
        .map(|s| match &s.kind {
            SchemeKind::Bearer | SchemeKind::Basic => quote!(reqwest::header::AUTHORIZATION),
            SchemeKind::ApiKeyHeader(h) => {
                let h = h.to_ascii_lowercase();
                quote!(reqwest::header::HeaderName::from_static(#h))
            }
        })
        .collect();
    let scheme_enum = (!m.schemes.is_empty()).then(|| {
        quote! {
            #[derive(Clone, Copy, Debug)]
            enum Scheme { #(#scheme_variants),* }
        }
    });

    // Per-operation tables.
    let mut security_arms = Vec::new();
    let mut needed_arms = Vec::new();
    let mut safe_ops = Vec::new();
    for op in &m.operations {
        let rn = op.rust_name();
        let alts: Vec<TokenStream> = op
            .security
            .iter()
            .map(|alt| {
                let vs: Vec<syn::Ident> = alt
                    .iter()
                    .map(|s| ident(&s.to_upper_camel_case()))
                    .collect();
                quote!(&[#(Scheme::#vs),*])
            })
            .collect();
        security_arms.push(quote!(#rn => &[#(#alts),*],));
        let mut needed: Vec<&String> = op.security.iter().flatten().collect();
        needed.sort();
        needed.dedup();
        needed_arms.push(quote!(#rn => &[#(#needed),*],));
        if op.idempotent {
            safe_ops.push(rn);
        }
    }
    for op in &m.operations {
        for alt in &op.security {
            for s in alt {
                if !m.schemes.iter().any(|x| &x.name == s) {
                    return Err(Error::operation(
                        ctx.spec_path,
                        &op.id,
                        format!("unknown security scheme {s}"),
                    ));
                }
            }
        }
    }

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
                quote!(options.max_in_flight = Some(#n);),
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
    let options_mut = rate.max_in_flight.map(|_| quote!(mut));

    let user_agent = format!("{}/{}", ctx.package, env!("CARGO_PKG_VERSION"));
    let security_fn = if m.schemes.is_empty() {
        quote! {
            fn operation_security(_operation_id: &str) -> &'static [&'static [Scheme]] { &[] }
            #[derive(Clone, Copy, Debug)]
            enum Scheme {}
        }
    } else {
        quote! {
            fn operation_security(operation_id: &str) -> &'static [&'static [Scheme]] {
                match operation_id {
                    #(#security_arms)*
                    _ => &[],
                }
            }
        }
    };
    let credential_fn = if m.schemes.is_empty() {
        quote! {
            fn credential(&self, scheme: Scheme) -> Option<(reqwest::header::HeaderName, reqwest::header::HeaderValue)> {
                match scheme {}
            }
        }
    } else {
        quote! {
            fn credential(&self, scheme: Scheme) -> Option<(reqwest::header::HeaderName, reqwest::header::HeaderValue)> {
                match scheme {
                    #(Scheme::#scheme_variants => self.#scheme_fields.clone().map(|v| (#scheme_headers, v)),)*
                }
            }
        }
    };

    Ok(quote! {
        //! The typed client: authentication, retry safety, validation before sending and typed
        //! errors, over progenitor's low-level client in [`crate::raw`].

        use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};

        use crate::{raw, types};

        /// The API's servers.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

        #scheme_enum

        /// What every request shares: credentials (as sensitive header values, which `Debug`
        /// prints as `Sensitive`) and the transport policy. progenitor's client carries it.
        #[derive(Clone, Debug)]
        pub struct Inner {
            transport: payspec_runtime::Transport,
            #(#scheme_fields: Option<reqwest::header::HeaderValue>,)*
        }

        #security_fn

        fn retry_safe(operation_id: &str) -> bool {
            matches!(operation_id, #(#safe_ops)|* )
        }

        fn operation_needs(operation_id: &str) -> &'static [&'static str] {
            match operation_id {
                #(#needed_arms)*
                _ => &[],
            }
        }

        impl Inner {
            #credential_fn

            /// The headers that authenticate `operation_id`, or `None` when no acceptable
            /// credential was configured.
            fn authorization(&self, operation_id: &str) -> Option<Vec<(reqwest::header::HeaderName, reqwest::header::HeaderValue)>> {
                let alternatives = operation_security(operation_id);
                if alternatives.is_empty() {
                    return Some(Vec::new());
                }
                alternatives
                    .iter()
                    .find_map(|alt| alt.iter().map(|s| self.credential(*s)).collect::<Option<Vec<_>>>())
            }
        }

        impl ClientHooks<Inner> for raw::Client {
            async fn pre<E>(&self, request: &mut reqwest::Request, info: &OperationInfo) -> Result<(), progenitor_client::Error<E>> {
                // progenitor adds an `api-version` header that these APIs do not define.
                request.headers_mut().remove("api-version");
                let headers = self
                    .inner()
                    .authorization(info.operation_id)
                    .ok_or_else(|| progenitor_client::Error::Custom(format!("no credential for operation {}", info.operation_id)))?;
                for (name, value) in headers {
                    request.headers_mut().insert(name, value);
                }
                Ok(())
            }

            async fn exec(&self, request: reqwest::Request, info: &OperationInfo) -> reqwest::Result<reqwest::Response> {
                self.inner().transport.execute(self.client(), request, retry_safe(info.operation_id)).await
            }
        }

        fn header_value(
            scheme: &str,
            value: Option<payspec_runtime::SecretString>,
        ) -> Result<Option<reqwest::header::HeaderValue>, payspec_runtime::Error<()>> {
            let Some(value) = value else { return Ok(None) };
            let mut header = reqwest::header::HeaderValue::from_str(value.expose()).map_err(|_| {
                payspec_runtime::Error::Other(format!("the {scheme} credential has characters an HTTP header cannot carry"))
            })?;
            header.set_sensitive(true);
            Ok(Some(header))
        }

        /// Builds a [`Client`]: base URL, credentials, timeouts, retry policy.
        #[derive(Debug)]
        pub struct ClientBuilder {
            base_url: String,
            options: payspec_runtime::ClientOptions,
            http_client: Option<payspec_runtime::HttpClientBuilder>,
            #(#scheme_fields: Option<payspec_runtime::SecretString>,)*
        }

        impl ClientBuilder {
            #new_doc
            pub fn new(base_url: impl Into<String>) -> Self {
                let #options_mut options = payspec_runtime::ClientOptions::new(#user_agent);
                #default_in_flight
                ClientBuilder {
                    base_url: base_url.into(),
                    options,
                    http_client: None,
                    #(#scheme_fields: None,)*
                }
            }

            #(#setters)*

            /// The whole-request timeout (default 30 s).
            pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
                self.options.timeout = timeout;
                self
            }

            /// The connect timeout (default 10 s).
            pub fn connect_timeout(mut self, timeout: std::time::Duration) -> Self {
                self.options.connect_timeout = timeout;
                self
            }

            /// The retry policy for operations that are safe to repeat. Operations that are not
            /// (payments, creations) are never retried, whatever the policy.
            pub fn retry(mut self, policy: payspec_runtime::RetryPolicy) -> Self {
                self.options.retry = policy;
                self
            }

            #in_flight_doc
            pub fn max_in_flight(mut self, limit: usize) -> Self {
                self.options.max_in_flight = Some(limit);
                self
            }

            /// All options at once.
            pub fn options(mut self, options: payspec_runtime::ClientOptions) -> Self {
                self.options = options;
                self
            }

            /// Builds the HTTP client from this `reqwest` builder (proxies, TLS roots, default
            /// headers) instead of a fresh one. Over whatever it sets, this builder's timeouts and
            /// user agent apply, and redirects are never followed: see
            /// [`payspec_runtime::endpoint`].
            pub fn http_client_builder(mut self, builder: reqwest::ClientBuilder) -> Self {
                self.http_client = Some(builder.into());
                self
            }

            /// Accepts a plain `http://` base URL on a host other than loopback. Card data and
            /// credentials then travel unencrypted: only for a test server you control. Loopback
            /// hosts (`localhost`, `127.0.0.1`, `[::1]`) need no opt-in.
            pub fn danger_allow_plain_http(mut self) -> Self {
                self.options.allow_plain_http = true;
                self
            }

            /// Builds the client. Fails with [`payspec_runtime::Error::InvalidBaseUrl`] on a
            /// base URL that does not parse, is plain `http://` to a host that is not loopback
            /// (without [`ClientBuilder::danger_allow_plain_http`]) or carries a user name or
            /// password, and on a credential that cannot travel in a header (the error never
            /// contains the credential).
            pub fn build(self) -> Result<Client, payspec_runtime::Error<()>> {
                payspec_runtime::endpoint::check_base_url(&self.base_url, self.options.allow_plain_http)
                    .map_err(payspec_runtime::Error::InvalidBaseUrl)?;
                let http = self.options.http_client(self.http_client).map_err(payspec_runtime::Error::Transport)?;
                let inner = Inner {
                    transport: payspec_runtime::Transport::new(&self.options),
                    #(#builds,)*
                };
                Ok(Client { raw: raw::Client::new_with_client(self.base_url.trim_end_matches('/'), http, inner) })
            }
        }

        /// The typed client. Cheap to clone: clones share the connection pool and limits.
        #[derive(Clone, Debug)]
        pub struct Client {
            raw: raw::Client,
        }

        impl Client {
            /// A [`ClientBuilder`] for the API at `base_url` (for example [`Server::url`]).
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

            fn check_credentials<E>(&self, operation_id: &'static str) -> Result<(), payspec_runtime::Error<E>> {
                match self.raw.inner().authorization(operation_id) {
                    Some(_) => Ok(()),
                    None => Err(payspec_runtime::Error::MissingCredential { operation: operation_id, needed: operation_needs(operation_id) }),
                }
            }

            #(#methods)*
        }
    })
}

/// The typed method of one operation.
pub(super) fn operation_method(ctx: &Context, op: &Operation) -> Result<TokenStream, Error> {
    let name = format_ident!("{}", op.rust_name());
    let op_id = op.rust_name();
    let err_ty = error_body_type(&op.error);
    let ok_ty = ok_type(op);
    let ok_map = match &op.success {
        Some(_) => quote!(Ok(response) => Ok(response.into_inner())),
        None => quote!(Ok(_) => Ok(())),
    };
    let OpParams {
        mut args,
        names: mut call_args,
        mut checks,
        docs,
    } = op_params(ctx, op)?;
    if let Some(b) = &op.body {
        let t = ident(b);
        args.push(quote!(body: &types::#t));
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
    let d = op_doc(op, &docs, &extra);
    let mut_v = (!checks.is_empty()).then(|| quote!(mut));

    Ok(quote! {
        #d
        pub async fn #name(&self, #(#args),*) -> Result<#ok_ty, payspec_runtime::Error<#err_ty>> {
            let #mut_v v = payspec_runtime::Validator::new();
            #(#checks)*
            v.finish().map_err(payspec_runtime::Error::Validation)?;
            self.check_credentials(#op_id)?;
            match self.raw.#name(#(#call_args),*).await {
                #ok_map,
                Err(e) => Err(payspec_runtime::from_progenitor(e).await),
            }
        }
    })
}
