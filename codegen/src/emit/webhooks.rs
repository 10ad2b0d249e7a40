//! `src/webhooks.rs`: one verifier per webhook (`x-webhooks`), signature first, then the payload.

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::common::*;

pub(super) fn webhooks_rs(ctx: &Context) -> TokenStream {
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
