//! Value codecs: how a typed field becomes cell bytes and back.
//!
//! A codec is a zero-sized type implementing [`Codec<T>`] for the field types it
//! can encode. `#[derive(HRow)]` picks one per field: the one named by
//! `#[hbase(codec = "...")]`, a user type given as `#[hbase(codec = path::Type)]`,
//! a module given as `#[hbase(with = path)]`, or else the type's
//! [`DefaultCodec`].
//!
//! | codec (attribute name)        | types                                          | bytes                                     | order-preserving |
//! |-------------------------------|------------------------------------------------|-------------------------------------------|------------------|
//! | [`Raw`] (`"raw"`)             | `Vec<u8>`, `Box<[u8]>`, `bytes::Bytes`, `[u8; N]` | as is                                  | yes              |
//! | [`Utf8`] (`"utf8"`)           | `String`, `Box<str>`                           | UTF-8, as Java `Bytes.toBytes(String)`    | yes              |
//! | [`BigEndian`] (`"big_endian"`, `"java"`) | integers, `f32`, `f64`, `bool`      | as Java `Bytes.toBytes`                   | unsigned and `bool` only |
//! | [`Ordered`] (`"ordered"`)     | integers, floats, `bool`, `char`, `String`, `Vec<u8>` | sign-flipped big-endian, total-order floats | yes       |
//! | [`Counter`] (`#[hbase(counter)]`) | `i64`                                      | 8-byte big-endian, as the gateway's counters | no            |
//! | [`Bincode`] (`"bincode"`)     | any `Serialize + DeserializeOwned`             | `bincode` 1.x default format              | no               |
//!
//! "Order-preserving" means that the byte order of the encodings (the order of
//! HBase's `binary` comparator) equals the order of the values. Only such codecs
//! implement [`OrderPreserving`], which typed range filters require.
//!
//! # Examples
//!
//! ```
//! use hbase_orm::codec::{BigEndian, Codec, Ordered};
//!
//! let mut out = Vec::new();
//! <BigEndian as Codec<i32>>::encode(&-2, &mut out).unwrap();
//! assert_eq!(out, [0xFF, 0xFF, 0xFF, 0xFE]); // Java Bytes.toBytes(-2)
//!
//! out.clear();
//! <Ordered as Codec<i32>>::encode(&-2, &mut out).unwrap();
//! assert_eq!(out, [0x7F, 0xFF, 0xFF, 0xFE]); // sorts before 0 => [0x80, 0, 0, 0]
//! assert_eq!(<Ordered as Codec<i32>>::decode(&out).unwrap(), -2);
//! ```

use serde::de::DeserializeOwned;
use serde::Serialize;

pub use crate::error::CodecError;

/// An encoding of values of type `T` as cell bytes.
///
/// Implemented by zero-sized marker types ([`Raw`], [`Utf8`], [`BigEndian`],
/// [`Ordered`], [`Counter`], [`Bincode`]) and by user types named in
/// `#[hbase(codec = path::Type)]`.
///
/// # Examples
///
/// A codec storing a `bool` as the text `"Y"`/`"N"`:
///
/// ```
/// use hbase_orm::codec::{Codec, CodecError};
///
/// struct YesNo;
///
/// impl Codec<bool> for YesNo {
///     fn encode(value: &bool, out: &mut Vec<u8>) -> Result<(), CodecError> {
///         out.push(if *value { b'Y' } else { b'N' });
///         Ok(())
///     }
///     fn decode(bytes: &[u8]) -> Result<bool, CodecError> {
///         match bytes {
///             b"Y" => Ok(true),
///             b"N" => Ok(false),
///             _ => Err(CodecError::new("expected Y or N")),
///         }
///     }
/// }
///
/// let mut out = Vec::new();
/// YesNo::encode(&true, &mut out).unwrap();
/// assert_eq!(out, b"Y");
/// ```
#[diagnostic::on_unimplemented(
    message = "codec `{Self}` cannot encode a field of type `{T}`",
    label = "`{Self}` has no encoding for `{T}`",
    note = "choose a codec that supports this type with `#[hbase(codec = \"...\")]` (see `hbase_orm::codec`)"
)]
pub trait Codec<T> {
    /// Appends the encoding of `value` to `out`.
    ///
    /// # Errors
    ///
    /// When the value has no encoding (only codecs over user code, such as
    /// [`Bincode`] with a failing `Serialize`, can fail).
    fn encode(value: &T, out: &mut Vec<u8>) -> Result<(), CodecError>;

