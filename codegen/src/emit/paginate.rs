//! Cursor-pagination streams (`x-pagination`): one `*_stream` method per paginated operation.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::common::*;
use crate::Error;
use crate::model::Operation;

/// The stream over every item of a paginated operation (`x-pagination`).
pub(crate) fn stream_method(ctx: &Context, op: &Operation) -> Result<TokenStream, Error> {
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
        .types
        .get(page)
        .and_then(|s| s.object.as_ref())
        .and_then(|o| o.properties.iter().find(|q| q.name == p.items))
        .and_then(|q| q.ty.items_ref())
        .ok_or_else(|| err(format!("{page}.{} must be an array of a $ref", p.items)))?;
    let string = |f: &crate::ast::Field| f.ty.contains("String");
    if !string(cursor) || !string(next) {
        return Err(err("the cursor properties must be strings".into()));
    }
    let (ci, ni, ii) = (&cursor.ident, &next.ident, &items.ident);
    let (start, set_cursor) = if cursor.optional {
        (quote!(body.#ci.clone()), quote!(body.#ci = cursor;))
    } else if cursor.nullable {
        (
            quote!(body.#ci.value().cloned()),
            quote!(body.#ci = payspec_runtime::Nullable::absent_if_none(cursor);),
        )
    } else {
        (
            quote!(Some(body.#ci.clone())),
            quote!(body.#ci = cursor.unwrap_or_default();),
        )
    };
    let next_cursor = if next.optional {
        quote!(page.#ni)
    } else if next.nullable {
        quote!(page.#ni.into_value())
    } else {
        quote!(Some(page.#ni))
    };
    let page_items = if items.optional {
        quote!(page.#ii.unwrap_or_default())
    } else if items.nullable {
        quote!(page.#ii.into_value().unwrap_or_default())
    } else {
        quote!(page.#ii)
    };
    let name = format_ident!("{}_stream", op.rust_name());
    let name_with = format_ident!("{}_stream_with_options", op.rust_name());
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
    let d_with = doc(&format!(
        "[`Self::{name}`] with per-call options for every page: each page is a call of [`Self::{method}`] with these options (timeout, retry policy, headers). An idempotency key given here is not used: each page is its own call."
    ));
    Ok(quote! {
        #d
        pub fn #name(&self, body: &types::#body_t) -> impl payspec_runtime::Stream<Item = Result<types::#item_t, payspec_runtime::Error<#err_ty>>> + Send + 'static {
            self.#name_with(body, payspec_runtime::CallOptions::new())
        }

        #d_with
        pub fn #name_with(&self, body: &types::#body_t, options: payspec_runtime::CallOptions) -> impl payspec_runtime::Stream<Item = Result<types::#item_t, payspec_runtime::Error<#err_ty>>> + Send + 'static {
            let client = self.clone();
            let start = #start;
            let body = body.clone();
            let options = options.without_idempotency_key();
            payspec_runtime::paginate(start, move |cursor| {
                let client = client.clone();
                let mut body = body.clone();
                let options = options.clone();
                #set_cursor
                async move {
                    let page = client.#method(&body).options(options).await?;
                    Ok(payspec_runtime::Page { items: #page_items, next_cursor: #next_cursor })
                }
            })
        }
    })
}
