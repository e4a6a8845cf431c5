#!/usr/bin/env bash
# The depth pair of scripts/train-deep.sh (4 × 40) with twice the constant phase, in
# RUNS_FOLDER/long-<model>: branched from its two runs' checkpoints at 8 000
# (DEEP_RUNS_FOLDER/deep-<model>; `train --branch-from` leaves them as they are), on at the
# constant rate to 16 000, then a cosine cool-down to 20 000. The question of docs/RESULTS.md
# ("Still to run"): does a longer schedule reach the issue's targets, as the validation curves'
# slope in log-iterations suggests? Many sessions of both cores; each call continues exactly.
#
#   bash scripts/train-deep-long.sh RUNS_FOLDER DEEP_RUNS_FOLDER [TIME_BUDGET]     e.g. ~/runs/long ~/runs/deep 2h
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: train-deep-long.sh RUNS_FOLDER DEEP_RUNS_FOLDER [TIME_BUDGET]"
runs="${1:?$usage}" deep="${2:?$usage}"
BRANCH_FROM="$deep/deep" BRANCH_AT=8000 exec bash scripts/train-pair.sh "$runs" long 40,40,40,40 "${3:-2h}" 20000 16000