    /// Reads a value from the whole of `bytes`.
    ///
    /// # Errors
    ///
    /// When `bytes` is not an encoding of a `T`.
    fn decode(bytes: &[u8]) -> Result<T, CodecError>;
}

/// Marks a codec whose byte order (unsigned lexicographic, as HBase's `binary`
/// comparator) equals the order of the values of `T`.
///
/// Typed range filters (`gt`, `lt`, `between`, ...) are only available for
/// fields whose codec implements it.
#[diagnostic::on_unimplemented(
    message = "the `{Self}` encoding of `{T}` does not preserve order, so it cannot be used in a range filter",
    label = "range filters need an order-preserving codec",
    note = "use `#[hbase(codec = \"ordered\")]` on the field to store it in an order-preserving encoding"
)]
pub trait OrderPreserving<T>: Codec<T> {}

/// Marks a codec for which appending bytes to a stored value gives the
/// encoding of the concatenated value (`encode(a + b) == encode(a) ++
/// encode(b)`): [`Raw`] byte containers and [`Utf8`] strings.
///
/// Typed appends (HBase `append`) need it.
#[diagnostic::on_unimplemented(
    message = "appending to a `{T}` stored by `{Self}` does not append to the value",
    note = "typed appends work on `Vec<u8>`/`Bytes` fields stored raw and `String` fields stored as UTF-8"
)]
pub trait Concatenating<T>: Codec<T> {}

impl Concatenating<Vec<u8>> for Raw {}
impl Concatenating<bytes::Bytes> for Raw {}
impl Concatenating<String> for Utf8 {}

/// The codec a field of this type gets when `#[hbase(...)]` names none.
///
/// Integers, floats and `bool` use [`BigEndian`] (Java `Bytes.toBytes`),
/// `String` and `Box<str>` use [`Utf8`] and byte containers use [`Raw`].
/// `#[derive(HRow)]` asks the compiler for `<T as DefaultCodec>::Codec`, so
/// the written name of the type plays no part: a type alias gets the codec of
/// the type it names (`type UserId = u64;` is stored big-endian, as `u64`).
///
/// A field of a type without a default codec is a compile error at the field
/// asking for one: name it (`#[hbase(codec = "bincode")]` for a serde type),
/// or implement this trait for your own type.
///
/// # Examples
///
/// ```
/// use hbase_orm::codec::{Bincode, DefaultCodec};
/// use hbase_orm::HRow;
///
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Address { city: String }
///
/// // Every `Address` field is stored with bincode unless it names a codec.
/// impl DefaultCodec for Address {
///     type Codec = Bincode;
/// }
///
/// type UserId = u64;
///
/// #[derive(HRow)]
/// #[hbase(table = "users", family = "cf")]
/// struct User {
///     #[hbase(row_key)]
///     id: UserId,
///     manager: UserId, // big-endian, as a `u64`
///     home: Address,   // bincode
///     #[hbase(codec = "bincode")]
///     tags: Vec<String>,
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no default codec",
    label = "no default codec for `{Self}`",
    note = "name the field's codec: `#[hbase(codec = \"bincode\")]` for a serde type, another codec of `hbase_orm::codec`, or `#[hbase(with = path)]`; or implement `hbase_orm::codec::DefaultCodec` for your type"
)]
pub trait DefaultCodec: Sized {
    /// The codec.
    type Codec: Codec<Self>;
}

fn fixed<const N: usize>(bytes: &[u8]) -> Result<[u8; N], CodecError> {
    <[u8; N]>::try_from(bytes).map_err(|_| CodecError::wrong_length(N, bytes.len()))
}

// ---------------------------------------------------------------- Raw

/// Bytes stored as they are.
///
/// For `Vec<u8>`, `Box<[u8]>`, [`bytes::Bytes`] and `[u8; N]` (which must
/// have exactly `N` bytes). Order-preserving.
#[derive(Debug, Clone, Copy, Default)]
pub struct Raw;

