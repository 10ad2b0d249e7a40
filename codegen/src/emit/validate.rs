//! `src/validate.rs`: client-side validation of request bodies and parameters, from the
//! constraints and the `x-` rules of the spec.

use super::common::*;
use crate::Error;
use crate::ast::Field;
use crate::model::{Api as Model, Locator, Schema, Ty};
use proc_macro2::TokenStream;
use quote::quote;

pub(super) fn is_collection(ty: &str) -> bool {
    ty.starts_with("::std::vec::Vec<") || ty.starts_with("::std::collections::BTreeMap<")
}

/// Whether an optional member is set, as an expression on `self` (typify writes an optional
/// array or map as an empty collection when absent; a `null` is not set); `None` for a
/// required member.
pub(super) fn presence(f: &Field) -> Option<TokenStream> {
    let fi = &f.ident;
    if f.optional {
        Some(quote!(self.#fi.is_some()))
    } else if f.nullable {
        Some(quote!(self.#fi.is_value()))
    } else if is_collection(&f.ty) {
        Some(quote!(!self.#fi.is_empty()))
    } else {
        None
    }
}

pub(super) fn validate_rs(ctx: &Context) -> Result<TokenStream, Error> {
    let m = ctx.model;
    let mut impls = Vec::new();
    for name in &m.request_schemas {
        let Some(schema) = m.types.get(name) else {
            continue;
        };
        if m.multipart_schemas.contains(name) {
            continue;
        }
        if let Some(u) = m.unions.iter().find(|u| &u.name == name) {
            impls.push(super::unions::union_validate(u));
            continue;
        }
        let Some(object) = &schema.object else {
            if let Some(tokens) = super::validate::choice_validate(ctx, name, schema)? {
                impls.push(tokens);
            }
            continue;
        };
        let fields = ctx.structs.get(name).ok_or_else(|| {
            Error::spec(ctx.spec_path, format!("schema {name}: no generated struct"))
        })?;
        let field = |json: &str| -> Result<&Field, Error> {
            fields.iter().find(|f| f.json == json).ok_or_else(|| {
                Error::spec(ctx.spec_path, format!("schema {name}: no field for {json}"))
            })
        };
        let mut body = Vec::new();
        if let Some(names) = &object.exactly_one_of {
            let mut pairs = Vec::new();
            for n in names {
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
        if let Some(groups) = &object.required_groups {
            let mut group_tokens = Vec::new();
            for g in groups {
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
        for property in &object.properties {
            let json = &property.name;
            if m.is_union_tag(name, json) {
                continue;
            }
            let f = field(json)?;
            let fi = &f.ident;
            let mut checks = Vec::new();
            let target = match &property.ty {
                Ty::Ref(r) => m.types.get(r),
                _ => None,
            };
            let effective = target.map(|s| &s.ty).unwrap_or(&property.ty);
            let inner_ty =
                f.ty.trim_start_matches("::std::option::Option<")
                    .trim_end_matches('>');
            let sensitive = f.ty.contains("SecretString");
            if target.is_some_and(|s| super::validate::validatable(m, s)) {
                checks.push(
                    quote!(v.field(#json, |v| payspec_runtime::Validate::validate_into(value, v));),
                );
            } else {
                if sensitive {
                    let mut cs = scalar_checks(effective, json, inner_ty);
                    if !cs.is_empty() {
                        cs.insert(0, quote!(let value = value.expose();));
                    }
                    checks.extend(cs);
                } else {
                    checks.extend(scalar_checks(effective, json, inner_ty));
                }
                let item_validatable = effective
                    .items_ref()
                    .and_then(|r| m.types.get(r))
                    .is_some_and(|s| super::validate::validatable(m, s));
                if item_validatable {
                    checks.push(quote!(v.field(#json, |v| payspec_runtime::Validate::validate_into(value, v));));
                }
                if matches!(
                    effective,
                    Ty::Array {
                        uniform: Some(_),
                        ..
                    }
                ) {
                    checks.push(quote!(v.same_kind(#json, value.iter().map(|item| item.kind()));));
                }
            }
            if checks.is_empty() {
                continue;
            }
            let required = schema.required.contains(json);
            if f.optional {
                body.push(quote!(if let Some(value) = &self.#fi { #(#checks)* }));
            } else if f.nullable {
                body.push(quote!(if let payspec_runtime::Nullable::Value(value) = &self.#fi { #(#checks)* }));
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
                } else if f.nullable {
                    quote!(self.#fi.value().map(|m| m.to_string()))
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
        // The front end has checked that `code_enum` is an x-open-enum schema (check.rs).
        if let Some((code_enum, at)) = &ext.code {
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

/// Whether values of `s` carry constraints of their own (a `Validate` impl is generated for
/// them): objects, tagged unions, and choices with an object member.
pub(crate) fn validatable(m: &Model, s: &Schema) -> bool {
    s.object.is_some()
        || m.unions.iter().any(|u| u.name == s.name)
        || s.choice
            .iter()
            .any(|r| m.types.get(r).is_some_and(|c| c.object.is_some()))
}

/// `Validate` for an untagged choice with object members: the chosen member's rules.
pub(crate) fn choice_validate(
    ctx: &Context,
    name: &str,
    s: &Schema,
) -> Result<Option<TokenStream>, Error> {
    let objects: Vec<&str> = s
        .choice
        .iter()
        .map(String::as_str)
        .filter(|r| ctx.model.types.get(*r).is_some_and(|c| c.object.is_some()))
        .collect();
    if objects.is_empty() {
        return Ok(None);
    }
    let variants = ctx
        .enums
        .get(name)
        .ok_or_else(|| Error::spec(ctx.spec_path, format!("schema {name}: no generated enum")))?;
    let t = ident(name);
    let mut arms = Vec::new();
    for member in objects {
        let v = variants
            .iter()
            .find(|v| v.inner.as_deref() == Some(member))
            .ok_or_else(|| {
                Error::spec(
                    ctx.spec_path,
                    format!("schema {name}: no variant holds {member}"),
                )
            })?;
        let vi = &v.ident;
        arms.push(
            quote!(types::#t::#vi(value) => payspec_runtime::Validate::validate_into(value, v),),
        );
    }
    Ok(Some(quote! {
        impl payspec_runtime::Validate for types::#t {
            fn validate_into(&self, v: &mut payspec_runtime::Validator) {
                #[allow(unreachable_patterns, clippy::single_match)]
                match self {
                    #(#arms)*
                    _ => {}
                }
            }
        }
    }))
}
