#!/usr/bin/env bash
# MotionRNN-PredRNN and PredRNN on V-MNIST with the recipe of the study's round 2
# (docs/RESULTS.md): MSE, batch 8, Adam 1·10⁻³ after a 200-iteration warm-up and then
# constant, η → 0 at iteration 600; the layers' widths HIDDEN (e.g. 64,64). Side by side, one
# core each, niced, for tens of CPU-hours over many sessions: each session stops at a
# checkpoint when its time budget is spent; run the script again to continue exactly
# (`train --resume`). The runs are RUNS_FOLDER/PREFIX-<model>.
#
# Two phases, as the shipped pairs were made (train-deep.sh, train-wide.sh): at the constant rate
# (planned open-ended, 100 000 iterations) up to iteration COOLDOWN_START (default 8 000;
# --stop-at, so both cool down from the same iteration); then a cool-down re-planned on resume,
# a cosine decay from there to COOLDOWN_END (default 10 000) that keeps Adam's state. A run
# that reaches COOLDOWN_START goes on to its cool-down in the same session, and once one run
# has finished, the other continues on both cores (scripts/training-helpers.sh). Then
# scripts/validate-pair.sh scores the candidates on the validation split, and export writes
# the files with their cards (models/README.md; the cards have the commands).
#
# With MODELS=motionrnn-predrnn (say) in the environment only that model trains, on both cores;
# with MODEL_FLAGS="--motion-bound 2" (say) new runs get those flags as well
# (scripts/train-bounded.sh); SAMPLING_FLAGS replaces the recipe's --sampling-stop 600
# (scripts/train-reverse-sampling.sh).
#
# With BRANCH_FROM=FOLDER/PREFIX and BRANCH_AT=ITERATION in the environment, a new run starts as
# a branch of FOLDER/PREFIX-<model> at that checkpoint (`train --branch-from`: its plan then, a
# copy of its state) instead of from scratch (scripts/train-deep-long.sh); branched at
# COOLDOWN_START, it starts its cool-down at once (scripts/train-seed-pair.sh).
#
#   bash scripts/train-pair.sh RUNS_FOLDER PREFIX HIDDEN [TIME_BUDGET [COOLDOWN_END [COOLDOWN_START]]]
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: train-pair.sh RUNS_FOLDER PREFIX HIDDEN [TIME_BUDGET [COOLDOWN_END [COOLDOWN_START]]]"
runs="${1:?$usage}" prefix="${2:?$usage}" hidden="${3:?$usage}"
budget="${4:-2h}"
cooldown_end="${5:-10000}"
cooldown_start="${6:-8000}"
tool="${MOTIONRNN_TOOL:-.build/release/motionrnn}"
source scripts/training-helpers.sh

recipe=(--preset vmnist-cpu --hidden "$hidden" --filter-size 3 --patch-size 4 --batch-size 8
        --learning-rate 1e-3 --warmup 200 --decay constant --loss mse
        --iterations 100000 --stop-at "$cooldown_start" ${SAMPLING_FLAGS:---sampling-stop 600} --train-count 1000000
        --validation-count 128 --validation-interval 250 --checkpoint-interval 250 --keep-checkpoints 200
        --test-count 16 --examples 1 --seed 1)
new_run_arguments() {
    if [ -n "${BRANCH_FROM:-}" ]; then
        arguments=(--branch-from "$BRANCH_FROM-$1/checkpoints/checkpoint-${BRANCH_AT:?BRANCH_AT: the iteration to branch at}.json")
        # A branch at the cool-down's start goes straight into it (train-seed-pair.sh, seed 1).
        if [ "$BRANCH_AT" -lt "$cooldown_start" ]; then
            arguments+=(--stop-at "$cooldown_start")
        else
            arguments+=("${second_phase[@]}")
        fi
    else
        arguments=(--model "$1" "${recipe[@]}" ${MODEL_FLAGS:-})
    fi
}
read -ra models <<< "${MODELS:-motionrnn-predrnn predrnn}"
on_resume=()
second_phase=(--decay cosine --decay-start "$cooldown_start" --iterations "$cooldown_end")
train_pair_in_two_phases "$runs" "$prefix" "$budget" "$cooldown_start"
