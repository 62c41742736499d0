//! Code generation: the `HRow` impl, the schema, the typed field handles and
//! the key-prefix impls, all inside `const _: () = { ... };`.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Ident, LitByteStr, Type};

use crate::ast::{self, CodecChoice, Field, Kind, Model, Presence};
use crate::attr::{Ctxt, DefaultAttr};
use crate::check;

/// Expands `#[derive(HRow)]`, or returns every error found.
pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let cx = Ctxt::default();
    let model = ast::model(&cx, input);
    if let Some(m) = &model {
        check::check(&cx, m);
    }
    cx.finish()?;
    match model {
        Some(m) => Ok(generate(&m)),
        None => Ok(TokenStream::new()),
    }
}

/// Gives every token the span `span`, so that an unsatisfied bound in the
/// tokens is reported there (at the field's type) rather than at the derive.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|tt| match tt {
            TokenTree::Group(g) => {
                let mut ng = Group::new(g.delimiter(), respan(g.stream(), span));
                ng.set_span(span);
                TokenTree::Group(ng)
            }
            mut other => {
                other.set_span(span);
                other
            }
        })
        .collect()
}

/// `<Codec as Codec<T>>::decode(__cell.value)` with the table, field, row and
/// column added to its error.
fn decode_expr(p: &TokenStream, codec: &TokenStream, ty: &Type, name: &str) -> TokenStream {
    let call = respan(quote!(<#codec as #p::Codec<#ty>>::decode), ty.span());
    quote!(#p::cell(#call(__cell.value), __TABLE, #name, __row, __cell.column)?)
}

/// A block encoding `value` into a fresh buffer with `<Codec as Codec<T>>::encode`.
fn encode_expr(
    p: &TokenStream,
    codec: &TokenStream,
    ty: &Type,
    name: &str,
    value: TokenStream,
) -> TokenStream {
    let call = respan(quote!(<#codec as #p::Codec<#ty>>::encode), ty.span());
    quote!({
        let mut __buf = #p::Vec::new();
        #p::encoded(#call(#value, &mut __buf), __TABLE, #name)?;
        __buf
    })
}

/// A put of `value` at `column`, encoded straight into the writer's buffer.
fn put_stmt(
    p: &TokenStream,
    codec: &TokenStream,
    ty: &Type,
    name: &str,
    column: TokenStream,
    value: TokenStream,
) -> TokenStream {
    let call = respan(quote!(<#codec as #p::Codec<#ty>>::encode), ty.span());
    quote! {
        __w.put_with(#column, |__buf| #p::encoded(#call(#value, __buf), __TABLE, #name))?;
    }
}

fn bytes(s: &str, span: Span) -> LitByteStr {
    LitByteStr::new(s.as_bytes(), span)
}

fn name_of(ident: &Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map(str::to_owned).unwrap_or(s)
}

fn with_codec_ident(field: &Ident) -> Ident {
    format_ident!("__HRowCodec_{}", name_of(field))
}

fn codec_tokens(
    p: &TokenStream,
    f: &Field<'_>,
    choice: &CodecChoice,
    value_ty: &Type,
) -> TokenStream {
    match choice {
        CodecChoice::Builtin(b) => {
            let id = Ident::new(b.type_name(), Span::call_site());
            quote!(#p::#id)
        }
        CodecChoice::Type(t) => quote!(#t),
        CodecChoice::With(_) => {
            let id = with_codec_ident(f.ident);
            quote!(#id)
        }
        CodecChoice::Default => quote_spanned!(value_ty.span()=> #p::DefaultOf<#value_ty>),
        CodecChoice::Counter => quote!(#p::Counter),
    }
}

fn with_codec_item(
    p: &TokenStream,
    fid: &Ident,
    choice: &CodecChoice,
    value_ty: &Type,
) -> Option<TokenStream> {
    let CodecChoice::With(path) = choice else {
        return None;
    };
    let cid = with_codec_ident(fid);
    Some(quote_spanned! {path.span()=>
        #[doc(hidden)]
        #[allow(non_camel_case_types, unreachable_pub, missing_docs, missing_debug_implementations)]
        pub enum #cid {}
        #[automatically_derived]
        impl #p::Codec<#value_ty> for #cid {
            fn encode(__value: &#value_ty, __out: &mut #p::Vec<u8>) -> #p::Result<(), #p::CodecError> {
                #path::encode(__value, __out)
            }
            fn decode(__bytes: &[u8]) -> #p::Result<#value_ty, #p::CodecError> {
                #path::decode(__bytes)
            }
        }
    })
}

fn default_expr(p: &TokenStream, d: &DefaultAttr, ty: &Type) -> TokenStream {
    match d {
        DefaultAttr::Trait => respan(quote!(<#ty as #p::Default>::default()), ty.span()),
        DefaultAttr::Path(path) => quote_spanned!(path.span()=> #path()),
    }
}

fn generate(m: &Model<'_>) -> TokenStream {
    let krate = &m.krate;
    let p = quote!(#krate::__private);
    let ident = m.ident;
    let table = &m.table;

    // ---- row key
    let n_keys = m.keys.len();
    let key_tys: Vec<&Type> = m.keys.iter().map(|k| k.ty).collect();
    let key_ty = if n_keys == 1 {
        let t = key_tys[0];
        quote_spanned!(t.span()=> #t)
    } else {
        quote!((#(#key_tys,)*))
    };
    let encode_key = m.keys.iter().enumerate().map(|(i, k)| {
        let last = i + 1 == n_keys;
        let (f, ty) = (k.ident, k.ty);
        let call = respan(
            quote!(<#ty as #p::KeyComponent>::encode_component),
            ty.span(),
        );
        quote!(#call(&self.#f, __out, #last);)
    });
    let key_vars: Vec<Ident> = (0..n_keys).map(|i| format_ident!("__key_{}", i)).collect();
    let decode_key = m.keys.iter().enumerate().map(|(i, k)| {
        let last = i + 1 == n_keys;
        let (ty, var, name) = (k.ty, &key_vars[i], name_of(k.ident));
        let call = respan(quote!(<#ty as #p::KeyComponent>::decode_key), ty.span());
        quote!(let #var: #ty = #p::key(#call(&mut __rest, #last), __TABLE, #name, __row)?;)
    });
    let last_key_name = m.keys.last().map(|k| name_of(k.ident)).unwrap_or_default();
    let key_inits = m.keys.iter().zip(&key_vars).map(|(k, v)| {
        let f = k.ident;
        quote!(#f: #v)
    });

    // ---- per-field pieces
    let mut slots = Vec::new();
    let mut arms = Vec::new();
    let mut map_arms = Vec::new();
    let mut inits = Vec::new();
    let mut writes = Vec::new();
    let mut codec_items = Vec::new();
    let mut handles = Vec::new();
    let mut column_specs = Vec::new();
    let mut fetch: Vec<String> = Vec::new();
    // family name -> max versions read by a field
    let mut families: Vec<(String, u32)> = Vec::new();
    let mut use_family =
        |fam: &str, versions: u32| match families.iter_mut().find(|(f, _)| f == fam) {
            Some(e) => e.1 = e.1.max(versions),
            None => families.push((fam.to_owned(), versions)),
        };

    for f in &m.fields {
        let fid = f.ident;
        let name = name_of(fid);
        let slot = format_ident!("__field_{}", name);
        let mut codec_for = |choice: &CodecChoice, value_ty: &Type| {
            if let Some(item) = with_codec_item(&p, fid, choice, value_ty) {
                codec_items.push(item);
            }
            codec_tokens(&p, f, choice, value_ty)
        };
        match &f.kind {
            Kind::Skip(d) => {
                let e = match d {
                    Some(d) => default_expr(&p, d, f.ty),
                    None => default_expr(&p, &DefaultAttr::Trait, f.ty),
                };
                inits.push(quote!(#fid: #e));
            }
            Kind::Value {
                column,
                value_ty,
                codec,
                presence,
            } => {
                let full = column.full();
                let col = bytes(&full, column.span);
                let fam = bytes(&column.family, column.span);
                let qual = bytes(&column.qualifier, column.span);
                use_family(&column.family, 1);
                fetch.push(full.clone());
                let codec_t = codec_for(codec, value_ty);
                let decode = decode_expr(&p, &codec_t, value_ty, &name);
                slots.push(quote!(let mut #slot: #p::Option<#value_ty> = #p::None;));
                arms.push(quote! {
                    #col => {
                        if #slot.is_none() {
                            #slot = #p::Some(#decode);
                        }
                    }
                });
                let put = |v: TokenStream| {
                    put_stmt(
                        &p,
                        &codec_t,
                        value_ty,
                        &name,
                        quote!(#p::Column::Static(#col)),
                        v,
                    )
                };
                let (init, write, kind, marker) = match presence {
                    Presence::Required => {
                        let put = put(quote!(&self.#fid));
                        (
                            quote! {
                                #fid: match #slot {
                                    #p::Some(__v) => __v,
                                    #p::None => return #p::Err(#p::missing(__TABLE, #name, __row, #col)),
                                }
                            },
                            put,
                            quote!(Value),
                            quote!(Required),
                        )
                    }
                    Presence::Option => {
                        let put = put(quote!(__v));
                        (
                            quote!(#fid: #slot),
                            quote! {
                                match &self.#fid {
                                    #p::Some(__v) => { #put }
                                    #p::None => __w.delete(#p::Column::Static(#col)),
                                }
                            },
                            quote!(Optional),
                            quote!(Optional),
                        )
                    }
                    Presence::Default(d) => {
                        let put = put(quote!(&self.#fid));
                        let dflt = default_expr(&p, d, value_ty);
                        (
                            quote! {
                                #fid: match #slot {
                                    #p::Some(__v) => __v,
                                    #p::None => #dflt,
                                }
                            },
                            put,
                            quote!(Optional),
                            quote!(Optional),
                        )
                    }
                    Presence::Zero => {
                        let put = put(quote!(&self.#fid));
                        (
                            quote! {
                                #fid: match #slot {
                                    #p::Some(__v) => __v,
                                    #p::None => 0,
                                }
                            },
                            put,
                            quote!(Counter),
                            quote!(Optional),
                        )
                    }
                };
                inits.push(init);
                writes.push(write);
                column_specs.push(quote!(#p::ColumnSpec::new(#name, #col, #p::ColumnKind::#kind)));
                let doc = format!("The field `{name}`, stored in column `{full}`.");
                handles.push(quote! {
                    #[doc = #doc]
                    #[inline]
                    pub fn #fid(&self) -> #p::Field<#ident, #value_ty, #codec_t, #p::#marker> {
                        #p::Field::__new(#name, #fam, #qual, #col)
                    }
                });
            }
            Kind::Versions {
                column,
                value_ty,
                codec,
                n,
                ..
            } => {
                let full = column.full();
                let col = bytes(&full, column.span);
                use_family(&column.family, *n);
                fetch.push(full.clone());
                let codec_t = codec_for(codec, value_ty);
                let ty = f.ty;
                let n_usize = *n as usize;
                let decode = decode_expr(&p, &codec_t, value_ty, &name);
                let encode = encode_expr(&p, &codec_t, value_ty, &name, quote!(__v));
                slots.push(quote!(let mut #slot: #ty = #p::Default::default();));
                arms.push(quote! {
                    #col => {
                        if #slot.len() < #n_usize {
                            #slot.push((__cell.timestamp, #decode));
                        }
                    }
                });
                inits.push(quote!(#fid: #slot));
                writes.push(quote! {
                    for (__ts, __v) in &self.#fid {
                        __w.put_version(#p::Column::Static(#col), *__ts, #encode);
                    }
                });
                let n_lit = *n;
                column_specs.push(
                    quote!(#p::ColumnSpec::new(#name, #col, #p::ColumnKind::Versions(#n_lit))),
                );
            }
            Kind::FamilyMap {
                family,
                span,
                key_ty,
                value_ty,
                codec,
            } => {
                let prefix = bytes(&format!("{family}:"), *span);
                use_family(family, 1);
                fetch.push(family.clone());
                let codec_t = codec_for(codec, value_ty);
                let ty = f.ty;
                let decode = decode_expr(&p, &codec_t, value_ty, &name);
                let from_q = respan(
                    quote!(<#key_ty as #p::Qualifier>::from_qualifier),
                    key_ty.span(),
                );
                let qualifier =
                    quote!(#p::cell(#from_q(__q), __TABLE, #name, __row, __cell.column)?);
                let as_q = respan(
                    quote!(<#key_ty as #p::Qualifier>::as_qualifier),
                    key_ty.span(),
                );
                let as_qualifier = quote!(#as_q(__k));
                slots.push(quote!(let mut #slot: #ty = #p::Default::default();));
                map_arms.push(quote! {
                    if let #p::Some(__q) = __other.strip_prefix(#prefix) {
                        let __k = #qualifier;
                        let __v = #decode;
                        let _ = #slot.insert(__k, __v);
                        continue;
                    }
                });
                inits.push(quote!(#fid: #slot));
                let put = put_stmt(
                    &p,
                    &codec_t,
                    value_ty,
                    &name,
                    quote!(#p::Column::InFamily { family: #prefix, qualifier: #as_qualifier }),
                    quote!(__v),
                );
                writes.push(quote! {
                    for (__k, __v) in &self.#fid {
                        #put
                    }
                });
                column_specs
                    .push(quote!(#p::ColumnSpec::new(#name, #prefix, #p::ColumnKind::FamilyMap)));
            }
        }
    }

    // ---- families with options
    for (o, _) in &m.family_options {
        if let Some(n) = &o.name {
            use_family(&n.value, 1);
        }
    }
    let family_specs = families.iter().map(|(fam, versions)| {
        let o = m
            .family_options
            .iter()
            .map(|(o, _)| o)
            .find(|o| o.name.as_ref().is_some_and(|n| &n.value == fam));
        let mut calls = Vec::new();
        match o.and_then(|o| o.max_versions.as_ref()) {
            Some(v) => {
                let v = v.value;
                calls.push(quote!(.max_versions(#v)));
            }
            None if *versions > 1 => {
                let v = *versions as i32;
                calls.push(quote!(.max_versions(#v)));
            }
            None => {}
        }
        if let Some(o) = o {
            if let Some(t) = &o.ttl {
                let t = t.value;
                calls.push(quote!(.ttl(#t)));
            }
            if let Some(c) = &o.compression {
                let c = &c.value;
                calls.push(quote!(.compression(#c)));
            }
            if let Some(b) = &o.bloom_filter {
                let b = &b.value;
                calls.push(quote!(.bloom_filter(#b)));
            }
            if let Some(b) = &o.in_memory {
                let b = b.value;
                calls.push(quote!(.in_memory(#b)));
            }
            if let Some(b) = &o.block_cache {
                let b = b.value;
                calls.push(quote!(.block_cache(#b)));
            }
        }
        quote!(#p::FamilySpec::new(#fam) #(#calls)*)
    });
    fetch.dedup();
    let fetch = fetch.iter().map(|c| bytes(c, Span::call_site()));

    // ---- key prefixes
    let prefixes = (1..n_keys).map(|len| {
        let args: Vec<Ident> = (0..len).map(|i| format_ident!("__A{}", i)).collect();
        let tys = &key_tys[..len];
        let idx = (0..len).map(syn::Index::from);
        quote! {
            #[automatically_derived]
            impl<#(#args: #p::KeyArg<#tys>),*> #p::KeyPrefix<#ident> for (#(#args,)*) {
                fn encode_prefix(&self, __out: &mut #p::Vec<u8>) {
                    #( <#args as #p::KeyArg<#tys>>::encode_arg(&self.#idx, __out, false); )*
                }
            }
        }
    });

    let map_fallback = if map_arms.is_empty() {
        quote!(_ => {})
    } else {
        quote!(__other => { #(#map_arms)* })
    };

    quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals, unused_qualifications, clippy::all)]
        const _: () = {
            #(#codec_items)*

            #[doc(hidden)]
            #[allow(non_camel_case_types, unreachable_pub, missing_docs, missing_debug_implementations)]
            pub struct __HRowFields;

            #[automatically_derived]
            #[allow(unreachable_pub)]
            impl __HRowFields {
                #(#handles)*
            }

            #[automatically_derived]
            impl #ident {
                /// Typed handles to the stored fields, for filters, updates
                /// and counters (`hbase_orm::HRow::fields`).
                #[inline]
                #[allow(dead_code, unreachable_pub)]
                pub fn fields() -> __HRowFields {
                    __HRowFields
                }
            }

            #[automatically_derived]
            impl #p::HRow for #ident {
                type Key = #key_ty;
                type Fields = __HRowFields;

                const SCHEMA: &'static #p::Schema = &#p::Schema::new(
                    #table,
                    &[#(#family_specs),*],
                    &[#(#column_specs),*],
                    &[#(#fetch),*],
                );

                #[inline]
                fn fields() -> __HRowFields {
                    __HRowFields
                }

                fn encode_row_key(&self, __out: &mut #p::Vec<u8>) {
                    #(#encode_key)*
                }

                fn write_cells<__W: #p::CellWriter>(&self, __w: &mut __W) -> #p::Result<(), #p::EncodeError> {
                    const __TABLE: &str = #table;
                    let _ = &__w;
                    #(#writes)*
                    #p::Ok(())
                }

                fn from_cells<'__a, __I>(__row: &'__a [u8], __cells: __I) -> #p::Result<Self, #p::DecodeError>
                where
                    __I: #p::IntoIterator<Item = #p::Cell<'__a>>,
                {
                    const __TABLE: &str = #table;
                    let mut __rest: &[u8] = __row;
                    #(#decode_key)*
                    #p::key_end(__TABLE, #last_key_name, __row, __rest)?;
                    #(#slots)*
                    for __cell in __cells {
                        match __cell.column {
                            #(#arms)*
                            #map_fallback
                        }
                    }
                    #p::Ok(#ident {
                        #(#key_inits,)*
                        #(#inits,)*
                    })
                }
            }

            #(#prefixes)*
        };
    }
}
