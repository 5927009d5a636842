#!/usr/bin/env bash
# The test command (README): builds everything, including the sysdig-adapter
# binary that the end-to-end tests start, runs every test, then validates the
# install manifests (deploy/, deploy/examples).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift test --skip-build 2>&1 | tee "$log"
hack/check-manifests.sh
hack/check-secret-mounts.py  # the adapter, as the pod's user, reads kubelet-projected Secret volumes
# One closing summary line for CI, from swift-testing's own count.
count=$(sed -n 's/.*Test run with \([0-9][0-9]*\) tests\{0,1\} .* passed.*/\1/p' "$log" | tail -n 1)
echo "tests: ${count:-0} passed, 0 failed"
