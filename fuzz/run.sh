#!/usr/bin/env bash
# Runs every fuzz target for a bounded time, one after the other.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to 60; the targets default to all four. Prints
# the executions of each target. Exits non-zero when a target crashes (a
# panic, a sanitizer report, a hang past libFuzzer's timeout), after printing
# the crashing input's path under fuzz/artifacts/<target>/.
#
# The toolchain is stable: cargo-fuzz's nightly flags are enabled with
# RUSTC_BOOTSTRAP=1. Set FUZZ_SANITIZER=none to build without AddressSanitizer.
set -euo pipefail

cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(emulator_request filter_parser client_response row_key)
fi
sanitizer="${FUZZ_SANITIZER:-address}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

export RUSTC_BOOTSTRAP=1
cargo fuzz build -O -s "$sanitizer"

mkdir -p fuzz/logs
status=0
summary=()
for target in "${targets[@]}"; do
    log="fuzz/logs/$target.log"
    echo "== $target: ${seconds}s" >&2
    dict=()
    if [ -f "fuzz/dicts/$target.dict" ]; then
        dict=(-dict="fuzz/dicts/$target.dict")
    fi
    set +e
    cargo fuzz run -O -s "$sanitizer" "$target" -- \
        -max_total_time="$seconds" -timeout=60 -rss_limit_mb=4096 \
        -print_final_stats=1 "${dict[@]}" >"$log" 2>&1
    rc=$?
    set -e
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    if [ -z "$execs" ]; then
        execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
    fi
    corpus=$(find "fuzz/corpus/$target" -type f 2>/dev/null | wc -l)
    if [ "$rc" -eq 0 ]; then
        line="$target: ${execs:-?} executions in ${seconds}s, corpus $corpus, no crash"
    else
        status=1
        artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
        line="$target: CRASH after ${execs:-?} executions (exit $rc); input: ${artifact:-see $log}"
        grep -m 5 -E "panicked at|ERROR: (AddressSanitizer|libFuzzer)" "$log" >&2 || true
    fi
    echo "$line" >&2
    summary+=("$line")
done

echo
printf '%s\n' "${summary[@]}"
exit "$status"
