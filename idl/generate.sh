#!/usr/bin/env bash
# Regenerates the Rust bindings in idl/src/ from the IDL files in idl/thrift/:
#   hbase.thrift  (Thrift1, service Hbase)          -> idl/src/hbase.rs
#   hbase2.thrift (Thrift2, service THBaseService)  -> idl/src/hbase2.rs
#   accumulo.thrift (Accumulo Proxy 1.x, service AccumuloProxy) -> idl/src/accumulo.rs
#
#   idl/generate.sh           write the generated files
#   idl/generate.sh --check   fail when a committed file differs
#
# Needs Debian's thrift-compiler 0.17 (`apt-get install thrift-compiler`).
# The compiler's output is post-processed (the awk pass below) so that the
# per-method argument and result structs, their fields and their read/write
# functions are public (the async client and the emulator encode and decode
# them directly), and so that an argument a client leaves out reads as its
# default instead of failing the call, as on the Java gateway (an argument
# whose type has no default, a struct with required fields, stays required).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
want_version="0.17.0"

command -v thrift >/dev/null || { echo "generate.sh: thrift compiler not found (apt-get install thrift-compiler)" >&2; exit 2; }
have_version="$(thrift --version | awk '{print $3}')"
if [ "$have_version" != "$want_version" ]; then
  echo "generate.sh: thrift $want_version required, found $have_version" >&2
  exit 2
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
status=0

# generate NAME SERVICE: idl/thrift/NAME.thrift -> idl/src/NAME.rs, where
# SERVICE is the name of the IDL's service (the prefix of its Args/Result
# structs).
generate() {
  local name="$1" svc="$2"
  local out="$here/src/$name.rs"
  mkdir -p "$tmp/$name"
  thrift --gen rs -out "$tmp/$name" "$here/thrift/$name.thrift"
  {
    echo "// DO NOT EDIT: generated from idl/thrift/$name.thrift by idl/generate.sh"
    echo "// (Thrift compiler $want_version, then made public by the script's awk pass)."
    awk -v svc="$svc" '
      # First pass: the types that have no Default (structs with required
      # fields, enums, unions); an argument of such a type stays required.
      NR == FNR {
        if (match($0, /^pub (struct|enum) [A-Za-z0-9_]+/)) {
          t = substr($0, RSTART, RLENGTH); sub(/^pub (struct|enum) /, "", t); nodefault[t] = 1
        }
        if (match($0, /^impl Default for [A-Za-z0-9_]+/)) {
          t = substr($0, RSTART, RLENGTH); sub(/^impl Default for /, "", t); hasdefault[t] = 1
        }
        next
      }
      # Inside a generated "struct <Service>Xxx(Args|Result) {" block, make
      # the struct and its fields public.
      $0 ~ ("^struct " svc "[A-Za-z]*(Args|Result) \\{") { sub(/^struct /, "pub struct "); in_struct = 1; print; next }
      in_struct && /^\}/ { in_struct = 0; print; next }
      in_struct && /^  [a-z_0-9]+: / { sub(/^  /, "  pub "); print; next }
      # Inside their impl blocks, make the codec functions public.
      $0 ~ ("^impl " svc "[A-Za-z]*(Args|Result) \\{") { in_impl = 1; in_args = ($0 ~ /Args \{/); delete keep; print; next }
      in_impl && /^\}/ { in_impl = 0; in_args = 0; print; next }
      in_impl && /^  fn (read_from_in_protocol|write_to_out_protocol|ok_or)\(/ { sub(/^  fn /, "  pub fn "); print; next }
      # An argument the caller left out is read as its default (empty bytes,
      # empty list or map, zero), as the Java gateway reads a missing field as
      # null or zero; the compiler would otherwise reject the whole call.
      in_impl && in_args && match($0, /let mut f_[0-9]+: Option<[A-Za-z0-9_]+>/) {
        v = substr($0, RSTART + 8, RLENGTH - 8); f = v; sub(/:.*/, "", f)
        t = v; sub(/^[^<]*</, "", t); sub(/>$/, "", t)
        if ((t in nodefault) && !(t in hasdefault)) keep[f] = 1
      }
      in_impl && in_args && match($0, /verify_required_field_exists\(".*", &f_[0-9]+\)/) {
        f = substr($0, RSTART, RLENGTH); sub(/.*&/, "", f); sub(/\)$/, "", f)
        if (!(f in keep)) next
      }
      in_impl && in_args && match($0, /f_[0-9]+\.expect\("auto-generated code should have checked for presence of required fields"\)/) {
        f = substr($0, RSTART, RLENGTH); sub(/\..*/, "", f)
        if (!(f in keep)) sub(/\.expect\("auto-generated code should have checked for presence of required fields"\)/, ".unwrap_or_default()")
        print; next
      }
      { print }
    ' "$tmp/$name/$name.rs" "$tmp/$name/$name.rs"
  } > "$tmp/$name/out.rs"

  if [ "$check" = 1 ]; then
    if ! diff -u "$out" "$tmp/$name/out.rs" > "$tmp/$name/diff"; then
      echo "idl/src/$name.rs is out of date: run idl/generate.sh" >&2
      head -50 "$tmp/$name/diff" >&2
      status=1
    else
      echo "idl/src/$name.rs is up to date"
    fi
  else
    cp "$tmp/$name/out.rs" "$out"
    echo "wrote $out"
  fi
}

check=0
if [ "${1:-}" = "--check" ]; then check=1; fi
generate hbase Hbase
generate hbase2 THBaseService
generate accumulo AccumuloProxy
exit "$status"
