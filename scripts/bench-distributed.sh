#!/usr/bin/env bash
# Data-parallel throughput on this machine: 1 process × 2 threads against 2 MPI ranks × 1
# thread, the same global batch (the V-MNIST recipe of the 2 × 32 pair shipped until 2026-12-05,
# batch 8), interleaved rounds.
#
#   bash scripts/bench-distributed.sh [ITERATIONS] [ROUNDS]      (default 30 iterations, 2 rounds)
#
# Prints each run's training seconds, rank 0's all-reduce time and volume, and the throughput
# ratio (2 ranks / 1 process). Measure on a quiet machine: other processes distort both.
set -euo pipefail
cd "$(dirname "$0")/.."
iterations="${1:-30}" rounds="${2:-2}"
swift build -c release --product motionrnn >/dev/null
tool=.build/release/motionrnn
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
recipe=(--preset vmnist-cpu --hidden 32,32 --filter-size 3 --patch-size 4 --batch-size 8 --loss mse
        --iterations "$iterations" --validation-interval 0 --checkpoint-interval 0 --test-count 8 --examples 1)
seconds() { sed -n 's/.*(this session \([0-9.]*\) s).*/\1/p' "$1" | tail -n 1; }
single_total=0 pair_total=0
for round in $(seq "$rounds"); do
    MOTIONRNN_THREADS=2 "$tool" train "${recipe[@]}" --output "$work/single-$round" > "$work/single-$round.log" 2>&1
    MOTIONRNN_THREADS=1 mpirun --allow-run-as-root --oversubscribe -np 2 "$tool" train --distributed "${recipe[@]}" \
        --output "$work/pair-$round" > "$work/pair-$round.log" 2>&1
    single=$(seconds "$work/single-$round.log") pair=$(seconds "$work/pair-$round.log")
    echo "round $round: 1 process × 2 threads ${single} s, 2 ranks × 1 thread ${pair} s ($iterations iterations)"
    grep "all-reduce" "$work/pair-$round.log" | sed 's/^/    /'
    single_total=$(awk "BEGIN { print $single_total + $single }") pair_total=$(awk "BEGIN { print $pair_total + $pair }")
done
echo "throughput, 2 ranks × 1 thread / 1 process × 2 threads: $(awk "BEGIN { printf \"%.3f\", $single_total / $pair_total }")"
