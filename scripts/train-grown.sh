#!/usr/bin/env bash
# Does the shipped MotionRNN-PredRNN learn more when it is grown? Two pilots from the same start
# (`train --init-from`, which at first computes what the shipped model does), each one cosine
# cycle of the cycles' recipe (scripts/train-deep-cycle.sh, seed 9) against the same model and
# recipe unchanged for about the same time: 3 000 iterations at filter 3 and 4 × 40 (what a ninth
# cycle would be), beside
#   - filter5: its 3×3 kernels grown to 5×5 with zeros (--filter-size 5), 1 500 iterations (one
#     costs 1.9 times a filter-3 one); it did worse (2026-12-07: validation 76.2 against 75.3);
#   - width64: its 40 channels per layer grown to 64 (--hidden 64,64,64,64: the new channels'
#     weights into the old ones start at zero), 1 500 iterations (one costs about 2 times a
#     4 × 40 one).
# Each niced on one core; the first two ran side by side, width64 later beside other work. Run
# it again to continue where a time budget stopped them (`train --resume`). The runs are
# RUNS_FOLDER/<name>; docs/RESULTS.md ("A wider filter grown from the shipped model", "Wider
# layers grown from the shipped model") has the criteria, fixed before the first score.
#
#   bash scripts/train-grown.sh RUNS_FOLDER [TIME_BUDGET]     e.g. ~/runs/grown 2h
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:?usage: train-grown.sh RUNS_FOLDER [TIME_BUDGET]}" budget="${2:-2h}"
tool="${MOTIONRNN_TOOL:-.build/release/motionrnn}"
source scripts/training-helpers.sh
mkdir -p "$runs"
start="$runs/start-vmnist-motionrnn-predrnn.safetensors"
# The model shipped when the pilots ran (the eighth cycle's).
[ -f "$start" ] || model_file_at 2fc9226 vmnist-motionrnn-predrnn.safetensors "$start"

recipe=(--init-from "$start" --preset vmnist-cpu --loss mse --batch-size 8
        --learning-rate 3e-4 --warmup 200 --decay cosine --sampling-stop 1
        --train-count 1000000 --seed 9 --validation-count 128 --validation-interval 250
        --checkpoint-interval 250 --keep-checkpoints 100 --test-count 16 --examples 1)
for run in "filter5 1500 --filter-size 5" "filter3 3000" "width64 1500 --hidden 64,64,64,64"; do
    read -r name iterations growth <<< "$run"
    folder="$runs/$name"
    [ -f "$folder/metrics.json" ] && { echo "$name: finished"; continue; }
    if [ -f "$folder/experiment.json" ]; then
        arguments=(--output "$folder" --resume)
    else
        # shellcheck disable=SC2206 # the growth flags split into words on purpose
        arguments=("${recipe[@]}" $growth --iterations "$iterations" --output "$folder")
    fi
    start_training "$runs/$name.log" "$budget" "${arguments[@]}"
    echo "$name → $folder (log $runs/$name.log)"
done
wait
