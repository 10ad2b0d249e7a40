//! Post-processing of progenitor's output, on the syntax tree.
//!
//! typify cannot put field-level serde attributes on a converted type, so money fields get their
//! exact-decimal serde here, and a `nullable` member that is not `required` becomes a
//! `payspec_runtime::Nullable` (absent, `null` or a value; `Schema::three_state`); open enums
//! (replaced types) are re-exported into `types`; and the struct layout (Rust field names, JSON
//! names, types) is collected for the emitters.
//!
//! Each operation method sends its request through the runtime with its own table entry
//! (`send_through_table`) instead of progenitor's hooks, and progenitor's `api-version`
//! header (the specs define none) is not built at all.

use std::collections::BTreeMap;

use quote::ToTokens;
use syn::visit_mut::VisitMut;
use syn::{Fields, Item, ItemMod, parse_quote};

use crate::{Error, model::Api as Model};

/// One field of a generated struct.
#[derive(Debug, Clone)]
pub struct Field {
    /// The Rust identifier.
    pub ident: syn::Ident,
    /// The JSON member name.
    pub json: String,
    /// The Rust type, as tokens text with spaces normalized.
    pub ty: String,
    /// Whether the field is an `Option`.
    pub optional: bool,
    /// Whether the field is a `payspec_runtime::Nullable` (a `nullable` member that is not
    /// `required`: absent, `null` or a value).
    pub nullable: bool,
    /// Whether the generated `new` takes it as an argument (required, with no serde default).
    pub in_new: bool,
}

/// Generated structs by type name.
pub type Structs = BTreeMap<String, Vec<Field>>;

/// One variant of a generated enum: its identifier and, for a newtype variant, the type text.
#[derive(Debug, Clone)]
pub struct Variant {
    /// The variant's identifier.
    pub ident: syn::Ident,
    /// The type a newtype variant holds, as normalized text.
    pub inner: Option<String>,
}

/// Generated enums by type name.
pub type Enums = BTreeMap<String, Vec<Variant>>;

/// Normalized text of a type.
pub fn type_text(ty: &syn::Type) -> String {
    ty.to_token_stream().to_string().replace(' ', "")
}

const DECIMAL: &str = "::rust_decimal::Decimal";
const OPT_DECIMAL: &str = "::std::option::Option<::rust_decimal::Decimal>";
const NULLABLE_DECIMAL: &str = "::payspec_runtime::Nullable<::rust_decimal::Decimal>";

fn types_mod(file: &mut syn::File) -> Option<&mut ItemMod> {
    file.items.iter_mut().find_map(|i| match i {
        Item::Mod(m) if m.ident == "types" => Some(m),
        _ => None,
    })
}

