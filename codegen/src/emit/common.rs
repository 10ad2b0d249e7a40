//! The vocabulary every emitter shares: the [`Context`] they work from, identifiers and docs,
//! an operation's parameters, docs and success type, the checks of scalar constraints, and the
//! error body types.

use crate::Error;
use crate::ast::{Enums, Structs};
use crate::model::{Api as Model, Operation, Param, ParamLocation, Retry, Ty};
use heck::ToSnakeCase;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};

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

/// The single error body type shared by every operation, if there is one.
pub(super) fn shared_error(model: &Model) -> Option<Option<String>> {
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

/// An operation's parameters in progenitor's positional order: path parameters (in path
/// order), then the others in spec order.
pub(crate) fn ordered_params(op: &Operation) -> Vec<&Param> {
    let mut params: Vec<&Param> = Vec::new();
    let path_order = |p: &Param| {
        op.path
            .find(&format!("{{{}}}", p.name))
            .unwrap_or(usize::MAX)
    };
    let mut path_params: Vec<&Param> = op
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
    params
}

/// The parameters of an operation as the typed method takes them ([`ordered_params`]).
pub(crate) fn op_params(ctx: &Context, op: &Operation) -> Result<OpParams, Error> {
    let params = ordered_params(op);
    let mut out = OpParams {
        args: Vec::new(),
        names: Vec::new(),
        checks: Vec::new(),
        docs: String::new(),
    };
    for p in &params {
        let pn = format_ident!("{}", p.name.to_snake_case());
        let json = &p.name;
        let arg_ty = match (&p.ty, p.required) {
            (Ty::String { .. }, true) => quote!(&'a str),
            (Ty::String { .. }, false) => quote!(Option<&'a str>),
            (Ty::Integer { .. }, true) => quote!(i64),
            (Ty::Integer { .. }, false) => quote!(Option<i64>),
            _ => {
                return Err(Error::operation(
                    ctx.spec_path,
                    &op.id,
                    format!("parameter {}: unsupported type", p.name),
                ));
            }
        };
        out.args.push(quote!(#pn: #arg_ty));
        let rules = scalar_checks(&p.ty, json, "");
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
/// retry safety, `extra` (before the validation note), and `example` (Markdown, at the end).
pub(crate) fn op_doc(op: &Operation, param_docs: &str, extra: &str, example: &str) -> TokenStream {
    let mut text = String::new();
    if !op.summary.is_empty() {
        text.push_str(&op.summary);
        text.push_str("\n\n");
    }
    if !op.description.is_empty() {
        text.push_str(&op.description);
        text.push_str("\n\n");
    }
    text.push_str(&format!(
        "`{} {}`",
        op.method.as_str().to_uppercase(),
        op.path
    ));
    if !param_docs.is_empty() {
        text.push_str("\n\nParameters:");
        text.push_str(param_docs);
    }
    if let Some(header) = &op.idempotency_header {
        text.push_str(&idempotency_doc(header));
    } else {
        text.push_str(retry_doc(op.retry));
    }
    text.push_str(extra);
    text.push_str("\n\nThe request is validated first; a violation returns [`payspec_runtime::Error::Validation`] and nothing is sent.");
    text.push_str(example);
    doc(&text)
}

/// What the docs of an operation with an idempotency header (`x-idempotency-key`) say about
/// its key and its retries; both kinds of crate use it.
pub(crate) fn idempotency_doc(header: &str) -> String {
    format!(
        "\n\n# Idempotency key\n\nEach call carries an idempotency key in the `{header}` header: \
         a fresh UUID v4, or your own ([`payspec_runtime::Call::idempotency_key`]), the same on every retry \
         of the call. The provider answers a repeated key with the stored response instead of acting twice, \
         so the call is retried on transient failures (connection errors, timeouts, 408, 429, 502-504), per \
         the client's retry policy. [`payspec_runtime::Response::idempotency_key`] gives the key that was \
         sent; a later call with the same key replays this one."
    )
}

/// What an operation's docs say about retries, for its retry class.
fn retry_doc(retry: Retry) -> &'static str {
    match retry {
        Retry::Idempotent => {
            "\n\nRetried automatically on transient failures (connection errors, timeouts, 408, 429, 502-504), per the client's retry policy."
        }
        Retry::Once => {
            "\n\nNever retried automatically: the request may have taken effect even when the call fails."
        }
        Retry::MovesMoney => {
            "\n\n# Never retried\n\nThis operation moves money, so the client sends it exactly once, whatever happens. If the call fails without an answer ([`payspec_runtime::Error::Timeout`], [`payspec_runtime::Error::Transport`], or a 5xx), the payment may or may not have been made: find out from the provider whether it was before sending it again, because sending it again blindly can move the money twice."
        }
    }
}

/// `Some("text")` or `None`, as tokens of an `Option<&'static str>`.
pub(crate) fn option_str(value: Option<&str>) -> TokenStream {
    match value {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
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

/// The checks of a scalar value's constraints; `value` is bound in scope (`&str`, `&Decimal`,
/// an integer, or a Vec for arrays); the validator in scope is `v`.
pub(crate) fn scalar_checks(ty: &Ty, json: &str, int_ty: &str) -> Vec<TokenStream> {
    let mut out = Vec::new();
    let count = |n: &Option<serde_json::Number>| {
        n.as_ref()
            .and_then(serde_json::Number::as_u64)
            .map(|n| n as usize)
    };
    match ty {
        Ty::String { limits, .. } => {
            if let Some(n) = count(&limits.max_length) {
                out.push(quote!(v.max_length(#json, value, #n);));
            }
            if let Some(n) = count(&limits.min_length) {
                out.push(quote!(v.min_length(#json, value, #n);));
            }
        }
        Ty::Number { limits, .. } => {
            if let Some(b) = &limits.minimum {
                let b = b.to_string();
                let e = limits.exclusive_minimum;
                out.push(quote!(v.minimum_decimal(#json, value, #b, #e);));
            }
            if let Some(b) = &limits.maximum {
                let b = b.to_string();
                let e = limits.exclusive_maximum;
                out.push(quote!(v.maximum_decimal(#json, value, #b, #e);));
            }
        }
        Ty::Integer { limits, .. } => {
            let as_i64 = match int_ty {
                "i64" | "" => quote!(*value),
                "u64" | "usize" => quote!(i64::try_from(*value).unwrap_or(i64::MAX)),
                _ => quote!(i64::from(*value)),
            };
            if let Some(b) = limits.minimum.as_ref().and_then(serde_json::Number::as_i64) {
                let e = limits.exclusive_minimum;
                out.push(quote!(v.minimum_int(#json, #as_i64, #b, #e);));
            }
            if let Some(b) = limits.maximum.as_ref().and_then(serde_json::Number::as_i64) {
                let e = limits.exclusive_maximum;
                out.push(quote!(v.maximum_int(#json, #as_i64, #b, #e);));
            }
        }
        Ty::Array { limits, .. } => {
            if let Some(n) = count(&limits.min_items) {
                out.push(quote!(v.min_items(#json, value.len(), #n);));
            }
            if let Some(n) = count(&limits.max_items) {
                out.push(quote!(v.max_items(#json, value.len(), #n);));
            }
        }
        _ => {}
    }
    out
}

/// The name of the `static` that holds an operation's entry of the table.
pub(crate) fn operation_static(op: &Operation) -> syn::Ident {
    format_ident!("{}", op.table_name())
}

/// The Rust field of a multipart part named `json`: snake case, with `_` after a keyword.
pub(crate) fn field_ident(json: &str) -> syn::Ident {
    let snake = json.to_snake_case();
    match syn::parse_str::<syn::Ident>(&snake) {
        Ok(i) => i,
        Err(_) => format_ident!("{}_", snake),
    }
}
