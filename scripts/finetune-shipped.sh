#!/usr/bin/env bash
# Stage 2 of the 2 × 32 V-MNIST pair shipped until 2026-12-05 (commit 61f297a has its files):
# a second cosine cycle of 6 000 iterations (peak learning rate 5·10⁻⁴, fresh Adam state, new
# training sequences: seed 2), started from the parameters of stage 1's end
# (scripts/train-shipped.sh, 12 000 iterations: its run in RUNS_FOLDER, or else the files shipped
# at commit 0345b5c). Both models side by side with the same recipe, one core each, niced; run it
# again to continue exactly where a time budget stopped it (`train --resume`).
# The runs were started for 7 000 iterations and re-planned at iteration 250 to end at 6 000
# (to end within one session); --stop-at 250 and then --iterations 6000 reproduce that.
#
#   bash scripts/finetune-shipped.sh RUNS_FOLDER [TIME_BUDGET]     e.g. ~/runs 2h
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:?usage: finetune-shipped.sh RUNS_FOLDER [TIME_BUDGET]}"
budget="${2:-2h}"
tool="${MOTIONRNN_TOOL:-.build/release/motionrnn}"
source scripts/training-helpers.sh
first_phase=0345b5c

recipe=(--preset vmnist-cpu --loss mse --batch-size 8
        --learning-rate 5e-4 --warmup 200 --decay cosine --iterations 7000 --stop-at 250 --sampling-stop 1
        --train-count 1000000 --seed 2 --validation-count 128 --validation-interval 500
        --checkpoint-interval 250 --keep-checkpoints 100 --test-count 256 --examples 4)
# Starts from stage 1's end: the run that train-shipped.sh wrote here, or else its shipped file.
new_run_arguments() {
    local start="$runs/vmnist-$1"
    if [ ! -f "$start/experiment.json" ]; then
        start="$runs/phase1-vmnist-$1.safetensors"
        model_file_at "$first_phase" "vmnist-$1.safetensors" "$start"
    fi
    arguments=(--init-from "$start" "${recipe[@]}")
}
on_resume=()
second_phase=(--iterations 6000)
train_pair_in_two_phases "$runs" ft "$budget" 250
