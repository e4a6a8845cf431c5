#!/usr/bin/env bash
# The V-MNIST pair shipped in models/ since 2026-12-05: MotionRNN-PredRNN and PredRNN with
# 2 × 64 channels (those shipped before had 2 × 32), trained by scripts/train-pair.sh (the
# recipe, the two phases) in RUNS_FOLDER/wide-<model>. COOLDOWN_END is 10 000 for the shipped
# pair; the longer cool-down of RESULTS' "Still to run" ends at 16 000.
#
#   bash scripts/train-wide.sh RUNS_FOLDER [TIME_BUDGET [COOLDOWN_END]]     e.g. ~/runs/wide 2h30m
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash scripts/train-pair.sh "${1:?usage: train-wide.sh RUNS_FOLDER [TIME_BUDGET [COOLDOWN_END]]}" wide 64,64 "${@:2}"
