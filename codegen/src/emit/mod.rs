//! Emitters for everything progenitor does not write, one file per generated artifact: the typed
//! client over progenitor's (auth, retry safety, validation, typed errors), validation, open
//! enums, tagged unions, multipart bodies, pagination streams, webhooks, and the crate's
//! `lib.rs`, `Cargo.toml` and README.
//!
//! `mod.rs` only assembles; the shared vocabulary lives in `common.rs`, which imports no emitter,
//! so the modules form no import circle.

mod client;
mod common;
pub(crate) mod enums;
mod examples;
mod manifest;
mod multipart;
mod paginate;
mod readme;
mod unions;
mod validate;
mod webhooks;

use proc_macro2::TokenStream;
use quote::quote;

use crate::Error;
use common::*;

pub use common::Context;
pub(crate) use common::{idempotency_doc, option_str};
pub(crate) use examples::decimal_expr;
pub use manifest::cargo_toml;
pub(crate) use manifest::{Manifest, manifest};
pub use readme::readme;

/// The Rust source files of the crate, as token streams, by path.
pub fn rust_files(ctx: &Context) -> Result<Vec<(String, TokenStream)>, Error> {
    let mut out = vec![
        ("src/lib.rs".to_string(), lib_rs(ctx)),
        ("src/client.rs".to_string(), client::client_rs(ctx)?),
        ("src/validate.rs".to_string(), validate::validate_rs(ctx)?),
    ];
    if !ctx.model.open_enums.is_empty() {
        out.push(("src/enums.rs".to_string(), enums::enums_rs(ctx)));
    }
    if !ctx.model.webhooks.is_empty() {
        out.push(("src/webhooks.rs".to_string(), webhooks::webhooks_rs(ctx)));
    }
    if !ctx.model.unions.is_empty() {
        out.push(("src/unions.rs".to_string(), unions::unions_rs(ctx)));
    }
    if !ctx.model.multipart_schemas.is_empty() {
        out.push((
            "src/multipart.rs".to_string(),
            multipart::multipart_rs(ctx)?,
        ));
    }
    Ok(out)
}

pub(super) fn lib_rs(ctx: &Context) -> TokenStream {
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
    let epoch = m.uses_epoch_millis.then(|| {
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
        pub use payspec_runtime::{Call, CallOptions, ClientOptions, DateTime, Response, RetryPolicy, SecretString, Validate, ValidationError};
        #epoch
        #stream
        #error_alias
    }
}
