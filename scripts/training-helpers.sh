# Sourced by the training scripts (train-shipped.sh, finetune-shipped.sh, train-wide.sh, which
# train two models side by side over many sessions, and train-vtest.sh): what they share.
# They set `tool` (the motionrnn binary) before calling these.

# The iteration of the newest checkpoint in run folder $1 (0 when it has none).
newest_checkpoint() {
    local newest
    newest=$(ls "$1/checkpoints" 2>/dev/null | sed -n 's/^checkpoint-\([0-9]*\)\.json$/\1/p' | sort -n | tail -n 1)
    echo "${newest:-0}"
}

# Starts `motionrnn train ARGUMENTS… --time-budget BUDGET` in the background on one core,
# niced, appending to LOG:   start_training LOG BUDGET ARGUMENTS…
start_training() {
    local log="$1" budget="$2"
    shift 2
    MOTIONRNN_THREADS=1 nohup nice -n 5 "$tool" train "$@" --time-budget "$budget" >> "$log" 2>&1 &
}

# Writes the file models/NAME as committed at COMMIT to DESTINATION, whole or not at all
# (a starting model that is no longer in the work tree):   model_file_at COMMIT NAME DESTINATION
model_file_at() {
    git show "$1:models/$2" > "$3.partial" || { rm -f "$3.partial"; return 1; }
    mv "$3.partial" "$3"
}

# Trains MotionRNN-PredRNN and PredRNN side by side in RUNS/PREFIX-<model> (and logs
# RUNS/PREFIX-<model>.log), in two phases: a new run starts with the arguments that the
# caller's function `new_run_arguments MODEL` puts in the array `arguments`, and stops at
# iteration BOUNDARY (its own --stop-at); a resumed run continues to BOUNDARY, and after it
# with the array `second_phase`. The array `on_resume` (may be empty) is added to every resume.
#   train_pair_in_two_phases RUNS PREFIX BUDGET BOUNDARY
train_pair_in_two_phases() {
    local runs="$1" prefix="$2" budget="$3" boundary="$4" model folder
    mkdir -p "$runs"
    for model in motionrnn-predrnn predrnn; do
        folder="$runs/$prefix-$model"
        if [ -f "$folder/experiment.json" ]; then
            arguments=(--output "$folder" --resume "${on_resume[@]}")
            if [ "$(newest_checkpoint "$folder")" -lt "$boundary" ]; then
                arguments+=(--stop-at "$boundary")
            else
                arguments+=("${second_phase[@]}")
            fi
        else
            new_run_arguments "$model"
            arguments+=(--output "$folder")
        fi
        start_training "$runs/$prefix-$model.log" "$budget" "${arguments[@]}"
        echo "$model → $folder (log $runs/$prefix-$model.log)"
    done
    wait
}
