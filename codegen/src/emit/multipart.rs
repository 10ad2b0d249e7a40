//! `src/multipart.rs` and the methods that send `multipart/form-data` bodies.

use super::common::*;
use crate::Error;
use crate::model::{Operation, ParamLocation, Ty};
use heck::ToSnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// How one multipart property is typed and sent.
pub(super) enum PartKind {
    Text,
    Integer,
    Decimal,
    Boolean,
    DateTime,
    File,
}

impl PartKind {
    fn of(ty: &Ty) -> Option<PartKind> {
        match ty {
            Ty::String { format, .. } => match format.as_deref() {
                Some("binary") => Some(PartKind::File),
                Some("date-time") => Some(PartKind::DateTime),
                None => Some(PartKind::Text),
                Some(_) => None,
            },
            Ty::Integer { .. } => Some(PartKind::Integer),
            Ty::Number { format, .. } if format.as_deref() == Some("decimal") => {
                Some(PartKind::Decimal)
            }
            Ty::Boolean => Some(PartKind::Boolean),
            _ => None,
        }
    }

    fn rust(&self) -> TokenStream {
        match self {
            PartKind::Text => quote!(String),
            PartKind::Integer => quote!(i64),
            PartKind::Decimal => quote!(rust_decimal::Decimal),
            PartKind::Boolean => quote!(bool),
            PartKind::DateTime => quote!(payspec_runtime::DateTime),
            PartKind::File => quote!(payspec_runtime::FilePart),
        }
    }
}

