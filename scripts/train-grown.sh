#!/usr/bin/env bash
# Does a shipped model learn more when it is grown? Pilots from the shipped V-MNIST models
# (`train --init-from`, which at first computes what the shipped model does), each one cosine
# cycle of the cycles' recipe (scripts/train-deep-cycle.sh, seed 9), against MotionRNN-PredRNN
# unchanged for about the same time: 3 000 iterations at filter 3 and 4 × 40 (filter3, what a
# ninth cycle would be), beside
#   - filter5: MotionRNN-PredRNN's 3×3 kernels grown to 5×5 with zeros (--filter-size 5),
#     1 500 iterations (one costs 1.9 times a filter-3 one); it did worse (2026-12-07:
#     validation 76.2 against 75.3);
#   - width64: its 40 channels per layer grown to 64 (--hidden 64,64,64,64: the new channels'
#     weights into the old ones start at zero), 1 500 iterations (one costs about 2.4 times a
#     4 × 40 one); predrnn-width64: PredRNN grown alike, to see the edge at that width. Both
#     were level with where they started (2026-12-07: validation 75.6 against the cycle's 75.3,
#     PredRNN 78.7 against 78.4), the edge unchanged.
# Each niced on one core, two at a time (filter5 beside filter3, width64 beside
# predrnn-width64). Run it again to continue where a time budget stopped them (`train
# --resume`); a run already training in another process is left to it. The runs are
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
# The models shipped when the pilots ran (the eighth cycle's).
for model in motionrnn-predrnn predrnn; do
    start="$runs/start-vmnist-$model.safetensors"
    [ -f "$start" ] || model_file_at 2fc9226 "vmnist-$model.safetensors" "$start"
done

recipe=(--preset vmnist-cpu --loss mse --batch-size 8
        --learning-rate 3e-4 --warmup 200 --decay cosine --sampling-stop 1
        --train-count 1000000 --seed 9 --validation-count 128 --validation-interval 250
        --checkpoint-interval 250 --keep-checkpoints 100 --test-count 16 --examples 1)
for run in "filter5 motionrnn-predrnn 1500 --filter-size 5" "filter3 motionrnn-predrnn 3000" \
           "width64 motionrnn-predrnn 1500 --hidden 64,64,64,64" "predrnn-width64 predrnn 1500 --hidden 64,64,64,64"; do
    read -r name model iterations growth <<< "$run"
    folder="$runs/$name"
    [ -f "$folder/metrics.json" ] && { echo "$name: finished"; continue; }
    if [ -f "$folder/experiment.json" ]; then
        arguments=(--output "$folder" --resume)
    else
        # shellcheck disable=SC2206 # the growth flags split into words on purpose
        arguments=(--init-from "$runs/start-vmnist-$model.safetensors" "${recipe[@]}" $growth
                   --iterations "$iterations" --output "$folder")
    fi
    start_training "$runs/$name.log" "$budget" "${arguments[@]}"
    echo "$name → $folder (log $runs/$name.log)"
done
wait
