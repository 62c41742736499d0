#!/usr/bin/env bash
# The benchmark in one command, from anywhere:
#   bench/run.sh                  # the full run: 100k rows, 10k gets, every peer
#   bench/run.sh --quick          # a small smoke run
#   bench/run.sh --help           # every flag (--rows, --gets, --peers, --rounds, ...)
# Creates target/bench-venv with happybase 1.3.0 when missing, builds the
# emulator and the bench in release mode, and runs the bench.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
target="${CARGO_TARGET_DIR:-target}"
venv="$target/bench-venv"
if ! "$venv/bin/python" -c 'import happybase' >/dev/null 2>&1; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check happybase==1.3.0
fi
cargo build --release -q -p hbase-emulator --bin hbase-emulator
cargo build --release -q -p hbase-orm-bench
emulator=(--emulator "$target/release/hbase-emulator")
for arg in "$@"; do
  case "$arg" in --addr|--addr=*) emulator=() ;; esac
done
exec "$target/release/hbase-orm-bench" ${emulator[@]+"${emulator[@]}"} \
  --python "$venv/bin/python" "$@"
