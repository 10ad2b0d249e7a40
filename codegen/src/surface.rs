//! A compact, reviewable summary of a generated crate's public surface, read back from the
//! generated sources: the operations of `Client` with their request and response types, every
//! type with its fields (JSON name and Rust type), enums with their wire values, webhooks.
//!
//! Snapshot tests store this text, so a spec edit shows up as a short diff.

use std::fmt::Write as _;

use quote::ToTokens;
use syn::{Fields, ImplItem, Item, Visibility};

use crate::ast::serde_rename;
use crate::{Error, GeneratedCrate};

fn simplify(t: &str) -> String {
    let mut s = t
        .replace(' ', "")
        .replace("impl::std::convert::Into<", "impl Into<")
        .replace("implInto<", "impl Into<");
    // What a call does to send itself (`impl Start<..>`) is the same for every operation.
    if let Some(at) = s.find(",implpayspec_runtime::call::Start<") {
        let mut depth = 0;
        for (i, c) in s[at..].char_indices() {
            match c {
                '<' => depth += 1,
                '>' if depth == 1 => {
                    s.replace_range(at..at + i + 1, "");
                    break;
                }
                '>' => depth -= 1,
                _ => {}
            }
        }
    }
    for prefix in [
        "::std::option::",
        "::std::vec::",
        "::std::string::",
        "::std::collections::",
        "::rust_decimal::",
        "::payspec_runtime::",
        "payspec_runtime::",
        "::serde_json::",
        "crate::enums::",
        "crate::contracts::",
        "crate::unions::",
        "crate::multipart::",
        "types::",
    ] {
        s = s.replace(prefix, "");
    }
    // Lifetimes say how long a call borrows its arguments: the same for every operation.
    s = s
        .replace("<'a>", "")
        .replace("&'a", "&")
        .replace("<'a,", "<")
        .replace("<'_,", "<");
    s.replace(',', ", ").replace(", >", ">")
}

/// ` #[non_exhaustive]` when the item has that attribute.
fn non_exhaustive(attrs: &[syn::Attribute]) -> &'static str {
    if attrs.iter().any(|a| a.path().is_ident("non_exhaustive")) {
        " #[non_exhaustive]"
    } else {
        ""
    }
}

/// `, new(arg: Type, ..)` for a struct `name` with an inherent `new` among `items`.
fn constructor(items: &[Item], name: &syn::Ident) -> String {
    items
        .iter()
        .find_map(|i| match i {
            Item::Impl(imp)
                if imp.trait_.is_none() && *name == imp.self_ty.to_token_stream().to_string() =>
            {
                imp.items.iter().find_map(|ii| match ii {
                    ImplItem::Fn(f) if f.sig.ident == "new" => {
                        let args: Vec<String> = f
                            .sig
                            .inputs
                            .iter()
                            .filter_map(|a| match a {
                                syn::FnArg::Typed(t) => Some(format!(
                                    "{}: {}",
                                    t.pat.to_token_stream(),
                                    simplify(&t.ty.to_token_stream().to_string())
                                )),
                                syn::FnArg::Receiver(_) => None,
                            })
                            .collect();
                        Some(format!(", new({})", args.join(", ")))
                    }
                    _ => None,
                })
            }
            _ => None,
        })
        .unwrap_or_default()
}

/// ` (read-only)` for a field the user cannot set.
fn read_only(f: &syn::Field) -> &'static str {
    if matches!(f.vis, Visibility::Public(_)) {
        ""
    } else {
        " (read-only: filled by the client)"
    }
}

fn parse(krate: &GeneratedCrate, path: &str) -> Result<Option<syn::File>, Error> {
    match krate.files.get(path) {
        None => Ok(None),
        Some(text) => syn::parse_file(text)
            .map(Some)
            .map_err(|e| Error::spec(&krate.package, format!("{path} does not parse: {e}"))),
    }
}

