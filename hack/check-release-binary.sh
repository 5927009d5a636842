#!/usr/bin/env bash
# What CI can check of the container image without a Docker engine
# (issue 6): the release binary builds like the Dockerfile builds it
# (--static-swift-stdlib), links only system C/C++ libraries (what the
# distroless runtime image has), and starts in files mode: it answers /readyz
# over TLS with a certificate from hack/gen-serving-cert.sh, writes JSON log
# lines, never logs the token, and exits 0 on SIGTERM.
#
# Builds into .build-release (separate from the debug build). Several minutes
# on 2 cores from scratch.
set -euo pipefail
cd "$(dirname "$0")/.."

build_path=.build-release
started=$(date +%s)
swift build -c release --static-swift-stdlib --product sysdig-adapter --build-path "$build_path"
echo "check-release-binary: release build took $(( $(date +%s) - started ))s"
binary="$(swift build -c release --build-path "$build_path" --show-bin-path)/sysdig-adapter"

# 1. Dynamic libraries: glibc, the GCC runtime and zlib (AsyncHTTPClient's
# decompression, through NIOExtras; the Dockerfile copies it into the image).
# Anything else — libswiftCore, libFoundation, libdispatch... — means the Swift
# runtime was not linked statically and the image would not start.
allowed='^(linux-vdso\.so\.1|linux-gate\.so\.1|ld-linux[-a-z0-9_.]*\.so\.[0-9]+|libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libutil\.so\.1|libresolv\.so\.2|libgcc_s\.so\.1|libstdc\+\+\.so\.6|libz\.so\.1)$'
libraries=$(ldd "$binary" | awk '{print $1}' | xargs -n1 basename)
echo "check-release-binary: linked libraries:" $libraries
unexpected=$(grep -Ev "$allowed" <<<"$libraries" || true)
if ldd "$binary" | grep -q "not found"; then
    echo "check-release-binary: unresolved libraries:" >&2
    ldd "$binary" | grep "not found" >&2
    exit 1
fi
if [[ -n "$unexpected" ]]; then
    echo "check-release-binary: links libraries the runtime image does not have (Swift runtime not static?):" >&2
    echo "$unexpected" >&2
    exit 1
fi

# 2. It starts and becomes ready.
work=$(mktemp -d)
pid=""
cleanup() {
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
hack/gen-serving-cert.sh --print-only --out "$work/tls" >/dev/null 2>&1
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token="release-check-$RANDOM$RANDOM-token"
SDC_TOKEN="$token" "$binary" serve --config-source files --mappings crds/examples \
    --bind-address 127.0.0.1 --secure-port "$port" --sysdig-url http://127.0.0.1:1 --cluster-name release-check \
    --tls-cert-file "$work/tls/tls.crt" --tls-private-key-file "$work/tls/tls.key" \
    --log-format json 2>"$work/stderr" &
pid=$!

ready=0
for _ in $(seq 1 120); do
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    # Verifies the certificate the way kube-apiserver does: the CA and the Service name.
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --cacert "$work/tls/ca.crt" \
        --resolve "sysdig-adapter.sysdig-metrics.svc:$port:127.0.0.1" \
        "https://sysdig-adapter.sysdig-metrics.svc:$port/readyz" || true)
    if [[ "$code" == 200 ]]; then ready=1; break; fi
    sleep 0.5
done
if [[ $ready -ne 1 ]]; then
    echo "check-release-binary: /readyz never answered 200; the adapter's log:" >&2
    cat "$work/stderr" >&2
    exit 1
fi
echo "check-release-binary: /readyz is 200 on port $port"

# 3. SIGTERM: a clean exit, bounded.
kill -TERM "$pid"
( sleep 30; kill -KILL "$pid" 2>/dev/null ) &
watchdog=$!
status=0
wait "$pid" || status=$?
pid=""
kill "$watchdog" 2>/dev/null || true
if [[ $status -ne 0 ]]; then
    echo "check-release-binary: exit status $status after SIGTERM (137 = killed after 30 s); log:" >&2
    cat "$work/stderr" >&2
    exit 1
fi

# 4. The log: one JSON object per line with the fixed keys, and no token.
if grep -q "$token" "$work/stderr"; then
    echo "check-release-binary: the token appears in the log" >&2
    exit 1
fi
python3 - "$work/stderr" <<'PY'
import json, sys
lines = [line for line in open(sys.argv[1]) if line.strip()]
if not lines:
    sys.exit("check-release-binary: the adapter logged nothing")
for line in lines:
    try:
        entry = json.loads(line)
    except ValueError:
        sys.exit("check-release-binary: not a JSON log line: %r" % line)
    missing = {"time", "level", "logger", "message", "source"} - entry.keys()
    if missing:
        sys.exit("check-release-binary: log line without %s: %r" % (sorted(missing), line))
print("check-release-binary: %d JSON log lines" % len(lines))
PY
echo "check-release-binary: ok (exit 0 after SIGTERM)"
