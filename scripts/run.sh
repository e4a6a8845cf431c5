#!/usr/bin/env bash
# The main job on its built-in default. Until the training pipeline lands: build the tool in
# release mode, check every model against the official reference fixtures, print the model
# sizes of the paper's Table 2, and benchmark the convolution kernels.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release
tool=.build/release/motionrnn
fixtures="${MOTIONRNN_SHARED:-../shared}/fixtures"
status=0
for fixture in "$fixtures"/*.safetensors; do
    "$tool" verify-reference "$fixture" | grep -E "PASS|FAIL" || status=1
done
"$tool" info --all
"$tool" bench-kernels --repetitions 5
exit $status
