# What the training scripts share; sourced by train-shipped.sh, finetune-shipped.sh,
# train-deep-cycle.sh, train-vtest.sh, train-grown.sh and train-pair.sh with its callers
# (which train two models side by side over many sessions).
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
    start_training_on 1 "$@"
}

# The same on THREADS cores:   start_training_on THREADS LOG BUDGET ARGUMENTS…
start_training_on() {
    local threads="$1" log="$2" budget="$3"
    shift 3
    MOTIONRNN_THREADS="$threads" nohup nice -n 5 "$tool" train "$@" --time-budget "$budget" >> "$log" 2>&1 &
}

# Seconds in a duration written as --time-budget takes it here: 2h30m, 90m, 3600s or 3600.
duration_seconds() {
    local text="$1" total=0
    if [[ "$text" =~ ^[0-9]+$ ]]; then echo "$text"; return; fi
    while [[ "$text" =~ ^([0-9]+)([hms])(.*)$ ]]; do
        case "${BASH_REMATCH[2]}" in
            h) total=$((total + BASH_REMATCH[1] * 3600)) ;;
            m) total=$((total + BASH_REMATCH[1] * 60)) ;;
            s) total=$((total + BASH_REMATCH[1])) ;;
        esac
        text="${BASH_REMATCH[3]}"
    done
    if [ -n "$text" ] || [ "$total" -eq 0 ]; then
        echo "not a duration: '$1' (e.g. 2h30m, 90m, 3600s)" >&2
        return 1
    fi
    echo "$total"
}

# Writes the file models/NAME as committed at COMMIT to DESTINATION, whole or not at all
# (a starting model that is no longer in the work tree):   model_file_at COMMIT NAME DESTINATION
model_file_at() {
    git show "$1:models/$2" > "$3.partial" || { rm -f "$3.partial"; return 1; }
    mv "$3.partial" "$3"
}

# Trains MotionRNN-PredRNN and PredRNN side by side in RUNS/PREFIX-<model> (and logs
# RUNS/PREFIX-<model>.log) — or only the models the caller lists in the array `models` (one
# model trains on both cores) —, in two phases: a new run starts with the arguments that the
# caller's function `new_run_arguments MODEL` puts in the array `arguments`, and stops at
# iteration BOUNDARY (its own --stop-at); a resumed run continues to BOUNDARY, and after it
# with the array `second_phase`. The array `on_resume` (may be empty) is added to every resume.
# Within the session's BUDGET no core idles for long: a run that reaches BOUNDARY goes on to its
# second phase at once, and once one run has finished (its metrics.json), the other is stopped
# at a checkpoint (off the checkpoint schedule, so `export --average-last` leaves it out) and
# resumed on both cores (the thread count does not change what is computed:
# CLITests' theThreadCountDoesNotChangeTheResult).
#   train_pair_in_two_phases RUNS PREFIX BUDGET BOUNDARY
train_pair_in_two_phases() {
    local runs="$1" prefix="$2" budget="$3" boundary="$4" model other left
    local deadline=$(( $(date +%s) + $(duration_seconds "$budget") ))
    local -A pid=() threads=()
    [ -n "${models+set}" ] || models=(motionrnn-predrnn predrnn)
    mkdir -p "$runs"
    for model in "${models[@]}"; do
        other=$([ "$model" = predrnn ] && echo motionrnn-predrnn || echo predrnn)
        pair_member_finished "$model" && { echo "$model: finished"; continue; }
        threads[$model]=$([ ${#models[@]} -eq 1 ] || pair_member_finished "$other" && echo 2 || echo 1)
        start_pair_member "$model" "${threads[$model]}" "$(( deadline - $(date +%s) ))"
    done
    while [ ${#pid[@]} -gt 0 ]; do
        wait -n "${pid[@]}" || true
        left=$(( deadline - $(date +%s) ))
        for model in "${!pid[@]}"; do
            kill -0 "${pid[$model]}" 2>/dev/null && continue
            unset "pid[$model]"
            # Stopped at the boundary with time to spare: on to the second phase (if any:
            # start_pair_member leaves a finished run alone).
            if [ "$(newest_checkpoint "$runs/$prefix-$model")" -eq "$boundary" ] && [ "$left" -gt 600 ]; then
                start_pair_member "$model" "${threads[$model]}" "$left"
            fi
        done
        # One run finished, the other still going on one core: it takes both.
        for model in "${!pid[@]}"; do
            other=$([ "$model" = predrnn ] && echo motionrnn-predrnn || echo predrnn)
            if [ ${#pid[@]} -eq 1 ] && [ "${threads[$model]}" -eq 1 ] && [ "$left" -gt 600 ] \
               && pair_member_finished "$other"; then
                echo "$other finished: $model goes on on both cores"
                kill -INT "${pid[$model]}" 2>/dev/null || true
                wait "${pid[$model]}" || true
                threads[$model]=2
                start_pair_member "$model" 2 "$(( deadline - $(date +%s) ))"
            fi
        done
    done
}

# Whether MODEL's run of the pair (in train_pair_in_two_phases's variables) has finished: it
# has written its metrics.json.
pair_member_finished() {
    [ -f "$runs/$prefix-$1/metrics.json" ]
}

# Starts MODEL of the pair (in train_pair_in_two_phases's variables) on THREADS cores for
# SECONDS, in the phase its run folder is in; records its process in `pid`. A finished run
# (at the end of a one-phase plan, or one that ended just before being moved to both cores)
# is not started again: it leaves `pid`.
start_pair_member() {
    local model="$1" count="$2" seconds="$3" folder="$runs/$prefix-$1"
    if pair_member_finished "$model"; then
        unset "pid[$model]"
        return
    fi
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
    start_training_on "$count" "$runs/$prefix-$model.log" "${seconds}s" "${arguments[@]}"
    pid[$model]=$!
    echo "$model → $folder on $count core(s) for ${seconds} s (log $runs/$prefix-$model.log)"
}
