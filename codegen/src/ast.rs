//! Post-processing of progenitor's output, on the syntax tree.
//!
//! typify cannot put field-level serde attributes on a converted type, so money fields get their
//! exact-decimal serde here; open enums (replaced types) are re-exported into `types`; and the
//! struct layout (Rust field names, JSON names, types) is collected for the emitters.

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
    for item in items.iter_mut() {
        if let Item::Enum(e) = item {
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
        let mut fields = Vec::new();
        for f in named.named.iter_mut() {
            let ident = f.ident.clone().expect("named field");
            let ty = type_text(&f.ty);
            let json = serde_rename(&f.attrs).unwrap_or_else(|| ident.to_string());
            match ty.as_str() {
                DECIMAL => f
                    .attrs
                    .push(parse_quote!(#[serde(with = "::payspec_runtime::decimal::number")])),
                OPT_DECIMAL => {
                    // `with` turns off serde's "missing Option field is None": `default` restores it.
                    f.attrs.push(parse_quote!(#[serde(default, with = "::payspec_runtime::decimal::number_opt")]))
                }
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
            let optional = ty.starts_with("::std::option::Option<");
            fields.push(Field {
                ident,
                json,
                ty,
                optional,
            });
        }
        structs.insert(s.ident.to_string(), fields);
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
    Ok((structs, enums))
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
