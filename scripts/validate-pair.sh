#!/usr/bin/env bash
# The choice before shipping a pair from scripts/train-pair.sh (train-wide.sh, train-deep.sh;
# docs/RESULTS.md, "Recipe study (round 2)"): per model, the run's last checkpoint and the mean
# of its last 4 checkpoints (`export --average-last 4`) scored beside the shipped model of the
# same kind on the same 256 validation sequences (`compare --split validation`). The pair ships
# only if, for both models, one of the two candidates beats the shipped one in mean MSE; the
# better candidate ships. The verdict is printed at the end and kept in OUTPUT_FOLDER/verdict.txt.
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

# The rule, applied to the scores the comparisons wrote (mean MSE per frame, lower is better).
python3 - "$out" <<'PY' | tee "$out/verdict.txt"
import json, sys
out = sys.argv[1]
ships = []
for model in ["motionrnn-predrnn", "predrnn"]:
    scores = json.load(open(f"{out}/{model}/metrics.json"))
    mse = {name: scores[name]["mse"]["mean"] for name in [f"vmnist-{model}", f"last-{model}", f"avg4-{model}"]}
    best = min([f"last-{model}", f"avg4-{model}"], key=mse.get)
    shipped = mse[f"vmnist-{model}"]
    ships.append(mse[best] < shipped)
    print(f"{model}: shipped {shipped:.2f}, last {mse[f'last-{model}']:.2f}, mean of the last 4 "
          f"{mse[f'avg4-{model}']:.2f} → {best} {'beats' if ships[-1] else 'does not beat'} the shipped one")
print("verdict: the pair ships (the better candidate of each)" if all(ships)
      else "verdict: the pair does not ship (both models must beat their shipped ones)")
PY