impl Codec<Vec<u8>> for Raw {
    fn encode(value: &Vec<u8>, out: &mut Vec<u8>) -> Result<(), CodecError> {
        out.extend_from_slice(value);
        Ok(())
    }
    fn decode(bytes: &[u8]) -> Result<Vec<u8>, CodecError> {
        Ok(bytes.to_vec())
    }
}

impl Codec<Box<[u8]>> for Raw {
    fn encode(value: &Box<[u8]>, out: &mut Vec<u8>) -> Result<(), CodecError> {
        out.extend_from_slice(value);
        Ok(())
    }
    fn decode(bytes: &[u8]) -> Result<Box<[u8]>, CodecError> {
        Ok(bytes.into())
    }
}

impl Codec<bytes::Bytes> for Raw {
    fn encode(value: &bytes::Bytes, out: &mut Vec<u8>) -> Result<(), CodecError> {
        out.extend_from_slice(value);
        Ok(())
    }
    fn decode(bytes: &[u8]) -> Result<bytes::Bytes, CodecError> {
        Ok(bytes::Bytes::copy_from_slice(bytes))
    }
}

impl<const N: usize> Codec<[u8; N]> for Raw {
    fn encode(value: &[u8; N], out: &mut Vec<u8>) -> Result<(), CodecError> {
        out.extend_from_slice(value);
        Ok(())
    }
    fn decode(bytes: &[u8]) -> Result<[u8; N], CodecError> {
        fixed::<N>(bytes)
    }
}

impl OrderPreserving<Vec<u8>> for Raw {}
impl OrderPreserving<Box<[u8]>> for Raw {}
impl OrderPreserving<bytes::Bytes> for Raw {}
impl<const N: usize> OrderPreserving<[u8; N]> for Raw {}

impl DefaultCodec for Vec<u8> {
    type Codec = Raw;
}
impl DefaultCodec for Box<[u8]> {
    type Codec = Raw;
}
impl DefaultCodec for bytes::Bytes {
    type Codec = Raw;
}
impl<const N: usize> DefaultCodec for [u8; N] {
    type Codec = Raw;
}

// ---------------------------------------------------------------- Utf8

/// Text as UTF-8, as Java's `Bytes.toBytes(String)`.
///
/// Decoding rejects invalid UTF-8. Order-preserving (UTF-8 byte order is code
/// point order, which is the order of Rust strings).
#[derive(Debug, Clone, Copy, Default)]
pub struct Utf8;

fn utf8(bytes: &[u8]) -> Result<&str, CodecError> {
    std::str::from_utf8(bytes).map_err(|e| CodecError::new(format!("invalid UTF-8: {e}")))
}

impl Codec<String> for Utf8 {
    fn encode(value: &String, out: &mut Vec<u8>) -> Result<(), CodecError> {
        out.extend_from_slice(value.as_bytes());
        Ok(())
    }
    fn decode(bytes: &[u8]) -> Result<String, CodecError> {
        utf8(bytes).map(str::to_owned)
    }
}

impl Codec<Box<str>> for Utf8 {
    fn encode(value: &Box<str>, out: &mut Vec<u8>) -> Result<(), CodecError> {
        out.extend_from_slice(value.as_bytes());
        Ok(())
    }
    fn decode(bytes: &[u8]) -> Result<Box<str>, CodecError> {
        utf8(bytes).map(Box::from)
    }
}

impl OrderPreserving<String> for Utf8 {}
impl OrderPreserving<Box<str>> for Utf8 {}

impl DefaultCodec for String {
    type Codec = Utf8;
}
impl DefaultCodec for Box<str> {
    type Codec = Utf8;
}

// ---------------------------------------------------------------- BigEndian

/// Numbers and booleans as Java's `org.apache.hadoop.hbase.util.Bytes.toBytes`.
///
/// Integers are big-endian two's complement of their own width (`i16` = 2
/// bytes, `i64` = 8 bytes; unsigned integers likewise), `f32`/`f64` are their
/// IEEE 754 bits big-endian, `true` is `0xFF` (Java writes `(byte) -1`) and
/// `false` is `0x00`; decoding a `bool` accepts any non-zero byte as `true`,
/// like `Bytes.toBoolean`. Values must have exactly their width.
///
/// Order-preserving for unsigned integers and `bool` only: negative numbers
/// sort after positive ones in byte order.
#[derive(Debug, Clone, Copy, Default)]
pub struct BigEndian;

