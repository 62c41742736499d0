//! A checked model of the struct: its key fields and how every other field is
//! stored.

use proc_macro2::Span;
use syn::{Data, DeriveInput, Fields, GenericArgument, Ident, PathArguments, Type};

use crate::attr::{self, Builtin, CodecAttr, Ctxt, DefaultAttr, FamilyOptions};

/// The struct.
pub(crate) struct Model<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) krate: syn::Path,
    pub(crate) table: String,
    /// `#[hbase(visibility = "..")]` on the struct.
    pub(crate) visibility: Option<String>,
    pub(crate) family_options: Vec<FamilyOptions>,
    pub(crate) keys: Vec<KeyField<'a>>,
    pub(crate) fields: Vec<Field<'a>>,
}

/// A row-key component.
pub(crate) struct KeyField<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) ty: &'a Type,
}

/// A non-key field.
pub(crate) struct Field<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) ty: &'a Type,
    pub(crate) kind: Kind,
    /// `#[hbase(visibility = "..")]` on the field.
    pub(crate) visibility: Option<String>,
}

/// How the value of a cell becomes the field's value when the cell is absent.
pub(crate) enum Presence {
    Required,
    Option,
    Default(DefaultAttr),
    /// Counters: absent = 0, as the gateway's `atomicIncrement`.
    Zero,
}

/// The codec of a field.
pub(crate) enum CodecChoice {
    /// `codec = "name"`.
    Builtin(Builtin),
    /// `codec = path::Type`.
    Type(Type),
    /// `with = path::to::module`.
    With(syn::Path),
    /// None named: `<T as DefaultCodec>::Codec`, resolved by the compiler
    /// (so a type alias gets the codec of the type it names).
    Default,
    /// `#[hbase(counter)]`.
    Counter,
}

/// A family and qualifier, and the span to blame for a clash.
pub(crate) struct ColumnName {
    pub(crate) family: String,
    pub(crate) qualifier: String,
    pub(crate) span: Span,
}

impl ColumnName {
    pub(crate) fn full(&self) -> String {
        format!("{}:{}", self.family, self.qualifier)
    }
}

/// How a non-key field is stored.
pub(crate) enum Kind {
    /// `#[hbase(skip)]`, read as the default.
    Skip(Option<DefaultAttr>),
    /// One cell.
    Value(ValueField),
    /// `#[hbase(versions = n)]`: a cell's versions.
    Versions(VersionsField),
    /// `#[hbase(family_map)]`: the columns of a family.
    FamilyMap(FamilyMapField),
}

/// A field stored in one cell.
pub(crate) struct ValueField {
    pub(crate) column: ColumnName,
    /// The field's type, without `Option`.
    pub(crate) value_ty: Type,
    pub(crate) codec: CodecChoice,
    pub(crate) presence: Presence,
}

/// A `Vec<(i64, T)>` field holding up to `n` versions of a cell.
pub(crate) struct VersionsField {
    pub(crate) column: ColumnName,
    /// `T`.
    pub(crate) value_ty: Type,
    pub(crate) codec: CodecChoice,
    pub(crate) n: u32,
}

/// A map field holding the columns of a family, keyed by qualifier.
pub(crate) struct FamilyMapField {
    pub(crate) family: String,
    /// The span of the `family_map` attribute.
    pub(crate) span: Span,
    pub(crate) key_ty: Type,
    pub(crate) value_ty: Type,
    pub(crate) codec: CodecChoice,
}

fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        Type::Group(g) => last_segment(&g.elem),
        _ => None,
    }
}

