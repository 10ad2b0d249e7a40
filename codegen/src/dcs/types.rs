//! Emits the Rust DataContract types: structs with Json.NET-style serde and
//! DataContractSerializer XML readers / writers, and open enums.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::model::{Class, Contracts, EnumType, MemberDef, TypeRef};

/// Rust module name of an area.
pub fn area_module(area: &str) -> String {
    heck::ToSnakeCase::to_snake_case(area)
}

/// An identifier, raw if it is a keyword.
pub fn ident(name: &str) -> Ident {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
        "mut", "pub", "ref", "return", "static", "struct", "super", "trait", "true", "type",
        "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "gen",
        "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
    ];
    if KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// The Rust field name of a member.
pub fn field_name(member: &str) -> Ident {
    ident(&heck::ToSnakeCase::to_snake_case(member))
}

/// Path of a class or enum type.
pub fn type_path(c: &Contracts, q: &(String, String)) -> TokenStream {
    let area = c
        .classes
        .get(q)
        .map(|k| k.area.clone())
        .or_else(|| c.enums.get(q).map(|e| e.area.clone()))
        .unwrap_or_default();
    let m = format_ident!("{}", area_module(&area));
    let n = ident(&q.1);
    quote!(crate::contracts::#m::#n)
}

/// `#[doc]` attributes, one per line of `doc`.
pub(crate) fn doc_attr(doc: &str) -> TokenStream {
    let lines: Vec<TokenStream> = doc
        .lines()
        .map(|l| {
            let l = format!(" {}", l.trim_end());
            quote!(#[doc = #l])
        })
        .collect();
    quote!(#(#lines)*)
}

/// Item type of a collection: (Rust item type, kind).
enum ListKind {
    Strings { sensitive: bool },
    Enums(TokenStream),
    Classes(TokenStream),
}

fn list_kind(c: &Contracts, m: &MemberDef) -> Result<ListKind, String> {
    let TypeRef::Array(q) = &m.ty else {
        return Err("not a collection".into());
    };
    let a = c.arrays.get(q).ok_or("unknown collection")?;
    match &a.item {
        TypeRef::String => {
            if !a.item_nillable {
                return Err("string collections must have nillable items".into());
            }
            if a.item_name != "string" || a.ns != ARRAYS_NS {
                return Err(
                    "string collections must be ArrayOfstring in the Arrays namespace".into(),
                );
            }
            Ok(ListKind::Strings {
                sensitive: m.sensitive,
            })
        }
        TypeRef::Enum(e) => {
            if a.item_nillable {
                return Err("enum collections must not have nillable items".into());
            }
            if e.0 != a.ns || e.1 != a.item_name {
                return Err(
                    "an enum collection must live in its enum's namespace and name items after it"
                        .into(),
                );
            }
            Ok(ListKind::Enums(type_path(c, e)))
        }
        TypeRef::Class(k) => {
            if !a.item_nillable {
                return Err("class collections must have nillable items".into());
            }
            if k.0 != a.ns || k.1 != a.item_name {
                return Err(
                    "a class collection must live in its class's namespace and name items after it"
                        .into(),
                );
            }
            Ok(ListKind::Classes(type_path(c, k)))
        }
        _ => Err("unsupported collection item".into()),
    }
}

/// Where DataContractSerializer puts `ArrayOfstring`.
const ARRAYS_NS: &str = "http://schemas.microsoft.com/2003/10/Serialization/Arrays";

/// The Rust type of a member.
pub fn field_type(c: &Contracts, m: &MemberDef) -> Result<TokenStream, String> {
    let opt = |t: TokenStream| {
        if m.nillable {
            quote!(::std::option::Option<#t>)
        } else {
            t
        }
    };
    Ok(match &m.ty {
        TypeRef::String => {
            if m.sensitive {
                quote!(::std::option::Option<::payspec_runtime::SecretString>)
            } else {
                quote!(::std::option::Option<::std::string::String>)
            }
        }
        TypeRef::Int => opt(quote!(i32)),
        TypeRef::Decimal => opt(quote!(::rust_decimal::Decimal)),
        TypeRef::DateTime => opt(quote!(::payspec_runtime::DateTime)),
        TypeRef::Bool => opt(quote!(bool)),
        TypeRef::Enum(q) => opt(type_path(c, q)),
        TypeRef::Class(q) => {
            let p = type_path(c, q);
            quote!(::std::option::Option<#p>)
        }
        TypeRef::Array(_) => match list_kind(c, m)? {
            ListKind::Strings { sensitive: true } => quote!(
                ::std::option::Option<
                    ::std::vec::Vec<::std::option::Option<::payspec_runtime::SecretString>>,
                >
            ),
            ListKind::Strings { sensitive: false } => quote!(
                ::std::option::Option<
                    ::std::vec::Vec<::std::option::Option<::std::string::String>>,
                >
            ),
            ListKind::Enums(p) => quote!(::std::option::Option<::std::vec::Vec<#p>>),
            ListKind::Classes(p) => {
                quote!(::std::option::Option<::std::vec::Vec<::std::option::Option<#p>>>)
            }
        },
    })
}

fn type_words(c: &Contracts, m: &MemberDef) -> String {
    let base = match &m.ty {
        TypeRef::String => "xs:string".to_string(),
        TypeRef::Int => "xs:int".to_string(),
        TypeRef::Decimal => "xs:decimal (scale kept)".to_string(),
        TypeRef::DateTime => "xs:dateTime (fraction and offset kept as written)".to_string(),
        TypeRef::Bool => "xs:boolean".to_string(),
        TypeRef::Enum(q) => format!("enum {}", q.1),
        TypeRef::Class(q) => format!("class {}", q.1),
        TypeRef::Array(q) => {
            let item = c
                .arrays
                .get(q)
                .map(|a| a.item_name.clone())
                .unwrap_or_default();
            format!("collection of {item}")
        }
    };
    let mut s = format!("Wire: `{}`, {base}", m.name);
    if m.nillable {
        s.push_str(", nillable");
    }
    if m.omit_null {
        s.push_str(", left out when null (EmitDefaultValue=false)");
    }
    if m.sensitive {
        s.push_str(". Sensitive: redacted in `Debug`");
    }
    if let Some(d) = &m.default {
        s.push_str(&format!(
            ". Default `{d}`, as the provider documents: `Default::default()` and JSON without the member give it; XML without the member reads as .NET's zero value, as DataContractSerializer does"
        ));
    }
    s.push('.');
    s
}

/// The member's value in `Default`: the provider's documented default (`payspec:Default`),
/// else .NET's zero value.
fn default_expr(m: &MemberDef) -> TokenStream {
    match (&m.ty, m.default.as_deref()) {
        (TypeRef::Bool, Some("true")) => return quote!(true),
        (TypeRef::Int, Some(n)) => {
            if let Ok(n) = n.parse::<i32>() {
                return quote!(#n);
            }
        }
        (TypeRef::Decimal, Some(d)) => {
            if let Some((mantissa, scale)) = super::xsd::decimal_parts(d) {
                return quote!(::rust_decimal::Decimal::from_i128_with_scale(#mantissa, #scale));
            }
        }
        _ => {}
    }
    zero_expr(m)
}

/// .NET's zero value of the member: what DataContractSerializer leaves in a member the XML does
/// not have (it runs no constructor).
fn zero_expr(m: &MemberDef) -> TokenStream {
    if m.nillable {
        return quote!(::std::option::Option::None);
    }
    match &m.ty {
        TypeRef::DateTime => quote!(::payspec_runtime::dcs::default_date_time()),
        _ => quote!(::std::default::Default::default()),
    }
}

fn ns_const(c: &Contracts, ns: &str) -> TokenStream {
    let area = c.areas.get(ns).cloned().unwrap_or_default();
    let m = format_ident!("{}", area_module(&area));
    quote!(crate::contracts::#m::NS)
}

/// A class contract: the struct, its constructor and setters, and its XML and JSON forms.
/// `auth_member` is the member the client fills with its key: a crate-private field with a
/// getter and no setter, so a user cannot set it (the wire form is unchanged).
pub fn class(
    c: &Contracts,
    class: &Class,
    qualified: &str,
    auth_member: &str,
) -> Result<TokenStream, String> {
    let members = c.all_members(class);
    let name = ident(&class.name);
    let name_str = &class.name;
    let ns = ns_const(c, &class.ns);
    let mut fields = Vec::new();
    let mut setters = Vec::new();
    let mut defaults = Vec::new();
    let mut zeros = Vec::new();
    let mut xml_members = Vec::new();
    let mut xml_reads = Vec::new();
    let mut xml_writes = Vec::new();
    let mut json_names = Vec::new();
    let mut json_reads = Vec::new();
    for (i, m) in members.iter().enumerate() {
        let f = field_name(&m.name);
        let ty = field_type(c, m).map_err(|e| format!("{}.{}: {e}", class.name, m.name))?;
        let mut doc = m.doc.clone().unwrap_or_default();
        if !doc.is_empty() {
            doc.push_str("\n\n");
        }
        doc.push_str(&type_words(c, m));
        let doc = doc_attr(&doc);
        if m.name == auth_member {
            // Filled by the client: readable (a server checks it), never settable by a user.
            fields.push(quote!(#doc pub(crate) #f: #ty,));
            let getter_doc = doc_attr(&format!(
                "The `{}` member as received. The client puts its own key here on every call, so it cannot be set; a server (such as a simulator) reads it to check the key.",
                m.name
            ));
            setters.push(quote! {
                #getter_doc
                pub fn #f(&self) -> ::std::option::Option<&::payspec_runtime::SecretString> {
                    self.#f.as_ref()
                }
            });
        } else {
            fields.push(quote!(#doc pub #f: #ty,));
            let parsed: syn::Type =
                syn::parse2(ty.clone()).map_err(|e| format!("{}.{}: {e}", class.name, m.name))?;
            setters.push(crate::ast::setter(&f, &parsed, doc.clone()));
        }
        let d = default_expr(m);
        defaults.push(quote!(#f: #d,));
        let z = zero_expr(m);
        zeros.push(quote!(#f: #z,));
        let local = &m.name;
        let mns = ns_const(c, &m.ns);
        xml_members.push(quote!(::payspec_runtime::dcs::Member { local: #local, ns: #mns },));
        json_names.push(local.clone());

        let (read, write, json_read) = match &m.ty {
            TypeRef::String if m.sensitive => (
                quote!(r.string(e)?.map(::payspec_runtime::SecretString::new)),
                quote!(w.string(#local, #mns, self.#f.as_ref().map(|s| s.expose().as_str()))?;),
                quote!(map.next_value()?),
            ),
            TypeRef::String => (
                quote!(r.string(e)?),
                quote!(w.string(#local, #mns, self.#f.as_deref())?;),
                quote!(map.next_value()?),
            ),
            TypeRef::Int
            | TypeRef::Decimal
            | TypeRef::DateTime
            | TypeRef::Bool
            | TypeRef::Enum(_) => {
                let jr = match (&m.ty, m.nillable) {
                    (TypeRef::Decimal, false) => {
                        quote!(map.next_value::<::payspec_runtime::dcs::json::DecDe>()?.0)
                    }
                    (TypeRef::Decimal, true) => {
                        quote!(
                            map.next_value::<::payspec_runtime::dcs::json::OptDecDe>()?
                                .0
                        )
                    }
                    _ => quote!(map.next_value()?),
                };
                if m.nillable {
                    (
                        quote!(r.opt_scalar(e)?),
                        quote!(w.opt_scalar(#local, #mns, self.#f.as_ref())?;),
                        jr,
                    )
                } else {
                    (
                        quote!(r.scalar(e)?),
                        quote!(w.scalar(#local, #mns, &self.#f)?;),
                        jr,
                    )
                }
            }
            TypeRef::Class(_) => (
                quote!(r.class(e)?),
                quote!(w.class(#local, #mns, self.#f.as_ref())?;),
                quote!(map.next_value()?),
            ),
            TypeRef::Array(_) => match list_kind(c, m)? {
                ListKind::Strings { sensitive: false } => (
                    quote!(r.string_list(e)?),
                    quote!(w.string_list(#local, #mns, self.#f.as_deref())?;),
                    quote!(map.next_value()?),
                ),
                ListKind::Strings { sensitive: true } => (
                    quote!(r.string_list(e)?.map(|v| {
                        v.into_iter()
                            .map(|s| s.map(::payspec_runtime::SecretString::new))
                            .collect()
                    })),
                    quote!(w.string_list(#local, #mns, self.#f.as_ref().map(|v| v.iter().map(|s| s.as_ref().map(|s| s.expose().as_str())).collect::<::std::vec::Vec<_>>()).as_deref())?;),
                    quote!(map.next_value()?),
                ),
                ListKind::Enums(_) => (
                    quote!(r.enum_list(e)?),
                    quote!(w.enum_list(#local, #mns, self.#f.as_deref())?;),
                    quote!(map.next_value()?),
                ),
                ListKind::Classes(_) => (
                    quote!(r.class_list(e)?),
                    quote!(w.class_list(#local, #mns, self.#f.as_deref())?;),
                    quote!(map.next_value()?),
                ),
            },
        };
        let write = if m.omit_null {
            quote!(if self.#f.is_some() { #write })
        } else {
            write
        };
        xml_reads.push(quote!(#i => v.#f = #read,));
        xml_writes.push(write);
        json_reads.push(quote!(#i => v.#f = #json_read,));
    }

    // JSON: Json.NET writes the most derived class's members first.
    let mut levels = vec![class.clone()];
    let mut cur = class.clone();
    while let Some(b) = &cur.base {
        match c.classes.get(b) {
            Some(bc) => {
                levels.push(bc.clone());
                cur = bc.clone();
            }
            None => break,
        }
    }
    let mut json_writes = Vec::new();
    for level in &levels {
        for m in &level.members {
            let f = field_name(&m.name);
            let key = &m.name;
            let w = match (&m.ty, m.nillable) {
                (TypeRef::Decimal, false) => {
                    quote!(st.serialize_field(#key, &::payspec_runtime::dcs::json::Dec(&self.#f))?;)
                }
                (TypeRef::Decimal, true) => quote!(
                    if let ::std::option::Option::Some(v) = &self.#f {
                        st.serialize_field(#key, &::payspec_runtime::dcs::json::Dec(v))?;
                    }
                ),
                (_, true) | (TypeRef::String | TypeRef::Class(_) | TypeRef::Array(_), _) => quote!(
                    if let ::std::option::Option::Some(v) = &self.#f {
                        st.serialize_field(#key, v)?;
                    }
                ),
                _ => quote!(st.serialize_field(#key, &self.#f)?;),
            };
            json_writes.push(w);
        }
    }

    let n = members.len();
    let class_doc = {
        let mut d = class
            .doc
            .clone()
            .unwrap_or_else(|| format!("DataContract `{}`.", class.name));
        d.push_str(&format!(
            "\n\nContract `{qualified}`, namespace `{}`.",
            class.ns
        ));
        if let Some(b) = &class.base {
            d.push_str(&format!(
                " Extends `{}` (its members come first on the wire).",
                b.1
            ));
        }
        doc_attr(&d)
    };
    let expecting = format!("a {name_str} object");
    let exact_arms: Vec<TokenStream> = json_names
        .iter()
        .enumerate()
        .map(|(i, k)| quote!(#k => ::std::option::Option::Some(#i),))
        .collect();
    let qualified_lit = qualified;
    // .NET's default(DateTime) is 0001-01-01T00:00:00, which `Default` cannot derive.
    let has_spec_defaults = members.iter().any(|m| m.default.is_some());
    let needs_manual_default = has_spec_defaults
        || members
            .iter()
            .any(|m| !m.nillable && m.ty == TypeRef::DateTime);
    let (derive, default_impl) = if needs_manual_default {
        (
            quote!(#[derive(Clone, Debug, PartialEq)]),
            quote! {
                impl ::std::default::Default for #name {
                    fn default() -> Self {
                        #name { #(#defaults)* }
                    }
                }
            },
        )
    } else {
        (
            quote!(#[derive(Clone, Debug, PartialEq, Default)]),
            quote!(),
        )
    };

    // XML starts from .NET's zero values (DataContractSerializer runs no constructor), JSON from
    // `Default` (Json.NET does, so documented defaults hold).
    let (members_call, xml_start, zero_fn) = if has_spec_defaults {
        (
            format_ident!("members_from"),
            quote!(Self::dotnet_zero(),),
            quote! {
                /// .NET's zero value of every member, which DataContractSerializer leaves in a
                /// member the XML does not have.
                fn dotnet_zero() -> Self {
                    #name { #(#zeros)* }
                }
            },
        )
    } else {
        (format_ident!("members"), quote!(), quote!())
    };
    let new_doc = format!(
        "A `{name_str}` with every member at its default (`Default::default()`); set members with the `with_` methods."
    );
    Ok(quote! {
        #class_doc
        #derive
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        #default_impl

        impl #name {
            #[doc = #new_doc]
            pub fn new() -> Self {
                ::std::default::Default::default()
            }

            #(#setters)*
        }

        impl #name {
            #zero_fn
            const MEMBERS: &'static [::payspec_runtime::dcs::Member] = &[#(#xml_members)*];
            const JSON_NAMES: &'static [&'static str] = &[#(#json_names),*];

            fn json_field(key: &str) -> ::std::option::Option<usize> {
                match key {
                    #(#exact_arms)*
                    _ => ::payspec_runtime::dcs::json::field_index(key, Self::JSON_NAMES),
                }
            }
        }

        impl ::payspec_runtime::dcs::XmlClass for #name {
            const NAME: &'static str = #name_str;
            const NS: &'static str = #ns;

            fn read_content<'i>(
                r: &mut ::payspec_runtime::dcs::XmlReader<'i>,
                elem: &::payspec_runtime::dcs::Elem<'i>,
            ) -> ::std::result::Result<Self, ::payspec_runtime::dcs::XmlError> {
                r.#members_call(elem, Self::MEMBERS, #xml_start |r, v: &mut Self, i, e| {
                    match i {
                        #(#xml_reads)*
                        _ => r.skip(&e)?,
                    }
                    ::std::result::Result::Ok(())
                })
            }

            fn write_content(
                &self,
                w: &mut ::payspec_runtime::dcs::XmlWriter,
            ) -> ::std::result::Result<(), ::payspec_runtime::dcs::XmlError> {
                #(#xml_writes)*
                ::std::result::Result::Ok(())
            }
        }

        impl ::payspec_runtime::dcs::DataContract for #name {
            const QUALIFIED_NAME: &'static str = #qualified_lit;
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeStruct;
                let mut st = s.serialize_struct(#name_str, #n)?;
                #(#json_writes)*
                st.end()
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                struct V;
                impl<'de> ::serde::de::Visitor<'de> for V {
                    type Value = #name;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }

                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> ::std::result::Result<#name, A::Error> {
                        let mut v = #name::default();
                        let mut seen = [false; #n];
                        while let ::std::option::Option::Some(key) = map.next_key_seed(::payspec_runtime::dcs::json::Fields(#name::json_field))? {
                            let ::std::option::Option::Some(i) = key else {
                                map.next_value::<::serde::de::IgnoredAny>()?;
                                continue;
                            };
                            if ::std::mem::replace(&mut seen[i], true) {
                                return ::std::result::Result::Err(::payspec_runtime::dcs::json::duplicate(#name::JSON_NAMES[i]));
                            }
                            match i {
                                #(#json_reads)*
                                _ => {
                                    map.next_value::<::serde::de::IgnoredAny>()?;
                                }
                            }
                        }
                        ::std::result::Result::Ok(v)
                    }
                }
                d.deserialize_map(V)
            }
        }
    })
}

/// Emits one enum.
pub fn enumeration(c: &Contracts, e: &EnumType) -> Result<TokenStream, String> {
    let name = ident(&e.name);
    let name_str = &e.name;
    let ns = ns_const(c, &e.ns);
    let mut seen_values = std::collections::BTreeSet::new();
    let mut variants = Vec::new();
    let mut known = Vec::new();
    let mut by_name = Vec::new();
    let mut by_value = Vec::new();
    let mut names = Vec::new();
    let mut default = None;
    for (vname, value, doc) in &e.values {
        if vname == "UnknownValue" || syn::parse_str::<Ident>(vname).is_err() {
            return Err(format!(
                "enum {}: value {vname:?} is not usable as a Rust variant",
                e.name
            ));
        }
        if !seen_values.insert(*value) {
            return Err(format!(
                "enum {}: two members have the value {value}",
                e.name
            ));
        }
        let v = ident(vname);
        let d = format!(
            "{} (`{vname}` in XML, `{value}` in JSON).",
            doc.clone()
                .unwrap_or_else(|| vname.clone())
                .trim_end_matches('.')
        );
        let d = doc_attr(&d);
        let default_attr = if *value == 0 {
            quote!(#[default])
        } else {
            quote!()
        };
        variants.push(quote!(#d #default_attr #v,));
        known.push(quote!(Self::#v => ::std::option::Option::Some((#vname, #value)),));
        by_name.push(quote!(#vname => ::std::option::Option::Some(Self::#v),));
        by_value.push(quote!(#value => ::std::option::Option::Some(Self::#v),));
        names.push(quote!((#vname, Self::#v)));
        if *value == 0 {
            default = Some(());
        }
    }
    // With a member of value 0 `Default` is derived (`#[default]`); without one, .NET's
    // default(T) is the unnamed value 0.
    let (derive, default_impl) = match default {
        Some(()) => (
            quote!(#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]),
            quote!(),
        ),
        None => (
            quote!(#[derive(Clone, Debug, PartialEq, Eq, Hash)]),
            quote! {
                impl ::std::default::Default for #name {
                    fn default() -> Self {
                        Self::UnknownValue(::payspec_runtime::dcs::UnknownEnumValue::Value(0))
                    }
                }
            },
        ),
    };
    let doc = doc_attr(&format!(
        "{}\n\nEnum contract `{}`, namespace `{}`. Open: a value this client does not know is kept in `UnknownValue` (its name from XML, its integer from JSON) and written back unchanged. The default is the member with value 0, as in .NET.",
        e.doc
            .clone()
            .unwrap_or_else(|| format!("Enum `{}`.", e.name)),
        e.name,
        e.ns
    ));
    Ok(quote! {
        #doc
        #derive
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this client does not know (see [`payspec_runtime::dcs::UnknownEnumValue`]).
            UnknownValue(::payspec_runtime::dcs::UnknownEnumValue),
        }

        #default_impl

        impl ::payspec_runtime::dcs::DcsEnum for #name {
            const ENUM_NAME: &'static str = #name_str;
            const ENUM_NS: &'static str = #ns;

            fn known(&self) -> ::std::option::Option<(&'static str, i32)> {
                match self {
                    #(#known)*
                    Self::UnknownValue(_) => ::std::option::Option::None,
                }
            }

            fn from_name(name: &str) -> ::std::option::Option<Self> {
                match name {
                    #(#by_name)*
                    _ => ::std::option::Option::None,
                }
            }

            fn from_value(value: i32) -> ::std::option::Option<Self> {
                match value {
                    #(#by_value)*
                    _ => ::std::option::Option::None,
                }
            }

            fn unknown(value: ::payspec_runtime::dcs::UnknownEnumValue) -> Self {
                Self::UnknownValue(value)
            }

            fn as_unknown(&self) -> ::std::option::Option<&::payspec_runtime::dcs::UnknownEnumValue> {
                match self {
                    Self::UnknownValue(v) => ::std::option::Option::Some(v),
                    _ => ::std::option::Option::None,
                }
            }

            fn from_name_ignore_case(name: &str) -> ::std::option::Option<Self> {
                [#(#names),*]
                    .into_iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v)
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                ::payspec_runtime::dcs::json::serialize_enum(self, s)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                ::payspec_runtime::dcs::json::deserialize_enum(d)
            }
        }
    })
}