/// Rewrites progenitor's output in place and returns the struct and enum layout.
pub fn post_process(
    spec_path: &str,
    model: &Model,
    file: &mut syn::File,
) -> Result<(Structs, Enums), Error> {
    let types = types_mod(file)
        .ok_or_else(|| Error::spec(spec_path, "progenitor output has no `types` module"))?;
    let items = &mut types
        .content
        .as_mut()
        .expect("progenitor's types module is inline")
        .1;
    let mut structs = Structs::new();
    let mut enums = Enums::new();
    let mut constructors: Vec<(usize, Item)> = Vec::new();
    for (at, item) in items.iter_mut().enumerate() {
        if let Item::Enum(e) = item {
            e.attrs.push(parse_quote!(#[non_exhaustive]));
            let variants = e
                .variants
                .iter()
                .map(|v| Variant {
                    ident: v.ident.clone(),
                    inner: match &v.fields {
                        Fields::Unnamed(u) if u.unnamed.len() == 1 => {
                            Some(type_text(&u.unnamed[0].ty))
                        }
                        _ => None,
                    },
                })
                .collect();
            enums.insert(e.ident.to_string(), variants);
            continue;
        }
        let Item::Struct(s) = item else { continue };
        let Fields::Named(named) = &mut s.fields else {
            continue;
        };
        let schema = model.types.get(&s.ident.to_string());
        let mut fields = Vec::new();
        for f in named.named.iter_mut() {
            let ident = f.ident.clone().expect("named field");
            let json = serde_rename(&f.attrs).unwrap_or_else(|| ident.to_string());
            let optional = type_text(&f.ty).starts_with("::std::option::Option<");
            let nullable = optional && schema.is_some_and(|sc| sc.three_state(&json));
            if nullable {
                three_state(f, &json);
            }
            let ty = type_text(&f.ty);
            match ty.as_str() {
                DECIMAL => f
                    .attrs
                    .push(parse_quote!(#[serde(with = "::payspec_runtime::decimal::number")])),
                OPT_DECIMAL => {
                    // `with` turns off serde's "missing Option field is None": `default` restores it.
                    f.attrs.push(parse_quote!(#[serde(default, with = "::payspec_runtime::decimal::number_opt")]))
                }
                NULLABLE_DECIMAL => f.attrs.push(
                    parse_quote!(#[serde(with = "::payspec_runtime::decimal::number_nullable")]),
                ),
                other if other.contains("rust_decimal") => {
                    return Err(Error::spec(
                        spec_path,
                        format!(
                            "{}.{json}: a decimal inside {other} is not supported yet",
                            s.ident
                        ),
                    ));
                }
                _ => {}
            }
            let in_new = matches!(fill(f), Fill::Required);
            fields.push(Field {
                ident,
                json,
                ty,
                optional: optional && !nullable,
                nullable,
                in_new,
            });
        }
        s.attrs.push(parse_quote!(#[non_exhaustive]));
        constructors.push((at + 1, constructor(s)));
        structs.insert(s.ident.to_string(), fields);
    }
    for (at, item) in constructors.into_iter().rev() {
        items.insert(at, item);
    }
    if !model.open_enums.is_empty() {
        let names: Vec<syn::Ident> = model
            .open_enums
            .iter()
            .map(|e| syn::Ident::new(&e.name, proc_macro2::Span::call_site()))
            .collect();
        items.insert(0, parse_quote!(pub use crate::enums::{#(#names),*};));
    }
    if !model.unions.is_empty() {
        let names: Vec<syn::Ident> = model
            .unions
            .iter()
            .map(|u| syn::Ident::new(&u.name, proc_macro2::Span::call_site()))
            .collect();
        items.insert(0, parse_quote!(pub use crate::unions::{#(#names),*};));
    }
    ErrorArms.visit_file_mut(file);
    send_through_table(spec_path, model, file)?;
    Ok((structs, enums))
}

/// How a field is filled when a value is built with `new`: from an argument (required), from
/// serde's `default` (`Default::default()`), or from a named default function.
enum Fill {
    Required,
    Default,
    Function(syn::Path),
}

fn fill(f: &syn::Field) -> Fill {
    let text = type_text(&f.ty);
    let mut fill = if text.starts_with("::std::option::Option<")
        || text.starts_with("::payspec_runtime::Nullable<")
    {
        Fill::Default
    } else {
        Fill::Required
    };
    for a in f.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = a.parse_nested_meta(|meta| {
            if meta.path.is_ident("default") {
                if meta.input.peek(syn::Token![=]) {
                    let lit: syn::LitStr = meta.value()?.parse()?;
                    if let Ok(path) = lit.parse::<syn::Path>() {
                        fill = Fill::Function(path);
                    }
                } else if matches!(fill, Fill::Required) {
                    fill = Fill::Default;
                }
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    fill
}

/// Turns typify's `Option<T>` field for a three-state member into a `Nullable<T>` that is
/// skipped when absent and written as `null` when null (its `rename`, if any, kept).
fn three_state(f: &mut syn::Field, json: &str) {
    let inner = set_type(&f.ty).0.clone();
    f.ty = parse_quote!(::payspec_runtime::Nullable<#inner>);
    let renamed = serde_rename(&f.attrs).is_some();
    f.attrs.retain(|a| !a.path().is_ident("serde"));
    f.attrs.push(if renamed {
        parse_quote!(#[serde(rename = #json, default, skip_serializing_if = "::payspec_runtime::Nullable::is_absent")])
    } else {
        parse_quote!(#[serde(default, skip_serializing_if = "::payspec_runtime::Nullable::is_absent")])
    });
}

/// How a setter stores its value: as it is, in `Some`, or in `Nullable::Value`.
#[derive(Clone, Copy, PartialEq)]
enum Wrap {
    None,
    Option,
    Nullable,
}

/// The element type of an `Option<T>` or `Nullable<T>` field (and which it is), or the field's
/// own type.
fn set_type(ty: &syn::Type) -> (&syn::Type, Wrap) {
    if let syn::Type::Path(p) = ty
        && let Some(last) = p.path.segments.last()
        && let syn::PathArguments::AngleBracketed(args) = &last.arguments
        && let Some(syn::GenericArgument::Type(inner)) = args.args.first()
    {
        if last.ident == "Option" {
            return (inner, Wrap::Option);
        }
        if last.ident == "Nullable" {
            return (inner, Wrap::Nullable);
        }
    }
    (ty, Wrap::None)
}

/// `new(required…)` and one `with_<field>` setter per field for a generated struct, which is
/// `#[non_exhaustive]`: so a member the spec adds later is not a breaking change for code that
/// builds the value. The setters carry the field's own documentation.
fn constructor(s: &syn::ItemStruct) -> Item {
    let name = &s.ident;
    let Fields::Named(named) = &s.fields else {
        unreachable!("called for named fields only")
    };
    let mut params = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    let mut required = Vec::new();
    for f in &named.named {
        let ident = f.ident.clone().expect("named field");
        let ty = &f.ty;
        match fill(f) {
            Fill::Required => {
                params.push(quote::quote!(#ident: impl ::std::convert::Into<#ty>));
                inits.push(quote::quote!(#ident: #ident.into()));
                required.push(format!("`{ident}`"));
            }
            Fill::Default => inits.push(quote::quote!(#ident: ::std::default::Default::default())),
            Fill::Function(path) => inits.push(quote::quote!(#ident: #path())),
        }
        let docs = f.attrs.iter().filter(|a| a.path().is_ident("doc"));
        setters.push(setter(&ident, ty, quote::quote!(#(#docs)*)));
    }
    let new_doc = if required.is_empty() {
        format!(
            "A `{name}` with every member unset (or at its default); set them with the `with_` methods."
        )
    } else {
        format!(
            "A `{name}` with its required members ({}); set the others with the `with_` methods.",
            required.join(", ")
        )
    };
    parse_quote! {
        impl #name {
            #[doc = #new_doc]
            pub fn new(#(#params),*) -> Self {
                #name { #(#inits),* }
            }
            #(#setters)*
        }
    }
}

/// The name of field `field`'s setter: `with_` and the field's name (`with_type` for `r#type`).
/// Generated setters and the docs' examples that call them both use it.
pub(crate) fn setter_name(field: &syn::Ident) -> String {
    format!("with_{}", field.to_string().trim_start_matches("r#"))
}

/// The name of a `Nullable` field's explicit-null setter: `with_<field>_null` (`with_type_null`
/// for `type_`).
pub(crate) fn null_setter_name(field: &syn::Ident) -> String {
    format!("{}_null", setter_name(field).trim_end_matches('_'))
}

/// `with_<field>(value)`: sets the field (wrapped in `Some` for an `Option`, in
/// `Nullable::Value` for a `Nullable`) and returns the value, with the field's documentation
/// (`docs`: its `#[doc]` attributes). A `Nullable` field also gets `with_<field>_null()`, which
/// sends an explicit `null`.
pub(crate) fn setter(
    ident: &syn::Ident,
    ty: &syn::Type,
    docs: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let name = quote::format_ident!("{}", setter_name(ident));
    let (inner, wrap) = set_type(ty);
    let value = match wrap {
        Wrap::None => quote::quote!(value.into()),
        Wrap::Option => quote::quote!(::std::option::Option::Some(value.into())),
        Wrap::Nullable => quote::quote!(::payspec_runtime::Nullable::Value(value.into())),
    };
    let set_doc = format!("Sets `{ident}`.");
    let null = (wrap == Wrap::Nullable).then(|| {
        let null_name = quote::format_ident!("{}", null_setter_name(ident));
        let null_doc = format!(
            "Sets `{ident}` to an explicit `null` (sent as `null`, unlike a member never set, \
             which is left out): where the API reads `null` as \"clear this\", this clears it."
        );
        quote::quote! {
            #[doc = #null_doc]
            #[must_use]
            pub fn #null_name(mut self) -> Self {
                self.#ident = ::payspec_runtime::Nullable::Null;
                self
            }
        }
    });
    quote::quote! {
        #[doc = #set_doc]
        #[doc = ""]
        #docs
        #[must_use]
        pub fn #name(mut self, value: impl ::std::convert::Into<#inner>) -> Self {
            self.#ident = #value;
            self
        }
        #null
    }
}

/// The `rename = "..."` of a field's (or variant's) serde attributes.
pub fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    let mut found = None;
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = a.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                found = Some(lit.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    found
}

/// Replaces progenitor's reading of a documented error body,
/// `Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))`, which loses the
/// status when the body does not parse, with [`payspec_runtime::progenitor_error_response`]; and
/// its `ResponseValue::empty(response)` for an error status without a documented body, which
/// drops the body, with `UnexpectedResponse(response)` (status, headers and raw body kept).
/// (Success arms are [`SuccessWithMetadata`]'s.)
struct ErrorArms;

impl VisitMut for ErrorArms {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if let syn::Expr::Call(call) = e
            && call.func.to_token_stream().to_string() == "Err"
            && call.to_token_stream().to_string().replace(' ', "")
                == "Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))"
        {
            *e = parse_quote!(Err(
                payspec_runtime::progenitor_error_response(response).await
            ));
            return;
        }
        // An error status without a documented body: keep status, headers and raw body.
        if let syn::Expr::Call(call) = e
            && call.func.to_token_stream().to_string() == "Err"
            && call.to_token_stream().to_string().replace(' ', "")
                == "Err(Error::ErrorResponse(ResponseValue::empty(response)))"
        {
            *e = parse_quote!(Err(Error::UnexpectedResponse(response)));
            return;
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
}

/// Rewrites every operation method of progenitor's `Client` so that it sends its request with
/// `self.inner.send(&crate::client::ops::OPERATION, &self.client, request)`: the runtime puts
/// in the operation's credentials and retries only what the operation's entry says is safe.
/// This replaces progenitor's five statements around its hooks
/// (`let info = OperationInfo { .. }`, `self.pre(..)`, `self.exec(..)`, `self.post(..)`,
/// `let response = result?`), so the operation is passed in, never looked up by its id.
///
/// Also drops the `api-version` header progenitor builds from `info.version` (the specs define
/// no such header): the `append` statement goes and the header map's capacity shrinks by one.
///
/// A method that does not have exactly that shape is an error: a progenitor upgrade that
/// changes it must be looked at, not passed through.
fn send_through_table(spec_path: &str, model: &Model, file: &mut syn::File) -> Result<(), Error> {
    let tables: BTreeMap<String, syn::Ident> = model
        .operations
        .iter()
        .map(|op| {
            (
                op.rust_name(),
                syn::Ident::new(&op.table_name(), proc_macro2::Span::call_site()),
            )
        })
        .collect();
    let mut rewritten = 0;
    for item in file.items.iter_mut() {
        match item {
            Item::Use(u) => drop_operation_info(&mut u.tree),
            Item::Impl(imp)
                if imp.trait_.is_none()
                    && imp.self_ty.to_token_stream().to_string() == "Client" =>
            {
                let mut items = Vec::with_capacity(imp.items.len() * 2);
                for item in std::mem::take(&mut imp.items) {
                    let syn::ImplItem::Fn(mut f) = item else {
                        items.push(item);
                        continue;
                    };
                    if f.sig.asyncness.is_none() {
                        items.push(syn::ImplItem::Fn(f));
                        continue;
                    }
                    let plain = forwarding_method(&f);
                    rewrite_method(spec_path, &tables, &mut f)?;
                    items.push(syn::ImplItem::Fn(plain));
                    items.push(syn::ImplItem::Fn(f));
                    rewritten += 1;
                }
                imp.items = items;
            }
            _ => {}
        }
    }
    // progenitor writes no method for an operation whose only body is multipart.
    let expected = model
        .operations
        .iter()
        .filter(|op| op.body.is_some() || op.multipart.is_none())
        .count();
    if rewritten != expected {
        return Err(Error::spec(
            spec_path,
            format!("progenitor's client has {rewritten} operation methods, the spec {expected}"),
        ));
    }
    Ok(())
}

/// The name of the method that [`rewrite_method`] makes of progenitor's method `name`: it takes
/// the call's options after `&self`.
pub(crate) fn with_options_name(name: &str) -> String {
    format!("{name}_with_options")
}

/// progenitor's method `f` as it was declared (name, docs, arguments), calling the rewritten
/// method with no per-call options: the low-level client's own API is unchanged.
fn forwarding_method(f: &syn::ImplItemFn) -> syn::ImplItemFn {
    let mut plain = f.clone();
    let with = syn::Ident::new(
        &with_options_name(&f.sig.ident.to_string()),
        proc_macro2::Span::call_site(),
    );
    let mut args = Vec::new();
    for input in f.sig.inputs.iter().skip(1) {
        let syn::FnArg::Typed(t) = input else {
            continue;
        };
        let syn::Pat::Ident(name) = &*t.pat else {
            continue;
        };
        args.push(name.ident.clone());
    }
    plain.block = parse_quote!({
        self.#with(&payspec_runtime::CallOptions::new(), #(#args),*)
            .await
            .map(payspec_runtime::Response::into_progenitor)
    });
    plain
}

/// Removes `OperationInfo` from progenitor's `use progenitor_client::{..}`: after
/// [`send_through_table`] nothing uses it.
fn drop_operation_info(tree: &mut syn::UseTree) {
    match tree {
        syn::UseTree::Path(p) => drop_operation_info(&mut p.tree),
        syn::UseTree::Group(g) => {
            g.items = std::mem::take(&mut g.items)
                .into_iter()
                .filter(|t| !matches!(t, syn::UseTree::Name(n) if n.ident == "OperationInfo"))
                .collect();
        }
        _ => {}
    }
}

fn rewrite_method(
    spec_path: &str,
    tables: &BTreeMap<String, syn::Ident>,
    f: &mut syn::ImplItemFn,
) -> Result<(), Error> {
    let name = f.sig.ident.to_string();
    let shape_error = |what: &str| {
        Error::spec(
            spec_path,
            format!("progenitor's method {name} does not have the expected shape: {what}"),
        )
    };
    let stmts = &mut f.block.stmts;
    let text = |s: &syn::Stmt| s.to_token_stream().to_string().replace(' ', "");
    let Some(at) = stmts
        .iter()
        .position(|s| text(s).starts_with("letinfo=OperationInfo{"))
    else {
        return Err(shape_error("no `let info = OperationInfo { .. }`"));
    };
    let expected = [
        "self.pre(&mutrequest,&info).await?;",
        "letresult=self.exec(request,&info).await;",
        "self.post(&result,&info).await?;",
        "letresponse=result?;",
    ];
    let found: Vec<String> = stmts[at + 1..]
        .iter()
        .take(expected.len())
        .map(text)
        .collect();
    if found != expected {
        return Err(shape_error(&format!("after OperationInfo: {found:?}")));
    }
    let table = tables
        .get(&name)
        .ok_or_else(|| shape_error("no operation of the spec has this name"))?;
    let send: syn::Stmt = parse_quote! {
        let response = self
            .inner
            .send(&crate::client::ops::#table, &self.client, request, options)
            .await?;
    };
    stmts.splice(at..at + 1 + expected.len(), [send]);
    // Success bodies come back with the response's metadata (`payspec_runtime::Response`).
    let mut success = SuccessWithMetadata {
        table: table.clone(),
        found: false,
    };
    for s in stmts.iter_mut() {
        success.visit_stmt_mut(s);
    }
    success.visit_return_type_mut(&mut f.sig.output);
    if !success.found {
        return Err(shape_error("no success arm"));
    }
    // The method the typed client calls: hidden, named apart, taking the call's options.
    f.attrs.retain(|a| !a.path().is_ident("doc"));
    f.attrs.push(parse_quote!(#[doc(hidden)]));
    f.sig.ident = syn::Ident::new(&with_options_name(&name), f.sig.ident.span());
    f.sig
        .inputs
        .insert(1, parse_quote!(options: &'a payspec_runtime::CallOptions));

    // progenitor's `api-version` header: the append goes, the map's capacity shrinks by one.
    let Some(append) = stmts.iter().position(|s| {
        text(s).starts_with("header_map.append(") && text(s).contains("\"api-version\"")
    }) else {
        return Err(shape_error("no api-version header"));
    };
    stmts.remove(append);
    let mut shrunk = false;
    for s in stmts.iter_mut() {
        if let syn::Stmt::Local(local) = s
            && local.pat.to_token_stream().to_string().replace(' ', "") == "mutheader_map"
            && let Some(init) = &mut local.init
            && let syn::Expr::Call(call) = &mut *init.expr
            && call.func.to_token_stream().to_string().replace(' ', "")
                == "::reqwest::header::HeaderMap::with_capacity"
            && let Some(syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(n),
                ..
            })) = call.args.first_mut()
        {
            let capacity: usize = n
                .base10_parse()
                .map_err(|_| shape_error("header map capacity"))?;
            let less = capacity.saturating_sub(1);
            *n = syn::LitInt::new(&format!("{less}usize"), n.span());
            shrunk = true;
        }
    }
    if !shrunk {
        return Err(shape_error(
            "no `let mut header_map = HeaderMap::with_capacity(n)`",
        ));
    }
    // No other header: no map at all, and no `.headers(header_map)` on the request.
    if !stmts.iter().any(|s| text(s).starts_with("header_map.")) {
        stmts.retain(|s| !text(s).starts_with("letmutheader_map="));
        let mut unused = DropHeaderMap(false);
        for s in stmts.iter_mut() {
            unused.visit_stmt_mut(s);
        }
        if !unused.0 {
            return Err(shape_error("no `.headers(header_map)` on the request"));
        }
    }
    Ok(())
}

/// In the method that takes a call's options: a success arm's `ResponseValue` becomes a
/// `payspec_runtime::Response` with the response's metadata (the operation's request id
/// header, the call's idempotency key), and so does the return type. A documented JSON body
/// is read by `payspec_runtime::progenitor_response` in place of progenitor's
/// `ResponseValue::from_response` (the same errors, the headers moved rather than copied).
/// `found` says whether a success arm was seen.
struct SuccessWithMetadata {
    table: syn::Ident,
    found: bool,
}

impl VisitMut for SuccessWithMetadata {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        let table = &self.table;
        let text = e.to_token_stream().to_string().replace(' ', "");
        if text == "ResponseValue::from_response(response).await" {
            *e = parse_quote!(
                payspec_runtime::progenitor_response(
                    response,
                    crate::client::ops::#table.request_id_header,
                    options,
                )
                    .await
            );
            self.found = true;
            return;
        }
        if text == "Ok(ResponseValue::empty(response))" {
            *e = parse_quote!(Ok(payspec_runtime::Response::<()>::empty(
                response,
                crate::client::ops::#table.request_id_header,
                options
            )));
            self.found = true;
            return;
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }

    fn visit_type_path_mut(&mut self, t: &mut syn::TypePath) {
        if t.qself.is_none()
            && t.path.segments.len() == 1
            && t.path.segments[0].ident == "ResponseValue"
        {
            let args = t.path.segments[0].arguments.clone();
            *t = parse_quote!(payspec_runtime::Response #args);
        }
        syn::visit_mut::visit_type_path_mut(self, t);
    }
}

/// Replaces `receiver.headers(header_map)` with `receiver`; `.0` says whether it did.
struct DropHeaderMap(bool);

impl VisitMut for DropHeaderMap {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if let syn::Expr::MethodCall(call) = e
            && call.method == "headers"
            && call.args.len() == 1
            && call.args[0].to_token_stream().to_string() == "header_map"
        {
            *e = (*call.receiver).clone();
            self.0 = true;
            self.visit_expr_mut(e);
            return;
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
}
