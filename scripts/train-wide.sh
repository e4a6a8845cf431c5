#!/usr/bin/env bash
# The candidates for the next shipped pair: MotionRNN-PredRNN and PredRNN with 2 × 64 channels
# (the shipped ones have 2 × 32), the recipe of the study's round 2 (docs/RESULTS.md): MSE,
# batch 8, Adam 1·10⁻³ after a 200-iteration warm-up and then constant, η → 0 at iteration 600.
# Side by side, one core each, niced, for tens of CPU-hours over many sessions: each session
# stops at a checkpoint when its time budget is spent; run the script again to continue exactly
# (`train --resume`). With STOP_AT, each run stops at a checkpoint after that iteration, so the
# faster one can wait for the other.
#
# The constant rate lets the length stay open. To end the pair, cool both down from the same
# iteration S (both stopped there with STOP_AT) to the same end E with a cosine decay that keeps
# Adam's state, then export (README, "Shipped models"):
#   motionrnn train --output RUNS/wide-<model> --resume --decay cosine --decay-start S --iterations E
#
#   bash scripts/train-wide.sh RUNS_FOLDER [TIME_BUDGET] [STOP_AT]     e.g. ~/runs/wide 2h30m
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:?usage: train-wide.sh RUNS_FOLDER [TIME_BUDGET] [STOP_AT]}"
budget="${2:-2h}"
stop_at="${3:-}"
tool="${MOTIONRNN_TOOL:-.build/release/motionrnn}"
source scripts/pair-training.sh

recipe=(--preset vmnist-cpu --hidden 64,64 --filter-size 3 --patch-size 4 --batch-size 8
        --learning-rate 1e-3 --warmup 200 --decay constant --loss mse
        --iterations 100000 --sampling-stop 600 --train-count 1000000
        --validation-count 128 --validation-interval 250 --checkpoint-interval 250 --keep-checkpoints 200
        --test-count 16 --examples 1 --seed 1)

mkdir -p "$runs"
for model in motionrnn-predrnn predrnn; do
    folder="$runs/wide-$model"
    if [ -f "$folder/experiment.json" ]; then
        arguments=(--output "$folder" --resume)
    else
        arguments=(--model "$model" "${recipe[@]}" --output "$folder")
    fi
    if [ -n "$stop_at" ]; then arguments+=(--stop-at "$stop_at"); fi
    start_training "$runs/wide-$model.log" "$budget" "${arguments[@]}"
    echo "$model → $folder (log $runs/wide-$model.log)"
done
wait
