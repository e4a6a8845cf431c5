#!/usr/bin/env bash
# The choice before shipping a pair from scripts/train-pair.sh (train-wide.sh, train-deep.sh;
# docs/RESULTS.md, "Recipe study (round 2)"): per model, the run's last checkpoint and the mean
# of its last 4 checkpoints (`export --average-last 4`) scored beside the shipped model of the
# same kind on the same 256 validation sequences (`compare --split validation`); the rule itself
# is scripts/pair-rule.py (a candidate must beat the shipped one in mean MSE without losing more
# than 0.002 in mean SSIM, PAIR_RULE_SSIM_TOLERANCE=inf for MSE alone as before cycle 7; the pair
# ships only if both models have one). The verdict is printed at the end and kept in
# OUTPUT_FOLDER/verdict.txt.
#
#   bash scripts/validate-pair.sh RUNS_FOLDER OUTPUT_FOLDER [PREFIX]
# e.g. ~/runs/wide ~/runs/wide/choice; the runs are RUNS_FOLDER/PREFIX-<model> (default: wide).
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: validate-pair.sh RUNS_FOLDER OUTPUT_FOLDER [PREFIX]"
runs="${1:?$usage}" out="${2:?$usage}" prefix="${3:-wide}"
tool="${MOTIONRNN_TOOL:-.build/release/motionrnn}"

mkdir -p "$out"
for model in motionrnn-predrnn predrnn; do
    run="$runs/$prefix-$model"
    "$tool" export "$run" --output "$out/last-$model.safetensors"
    "$tool" export "$run" --average-last 4 --output "$out/avg4-$model.safetensors"
    "$tool" compare "vmnist-$model" "$out/last-$model.safetensors" "$out/avg4-$model.safetensors" \
        --split validation --test-count 256 --examples 2 --output "$out/$model"
done

python3 scripts/pair-rule.py "$out" | tee "$out/verdict.txt"
