//! Parsing of `#[hbase(...)]` attributes, collecting every error.

use std::cell::RefCell;

use proc_macro2::Span;
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned as _;
use syn::{Attribute, LitBool, LitInt, LitStr, Token};

/// Collects errors so that all of them are reported together.
#[derive(Default)]
pub(crate) struct Ctxt {
    errors: RefCell<Vec<syn::Error>>,
}

impl Ctxt {
    /// An error at `tokens`.
    pub(crate) fn error_at(&self, tokens: impl ToTokens, msg: impl std::fmt::Display) {
        self.errors
            .borrow_mut()
            .push(syn::Error::new_spanned(tokens.into_token_stream(), msg));
    }

    /// An error at `span`.
    pub(crate) fn error_span(&self, span: Span, msg: impl std::fmt::Display) {
        self.errors.borrow_mut().push(syn::Error::new(span, msg));
    }

    /// A parse error.
    pub(crate) fn syn_error(&self, e: syn::Error) {
        self.errors.borrow_mut().push(e);
    }

    /// All errors combined, if any.
    pub(crate) fn finish(self) -> syn::Result<()> {
        let mut errors = self.errors.into_inner().into_iter();
        match errors.next() {
            None => Ok(()),
            Some(mut first) => {
                for e in errors {
                    first.combine(e);
                }
                Err(first)
            }
        }
    }
}

/// A value with the span of the tokens it was read from.
pub(crate) struct Spanned<T> {
    pub(crate) value: T,
    pub(crate) span: Span,
}

fn set_once<T>(cx: &Ctxt, slot: &mut Option<Spanned<T>>, meta: &ParseNestedMeta<'_>, value: T) {
    if slot.is_some() {
        cx.error_at(
            &meta.path,
            format_args!("duplicate hbase attribute `{}`", path_name(&meta.path)),
        );
    } else {
        *slot = Some(Spanned {
            value,
            span: meta.path.span(),
        });
    }
}

fn path_name(path: &syn::Path) -> String {
    path.to_token_stream().to_string().replace(' ', "")
}

/// Consumes the value of an unknown attribute so that parsing can go on.
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _content;
        syn::parenthesized!(_content in meta.input);
    }
    Ok(())
}

/// A built-in codec named by string.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Builtin {
    Raw,
    Utf8,
    BigEndian,
    Ordered,
    Bincode,
}

impl Builtin {
    pub(crate) fn type_name(self) -> &'static str {
        match self {
            Builtin::Raw => "Raw",
            Builtin::Utf8 => "Utf8",
            Builtin::BigEndian => "BigEndian",
            Builtin::Ordered => "Ordered",
            Builtin::Bincode => "Bincode",
        }
    }
}

/// `codec = "name"` or `codec = path::Type`.
#[derive(Clone)]
pub(crate) enum CodecAttr {
    Builtin(Builtin),
    Type(Box<syn::Type>),
}

/// `default` or `default = "path"`.
#[derive(Clone)]
pub(crate) enum DefaultAttr {
    Trait,
    Path(syn::ExprPath),
}

/// `family_options(name = "cf", ...)`.
#[derive(Default)]
pub(crate) struct FamilyOptions {
    pub(crate) name: Option<Spanned<String>>,
    pub(crate) max_versions: Option<Spanned<i32>>,
    pub(crate) ttl: Option<Spanned<i32>>,
    pub(crate) compression: Option<Spanned<String>>,
    pub(crate) bloom_filter: Option<Spanned<String>>,
    pub(crate) in_memory: Option<Spanned<bool>>,
    pub(crate) block_cache: Option<Spanned<bool>>,
}

/// The attributes on the struct.
#[derive(Default)]
pub(crate) struct ContainerAttrs {
    pub(crate) table: Option<Spanned<String>>,
    pub(crate) family: Option<Spanned<String>>,
    pub(crate) krate: Option<Spanned<syn::Path>>,
    pub(crate) family_options: Vec<(FamilyOptions, Span)>,
    pub(crate) visibility: Option<Spanned<String>>,
}

/// The attributes on one field.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    pub(crate) row_key: Option<Spanned<()>>,
    pub(crate) column: Option<Spanned<String>>,
    pub(crate) family: Option<Spanned<String>>,
    pub(crate) skip: Option<Spanned<()>>,
    pub(crate) default: Option<Spanned<DefaultAttr>>,
    pub(crate) codec: Option<Spanned<CodecAttr>>,
    pub(crate) with: Option<Spanned<syn::Path>>,
    pub(crate) counter: Option<Spanned<()>>,
    pub(crate) versions: Option<Spanned<u32>>,
    pub(crate) family_map: Option<Spanned<Option<String>>>,
    pub(crate) visibility: Option<Spanned<String>>,
}

