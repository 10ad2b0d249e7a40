//! `src/enums.rs`: the open enums (`x-open-enum`), which keep values this client does not know.

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::quote;

use super::common::*;

pub(super) fn enums_rs(ctx: &Context) -> TokenStream {
    let enums = ctx.model.open_enums.iter().map(|e| {
        let name = ident(&e.name);
        let d = if e.description.is_empty() {
            doc(&format!(
                "`{}` (forward-compatible: unknown values are kept).",
                e.name
            ))
        } else {
            doc(&e.description)
        };
        let variants = e.values.iter().map(|(v, vd)| {
            let vi = ident(&v.to_upper_camel_case());
            let vd = doc(vd);
            quote!(#vd #vi => #v,)
        });
        quote! {
            payspec_runtime::open_enum! {
                #d
                pub enum #name {
                    #(#variants)*
                }
            }
        }
    });
    quote! {
        //! Enums received from the server: open, so that a value added by the provider later
        //! parses into `Unknown` (and round-trips) instead of failing the whole response.

        #(#enums)*
    }
}
