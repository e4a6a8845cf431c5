#!/usr/bin/env bash
# One more cosine cycle for the 4 × 40 pair of scripts/train-deep-long.sh: cycle N (2 to 9)
# trains 3 000 iterations from the parameters in RUNS_FOLDER/cycle<N−1>-vmnist-<model>.safetensors
# (what cycle N−1 shipped: the file validate-pair.sh chose), or else from the models/ files of
# the commit that shipped them (taken from git into that place); `train --init-from`, so a
# fresh Adam state; peak learning rate 3·10⁻⁴ after a 200-iteration warm-up, cosine decay to
# 5 % of it; new training sequences (seed N), no scheduled sampling. What stage 2 of the
# 2 × 32 pair did (scripts/finetune-shipped.sh), shorter and gentler, so that a cycle fits one
# session (docs/RESULTS.md, "The cosine cycles"). Both models side by side with the same recipe, one core
# each, niced; run it again to continue exactly where a time budget stopped it (`train
# --resume`). Then `bash scripts/validate-pair.sh RUNS_FOLDER OUTPUT_FOLDER cycle<N>` decides
# whether it ships.
# With DECOUPLING=β set, the cycle trains each model as its PredRNN-v2 (`--model predrnnv2` or
# `motionrnn-predrnnv2`, `--decouple-beta β`): the same cells plus the decoupling loss, whose
# adapter starts fresh and is used only in training.
#
#   bash scripts/train-deep-cycle.sh RUNS_FOLDER CYCLE [TIME_BUDGET]     e.g. ~/runs/cycle3 3 2h
#   DECOUPLING=0.1 bash scripts/train-deep-cycle.sh ~/runs/decoupled 9 2h
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: train-deep-cycle.sh RUNS_FOLDER CYCLE [TIME_BUDGET]"
runs="${1:?$usage}" cycle="${2:?$usage}" budget="${3:-2h}"
tool="${MOTIONRNN_TOOL:-.build/release/motionrnn}"
source scripts/training-helpers.sh
iterations=3000

# The commit that holds the files cycle N starts from, those cycle N − 1 shipped (cycle 1 is
# train-deep-long.sh's pair).
case "$cycle" in
    2) previous_files=7dfbc78 ;;
    3) previous_files=a983b26 ;;
    4) previous_files=787dc91 ;;
    5) previous_files=9d1469f ;;
    6) previous_files=d3b74b5 ;;
    7) previous_files=0263980 ;;
    8) previous_files=285ada7 ;;
    9) previous_files=0d200eb ;;
    *) echo "train-deep-cycle.sh: CYCLE must be 2 to 9 (the cycles whose starting files are known), not '$cycle'" >&2; exit 2 ;;
esac

recipe=(--preset vmnist-cpu --loss mse --batch-size 8
        --learning-rate 3e-4 --warmup 200 --decay cosine --iterations "$iterations" --sampling-stop 1
        --train-count 1000000 --seed "$cycle" --validation-count 128 --validation-interval 250
        --checkpoint-interval 250 --keep-checkpoints 100 --test-count 16 --examples 1)
new_run_arguments() {
    local start="$runs/cycle$((cycle - 1))-vmnist-$1.safetensors"
    [ -f "$start" ] || model_file_at "$previous_files" "vmnist-$1.safetensors" "$start"
    arguments=(--init-from "$start" "${recipe[@]}")
    [ -z "${DECOUPLING:-}" ] || arguments+=(--model "$1v2" --decouple-beta "$DECOUPLING")
}
on_resume=()
second_phase=()
train_pair_in_two_phases "$runs" "cycle$cycle" "$budget" "$iterations"
