//! Row-key encoding whose byte order equals the typed order.
//!
//! A row key is one or more components. HBase sorts rows by the unsigned
//! lexicographic order of their keys; these encodings make that order the order
//! of the typed tuple, so range and prefix scans can be written with typed
//! values:
//!
//! - unsigned integers: big-endian;
//! - signed integers: big-endian with the sign bit flipped;
//! - `f32`/`f64`: big-endian after the total-order transform (the order of
//!   `total_cmp`);
//! - `bool`: `0x00`/`0x01`; `char`: its code point as a big-endian `u32`;
//! - `[u8; N]` (UUIDs, hashes): as is;
//! - `String` and `Vec<u8>`: each `0x00` byte written as `0x00 0xFF`, then the
//!   terminator `0x00 0x00`, so that `"ab" < "ab\0" < "abc"` holds after
//!   encoding and a component is never a prefix of another; the **last**
//!   component of a key is written as is instead (a single `String` key is plain
//!   UTF-8, as Java clients write it).
//!
//! # Examples
//!
//! ```
//! use hbase_orm::row_key::{EncodeKey, KeyComponent};
//!
//! let mut key = Vec::new();
//! ("tenant", 7u32).encode_key(&mut key);
//! assert_eq!(key, b"tenant\0\0\0\0\0\x07");
//!
//! let mut input = &key[..];
//! assert_eq!(String::decode_key(&mut input, false).unwrap(), "tenant");
//! assert_eq!(u32::decode_key(&mut input, true).unwrap(), 7);
//! ```

use super::codec::CodecError;

/// A type that can be one component of a row key, encoded so that byte order
/// is the order of the values.
///
/// Implement it for a custom key type by writing its parts with the
/// implementations of its fields, in order (the last part with the `last`
/// flag it was given, the others with `false`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a row-key component",
    label = "not a row-key component",
    note = "row keys can be made of integers, floats, `bool`, `char`, `String`, `Vec<u8>` and `[u8; N]`, or types implementing `hbase_orm::row_key::KeyComponent`"
)]
pub trait KeyComponent: Sized {
    /// Appends the encoding of `self`; `last` is whether it ends the key.
    fn encode_component(&self, out: &mut Vec<u8>, last: bool);

    /// Reads a component from the front of `input`, advancing it.
    ///
    /// # Errors
    ///
    /// When `input` does not start with a valid encoding.
    fn decode_key(input: &mut &[u8], last: bool) -> Result<Self, CodecError>;
}

fn take<'a>(input: &mut &'a [u8], n: usize) -> Result<&'a [u8], CodecError> {
    if input.len() < n {
        return Err(CodecError::new(format!(
            "row key too short: needed {n} more bytes, found {}",
            input.len()
        )));
    }
    let (head, rest) = input.split_at(n);
    *input = rest;
    Ok(head)
}

fn take_array<const N: usize>(input: &mut &[u8]) -> Result<[u8; N], CodecError> {
    let head = take(input, N)?;
    let mut a = [0u8; N];
    a.copy_from_slice(head);
    Ok(a)
}

macro_rules! unsigned_key {
    ($($t:ty),*) => {$(
        impl KeyComponent for $t {
            fn encode_component(&self, out: &mut Vec<u8>, _last: bool) {
                out.extend_from_slice(&self.to_be_bytes());
            }
            fn decode_key(input: &mut &[u8], _last: bool) -> Result<Self, CodecError> {
                take_array(input).map(<$t>::from_be_bytes)
            }
        }
    )*};
}

macro_rules! signed_key {
    ($($t:ty),*) => {$(
        impl KeyComponent for $t {
            fn encode_component(&self, out: &mut Vec<u8>, _last: bool) {
                let mut b = self.to_be_bytes();
                b[0] ^= 0x80;
                out.extend_from_slice(&b);
            }
            fn decode_key(input: &mut &[u8], _last: bool) -> Result<Self, CodecError> {
                let mut b = take_array(input)?;
                b[0] ^= 0x80;
                Ok(<$t>::from_be_bytes(b))
            }
        }
    )*};
}

macro_rules! float_key {
    ($($t:ty => $u:ty),*) => {$(
        impl KeyComponent for $t {
            fn encode_component(&self, out: &mut Vec<u8>, _last: bool) {
                const SIGN: $u = 1 << (<$u>::BITS - 1);
                let bits = self.to_bits();
                let key = if bits & SIGN != 0 { !bits } else { bits | SIGN };
                out.extend_from_slice(&key.to_be_bytes());
            }
            fn decode_key(input: &mut &[u8], _last: bool) -> Result<Self, CodecError> {
                const SIGN: $u = 1 << (<$u>::BITS - 1);
                let key = <$u>::from_be_bytes(take_array(input)?);
                let bits = if key & SIGN != 0 { key & !SIGN } else { !key };
                Ok(<$t>::from_bits(bits))
            }
        }
    )*};
}

