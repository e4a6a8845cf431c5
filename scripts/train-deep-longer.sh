#!/usr/bin/env bash
# The shipped 4 × 40 pair (scripts/train-deep-long.sh) with a still longer constant phase, in
# RUNS_FOLDER/longer-<model>: branched from its two runs' checkpoints at 16 000, the end of their
# constant phase (LONG_RUNS_FOLDER/long-<model>, left as they are), on at the constant rate to
# 24 000, then a cosine cool-down to 28 000. The question of docs/RESULTS.md ("Still to run"):
# twice the constant phase bought 4–5 in mean MSE, does half as much again buy the 0.3 the
# mean ≤ 80 target still lacks, and does MotionRNN's edge grow? About 12 000 iterations each,
# several sessions of both cores; each call continues exactly. Then
# `bash scripts/validate-pair.sh RUNS_FOLDER OUTPUT_FOLDER longer` decides whether it ships.
#
#   bash scripts/train-deep-longer.sh RUNS_FOLDER LONG_RUNS_FOLDER [TIME_BUDGET]    e.g. ~/runs/longer ~/runs/long 2h
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: train-deep-longer.sh RUNS_FOLDER LONG_RUNS_FOLDER [TIME_BUDGET]"
runs="${1:?$usage}" long="${2:?$usage}"
BRANCH_FROM="$long/long" BRANCH_AT=16000 exec bash scripts/train-pair.sh "$runs" longer 40,40,40,40 "${3:-2h}" 28000 24000
