#!/usr/bin/env bash
# The V-MNIST pair shipped in models/ since 2026-12-05: MotionRNN-PredRNN and PredRNN with
# 2 × 64 channels (those shipped before had 2 × 32), the recipe of the study's round 2
# (docs/RESULTS.md): MSE, batch 8, Adam 1·10⁻³ after a 200-iteration warm-up and then
# constant, η → 0 at iteration 600. Side by side, one core each, niced, for tens of CPU-hours
# over many sessions: each session stops at a checkpoint when its time budget is spent; run
# the script again to continue exactly (`train --resume`).
#
# Two phases, as the runs were made: at the constant rate (planned open-ended, 100 000
# iterations) up to iteration 8 000, where both stop (--stop-at, so the faster one waits for
# the other); then a cool-down re-planned on resume, a cosine decay from 8 000 to COOLDOWN_END
# (10 000 for the shipped pair; the longer cool-down of RESULTS' "Still to run" ends at
# 16 000) that keeps Adam's state. Then export with a card (models/README.md; the cards have
# the commands).
#
#   bash scripts/train-wide.sh RUNS_FOLDER [TIME_BUDGET [COOLDOWN_END]]     e.g. ~/runs/wide 2h30m
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:?usage: train-wide.sh RUNS_FOLDER [TIME_BUDGET [COOLDOWN_END]]}"
budget="${2:-2h}"
cooldown_end="${3:-10000}"
tool="${MOTIONRNN_TOOL:-.build/release/motionrnn}"
source scripts/training-helpers.sh

recipe=(--preset vmnist-cpu --hidden 64,64 --filter-size 3 --patch-size 4 --batch-size 8
        --learning-rate 1e-3 --warmup 200 --decay constant --loss mse
        --iterations 100000 --stop-at 8000 --sampling-stop 600 --train-count 1000000
        --validation-count 128 --validation-interval 250 --checkpoint-interval 250 --keep-checkpoints 200
        --test-count 16 --examples 1 --seed 1)
new_run_arguments() { arguments=(--model "$1" "${recipe[@]}"); }
on_resume=()
second_phase=(--decay cosine --decay-start 8000 --iterations "$cooldown_end")
train_pair_in_two_phases "$runs" wide "$budget" 8000
