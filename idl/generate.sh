#!/usr/bin/env bash
# Regenerates idl/src/hbase.rs from idl/thrift/hbase.thrift.
#
#   idl/generate.sh           write the generated file
#   idl/generate.sh --check   fail when the committed file differs
#
# Needs Debian's thrift-compiler 0.17 (`apt-get install thrift-compiler`).
# The compiler's output is post-processed (the awk pass below) so that the
# per-method argument and result structs, their fields and their read/write
# functions are public (the async client and the emulator encode and decode
# them directly), and so that an argument a client leaves out reads as its
# default instead of failing the call, as on the Java gateway.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/src/hbase.rs"
want_version="0.17.0"

command -v thrift >/dev/null || { echo "generate.sh: thrift compiler not found (apt-get install thrift-compiler)" >&2; exit 2; }
have_version="$(thrift --version | awk '{print $3}')"
if [ "$have_version" != "$want_version" ]; then
  echo "generate.sh: thrift $want_version required, found $have_version" >&2
  exit 2
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
thrift --gen rs -out "$tmp" "$here/thrift/hbase.thrift"

{
  echo "// DO NOT EDIT: generated from idl/thrift/hbase.thrift by idl/generate.sh"
  echo "// (Thrift compiler $want_version, then made public by the script's awk pass)."
  awk '
    # Inside a generated "struct HbaseXxxArgs/Result {" block, make the struct
    # and its fields public.
    /^struct Hbase[A-Za-z]*(Args|Result) \{/ { sub(/^struct /, "pub struct "); in_struct = 1; print; next }
    in_struct && /^\}/ { in_struct = 0; print; next }
    in_struct && /^  [a-z_0-9]+: / { sub(/^  /, "  pub "); print; next }
    # Inside their impl blocks, make the codec functions public.
    /^impl Hbase[A-Za-z]*(Args|Result) \{/ { in_impl = 1; in_args = ($0 ~ /Args \{/ && $0 !~ /Hbase(Grant|Revoke)Args/); print; next }
    in_impl && /^\}/ { in_impl = 0; in_args = 0; print; next }
    in_impl && /^  fn (read_from_in_protocol|write_to_out_protocol|ok_or)\(/ { sub(/^  fn /, "  pub fn "); print; next }
    # An argument the caller left out is read as its default (empty bytes,
    # empty list or map, zero), as the Java gateway reads a missing field as
    # null or zero; the compiler would otherwise reject the whole call.
    # (grant and revoke keep their check: their argument is declared required.)
    in_impl && in_args && /verify_required_field_exists\(/ { next }
    in_impl && in_args && /\.expect\("auto-generated code should have checked for presence of required fields"\)/ {
      sub(/\.expect\("auto-generated code should have checked for presence of required fields"\)/, ".unwrap_or_default()"); print; next
    }
    { print }
  ' "$tmp/hbase.rs"
} > "$tmp/out.rs"

if [ "${1:-}" = "--check" ]; then
  if ! diff -u "$out" "$tmp/out.rs" > "$tmp/diff"; then
    echo "idl/src/hbase.rs is out of date: run idl/generate.sh" >&2
    head -50 "$tmp/diff" >&2
    exit 1
  fi
  echo "idl/src/hbase.rs is up to date"
else
  cp "$tmp/out.rs" "$out"
  echo "wrote $out"
fi
