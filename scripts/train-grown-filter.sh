#!/usr/bin/env bash
# Does the shipped MotionRNN-PredRNN learn more with a wider filter? Its 3×3 kernels grown to
# 5×5 with zeros (`train --init-from … --filter-size 5`: at first it computes what the shipped
# model does), then one cosine cycle of the cycles' recipe (scripts/train-deep-cycle.sh,
# seed 9) for 1 500 iterations; beside it, on the other core and for about the same time, the
# same model and recipe at filter 3 for 3 000 iterations (what a ninth cycle would be: a
# filter-5 iteration costs 1.9 times a filter-3 one). Both niced, one core each; run it again
# to continue where a time budget stopped them (`train --resume`). The runs are
# RUNS_FOLDER/filter5 and RUNS_FOLDER/filter3; docs/RESULTS.md ("A wider filter grown from
# the shipped model") has the criterion, fixed before the first score. The grown filter did
# worse (2026-12-07: validation 76.2 against 75.3).
#
#   bash scripts/train-grown-filter.sh RUNS_FOLDER [TIME_BUDGET]     e.g. ~/runs/grown 2h
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:?usage: train-grown-filter.sh RUNS_FOLDER [TIME_BUDGET]}" budget="${2:-2h}"
tool="${MOTIONRNN_TOOL:-.build/release/motionrnn}"
source scripts/training-helpers.sh
mkdir -p "$runs"
start="$runs/start-vmnist-motionrnn-predrnn.safetensors"
# The model shipped when the pilot ran (the eighth cycle's).
[ -f "$start" ] || model_file_at 2fc9226 vmnist-motionrnn-predrnn.safetensors "$start"

recipe=(--init-from "$start" --preset vmnist-cpu --loss mse --batch-size 8
        --learning-rate 3e-4 --warmup 200 --decay cosine --sampling-stop 1
        --train-count 1000000 --seed 9 --validation-count 128 --validation-interval 250
        --checkpoint-interval 250 --keep-checkpoints 100 --test-count 16 --examples 1)
for run in "filter5 1500" "filter3 3000"; do
    read -r name iterations <<< "$run"
    folder="$runs/$name"
    [ -f "$folder/metrics.json" ] && { echo "$name: finished"; continue; }
    if [ -f "$folder/experiment.json" ]; then
        arguments=(--output "$folder" --resume)
    else
        arguments=("${recipe[@]}" --filter-size "${name#filter}" --iterations "$iterations" --output "$folder")
    fi
    start_training "$runs/$name.log" "$budget" "${arguments[@]}"
    echo "$name → $folder (log $runs/$name.log)"
done
wait
