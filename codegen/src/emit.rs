//! Emitters for everything progenitor does not write: the typed client over progenitor's
//! (auth, retry safety, validation, typed errors), open enums, validation, webhooks, and the
//! crate's `lib.rs`, `Cargo.toml` and README.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use crate::Error;
use crate::ast::{Enums, Field, Structs};
use crate::extras;
use crate::spec::{self, Locator, Model, Operation, ParamLocation, SchemeKind};

/// What the emitters work from.
pub struct Context<'a> {
    /// Provider folder name.
    pub provider: &'a str,
    /// Package name.
    pub package: &'a str,
    /// Spec path, for errors.
    pub spec_path: &'a str,
    /// The spec's model.
    pub model: &'a Model,
    /// progenitor's structs.
    pub structs: &'a Structs,
    /// progenitor's enums.
    pub enums: &'a Enums,
}

pub(crate) fn ident(s: &str) -> syn::Ident {
    syn::Ident::new(s, Span::call_site())
}

pub(crate) fn doc(text: &str) -> TokenStream {
    let lines: Vec<String> = text
        .trim()
        .lines()
        .map(|l| format!(" {l}").trim_end().to_string())
        .collect();
    quote! { #(#[doc = #lines])* }
}

/// The Rust source files of the crate, as token streams, by path.
pub fn rust_files(ctx: &Context) -> Result<Vec<(String, TokenStream)>, Error> {
    let mut out = vec![
        ("src/lib.rs".to_string(), lib_rs(ctx)),
        ("src/client.rs".to_string(), client_rs(ctx)?),
        ("src/validate.rs".to_string(), validate_rs(ctx)?),
    ];
    if !ctx.model.open_enums.is_empty() {
        out.push(("src/enums.rs".to_string(), enums_rs(ctx)));
    }
    if !ctx.model.webhooks.is_empty() {
        out.push(("src/webhooks.rs".to_string(), webhooks_rs(ctx)));
    }
    if !ctx.model.unions.is_empty() {
        out.push(("src/unions.rs".to_string(), extras::unions_rs(ctx)));
    }
    if !ctx.model.multipart_schemas.is_empty() {
        out.push(("src/multipart.rs".to_string(), extras::multipart_rs(ctx)?));
    }
    Ok(out)
}

/// The single error body type shared by every operation, if there is one.
fn shared_error(model: &Model) -> Option<Option<String>> {
    let mut errs = model.operations.iter().map(|o| o.error.clone());
    let first = errs.next()?;
    errs.all(|e| e == first).then_some(first)
}

pub(crate) fn error_body_type(error: &Option<String>) -> TokenStream {
    match error {
        Some(name) => {
            let t = ident(name);
            quote!(types::#t)
        }
        None => quote!(()),
    }
}

fn lib_rs(ctx: &Context) -> TokenStream {
    let m = ctx.model;
    let enums = (!m.open_enums.is_empty()).then(|| {
        quote! {
            /// Forward-compatible enums (also re-exported in [`types`]).
            pub mod enums;
        }
    });
    let webhooks = (!m.webhooks.is_empty()).then(|| {
        quote! {
            pub mod webhooks;
        }
    });
    let unions = (!m.unions.is_empty()).then(|| {
        quote! {
            /// Tagged unions (also re-exported in [`types`]).
            pub mod unions;
        }
    });
    let multipart = (!m.multipart_schemas.is_empty()).then(|| {
        quote! {
            pub mod multipart;
            pub use payspec_runtime::FilePart;
        }
    });
    let epoch = extras::uses_epoch_millis(m).then(|| {
        quote! {
            pub use payspec_runtime::EpochMillis;
        }
    });
    let stream = m
        .operations
        .iter()
        .any(|o| o.pagination.is_some())
        .then(|| {
            quote! {
                pub use payspec_runtime::Stream;
            }
        });
    let error_alias = shared_error(m).map(|e| {
        let t = error_body_type(&e);
        quote! {
            /// The error every operation of this API returns.
            pub type Error = payspec_runtime::Error<#t>;
        }
    });
    quote! {
        #![doc = include_str!("../README.md")]
        #![deny(missing_docs)]

        mod client;
        /// progenitor's low-level client and the API's types. Prefer [`Client`], which validates
        /// requests, authenticates and maps errors; [`types`] is re-exported at the crate root.
        #[allow(missing_docs, clippy::all, unused_imports)]
        pub mod raw;
        mod validate;
        #enums
        #webhooks
        #unions
        #multipart

        pub use client::{Client, ClientBuilder, Server};
        pub use raw::types;
        pub use payspec_runtime::{ClientOptions, DateTime, RetryPolicy, SecretString, Validate, ValidationError};
        #epoch
        #stream
        #error_alias
    }
}

fn client_rs(ctx: &Context) -> Result<TokenStream, Error> {
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
            methods.push(extras::multipart_method(ctx, op)?);
        }
        if op.pagination.is_some() {
            methods.push(extras::stream_method(ctx, op)?);
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

/// The parameters of an operation as the typed methods take them.
pub(crate) struct OpParams {
    /// `name: Type` of each parameter, in progenitor's positional order.
    pub args: Vec<TokenStream>,
    /// The parameter names, in the same order.
    pub names: Vec<syn::Ident>,
    /// Validation of the parameters (validator `v` in scope).
    pub checks: Vec<TokenStream>,
    /// The parameters' docs, a Markdown list.
    pub docs: String,
}

/// progenitor's positional order: path parameters (in path order), then the others in spec
/// order.
pub(crate) fn op_params(ctx: &Context, op: &Operation) -> Result<OpParams, Error> {
    let mut params: Vec<&spec::Param> = Vec::new();
    let path_order = |p: &spec::Param| {
        op.path
            .find(&format!("{{{}}}", p.name))
            .unwrap_or(usize::MAX)
    };
    let mut path_params: Vec<&spec::Param> = op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .collect();
    path_params.sort_by_key(|p| path_order(p));
    params.extend(path_params);
    params.extend(
        op.params
            .iter()
            .filter(|p| p.location != ParamLocation::Path),
    );

    let mut out = OpParams {
        args: Vec::new(),
        names: Vec::new(),
        checks: Vec::new(),
        docs: String::new(),
    };
    for p in &params {
        let pn = format_ident!("{}", p.name.to_snake_case());
        let json = &p.name;
        let ty = spec::str_of(&p.schema, "type");
        let arg_ty = match (ty, p.required) {
            (Some("string"), true) => quote!(&str),
            (Some("string"), false) => quote!(Option<&str>),
            (Some("integer"), true) => quote!(i64),
            (Some("integer"), false) => quote!(Option<i64>),
            _ => {
                return Err(Error::operation(
                    ctx.spec_path,
                    &op.id,
                    format!("parameter {}: unsupported type", p.name),
                ));
            }
        };
        out.args.push(quote!(#pn: #arg_ty));
        let rules = scalar_checks(&p.schema, json, ty.unwrap_or_default(), "");
        if !rules.is_empty() {
            if p.required {
                out.checks.push(quote! { { let value = &#pn; #(#rules)* } });
            } else {
                out.checks
                    .push(quote! { if let Some(value) = &#pn { #(#rules)* } });
            }
        }
        out.names.push(pn);
        out.docs.push_str(&format!(
            "\n- `{}`: {}",
            p.name.to_snake_case(),
            p.description
        ));
    }
    Ok(out)
}

/// The docs of an operation's method: summary, description, the request line, parameters,
/// retry safety, and `extra` (before the validation note).
pub(crate) fn op_doc(op: &Operation, param_docs: &str, extra: &str) -> TokenStream {
    let mut text = String::new();
    if !op.summary.is_empty() {
        text.push_str(&op.summary);
        text.push_str("\n\n");
    }
    if !op.description.is_empty() {
        text.push_str(&op.description);
        text.push_str("\n\n");
    }
    text.push_str(&format!("`{} {}`", op.method.to_uppercase(), op.path));
    if !param_docs.is_empty() {
        text.push_str("\n\nParameters:");
        text.push_str(param_docs);
    }
    text.push_str(if op.idempotent {
        "\n\nRetried automatically on transient failures (connection errors, timeouts, 408, 429, 502-504), per the client's retry policy."
    } else {
        "\n\nNever retried automatically: the request may have taken effect even when the call fails."
    });
    text.push_str(extra);
    text.push_str("\n\nThe request is validated first; a violation returns [`payspec_runtime::Error::Validation`] and nothing is sent.");
    doc(&text)
}

/// The success type of an operation.
pub(crate) fn ok_type(op: &Operation) -> TokenStream {
    match &op.success {
        Some(s) => {
            let t = ident(s);
            quote!(types::#t)
        }
        None => quote!(()),
    }
}

/// The typed method of one operation.
fn operation_method(ctx: &Context, op: &Operation) -> Result<TokenStream, Error> {
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

/// The checks of a scalar value's constraints; `value` is bound in scope (`&str`, `&Decimal`,
/// an integer, or a Vec for arrays); the validator in scope is `v`.
pub(crate) fn scalar_checks(
    schema: &Value,
    json: &str,
    kind: &str,
    int_ty: &str,
) -> Vec<TokenStream> {
    let mut out = Vec::new();
    let num = |k: &str| schema.get(k).cloned();
    let excl = |k: &str| schema.get(k).and_then(Value::as_bool).unwrap_or(false);
    match kind {
        "string" => {
            if let Some(n) = num("maxLength").and_then(|v| v.as_u64()) {
                let n = n as usize;
                out.push(quote!(v.max_length(#json, value, #n);));
            }
            if let Some(n) = num("minLength").and_then(|v| v.as_u64()) {
                let n = n as usize;
                out.push(quote!(v.min_length(#json, value, #n);));
            }
        }
        "number" => {
            if let Some(b) = num("minimum") {
                let b = b.to_string();
                let e = excl("exclusiveMinimum");
                out.push(quote!(v.minimum_decimal(#json, value, #b, #e);));
            }
            if let Some(b) = num("maximum") {
                let b = b.to_string();
                let e = excl("exclusiveMaximum");
                out.push(quote!(v.maximum_decimal(#json, value, #b, #e);));
            }
        }
        "integer" => {
            let as_i64 = match int_ty {
                "i64" | "" => quote!(*value),
                "u64" | "usize" => quote!(i64::try_from(*value).unwrap_or(i64::MAX)),
                _ => quote!(i64::from(*value)),
            };
            if let Some(b) = num("minimum").and_then(|v| v.as_i64()) {
                let e = excl("exclusiveMinimum");
                out.push(quote!(v.minimum_int(#json, #as_i64, #b, #e);));
            }
            if let Some(b) = num("maximum").and_then(|v| v.as_i64()) {
                let e = excl("exclusiveMaximum");
                out.push(quote!(v.maximum_int(#json, #as_i64, #b, #e);));
            }
        }
        "array" => {
            if let Some(n) = num("minItems").and_then(|v| v.as_u64()) {
                let n = n as usize;
                out.push(quote!(v.min_items(#json, value.len(), #n);));
            }
            if let Some(n) = num("maxItems").and_then(|v| v.as_u64()) {
                let n = n as usize;
                out.push(quote!(v.max_items(#json, value.len(), #n);));
            }
        }
        _ => {}
    }
    out
}

fn is_collection(ty: &str) -> bool {
    ty.starts_with("::std::vec::Vec<") || ty.starts_with("::std::collections::BTreeMap<")
}

/// Whether an optional member is set, as an expression on `self` (typify writes an optional
/// array or map as an empty collection when absent); `None` for a required member.
fn presence(f: &Field) -> Option<TokenStream> {
    let fi = &f.ident;
    if f.optional {
        Some(quote!(self.#fi.is_some()))
    } else if is_collection(&f.ty) {
        Some(quote!(!self.#fi.is_empty()))
    } else {
        None
    }
}

pub(crate) fn is_object(s: &Value) -> bool {
    spec::str_of(s, "type") == Some("object") && s.get("properties").is_some()
}

fn validate_rs(ctx: &Context) -> Result<TokenStream, Error> {
    let m = ctx.model;
    let mut impls = Vec::new();
    for name in &m.request_schemas {
        let Some(schema) = m.schemas.get(name) else {
            continue;
        };
        if m.multipart_schemas.contains(name) {
            continue;
        }
        if let Some(u) = m.unions.iter().find(|u| &u.name == name) {
            impls.push(extras::union_validate(u));
            continue;
        }
        if !is_object(schema) {
            if let Some(tokens) = extras::choice_validate(ctx, name, schema)? {
                impls.push(tokens);
            }
            continue;
        }
        let fields = ctx.structs.get(name).ok_or_else(|| {
            Error::spec(ctx.spec_path, format!("schema {name}: no generated struct"))
        })?;
        let field = |json: &str| -> Result<&Field, Error> {
            fields.iter().find(|f| f.json == json).ok_or_else(|| {
                Error::spec(ctx.spec_path, format!("schema {name}: no field for {json}"))
            })
        };
        let mut body = Vec::new();
        if let Some(names) = spec::exactly_one_of(schema) {
            let mut pairs = Vec::new();
            for n in &names {
                let set = presence(field(n)?).ok_or_else(|| {
                    Error::spec(
                        ctx.spec_path,
                        format!("schema {name}: `{n}` in an exactly-one-of rule must be optional"),
                    )
                })?;
                pairs.push(quote!((#n, #set)));
            }
            body.push(quote!(v.exactly_one_of(&[#(#pairs),*]);));
        }
        if let Some(groups) = spec::required_groups(schema) {
            let mut group_tokens = Vec::new();
            for g in &groups {
                let mut pairs = Vec::new();
                for n in g {
                    // A required member is always set.
                    let set = presence(field(n)?).unwrap_or_else(|| quote!(true));
                    pairs.push(quote!((#n, #set)));
                }
                group_tokens.push(quote!(&[#(#pairs),*]));
            }
            body.push(quote!(v.any_group_complete(&[#(#group_tokens),*]);));
        }
        for (json, ps) in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if m.is_union_tag(name, json) {
                continue;
            }
            let f = field(json)?;
            let fi = &f.ident;
            let mut checks = Vec::new();
            let target = spec::ref_name(ps).and_then(|r| m.schemas.get(r).map(|s| (r, s)));
            let effective = target.map(|(_, s)| s).unwrap_or(ps);
            let kind = spec::str_of(effective, "type").unwrap_or_default();
            let inner_ty =
                f.ty.trim_start_matches("::std::option::Option<")
                    .trim_end_matches('>');
            let sensitive = f.ty.contains("SecretString");
            if target.is_some_and(|(r, s)| extras::validatable(m, r, s)) {
                checks.push(
                    quote!(v.field(#json, |v| payspec_runtime::Validate::validate_into(value, v));),
                );
            } else {
                if sensitive {
                    let mut cs = scalar_checks(effective, json, kind, inner_ty);
                    if !cs.is_empty() {
                        cs.insert(0, quote!(let value = value.expose();));
                    }
                    checks.extend(cs);
                } else {
                    checks.extend(scalar_checks(effective, json, kind, inner_ty));
                }
                let item_validatable = effective
                    .get("items")
                    .and_then(spec::ref_name)
                    .and_then(|r| m.schemas.get(r).map(|s| (r, s)))
                    .is_some_and(|(r, s)| extras::validatable(m, r, s));
                if kind == "array" && item_validatable {
                    checks.push(quote!(v.field(#json, |v| payspec_runtime::Validate::validate_into(value, v));));
                }
                if spec::uniform_items(effective).is_some() {
                    checks.push(quote!(v.same_kind(#json, value.iter().map(|item| item.kind()));));
                }
            }
            if checks.is_empty() {
                continue;
            }
            let required = schema
                .get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|x| x.as_str() == Some(json)));
            if f.optional {
                body.push(quote!(if let Some(value) = &self.#fi { #(#checks)* }));
            } else if !required && is_collection(&f.ty) {
                body.push(quote!(if !self.#fi.is_empty() { let value = &self.#fi; #(#checks)* }));
            } else {
                body.push(quote!({ let value = &self.#fi; #(#checks)* }));
            }
        }
        let t = ident(name);
        let unused = body.is_empty().then(|| quote!(let _ = v;));
        impls.push(quote! {
            impl payspec_runtime::Validate for types::#t {
                fn validate_into(&self, v: &mut payspec_runtime::Validator) {
                    #unused
                    #(#body)*
                }
            }
        });
    }
    // Error bodies: how `Display` of an API error describes them.
    let mut error_types: Vec<&String> = m
        .operations
        .iter()
        .filter_map(|o| o.error.as_ref())
        .collect();
    error_types.sort();
    error_types.dedup();
    for name in error_types {
        let ext = m.error_bodies.get(name).cloned().unwrap_or_default();
        let fields = ctx.structs.get(name);
        let get = |json: &str| -> Result<&Field, Error> {
            fields
                .and_then(|fs| fs.iter().find(|f| f.json == json))
                .ok_or_else(|| {
                    Error::spec(
                        ctx.spec_path,
                        format!("schema {name}: x-error field {json} not found"),
                    )
                })
        };
        let message = match &ext.message {
            None => quote!(None),
            Some(Locator::Pointers(ps)) => {
                quote!(payspec_runtime::error::first_text(&payspec_runtime::serde_json::to_value(self).ok()?, &[#(#ps),*]))
            }
            Some(Locator::Property(j)) => {
                let f = get(j)?;
                let fi = &f.ident;
                if f.optional {
                    quote!(self.#fi.as_ref().map(|m| m.to_string()))
                } else {
                    quote!(Some(self.#fi.to_string()))
                }
            }
        };
        let details = match &ext.details {
            None => quote!(Vec::new()),
            Some(Locator::Pointers(ps)) => quote! {
                let Ok(value) = payspec_runtime::serde_json::to_value(self) else { return Vec::new() };
                [#(#ps),*]
                    .iter()
                    .find_map(|p| value.pointer(p))
                    .map(payspec_runtime::error::flatten_details)
                    .unwrap_or_default()
            },
            Some(Locator::Property(j)) => {
                let fi = &get(j)?.ident;
                quote!(payspec_runtime::error::flatten_details(&payspec_runtime::serde_json::to_value(&self.#fi).unwrap_or_default()))
            }
        };
        if let Some((code_enum, at)) = &ext.code {
            if !m.open_enums.iter().any(|e| &e.name == code_enum) {
                return Err(Error::spec(
                    ctx.spec_path,
                    format!(
                        "schema {name}: x-error-code.enum {code_enum} is not an x-open-enum schema"
                    ),
                ));
            }
            let t = ident(name);
            let ce = ident(code_enum);
            let d = doc(&format!(
                "The provider's error code, from the first of {} that holds a string.",
                at.iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            impls.push(quote! {
                impl types::#t {
                    #d
                    pub fn code(&self) -> Option<types::#ce> {
                        let value = payspec_runtime::serde_json::to_value(self).ok()?;
                        payspec_runtime::error::first_text(&value, &[#(#at),*]).map(|c| types::#ce::from(c.as_str()))
                    }
                }
            });
        }
        let t = ident(name);
        impls.push(quote! {
            impl payspec_runtime::ErrorBody for types::#t {
                fn message(&self) -> Option<String> { #message }
                fn details(&self) -> Vec<String> { #details }
            }
        });
    }
    Ok(quote! {
        //! Client-side validation of requests (lengths, ranges, exactly-one-of rules of the spec)
        //! and how API error bodies describe themselves.

        use crate::types;

        #(#impls)*
    })
}

fn enums_rs(ctx: &Context) -> TokenStream {
    let enums = ctx.model.open_enums.iter().map(|e| {
        let name = ident(&e.name);
        let d = if e.description.is_empty() {
            doc(&format!(
                "`{}` (forward-compatible: unknown values are kept).",
                e.name
            ))
        } else {
            doc(&e.description)
        };
        let variants = e.values.iter().map(|(v, vd)| {
            let vi = ident(&v.to_upper_camel_case());
            let vd = doc(vd);
            quote!(#vd #vi => #v,)
        });
        quote! {
            payspec_runtime::open_enum! {
                #d
                pub enum #name {
                    #(#variants)*
                }
            }
        }
    });
    quote! {
        //! Enums received from the server: open, so that a value added by the provider later
        //! parses into `Unknown` (and round-trips) instead of failing the whole response.

        #(#enums)*
    }
}

fn webhooks_rs(ctx: &Context) -> TokenStream {
    let items = ctx.model.webhooks.iter().map(|w| {
        let name = format_ident!("{}Webhook", w.key.to_upper_camel_case());
        let payload = ident(&w.payload);
        let header = &w.header;
        let header_lc = w.header.to_ascii_lowercase();
        let encoding = match w.encoding.as_str() {
            "hex" => quote!(payspec_runtime::SignatureEncoding::Hex),
            _ => quote!(payspec_runtime::SignatureEncoding::Base64),
        };
        let d = doc(&format!(
            "{}\n\nVerifies the `{}` signature ({} HMAC-SHA256 of the raw body) in constant time, then parses the payload into [`types::{}`].",
            w.description, w.header, w.encoding, w.payload
        ));
        quote! {
            #d
            #[derive(Clone, Debug)]
            pub struct #name {
                verifier: payspec_runtime::HmacSha256Verifier,
            }

            impl #name {
                /// The header that carries the signature.
                pub const SIGNATURE_HEADER: &'static str = #header;

                /// A verifier keyed with the webhook secret (kept secret: never printed by `Debug`).
                pub fn new(secret: impl AsRef<[u8]>) -> Self {
                    #name { verifier: payspec_runtime::HmacSha256Verifier::new(secret, #encoding) }
                }

                /// Checks `signature` (the header's value) against the exact bytes received.
                pub fn verify(&self, signature: &str, raw_body: &[u8]) -> Result<(), payspec_runtime::WebhookError> {
                    self.verifier.verify(signature, raw_body)
                }

                /// Checks the signature, then parses the payload. `signature` is the header's
                /// value, `None` when the request had none.
                pub fn verify_and_parse(&self, signature: Option<&str>, raw_body: &[u8]) -> Result<types::#payload, payspec_runtime::WebhookError> {
                    let signature = signature.ok_or(payspec_runtime::WebhookError::MissingSignature)?;
                    self.verify(signature, raw_body)?;
                    payspec_runtime::serde_json::from_slice(raw_body).map_err(payspec_runtime::WebhookError::InvalidPayload)
                }

                /// [`Self::verify_and_parse`] with the signature taken from the request headers.
                pub fn verify_request(&self, headers: &reqwest::header::HeaderMap, raw_body: &[u8]) -> Result<types::#payload, payspec_runtime::WebhookError> {
                    let signature = match headers.get(#header_lc) {
                        None => None,
                        Some(v) => Some(v.to_str().map_err(|_| payspec_runtime::WebhookError::MalformedSignature)?),
                    };
                    self.verify_and_parse(signature, raw_body)
                }

                /// The signature the provider would send for `raw_body` (for tests and simulators).
                pub fn sign(&self, raw_body: &[u8]) -> String {
                    self.verifier.sign(raw_body)
                }
            }
        }
    });
    quote! {
        //! Webhook signature verification and payload types.

        use crate::types;

        #(#items)*
    }
}

/// The crate's `Cargo.toml`.
pub fn cargo_toml(ctx: &Context) -> String {
    let basic = ctx
        .model
        .schemes
        .iter()
        .any(|s| s.kind == SchemeKind::Basic);
    let mut deps = vec![
        "payspec-runtime",
        "progenitor-client",
        "reqwest",
        "rust_decimal",
        "serde",
        "serde_json",
    ];
    if basic {
        deps.push("base64");
    }
    manifest(&Manifest {
        spec: ctx.spec_path,
        package: ctx.package,
        description: &format!(
            "Typed client for {}, generated from {}.",
            ctx.model.title, ctx.spec_path
        ),
        sections: "",
        deps: &deps,
        clippy_allows: &["result_large_err"],
    })
}

/// What differs between the generated crates' manifests.
pub(crate) struct Manifest<'a> {
    /// The spec path, named in the header.
    pub spec: &'a str,
    /// The package name.
    pub package: &'a str,
    /// The package description.
    pub description: &'a str,
    /// Extra sections after `[package]` (e.g. `[[bin]]`), each ending in a blank line.
    pub sections: &'a str,
    /// Workspace dependencies, by name.
    pub deps: &'a [&'a str],
    /// Clippy lints allowed crate-wide (the first is explained: errors are returned by value).
    pub clippy_allows: &'a [&'a str],
}

/// A generated crate's `Cargo.toml`.
pub(crate) fn manifest(m: &Manifest) -> String {
    let deps: Vec<String> = m
        .deps
        .iter()
        .map(|d| format!("{d} = {{ workspace = true }}"))
        .collect();
    let allows: Vec<String> = m
        .clippy_allows
        .iter()
        .map(|l| format!("{l} = \"allow\"\n"))
        .collect();
    format!(
        "# @generated by `cargo xtask codegen` from {spec}. Do not edit.\n\
         [package]\n\
         name = \"{package}\"\n\
         description = \"{description}\"\n\
         version.workspace = true\n\
         edition.workspace = true\n\
         rust-version.workspace = true\n\
         license.workspace = true\n\
         publish.workspace = true\n\
         \n\
         {sections}\
         [dependencies]\n\
         {deps}\n\
         \n\
         [dev-dependencies]\n\
         tokio = {{ workspace = true, features = [\"macros\", \"rt-multi-thread\"] }}\n\
         \n\
         [lints.rust]\n\
         missing_docs = \"deny\"\n\
         \n\
         # payspec_runtime::Error carries status, headers and the parsed body by value, so callers\n\
         # can match on them; it is returned only on the error path.\n\
         [lints.clippy]\n\
         {allows}",
        spec = m.spec,
        package = m.package,
        description = m.description,
        sections = m.sections,
        deps = deps.join("\n"),
        allows = allows.concat(),
    )
}

/// The crate's README (also its crate-level docs, so the example compiles as a doctest).
pub fn readme(ctx: &Context) -> String {
    let m = ctx.model;
    let krate = ctx.package.replace('-', "_");
    let mut s = format!(
        "<!-- @generated by `cargo xtask codegen` from {}. Do not edit. -->\n# {}\n\nTyped Rust client for **{}** {}, generated from [`{}`](../../{}) by `cargo xtask codegen`.\n\n{}\n",
        ctx.spec_path, ctx.package, m.title, m.version, ctx.spec_path, ctx.spec_path, m.description
    );
    s.push_str("\n## Servers\n\n");
    for sv in &m.servers {
        s.push_str(&format!(
            "- `Server::{}`: {} `{}`\n",
            sv.name.to_upper_camel_case(),
            sv.description
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            sv.url
        ));
    }
    s.push_str("\n## Operations\n\n| method | HTTP | request | response | retried |\n|---|---|---|---|---|\n");
    for op in &m.operations {
        let code =
            |name: Option<&String>| name.map(|b| format!("`{b}`")).unwrap_or_else(|| "-".into());
        let retried = if op.idempotent {
            "when transient"
        } else {
            "never"
        };
        let http = format!("`{} {}`", op.method.to_uppercase(), op.path);
        let response = code(op.success.as_ref());
        if op.body.is_some() || op.multipart.is_none() {
            s.push_str(&format!(
                "| `{}` | {http} | {} | {response} | {retried} |\n",
                op.rust_name(),
                code(op.body.as_ref()),
            ));
        }
        if let Some(form) = &op.multipart {
            let name = op.multipart_method_name();
            s.push_str(&format!(
                "| `{name}` | {http} | multipart `{form}` | {response} | {retried} |\n"
            ));
        }
        if let Some(p) = &op.pagination {
            s.push_str(&format!(
                "| `{}_stream` | {http}, page after page | {} | a stream of `{}` items | per page |\n",
                op.rust_name(),
                code(op.body.as_ref()),
                p.items
            ));
        }
    }
    s.push_str("\nEvery request is validated before it is sent (lengths, ranges, exactly-one-of rules); errors are typed (`payspec_runtime::Error`: HTTP status, the parsed error body or the raw one); credentials never appear in `Debug` output; money is `rust_decimal::Decimal`, exact on the wire; enums received from the server are open (`Unknown(String)`).\n");
    // The example: build a client and call the first operation without a body.
    let auth = m.schemes.first().map(|sc| match sc.kind {
        SchemeKind::Basic => format!("\n    .{}(\"id\", \"secret\")", sc.name.to_snake_case()),
        _ => format!(
            "\n    .{}(std::env::var(\"API_KEY\").unwrap_or_default())",
            sc.name.to_snake_case()
        ),
    });
    let server = m
        .servers
        .last()
        .map(|sv| sv.name.to_upper_camel_case())
        .unwrap_or_default();
    let call = m
        .operations
        .iter()
        .find(|o| {
            o.body.is_none()
                && o.multipart.is_none()
                && o.params
                    .iter()
                    .all(|p| p.required && spec::str_of(&p.schema, "type") == Some("string"))
        })
        .map(|o| {
            let args: Vec<String> = o
                .params
                .iter()
                .map(|p| format!("{:?}", p.name.to_upper_camel_case().to_uppercase()))
                .collect();
            format!(
                "let value = client.{}({}).await?;\nprintln!(\"{{value:?}}\");\n",
                o.rust_name(),
                args.join(", ")
            )
        })
        .unwrap_or_default();
    s.push_str(&format!(
        "\n## Example\n\n```rust,no_run\nuse {krate}::{{Client, Server}};\n\n# async fn run() -> Result<(), Box<dyn std::error::Error>> {{\nlet client = Client::builder(Server::{server}.url()){}\n    .build()?;\n{call}# Ok(())\n# }}\n```\n",
        auth.unwrap_or_default()
    ));
    if let Some(w) = m.webhooks.first() {
        s.push_str(&format!(
            "\n## Webhooks\n\n`webhooks::{}Webhook` verifies the `{}` header over the raw body (constant time) before parsing:\n\n```rust\nuse {krate}::webhooks::{}Webhook;\n\nlet hook = {}Webhook::new(\"webhook-secret\");\nlet body = br#\"{{}}\"#;\nlet signature = hook.sign(body);\nassert!(hook.verify_and_parse(Some(&signature), body).is_ok());\nassert!(hook.verify_and_parse(Some(&signature), b\"{{ }}\").is_err());\n```\n",
            w.key.to_upper_camel_case(),
            w.header,
            w.key.to_upper_camel_case(),
            w.key.to_upper_camel_case()
        ));
    }
    s
}