unsigned_key!(u8, u16, u32, u64, u128);
signed_key!(i8, i16, i32, i64, i128);
float_key!(f32 => u32, f64 => u64);

impl KeyComponent for bool {
    fn encode_component(&self, out: &mut Vec<u8>, _last: bool) {
        out.push(u8::from(*self));
    }
    fn decode_key(input: &mut &[u8], _last: bool) -> Result<Self, CodecError> {
        match take_array::<1>(input)? {
            [0] => Ok(false),
            [1] => Ok(true),
            [b] => Err(CodecError::new(format!(
                "invalid bool byte {b:#04x} in row key"
            ))),
        }
    }
}

impl KeyComponent for char {
    fn encode_component(&self, out: &mut Vec<u8>, last: bool) {
        u32::from(*self).encode_component(out, last);
    }
    fn decode_key(input: &mut &[u8], last: bool) -> Result<Self, CodecError> {
        let n = u32::decode_key(input, last)?;
        char::from_u32(n).ok_or_else(|| CodecError::new(format!("invalid char {n:#x} in row key")))
    }
}

impl<const N: usize> KeyComponent for [u8; N] {
    fn encode_component(&self, out: &mut Vec<u8>, _last: bool) {
        out.extend_from_slice(self);
    }
    fn decode_key(input: &mut &[u8], _last: bool) -> Result<Self, CodecError> {
        take_array(input)
    }
}

/// Appends `bytes` as a variable-length key component.
///
/// Not last: every `0x00` becomes `0x00 0xFF`, then `0x00 0x00` ends it. Last:
/// as is.
pub fn encode_bytes_component(bytes: &[u8], out: &mut Vec<u8>, last: bool) {
    if last {
        out.extend_from_slice(bytes);
        return;
    }
    out.reserve(bytes.len() + 2);
    for chunk in bytes.split_inclusive(|&b| b == 0) {
        out.extend_from_slice(chunk);
        if chunk.last() == Some(&0) {
            out.push(0xFF);
        }
    }
    out.extend_from_slice(&[0, 0]);
}

/// Reads a variable-length key component written by
/// [`encode_bytes_component`] from the front of `input`.
///
/// # Errors
///
/// When a non-last component has no terminator or a bad escape.
pub fn decode_bytes_component(input: &mut &[u8], last: bool) -> Result<Vec<u8>, CodecError> {
    if last {
        let all = input.to_vec();
        *input = &[];
        return Ok(all);
    }
    let mut out = Vec::new();
    let mut i = 0;
    let bytes = *input;
    loop {
        let Some(zero) = bytes[i..].iter().position(|&b| b == 0) else {
            return Err(CodecError::new("row key component has no terminator"));
        };
        out.extend_from_slice(&bytes[i..i + zero]);
        match bytes.get(i + zero + 1) {
            Some(0x00) => {
                *input = &bytes[i + zero + 2..];
                return Ok(out);
            }
            Some(0xFF) => {
                out.push(0);
                i += zero + 2;
            }
            Some(b) => {
                return Err(CodecError::new(format!(
                    "invalid escape 0x00 {b:#04x} in row key component"
                )))
            }
            None => return Err(CodecError::new("row key component has no terminator")),
        }
    }
}

impl KeyComponent for Vec<u8> {
    fn encode_component(&self, out: &mut Vec<u8>, last: bool) {
        encode_bytes_component(self, out, last);
    }
    fn decode_key(input: &mut &[u8], last: bool) -> Result<Self, CodecError> {
        decode_bytes_component(input, last)
    }
}

impl KeyComponent for String {
    fn encode_component(&self, out: &mut Vec<u8>, last: bool) {
        encode_bytes_component(self.as_bytes(), out, last);
    }
    fn decode_key(input: &mut &[u8], last: bool) -> Result<Self, CodecError> {
        String::from_utf8(decode_bytes_component(input, last)?)
            .map_err(|e| CodecError::new(format!("invalid UTF-8 in row key: {e}")))
    }
}

