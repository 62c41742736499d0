//! The row-key codec: typed components encoded then decoded come back equal,
//! byte order is tuple order for pairs, and any bytes decode to a value or an
//! error (never a panic); bytes that decode whole re-encode to themselves.
//!
//! Input: the first byte picks the key types, the rest are the components'
//! bytes (the fixed-size components first, the variable ones split at the
//! first `0xAA` byte), or the bytes to decode.

#![no_main]

use hbase_orm::row_key::{EncodeKey, KeyComponent};
use hbase_orm_fuzz::seed_corpus;
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: seed_corpus(seeds),
    |data: &[u8]| {
        let Some((&kind, rest)) = data.split_first() else {
            return;
        };
        match kind % 12 {
            0 => pair::<String, u32>(rest),
            1 => pair::<i64, Vec<u8>>(rest),
            2 => pair::<Vec<u8>, String>(rest),
            3 => pair::<f64, i16>(rest),
            4 => pair::<char, bool>(rest),
            5 => pair::<[u8; 3], f32>(rest),
            6 => pair::<u128, i128>(rest),
            7 => pair::<String, String>(rest),
            8 => pair::<i8, Vec<u8>>(rest),
            9 => {
                decode_bytes::<(String, u32, Vec<u8>)>(rest);
                decode_bytes::<(i64, bool, char)>(rest);
                decode_bytes::<(Vec<u8>, String, f64)>(rest);
            }
            10 => {
                decode_bytes::<String>(rest);
                decode_bytes::<(String, String)>(rest);
                decode_bytes::<(Vec<u8>, Vec<u8>, Vec<u8>)>(rest);
            }
            _ => {
                decode_bytes::<(f32, [u8; 2], i32)>(rest);
                decode_bytes::<(bool, Vec<u8>)>(rest);
                decode_bytes::<(char, String)>(rest);
            }
        }
    }
);

/// A key type the target can build from bytes, encode, decode and compare.
trait Key: Sized {
    /// Builds a value from the front of `input`; `None` when it is short.
    fn take(input: &mut &[u8]) -> Option<Self>;
    /// Compares two values in the order the encoding must keep.
    fn order(&self, other: &Self) -> std::cmp::Ordering;
    /// Whether two values are the same (bit-for-bit for floats).
    fn same(&self, other: &Self) -> bool {
        self.order(other).is_eq()
    }
}

fn take_n<const N: usize>(input: &mut &[u8]) -> Option<[u8; N]> {
    let (head, rest) = input.split_first_chunk::<N>()?;
    *input = rest;
    Some(*head)
}

macro_rules! int_key {
    ($($t:ty),*) => {$(
        impl Key for $t {
            fn take(input: &mut &[u8]) -> Option<Self> {
                take_n(input).map(<$t>::from_le_bytes)
            }
            fn order(&self, other: &Self) -> std::cmp::Ordering {
                self.cmp(other)
            }
        }
    )*};
}
int_key!(u32, i64, i16, u128, i128, i8, i32);

macro_rules! float_key {
    ($($t:ty),*) => {$(
        impl Key for $t {
            fn take(input: &mut &[u8]) -> Option<Self> {
                take_n(input).map(<$t>::from_le_bytes)
            }
            fn order(&self, other: &Self) -> std::cmp::Ordering {
                self.total_cmp(other)
            }
        }
    )*};
}
float_key!(f32, f64);

impl Key for bool {
    fn take(input: &mut &[u8]) -> Option<Self> {
        take_n::<1>(input).map(|[b]| b & 1 == 1)
    }
    fn order(&self, other: &Self) -> std::cmp::Ordering {
        self.cmp(other)
    }
}

impl Key for char {
    fn take(input: &mut &[u8]) -> Option<Self> {
        take_n(input)
            .map(u32::from_le_bytes)
            .map(|n| char::from_u32(n % 0x11_0000).unwrap_or('\u{FFFD}'))
    }
    fn order(&self, other: &Self) -> std::cmp::Ordering {
        self.cmp(other)
    }
}

impl Key for [u8; 3] {
    fn take(input: &mut &[u8]) -> Option<Self> {
        take_n(input)
    }
    fn order(&self, other: &Self) -> std::cmp::Ordering {
        self.cmp(other)
    }
}

/// Takes bytes up to the next `0xAA` (or all).
fn take_var(input: &mut &[u8]) -> Vec<u8> {
    let end = input.iter().position(|&b| b == 0xAA).unwrap_or(input.len());
    let head = input[..end].to_vec();
    *input = input.get(end + 1..).unwrap_or(&[]);
    head
}

