#!/usr/bin/env bash
# Builds the libFuzzer harness (Tests/Fuzz) with the address sanitizer and runs every
# target for a bounded time; exits 1 when any target crashes (an invariant violation,
# a trap or a sanitizer report). Crash inputs land in .build-fuzz/artifacts/.
#
#   hack/fuzz.sh [seconds-per-target] [target...]     (default 30 s, every target)
#   FUZZ_EXTRA="-seed=1" hack/fuzz.sh 20              (extra libFuzzer flags; CI pins the seed)
#
# Targets: scope label-selector quantity mapping promql-template sysdig-data prometheus.
# New interesting inputs accumulate in .build-fuzz/corpus/<target>/ (not committed);
# the committed seeds in Tests/Fuzz/corpus/<target>/ are only read.
#
# SwiftPM links executables with `--defsym main=<module>_main`, so the harness owns
# main and starts libFuzzer through LLVMFuzzerRunDriver; gold crashes on that link
# ("internal error in format_file_lineno"), hence lld.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-30}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(scope label-selector quantity mapping promql-template sysdig-data prometheus)
fi

scratch=.build-fuzz
echo "fuzz: building SysdigAdapterFuzz with -sanitize=fuzzer,address in $scratch"
build_start=$(date +%s)
mkdir -p "$scratch"
if ! swift build -c debug --product SysdigAdapterFuzz --scratch-path "$scratch" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld > "$scratch/build.log" 2>&1; then
    grep -v "Cannot export local symbol" "$scratch/build.log" | tail -40 >&2
    echo "fuzz: the fuzzer build failed (log: $scratch/build.log)" >&2
    exit 1
fi
binary="$scratch/debug/SysdigAdapterFuzz"
echo "fuzz: built in $(( $(date +%s) - build_start )) s"

# The Swift backtracer reads the crashed stack from another thread, which ASan
# reports as a second error; libFuzzer prints the stack itself. Leaks are not findings.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:handle_abort=1}"

failed=()
summary=()
for target in "${targets[@]}"; do
    work="$scratch/corpus/$target"
    artifacts="$scratch/artifacts/$target"
    log="$scratch/logs/$target.log"
    mkdir -p "$work" "$artifacts" "$(dirname "$log")"
    echo "fuzz: $target for ${seconds}s"
    status=0
    "$binary" --target="$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" ${FUZZ_EXTRA:-} "$work" "Tests/Fuzz/corpus/$target" \
        > "$log" 2>&1 || status=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    cov=$(echo "$last" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*' || echo "?")
    ft=$(echo "$last" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*' || echo "?")
    corpus=$(echo "$last" | grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' | cut -d' ' -f2 || echo "?")
    if [ "$status" -ne 0 ]; then
        failed+=("$target")
        summary+=("$(printf '%-16s CRASH (exit %s) after %s runs; see %s' "$target" "$status" "$runs" "$log")")
        grep -E 'invariant violated|Fatal error|ERROR: (AddressSanitizer|libFuzzer)|Test unit written' "$log" | head -5 >&2 || true
    else
        summary+=("$(printf '%-16s ok  runs %-10s cov %-6s ft %-6s corpus %s' "$target" "$runs" "$cov" "$ft" "$corpus")")
    fi
done

echo "fuzz: summary (${seconds}s per target)"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -ne 0 ]; then
    echo "fuzz: crashes in: ${failed[*]}" >&2
    exit 1
fi
