#!/usr/bin/env bash
# MotionRNN-PredRNN 4 × 40 with PredRNN-v2's reverse scheduled sampling (`--reverse-sampling`)
# instead of the recipe's η → 0 at 600, otherwise the shipped model's recipe and seed
# (scripts/train-deep.sh) on the shorter schedule of the seed study: constant rate to 4 000,
# cosine cool-down to 5 000, in RUNS_FOLDER/reverse-motionrnn-predrnn on both cores. The
# schedule is the official one (25 000, 50 000, 5 000 of 80 000 iterations) scaled to this run:
# 1500,3000,300. The question of docs/RESULTS.md ("Reverse scheduled sampling"): does an encoder
# that learns to run on its own predictions predict better at this compute? Its baselines are the
# two seeds of "Seed spread at 4 × 40" (the same schedule, ordinary sampling). About 1.8 hours
# alone on both cores; each call continues exactly. It did not help (2026-12-07): validation 89.4
# against 88.4 for both ordinary seeds.
#
#   bash scripts/train-reverse-sampling.sh RUNS_FOLDER [TIME_BUDGET]     e.g. ~/runs/reverse 2h
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: train-reverse-sampling.sh RUNS_FOLDER [TIME_BUDGET]"
MODELS=motionrnn-predrnn SAMPLING_FLAGS="--reverse-sampling 1500,3000,300" \
    exec bash scripts/train-pair.sh "${1:?$usage}" reverse 40,40,40,40 "${2:-2h}" 5000 4000
