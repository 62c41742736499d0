//! The `#[derive(HRow)]` macro of `hbase-orm`.
//!
//! Use it through `hbase_orm::HRow`, whose documentation lists the attributes.
//! This crate holds only the macro: `attr` parses `#[hbase(...)]` attributes,
//! `ast` builds a checked model of the struct, `check` runs the cross-field
//! checks and `expand` generates the code. Every error is collected and
//! reported together, each at the offending token.

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

mod ast;
mod attr;
mod check;
mod expand;
mod visibility;

/// Derives `hbase_orm::HRow`. See the documentation of `hbase_orm::HRow`.
#[proc_macro_derive(HRow, attributes(hbase))]
pub fn derive_hrow(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