impl FieldAttrs {
    /// The names and spans of the attributes present, in a fixed order.
    pub(crate) fn present(&self) -> Vec<(&'static str, Span)> {
        let mut v = Vec::new();
        macro_rules! push {
            ($($f:ident => $n:literal),*) => {$(
                if let Some(s) = &self.$f {
                    v.push(($n, s.span));
                }
            )*};
        }
        push!(row_key => "row_key", column => "column", family => "family", skip => "skip",
              default => "default", codec => "codec", with => "with", counter => "counter",
              versions => "versions", family_map => "family_map", visibility => "visibility");
        v
    }
}

fn lit_str(meta: &ParseNestedMeta<'_>) -> syn::Result<LitStr> {
    meta.value()?.parse::<LitStr>()
}

fn parse_family_options(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> FamilyOptions {
    let mut o = FamilyOptions::default();
    let r = meta.parse_nested_meta(|m| {
        let Some(ident) = m.path.get_ident() else {
            cx.error_at(&m.path, "unknown hbase family option");
            return skip_value(&m);
        };
        match ident.to_string().as_str() {
            "name" => {
                let s = lit_str(&m)?;
                set_once(cx, &mut o.name, &m, s.value());
            }
            "max_versions" => {
                let n: i32 = m.value()?.parse::<LitInt>()?.base10_parse()?;
                if n < 1 {
                    cx.error_at(&m.path, "`max_versions` must be at least 1");
                }
                set_once(cx, &mut o.max_versions, &m, n);
            }
            "ttl" => {
                let n: i32 = m.value()?.parse::<LitInt>()?.base10_parse()?;
                set_once(cx, &mut o.ttl, &m, n);
            }
            "compression" => {
                let s = lit_str(&m)?;
                set_once(cx, &mut o.compression, &m, s.value());
            }
            "bloom_filter" => {
                let s = lit_str(&m)?;
                set_once(cx, &mut o.bloom_filter, &m, s.value());
            }
            "in_memory" => {
                let b = bool_value(&m)?;
                set_once(cx, &mut o.in_memory, &m, b);
            }
            "block_cache" => {
                let b = bool_value(&m)?;
                set_once(cx, &mut o.block_cache, &m, b);
            }
            other => {
                cx.error_at(
                    &m.path,
                    format_args!("unknown hbase family option `{other}`; expected one of `name`, `max_versions`, `ttl`, `compression`, `bloom_filter`, `in_memory`, `block_cache`"),
                );
                skip_value(&m)?;
            }
        }
        Ok(())
    });
    if let Err(e) = r {
        cx.syn_error(e);
    }
    o
}

fn bool_value(m: &ParseNestedMeta<'_>) -> syn::Result<bool> {
    if m.input.peek(Token![=]) {
        Ok(m.value()?.parse::<LitBool>()?.value)
    } else {
        Ok(true)
    }
}

/// Parses the struct's `#[hbase(...)]` attributes.
pub(crate) fn container(cx: &Ctxt, attrs: &[Attribute]) -> ContainerAttrs {
    let mut c = ContainerAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("hbase")) {
        let r = attr.parse_nested_meta(|meta| {
            let name = path_name(&meta.path);
            match name.as_str() {
                "table" => {
                    let s = lit_str(&meta)?;
                    if s.value().is_empty() {
                        cx.error_at(&s, "the table name cannot be empty");
                    }
                    set_once(cx, &mut c.table, &meta, s.value());
                }
                "family" => {
                    let s = lit_str(&meta)?;
                    check_family_name(cx, &s);
                    set_once(cx, &mut c.family, &meta, s.value());
                }
                "crate" => {
                    let value = meta.value()?;
                    let path = if value.peek(LitStr) {
                        value.parse::<LitStr>()?.parse::<syn::Path>()?
                    } else {
                        value.parse::<syn::Path>()?
                    };
                    set_once(cx, &mut c.krate, &meta, path);
                }
                "visibility" => {
                    let s = lit_str(&meta)?;
                    if s.value().is_empty() {
                        cx.error_at(
                            &s,
                            "an empty visibility labels nothing: remove the attribute",
                        );
                    }
                    check_visibility(cx, &s);
                    set_once(cx, &mut c.visibility, &meta, s.value());
                }
                "family_options" => {
                    let span = meta.path.span();
                    let o = parse_family_options(cx, &meta);
                    if o.name.is_none() {
                        cx.error_span(span, "`family_options` needs `name = \"family\"`");
                    }
                    c.family_options.push((o, span));
                }
                _ => {
                    cx.error_at(
                        &meta.path,
                        format_args!("unknown hbase container attribute `{name}`"),
                    );
                    skip_value(&meta)?;
                }
            }
            Ok(())
        });
        if let Err(e) = r {
            cx.syn_error(e);
        }
    }
    c
}

