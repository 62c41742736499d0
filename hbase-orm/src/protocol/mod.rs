//! The HBase Thrift1 protocol without I/O: the table of gateway methods with
//! their retry classes ([`method`]) and the one-pass decoder of the replies
//! that carry rows ([`rows`]), and the binary protocol's writers of the
//! requests written most ([`binary`]).
//!
//! Everything here works on bytes in memory; the network layer moves them.
//! It may use the value types and the `hbase-orm-idl` crate, nothing else of
//! this crate.

pub(crate) mod binary;
pub(crate) mod method;
pub(crate) mod places;
pub(crate) mod rows;

pub(crate) use method::{Method, Retry};

/// Implements [`Method`] for the generated argument structs of a Thrift
/// service whose replies the generated readers decode, one row a method:
/// `module; Args => Result, "name", Retry, Output;`, where `module` is the
/// generated module (in scope where the macro is called) holding both
/// structs. The caller's scope must also name `thrift`, `TInputProtocol`
/// and `TOutputProtocol`.
macro_rules! generated_methods {
    ($module:ident; $($args:ident => $result:ident, $name:literal, $retry:ident, $out:ty;)*) => {$(
        impl $crate::protocol::Method for $module::$args {
            const NAME: &'static str = $name;
            const RETRY: $crate::protocol::Retry = $crate::protocol::Retry::$retry;
            type Output = $out;
            fn write(&self, o: &mut dyn TOutputProtocol) -> thrift::Result<()> {
                self.write_to_out_protocol(o)
            }
            fn read(i: &mut dyn TInputProtocol) -> thrift::Result<$out> {
                $module::$result::read_from_in_protocol(i)?.ok_or()
            }
        }
    )*};
}
pub(crate) use generated_methods;