macro_rules! big_endian_numbers {
    ($($t:ty),*) => {$(
        impl Codec<$t> for BigEndian {
            fn encode(value: &$t, out: &mut Vec<u8>) -> Result<(), CodecError> {
                out.extend_from_slice(&value.to_be_bytes());
                Ok(())
            }
            fn decode(bytes: &[u8]) -> Result<$t, CodecError> {
                fixed(bytes).map(<$t>::from_be_bytes)
            }
        }
        impl DefaultCodec for $t {
            type Codec = BigEndian;
        }
    )*};
}

big_endian_numbers!(i8, i16, i32, i64, i128, u8, u16, u32, u64, u128, f32, f64);

impl OrderPreserving<u8> for BigEndian {}
impl OrderPreserving<u16> for BigEndian {}
impl OrderPreserving<u32> for BigEndian {}
impl OrderPreserving<u64> for BigEndian {}
impl OrderPreserving<u128> for BigEndian {}

impl Codec<bool> for BigEndian {
    fn encode(value: &bool, out: &mut Vec<u8>) -> Result<(), CodecError> {
        out.push(if *value { 0xFF } else { 0x00 });
        Ok(())
    }
    fn decode(bytes: &[u8]) -> Result<bool, CodecError> {
        let [b] = fixed::<1>(bytes)?;
        Ok(b != 0)
    }
}

impl OrderPreserving<bool> for BigEndian {}

impl DefaultCodec for bool {
    type Codec = BigEndian;
}

// ---------------------------------------------------------------- Counter

/// An HBase counter: an `i64` as 8 bytes big-endian, the format of the
/// gateway's `atomicIncrement` and Java's `Bytes.toBytes(long)`.
///
/// Used by `#[hbase(counter)]` fields. Not order-preserving.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counter;

impl Codec<i64> for Counter {
    fn encode(value: &i64, out: &mut Vec<u8>) -> Result<(), CodecError> {
        out.extend_from_slice(&value.to_be_bytes());
        Ok(())
    }
    fn decode(bytes: &[u8]) -> Result<i64, CodecError> {
        fixed(bytes).map(i64::from_be_bytes)
    }
}

// ---------------------------------------------------------------- Ordered

/// An encoding whose byte order is the order of the values.
///
/// Unsigned integers are big-endian; signed integers are big-endian with the
/// sign bit flipped; floats are big-endian after the usual total-order
/// transform (positive: sign bit set; negative: all bits inverted), so the
/// order is that of `f64::total_cmp` (`-NaN < -inf < ... < -0.0 < 0.0 < ... <
/// inf < NaN`); `bool` is `0x00`/`0x01`; `char` is its code point as a `u32`;
/// `String` is UTF-8 and `Vec<u8>` is as is (a cell holds one value, so no
/// terminator is needed).
#[derive(Debug, Clone, Copy, Default)]
pub struct Ordered;

macro_rules! ordered_unsigned {
    ($($t:ty),*) => {$(
        impl Codec<$t> for Ordered {
            fn encode(value: &$t, out: &mut Vec<u8>) -> Result<(), CodecError> {
                out.extend_from_slice(&value.to_be_bytes());
                Ok(())
            }
            fn decode(bytes: &[u8]) -> Result<$t, CodecError> {
                fixed(bytes).map(<$t>::from_be_bytes)
            }
        }
        impl OrderPreserving<$t> for Ordered {}
    )*};
}

macro_rules! ordered_signed {
    ($($t:ty => $u:ty),*) => {$(
        impl Codec<$t> for Ordered {
            fn encode(value: &$t, out: &mut Vec<u8>) -> Result<(), CodecError> {
                out.extend_from_slice(&(value.to_be_bytes()));
                let first = out.len() - std::mem::size_of::<$t>();
                out[first] ^= 0x80;
                Ok(())
            }
            fn decode(bytes: &[u8]) -> Result<$t, CodecError> {
                let mut b = fixed(bytes)?;
                b[0] ^= 0x80;
                Ok(<$t>::from_be_bytes(b))
            }
        }
        impl OrderPreserving<$t> for Ordered {}
    )*};
}

