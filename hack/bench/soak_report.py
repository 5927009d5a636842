#!/usr/bin/env python3
"""Summarises a `sysdig-adapter-bench soak` JSON result: prints a goal table and writes SOAK.md.

    hack/bench/soak_report.py RESULT.json BUILD DURATION

Exits 1 when a goal is missed."""
import datetime, json, os, sys
r = json.load(open(sys.argv[1]))
build, duration = sys.argv[2], sys.argv[3]
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
lines = []
lines.append(f'Soak ({build} build): {r["durationSeconds"]:.0f} s at {r["achievedRate"]:.0f} req/s '
      f'(target {r["targetRate"]:.0f}, max measured {r["maxRateMeasured"]:.0f}), {r["totalRequests"]} requests '
      f'{r["answersByCode"]}, {len(r["faultBursts"])} fault bursts, churn {r["churnActions"]}, '
      f'p50 {r["latencyMs"]["p50"]:.2f} ms, p99 {r["latencyMs"]["p99"]:.2f} ms')
lines += ["", "| Goal | Target | Measured | Met |", "|---|---|---|---|"]
for name, target, measured, met in goals:
    lines.append(f"| {name} | {target} | {measured} | {'yes' if met else 'no'} |")
for example in r["unexpectedExamples"]:
    lines.append(f"- unexpected: {example}")
print("\n" + "\n".join(lines), file=sys.stderr)
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
with open("SOAK.md", "w") as f:
    f.write("# Soak\n\n")
    f.write(f"Written by `hack/soak.sh {duration}` on {now}, {os.cpu_count()} cores: the adapter in files mode at 80% of "
            "the maximum rate measured in a warm-up (16 keep-alive connections; cached by-name, selector and external "
            "queries), a mapping file added, removed, rewritten or broken every 15 s, and a 5 s Sysdig fault burst "
            "(500s, then 429 with Retry-After, then delays past the deadline) every 40 s. RSS and open descriptors "
            "are sampled every 5 s. Expected answers: 200, 404 for churned-away aliases, 500/503 Status answers "
            "during a burst and shortly after it. Not run in CI.\n\n")
    f.write("\n".join(lines) + "\n")
sys.exit(0 if all(g[3] for g in goals) else 1)