/// A value that encodes as a key component of type `K`: `K` itself, `&K`,
/// and the borrowed forms `&str` (for `String`) and `&[u8]` (for `Vec<u8>`).
///
/// Lets typed keys and prefixes be written without allocating:
/// `("tenant", 7u32)` for a key `(String, u32)`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used as a row-key component of type `{K}`",
    label = "expected a `{K}` key component",
    note = "key components are given in the order of the `#[hbase(row_key)]` fields, as the field's type, a reference to it, `&str` for `String` or `&[u8]` for `Vec<u8>`"
)]
pub trait KeyArg<K> {
    /// Appends the encoding of `self` as a `K` component.
    fn encode_arg(&self, out: &mut Vec<u8>, last: bool);
}

impl<K: KeyComponent> KeyArg<K> for K {
    fn encode_arg(&self, out: &mut Vec<u8>, last: bool) {
        self.encode_component(out, last);
    }
}

impl<K: KeyComponent> KeyArg<K> for &K {
    fn encode_arg(&self, out: &mut Vec<u8>, last: bool) {
        (**self).encode_component(out, last);
    }
}

impl KeyArg<String> for &str {
    fn encode_arg(&self, out: &mut Vec<u8>, last: bool) {
        encode_bytes_component(self.as_bytes(), out, last);
    }
}

impl KeyArg<Vec<u8>> for &[u8] {
    fn encode_arg(&self, out: &mut Vec<u8>, last: bool) {
        encode_bytes_component(self, out, last);
    }
}

impl<const N: usize> KeyArg<Vec<u8>> for &[u8; N] {
    fn encode_arg(&self, out: &mut Vec<u8>, last: bool) {
        encode_bytes_component(&self[..], out, last);
    }
}

/// A value that encodes as a whole row key of type `K` (the model's
/// `<T as HRow>::Key`), with [`KeyArg`] conversions per component.
///
/// Besides `K` itself: `&K` and `&&K`; `str`, `&str` and `&&str` for a
/// `String` key; `[u8]`, `[u8; N]` and references to them for a `Vec<u8>`
/// key; for a composite key, a tuple of [`KeyArg`]s or a reference to one.
/// So both owned keys and iterators over borrowed ones (`keys.iter()`) can
/// be passed to `Repo::get_many`.
///
/// # Examples
///
/// ```
/// use hbase_orm::row_key::EncodeKey;
///
/// let mut a = Vec::new();
/// EncodeKey::<(String, i32)>::encode_key(&("x", -1), &mut a);
/// let mut b = Vec::new();
/// EncodeKey::<(String, i32)>::encode_key(&("x".to_string(), 0), &mut b);
/// assert!(a < b);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a row key of type `{K}`",
    note = "pass the model's key: one value for a single-field key, a tuple in field order for a composite key"
)]
pub trait EncodeKey<K: ?Sized> {
    /// Appends the encoded key.
    fn encode_key(&self, out: &mut Vec<u8>);
}

impl<K: KeyComponent> EncodeKey<K> for K {
    fn encode_key(&self, out: &mut Vec<u8>) {
        self.encode_component(out, true);
    }
}

impl<K: KeyComponent> EncodeKey<K> for &K {
    fn encode_key(&self, out: &mut Vec<u8>) {
        (**self).encode_component(out, true);
    }
}

impl EncodeKey<String> for str {
    fn encode_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_bytes());
    }
}

impl EncodeKey<String> for &str {
    fn encode_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_bytes());
    }
}

impl EncodeKey<Vec<u8>> for [u8] {
    fn encode_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
}

impl EncodeKey<Vec<u8>> for &[u8] {
    fn encode_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
}

impl<const N: usize> EncodeKey<Vec<u8>> for [u8; N] {
    fn encode_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
}

impl<const N: usize> EncodeKey<Vec<u8>> for &[u8; N] {
    fn encode_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self[..]);
    }
}

// One more reference level, for iterators over borrowed keys:
// `keys.iter()` over a `Vec<K>`, `[&str; N]` or `Vec<&K>` yields `&K`,
// `&&str` or `&&K`. (A blanket `impl EncodeKey<K> for &Q` would overlap
// with the one for `K: KeyComponent`, so the forms are listed.)

impl<K: KeyComponent> EncodeKey<K> for &&K {
    fn encode_key(&self, out: &mut Vec<u8>) {
        (***self).encode_component(out, true);
    }
}

impl EncodeKey<String> for &&str {
    fn encode_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_bytes());
    }
}

impl EncodeKey<Vec<u8>> for &&[u8] {
    fn encode_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
}

