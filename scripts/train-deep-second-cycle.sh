#!/usr/bin/env bash
# A second cosine cycle for the 4 × 40 pair of scripts/train-deep-long.sh (shipped at commit
# 7dfbc78; the files shipped since 2026-12-06 morning come from this): 3 000 iterations from
# the parameters in RUNS_FOLDER/cycle1-vmnist-<model>.safetensors (`export` of those runs'
# ends), or else from models/vmnist-<model>.safetensors at 7dfbc78 (taken from git into that
# place); `train --init-from`, so a fresh Adam state; peak learning rate 3·10⁻⁴ after a
# 200-iteration warm-up, cosine decay to 5 % of it; new training sequences (seed 2), no
# scheduled sampling. What stage 2 of the 2 × 32 pair did (scripts/finetune-shipped.sh),
# shorter and gentler: the runs that would have continued the pair's constant phase
# (docs/RESULTS.md, "Still to run") were lost with their machine, and only the shipped files were left to
# start from. Both models side by side with the same recipe, one core each, niced; run it again
# to continue exactly where a time budget stopped it (`train --resume`). Then `bash
# scripts/validate-pair.sh RUNS_FOLDER OUTPUT_FOLDER cycle2` decides whether it ships.
#
#   bash scripts/train-deep-second-cycle.sh RUNS_FOLDER [TIME_BUDGET]     e.g. ~/runs/cycle2 2h
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:?usage: train-deep-second-cycle.sh RUNS_FOLDER [TIME_BUDGET]}"
budget="${2:-2h}"
tool="${MOTIONRNN_TOOL:-.build/release/motionrnn}"
source scripts/training-helpers.sh
first_cycle=7dfbc78
iterations=3000

recipe=(--preset vmnist-cpu --loss mse --batch-size 8
        --learning-rate 3e-4 --warmup 200 --decay cosine --iterations "$iterations" --sampling-stop 1
        --train-count 1000000 --seed 2 --validation-count 128 --validation-interval 250
        --checkpoint-interval 250 --keep-checkpoints 100 --test-count 16 --examples 1)
new_run_arguments() {
    local start="$runs/cycle1-vmnist-$1.safetensors"
    [ -f "$start" ] || model_file_at "$first_cycle" "vmnist-$1.safetensors" "$start"
    arguments=(--init-from "$start" "${recipe[@]}")
}
on_resume=()
second_phase=()
train_pair_in_two_phases "$runs" cycle2 "$budget" "$iterations"