/// A visibility expression must parse (the error says where it does not).
fn check_visibility(cx: &Ctxt, s: &LitStr) {
    if let Some(e) = crate::visibility::check(&s.value()) {
        cx.error_at(s, e);
    }
}

fn check_family_name(cx: &Ctxt, s: &LitStr) {
    let v = s.value();
    if v.is_empty() {
        cx.error_at(s, "a family name cannot be empty");
    } else if v.contains(':') {
        cx.error_at(s, "a family name cannot contain `:`");
    }
}

/// Parses one field's `#[hbase(...)]` attributes.
pub(crate) fn field(cx: &Ctxt, attrs: &[Attribute]) -> FieldAttrs {
    let mut f = FieldAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("hbase")) {
        let r = attr.parse_nested_meta(|meta| {
            let name = path_name(&meta.path);
            match name.as_str() {
                "row_key" => set_once(cx, &mut f.row_key, &meta, ()),
                "skip" => set_once(cx, &mut f.skip, &meta, ()),
                "counter" => set_once(cx, &mut f.counter, &meta, ()),
                "column" => {
                    let s = lit_str(&meta)?;
                    let v = s.value();
                    if v.is_empty() || v.starts_with(':') {
                        cx.error_at(&s, "a column name needs a qualifier, or `family:qualifier` with a family");
                    }
                    set_once(cx, &mut f.column, &meta, v);
                }
                "family" => {
                    let s = lit_str(&meta)?;
                    check_family_name(cx, &s);
                    set_once(cx, &mut f.family, &meta, s.value());
                }
                "default" => {
                    let d = if meta.input.peek(Token![=]) {
                        let s = lit_str(&meta)?;
                        DefaultAttr::Path(s.parse()?)
                    } else {
                        DefaultAttr::Trait
                    };
                    set_once(cx, &mut f.default, &meta, d);
                }
                "codec" => {
                    let value = meta.value()?;
                    let codec = if value.peek(LitStr) {
                        let s = value.parse::<LitStr>()?;
                        match s.value().as_str() {
                            "raw" => Some(CodecAttr::Builtin(Builtin::Raw)),
                            "utf8" => Some(CodecAttr::Builtin(Builtin::Utf8)),
                            "big_endian" | "java" => Some(CodecAttr::Builtin(Builtin::BigEndian)),
                            "ordered" => Some(CodecAttr::Builtin(Builtin::Ordered)),
                            "bincode" => Some(CodecAttr::Builtin(Builtin::Bincode)),
                            other => {
                                cx.error_at(
                                    &s,
                                    format_args!("unknown codec `{other}`; expected one of \"raw\", \"utf8\", \"big_endian\", \"java\", \"ordered\", \"bincode\", or a type implementing `hbase_orm::codec::Codec`"),
                                );
                                None
                            }
                        }
                    } else {
                        Some(CodecAttr::Type(Box::new(value.parse::<syn::Type>()?)))
                    };
                    if let Some(c) = codec {
                        set_once(cx, &mut f.codec, &meta, c);
                    }
                }
                "with" => {
                    let value = meta.value()?;
                    let path = if value.peek(LitStr) {
                        value.parse::<LitStr>()?.parse::<syn::Path>()?
                    } else {
                        value.parse::<syn::Path>()?
                    };
                    set_once(cx, &mut f.with, &meta, path);
                }
                "versions" => {
                    let lit = meta.value()?.parse::<LitInt>()?;
                    let n: u32 = lit.base10_parse()?;
                    if n == 0 || n > i32::MAX as u32 {
                        cx.error_at(&lit, "`versions` must be at least 1");
                    }
                    set_once(cx, &mut f.versions, &meta, n);
                }
                "visibility" => {
                    let s = lit_str(&meta)?;
                    check_visibility(cx, &s);
                    set_once(cx, &mut f.visibility, &meta, s.value());
                }
                "family_map" => {
                    let fam = if meta.input.peek(Token![=]) {
                        let s = lit_str(&meta)?;
                        check_family_name(cx, &s);
                        Some(s.value())
                    } else {
                        None
                    };
                    set_once(cx, &mut f.family_map, &meta, fam);
                }
                _ => {
                    cx.error_at(
                        &meta.path,
                        format_args!("unknown hbase field attribute `{name}`"),
                    );
                    skip_value(&meta)?;
                }
            }
            Ok(())
        });
        if let Err(e) = r {
            cx.syn_error(e);
        }
    }
    f
}
