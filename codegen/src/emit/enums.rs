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
        let variants: Vec<(syn::Ident, String, TokenStream)> = e
            .values
            .iter()
            .map(|(v, vd)| (ident(&v.to_upper_camel_case()), v.clone(), doc(vd)))
            .collect();
        open_enum(&d, &name, &variants)
    });
    quote! {
        //! Enums received from the server: open, so that a value added by the provider later
        //! parses into `Unknown` (and round-trips) instead of failing the whole response.

        #(#enums)*
    }
}

/// A string enum that keeps the values it does not know: the enum (with an `Unknown(String)`
/// variant) and its conversions and serde impls, as plain items that prettyplease formats.
/// `variants` are (Rust name, wire value, docs).
pub(crate) fn open_enum(
    doc: &TokenStream,
    name: &syn::Ident,
    variants: &[(syn::Ident, String, TokenStream)],
) -> TokenStream {
    let decls = variants.iter().map(|(v, _, d)| quote!(#d #v,));
    let values = variants.iter().map(|(_, w, _)| w);
    let to_wire = variants.iter().map(|(v, w, _)| quote!(Self::#v => #w,));
    let from_wire: Vec<TokenStream> = variants
        .iter()
        .map(|(v, w, _)| quote!(#w => Some(Self::#v),))
        .collect();
    let expecting = format!("a string ({name})");
    quote! {
        #doc
        #[derive(Clone, Debug)]
        #[non_exhaustive]
        pub enum #name {
            #(#decls)*
            /// A value this client does not know yet; kept verbatim so it round-trips.
            Unknown(::std::string::String),
        }

        impl #name {
            /// Every value this client knows, in declaration order.
            pub fn known_values() -> &'static [&'static str] {
                &[#(#values),*]
            }

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_wire)*
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// The known variant with this wire value.
            fn known(value: &str) -> ::std::option::Option<Self> {
                match value {
                    #(#from_wire)*
                    _ => ::std::option::Option::None,
                }
            }

            /// Whether this is one of the values this client knows.
            pub fn is_known(&self) -> bool {
                !::std::matches!(self, Self::Unknown(_))
            }
        }

        /// Equal when the wire values are equal, so `Unknown` of a value a later version knows
        /// equals that value's variant.
        impl ::std::cmp::PartialEq for #name {
            fn eq(&self, other: &Self) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl ::std::cmp::Eq for #name {}

        impl ::std::hash::Hash for #name {
            fn hash<H: ::std::hash::Hasher>(&self, state: &mut H) {
                self.as_str().hash(state)
            }
        }

        /// Ordered by wire value, not by declaration, so the order stays the same when the spec
        /// adds a value.
        impl ::std::cmp::PartialOrd for #name {
            fn partial_cmp(&self, other: &Self) -> ::std::option::Option<::std::cmp::Ordering> {
                ::std::option::Option::Some(self.cmp(other))
            }
        }

        impl ::std::cmp::Ord for #name {
            fn cmp(&self, other: &Self) -> ::std::cmp::Ordering {
                self.as_str().cmp(other.as_str())
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;

            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(Self::from(value))
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                Self::known(value).unwrap_or_else(|| Self::Unknown(value.to_owned()))
            }
        }

        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                match Self::known(&value) {
                    ::std::option::Option::Some(known) => known,
                    ::std::option::Option::None => Self::Unknown(value),
                }
            }
        }

        impl ::payspec_runtime::serde::Serialize for #name {
            fn serialize<S: ::payspec_runtime::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::payspec_runtime::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::payspec_runtime::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                ::payspec_runtime::open_enum::deserialize_open(deserializer, #expecting)
            }
        }
    }
}
