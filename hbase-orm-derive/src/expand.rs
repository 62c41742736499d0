//! Code generation: the `HRow` impl, the schema, the typed field handles and
//! the key-prefix impls, all inside `const _: () = { ... };`.
//!
//! Each kind of field (skipped, one cell, versions, family map) contributes
//! its pieces to [`Parts`] in a function of its own; [`generate`] puts the
//! pieces together.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Ident, LitByteStr, Type};

use crate::ast::{
    self, unraw, CodecChoice, FamilyMapField, Field, Kind, Model, Presence, ValueField,
    VersionsField,
};
use crate::attr::{Ctxt, DefaultAttr, FamilyOptions};
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

// ---------------------------------------------------------------- tokens

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

fn bytes(s: &str, span: Span) -> LitByteStr {
    LitByteStr::new(s.as_bytes(), span)
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

/// The expression of a field's default value.
fn default_expr(p: &TokenStream, d: &DefaultAttr, ty: &Type) -> TokenStream {
    match d {
        DefaultAttr::Trait => respan(quote!(<#ty as #p::Default>::default()), ty.span()),
        DefaultAttr::Path(path) => quote_spanned!(path.span()=> #path()),
    }
}

// ---------------------------------------------------------------- codecs

/// The type of the hidden codec made for `#[hbase(with = module)]`.
fn with_codec_ident(field: &Ident) -> Ident {
    format_ident!("__HRowCodec_{}", unraw(field))
}

/// The codec type of a field. The default one is a projection the compiler
/// resolves, `<T as DefaultCodec>::Codec`, spanned at the type so that a type
/// without one is reported at the field.
fn codec_type(
    p: &TokenStream,
    field: &Ident,
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
            let id = with_codec_ident(field);
            quote!(#id)
        }
        CodecChoice::Default => respan(
            quote!(<#value_ty as #p::DefaultCodec>::Codec),
            value_ty.span(),
        ),
        CodecChoice::Counter => quote!(#p::Counter),
    }
}

/// For `#[hbase(with = module)]`: a codec type calling the module's
/// functions.
fn with_codec_item(
    p: &TokenStream,
    field: &Ident,
    path: &syn::Path,
    value_ty: &Type,
) -> TokenStream {
    let cid = with_codec_ident(field);
    quote_spanned! {path.span()=>
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
    }
}

// ---------------------------------------------------------------- fields

/// What the non-key fields contribute to the generated code.
#[derive(Default)]
struct Parts {
    /// `let mut __field_x = ...;` before the loop over the cells.
    slots: Vec<TokenStream>,
    /// Match arms of the loop, one per static column.
    arms: Vec<TokenStream>,
    /// Prefix tests of the loop's fallback arm, one per family map.
    map_arms: Vec<TokenStream>,
    /// `field: value` of the struct literal.
    inits: Vec<TokenStream>,
    /// The statements of `write_cells`.
    writes: Vec<TokenStream>,
    /// Codec types made for `with = module`.
    codec_items: Vec<TokenStream>,
    /// The methods of `__HRowFields`.
    handles: Vec<TokenStream>,
    /// `ColumnSpec`s of the schema.
    column_specs: Vec<TokenStream>,
    /// Columns and families to fetch.
    fetch: Vec<String>,
    /// Families used, with the most versions a field reads from each.
    families: Vec<(String, u32)>,
}

impl Parts {
    fn use_family(&mut self, family: &str, versions: u32) {
        match self.families.iter_mut().find(|(f, _)| f == family) {
            Some(e) => e.1 = e.1.max(versions),
            None => self.families.push((family.to_owned(), versions)),
        }
    }

    /// The codec type of a field, adding the item a `with` codec needs.
    fn codec(
        &mut self,
        p: &TokenStream,
        field: &Ident,
        choice: &CodecChoice,
        value_ty: &Type,
    ) -> TokenStream {
        if let CodecChoice::With(path) = choice {
            self.codec_items
                .push(with_codec_item(p, field, path, value_ty));
        }
        codec_type(p, field, choice, value_ty)
    }
}

/// Adds one field's pieces.
fn field(p: &TokenStream, model: &Ident, f: &Field<'_>, parts: &mut Parts) {
    match &f.kind {
        Kind::Skip(d) => skip_field(p, f, d.as_ref(), parts),
        Kind::Value(v) => value_field(p, model, f, v, parts),
        Kind::Versions(v) => versions_field(p, f, v, parts),
        Kind::FamilyMap(m) => family_map_field(p, f, m, parts),
    }
}

/// `#[hbase(skip)]`: not stored, read as its default.
fn skip_field(p: &TokenStream, f: &Field<'_>, d: Option<&DefaultAttr>, parts: &mut Parts) {
    let fid = f.ident;
    let e = default_expr(p, d.unwrap_or(&DefaultAttr::Trait), f.ty);
    parts.inits.push(quote!(#fid: #e));
}

/// A field stored in one cell: read, written, a typed handle.
fn value_field(p: &TokenStream, model: &Ident, f: &Field<'_>, v: &ValueField, parts: &mut Parts) {
    let (fid, name) = (f.ident, unraw(f.ident));
    let slot = format_ident!("__field_{}", name);
    let value_ty = &v.value_ty;
    let full = v.column.full();
    let col = bytes(&full, v.column.span);
    let fam = bytes(&v.column.family, v.column.span);
    let qual = bytes(&v.column.qualifier, v.column.span);
    parts.use_family(&v.column.family, 1);
    parts.fetch.push(full.clone());
    let codec = parts.codec(p, fid, &v.codec, value_ty);

    let decode = decode_expr(p, &codec, value_ty, &name);
    parts
        .slots
        .push(quote!(let mut #slot: #p::Option<#value_ty> = #p::None;));
    parts.arms.push(quote! {
        #col => {
            if #slot.is_none() {
                #slot = #p::Some(#decode);
            }
        }
    });

    let put = |value: TokenStream| {
        put_stmt(
            p,
            &codec,
            value_ty,
            &name,
            quote!(#p::Column::Static(#col)),
            value,
        )
    };
    let (init, write) = match &v.presence {
        Presence::Required => (
            quote! {
                #fid: match #slot {
                    #p::Some(__v) => __v,
                    #p::None => return #p::Err(#p::missing(__TABLE, #name, __row, #col)),
                }
            },
            put(quote!(&self.#fid)),
        ),
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
            )
        }
        Presence::Default(d) => {
            let dflt = default_expr(p, d, value_ty);
            (
                quote! {
                    #fid: match #slot {
                        #p::Some(__v) => __v,
                        #p::None => #dflt,
                    }
                },
                put(quote!(&self.#fid)),
            )
        }
        Presence::Zero => (
            quote! {
                #fid: match #slot {
                    #p::Some(__v) => __v,
                    #p::None => 0,
                }
            },
            put(quote!(&self.#fid)),
        ),
    };
    parts.inits.push(init);
    parts.writes.push(write);

    // The schema's column kind, and the handle's marker: whether a filter
    // may meet a row without the cell.
    let (kind, marker) = match &v.presence {
        Presence::Required => (quote!(Value), quote!(Required)),
        Presence::Option | Presence::Default(_) => (quote!(Optional), quote!(Optional)),
        Presence::Zero => (quote!(Counter), quote!(Optional)),
    };
    parts.column_specs.push(labelled(
        quote!(#p::ColumnSpec::new(#name, #col, #p::ColumnKind::#kind)),
        f,
    ));
    let doc = format!("The field `{name}`, stored in column `{full}`.");
    // Spanned at the type (but for the name): a missing default codec is
    // reported there.
    let span = value_ty.span();
    let (vis_fn, sig_rest) = (
        respan(quote!(pub fn), span),
        respan(
            quote! {
                (&self) -> #p::Field<#model, #value_ty, #codec, #p::#marker> {
                    #p::Field::__new(#name, #fam, #qual, #col)
                }
            },
            span,
        ),
    );
    parts.handles.push(quote! {
        #[doc = #doc]
        #[inline]
        #vis_fn #fid #sig_rest
    });
}

/// `#[hbase(versions = n)]`: up to `n` versions of a cell with their
/// timestamps, newest first; each written at its timestamp.
/// A `ColumnSpec` expression with the field's visibility label, if any.
fn labelled(spec: TokenStream, f: &Field<'_>) -> TokenStream {
    match &f.visibility {
        Some(v) => quote!(#spec.with_visibility(#v)),
        None => spec,
    }
}

fn versions_field(p: &TokenStream, f: &Field<'_>, v: &VersionsField, parts: &mut Parts) {
    let (fid, ty, name) = (f.ident, f.ty, unraw(f.ident));
    let slot = format_ident!("__field_{}", name);
    let value_ty = &v.value_ty;
    let full = v.column.full();
    let col = bytes(&full, v.column.span);
    parts.use_family(&v.column.family, v.n);
    parts.fetch.push(full);
    let codec = parts.codec(p, fid, &v.codec, value_ty);

    let n = v.n;
    let n_usize = n as usize;
    let decode = decode_expr(p, &codec, value_ty, &name);
    let encode = encode_expr(p, &codec, value_ty, &name, quote!(__v));
    parts
        .slots
        .push(quote!(let mut #slot: #ty = #p::Default::default();));
    parts.arms.push(quote! {
        #col => {
            if #slot.len() < #n_usize {
                #slot.push((__cell.timestamp, #decode));
            }
        }
    });
    parts.inits.push(quote!(#fid: #slot));
    parts.writes.push(quote! {
        for (__ts, __v) in &self.#fid {
            __w.put_version(#p::Column::Static(#col), *__ts, #encode);
        }
    });
    parts.column_specs.push(labelled(
        quote!(#p::ColumnSpec::new(#name, #col, #p::ColumnKind::Versions(#n))),
        f,
    ));
}

/// `#[hbase(family_map)]`: every other column of a family, keyed by
/// qualifier.
fn family_map_field(p: &TokenStream, f: &Field<'_>, m: &FamilyMapField, parts: &mut Parts) {
    let (fid, ty, name) = (f.ident, f.ty, unraw(f.ident));
    let slot = format_ident!("__field_{}", name);
    let (key_ty, value_ty) = (&m.key_ty, &m.value_ty);
    let prefix = bytes(&format!("{}:", m.family), m.span);
    parts.use_family(&m.family, 1);
    parts.fetch.push(m.family.clone());
    let codec = parts.codec(p, fid, &m.codec, value_ty);

    let decode = decode_expr(p, &codec, value_ty, &name);
    let from_q = respan(
        quote!(<#key_ty as #p::Qualifier>::from_qualifier),
        key_ty.span(),
    );
    let as_q = respan(
        quote!(<#key_ty as #p::Qualifier>::as_qualifier),
        key_ty.span(),
    );
    parts
        .slots
        .push(quote!(let mut #slot: #ty = #p::Default::default();));
    parts.map_arms.push(quote! {
        if let #p::Some(__q) = __other.strip_prefix(#prefix) {
            let __k = #p::cell(#from_q(__q), __TABLE, #name, __row, __cell.column)?;
            let __v = #decode;
            let _ = #slot.insert(__k, __v);
            continue;
        }
    });
    parts.inits.push(quote!(#fid: #slot));
    let put = put_stmt(
        p,
        &codec,
        value_ty,
        &name,
        quote!(#p::Column::InFamily { family: #prefix, qualifier: #as_q(__k) }),
        quote!(__v),
    );
    parts.writes.push(quote! {
        for (__k, __v) in &self.#fid {
            #put
        }
    });
    parts.column_specs.push(labelled(
        quote!(#p::ColumnSpec::new(#name, #prefix, #p::ColumnKind::FamilyMap)),
        f,
    ));
}

// ---------------------------------------------------------------- families

/// The `FamilySpec`s: every family a field uses or `family_options` names,
/// with its options; a versioned field raises the family's `max_versions`
/// unless the options set it.
fn family_specs(p: &TokenStream, m: &Model<'_>, parts: &mut Parts) -> Vec<TokenStream> {
    for o in &m.family_options {
        if let Some(n) = &o.name {
            parts.use_family(&n.value, 1);
        }
    }
    parts
        .families
        .iter()
        .map(|(family, versions)| {
            let options = m
                .family_options
                .iter()
                .find(|o| o.name.as_ref().is_some_and(|n| &n.value == family));
            let calls = family_option_calls(options, *versions);
            quote!(#p::FamilySpec::new(#family) #(#calls)*)
        })
        .collect()
}

/// The builder calls of one family's options.
fn family_option_calls(o: Option<&FamilyOptions>, versions: u32) -> Vec<TokenStream> {
    let mut calls = Vec::new();
    match o.and_then(|o| o.max_versions.as_ref()) {
        Some(v) => {
            let v = v.value;
            calls.push(quote!(.max_versions(#v)));
        }
        None if versions > 1 => {
            let v = versions as i32;
            calls.push(quote!(.max_versions(#v)));
        }
        None => {}
    }
    let Some(o) = o else { return calls };
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
    calls
}

// ---------------------------------------------------------------- row key

/// The row key's pieces: `HRow::Key`, the body of `encode_row_key`, and the
/// statements of `from_cells` decoding it with the struct-literal fields.
struct KeyParts {
    ty: TokenStream,
    encode: Vec<TokenStream>,
    decode: Vec<TokenStream>,
    inits: Vec<TokenStream>,
    last_name: String,
}

/// Each key component is encoded and decoded by its type's `KeyComponent`
/// implementation, which the compiler resolves.
fn key_parts(p: &TokenStream, m: &Model<'_>) -> KeyParts {
    let n = m.keys.len();
    let ty = match &m.keys[..] {
        [k] => {
            let t = k.ty;
            quote_spanned!(t.span()=> #t)
        }
        keys => {
            let tys = keys.iter().map(|k| k.ty);
            quote!((#(#tys,)*))
        }
    };
    let mut parts = KeyParts {
        ty,
        encode: Vec::new(),
        decode: Vec::new(),
        inits: Vec::new(),
        last_name: m.keys.last().map(|k| unraw(k.ident)).unwrap_or_default(),
    };
    for (i, k) in m.keys.iter().enumerate() {
        let last = i + 1 == n;
        let (f, ty, name) = (k.ident, k.ty, unraw(k.ident));
        let var = format_ident!("__key_{}", i);
        let encode = respan(
            quote!(<#ty as #p::KeyComponent>::encode_component),
            ty.span(),
        );
        parts.encode.push(quote!(#encode(&self.#f, __out, #last);));
        let decode = respan(quote!(<#ty as #p::KeyComponent>::decode_key), ty.span());
        parts.decode.push(
            quote!(let #var: #ty = #p::key(#decode(&mut __rest, #last), __TABLE, #name, __row)?;),
        );
        parts.inits.push(quote!(#f: #var));
    }
    parts
}

/// `KeyPrefix` impls for every proper prefix of a composite key.
fn key_prefixes(p: &TokenStream, m: &Model<'_>) -> Vec<TokenStream> {
    let ident = m.ident;
    let tys: Vec<&Type> = m.keys.iter().map(|k| k.ty).collect();
    (1..tys.len())
        .map(|len| {
            let args: Vec<Ident> = (0..len).map(|i| format_ident!("__A{}", i)).collect();
            let tys = &tys[..len];
            let idx = (0..len).map(syn::Index::from);
            quote! {
                #[automatically_derived]
                impl<#(#args: #p::KeyArg<#tys>),*> #p::KeyPrefix<#ident> for (#(#args,)*) {
                    fn encode_prefix(&self, __out: &mut #p::Vec<u8>) {
                        #( <#args as #p::KeyArg<#tys>>::encode_arg(&self.#idx, __out, false); )*
                    }
                }
            }
        })
        .collect()
}

// ---------------------------------------------------------------- assembly

fn generate(m: &Model<'_>) -> TokenStream {
    let krate = &m.krate;
    let p = quote!(#krate::__private);
    let ident = m.ident;
    let table = &m.table;
    let schema_visibility = match &m.visibility {
        Some(v) => quote!(.with_visibility(#v)),
        None => quote!(),
    };

    let mut parts = Parts::default();
    for f in &m.fields {
        field(&p, ident, f, &mut parts);
    }
    let family_specs = family_specs(&p, m, &mut parts);
    let key = key_parts(&p, m);
    let prefixes = key_prefixes(&p, m);

    let Parts {
        slots,
        arms,
        map_arms,
        inits,
        writes,
        codec_items,
        handles,
        column_specs,
        fetch,
        ..
    } = parts;
    let fetch = fetch.iter().map(|c| bytes(c, Span::call_site()));
    let map_fallback = if map_arms.is_empty() {
        quote!(_ => {})
    } else {
        quote!(__other => { #(#map_arms)* })
    };
    let KeyParts {
        ty: key_ty,
        encode: encode_key,
        decode: decode_key,
        inits: key_inits,
        last_name: last_key_name,
    } = key;

    quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals, unused_qualifications, clippy::all)]
        const _: () = {
            #(#codec_items)*

            #[doc(hidden)]
            #[allow(non_camel_case_types, unreachable_pub, missing_docs, missing_debug_implementations)]
            pub struct __HRowFields;

            #[automatically_derived]
            #[allow(unreachable_pub, dead_code)]
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
                )#schema_visibility;

                #[inline]
                fn fields() -> __HRowFields {
                    __HRowFields
                }

                fn encode_row_key(&self, __out: &mut #p::Vec<u8>) {
                    #(#encode_key)*
                }

                fn write_cells<__W: #p::CellWriter>(&self, __w: &mut __W) -> #p::Result<(), #p::EncodeError> {
                    const __TABLE: &str = #table;
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
