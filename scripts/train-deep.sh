#!/usr/bin/env bash
# The V-MNIST pair shipped in models/ since 2026-12-05 (the depth question of docs/RESULTS.md):
# the same pair and recipe as scripts/train-wide.sh with 4 × 40 channels, whose iteration costs
# about what 2 × 64's does and which has three MotionGRUs instead of one, in
# RUNS_FOLDER/deep-<model>.
#
#   bash scripts/train-deep.sh RUNS_FOLDER [TIME_BUDGET [COOLDOWN_END]]     e.g. ~/runs/deep 2h30m
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash scripts/train-pair.sh "${1:?usage: train-deep.sh RUNS_FOLDER [TIME_BUDGET [COOLDOWN_END]]}" deep 40,40,40,40 "${@:2}"