impl Key for Vec<u8> {
    fn take(input: &mut &[u8]) -> Option<Self> {
        Some(take_var(input))
    }
    fn order(&self, other: &Self) -> std::cmp::Ordering {
        self.cmp(other)
    }
}

impl Key for String {
    fn take(input: &mut &[u8]) -> Option<Self> {
        Some(String::from_utf8_lossy(&take_var(input)).into_owned())
    }
    fn order(&self, other: &Self) -> std::cmp::Ordering {
        self.cmp(other)
    }
}

fn encode<A: KeyComponent, B: KeyComponent>(a: &A, b: &B) -> Vec<u8> {
    let mut out = Vec::new();
    EncodeKey::<(A, B)>::encode_key(&(a, b), &mut out);
    out
}

/// Two pairs built from the input: each round-trips, and their encodings
/// compare as the pairs do.
fn pair<A: Key + KeyComponent, B: Key + KeyComponent>(mut input: &[u8]) {
    let (Some(a1), Some(b1), Some(a2), Some(b2)) = (
        A::take(&mut input),
        B::take(&mut input),
        A::take(&mut input),
        B::take(&mut input),
    ) else {
        return;
    };
    let k1 = encode(&a1, &b1);
    let k2 = encode(&a2, &b2);
    for (key, a, b) in [(&k1, &a1, &b1), (&k2, &a2, &b2)] {
        let mut rest = &key[..];
        let da = A::decode_key(&mut rest, false).expect("a first component decodes");
        let db = B::decode_key(&mut rest, true).expect("a last component decodes");
        assert!(rest.is_empty(), "the whole key is read");
        assert!(da.same(a) && db.same(b), "round trip of {key:?}");
    }
    let typed = a1.order(&a2).then_with(|| b1.order(&b2));
    assert_eq!(k1.cmp(&k2), typed, "byte order of {k1:?} and {k2:?}");
}

/// Arbitrary bytes decoded as key `K`: a value or an error; a value that
/// used all the bytes encodes back to exactly those bytes.
fn decode_bytes<K: Decode>(input: &[u8]) {
    let mut rest = input;
    if let Ok(encoded) = K::decode_all(&mut rest) {
        if rest.is_empty() {
            assert_eq!(encoded, input, "decoded bytes re-encode to themselves");
        }
    }
}

/// Decodes a whole key and returns its encoding again.
trait Decode {
    fn decode_all(input: &mut &[u8]) -> Result<Vec<u8>, hbase_orm::codec::CodecError>;
}

impl Decode for String {
    fn decode_all(input: &mut &[u8]) -> Result<Vec<u8>, hbase_orm::codec::CodecError> {
        let s = String::decode_key(input, true)?;
        let mut out = Vec::new();
        EncodeKey::<String>::encode_key(&s, &mut out);
        Ok(out)
    }
}

impl<A: KeyComponent, B: KeyComponent> Decode for (A, B) {
    fn decode_all(input: &mut &[u8]) -> Result<Vec<u8>, hbase_orm::codec::CodecError> {
        let a = A::decode_key(input, false)?;
        let b = B::decode_key(input, true)?;
        let mut out = Vec::new();
        EncodeKey::<(A, B)>::encode_key(&(&a, &b), &mut out);
        Ok(out)
    }
}

impl<A: KeyComponent, B: KeyComponent, C: KeyComponent> Decode for (A, B, C) {
    fn decode_all(input: &mut &[u8]) -> Result<Vec<u8>, hbase_orm::codec::CodecError> {
        let a = A::decode_key(input, false)?;
        let b = B::decode_key(input, false)?;
        let c = C::decode_key(input, true)?;
        let mut out = Vec::new();
        EncodeKey::<(A, B, C)>::encode_key(&(&a, &b, &c), &mut out);
        Ok(out)
    }
}

/// Pairs of each kind, and bytes to decode.
fn seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    for kind in 0u8..12 {
        let mut seed = vec![kind];
        seed.extend_from_slice(b"ab\0c\xAA\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c");
        seed.extend_from_slice(b"ab\xAA\x00\x00\x00\x80\x11\x22\x33\x44\x55\x66\x77\x88\x99");
        seed.extend_from_slice(&[0x10; 40]);
        seeds.push(seed);
    }
    seeds.push(b"\x09tenant\0\0\0\0\0\x07payload".to_vec());
    seeds.push(b"\x0aa\0\xffb\0\0c".to_vec());
    seeds.push(b"\x0b\x80\0\0\0\x01\x02\x80\0\0\x05".to_vec());
    seeds
}