macro_rules! ordered_float {
    ($($t:ty => $u:ty),*) => {$(
        impl Codec<$t> for Ordered {
            fn encode(value: &$t, out: &mut Vec<u8>) -> Result<(), CodecError> {
                const SIGN: $u = 1 << (<$u>::BITS - 1);
                let bits = value.to_bits();
                let key = if bits & SIGN != 0 { !bits } else { bits | SIGN };
                out.extend_from_slice(&key.to_be_bytes());
                Ok(())
            }
            fn decode(bytes: &[u8]) -> Result<$t, CodecError> {
                const SIGN: $u = 1 << (<$u>::BITS - 1);
                let key = <$u>::from_be_bytes(fixed(bytes)?);
                let bits = if key & SIGN != 0 { key & !SIGN } else { !key };
                Ok(<$t>::from_bits(bits))
            }
        }
        impl OrderPreserving<$t> for Ordered {}
    )*};
}

ordered_unsigned!(u8, u16, u32, u64, u128);
ordered_signed!(i8 => u8, i16 => u16, i32 => u32, i64 => u64, i128 => u128);
ordered_float!(f32 => u32, f64 => u64);

impl Codec<bool> for Ordered {
    fn encode(value: &bool, out: &mut Vec<u8>) -> Result<(), CodecError> {
        out.push(u8::from(*value));
        Ok(())
    }
    fn decode(bytes: &[u8]) -> Result<bool, CodecError> {
        match fixed::<1>(bytes)? {
            [0] => Ok(false),
            [1] => Ok(true),
            [b] => Err(CodecError::new(format!("invalid bool byte {b:#04x}"))),
        }
    }
}

impl Codec<char> for Ordered {
    fn encode(value: &char, out: &mut Vec<u8>) -> Result<(), CodecError> {
        out.extend_from_slice(&u32::from(*value).to_be_bytes());
        Ok(())
    }
    fn decode(bytes: &[u8]) -> Result<char, CodecError> {
        let n = u32::from_be_bytes(fixed(bytes)?);
        char::from_u32(n).ok_or_else(|| CodecError::new(format!("invalid char {n:#x}")))
    }
}

impl Codec<String> for Ordered {
    fn encode(value: &String, out: &mut Vec<u8>) -> Result<(), CodecError> {
        Utf8::encode(value, out)
    }
    fn decode(bytes: &[u8]) -> Result<String, CodecError> {
        Utf8::decode(bytes)
    }
}

impl Codec<Vec<u8>> for Ordered {
    fn encode(value: &Vec<u8>, out: &mut Vec<u8>) -> Result<(), CodecError> {
        Raw::encode(value, out)
    }
    fn decode(bytes: &[u8]) -> Result<Vec<u8>, CodecError> {
        Raw::decode(bytes)
    }
}

impl OrderPreserving<bool> for Ordered {}
impl OrderPreserving<char> for Ordered {}
impl OrderPreserving<String> for Ordered {}
impl OrderPreserving<Vec<u8>> for Ordered {}

// ---------------------------------------------------------------- Bincode

/// Any serde type, in `bincode` 1.x's default format (little-endian fixed-width
/// integers, `u64` lengths).
///
/// The default for field types the derive does not recognise. Not
/// order-preserving.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bincode;