/// `src/multipart.rs`: a struct per multipart body schema, its validation and its encoding.
pub(crate) fn multipart_rs(ctx: &Context) -> Result<TokenStream, Error> {
    let mut items = Vec::new();
    for name in &ctx.model.multipart_schemas {
        let err = |m: String| Error::spec(ctx.spec_path, format!("schema {name}: {m}"));
        let s = ctx
            .model
            .types
            .get(name)
            .ok_or_else(|| err("not found".into()))?;
        let Some(object) = &s.object else {
            return Err(err(
                "a multipart body must be an object with properties".into()
            ));
        };
        let mut fields = Vec::new();
        let mut new_args = Vec::new();
        let mut new_inits = Vec::new();
        let mut encode = Vec::new();
        let mut encode_files = Vec::new();
        let mut checks = Vec::new();
        let mut new_doc_args = Vec::new();
        let mut setters = Vec::new();
        for property in &object.properties {
            let json = &property.name;
            let fi = field_ident(json);
            let is_required = s.required.contains(json);
            let (is_array, item) = match &property.ty {
                Ty::Array { items, .. } => (true, items.as_ref()),
                other => (false, other),
            };
            let kind = PartKind::of(item).ok_or_else(|| {
                err(format!(
                    "property {json}: multipart parts must be strings, integers, decimals, booleans, date-times, files (format: binary) or arrays of those"
                ))
            })?;
            if is_array && matches!(kind, PartKind::File) {
                return Err(err(format!(
                    "property {json}: arrays of files are not supported"
                )));
            }
            let ty = kind.rust();
            let mut text = property.description.trim().to_string();
            let limits = property
                .ty
                .limits()
                .map(|l| l.describe())
                .unwrap_or_default();
            let max_bytes = if matches!(kind, PartKind::File) {
                property
                    .ty
                    .limits()
                    .and_then(|l| l.max_length.as_ref())
                    .and_then(serde_json::Number::as_u64)
            } else {
                None
            };
            let limits = match (max_bytes, limits.is_empty()) {
                (Some(n), _) => format!("at most {n} bytes"),
                (None, false) => limits,
                (None, true) => String::new(),
            };
            if !limits.is_empty() {
                text.push_str(&format!("\n\nLimits (checked before sending): {limits}."));
            }
            if is_array {
                text.push_str("\n\nSent as one part per item, all named `");
                text.push_str(json);
                text.push_str("`; an empty list sends no part.");
            }
            let d = doc(&text);
            let to_text = match kind {
                PartKind::Text => quote!(value),
                PartKind::Boolean => quote!(if value { "true" } else { "false" }),
                _ => quote!(value.to_string()),
            };
            let max = match max_bytes {
                Some(n) => quote!(Some(#n)),
                None => quote!(None),
            };
            let checked = matches!(kind, PartKind::Text | PartKind::Integer | PartKind::Decimal);
            let rules = if matches!(kind, PartKind::File) {
                vec![quote!(value.validate_into(v, #json, #max);)]
            } else {
                let int_ty = if matches!(kind, PartKind::Integer) {
                    "i64"
                } else {
                    ""
                };
                let mut r = if checked {
                    scalar_checks(item, json, int_ty)
                } else {
                    Vec::new()
                };
                if matches!(kind, PartKind::Text) && !r.is_empty() {
                    r.insert(0, quote!(let value = value.as_str();));
                }
                r
            };
            let field_ty = if is_array {
                quote!(Vec<#ty>)
            } else if is_required {
                ty.clone()
            } else {
                quote!(Option<#ty>)
            };
            let parsed: syn::Type =
                syn::parse2(field_ty).map_err(|e| err(format!("property {json}: {e}")))?;
            setters.push(crate::ast::setter(&fi, &parsed, d.clone()));
            if is_array {
                let array_rules = scalar_checks(&property.ty, json, "");
                fields.push(quote!(#d pub #fi: Vec<#ty>,));
                new_inits.push(quote!(#fi: Vec::new(),));
                encode.push(quote! {
                    for value in self.#fi {
                        form = form.text(#json, #to_text);
                    }
                });
                if !array_rules.is_empty() {
                    checks.push(quote! {
                        { let value = &self.#fi; #(#array_rules)* }
                    });
                }
                if !rules.is_empty() {
                    checks.push(quote! {
                        for (i, value) in self.#fi.iter().enumerate() {
                            v.field(#json, |v| v.index(i, |v| { let _ = i; #(#rules)* }));
                        }
                    });
                }
            } else if is_required {
                fields.push(quote!(#d pub #fi: #ty,));
                let arg_ty = match kind {
                    PartKind::Text => quote!(impl Into<String>),
                    _ => ty.clone(),
                };
                let conv = match kind {
                    PartKind::Text => quote!(#fi.into()),
                    _ => quote!(#fi),
                };
                new_args.push(quote!(#fi: #arg_ty));
                new_inits.push(quote!(#fi: #conv,));
                new_doc_args.push(format!("`{}`", fi));
                if matches!(kind, PartKind::File) {
                    encode_files.push(
                        quote!(form = form.part(#json, self.#fi.into_part(#json, #max).await?);),
                    );
                } else {
                    encode
                        .push(quote!({ let value = self.#fi; form = form.text(#json, #to_text); }));
                }
                if !rules.is_empty() {
                    checks.push(quote!({ let value = &self.#fi; #(#rules)* }));
                }
            } else {
                fields.push(quote!(#d pub #fi: Option<#ty>,));
                new_inits.push(quote!(#fi: None,));
                if matches!(kind, PartKind::File) {
                    encode_files.push(quote!(if let Some(value) = self.#fi { form = form.part(#json, value.into_part(#json, #max).await?); }));
                } else {
                    encode.push(quote!(if let Some(value) = self.#fi { form = form.text(#json, #to_text); }));
                }
                if !rules.is_empty() {
                    checks.push(quote!(if let Some(value) = &self.#fi { #(#rules)* }));
                }
            }
        }
        let t = ident(name);
        let mut text = s.description.trim().to_string();
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str("A `multipart/form-data` body: each field set is one part (the text parts in the order below, then the files); a field left `None` (or an empty list) sends no part.");
        let d = doc(&text);
        let new_d = doc(&if new_doc_args.is_empty() {
            "A form with every part absent.".to_string()
        } else {
            format!(
                "A form with the required parts ({}) and every other part absent.",
                new_doc_args.join(", ")
            )
        });
        let unused = checks.is_empty().then(|| quote!(let _ = v;));
        let derive_default = new_args.is_empty().then(|| quote!(Default,));
        items.push(quote! {
            #d
            #[derive(Debug, #derive_default)]
            #[non_exhaustive]
            pub struct #t {
                #(#fields)*
            }

            impl #t {
                #new_d
                pub fn new(#(#new_args),*) -> Self {
                    #t { #(#new_inits)* }
                }

                #(#setters)*

                /// The multipart form, files opened and measured (a file over its limit is an
                /// [`payspec_runtime::Error::Validation`]; nothing is sent).
                pub(crate) async fn into_form<E>(self) -> Result<reqwest::multipart::Form, payspec_runtime::Error<E>> {
                    let mut form = reqwest::multipart::Form::new();
                    #(#encode)*
                    #(#encode_files)*
                    Ok(form)
                }
            }

            impl payspec_runtime::Validate for #t {
                fn validate_into(&self, v: &mut payspec_runtime::Validator) {
                    #unused
                    #(#checks)*
                }
            }
        });
    }
    Ok(quote! {
        //! `multipart/form-data` request bodies, generated by payspec's codegen from the spec
        //! (progenitor cannot send them). Files come from bytes or are streamed from disk: see
        //! [`payspec_runtime::FilePart`].

        #(#items)*
    })
}

/// The method that sends an operation's `multipart/form-data` body.
pub(crate) fn multipart_method(ctx: &Context, op: &Operation) -> Result<TokenStream, Error> {
    let form = op.multipart.as_ref().expect("multipart operation");
    let err = |m: &str| Error::operation(ctx.spec_path, &op.id, m.to_string());
    if op.params.iter().any(|p| p.location != ParamLocation::Path) {
        return Err(err("multipart operations take path parameters only"));
    }
    if op.success.is_none() {
        return Err(err("a multipart operation needs a JSON success body"));
    }
    let name = format_ident!("{}", op.multipart_method_name());
    let st = operation_static(op);
    let err_ty = error_body_type(&op.error);
    let ok_ty = ok_type(op);
    let OpParams {
        mut args,
        names,
        mut checks,
        docs,
    } = op_params(ctx, op)?;
    let t = ident(form);
    args.push(quote!(body: crate::multipart::#t));
    checks.push(quote! { payspec_runtime::Validate::validate_into(&body, &mut v); });
    // The URL: the path with each `{name}` replaced by the encoded parameter.
    let mut fmt = String::from("{}");
    let mut fmt_args = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(open) = rest.find('{') {
        let close = rest[open..]
            .find('}')
            .map(|c| open + c)
            .ok_or_else(|| err("unbalanced braces in the path"))?;
        fmt.push_str(&rest[..open].replace('{', "{{").replace('}', "}}"));
        fmt.push_str("{}");
        let pn = format_ident!("{}", rest[open + 1..close].to_snake_case());
        if !names.contains(&pn) {
            return Err(err("a path template names an undeclared parameter"));
        }
        fmt_args.push(quote!(progenitor_client::encode_path(#pn)));
        rest = &rest[close + 1..];
    }
    fmt.push_str(rest);
    let method = format_ident!("{}", op.method.as_str().to_uppercase());
    let success: Vec<u16> = op.success_statuses.clone();
    let errors: Vec<u16> = op.error_statuses.clone();
    let extra = format!(
        "\n\nSends the body as `multipart/form-data` ([`crate::multipart::{form}`]); files are streamed, and a file over its size limit is refused before anything is sent."
    );
    let d = op_doc(
        op,
        &docs,
        &extra,
        &super::examples::multipart_example(ctx, op, form),
    );
    Ok(quote! {
        #d
        pub fn #name<'a>(&'a self, #(#args),*) -> payspec_runtime::Call<'a, #ok_ty, #err_ty, impl payspec_runtime::call::Start<'a, #ok_ty, #err_ty>> {
            payspec_runtime::Call::new(move |options| async move {
                let mut v = payspec_runtime::Validator::new();
                #(#checks)*
                v.finish().map_err(payspec_runtime::Error::Validation)?;
                let options = self.raw.inner().prepare(&ops::#st, options)?;
                let form = body.into_form().await?;
                let url = format!(#fmt, self.raw.baseurl(), #(#fmt_args),*);
                let request = self
                    .raw
                    .client()
                    .request(reqwest::Method::#method, url)
                    .header(reqwest::header::ACCEPT, "application/json")
                    .multipart(form)
                    .build()
                    .map_err(payspec_runtime::Error::from)?;
                let response = self
                    .raw
                    .inner()
                    .execute(&ops::#st, self.raw.client(), request, &options)
                    .await
                    .map_err(payspec_runtime::Error::from)?;
                payspec_runtime::multipart::decode_json(
                    response,
                    &[#(#success),*],
                    &[#(#errors),*],
                    &ops::#st,
                    &options,
                )
                .await
            })
        }
    })
}