macro_rules! tuple_keys {
    ($( ($($k:ident $a:ident $i:tt),+ ; $last_k:ident $last_a:ident $last_i:tt) )*) => {$(
        impl<$($k: KeyComponent, $a: KeyArg<$k>,)+ $last_k: KeyComponent, $last_a: KeyArg<$last_k>>
            EncodeKey<($($k,)+ $last_k)> for ($($a,)+ $last_a)
        {
            fn encode_key(&self, out: &mut Vec<u8>) {
                $( self.$i.encode_arg(out, false); )+
                self.$last_i.encode_arg(out, true);
            }
        }

        impl<$($k: KeyComponent, $a: KeyArg<$k>,)+ $last_k: KeyComponent, $last_a: KeyArg<$last_k>>
            EncodeKey<($($k,)+ $last_k)> for &($($a,)+ $last_a)
        {
            fn encode_key(&self, out: &mut Vec<u8>) {
                (**self).encode_key(out);
            }
        }
    )*};
}

tuple_keys! {
    (K0 A0 0; K1 A1 1)
    (K0 A0 0, K1 A1 1; K2 A2 2)
    (K0 A0 0, K1 A1 1, K2 A2 2; K3 A3 3)
    (K0 A0 0, K1 A1 1, K2 A2 2, K3 A3 3; K4 A4 4)
    (K0 A0 0, K1 A1 1, K2 A2 2, K3 A3 3, K4 A4 4; K5 A5 5)
    (K0 A0 0, K1 A1 1, K2 A2 2, K3 A3 3, K4 A4 4, K5 A5 5; K6 A6 6)
    (K0 A0 0, K1 A1 1, K2 A2 2, K3 A3 3, K4 A4 4, K5 A5 5, K6 A6 6; K7 A7 7)
}

/// A typed prefix of the composite row key of model `M`: a tuple of the first
/// `n` key components (`n` smaller than the number of components), in field
/// order, with [`KeyArg`] conversions.
///
/// `#[derive(HRow)]` implements it for every proper prefix of a composite key,
/// so that `repo.scan().prefix(&("tenant",))` compiles only when `"tenant"`
/// fits the first key component. Every row whose first `n` components equal
/// the prefix, and only those, have keys starting with the encoded prefix.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a key prefix of `{M}`",
    note = "a key prefix is a tuple of the first key fields of the model, in order, shorter than the whole key"
)]
pub trait KeyPrefix<M> {
    /// Appends the encoded prefix.
    fn encode_prefix(&self, out: &mut Vec<u8>);
}

impl<M, P: KeyPrefix<M> + ?Sized> KeyPrefix<M> for &P {
    fn encode_prefix(&self, out: &mut Vec<u8>) {
        (**self).encode_prefix(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key<K, A: EncodeKey<K>>(a: &A) -> Vec<u8> {
        let mut out = Vec::new();
        a.encode_key(&mut out);
        out
    }

    #[test]
    fn escaping_and_terminator() {
        let mut out = Vec::new();
        encode_bytes_component(b"a\0b", &mut out, false);
        assert_eq!(out, b"a\0\xFFb\0\0");
        let mut input = &out[..];
        assert_eq!(decode_bytes_component(&mut input, false).unwrap(), b"a\0b");
        assert!(input.is_empty());
        assert!(decode_bytes_component(&mut &b"abc"[..], false).is_err());
        assert!(decode_bytes_component(&mut &b"a\0\x01"[..], false).is_err());
        assert!(decode_bytes_component(&mut &b"a\0"[..], false).is_err());
    }

    #[test]
    fn known_bytes() {
        assert_eq!(key::<i32, _>(&-1i32), [0x7F, 0xFF, 0xFF, 0xFF]);
        assert_eq!(key::<u16, _>(&258u16), [1, 2]);
        assert_eq!(key::<String, _>(&"ab"), b"ab");
        assert_eq!(key::<(String, String), _>(&("a", "b")), b"a\0\0b");
        assert_eq!(key::<[u8; 2], _>(&[9u8, 0]), [9, 0]);
        assert!(u64::decode_key(&mut &[1u8, 2][..], true).is_err());
    }

    #[test]
    fn borrowed_forms_encode_like_the_owned_key() {
        let owned = ("a".to_string(), 7u64);
        let want = key::<(String, u64), _>(&owned);
        assert_eq!(key::<(String, u64), _>(&&owned), want);
        assert_eq!(key::<(String, u64), _>(&&("a", 7u64)), want);
        assert_eq!(key::<(String, u64), _>(&(&owned.0, &7u64)), want);
        let s = "ab";
        assert_eq!(key::<String, _>(&&s), b"ab");
        assert_eq!(key::<String, _>(&&"ab".to_string()), b"ab");
        assert_eq!(key::<u16, _>(&&&258u16), [1, 2]);
        assert_eq!(key::<Vec<u8>, _>(b"ab"), b"ab");
        assert_eq!(key::<Vec<u8>, _>(&&&b"ab"[..]), b"ab");
    }

    #[test]
    fn prefix_strings_sort_first() {
        let a = key::<(String, u8), _>(&("ab", 255u8));
        let b = key::<(String, u8), _>(&("ab\0", 0u8));
        let c = key::<(String, u8), _>(&("abc", 0u8));
        assert!(a < b && b < c);
    }

    fn decode3(bytes: &[u8]) -> (String, i64, Vec<u8>) {
        let mut input = bytes;
        let a = String::decode_key(&mut input, false).unwrap();
        let b = i64::decode_key(&mut input, false).unwrap();
        let c = Vec::<u8>::decode_key(&mut input, true).unwrap();
        assert!(input.is_empty());
        (a, b, c)
    }

    type K3 = (String, i64, Vec<u8>);

    fn prefix_bytes(k: &K3, n: usize) -> Vec<u8> {
        let mut out = Vec::new();
        if n >= 1 {
            k.0.encode_component(&mut out, false);
        }
        if n >= 2 {
            k.1.encode_component(&mut out, false);
        }
        out
    }

    fn small_string() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec!['\0', 'a', 'b', '\u{ff}', 'é']),
            0..4,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    fn small_bytes() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(prop::sample::select(vec![0u8, 1, 0xFF]), 0..4)
    }

