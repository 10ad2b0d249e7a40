//! Emitters for what progenitor and typify cannot express, driven by the spec: tagged unions
//! (`oneOf` + `discriminator`), `multipart/form-data` request bodies and their methods, and
//! cursor-pagination streams (`x-pagination`).

use heck::ToSnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::Error;
use crate::emit::{
    Context, OpParams, doc, error_body_type, ident, is_object, ok_type, op_doc, op_params,
    scalar_checks,
};
use crate::spec::{self, Model, Operation, ParamLocation, Union};

/// Whether any schema uses `format: epoch-millis`.
pub fn uses_epoch_millis(m: &Model) -> bool {
    fn walk(v: &Value) -> bool {
        match v {
            Value::Object(o) => {
                o.get("format").and_then(Value::as_str) == Some("epoch-millis")
                    || o.values().any(walk)
            }
            Value::Array(a) => a.iter().any(walk),
            _ => false,
        }
    }
    m.schemas.values().any(walk)
}

/// The `$ref` members of an untagged `oneOf` (a choice such as "an IATA code or a Location").
fn choice_members(s: &Value) -> Vec<&str> {
    if s.get("discriminator").is_some() {
        return Vec::new();
    }
    s.get("oneOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(spec::ref_name)
        .collect()
}

/// Whether values of the schema `name` carry constraints of their own (a `Validate` impl is
/// generated for them): objects, tagged unions, and choices with an object member.
pub fn validatable(m: &Model, name: &str, s: &Value) -> bool {
    is_object(s)
        || m.unions.iter().any(|u| u.name == name)
        || choice_members(s)
            .iter()
            .any(|r| m.schemas.get(*r).is_some_and(is_object))
}

/// `Validate` for a tagged union: the variant's own rules.
pub fn union_validate(u: &Union) -> TokenStream {
    let t = ident(&u.name);
    let variants: Vec<syn::Ident> = u.variants.iter().map(|(_, m)| ident(m)).collect();
    quote! {
        impl payspec_runtime::Validate for crate::unions::#t {
            fn validate_into(&self, v: &mut payspec_runtime::Validator) {
                match self {
                    #(crate::unions::#t::#variants(value) => payspec_runtime::Validate::validate_into(value, v),)*
                }
            }
        }
    }
}

/// `Validate` for an untagged choice with object members: the chosen member's rules.
pub fn choice_validate(ctx: &Context, name: &str, s: &Value) -> Result<Option<TokenStream>, Error> {
    let objects: Vec<&str> = choice_members(s)
        .into_iter()
        .filter(|r| ctx.model.schemas.get(*r).is_some_and(is_object))
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

/// `src/unions.rs`: one enum per tagged union, serialized with its tag property first and read
/// by the tag (never by trying each member in turn).
pub fn unions_rs(ctx: &Context) -> TokenStream {
    let items = ctx.model.unions.iter().map(|u| {
        let t = ident(&u.name);
        let prop = &u.property;
        let tags: Vec<&String> = u.variants.iter().map(|(tag, _)| tag).collect();
        let members: Vec<syn::Ident> = u.variants.iter().map(|(_, m)| ident(m)).collect();
        let variant_docs: Vec<TokenStream> = u
            .variants
            .iter()
            .map(|(tag, m)| doc(&format!("`{prop}: {tag}`: a [`types::{m}`].")))
            .collect();
        let expected = tags
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let mut text = if u.description.is_empty() {
            format!("`{}`: one of several kinds, told apart by `{prop}`.", u.name)
        } else {
            u.description.clone()
        };
        text.push_str(&format!(
            "\n\nA tagged union: the `{prop}` member ({expected}) says which kind a value is; it is written from the variant and read before the rest of the object. An unknown `{prop}` is an error naming the known ones."
        ));
        let d = doc(&text);
        let kind_doc = doc(&format!("The tag value of this kind, as sent in `{prop}`."));
        quote! {
            #d
            #[derive(Clone, Debug, PartialEq, serde::Serialize)]
            #[serde(tag = #prop)]
            pub enum #t {
                #(#variant_docs #[serde(rename = #tags)] #members(types::#members),)*
            }

            impl #t {
                #kind_doc
                pub fn kind(&self) -> &'static str {
                    match self {
                        #(#t::#members(_) => #tags,)*
                    }
                }
            }

            #(
                impl From<types::#members> for #t {
                    fn from(value: types::#members) -> Self {
                        #t::#members(value)
                    }
                }
            )*

            impl<'de> serde::Deserialize<'de> for #t {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    use serde::de::Error as _;
                    let (tag, value) = payspec_runtime::tagged::split(deserializer, #prop)?;
                    match tag.as_str() {
                        #(#tags => payspec_runtime::serde_json::from_value(value).map(#t::#members).map_err(D::Error::custom),)*
                        other => Err(D::Error::custom(format!(
                            "unknown `{}` {:?}: expected one of {}", #prop, other, #expected
                        ))),
                    }
                }
            }
        }
    });
    quote! {
        //! Tagged unions: `oneOf` schemas with a `discriminator`, generated by payspec's codegen
        //! (typify would make them untagged).

        use crate::types;

        #(#items)*
    }
}