impl<T: Serialize + DeserializeOwned> Codec<T> for Bincode {
    fn encode(value: &T, out: &mut Vec<u8>) -> Result<(), CodecError> {
        bincode::serialize_into(out, value).map_err(|e| CodecError::new(format!("bincode: {e}")))
    }
    fn decode(bytes: &[u8]) -> Result<T, CodecError> {
        bincode::deserialize(bytes).map_err(|e| CodecError::new(format!("bincode: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::cmp::Ordering;
    use std::fmt;

    fn enc<C: Codec<T>, T>(v: &T) -> Vec<u8> {
        let mut out = Vec::new();
        C::encode(v, &mut out).unwrap();
        out
    }

    fn round_trip<C: Codec<T>, T: PartialEq + fmt::Debug>(v: T) {
        let bytes = enc::<C, T>(&v);
        assert_eq!(C::decode(&bytes).unwrap(), v);
    }

    #[test]
    fn java_compatible_bytes() {
        assert_eq!(enc::<BigEndian, bool>(&true), [0xFF]);
        assert_eq!(enc::<BigEndian, bool>(&false), [0x00]);
        assert!(<BigEndian as Codec<bool>>::decode(&[0x01]).unwrap());
        assert!(!<BigEndian as Codec<bool>>::decode(&[0x00]).unwrap());
        assert!(<BigEndian as Codec<bool>>::decode(&[]).is_err());
        assert_eq!(enc::<BigEndian, i16>(&-1), [0xFF, 0xFF]);
        assert_eq!(enc::<BigEndian, i32>(&1), [0, 0, 0, 1]);
        assert_eq!(
            enc::<BigEndian, i64>(&-2),
            [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE]
        );
        // Java: Bytes.toBytes(1.5d) = 0x3FF8000000000000
        assert_eq!(enc::<BigEndian, f64>(&1.5), [0x3F, 0xF8, 0, 0, 0, 0, 0, 0]);
        // Java: Bytes.toBytes(1.5f) = 0x3FC00000
        assert_eq!(enc::<BigEndian, f32>(&1.5), [0x3F, 0xC0, 0, 0]);
        assert_eq!(enc::<Utf8, String>(&"é".to_owned()), [0xC3, 0xA9]);
        assert_eq!(enc::<Counter, i64>(&5), [0, 0, 0, 0, 0, 0, 0, 5]);
    }

    #[test]
    fn wrong_widths_are_errors() {
        let e = <BigEndian as Codec<i32>>::decode(&[1, 2, 3]).unwrap_err();
        assert_eq!(e.to_string(), "expected 4 bytes, found 3");
        assert!(<Ordered as Codec<f64>>::decode(&[0; 9]).is_err());
        assert!(<Raw as Codec<[u8; 16]>>::decode(&[0; 15]).is_err());
        assert!(<Counter as Codec<i64>>::decode(b"abc").is_err());
        assert!(<Utf8 as Codec<String>>::decode(&[0xFF, 0xFE]).is_err());
        assert!(<Ordered as Codec<bool>>::decode(&[2]).is_err());
        assert!(<Ordered as Codec<char>>::decode(&0xD800u32.to_be_bytes()).is_err());
        assert!(<Bincode as Codec<(u64, String)>>::decode(&[1, 2]).is_err());
    }

    #[test]
    fn ordered_float_specials() {
        let vals = [
            f64::NEG_INFINITY,
            -1.0,
            -f64::MIN_POSITIVE,
            -0.0,
            0.0,
            f64::MIN_POSITIVE,
            1.0,
            f64::INFINITY,
            f64::NAN,
        ];
        for w in vals.windows(2) {
            assert!(
                enc::<Ordered, f64>(&w[0]) < enc::<Ordered, f64>(&w[1]),
                "{w:?}"
            );
        }
        assert!(
            <Ordered as Codec<f64>>::decode(&enc::<Ordered, f64>(&f64::NAN))
                .unwrap()
                .is_nan()
        );
    }

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Address {
        street: String,
        number: u16,
        tags: Vec<String>,
    }

    fn ordered_like<C, T>(a: T, b: T, cmp: impl Fn(&T, &T) -> Ordering)
    where
        C: OrderPreserving<T>,
    {
        assert_eq!(enc::<C, T>(&a).cmp(&enc::<C, T>(&b)), cmp(&a, &b));
    }

    macro_rules! round_trip_props {
        ($($name:ident: $codec:ty, $t:ty;)*) => {
            proptest! {
                $(
                    #[test]
                    fn $name(v in any::<$t>()) {
                        round_trip::<$codec, $t>(v);
                    }
                )*
            }
        };
    }

    round_trip_props! {
        rt_raw_vec: Raw, Vec<u8>;
        rt_raw_arr: Raw, [u8; 16];
        rt_utf8: Utf8, String;
        rt_be_i8: BigEndian, i8;
        rt_be_i16: BigEndian, i16;
        rt_be_i32: BigEndian, i32;
        rt_be_i64: BigEndian, i64;
        rt_be_i128: BigEndian, i128;
        rt_be_u8: BigEndian, u8;
        rt_be_u16: BigEndian, u16;
        rt_be_u32: BigEndian, u32;
        rt_be_u64: BigEndian, u64;
        rt_be_u128: BigEndian, u128;
        rt_be_bool: BigEndian, bool;
        rt_counter: Counter, i64;
        rt_ord_i8: Ordered, i8;
        rt_ord_i16: Ordered, i16;
        rt_ord_i32: Ordered, i32;
        rt_ord_i64: Ordered, i64;
        rt_ord_i128: Ordered, i128;
        rt_ord_u16: Ordered, u16;
        rt_ord_u64: Ordered, u64;
        rt_ord_bool: Ordered, bool;
        rt_ord_char: Ordered, char;
        rt_ord_string: Ordered, String;
        rt_ord_bytes: Ordered, Vec<u8>;
        rt_bincode_tuple: Bincode, (u64, String, Option<i32>);
    }

    proptest! {
        #[test]
        fn rt_box_and_bytes(v in any::<Vec<u8>>(), s in any::<String>()) {
            round_trip::<Raw, Box<[u8]>>(v.clone().into_boxed_slice());
            round_trip::<Raw, bytes::Bytes>(bytes::Bytes::from(v));
            round_trip::<Utf8, Box<str>>(s.into_boxed_str());
        }

        #[test]
        fn rt_floats_bitwise(a in any::<f64>(), b in any::<f32>()) {
            // NaN != NaN: compare bits.
            let d = <BigEndian as Codec<f64>>::decode(&enc::<BigEndian, f64>(&a)).unwrap();
            prop_assert_eq!(d.to_bits(), a.to_bits());
            let d = <BigEndian as Codec<f32>>::decode(&enc::<BigEndian, f32>(&b)).unwrap();
            prop_assert_eq!(d.to_bits(), b.to_bits());
            let d = <Ordered as Codec<f64>>::decode(&enc::<Ordered, f64>(&a)).unwrap();
            prop_assert_eq!(d.to_bits(), a.to_bits());
            let d = <Ordered as Codec<f32>>::decode(&enc::<Ordered, f32>(&b)).unwrap();
            prop_assert_eq!(d.to_bits(), b.to_bits());
        }

        #[test]
        fn rt_bincode_struct(street in any::<String>(), number in any::<u16>(), tags in any::<Vec<String>>()) {
            round_trip::<Bincode, Address>(Address { street, number, tags });
        }

        #[test]
        fn java_be_is_big_endian_twos_complement(v in any::<i64>()) {
            prop_assert_eq!(enc::<BigEndian, i64>(&v), v.to_be_bytes().to_vec());
        }

        #[test]
        fn order_ordered_ints(a in any::<i64>(), b in any::<i64>(), c in any::<i8>(), d in any::<i8>(),
                              e in any::<i128>(), f in any::<i128>(), g in any::<u32>(), h in any::<u32>()) {
            ordered_like::<Ordered, i64>(a, b, Ord::cmp);
            ordered_like::<Ordered, i8>(c, d, Ord::cmp);
            ordered_like::<Ordered, i128>(e, f, Ord::cmp);
            ordered_like::<Ordered, u32>(g, h, Ord::cmp);
            ordered_like::<BigEndian, u32>(g, h, Ord::cmp);
        }

        #[test]
        fn order_ordered_floats(a in any::<f64>(), b in any::<f64>(), c in any::<f32>(), d in any::<f32>()) {
            ordered_like::<Ordered, f64>(a, b, f64::total_cmp);
            ordered_like::<Ordered, f32>(c, d, f32::total_cmp);
        }

        #[test]
        fn order_bytes_strings_chars(a in any::<String>(), b in any::<String>(),
                                     x in any::<Vec<u8>>(), y in any::<Vec<u8>>(),
                                     c in any::<char>(), d in any::<char>(), p in any::<bool>(), q in any::<bool>()) {
            ordered_like::<Utf8, String>(a.clone(), b.clone(), Ord::cmp);
            ordered_like::<Ordered, String>(a, b, Ord::cmp);
            ordered_like::<Raw, Vec<u8>>(x.clone(), y.clone(), Ord::cmp);
            ordered_like::<Ordered, Vec<u8>>(x, y, Ord::cmp);
            ordered_like::<Ordered, char>(c, d, Ord::cmp);
            ordered_like::<Ordered, bool>(p, q, Ord::cmp);
            ordered_like::<BigEndian, bool>(p, q, Ord::cmp);
        }
    }
}