    fn k3() -> impl Strategy<Value = K3> {
        (
            small_string(),
            prop::sample::select(vec![i64::MIN, -1, 0, 1, i64::MAX]),
            small_bytes(),
        )
    }

    proptest! {
        #[test]
        fn composite_order_equals_tuple_order(a in k3(), b in k3()) {
            let ea = key::<K3, _>(&a);
            let eb = key::<K3, _>(&b);
            prop_assert_eq!(ea.cmp(&eb), a.cmp(&b));
            prop_assert_eq!(decode3(&ea), a);
        }

        #[test]
        fn prefixes_select_exactly_matching_rows(a in k3(), b in k3(), n in 1usize..3) {
            let p = prefix_bytes(&a, n);
            let eb = key::<K3, _>(&b);
            let matches = match n {
                1 => a.0 == b.0,
                _ => a.0 == b.0 && a.1 == b.1,
            };
            prop_assert_eq!(eb.starts_with(&p), matches);
            // Prefix order is the order of the typed prefix.
            let pb = prefix_bytes(&b, n);
            let ord = match n {
                1 => a.0.cmp(&b.0),
                _ => (&a.0, a.1).cmp(&(&b.0, b.1)),
            };
            prop_assert_eq!(p.cmp(&pb), ord);
        }

        #[test]
        fn arbitrary_components(s in any::<String>(), t in any::<String>(), x in any::<i32>(), y in any::<i32>(),
                                f in any::<f64>(), g in any::<f64>(), u in any::<[u8; 16]>(), v in any::<[u8; 16]>()) {
            let ka = key::<(String, i32, [u8; 16]), _>(&(&s, x, u));
            let kb = key::<(String, i32, [u8; 16]), _>(&(&t, y, v));
            prop_assert_eq!(ka.cmp(&kb), (&s, x, u).cmp(&(&t, y, v)));

            let fa = key::<(f64, char), _>(&(f, 'x'));
            let fb = key::<(f64, char), _>(&(g, 'x'));
            prop_assert_eq!(fa.cmp(&fb), f.total_cmp(&g));
            let mut input = &fa[..];
            prop_assert_eq!(f64::decode_key(&mut input, false).unwrap().to_bits(), f.to_bits());

            let mut input = &ka[..];
            prop_assert_eq!(String::decode_key(&mut input, false).unwrap(), s);
            prop_assert_eq!(i32::decode_key(&mut input, false).unwrap(), x);
            prop_assert_eq!(<[u8; 16]>::decode_key(&mut input, true).unwrap(), u);
        }

        #[test]
        fn decoding_garbage_never_panics(bytes in any::<Vec<u8>>()) {
            let mut input = &bytes[..];
            let _ = String::decode_key(&mut input, false);
            let _ = Vec::<u8>::decode_key(&mut input, false);
            let _ = u128::decode_key(&mut input, false);
            let _ = bool::decode_key(&mut input, true);
        }
    }
}
