#!/usr/bin/env bash
# The V-MNIST pair shipped in models/ on 2026-12-05 until the 4 × 40 pair of train-deep.sh
# replaced it (commit ac5394d has its files): MotionRNN-PredRNN and PredRNN with 2 × 64
# channels, trained by scripts/train-pair.sh (the recipe, the two phases) in
# RUNS_FOLDER/wide-<model>. COOLDOWN_END is 10 000 for that pair; the longer cool-down of
# RESULTS' "Still to run" ends at 16 000.
#
#   bash scripts/train-wide.sh RUNS_FOLDER [TIME_BUDGET [COOLDOWN_END]]     e.g. ~/runs/wide 2h30m
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash scripts/train-pair.sh "${1:?usage: train-wide.sh RUNS_FOLDER [TIME_BUDGET [COOLDOWN_END]]}" wide 64,64 "${@:2}"