/// The summary text of a generated crate.
pub fn summary(krate: &GeneratedCrate) -> Result<String, Error> {
    let mut out = String::new();
    let _ = writeln!(out, "crate {}", krate.package);
    let _ = writeln!(
        out,
        "files: {}",
        krate.files.keys().cloned().collect::<Vec<_>>().join(", ")
    );

    if let Some(client) = parse(krate, "src/client.rs")? {
        let _ = writeln!(out, "\nservers:");
        for item in &client.items {
            if let Item::Impl(imp) = item {
                let self_ty = imp.self_ty.to_token_stream().to_string();
                if self_ty == "Server" {
                    for ii in &imp.items {
                        if let ImplItem::Fn(f) = ii
                            && f.sig.ident == "url"
                        {
                            let body = f.block.to_token_stream().to_string();
                            for arm in body.split("Server ::").skip(1) {
                                let arm =
                                    arm.split(',').next().unwrap_or_default().replace(' ', "");
                                let _ = writeln!(out, "  {}", arm.replace("=>", " = "));
                            }
                        }
                    }
                }
            }
        }
        let _ = writeln!(out, "\noperations:");
        for item in &client.items {
            let Item::Impl(imp) = item else { continue };
            if imp.self_ty.to_token_stream().to_string() != "Client" {
                continue;
            }
            for ii in &imp.items {
                let ImplItem::Fn(f) = ii else { continue };
                // Operations: methods that return a `Call`, and the `_stream` methods.
                let is_stream = f.sig.ident.to_string().contains("_stream");
                let is_call = match &f.sig.output {
                    syn::ReturnType::Type(_, t) => {
                        simplify(&t.to_token_stream().to_string()).starts_with("Call<")
                    }
                    syn::ReturnType::Default => false,
                };
                if !matches!(f.vis, Visibility::Public(_)) || !(is_call || is_stream) {
                    continue;
                }
                let args: Vec<String> = f
                    .sig
                    .inputs
                    .iter()
                    .skip(1)
                    .map(|a| simplify(&a.to_token_stream().to_string()).replacen(':', ": ", 1))
                    .collect();
                let ret = match &f.sig.output {
                    syn::ReturnType::Default => "()".to_string(),
                    syn::ReturnType::Type(_, t) => simplify(&t.to_token_stream().to_string()),
                };
                let _ = writeln!(out, "  {}({}) -> {}", f.sig.ident, args.join(", "), ret);
            }
        }
    }

    if let Some(raw) = parse(krate, "src/raw.rs")? {
        let types = raw.items.iter().find_map(|i| match i {
            Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|c| &c.1),
            _ => None,
        });
        let _ = writeln!(out, "\ntypes:");
        for item in types.into_iter().flatten() {
            match item {
                Item::Struct(s) => match &s.fields {
                    Fields::Named(named) => {
                        let _ = writeln!(
                            out,
                            "  struct {}{}{}",
                            s.ident,
                            non_exhaustive(&s.attrs),
                            constructor(types.map(Vec::as_slice).unwrap_or_default(), &s.ident)
                        );
                        for f in &named.named {
                            let id = f.ident.as_ref().map(|i| i.to_string()).unwrap_or_default();
                            let json = serde_rename(&f.attrs).unwrap_or_else(|| id.clone());
                            let ty = simplify(&f.ty.to_token_stream().to_string());
                            let _ = writeln!(out, "    {id} ({json:?}): {ty}");
                        }
                    }
                    Fields::Unnamed(u) => {
                        let inner: Vec<String> = u
                            .unnamed
                            .iter()
                            .map(|f| simplify(&f.ty.to_token_stream().to_string()))
                            .collect();
                        let _ = writeln!(out, "  newtype {}({})", s.ident, inner.join(", "));
                    }
                    Fields::Unit => {
                        let _ = writeln!(out, "  unit {}", s.ident);
                    }
                },
                Item::Enum(e) => {
                    let _ = writeln!(out, "  enum {}{}", e.ident, non_exhaustive(&e.attrs));
                    for v in &e.variants {
                        let wire = serde_rename(&v.attrs).unwrap_or_else(|| v.ident.to_string());
                        let _ = writeln!(out, "    {} = {wire:?}", v.ident);
                    }
                }
                Item::Type(t) => {
                    let _ = writeln!(
                        out,
                        "  type {} = {}",
                        t.ident,
                        simplify(&t.ty.to_token_stream().to_string())
                    );
                }
                _ => {}
            }
        }
    }

    if let Some(enums) = parse(krate, "src/enums.rs")? {
        let _ = writeln!(out, "\nopen enums (unknown values kept as Unknown):");
        for item in &enums.items {
            let Item::Enum(e) = item else { continue };
            let _ = writeln!(out, "  enum {}{}", e.ident, non_exhaustive(&e.attrs));
            // The wire values, from `known_values()` of the enum's inherent impl.
            let known = enums.items.iter().find_map(|i| match i {
                Item::Impl(imp)
                    if imp.trait_.is_none()
                        && e.ident == imp.self_ty.to_token_stream().to_string() =>
                {
                    imp.items.iter().find_map(|f| match f {
                        syn::ImplItem::Fn(f) if f.sig.ident == "known_values" => {
                            Some(f.block.to_token_stream().to_string())
                        }
                        _ => None,
                    })
                }
                _ => None,
            });
            for value in known.unwrap_or_default().split('"').skip(1).step_by(2) {
                let _ = writeln!(out, "    \"{value}\"");
            }
        }
    }

    if let Some(unions) = parse(krate, "src/unions.rs")? {
        let _ = writeln!(out, "\ntagged unions:");
        for item in &unions.items {
            let Item::Enum(e) = item else { continue };
            let tag = e
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("serde"))
                .map(|a| a.to_token_stream().to_string())
                .next()
                .unwrap_or_default();
            let _ = writeln!(out, "  enum {} {}", e.ident, tag.replace(' ', ""));
            for v in &e.variants {
                let wire = serde_rename(&v.attrs).unwrap_or_default();
                let inner = match &v.fields {
                    Fields::Unnamed(u) => u
                        .unnamed
                        .iter()
                        .map(|f| simplify(&f.ty.to_token_stream().to_string()))
                        .collect::<Vec<_>>()
                        .join(", "),
                    _ => String::new(),
                };
                let _ = writeln!(out, "    {}({inner}) = {wire:?}", v.ident);
            }
        }
    }

    if let Some(forms) = parse(krate, "src/multipart.rs")? {
        let _ = writeln!(out, "\nmultipart forms:");
        for item in &forms.items {
            let Item::Struct(st) = item else { continue };
            let _ = writeln!(
                out,
                "  struct {}{}{}",
                st.ident,
                non_exhaustive(&st.attrs),
                constructor(&forms.items, &st.ident)
            );
            for f in &st.fields {
                let id = f.ident.as_ref().map(|i| i.to_string()).unwrap_or_default();
                let ty = simplify(&f.ty.to_token_stream().to_string());
                let _ = writeln!(out, "    {id}: {ty}");
            }
        }
    }

    // DataContract crates: one module per contract namespace.
    let contract_files: Vec<&String> = krate
        .files
        .keys()
        .filter(|p| p.starts_with("src/contracts/") && !p.ends_with("/mod.rs"))
        .collect();
    for path in contract_files {
        let Some(file) = parse(krate, path)? else {
            continue;
        };
        let _ = writeln!(
            out,
            "
{path}:"
        );
        for item in &file.items {
            match item {
                Item::Struct(st) => {
                    let _ = writeln!(
                        out,
                        "  struct {}{}{}",
                        st.ident,
                        non_exhaustive(&st.attrs),
                        constructor(&file.items, &st.ident)
                    );
                    for f in &st.fields {
                        let id = f.ident.as_ref().map(|i| i.to_string()).unwrap_or_default();
                        let ty = simplify(&f.ty.to_token_stream().to_string());
                        let wire = doc_line(&f.attrs, "Wire: ").unwrap_or_default();
                        let _ = writeln!(out, "    {id}: {ty}{}  // {wire}", read_only(f));
                    }
                }
                Item::Enum(e) => {
                    let _ = writeln!(out, "  enum {}{}", e.ident, non_exhaustive(&e.attrs));
                    for v in &e.variants {
                        let doc = doc_line(&v.attrs, "").unwrap_or_default();
                        let wire = doc
                            .rfind("(`")
                            .map(|i| doc[i..].trim_end_matches('.').to_string())
                            .unwrap_or_default();
                        let _ = writeln!(out, "    {} {wire}", v.ident);
                    }
                }
                _ => {}
            }
        }
    }

    if let Some(hooks) = parse(krate, "src/webhooks.rs")? {
        let _ = writeln!(out, "\nwebhooks:");
        for item in &hooks.items {
            let Item::Impl(imp) = item else { continue };
            let name = imp.self_ty.to_token_stream().to_string();
            for ii in &imp.items {
                match ii {
                    ImplItem::Const(c) => {
                        let _ =
                            writeln!(out, "  {name}::{} = {}", c.ident, c.expr.to_token_stream());
                    }
                    ImplItem::Fn(f) if matches!(f.vis, Visibility::Public(_)) => {
                        let ret = match &f.sig.output {
                            syn::ReturnType::Default => "()".to_string(),
                            syn::ReturnType::Type(_, t) => {
                                simplify(&t.to_token_stream().to_string())
                            }
                        };
                        let _ = writeln!(out, "  {name}::{} -> {ret}", f.sig.ident);
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(out)
}

/// The last doc line starting with `prefix`.
fn doc_line(attrs: &[syn::Attribute], prefix: &str) -> Option<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value().trim().to_string()),
                _ => None,
            },
            _ => None,
        })
        .rfind(|l| l.starts_with(prefix) && !l.is_empty())
}
