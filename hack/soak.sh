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
python3 - "$config" <<'PY'
import json, sys
r = json.load(open(".build/soak.json"))
rss, fds = r["rssMiB"], r["openFileDescriptors"]
growth = rss.get("growthPercent") or 0.0
# Descriptors come and go with pooled connections (to Sysdig, from the load): growth means
# ending above everything seen in the first half of the run.
half = [x["openFileDescriptors"] for x in r["samples"] if x["seconds"] <= r["durationSeconds"] / 2 and x["openFileDescriptors"] is not None]
fd_ceiling = max(half) if half else fds["afterWarmup"]
goals = [
    ("unexpected answers", "0", str(r["unexpected"]), r["unexpected"] == 0),
    ("RSS growth after warm-up", "< 10%", f'{rss["afterWarmup"]:.1f} -> {rss["end"]:.1f} MiB ({growth:+.1f}%)', growth < 10),
    ("open descriptors", "no growth (end ≤ max of the first half)",
     f'{fds["afterWarmup"]:.0f} -> {fds["end"]:.0f} (first-half max {fd_ceiling:.0f}, max {fds["max"]:.0f})', fds["end"] <= fd_ceiling),
    ("adapter never exited", "yes", "yes" if r["adapterAlwaysRunning"] else "no", r["adapterAlwaysRunning"] and r["adapterExitStatus"] == 0),
]
print(f'\nSoak ({sys.argv[1]} build): {r["durationSeconds"]:.0f} s at {r["achievedRate"]:.0f} req/s '
      f'(target {r["targetRate"]:.0f}, max measured {r["maxRateMeasured"]:.0f}), {r["totalRequests"]} requests '
      f'{r["answersByCode"]}, {len(r["faultBursts"])} fault bursts, churn {r["churnActions"]}, '
      f'p50 {r["latencyMs"]["p50"]:.2f} ms, p99 {r["latencyMs"]["p99"]:.2f} ms', file=sys.stderr)
print("| Goal | Target | Measured | Met |\n|---|---|---|---|", file=sys.stderr)
for name, target, measured, met in goals:
    print(f"| {name} | {target} | {measured} | {'yes' if met else 'no'} |", file=sys.stderr)
for example in r["unexpectedExamples"]:
    print(f"unexpected: {example}", file=sys.stderr)
sys.exit(0 if all(g[3] for g in goals) else 1)
PY
