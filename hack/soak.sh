#!/usr/bin/env bash
# Soak (issue 7, long-running, not in CI): the adapter in files mode for DURATION
# seconds (default 600) at 80% of the rate measured in a warm-up, with mapping churn
# every 15 s and a Sysdig fault burst (500s, 429 with Retry-After, delays past the
# deadline) every 40 s; RSS and open descriptors sampled every 5 s.
#
#   hack/soak.sh [DURATION] [extra sysdig-adapter-bench soak flags, e.g. --rate 500]
#   CONFIG=debug hack/soak.sh 60     # the debug build (no release build needed)
#   SWIFT_BUILD_ARGS="--static-swift-stdlib --build-path .build-release" hack/soak.sh   # the image's build
#
# Prints the full JSON result (with every sample) to stdout and writes it to
# .build/soak.json, then a short summary that says whether each goal was met:
# zero unexpected answers, RSS growth < 10% after warm-up, no descriptor growth,
# the adapter never exited.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-600}"
shift || true
config="${CONFIG:-release}"
# Extra `swift build` arguments, e.g. SWIFT_BUILD_ARGS="--static-swift-stdlib --build-path .build-release".
read -r -a build_args <<<"-c $config ${SWIFT_BUILD_ARGS:-}"
swift build "${build_args[@]}" --product sysdig-adapter >&2
swift build "${build_args[@]}" --product sysdig-adapter-bench >&2
bin="$(swift build "${build_args[@]}" --show-bin-path)"
"$bin/sysdig-adapter-bench" soak --duration "$duration" --adapter "$bin/sysdig-adapter" "$@" | tee .build/soak.json
python3 hack/bench/soak_report.py .build/soak.json "$config${SWIFT_BUILD_ARGS:+ ($SWIFT_BUILD_ARGS)}" "$duration"
