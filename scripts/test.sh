#!/usr/bin/env bash
# The test command: installs what is needed, then runs every test (unit, gradient checks,
# reference-fixture parity). The fixtures are read from ../shared/fixtures (or $MOTIONRNN_SHARED).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build --build-tests
swift test --skip-build