fn generic_types(seg: &syn::PathSegment) -> Vec<&Type> {
    match &seg.arguments {
        PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|a| match a {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `Option<T>` gives `T`.
fn option_inner(ty: &Type) -> Option<&Type> {
    let seg = last_segment(ty)?;
    let args = generic_types(seg);
    (seg.ident == "Option" && args.len() == 1).then(|| args[0])
}

/// `Vec<(i64, T)>` gives `T`.
fn versions_inner(ty: &Type) -> Option<&Type> {
    let seg = last_segment(ty)?;
    let args = generic_types(seg);
    if seg.ident != "Vec" || args.len() != 1 {
        return None;
    }
    match args[0] {
        Type::Tuple(t) if t.elems.len() == 2 => {
            let ts = last_segment(&t.elems[0])?;
            (ts.ident == "i64").then(|| &t.elems[1])
        }
        _ => None,
    }
}

/// `BTreeMap<K, V>`, `HashMap<K, V>` (any `...Map<K, V>`) gives `(K, V)`.
fn map_inner(ty: &Type) -> Option<(&Type, &Type)> {
    let seg = last_segment(ty)?;
    let args = generic_types(seg);
    (seg.ident.to_string().ends_with("Map") && (2..=3).contains(&args.len()))
        .then(|| (args[0], args[1]))
}

/// The codec named by `codec` or `with`, else the type's default codec
/// (which the compiler looks up: the written type name plays no part).
fn codec_choice(a: &attr::FieldAttrs) -> CodecChoice {
    if let Some(c) = &a.codec {
        match &c.value {
            CodecAttr::Builtin(b) => CodecChoice::Builtin(*b),
            CodecAttr::Type(t) => CodecChoice::Type((**t).clone()),
        }
    } else if let Some(w) = &a.with {
        CodecChoice::With(w.value.clone())
    } else {
        CodecChoice::Default
    }
}

/// The field's name as written, without `r#`.
pub(crate) fn unraw(ident: &Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map(str::to_owned).unwrap_or(s)
}

/// Builds the model, reporting every attribute error into `cx`.
pub(crate) fn model<'a>(cx: &Ctxt, input: &'a DeriveInput) -> Option<Model<'a>> {
    let c = attr::container(cx, &input.attrs);

    if !input.generics.params.is_empty() {
        cx.error_at(
            &input.generics,
            "`HRow` cannot be derived for a generic struct",
        );
    }
    let named = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(n) => Some(n),
            _ => {
                cx.error_at(input, "`HRow` needs a struct with named fields");
                None
            }
        },
        _ => {
            cx.error_at(&input.ident, "`HRow` can only be derived for a struct");
            None
        }
    };
    let table = match &c.table {
        Some(t) => t.value.clone(),
        None => {
            cx.error_at(
                &input.ident,
                "missing `#[hbase(table = \"...\")]` on the struct",
            );
            String::new()
        }
    };
    let default_family = c.family.as_ref().map(|f| f.value.clone());

    let mut keys = Vec::new();
    let mut fields = Vec::new();
    for f in named.into_iter().flat_map(|n| n.named.iter()) {
        let Some(ident) = f.ident.as_ref() else {
            continue;
        };
        let a = attr::field(cx, &f.attrs);
        let present = a.present();
        let conflicts = |with: &str, allowed: &[&str]| {
            for (name, span) in &present {
                if *name != with && !allowed.contains(name) {
                    cx.error_span(
                        *span,
                        format_args!("`{with}` cannot be combined with `{name}`"),
                    );
                }
            }
        };

        if a.row_key.is_some() {
            conflicts("row_key", &[]);
            keys.push(KeyField { ident, ty: &f.ty });
            continue;
        }
        if a.skip.is_some() {
            conflicts("skip", &["default"]);
            fields.push(Field {
                ident,
                ty: &f.ty,
                visibility: a.visibility.as_ref().map(|v| v.value.clone()),
                kind: Kind::Skip(a.default.as_ref().map(|d| d.value.clone())),
            });
            continue;
        }
        if let (Some(_), Some(w)) = (&a.codec, &a.with) {
            cx.error_span(w.span, "`codec` and `with` cannot both be given");
        }

        // The family used by this field when its column does not name one.
        let family_of = |span: Span| -> String {
            if let Some(f) = &a.family {
                return f.value.clone();
            }
            if let Some(f) = &default_family {
                return f.clone();
            }
            cx.error_span(
                span,
                format_args!(
                    "field `{}` has no column family: add `#[hbase(family = \"...\")]` to it or to the struct",
                    unraw(ident)
                ),
            );
            String::new()
        };

        if let Some(fm) = &a.family_map {
            conflicts("family_map", &["family", "codec", "with", "visibility"]);
            let family = match &fm.value {
                Some(fam) => {
                    if let Some(f) = &a.family {
                        cx.error_span(f.span, "`family_map = \"...\"` already names the family");
                    }
                    fam.clone()
                }
                None => family_of(ident.span()),
            };
            let Some((k, v)) = map_inner(&f.ty) else {
                cx.error_at(
                    &f.ty,
                    "`family_map` needs a map field such as `BTreeMap<String, T>` or `HashMap<Vec<u8>, T>`",
                );
                continue;
            };
            fields.push(Field {
                ident,
                ty: &f.ty,
                visibility: a.visibility.as_ref().map(|v| v.value.clone()),
                kind: Kind::FamilyMap(FamilyMapField {
                    family,
                    span: fm.span,
                    key_ty: k.clone(),
                    value_ty: v.clone(),
                    codec: codec_choice(&a),
                }),
            });
            continue;
        }

        let column = {
            let (family, qualifier, span) = match &a.column {
                Some(col) => match col.value.split_once(':') {
                    Some((fam, q)) => {
                        if let Some(f) = &a.family {
                            cx.error_span(
                                f.span,
                                "`column = \"family:qualifier\"` already names the family",
                            );
                        }
                        (fam.to_owned(), q.to_owned(), col.span)
                    }
                    None => (family_of(col.span), col.value.clone(), col.span),
                },
                None => (family_of(ident.span()), unraw(ident), ident.span()),
            };
            ColumnName {
                family,
                qualifier,
                span,
            }
        };

        if let Some(v) = &a.versions {
            conflicts(
                "versions",
                &["column", "family", "codec", "with", "visibility"],
            );
            let Some(inner) = versions_inner(&f.ty) else {
                cx.error_at(
                    &f.ty,
                    "`versions` needs a field of type `Vec<(i64, T)>` (timestamp, value), newest first",
                );
                continue;
            };
            fields.push(Field {
                ident,
                ty: &f.ty,
                visibility: a.visibility.as_ref().map(|v| v.value.clone()),
                kind: Kind::Versions(VersionsField {
                    column,
                    value_ty: inner.clone(),
                    codec: codec_choice(&a),
                    n: v.value,
                }),
            });
            continue;
        }

        let option = option_inner(&f.ty);
        if a.counter.is_some() {
            conflicts("counter", &["column", "family", "visibility"]);
            if option.is_some() {
                cx.error_at(
                    &f.ty,
                    "a `counter` field is an `i64` (an absent counter reads as 0)",
                );
            }
        }
        let presence = if a.counter.is_some() {
            Presence::Zero
        } else if option.is_some() {
            if let Some(d) = &a.default {
                cx.error_span(
                    d.span,
                    "`default` is not needed on an `Option` field: an absent cell is `None`",
                );
            }
            Presence::Option
        } else if let Some(d) = &a.default {
            Presence::Default(d.value.clone())
        } else {
            Presence::Required
        };
        let value_ty = option.unwrap_or(&f.ty).clone();
        let codec = if a.counter.is_some() {
            CodecChoice::Counter
        } else {
            codec_choice(&a)
        };
        fields.push(Field {
            ident,
            ty: &f.ty,
            visibility: a.visibility.as_ref().map(|v| v.value.clone()),
            kind: Kind::Value(ValueField {
                column,
                value_ty,
                codec,
                presence,
            }),
        });
    }

    let krate = match c.krate {
        Some(k) => k.value,
        None => syn::parse_quote!(::hbase_orm),
    };
    Some(Model {
        ident: &input.ident,
        krate,
        table,
        visibility: c.visibility.map(|v| v.value),
        family_options: c.family_options.into_iter().map(|(o, _)| o).collect(),
        keys,
        fields,
    })
}
