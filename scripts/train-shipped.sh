#!/usr/bin/env bash
# Trains the 2 × 32 V-MNIST pair shipped until 2026-12-05 (stage 1) from scratch, or continues
# it: both with the same recipe and iterations, side by side, one core each
# (MOTIONRNN_THREADS=1), niced.
# Each session stops at a checkpoint when its time budget is spent; run the script again to
# continue exactly where it stopped (`train --resume`). Then `motionrnn export` writes the files.
# The runs were planned for 24 000 iterations and re-planned at iteration 5 250 to end at 12 000
# (the cosine decay then reaches its end within the CPU time we have): phase 1 stops there
# (--stop-at), phase 2 resumes with --iterations 12000.
#
#   bash scripts/train-shipped.sh RUNS_FOLDER [TIME_BUDGET]     e.g. ~/runs 2h30m
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:?usage: train-shipped.sh RUNS_FOLDER [TIME_BUDGET]}"
budget="${2:-2h}"
tool="${MOTIONRNN_TOOL:-.build/release/motionrnn}"
source scripts/training-helpers.sh

# The recipe chosen by the study in docs/RESULTS.md.
recipe=(--preset vmnist-cpu --hidden 32,32 --filter-size 3 --patch-size 4 --batch-size 8
        --learning-rate 1e-3 --warmup 200 --decay cosine --loss mse
        --iterations 24000 --stop-at 5250 --sampling-stop 4000 --train-count 1000000
        --validation-count 128 --validation-interval 500 --checkpoint-interval 250 --keep-checkpoints 200
        --test-count 256 --examples 4 --seed 1)
new_run_arguments() { arguments=(--model "$1" "${recipe[@]}"); }
# Every checkpoint is kept, so that both models can be exported at the same iteration although
# they run at different speeds (runs started with fewer kept are raised here).
on_resume=(--keep-checkpoints 200)
second_phase=(--iterations 12000)
train_pair_in_two_phases "$runs" vmnist "$budget" 5250
