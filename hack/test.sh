#!/usr/bin/env bash
# The test command (README): builds everything, including the sysdig-adapter
# binary that the end-to-end tests start, runs every test, then validates the
# install manifests (deploy/, deploy/examples).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build
hack/check-manifests.sh