/// How one multipart property is typed and sent.
enum PartKind {
    Text,
    Integer,
    Decimal,
    Boolean,
    DateTime,
    File,
}

impl PartKind {
    fn of(s: &Value) -> Option<PartKind> {
        match (spec::str_of(s, "type"), spec::str_of(s, "format")) {
            (Some("string"), Some("binary")) => Some(PartKind::File),
            (Some("string"), Some("date-time")) => Some(PartKind::DateTime),
            (Some("string"), None) => Some(PartKind::Text),
            (Some("integer"), _) => Some(PartKind::Integer),
            (Some("number"), Some("decimal")) => Some(PartKind::Decimal),
            (Some("boolean"), _) => Some(PartKind::Boolean),
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

fn field_ident(json: &str) -> syn::Ident {
    let snake = json.to_snake_case();
    match syn::parse_str::<syn::Ident>(&snake) {
        Ok(i) => i,
        Err(_) => format_ident!("{}_", snake),
    }
}

/// `src/multipart.rs`: a struct per multipart body schema, its validation and its encoding.
pub fn multipart_rs(ctx: &Context) -> Result<TokenStream, Error> {
    let mut items = Vec::new();
    for name in &ctx.model.multipart_schemas {
        let err = |m: String| Error::spec(ctx.spec_path, format!("schema {name}: {m}"));
        let s = ctx
            .model
            .schemas
            .get(name)
            .ok_or_else(|| err("not found".into()))?;
        if !is_object(s) {
            return Err(err(
                "a multipart body must be an object with properties".into()
            ));
        }
        let required: Vec<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut fields = Vec::new();
        let mut new_args = Vec::new();
        let mut new_inits = Vec::new();
        let mut encode = Vec::new();
        let mut encode_files = Vec::new();
        let mut checks = Vec::new();
        let mut new_doc_args = Vec::new();
        for (json, ps) in s
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let fi = field_ident(json);
            let is_required = required.contains(&json.as_str());
            let is_array = spec::str_of(ps, "type") == Some("array");
            let item = if is_array {
                ps.get("items").unwrap_or(&Value::Null)
            } else {
                ps
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
            let mut text = spec::str_of(ps, "description")
                .unwrap_or_default()
                .trim()
                .to_string();
            let limits = spec::describe_limits(ps.as_object().expect("object"));
            let max_bytes = if matches!(kind, PartKind::File) {
                ps.get("maxLength").and_then(Value::as_u64)
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
            let kind_name = match kind {
                PartKind::Text => "string",
                PartKind::Integer => "integer",
                PartKind::Decimal => "number",
                _ => "",
            };
            let rules = if matches!(kind, PartKind::File) {
                vec![quote!(value.validate_into(v, #json, #max);)]
            } else {
                let int_ty = if matches!(kind, PartKind::Integer) {
                    "i64"
                } else {
                    ""
                };
                let mut r = scalar_checks(item, json, kind_name, int_ty);
                if matches!(kind, PartKind::Text) && !r.is_empty() {
                    r.insert(0, quote!(let value = value.as_str();));
                }
                r
            };
            if is_array {
                let array_rules = scalar_checks(ps, json, "array", "");
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
        let mut text = spec::str_of(s, "description")
            .unwrap_or_default()
            .trim()
            .to_string();
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
            pub struct #t {
                #(#fields)*
            }

            impl #t {
                #new_d
                pub fn new(#(#new_args),*) -> Self {
                    #t { #(#new_inits)* }
                }

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
pub fn multipart_method(ctx: &Context, op: &Operation) -> Result<TokenStream, Error> {
    let form = op.multipart.as_ref().expect("multipart operation");
    let err = |m: &str| Error::operation(ctx.spec_path, &op.id, m.to_string());
    if op.params.iter().any(|p| p.location != ParamLocation::Path) {
        return Err(err("multipart operations take path parameters only"));
    }
    if op.success.is_none() {
        return Err(err("a multipart operation needs a JSON success body"));
    }
    let name = format_ident!("{}", op.multipart_method_name());
    let op_id = op.rust_name();
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
    let method = format_ident!("{}", op.method.to_uppercase());
    let retry = op.idempotent;
    let success: Vec<u16> = op.success_statuses.clone();
    let errors: Vec<u16> = op.error_statuses.clone();
    let extra = format!(
        "\n\nSends the body as `multipart/form-data` ([`crate::multipart::{form}`]); files are streamed, and a file over its size limit is refused before anything is sent."
    );
    let d = op_doc(op, &docs, &extra);
    Ok(quote! {
        #d
        pub async fn #name(&self, #(#args),*) -> Result<#ok_ty, payspec_runtime::Error<#err_ty>> {
            let mut v = payspec_runtime::Validator::new();
            #(#checks)*
            v.finish().map_err(payspec_runtime::Error::Validation)?;
            self.check_credentials(#op_id)?;
            let form = body.into_form().await?;
            let url = format!(#fmt, self.raw.baseurl(), #(#fmt_args),*);
            let mut request = self
                .raw
                .client()
                .request(reqwest::Method::#method, url)
                .header(reqwest::header::ACCEPT, "application/json")
                .multipart(form)
                .build()
                .map_err(payspec_runtime::Error::from)?;
            for (name, value) in self.raw.inner().authorization(#op_id).unwrap_or_default() {
                request.headers_mut().insert(name, value);
            }
            let response = self
                .raw
                .inner()
                .transport
                .execute(self.raw.client(), request, #retry)
                .await
                .map_err(payspec_runtime::Error::from)?;
            payspec_runtime::multipart::decode_json(response, &[#(#success),*], &[#(#errors),*]).await
        }
    })
}

/// The stream over every item of a paginated operation (`x-pagination`).
pub fn stream_method(ctx: &Context, op: &Operation) -> Result<TokenStream, Error> {
    let p = op.pagination.as_ref().expect("paginated operation");
    let err = |m: String| Error::operation(ctx.spec_path, &op.id, format!("x-pagination: {m}"));
    if !op.params.is_empty() {
        return Err(err(
            "paginated operations take no parameters besides the body".into(),
        ));
    }
    let body = op.body.as_ref().expect("checked when read");
    let page = op
        .success
        .as_ref()
        .ok_or_else(|| err("the operation has no success body".into()))?;
    let field = |schema: &str, json: &str| {
        ctx.structs
            .get(schema)
            .and_then(|fs| fs.iter().find(|f| f.json == json))
            .ok_or_else(|| err(format!("{schema} has no property {json}")))
    };
    let cursor = field(body, &p.cursor)?;
    let next = field(page, &p.next_cursor)?;
    let items = field(page, &p.items)?;
    let item_ty = ctx
        .model
        .schemas
        .get(page)
        .and_then(|s| s.pointer(&format!("/properties/{}/items", p.items)))
        .and_then(spec::ref_name)
        .ok_or_else(|| err(format!("{page}.{} must be an array of a $ref", p.items)))?;
    let string = |f: &crate::ast::Field| f.ty.contains("String");
    if !string(cursor) || !string(next) {
        return Err(err("the cursor properties must be strings".into()));
    }
    let (ci, ni, ii) = (&cursor.ident, &next.ident, &items.ident);
    let (start, set_cursor) = if cursor.optional {
        (quote!(body.#ci.clone()), quote!(body.#ci = cursor;))
    } else {
        (
            quote!(Some(body.#ci.clone())),
            quote!(body.#ci = cursor.unwrap_or_default();),
        )
    };
    let next_cursor = if next.optional {
        quote!(page.#ni)
    } else {
        quote!(Some(page.#ni))
    };
    let page_items = if items.optional {
        quote!(page.#ii.unwrap_or_default())
    } else {
        quote!(page.#ii)
    };
    let name = format_ident!("{}_stream", op.rust_name());
    let method = format_ident!("{}", op.rust_name());
    let body_t = ident(body);
    let item_t = ident(item_ty);
    let err_ty = error_body_type(&op.error);
    let d = doc(&format!(
        "Every item of [`Self::{method}`], page after page, as a stream.\n\n\
         Starts at `body.{c}` (unset: the first page) and sends each page's `{n}` as the next `{c}` until a page has none (missing or empty). \
         One page is held at a time, so memory stays flat however many pages there are. Each page is one call of [`Self::{method}`], \
         with its validation, retries and concurrency limit. An error ends the stream after it is yielded; a server that hands out \
         a cursor it handed out before ends it with [`payspec_runtime::Error::RepeatedCursor`] instead of looping.",
        c = p.cursor,
        n = p.next_cursor,
    ));
    Ok(quote! {
        #d
        pub fn #name(&self, body: &types::#body_t) -> impl payspec_runtime::Stream<Item = Result<types::#item_t, payspec_runtime::Error<#err_ty>>> + Send + 'static {
            let client = self.clone();
            let start = #start;
            let body = body.clone();
            payspec_runtime::paginate(start, move |cursor| {
                let client = client.clone();
                let mut body = body.clone();
                #set_cursor
                async move {
                    let page = client.#method(&body).await?;
                    Ok(payspec_runtime::Page { items: #page_items, next_cursor: #next_cursor })
                }
            })
        }
    })
}
